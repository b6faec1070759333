// A model through a checkpoint and back: identical loss and outputs; and
// every way a checkpoint can fail to fit its model, refused by file name.
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "support/check.hpp"
#include "support/temp_dir.hpp"

using namespace attnlab;
using namespace attnlab::test;
namespace fs = std::filesystem;

namespace {

ModelConfig small(const std::string& model, const std::string& score) {
  ModelConfig c;
  c.model = model;
  c.score = score;
  c.embed = 3;
  c.hidden = 2;
  c.decoder_hidden = score == std::string("general") && model != "seq2seq" ? 5 : 0;
  c.attention_hidden = 3;
  c.max_source_length = 5;
  c.src_vocab = 6;
  c.tgt_vocab = 7;
  return c;
}

Vocab vocab(std::size_t n) {
  Vocab v;
  for (std::size_t i = v.size(); i < n; ++i) v.add("t" + std::to_string(i));
  return v;
}

const Batch kBatch = make_batch({{4, 5, 4}, {5}}, {{4, 6}, {5, 5, 6}});

// Saves a model, then returns the directory; `fix` may damage it.
std::string saved(const TempDir& tmp, const ModelConfig& c) {
  auto m = make_model<float>(c);
  save_model(tmp / "ckpt", *m, vocab(c.src_vocab), vocab(c.tgt_vocab));
  return tmp / "ckpt";
}

}  // namespace

TEST_CASE(
    "model_io: save then load gives the same loss, outputs and attention, every variant and cell") {
  std::vector<ModelConfig> configs;
  for (const std::string& cell : cell_names())
    for (const std::string& name : decoder_names()) {
      if (decoder_variant(name).name != name) continue;  // another name for one already here
      for (const char* score : {"additive", "general", "location"}) {
        ModelConfig c = small(name, score);
        c.cell = cell;
        if (c.decoder_hidden) c.decoder_init = "zero";  // D != 2H
        configs.push_back(c);
        if (!decoder_variant(name).attends) break;
      }
    }
  for (const ModelConfig& c : configs) {
    INFO(model_label(c));
    TempDir tmp;
    auto m = make_model<float>(c);
    for (auto* p : m->parameters()) p->value += 0.01f;  // not just the seed's init
    save_model(tmp / "ckpt", *m, vocab(6), vocab(7), {{"note", "kept"}});
    LoadedModel<float> l = load_model<float>(tmp / "ckpt");
    CHECK(l.src_vocab.size() == 6);
    CHECK(l.tgt_vocab.token(6) == "t6");
    CHECK(l.config_json["note"] == "kept");
    Tape<float> t1, t2;
    CHECK(m->loss(t1, kBatch).item() == l.model->loss(t2, kBatch).item());
    const auto a = m->greedy(kBatch, 6), b = l.model->greedy(kBatch, 6);
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].tokens == b[i].tokens);
      CHECK(a[i].attention == b[i].attention);
    }
  }
}

TEST_CASE("model_io: a wrongly shaped parameter is refused naming the file and both shapes") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("attention", "additive"));
  save_npy(dir + "/decoder.out.bias.npy", xt::zeros<float>({9}));
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("decoder.out.bias.npy: shape [9]"),
                       CheckpointError);
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("needs [7]"), CheckpointError);
}

TEST_CASE("model_io: a parameter holding NaN or infinity is refused naming the file") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("attention", "additive"));
  Array<float> bias = xt::zeros<float>({7});
  bias(2) = std::numeric_limits<float>::quiet_NaN();
  bias(5) = -std::numeric_limits<float>::infinity();
  save_npy(dir + "/decoder.out.bias.npy", bias);
  CHECK_THROWS_WITH_AS(load_model<float>(dir),
                       doctest::Contains("decoder.out.bias.npy: 2 of 7 values are NaN or infinite"),
                       CheckpointError);
  // unless asked to load it anyway, to look at a broken model
  CHECK(std::isnan(load_model<float>(dir, true).model->out.bias.value(2)));
}

TEST_CASE("model_io: a model holding NaN or infinity is never saved, the checkpoint there stays") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("seq2seq", ""));
  const std::string before = read_bytes(fs::path(dir) / "decoder.out.weight.npy");
  auto m = make_model<float>(small("seq2seq", ""));
  m->out.weight.value(0, 1) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH_AS(save_model(dir, *m, vocab(6), vocab(7)),
                       doctest::Contains("not saved: parameter decoder.out.weight holds 1 of"),
                       CheckpointError);
  CHECK(read_bytes(fs::path(dir) / "decoder.out.weight.npy") == before);
  CHECK_THROWS_AS(save_model(tmp / "fresh", *m, vocab(6), vocab(7)), CheckpointError);
  CHECK(!fs::exists(tmp / "fresh"));
}

TEST_CASE("model_io: a FIFO, a device or a directory in place of a file is named as such") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("seq2seq", ""));
  // before: a FIFO was waited on forever, a directory called "missing"
  const std::string npy = dir + "/decoder.out.bias.npy";
  fs::remove(npy);
  fs::create_directory(npy);
  CHECK_THROWS_WITH_AS(load_model<float>(dir),
                       doctest::Contains("decoder.out.bias.npy: a directory, not a .npy file"),
                       CheckpointError);
  fs::remove(npy);
  REQUIRE(::mkfifo(npy.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(load_model<float>(dir),
                       doctest::Contains("decoder.out.bias.npy: not a regular file"),
                       CheckpointError);
  CHECK_THROWS_WITH_AS(load_npy("/dev/zero"), "/dev/zero: not a regular file, not a .npy file",
                       CheckpointError);
  fs::remove(dir + "/config.json");
  REQUIRE(::mkfifo((dir + "/config.json").c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("config.json: not a regular file"),
                       CheckpointError);
}

TEST_CASE("model_io: a missing parameter is refused naming its file") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("attention", "additive"));
  fs::remove(dir + "/encoder.lstm.weight_hh_l0_reverse.npy");
  CHECK_THROWS_WITH_AS(load_model<float>(dir),
                       doctest::Contains("encoder.lstm.weight_hh_l0_reverse.npy: missing"),
                       CheckpointError);
}

TEST_CASE("model_io: a parameter the model does not have is refused naming its file") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("seq2seq", ""));
  save_npy(dir + "/decoder.attention.linear.weight.npy", xt::zeros<float>({4, 4}));
  CHECK_THROWS_WITH_AS(load_model<float>(dir),
                       doctest::Contains("decoder.attention.linear.weight.npy: not a parameter"),
                       CheckpointError);
}

TEST_CASE("model_io: an unknown score in config.json is refused naming config.json") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("attention", "dot"));
  nlohmann::json j;
  std::ifstream(dir + "/config.json") >> j;
  j["score"] = "telepathy";
  std::ofstream(dir + "/config.json") << j.dump();
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("config.json"), CheckpointError);
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("unknown score 'telepathy'"),
                       CheckpointError);
}

TEST_CASE("model_io: an unknown model or cell in config.json is refused naming config.json") {
  for (auto [key, value] : {std::pair{"model", "transformer"}, {"cell", "rnn"}}) {
    INFO(key);
    TempDir tmp;
    const std::string dir = saved(tmp, small("attention", "dot"));
    nlohmann::json j;
    std::ifstream(dir + "/config.json") >> j;
    j[key] = value;
    std::ofstream(dir + "/config.json") << j.dump();
    CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("config.json: model config"),
                         CheckpointError);
    CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains(value), CheckpointError);
  }
}

TEST_CASE("model_io: a corrupt .npy header is refused naming the file") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("attention", "dot"));
  std::ofstream(dir + "/decoder.lstm.weight_ih.npy", std::ios::binary)
      << "\x93NUMPY\x01\x00garbage";
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("decoder.lstm.weight_ih.npy"),
                       CheckpointError);
}

TEST_CASE("model_io: a truncated .npy is refused naming the file") {
  TempDir tmp;
  const std::string dir = saved(tmp, small("attention", "dot"));
  const std::string f = dir + "/encoder.embedding.weight.npy";
  fs::resize_file(f, fs::file_size(f) - 4);
  CHECK_THROWS_WITH_AS(load_model<float>(dir), doctest::Contains("encoder.embedding.weight.npy"),
                       CheckpointError);
}

TEST_CASE("model_io: a missing checkpoint directory is refused naming it") {
  TempDir tmp;
  CHECK_THROWS_WITH_AS(load_model<float>(tmp / "nothing-here"), doctest::Contains("nothing-here"),
                       CheckpointError);
}

TEST_CASE("model_io: a double model saves as float32 and loads back into float") {
  TempDir tmp;
  auto m = make_model<double>(small("attention", "cosine"));
  save_model(tmp / "ckpt", *m, vocab(6), vocab(7));
  LoadedModel<float> l = load_model<float>(tmp / "ckpt");
  Tape<double> t1;
  Tape<float> t2;
  CHECK(l.model->loss(t2, kBatch).item() ==
        doctest::Approx(m->loss(t1, kBatch).item()).epsilon(1e-5));
}
