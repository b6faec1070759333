// location: e = (W_l s + b_l)[t'] (Luong's location-based score): the decoder
// state alone predicts a weight for each position up to Lmax.
#include <cmath>

#include "layers/init.hpp"
#include "models/score.hpp"

namespace attnlab {

template <class T>
class LocationScore : public ScoreFunction<T> {
 public:
  LocationScore(const std::string& prefix, const ScoreSizes& z, Rng& rng) {
    const double k = 1.0 / std::sqrt(static_cast<double>(z.decoder_hidden));
    W_ = Parameter<T>(prefix + ".location.weight",
                      uniform_init<T>({z.max_source_length, z.decoder_hidden}, k, rng));
    b_ = Parameter<T>(prefix + ".location.bias", uniform_init<T>({z.max_source_length}, k, rng));
  }
  void prepare(Tape<T>&, const Var<T>& h) override {
    Tx_ = h.size(1);
    if (Tx_ > W_.value.shape()[0])
      score_size_error("location",
                       "source length " + std::to_string(Tx_) +
                           " exceeds its maximum Lmax = " + std::to_string(W_.value.shape()[0]));
  }
  Var<T> score(Tape<T>& tape, const Var<T>& s) override {
    return slice(linear(s, tape.param(W_), tape.param(b_)), 1, 0, static_cast<long>(Tx_));
  }
  std::vector<Parameter<T>*> parameters() override { return {&W_, &b_}; }

 private:
  Parameter<T> W_, b_;  // [Lmax, D], [Lmax]
  std::size_t Tx_ = 0;
};

}  // namespace attnlab

ATTNLAB_REGISTER_SCORE(location, attnlab::LocationScore, attnlab::kNeedsMaxSourceLength)
