// general: e = s . (W_a h) (Luong's general score); W_a h is computed once
// per batch for every source position.
#include <cmath>

#include "layers/init.hpp"
#include "models/score.hpp"

namespace attnlab {

template <class T>
class GeneralScore : public ScoreFunction<T> {
 public:
  GeneralScore(const std::string& prefix, const ScoreSizes& z, Rng& rng)
      : W_(prefix + ".linear.weight",
           uniform_init<T>({z.decoder_hidden, z.encoder_output},
                           1.0 / std::sqrt(static_cast<double>(z.encoder_output)), rng)) {}
  void prepare(Tape<T>& tape, const Var<T>& h) override {
    keys_ = linear(h, tape.param(W_));  // [B, Tx, D]
  }
  Var<T> score(Tape<T>&, const Var<T>& s) override { return dot_each(keys_, s); }
  std::vector<Parameter<T>*> parameters() override { return {&W_}; }

 private:
  Parameter<T> W_;  // [D, 2H]
  Var<T> keys_;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(general, attnlab::GeneralScore, attnlab::kNoNeeds)
