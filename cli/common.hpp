// What the attnlab subcommands share: error handling with the right exit
// status, terminal detection, and reading data from a file or a task.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "models/config.hpp"

namespace attnlab::cli {

// A bad option or combination of options: exit status 2.
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Makes body the command's action, turning every error into one line on
// stderr ("attnlab CMD: message") and an exit status: 2 for usage, 1 otherwise.
void on_run(CLI::App* command, std::function<int()> body);

// Refuses a source of n tokens that c's location score cannot attend over,
// naming where it is (FILE:LINE) and adding hint to the message.
void check_source_length(const ModelConfig& c, std::size_t n, const std::string& where,
                         const std::string& hint = "");

bool stderr_is_terminal();

// The command as typed ("attnlab compare --seeds 3"), quoted for a shell
// where needed: what a report says was run. Set once, by main.
void set_command_line(int argc, char** argv);
const std::string& command_line();

// "a, b, c": a registry's names for a help text.
std::string join(const std::vector<std::string>& names, const std::string& sep = ", ");
// The built-in tasks' names, for help texts and checks.
std::vector<std::string> task_names();

// Catches SIGINT and SIGTERM: the first sets the returned value to the
// signal's number (training stops after its step and saves), a second one
// kills as usual. Exit with 128 + that number afterwards, as shells expect.
const std::atomic<int>* stop_on_signals();
// SIGINT and SIGTERM kill again, as by default (once training is over).
void release_signals();

// --threads: each thread takes a share of every batch (one BLAS thread each).
void add_threads_option(CLI::App* command, std::size_t& threads);

// Pairs from a source<TAB>target file, saying on stderr how many bad lines
// were skipped (with --skip-bad-lines).
std::vector<TextPair> read_pairs(const std::string& path, bool skip_bad_lines);

// A task's gold alignments count the task's own tokens (characters): where c
// tokenizes otherwise they mean nothing, and are dropped from its pairs.
void fit_task_alignments(std::vector<TextPair>& pairs, const std::string& task,
                         const ModelConfig& c);

// encode_pairs with c's tokenizers; a pair it refuses (a gold link beyond the
// pair's tokens) becomes a DataError naming `name` (the file) and the line.
std::vector<Example> encode_named(const std::vector<TextPair>& pairs, const std::string& name,
                                  const ModelConfig& c, const Vocab& src, const Vocab& tgt);

void add_subcommand_train(CLI::App& app);
void add_subcommand_eval(CLI::App& app);
void add_subcommand_translate(CLI::App& app);
void add_subcommand_data(CLI::App& app);
void add_subcommand_plot(CLI::App& app);
void add_subcommand_compare(CLI::App& app);
void add_subcommand_bleu(CLI::App& app);

}  // namespace attnlab::cli
