// Checkpoints: the config.json mapping, and atomic save/load of checkpoint
// directories with their refusals.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

#include "io/npy.hpp"
#include "models/checkpoint.hpp"
#include "models/config_json.hpp"
#include "support/check.hpp"
#include "support/temp_dir.hpp"

namespace attnlab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::bit_equal;
using test::contains;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

// Entries of dir's parent whose name starts with dir's name and ".tmp-".
std::vector<std::string> temp_siblings(const fs::path& dir) {
  std::vector<std::string> found;
  const std::string prefix = dir.filename().string() + ".tmp-";
  for (const auto& e : fs::directory_iterator(dir.parent_path()))
    if (e.path().filename().string().rfind(prefix, 0) == 0)
      found.push_back(e.path().filename().string());
  return found;
}

Array<float> sample(const Shape& shape, std::uint64_t seed) {
  return test::rand_float_array(shape, seed, -3, 3);
}

ModelConfig sample_config() {
  ModelConfig c;
  c.model = "attention";
  c.score = "general";
  c.src_tokenizer = "space";
  c.tgt_tokenizer = "char";
  c.embed = 5;
  c.hidden = 3;
  c.decoder_hidden = 7;
  c.attention_hidden = 11;
  c.decoder_init = "zero";
  c.max_source_length = 13;
  c.src_vocab = 6;
  c.tgt_vocab = 5;
  c.seed = 1234567890123ULL;
  return c;
}

// A small checkpoint's contents, saved and compared as a whole.
struct Contents {
  ModelConfig config = sample_config();
  Vocab src, tgt;
  std::map<std::string, Array<float>> params;

  explicit Contents(std::uint64_t seed) {
    src.add("hello");
    src.add(" ");
    tgt.add("日");
    params["encoder.embedding.weight"] = sample({6, 5}, seed);
    params["decoder.out.bias"] = sample({5}, seed + 1);
    params["decoder.attention.linear.weight"] = sample({7, 6}, seed + 2);
  }
  std::vector<std::pair<std::string, const Array<float>*>> param_list() const {
    std::vector<std::pair<std::string, const Array<float>*>> list;
    for (const auto& [name, value] : params) list.emplace_back(name, &value);
    return list;
  }
  void save(const std::string& dir, const json& extra = {},
            const std::function<void(const std::string&)>& write_extra = {}) const {
    save_checkpoint(dir, config, src, tgt, param_list(), extra, write_extra);
  }
  void check_loaded(const CheckpointData& d) const {
    CHECK(config_to_json(d.config) == config_to_json(config));
    REQUIRE(d.src_vocab.size() == src.size());
    REQUIRE(d.tgt_vocab.size() == tgt.size());
    for (Index i = 0; i < static_cast<Index>(src.size()); ++i)
      CHECK(d.src_vocab.token(i) == src.token(i));
    for (Index i = 0; i < static_cast<Index>(tgt.size()); ++i)
      CHECK(d.tgt_vocab.token(i) == tgt.token(i));
    REQUIRE(d.params.size() == params.size());
    for (const auto& [name, value] : params) {
      INFO(name);
      REQUIRE(d.params.count(name));
      CHECK(bit_equal(d.params.at(name), value));
    }
  }
};

}  // namespace

// ---------------------------------------------------------------- config

TEST_CASE("config: config_to_json and config_from_json round-trip every field") {
  const ModelConfig c = sample_config();
  const json j = config_to_json(c);
  for (const char* key :
       {"model", "cell", "score", "src_tokenizer", "tgt_tokenizer", "embed", "hidden", "decoder_hidden",
        "attention_hidden", "decoder_init", "max_source_length", "src_vocab", "tgt_vocab", "seed"})
    CHECK_MESSAGE(j.contains(key), key);
  CHECK(j.size() == 14);

  // Through text, as a checkpoint stores it.
  const ModelConfig back = config_from_json(json::parse(j.dump()), "config.json");
  CHECK(back.model == c.model);
  CHECK(back.score == c.score);
  CHECK(back.src_tokenizer == c.src_tokenizer);
  CHECK(back.tgt_tokenizer == c.tgt_tokenizer);
  CHECK(back.embed == c.embed);
  CHECK(back.hidden == c.hidden);
  CHECK(back.decoder_hidden == c.decoder_hidden);
  CHECK(back.attention_hidden == c.attention_hidden);
  CHECK(back.decoder_init == c.decoder_init);
  CHECK(back.max_source_length == c.max_source_length);
  CHECK(back.src_vocab == c.src_vocab);
  CHECK(back.tgt_vocab == c.tgt_vocab);
  CHECK(back.seed == c.seed);

  // decoder_hidden 0 means 2H, and is written as that effective value.
  ModelConfig d;
  d.hidden = 8;
  d.decoder_hidden = 0;
  CHECK(config_to_json(d)["decoder_hidden"] == 16);
  CHECK(config_from_json(config_to_json(d), "config.json").D() == 16);
}

TEST_CASE("config: a missing key or a wrong type is refused naming config.json and the key") {
  const json good = config_to_json(sample_config());
  for (const char* key : {"model", "score", "src_tokenizer", "tgt_tokenizer", "embed", "hidden",
                          "decoder_hidden", "attention_hidden", "decoder_init"}) {
    INFO(key);
    json j = good;
    j.erase(key);
    const std::string msg =
        test::error_message<CheckpointError>([&] { config_from_json(j, "ck/config.json"); });
    CHECK(contains(msg, "ck/config.json"));
    CHECK(contains(msg, std::string("'") + key + "'"));
  }
  // The rest have defaults.
  json j = good;
  for (const char* key : {"max_source_length", "src_vocab", "tgt_vocab", "seed"}) j.erase(key);
  CHECK(config_from_json(j, "config.json").seed == ModelConfig{}.seed);

  const std::vector<std::pair<const char*, json>> wrong = {
      {"model", 3},           {"embed", "32"},   {"hidden", -4},
      {"hidden", 2.5},        {"seed", nullptr}, {"src_vocab", json::array()},
      {"decoder_init", false}};
  for (const auto& [key, value] : wrong) {
    INFO(key << " = " << value.dump());
    json w = good;
    w[key] = value;
    const std::string msg =
        test::error_message<CheckpointError>([&] { config_from_json(w, "ck/config.json"); });
    CHECK(contains(msg, "ck/config.json"));
    CHECK(contains(msg, std::string("'") + key + "'"));
  }
  CHECK(contains(test::error_message<CheckpointError>(
                     [&] { config_from_json(json::array(), "ck/config.json"); }),
                 "ck/config.json"));
}

// ---------------------------------------------------------------- checkpoints

TEST_CASE("checkpoint: save_checkpoint then load_checkpoint gives back everything saved") {
  TempDir tmp;
  const Contents c(1);
  const std::string dir = tmp.file("sub/dir/ckpt");  // parents are created
  c.save(dir, json{{"optimizer", "adam"}, {"embed", 999}}, [](const std::string& t) {
    fs::create_directory(fs::path(t) / "optimizer");
    save_npy((fs::path(t) / "optimizer" / "step.npy").string(), Array<float>{3.0f});
  });

  for (const char* f :
       {"config.json", "src_vocab.txt", "tgt_vocab.txt", "encoder.embedding.weight.npy",
        "decoder.out.bias.npy", "decoder.attention.linear.weight.npy", "optimizer/step.npy"})
    CHECK_MESSAGE(fs::is_regular_file(fs::path(dir) / f), f);

  json config_json;
  const CheckpointData d = load_checkpoint(dir, &config_json);
  c.check_loaded(d);
  // Extra keys are kept; the model's own keys win over extras.
  CHECK(config_json.at("optimizer") == "adam");
  CHECK(config_json.at("embed") == 5);
  // Only top-level .npy files are parameters.
  CHECK_FALSE(d.params.count("optimizer/step"));
  CHECK(temp_siblings(dir).empty());
  // A trailing slash names the same directory.
  c.check_loaded(load_checkpoint(dir + "/"));
}

TEST_CASE("checkpoint: overwriting an existing checkpoint replaces it with no leftovers") {
  TempDir tmp;
  const std::string dir = tmp.file("ckpt");
  Contents first(1);
  first.params["only.in.first"] = sample({2}, 9);
  first.save(dir, {}, [](const std::string& t) {
    fs::create_directory(fs::path(t) / "optimizer");
    write_bytes((fs::path(t) / "optimizer" / "state").string(), "old");
  });

  Contents second(2);
  second.src.add("more");
  second.config.src_vocab = 7;
  second.save(dir + "/");
  second.check_loaded(load_checkpoint(dir));
  CHECK_FALSE(fs::exists(fs::path(dir) / "only.in.first.npy"));
  CHECK_FALSE(fs::exists(fs::path(dir) / "optimizer"));
  CHECK(temp_siblings(dir).empty());
  CHECK(std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator()) == 1);

  // And once more, to replace a checkpoint that itself came from a swap.
  first.save(dir);
  first.check_loaded(load_checkpoint(dir));
  CHECK(temp_siblings(dir).empty());
}

TEST_CASE("checkpoint: an interrupted save leaves the previous checkpoint loadable") {
  TempDir tmp;
  const std::string dir = tmp.file("ckpt");
  const Contents first(1);
  first.save(dir);
  const std::string config_before = read_bytes((fs::path(dir) / "config.json").string());

  const Contents second(2);
  const std::string msg = test::error_message<CheckpointError>([&] {
    second.save(dir, {}, [](const std::string& t) {
      write_bytes((fs::path(t) / "partial.npy").string(), "half a file");
      throw std::runtime_error("disk full (simulated)");
    });
  });
  CHECK(contains(msg, dir));
  CHECK(contains(msg, "simulated"));

  first.check_loaded(load_checkpoint(dir));
  CHECK(read_bytes((fs::path(dir) / "config.json").string()) == config_before);
  CHECK_FALSE(fs::exists(fs::path(dir) / "partial.npy"));
  CHECK(temp_siblings(dir).empty());

  // Interrupted before any checkpoint existed: nothing appears.
  const std::string fresh = tmp.file("fresh");
  test::error_message<CheckpointError>([&] {
    second.save(fresh, {}, [](const std::string&) { throw std::runtime_error("killed"); });
  });
  CHECK_FALSE(fs::exists(fresh));
  CHECK(temp_siblings(fresh).empty());
}

TEST_CASE("checkpoint: a missing or damaged file in a checkpoint is refused naming that file") {
  TempDir tmp;
  const std::string dir = tmp.file("ckpt");
  Contents(1).save(dir);
  const fs::path d(dir);
  auto error = [&] { return test::error_message<CheckpointError>([&] { load_checkpoint(dir); }); };

  SUBCASE("no directory") {
    CHECK(contains(test::error_message<CheckpointError>([&] { load_checkpoint(tmp.file("none")); }),
                   tmp.file("none")));
  }
  SUBCASE("a regular file instead of a directory") {
    write_bytes(tmp.file("plain"), "x");
    CHECK(
        contains(test::error_message<CheckpointError>([&] { load_checkpoint(tmp.file("plain")); }),
                 tmp.file("plain")));
  }
  SUBCASE("config.json missing") {
    fs::remove(d / "config.json");
    CHECK(contains(error(), (d / "config.json").string()));
  }
  SUBCASE("config.json not JSON") {
    write_bytes((d / "config.json").string(), "{\"model\": ");
    CHECK(contains(error(), (d / "config.json").string()));
  }
  SUBCASE("a required config key missing") {
    json j = json::parse(read_bytes((d / "config.json").string()));
    j.erase("hidden");
    write_bytes((d / "config.json").string(), j.dump());
    const std::string msg = error();
    CHECK(contains(msg, (d / "config.json").string()));
    CHECK(contains(msg, "'hidden'"));
  }
  SUBCASE("config's vocabulary size disagrees with the vocabulary file") {
    json j = json::parse(read_bytes((d / "config.json").string()));
    j["tgt_vocab"] = 99;
    write_bytes((d / "config.json").string(), j.dump());
    const std::string msg = error();
    CHECK(contains(msg, (d / "config.json").string()));
    CHECK(contains(msg, "tgt_vocab.txt"));
  }
  SUBCASE("src_vocab.txt missing") {
    fs::remove(d / "src_vocab.txt");
    CHECK(contains(error(), (d / "src_vocab.txt").string()));
  }
  SUBCASE("tgt_vocab.txt damaged") {
    write_bytes((d / "tgt_vocab.txt").string(), "<pad>\n<unk>\n<sos>\n<eos>\n日\n日\n");
    CHECK(contains(error(), (d / "tgt_vocab.txt").string() + ":6:"));
  }
  SUBCASE("a parameter file corrupt") {
    const std::string p = (d / "decoder.out.bias.npy").string();
    const std::string bytes = read_bytes(p);
    write_bytes(p, bytes.substr(0, bytes.size() - 3));
    CHECK(contains(error(), p));
  }
}

TEST_CASE("checkpoint: an unwritable or unsafe target is refused and left as it was") {
  TempDir tmp;
  const Contents c(1);

  SUBCASE("parent is a regular file") {
    write_bytes(tmp.file("file"), "precious");
    const std::string dir = tmp.file("file") + "/ckpt";
    CHECK(contains(test::error_message<CheckpointError>([&] { c.save(dir); }), dir));
    CHECK(read_bytes(tmp.file("file")) == "precious");
  }
  SUBCASE("target is a regular file") {
    write_bytes(tmp.file("ckpt"), "precious");
    CHECK(contains(test::error_message<CheckpointError>([&] { c.save(tmp.file("ckpt")); }),
                   tmp.file("ckpt")));
    CHECK(read_bytes(tmp.file("ckpt")) == "precious");
    CHECK(temp_siblings(tmp.path / "ckpt").empty());
  }
  SUBCASE("target is a directory that is not a checkpoint") {
    fs::create_directory(tmp.path / "home");
    write_bytes(tmp.file("home/notes.txt"), "precious");
    CHECK(contains(test::error_message<CheckpointError>([&] { c.save(tmp.file("home")); }),
                   tmp.file("home")));
    CHECK(read_bytes(tmp.file("home/notes.txt")) == "precious");
    CHECK(temp_siblings(tmp.path / "home").empty());
  }
  SUBCASE("a parameter name that is not a file name") {
    const Array<float> x = sample({2}, 1);
    const std::string dir = tmp.file("ckpt");
    CHECK(contains(test::error_message<CheckpointError>([&] {
                     save_checkpoint(dir, c.config, c.src, c.tgt, {{"a/b", &x}});
                   }),
                   dir));
    CHECK_FALSE(fs::exists(dir));
    CHECK(temp_siblings(dir).empty());
  }
}

}  // namespace attnlab
