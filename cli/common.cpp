// Error handling and data reading shared by the subcommands.
#include "cli/common.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>

#include "data/tasks.hpp"
#include "data/vocab.hpp"
#include "models/checkpoint.hpp"
#include "models/score.hpp"
#include "training/parallel.hpp"

namespace attnlab::cli {

namespace {

// The flag of each library setting a user can give (OptionError's field).
std::string flag_for(const std::string& field) {
  static const std::map<std::string, std::string> flags = {{"lr", "--lr"},
                                                           {"weight_decay", "--weight-decay"},
                                                           {"momentum", "--momentum"},
                                                           {"nesterov", "--nesterov"},
                                                           {"step_size", "--lr-step"},
                                                           {"gamma", "--lr-gamma"},
                                                           {"factor", "--lr-factor"},
                                                           {"clip", "--clip"},
                                                           {"n", "--n"},
                                                           {"min_len", "--min-len"},
                                                           {"max_len", "--max-len"}};
  const auto it = flags.find(field);
  return it == flags.end() ? field : it->second;
}

}  // namespace

void on_run(CLI::App* command, std::function<int()> body) {
  command->callback([command, body = std::move(body)] {
    int status = 0;
    try {
      status = body();
    } catch (const std::bad_alloc&) {  // what the estimates up front did not foresee
      std::cerr << "attnlab " << command->get_name()
                << ": out of memory; try smaller batches, shorter pairs or a smaller model\n";
      status = 1;
    } catch (const OptionError& e) {  // a library setting: named by its flag here
      std::cerr << "attnlab " << command->get_name() << ": " << flag_for(e.field) << " " << e.rest
                << "\n";
      status = 2;
    } catch (const std::invalid_argument& e) {  // UsageError, or a value the library refused
      std::cerr << "attnlab " << command->get_name() << ": " << e.what() << "\n";
      status = 2;
    } catch (const std::exception& e) {  // files, checkpoints, data
      std::cerr << "attnlab " << command->get_name() << ": " << e.what() << "\n";
      status = 1;
    }
    if (status) std::exit(status);
  });
}

void check_source_length(const ModelConfig& c, std::size_t n, const std::string& where,
                         const std::string& hint) {
  if (!attends(c) || !(score_needs(c.score) & kNeedsMaxSourceLength) || n <= c.max_source_length)
    return;
  throw UsageError(where + ": a source of " + std::to_string(n) + " tokens is longer than the " +
                   c.score + " score's maximum of " + std::to_string(c.max_source_length) + hint);
}

namespace {
std::string the_command_line;
}

void set_command_line(int argc, char** argv) {
  std::string line = "attnlab";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool plain = !arg.empty() && arg.find_first_not_of(
                                           "abcdefghijklmnopqrstuvwxyz"
                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "0123456789-_.,:@/=+") == std::string::npos;
    std::string quoted = "'";
    for (char ch : arg) quoted += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    line += " " + (plain ? arg : quoted + "'");
  }
  the_command_line = line;
}

const std::string& command_line() { return the_command_line; }

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string join(const std::vector<std::string>& names, const std::string& sep) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : sep) + n;
  return s;
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const TaskInfo& t : task_list()) names.push_back(t.name);
  return names;
}

namespace {
std::atomic<int> g_signal{0};
extern "C" void on_stop_signal(int sig) {
  g_signal.store(sig);
  std::signal(sig, SIG_DFL);  // a second one is not ignored
}
}  // namespace

const std::atomic<int>* stop_on_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  return &g_signal;
}

void release_signals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

void add_threads_option(CLI::App* command, std::size_t& threads) {
  threads = default_threads();
  command->add_option("--threads", threads, "Threads, each taking a share of every batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
}

std::vector<TextPair> read_pairs(const std::string& path, bool skip_bad_lines) {
  ReadResult r = read_tsv(path, ReadOptions{skip_bad_lines});
  if (r.skipped)
    std::cerr << path << ": skipped " << r.skipped << " malformed line"
              << (r.skipped == 1 ? "" : "s") << " (--skip-bad-lines)\n";
  return std::move(r.pairs);
}

void fit_task_alignments(std::vector<TextPair>& pairs, const std::string& task,
                         const ModelConfig& c) {
  const TaskInfo& t = task_info(task);
  if (c.src_tokenizer == t.src_tokenizer && c.tgt_tokenizer == t.tgt_tokenizer) return;
  for (TextPair& p : pairs) p.alignment.reset();
}

std::vector<Example> encode_named(const std::vector<TextPair>& pairs, const std::string& name,
                                  const ModelConfig& c, const Vocab& src, const Vocab& tgt) {
  try {
    return encode_pairs(pairs, c.source_tokenizer(), c.target_tokenizer(), src, tgt);
  } catch (const std::invalid_argument& e) {  // "pair N (line L): ..."
    throw DataError(name + ": " + e.what());
  }
}

}  // namespace attnlab::cli
