// config.json on any bytes: a ModelConfig or CheckpointError (or the JSON
// parser's own error); a config it accepts writes and reads back the same.
#include <nlohmann/json.hpp>

#include "io/error.hpp"
#include "models/config_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnlab;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  ModelConfig c;
  try {
    c = config_from_json(j, "config.json");
  } catch (const CheckpointError&) {
    return 0;
  }
  const ModelConfig d = config_from_json(config_to_json(c), "again");
  if (config_to_json(d) != config_to_json(c)) __builtin_trap();
  return 0;
}
