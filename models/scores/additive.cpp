// additive (alias concat): e = v . tanh(W_1 [s; h] + b_1) + b_2, Bahdanau's
// score. W_1 splits into its s and h columns, so the h part is computed once
// per batch and each step adds only W_1s s.
#include <cmath>

#include "autograd/fast_math.hpp"
#include "layers/init.hpp"
#include "models/score.hpp"

namespace attnlab {

namespace {

// The score's per-step work as one op, for keys [B, Tx, A], q [B, A], v [1, A], b2 [1]:
//   e[b, t] = sum_a v[a] tanh(keys[b, t, a] + q[b, a]) + b2          -> [B, Tx]
//   z = de v (1 - tanh^2):  dkeys += z, dq += sum_t z, dv += sum_bt de tanh, db2 += sum de
// Composed from add, tanh and linear it stored three [B, Tx, A] arrays and
// walked them seven times; it was the largest part of an attention step.
template <class T>
Var<T> additive_energy(const Var<T>& keys, const Var<T>& q, const Var<T>& v, const Var<T>& b2) {
  const std::size_t B = keys.size(0), Tx = keys.size(1), A = keys.size(2);
  Array<T> th = Array<T>::from_shape({B, Tx, A});
  Array<T> e = Array<T>::from_shape({B, Tx});
  const T *k = keys.value().data(), *vv = v.value().data();
  for (std::size_t b = 0; b < B; ++b) {
    const T* qb = q.value().data() + b * A;
    for (std::size_t t = 0; t < Tx; ++t) {
      const std::size_t row = (b * Tx + t) * A;
      T* h = th.data() + row;
      for (std::size_t a = 0; a < A; ++a) h[a] = detail::fast_tanh(k[row + a] + qb[a]);
      T part[8] = {};  // eight running sums, so the dot product runs in SIMD lanes
      std::size_t a = 0;
      for (; a + 8 <= A; a += 8)
        for (std::size_t j = 0; j < 8; ++j) part[j] += vv[a + j] * h[a + j];
      T sum = b2.value()(0);
      for (; a < A; ++a) sum += vv[a] * h[a];
      for (std::size_t j = 0; j < 8; ++j) sum += part[j];
      e(b, t) = sum;
    }
  }
  return detail::record<T>("additive_energy", std::move(e), {keys, q, v, b2},
                           [th = std::move(th), B, Tx, A](detail::Node<T>& y) {
                             auto buffer = [](detail::Node<T>& n) {
                               return n.requires_grad ? n.grad_buffer().data() : nullptr;
                             };
                             T *dk = buffer(*y.inputs[0]), *dq = buffer(*y.inputs[1]);
                             T *dv = buffer(*y.inputs[2]), *db2 = buffer(*y.inputs[3]);
                             const T* vv = y.inputs[2]->value().data();
                             for (std::size_t b = 0; b < B; ++b)
                               for (std::size_t t = 0; t < Tx; ++t) {
                                 const T g = y.grad()(b, t);
                                 const std::size_t row = (b * Tx + t) * A;
                                 const T* h = th.data() + row;
                                 if (db2) *db2 += g;
                                 if (dv)
                                   for (std::size_t a = 0; a < A; ++a) dv[a] += g * h[a];
                                 for (std::size_t a = 0; a < A; ++a) {
                                   const T z = g * vv[a] * (T(1) - h[a] * h[a]);
                                   if (dk) dk[row + a] += z;
                                   if (dq) dq[b * A + a] += z;
                                 }
                               }
                           });
}

}  // namespace

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
    return additive_energy(keys_, linear(s, W1s_), tape.param(v_), tape.param(b2_));
  }
  std::vector<Parameter<T>*> parameters() override { return {&W1_, &b1_, &v_, &b2_}; }

 private:
  std::size_t D_;
  Parameter<T> W1_, b1_, v_, b2_;  // [A, D+2H], [A], [1, A], [1]
  Var<T> W1s_, keys_;              // [A, D]; W_1h h + b_1 [B, Tx, A]
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(additive, attnlab::AdditiveScore, attnlab::kNoNeeds)
ATTNLAB_REGISTER_SCORE_ALIAS(concat, attnlab::AdditiveScore, attnlab::kNoNeeds)
