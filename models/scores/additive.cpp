// additive (alias concat): e = v . tanh(W_1 [s; h] + b_1) + b_2, Bahdanau's
// score. W_1 splits into its s and h columns, so the h part is computed once
// per batch and each step adds only W_1s s.
#include <cmath>

#include "layers/init.hpp"
#include "models/score.hpp"

namespace attnlab {

template <class T>
class AdditiveScore : public ScoreFunction<T> {
 public:
  AdditiveScore(const std::string& prefix, const ScoreSizes& z, Rng& rng) : D_(z.decoder_hidden) {
    const std::size_t A = z.attention_hidden, in = z.decoder_hidden + z.encoder_output;
    if (A == 0) score_size_error("additive", "needs an attention hidden size A > 0");
    const double k1 = 1.0 / std::sqrt(static_cast<double>(in));
    const double k2 = 1.0 / std::sqrt(static_cast<double>(A));
    W1_ = Parameter<T>(prefix + ".hidden.weight", uniform_init<T>({A, in}, k1, rng));
    b1_ = Parameter<T>(prefix + ".hidden.bias", uniform_init<T>({A}, k1, rng));
    v_ = Parameter<T>(prefix + ".out.weight", uniform_init<T>({1, A}, k2, rng));
    b2_ = Parameter<T>(prefix + ".out.bias", uniform_init<T>({1}, k2, rng));
  }
  void prepare(Tape<T>& tape, const Var<T>& h) override {
    Var<T> W1 = tape.param(W1_);
    const long D = static_cast<long>(D_);
    W1s_ = slice(W1, 1, 0, D);
    keys_ = linear(h, slice(W1, 1, D, static_cast<long>(W1.size(1))), tape.param(b1_));
  }
  Var<T> score(Tape<T>& tape, const Var<T>& s) override {
    const long B = static_cast<long>(s.size(0)), A = static_cast<long>(keys_.size(2));
    Var<T> q = reshape(linear(s, W1s_), {B, 1, A});                       // [B, 1, A]
    Var<T> e = linear(tanh(keys_ + q), tape.param(v_), tape.param(b2_));  // [B, Tx, 1]
    return reshape(e, {B, static_cast<long>(keys_.size(1))});
  }
  std::vector<Parameter<T>*> parameters() override { return {&W1_, &b1_, &v_, &b2_}; }

 private:
  std::size_t D_;
  Parameter<T> W1_, b1_, v_, b2_;  // [A, D+2H], [A], [1, A], [1]
  Var<T> W1s_, keys_;              // [A, D]; W_1h h + b_1 [B, Tx, A]
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(additive, attnlab::AdditiveScore)
ATTNLAB_REGISTER_SCORE_ALIAS(concat, attnlab::AdditiveScore)
