// A training run: options in, a model trained, a checkpoint and its history
// out; new, from --init's weights, or --resume'd exactly where it stopped.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "models/encoder_decoder.hpp"
#include "run/data.hpp"
#include "training/trainer.hpp"

namespace attnlab {

struct TrainingRun {
  RunData data;
  std::unique_ptr<EncoderDecoder<float>> model;
  std::unique_ptr<Trainer> trainer;  // on model and data's vocabularies: the run stays put
  std::size_t parameters = 0;

  TrainingRun() = default;
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  // Trains until the options' end, early stopping, divergence or s.train.stop;
  // progress goes to s.train's callbacks.
  TrainResult run() { return trainer->run(data.train, data.valid); }
};

// Checks the options, reads the data, makes or loads the model and its
// vocabularies and readies the trainer (resumed, with --resume). s.train's
// callbacks and stop must be set before: the trainer keeps them.
std::unique_ptr<TrainingRun> prepare_training(RunSettings& s, const Notify& note = nullptr);

// "N parameters" of a model.
std::size_t parameter_count(EncoderDecoder<float>& model);

}  // namespace attnlab
