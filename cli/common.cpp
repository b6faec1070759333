// Error handling and data reading shared by the subcommands.
#include "cli/common.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "data/vocab.hpp"
#include "models/checkpoint.hpp"
#include "training/parallel.hpp"

namespace attnlab::cli {

void on_run(CLI::App* command, std::function<int()> body) {
  command->callback([command, body = std::move(body)] {
    int status = 0;
    try {
      status = body();
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
  if (c.model != "attention" || c.score != "location" || n <= c.max_source_length) return;
  throw UsageError(where + ": a source of " + std::to_string(n) +
                   " tokens is longer than the location score's maximum of " +
                   std::to_string(c.max_source_length) + hint);
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

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

}  // namespace attnlab::cli
