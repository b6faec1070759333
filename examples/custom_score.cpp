// Adding a score function attnlab does not ship, then training with it.
//
// The score below is Graves' (2014) content-based addressing: the cosine of
// s and h, sharpened by a learned strength beta = exp(w) > 0. The whole
// extension is the class and the ATTNLAB_REGISTER_SCORE line, which also
// declares what the score needs (D = 2H: it multiplies s with h; a model of
// other sizes is refused when it is built); from then on "sharp_cosine" is a
// score name like "dot" or "additive".
//
//   custom_score [--steps N] [--score NAME]
#include <attnlab.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "reverse_task.hpp"

namespace attnlab {

// e = exp(w) * (s . h) / (max(|s|, eps) max(|h|, eps)).
template <class T>
class SharpCosineScore : public ScoreFunction<T> {
 public:
  SharpCosineScore(const std::string& prefix, const ScoreSizes&, Rng&)
      : w_(prefix + ".strength", xt::zeros<T>({1})) {}  // beta starts at 1
  void prepare(Tape<T>&, const Var<T>& h) override { h_ = h, h_norm_ = norm(h, false); }
  Var<T> score(Tape<T>& tape, const Var<T>& s) override {
    Var<T> cosine = dot_each(h_, s) / (h_norm_ * norm(s, true));  // [B, Tx]
    return cosine * exp(tape.param(w_));                          // beta broadcasts
  }
  std::vector<Parameter<T>*> parameters() override { return {&w_}; }

 private:
  static Var<T> norm(const Var<T>& x, bool keep) {
    return sqrt(clamp_min(sum(x * x, -1, keep), T(1e-16)));
  }
  Parameter<T> w_;
  Var<T> h_, h_norm_;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(sharp_cosine, attnlab::SharpCosineScore, attnlab::kNeedsDEquals2H)

// ---- training it on a small task: reverse a sequence of symbols ----

using namespace attnlab;

int main(int argc, char** argv) {
  const examples::Options opt = examples::parse(argc, argv, "custom_score", "--score");
  const int steps = opt.steps;
  const std::string score = opt.value.empty() ? "sharp_cosine" : opt.value;
  ModelConfig c;
  c.score = score;
  c.embed = 16;
  c.hidden = 32;  // D defaults to 2H = 64, which a cosine score needs
  c.src_vocab = c.tgt_vocab = 12;
  std::unique_ptr<EncoderDecoder<float>> model;
  try {
    model = make_model<float>(c);
  } catch (const std::exception& e) {
    examples::usage("custom_score", "--score", e.what());
  }
  Rng rng(7);
  std::vector<std::vector<Index>> train_x, train_y, test_x, test_y;
  examples::make_reverse_pairs(rng, 2000, train_x, train_y);
  examples::make_reverse_pairs(rng, 200, test_x, test_y);
  std::printf("training an attention model with score '%s' to reverse sequences\n", score.c_str());
  examples::train(*model, train_x, train_y, steps);
  std::printf("exact-sequence accuracy on %zu held-out sequences: %.1f%%\n", test_x.size(),
              100.0 * examples::exact_accuracy(*model, test_x, test_y));
  for (Parameter<float>* p : model->parameters())
    if (p->name == "decoder.attention.strength")
      std::printf("learned sharpness beta = %.3f\n", std::exp(p->value(0)));
  return 0;
}
