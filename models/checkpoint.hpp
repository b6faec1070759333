// Checkpoints (MODEL_SPEC.md, "Checkpoint"): a directory of config.json, two
// vocabulary files and one NumPy .npy file per parameter, written atomically;
// plus the .npy reader/writer and the ModelConfig <-> JSON mapping.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autograd/array.hpp"
#include "data/vocab.hpp"
#include "models/config.hpp"

namespace attnlab {

// Any checkpoint read or write failure; the message names the offending file.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// NumPy .npy, version 1.0 (2.0 if the header needs it), '<f4', C order,
// byte-for-byte what numpy.save writes for a float32 array.
void save_npy(const std::string& path, const Array<float>& a);
// Reads .npy versions 1.0, 2.0 and 3.0 holding '<f4' in C order; anything
// else, and data shorter or longer than the shape, is refused.
Array<float> load_npy(const std::string& path);

// Refuses, before any work is done, a checkpoint directory save_checkpoint
// could not write: ".", "/", an existing file or non-checkpoint directory, a
// path under a file or an unwritable directory. CheckpointError names dir.
void check_save_target(const std::string& dir);

// How many of a's values are NaN or infinite (checkpoints never hold them).
std::size_t count_nonfinite(const Array<float>& a);

// Every ModelConfig field under the spec's key names; decoder_hidden is
// written as its effective value c.D().
nlohmann::json config_to_json(const ModelConfig& c);
// The inverse. The spec's keys are required; max_source_length, src_vocab,
// tgt_vocab and seed default to ModelConfig's values when absent. A missing
// key or wrong type throws CheckpointError naming path_for_messages and the key.
ModelConfig config_from_json(const nlohmann::json& j, const std::string& path_for_messages);

struct CheckpointData {
  ModelConfig config;
  Vocab src_vocab, tgt_vocab;
  std::map<std::string, Array<float>> params;  // file name without ".npy" -> value
  nlohmann::json config_json;  // the whole config.json, so callers can keep extra keys
};

// Writes config.json (extra_config's keys, overridden by config's own keys),
// after checking that every parameter is finite (a NaN or infinity throws
// CheckpointError naming the parameter, and nothing is written);
// src_vocab.txt, tgt_vocab.txt and NAME.npy per parameter into a fresh
// sibling temporary directory; write_extra may add more files there (say an
// "optimizer/" subdirectory). Everything is fsynced, then swapped into place
// atomically; the old copy is deleted. Temporary directories left by saves
// whose process died are removed first. On failure the temporary directory is
// removed, any previous checkpoint at dir is untouched, and CheckpointError is
// thrown. An existing dir must be a directory that is empty or holds a
// config.json (so a mistyped path never deletes unrelated data).
void save_checkpoint(const std::string& dir, const ModelConfig& config, const Vocab& src,
                     const Vocab& tgt,
                     const std::vector<std::pair<std::string, const Array<float>*>>& params,
                     const nlohmann::json& extra_config = {},
                     const std::function<void(const std::string& tmp_dir)>& write_extra = {});

// Reads a checkpoint directory: config.json, both vocabularies (checked
// against config's src_vocab/tgt_vocab when those keys are present, filled in
// from them when not) and every top-level *.npy. Whether the parameters fit a
// model is the model's check, not this one.
CheckpointData load_checkpoint(const std::string& dir);

}  // namespace attnlab
