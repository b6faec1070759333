// Judging a checkpoint on a file or a task's fresh pairs: the loss and
// perplexity, accuracy and BLEU of greedy or beam decoding, the alignment
// quality of its attention, overall and by source length.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "run/data.hpp"
#include "training/evaluate.hpp"

namespace attnlab {

struct EvalSettings {
  std::string checkpoint, data, task;  // exactly one of data and task
  std::size_t n = 1000, min_len = 0, max_len = 0;
  std::uint64_t data_seed = 2;  // differs from training's default 1
  bool skip_bad_lines = false, by_length = false;
  std::size_t bucket = 5, beam = 1, batch_size = 64, threads = 1;
};

struct CheckpointEvaluation {
  ModelConfig config;
  std::string data_name;  // the file, or "task NAME"
  std::size_t pairs = 0;
  EvalResult result;
  std::vector<LengthBucket> by_length;  // with EvalSettings::by_length
};

// Throws UsageError for a bad combination or an empty source, naming the
// line; std::runtime_error when the loss is not finite (no figure computed
// from it could be trusted).
CheckpointEvaluation evaluate_checkpoint(const EvalSettings& s, const Notify& note = nullptr);

// As `attnlab eval --json` prints it.
nlohmann::json evaluation_json(const EvalSettings& s, const CheckpointEvaluation& e);

}  // namespace attnlab
