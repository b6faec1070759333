// attnlab compare: the run layer's study (run/study.hpp) with one progress
// line for all its runs, then its report on stdout and where the pages are.
#include <filesystem>
#include <iostream>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "cli/progress.hpp"
#include "run/study.hpp"

namespace attnlab::cli {

namespace {

int run_compare(CLI::App* cmd, RunSettings& s) {
  note_given_flags(cmd, s, kStudy);
  finish_settings(s);
  const std::string out = s.study.out;
  Study study(s, [](const std::string& note) { std::cerr << note << "\n"; });
  std::cerr << "attnlab compare: " << study.describe();
  StudyDisplay display(std::cerr, stderr_is_terminal());
  const int sig = study.run([&](const auto& runs) { display.show(runs); }, stop_on_signals());
  release_signals();  // reporting: Ctrl-C ends it at once
  display.finish();
  if (sig) {
    std::cerr << "interrupted: no report written; the checkpoints are saved where they stopped\n";
    return 128 + sig;
  }
  const std::string md = study.write_report(command_line());
  std::cout << "\n" << md << std::flush;
  const std::filesystem::path dir(out);
  std::cerr << "\nReport: " << std::filesystem::absolute(dir / "report.html").string()
            << "\n  with " << (dir / "report.md").string() << ", "
            << (dir / "results.json").string() << " and the checkpoints "
            << (dir / "MODEL/seedK").string() << "\n";
  return 0;
}

}  // namespace

void add_subcommand_compare(CLI::App& app) {
  auto s = std::make_shared<RunSettings>(RunSettings::for_study());
  CLI::App* c = app.add_subcommand(
      "compare", "Train model variants side by side over seeds; compare them by source length");
  add_run_flags(c, *s, kStudy);
  on_run(c, [s, c] { return run_compare(c, *s); });
}

}  // namespace attnlab::cli
