// Error handling and data reading shared by the subcommands.
#include "cli/common.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "data/vocab.hpp"
#include "models/checkpoint.hpp"

namespace attnlab::cli {

int guarded(const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << "attnlab " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {  // a value the library refused
    std::cerr << "attnlab " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {  // files, checkpoints, data
    std::cerr << "attnlab " << command << ": " << e.what() << "\n";
    return 1;
  }
}

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::vector<TextPair> read_pairs(const std::string& path, bool skip_bad_lines) {
  ReadResult r = read_tsv(path, ReadOptions{skip_bad_lines});
  if (r.skipped)
    std::cerr << path << ": skipped " << r.skipped << " malformed line"
              << (r.skipped == 1 ? "" : "s") << " (--skip-bad-lines)\n";
  return std::move(r.pairs);
}

}  // namespace attnlab::cli
