// The displays of long work on stderr: attnlab train's, plugged into the
// trainer's progress callbacks (on a terminal a live progress bar, elsewhere
// a line every log_every steps; a line per validation either way), and
// attnlab compare's one line for all its runs.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include "run/study.hpp"
#include "training/trainer.hpp"

namespace attnlab::cli {

class ProgressDisplay {
 public:
  // tty: a live bar, redrawn at most every 200 ms (else plain lines).
  ProgressDisplay(std::ostream& out, bool tty);
  // Clears the bar, as finish() does, should a run end in an exception.
  ~ProgressDisplay();
  ProgressDisplay(const ProgressDisplay&) = delete;
  ProgressDisplay& operator=(const ProgressDisplay&) = delete;

  // Sets o's on_step, on_log and on_validation to draw here; the display
  // must outlive the trainer's run.
  void attach(TrainOptions& o);
  // After the run, before its closing message: clears the bar.
  void finish();

 private:
  void step(const TrainProgress& p);
  void log(const TrainProgress& p);
  void validation(std::size_t step, const EvalResult& r, bool best);

  std::ostream& out_;
  bool tty_;
  bool attached_ = false;
  std::chrono::steady_clock::time_point last_draw_;
};

// attnlab compare's one line for all its runs: on a terminal redrawn in
// place, elsewhere a line every 10% of the steps.
class StudyDisplay {
 public:
  StudyDisplay(std::ostream& out, bool tty) : out_(out), tty_(tty) {}
  void show(const std::vector<StudyRunStatus>& runs);
  // Clears the live line once the runs are over.
  void finish();

 private:
  std::ostream& out_;
  bool tty_;
  int last_tenth_ = -1;
};

}  // namespace attnlab::cli
