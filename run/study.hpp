// A study (attnlab compare): model variants trained on the same data with the
// same budget, each over several seeds, the runs shared out over the cores,
// then judged on the same held-out pairs by source length: accuracy, BLEU and
// how well attention matches the gold alignment. Its results.json holds every
// number; report.html and report.md are made from it, beside every run's
// checkpoint in the output directory.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/data.hpp"

namespace attnlab {

// Where one run of a study stands.
struct StudyRunStatus {
  std::string label;  // "attention:additive s2"
  enum Phase { queued, training, judging, done } phase = queued;
  std::size_t step = 0, planned = 0;
  double loss = 0.0;  // smoothed: batches differ in length
};

class Study {
 public:
  // Checks the options, prepares the data, the held-out pairs and the runs;
  // throws UsageError naming the option at fault. Nothing is trained yet.
  Study(RunSettings settings, const Notify& note = nullptr);
  ~Study();
  Study(const Study&) = delete;
  Study& operator=(const Study&) = delete;

  // What will be run, in a few lines: data, models with their sizes, budget.
  std::string describe() const;

  // Trains and judges every run, one per core at a time, the rest queued.
  // on_progress is called from this thread about four times a second, and
  // once at the end. When *stop turns non-zero (a signal number), runs under
  // way stop after their step and save, queued ones never start, and run
  // returns that number. A run that failed or diverged is thrown, named.
  int run(const std::function<void(const std::vector<StudyRunStatus>&)>& on_progress,
          const std::atomic<int>* stop);

  // After run: every figure, as results.json holds it; command is what the
  // report says was run.
  nlohmann::json results(const std::string& command) const;
  // After run: writes results.json, report.md and report.html (atomically)
  // and returns the Markdown, which the terminal shows.
  std::string write_report(const std::string& command) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace attnlab
