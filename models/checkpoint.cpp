// A model's checkpoint directory: config.json, the vocabularies and the
// parameters, written through the atomic directory swap and read back.
#include "models/checkpoint.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <system_error>

#include "data/subwords.hpp"
#include "io/atomic_dir.hpp"
#include "io/files.hpp"
#include "io/npy.hpp"
#include "models/config_json.hpp"

namespace attnlab {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

void check_param_name(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    fail(dir, "parameter name '" + name + "' cannot be a file name");
}

}  // namespace

void save_checkpoint(const std::string& dir, const ModelConfig& config, const Vocab& src,
                     const Vocab& tgt,
                     const std::vector<std::pair<std::string, const Array<float>*>>& params,
                     const nlohmann::json& extra_config,
                     const std::function<void(const std::string& tmp_dir)>& write_extra) {
  // A diverged model must never replace a good checkpoint.
  for (const auto& [name, value] : params)
    if (const std::size_t bad = count_nonfinite(*value))
      fail(dir, "not saved: parameter " + name + " holds " + std::to_string(bad) + " of " +
                    std::to_string(value->size()) +
                    " values that are NaN or infinite; what was there is untouched");
  write_dir_atomically(dir, [&](const fs::path& tmp, const fs::path& target) {
    if (!extra_config.is_null() && !extra_config.is_object())
      fail(dir, "extra config must be a JSON object");
    nlohmann::json j = extra_config.is_object() ? extra_config : nlohmann::json::object();
    const nlohmann::json model_keys = config_to_json(config);
    for (auto& [key, value] : model_keys.items()) j[key] = value;
    write_file((tmp / "config.json").string(), j.dump(2) + "\n");

    auto save_vocab = [&](const Vocab& vocab, const char* name) {
      try {
        vocab.save((tmp / name).string());
      } catch (const VocabError& e) {
        fail((target / name).string(), std::string("cannot save: ") + e.what());
      }
    };
    save_vocab(src, "src_vocab.txt");
    save_vocab(tgt, "tgt_vocab.txt");
    for (const auto& [model, name] : {std::pair{&config.src_subwords, "src_sentencepiece.model"},
                                      std::pair{&config.tgt_subwords, "tgt_sentencepiece.model"}})
      if (*model) write_file((tmp / name).string(), (*model)->serialized());

    std::set<std::string> seen;
    for (const auto& [name, value] : params) {
      check_param_name(dir, name);
      if (!seen.insert(name).second) fail(dir, "parameter '" + name + "' given twice");
      if (!value) fail(dir, "parameter '" + name + "' has no value");
      save_npy((tmp / (name + ".npy")).string(), *value);
    }

    if (write_extra) write_extra(tmp.string());
  });
}

void save_checkpoint(const std::string& dir, const ModelConfig& config, const Vocab& src,
                     const Vocab& tgt,
                     const std::vector<std::pair<std::string, const Array<float>*>>& params) {
  save_checkpoint(dir, config, src, tgt, params, nlohmann::json());
}

CheckpointData load_checkpoint(const std::string& dir, nlohmann::json* config_json) {
  const fs::path d(dir);
  std::error_code ec;
  const fs::file_status st = fs::status(d, ec);
  if (!fs::exists(st)) fail(dir, "no such checkpoint directory");
  if (!fs::is_directory(st)) fail(dir, "is not a directory (a checkpoint is a directory)");

  CheckpointData data;
  const std::string config_path = (d / "config.json").string();
  if (!fs::exists(d / "config.json")) fail(config_path, "missing (every checkpoint has one)");
  const std::string text = read_file(config_path, "config", std::size_t(64) << 20);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(config_path, std::string("invalid JSON: ") + e.what());
  }
  data.config = config_from_json(j, config_path);

  // The vocabulary files decide the vocabulary sizes; config.json must agree.
  auto load_vocab = [&](const char* file, const char* key, std::size_t& size) {
    const std::string path = (d / file).string();
    if (!fs::exists(d / file)) fail(path, "missing (every checkpoint has one)");
    Vocab v;
    try {
      v = Vocab::load(path);
    } catch (const VocabError& e) {
      throw CheckpointError(e.what());  // already names the file and line
    }
    if (j.contains(key) && size != v.size())
      fail(config_path, std::string("key '") + key + "' is " + std::to_string(size) + " but " +
                            path + " holds " + std::to_string(v.size()) + " tokens");
    size = v.size();
    return v;
  };
  data.src_vocab = load_vocab("src_vocab.txt", "src_vocab", data.config.src_vocab);
  data.tgt_vocab = load_vocab("tgt_vocab.txt", "tgt_vocab", data.config.tgt_vocab);
  // A sentencepiece side's model, whose pieces are its vocabulary.
  auto load_subwords = [&](const std::string& tokenizer, const char* file, const char* vocab_file,
                           const Vocab& vocab) -> std::shared_ptr<const SentencePiece> {
    if (tokenizer != "sentencepiece") return nullptr;
    const std::string path = (d / file).string();
    if (!fs::exists(d / file))
      fail(path, "missing (a checkpoint with the sentencepiece tokenizer keeps its model)");
    std::shared_ptr<const SentencePiece> model;
    try {
      model = SentencePiece::load(read_file(path, "sentencepiece model", std::size_t(256) << 20));
    } catch (const SubwordError& e) {
      fail(path, e.what());
    }
    if (Vocab::of(model->pieces()).tokens() != vocab.tokens())
      fail(path, std::string("its pieces are not the vocabulary in ") + vocab_file);
    return model;
  };
  data.config.src_subwords = load_subwords(data.config.src_tokenizer, "src_sentencepiece.model",
                                           "src_vocab.txt", data.src_vocab);
  data.config.tgt_subwords = load_subwords(data.config.tgt_tokenizer, "tgt_sentencepiece.model",
                                           "tgt_vocab.txt", data.tgt_vocab);

  for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    const std::string suffix = ".npy";
    if (file.size() <= suffix.size() || file.compare(file.size() - 4, 4, suffix) != 0) continue;
    // not skipped when it is not a regular file: load_npy says what it is
    data.params[file.substr(0, file.size() - suffix.size())] = load_npy(it->path().string());
  }
  if (ec) fail(dir, "cannot list the checkpoint directory: " + ec.message());
  if (config_json) *config_json = std::move(j);
  return data;
}

}  // namespace attnlab
