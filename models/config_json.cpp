// ModelConfig <-> config.json: every field under the spec's key names, and
// a reader that names the file and the key of whatever it refuses.
#include "models/config_json.hpp"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "io/error.hpp"

namespace attnlab {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

const nlohmann::json* find_key(const nlohmann::json& j, const char* key, bool required,
                               const std::string& path) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) fail(path, std::string("missing key '") + key + "'");
    return nullptr;
  }
  return &*it;
}

void read_string(const nlohmann::json& j, const char* key, bool required, const std::string& path,
                 std::string& out) {
  const nlohmann::json* v = find_key(j, key, required, path);
  if (!v) return;
  if (!v->is_string())
    fail(path, std::string("key '") + key + "' must be a string, got " + v->dump());
  out = v->get<std::string>();
}

template <class U>
void read_unsigned(const nlohmann::json& j, const char* key, bool required, const std::string& path,
                   U& out) {
  const nlohmann::json* v = find_key(j, key, required, path);
  if (!v) return;
  // A json built in code holds 32 as a signed integer; a parsed one, unsigned.
  const bool ok =
      v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() >= 0);
  if (!ok || v->get<std::uint64_t>() > std::numeric_limits<U>::max())
    fail(path, std::string("key '") + key + "' must be a non-negative integer, got " + v->dump());
  out = static_cast<U>(v->get<std::uint64_t>());
}

}  // namespace

nlohmann::json config_to_json(const ModelConfig& c) {
  return nlohmann::json{{"model", c.model},
                        {"score", c.score},
                        {"src_tokenizer", c.src_tokenizer},
                        {"tgt_tokenizer", c.tgt_tokenizer},
                        {"embed", c.embed},
                        {"hidden", c.hidden},
                        {"decoder_hidden", c.D()},
                        {"attention_hidden", c.attention_hidden},
                        {"decoder_init", c.decoder_init},
                        {"max_source_length", c.max_source_length},
                        {"src_vocab", c.src_vocab},
                        {"tgt_vocab", c.tgt_vocab},
                        {"seed", c.seed}};
}

ModelConfig config_from_json(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "must hold a JSON object, got " + std::string(j.type_name()));
  ModelConfig c;
  read_string(j, "model", true, path, c.model);
  read_string(j, "score", true, path, c.score);
  read_string(j, "src_tokenizer", true, path, c.src_tokenizer);
  read_string(j, "tgt_tokenizer", true, path, c.tgt_tokenizer);
  read_unsigned(j, "embed", true, path, c.embed);
  read_unsigned(j, "hidden", true, path, c.hidden);
  read_unsigned(j, "decoder_hidden", true, path, c.decoder_hidden);
  read_unsigned(j, "attention_hidden", true, path, c.attention_hidden);
  read_string(j, "decoder_init", true, path, c.decoder_init);
  read_unsigned(j, "max_source_length", false, path, c.max_source_length);
  read_unsigned(j, "src_vocab", false, path, c.src_vocab);
  read_unsigned(j, "tgt_vocab", false, path, c.tgt_vocab);
  read_unsigned(j, "seed", false, path, c.seed);
  return c;
}

}  // namespace attnlab
