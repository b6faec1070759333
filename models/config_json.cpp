// ModelConfig <-> config.json: every field under the spec's key names, and
// a reader that names the file and the key of whatever it refuses.
#include "models/config_json.hpp"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>

#include "io/error.hpp"
#include "models/config.hpp"

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
  nlohmann::json j = nlohmann::json::object();
  for (const ConfigField& f : config_fields()) {
    if (f.text) j[f.key] = c.*f.text;
    if (f.size)
      j[f.key] = f.size == &ModelConfig::decoder_hidden ? c.D() : c.*f.size;  // 0 means 2H
    if (f.u64) j[f.key] = c.*f.u64;
  }
  if (c.tgt_tokenizer == "word")
    j["tgt_word_spacing"] = {{"space_before", c.tgt_spacing.space_before},
                             {"glued_after", c.tgt_spacing.glued_after}};
  return j;
}

ModelConfig config_from_json(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "must hold a JSON object, got " + std::string(j.type_name()));
  ModelConfig c;
  for (const ConfigField& f : config_fields()) {
    if (f.text) read_string(j, f.key, f.required, path, c.*f.text);
    if (f.size) read_unsigned(j, f.key, f.required, path, c.*f.size);
    if (f.u64) read_unsigned(j, f.key, f.required, path, c.*f.u64);
  }
  if (const nlohmann::json* s = find_key(j, "tgt_word_spacing", false, path)) {
    if (!s->is_object()) fail(path, "key 'tgt_word_spacing' must be an object, got " + s->dump());
    read_string(*s, "space_before", true, path + ": tgt_word_spacing", c.tgt_spacing.space_before);
    read_string(*s, "glued_after", true, path + ": tgt_word_spacing", c.tgt_spacing.glued_after);
  }
  return c;
}

}  // namespace attnlab
