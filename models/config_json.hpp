// The ModelConfig <-> JSON mapping of a checkpoint's config.json
// (docs/MODEL_SPEC.md, "Checkpoint").
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "models/config.hpp"

namespace attnlab {

// Every ModelConfig field under the spec's key names; decoder_hidden is
// written as its effective value c.D().
nlohmann::json config_to_json(const ModelConfig& c);
// The inverse. The spec's keys are required; max_source_length, src_vocab,
// tgt_vocab and seed default to ModelConfig's values when absent. A missing
// key or wrong type throws CheckpointError naming path_for_messages and the key.
ModelConfig config_from_json(const nlohmann::json& j, const std::string& path_for_messages);

}  // namespace attnlab
