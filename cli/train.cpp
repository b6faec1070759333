// attnlab train: the run layer's training run (run/train.hpp), with its
// progress on stderr and the exit status a shell expects.
#include "run/train.hpp"

#include <iostream>

#include "cli/common.hpp"
#include "cli/flags.hpp"
#include "cli/progress.hpp"

namespace attnlab::cli {

namespace {

struct TrainArgs {
  RunSettings s = RunSettings::for_training();
  bool quiet = false;  // --quiet: only the final line
};

int run_train(CLI::App* cmd, TrainArgs& a) {
  RunSettings& s = a.s;
  note_given_flags(cmd, s, kTrain);
  finish_settings(s);
  s.train.stop = signal_flag();  // caught from the first step on
  ProgressDisplay progress(std::cerr, stderr_is_terminal());
  if (!a.quiet) progress.attach(s.train);
  const auto run = prepare_training(s, [](const std::string& note) { std::cerr << note << "\n"; });
  const RunData& d = run->data;
  stop_on_signals();
  if (!a.quiet) {
    std::cerr << "attnlab train: " << model_label(run->model->config()) << ", " << run->parameters
              << " parameters; " << d.train.size() << " training pairs from " << d.train_name;
    if (d.dropped) std::cerr << " (" << d.dropped << " dropped by length)";
    std::cerr << ", " << d.valid.size() << " validation pairs; vocabularies " << d.src_vocab.size()
              << " / " << d.tgt_vocab.size() << "; checkpoint " << s.train.save << "\n";
  }
  const TrainResult r = run->run();
  progress.finish();
  std::cerr << r.message << "\n";
  if (r.interrupted) {
    std::cerr << "continue it with: attnlab train --resume " << s.train.save << "\n";
    return 128 + r.interrupted;
  }
  return r.diverged ? 1 : 0;
}

}  // namespace

void add_subcommand_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* t =
      app.add_subcommand("train", "Train a model on a source<TAB>target file or a built-in task");
  add_run_flags(t, a->s, kTrain);
  t->add_flag("--quiet", a->quiet, "Only the final line");
  on_run(t, [a, t] { return run_train(t, *a); });
}

}  // namespace attnlab::cli
