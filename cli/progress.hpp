// attnlab train's display of a training run on stderr, plugged into the
// trainer's progress callbacks: on a terminal a live progress bar, elsewhere
// a line every log_every steps; a line per validation either way.
#pragma once

#include <chrono>
#include <iosfwd>

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

}  // namespace attnlab::cli
