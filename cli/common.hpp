// What the attnlab subcommands share: error handling with the right exit
// status, terminal detection, signals, the command line as typed.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "run/data.hpp"
#include "run/options.hpp"

namespace attnlab::cli {

// Makes body the command's action, turning every error into one line on
// stderr ("attnlab CMD: message") and an exit status: 2 for usage, 1 otherwise.
void on_run(CLI::App* command, std::function<int()> body);

bool stderr_is_terminal();

// The command as typed ("attnlab compare --seeds 3"), quoted for a shell
// where needed: what a report says was run. Set once, by main.
void set_command_line(int argc, char** argv);
const std::string& command_line();

// Catches SIGINT and SIGTERM: the first sets the returned value to the
// signal's number (training stops after its step and saves), a second one
// kills as usual. Exit with 128 + that number afterwards, as shells expect.
const std::atomic<int>* stop_on_signals();
// The value stop_on_signals sets, before the signals are caught.
const std::atomic<int>* signal_flag();
// SIGINT and SIGTERM kill again, as by default (once training is over).
void release_signals();

// --threads: each thread takes a share of every batch (one BLAS thread each).
void add_threads_option(CLI::App* command, std::size_t& threads);

// Pairs from a source<TAB>target file, saying on stderr how many bad lines
// were skipped (with --skip-bad-lines).
std::vector<TextPair> read_pairs(const std::string& path, bool skip_bad_lines);

void add_subcommand_train(CLI::App& app);
void add_subcommand_eval(CLI::App& app);
void add_subcommand_translate(CLI::App& app);
void add_subcommand_data(CLI::App& app);
void add_subcommand_plot(CLI::App& app);
void add_subcommand_compare(CLI::App& app);
void add_subcommand_bleu(CLI::App& app);

}  // namespace attnlab::cli
