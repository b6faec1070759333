// Saving a model with its vocabularies as a checkpoint directory, and
// rebuilding it from one, refusing anything that does not fit.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>  // LoadedModel holds config.json by value
#include <string>

#include "models/checkpoint.hpp"
#include "models/encoder_decoder.hpp"

namespace attnlab {

// Writes model's config, the two vocabularies and every parameter (as
// float32) atomically; extra_config and write_extra as in save_checkpoint.
// The config's vocabulary sizes must match the vocabularies.
template <class T>
void save_model(const std::string& dir, EncoderDecoder<T>& model, const Vocab& src,
                const Vocab& tgt, const nlohmann::json& extra_config = {},
                const std::function<void(const std::string& tmp_dir)>& write_extra = {});

template <class T>
struct LoadedModel {
  std::unique_ptr<EncoderDecoder<T>> model;
  Vocab src_vocab, tgt_vocab;
  nlohmann::json config_json;  // all of config.json, extra keys included
};

// Rebuilds the model config.json describes and fills every parameter from its
// .npy. A missing, unexpected or wrongly shaped parameter, a parameter holding
// NaN or infinity (unless allow_nonfinite, for inspecting a broken model), or
// a config the model refuses (say an unknown score), throws CheckpointError
// naming the file.
template <class T>
LoadedModel<T> load_model(const std::string& dir, bool allow_nonfinite = false);

}  // namespace attnlab
