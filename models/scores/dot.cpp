// dot: e = s . h (Luong's dot score). Needs D = 2H.
#include "models/score.hpp"

namespace attnlab {

template <class T>
class DotScore : public ScoreFunction<T> {
 public:
  DotScore(const std::string&, const ScoreSizes&, Rng&) {}
  void prepare(Tape<T>&, const Var<T>& h) override { h_ = h; }
  Var<T> score(Tape<T>&, const Var<T>& s) override { return dot_each(h_, s); }

 private:
  Var<T> h_;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(dot, attnlab::DotScore, attnlab::kNeedsDEquals2H)
