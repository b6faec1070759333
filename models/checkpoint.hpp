// Checkpoints (docs/MODEL_SPEC.md, "Checkpoint"): a directory of config.json,
// two vocabulary files and one NumPy .npy file per parameter, written
// atomically.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "autograd/array.hpp"
#include "data/vocab.hpp"
#include "io/error.hpp"
#include "models/config.hpp"

namespace attnlab {

struct CheckpointData {
  ModelConfig config;
  Vocab src_vocab, tgt_vocab;
  std::map<std::string, Array<float>> params;  // file name without ".npy" -> value
};

// Writes config.json (extra_config's keys, overridden by config's own keys),
// after checking that every parameter is finite (a NaN or infinity throws
// CheckpointError naming the parameter, and nothing is written);
// src_vocab.txt, tgt_vocab.txt and NAME.npy per parameter, through
// write_dir_atomically (io/atomic_dir.hpp: all at once, or not at all, and
// only over an empty directory or a checkpoint); write_extra may add more
// files there (say an "optimizer/" subdirectory). Throws CheckpointError.
void save_checkpoint(const std::string& dir, const ModelConfig& config, const Vocab& src,
                     const Vocab& tgt,
                     const std::vector<std::pair<std::string, const Array<float>*>>& params,
                     const nlohmann::json& extra_config,
                     const std::function<void(const std::string& tmp_dir)>& write_extra = {});
// The same with no extra keys or files.
void save_checkpoint(const std::string& dir, const ModelConfig& config, const Vocab& src,
                     const Vocab& tgt,
                     const std::vector<std::pair<std::string, const Array<float>*>>& params);

// Reads a checkpoint directory: config.json, both vocabularies (checked
// against config's src_vocab/tgt_vocab when those keys are present, filled in
// from them when not) and every top-level *.npy. Whether the parameters fit a
// model is the model's check, not this one. When config_json is given, it
// receives the whole config.json, so callers can keep extra keys.
CheckpointData load_checkpoint(const std::string& dir, nlohmann::json* config_json = nullptr);

}  // namespace attnlab
