// cosine: e = (s . h) / (max(|s|, eps) max(|h|, eps)), eps = 1e-8. Norms are
// sqrt(max(|x|^2, eps^2)), which is the same value and keeps the gradient
// finite at x = 0 (padded encoder states are zero). Needs D = 2H.
#include "models/score.hpp"

namespace attnlab {

template <class T>
class CosineScore : public ScoreFunction<T> {
 public:
  CosineScore(const std::string&, const ScoreSizes&, Rng&) {}
  void prepare(Tape<T>&, const Var<T>& h) override {
    h_ = h;
    h_norm_ = norm(h, -1, false);  // [B, Tx]
  }
  Var<T> score(Tape<T>&, const Var<T>& s) override {
    return dot_each(h_, s) / (h_norm_ * norm(s, -1, true));  // [B, Tx] / ([B, Tx] * [B, 1])
  }

 private:
  static Var<T> norm(const Var<T>& x, int axis, bool keepdims) {
    return sqrt(clamp_min(sum(x * x, axis, keepdims), T(1e-16)));
  }
  Var<T> h_, h_norm_;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(cosine, attnlab::CosineScore, attnlab::kNeedsDEquals2H)
