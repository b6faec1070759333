// dot: e = s . h (Luong's dot score). Needs D = 2H.
#include "models/score.hpp"

namespace attnlab {

template <class T>
class DotScore : public ScoreFunction<T> {
 public:
  DotScore(const std::string&, const ScoreSizes& z, Rng&) {
    if (z.decoder_hidden != z.encoder_output)
      score_size_error(
          "dot", "needs the decoder state size D = " + std::to_string(z.decoder_hidden) +
                     " to equal the encoder output size 2H = " + std::to_string(z.encoder_output));
  }
  void prepare(Tape<T>&, const Var<T>& h) override { h_ = h; }
  Var<T> score(Tape<T>&, const Var<T>& s) override { return dot_each(h_, s); }

 private:
  Var<T> h_;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(dot, attnlab::DotScore)
