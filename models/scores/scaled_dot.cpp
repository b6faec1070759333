// scaled_dot: e = s . h / sqrt(2H) (Vaswani et al.'s scaling). Needs D = 2H.
#include <cmath>

#include "models/score.hpp"

namespace attnlab {

template <class T>
class ScaledDotScore : public ScoreFunction<T> {
 public:
  ScaledDotScore(const std::string&, const ScoreSizes& z, Rng&)
      : scale_(T(1) / std::sqrt(static_cast<T>(z.encoder_output))) {}
  void prepare(Tape<T>&, const Var<T>& h) override { h_ = h; }
  Var<T> score(Tape<T>&, const Var<T>& s) override { return dot_each(h_, s) * scale_; }

 private:
  T scale_;
  Var<T> h_;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(scaled_dot, attnlab::ScaledDotScore, attnlab::kNeedsDEquals2H)
