// The training loop: batches, optimizer steps, clipping, schedules,
// validation, early stopping, checkpoints that resume exactly, a metrics log,
// and callbacks for whoever shows progress (attnlab's display is in cli/).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "data/vocab.hpp"
#include "models/encoder_decoder.hpp"
#include "optim/optimizer.hpp"
#include "optim/schedule.hpp"
#include "training/evaluate.hpp"

namespace attnlab {

// Where a run stands, for the progress callbacks.
struct TrainProgress {
  std::size_t step = 0, planned = 0;  // steps done, over all sessions; steps the run will take
  std::size_t epoch = 0, epochs = 0;  // the epoch under way, from 0; epochs planned (0: none)
  double loss = 0.0;          // on_step: this step's; on_log: the mean since the last on_log
  double tokens_per_s = 0.0;  // source and target tokens, over the last half second or so
  double elapsed = 0.0;       // seconds, over all sessions
};

struct TrainOptions {
  std::size_t batch_size = 64;
  std::size_t epochs = 10;
  long max_steps = -1;  // total optimizer steps; -1: the epochs decide; 0: save the initial model
  double clip = 5.0;    // global gradient-norm clipping; 0 = off
  double dropout = 0.0;
  double teacher_forcing = 1.0;
  std::uint64_t seed = 1;  // batches, dropout and teacher forcing
  // Threads, each taking a share of every batch (DataParallel); the result
  // depends on the count, so a resumed run must keep it.
  std::size_t threads = 1;
  std::size_t valid_every = 0;  // steps between validations; 0: at the end of each epoch
  std::size_t patience = 0;     // stop after this many validations without improvement; 0: never
  std::size_t save_every = 0;   // also save every N steps
  std::string save;  // checkpoint directory; empty: nothing is written, the weights stay in memory
  OptimOptions optim;
  ScheduleOptions schedule;
  std::size_t log_every = 100;  // steps between lines of the metrics log; 0: only the last
  // Progress, for callers that show it (attnlab train's display, compare's
  // line of both models); the trainer itself writes nothing to the terminal.
  // on_step: after every optimizer step. on_log: with each line of the
  // metrics log (every log_every steps and after the last), the loss its
  // mean. on_validation: after each validation, with whether it is the best.
  std::function<void(const TrainProgress&)> on_step, on_log;
  std::function<void(std::size_t step, const EvalResult&, bool best)> on_validation;
  // When it points at a non-zero value (a signal number, set by a handler),
  // training stops after the current step and saves: interrupted, not lost.
  const std::atomic<int>* stop = nullptr;
  // Refuse, before the first step, a run whose largest batch would need more
  // memory than this by estimate (training_bytes_estimate); 0: the memory
  // the machine has available.
  double max_memory = 0;
};

// Where training stands: saved in the checkpoint so that --resume continues
// exactly where it stopped.
struct TrainState {
  std::size_t step = 0, epoch = 0, batch = 0;  // next batch: `batch` of epoch `epoch`
  double best_valid = std::numeric_limits<double>::infinity();
  std::size_t best_step = 0, bad_validations = 0;
  double elapsed = 0.0;  // seconds, over all sessions
  std::string rng;       // the dropout / teacher-forcing generator, serialised
};

struct TrainResult {
  TrainState state;
  double last_loss = 0.0;
  bool early_stopped = false;
  bool diverged = false;  // a NaN or infinity (loss, gradient, weights) stopped training
  int interrupted = 0;    // the signal that stopped training (TrainOptions::stop), or 0
  std::string message;    // what a user should read at the end
};

class Trainer {
 public:
  // `model` and the vocabularies must outlive the trainer. `extra_config`
  // goes into each checkpoint's config.json (tokenizers, data options, ...).
  Trainer(EncoderDecoder<float>& model, const Vocab& src, const Vocab& tgt,
          const TrainOptions& opts, nlohmann::json extra_config);
  Trainer(EncoderDecoder<float>& model, const Vocab& src, const Vocab& tgt,
          const TrainOptions& opts);
  ~Trainer();
  Trainer(Trainer&&) noexcept;
  Trainer& operator=(Trainer&&) noexcept;
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Continues from a checkpoint written by a trainer: optimizer state,
  // schedule, position in the data, random generator (the weights are the
  // caller's, loaded with load_model).
  void resume_from(const std::string& checkpoint);

  // Trains until max_steps, the last epoch, early stopping, divergence or an
  // interruption; progress goes to the callbacks. The checkpoint directory
  // is locked for the run ("<save>.lock", flock): a second trainer on the same
  // directory is refused, naming the process that holds it.
  TrainResult run(const std::vector<Example>& train, const std::vector<Example>& valid);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "1h05m", "3m07s", "42s": durations as the trainer's messages write them.
std::string duration_text(double seconds);

// The metrics log beside a checkpoint directory: "<dir>.metrics.jsonl".
std::string metrics_path(const std::string& checkpoint);

}  // namespace attnlab
