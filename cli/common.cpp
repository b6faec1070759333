// Error handling, signals and the command line, shared by the subcommands.
#include "cli/common.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>

#include "training/parallel.hpp"

namespace attnlab::cli {

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
      const Option* o = find_option(e.field);
      std::cerr << "attnlab " << command->get_name() << ": " << (o ? o->flag : e.field) << " "
                << e.rest << "\n";
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

namespace {
std::atomic<int> g_signal{0};
extern "C" void on_stop_signal(int sig) {
  g_signal.store(sig);
  std::signal(sig, SIG_DFL);  // a second one is not ignored
}
}  // namespace

const std::atomic<int>* signal_flag() { return &g_signal; }

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
  return attnlab::read_pairs(path, skip_bad_lines,
                             [](const std::string& note) { std::cerr << note << "\n"; });
}

}  // namespace attnlab::cli
