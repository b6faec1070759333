// Writes what the PyTorch cross-check compares against: a checkpoint of a
// small model, a padded batch, and attnlab's loss, gradients, greedy outputs
// and attention weights on it.
//   crosscheck_export MODEL CELL SCORE DECODER_INIT OUT_DIR
#include <attnlab.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

using namespace attnlab;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: crosscheck_export MODEL CELL SCORE DECODER_INIT OUT_DIR\n";
    return 2;
  }
  const std::string model = argv[1], score = argv[3], out = argv[5];
  ModelConfig c;
  c.model = model;
  c.cell = argv[2];
  c.score = score;
  c.decoder_init = argv[4];
  c.embed = 4;
  c.hidden = 3;
  // D != 2H wherever the model allows it, so layouts cannot hide behind equal sizes
  const bool square =
      !attends(c) || c.decoder_init == "encoder" || (score_needs(score) & kNeedsDEquals2H) != 0;
  c.decoder_hidden = square ? 6 : 5;
  c.attention_hidden = 4;
  c.max_source_length = 7;
  Vocab src, tgt;
  for (const char* t : {"a", "b", "c", "d", "e"}) src.add(t);
  for (const char* t : {"v", "w", "x", "y", "z", "q"}) tgt.add(t);
  c.src_vocab = src.size();
  c.tgt_vocab = tgt.size();
  c.seed = 11;
  try {
    auto m = make_model<float>(c);
    // Larger weights than the default init, so attention is not near-uniform
    // and greedy outputs differ between positions.
    Rng rng(5);
    std::normal_distribution<float> n(0.0f, 0.6f);
    for (Parameter<float>* p : m->parameters())
      for (float& v : p->value) v = n(rng);

    const std::vector<std::vector<Index>> xs{{4, 5, 6, 7, 8}, {5, 6}, {8, 7, 6, 4}, {4}};
    const std::vector<std::vector<Index>> ys{{5, 6, 7}, {8}, {4, 4, 5, 6, 9}, {6, 5}};
    const Batch b = make_batch(xs, ys);
    const std::size_t max_len = 8;
    // A little training, so greedy outputs are sentences rather than noise.
    Adam<float> opt(m->parameters(), 0.03);
    for (int i = 0; i < 25; ++i) {
      Tape<float> t;
      opt.zero_grad();
      backward(m->loss(t, b));
      opt.step();
    }
    opt.zero_grad();
    fs::create_directories(out + "/grads");
    save_model(out + "/checkpoint", *m, src, tgt);

    Tape<float> tape;
    Var<float> loss = m->loss(tape, b);
    backward(loss);
    for (Parameter<float>* p : m->parameters())
      save_npy(out + "/grads/" + p->name + ".npy", p->grad);

    nlohmann::json j;
    j["src"] = xs;
    j["tgt"] = ys;
    j["max_len"] = max_len;
    j["loss"] = loss.item();
    for (const Hypothesis& h : m->greedy(b, max_len)) {
      nlohmann::json g;
      g["tokens"] = h.tokens;
      g["finished"] = h.finished;
      g["attention"] = nlohmann::json::array();
      for (std::size_t r = 0; h.attention.dimension() == 2 && r < h.attention.shape()[0]; ++r) {
        std::vector<float> row(&h.attention(r, 0), &h.attention(r, 0) + h.attention.shape()[1]);
        g["attention"].push_back(row);
      }
      j["greedy"].push_back(g);
    }
    std::ofstream(out + "/expected.json") << j.dump(1) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "crosscheck_export: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
