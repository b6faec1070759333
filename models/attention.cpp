// Masking, softmax and mixing: the part every score function shares.
#include "models/attention.hpp"

#include <limits>
#include <stdexcept>

namespace attnlab {

template <class T>
Attention<T>::Attention(const std::string& score, const std::string& prefix,
                        const ScoreSizes& sizes, Rng& rng)
    : score_(make_score<T>(score, prefix, sizes, rng)) {}

template <class T>
void Attention<T>::prepare(Tape<T>& tape, const Var<T>& h, const Mask& pad) {
  if (h.dim() != 3 || pad.dimension() != 2 || pad.shape()[0] != h.size(0) ||
      pad.shape()[1] != h.size(1))
    throw std::invalid_argument("attention: encoder states " + shape_str(h.shape()) +
                                " and padding mask " + shape_str(pad.shape()) +
                                " do not fit (want [B, Tx, 2H] and [B, Tx])");
  h_ = h;
  pad_ = pad;
  score_->prepare(tape, h);
}

template <class T>
typename Attention<T>::Result Attention<T>::attend(Tape<T>& tape, const Var<T>& s) {
  const long B = static_cast<long>(h_.size(0)), Tx = static_cast<long>(h_.size(1));
  Var<T> e = score_->score(tape, s);
  if (e.dim() != 2 || e.size(0) != h_.size(0) || e.size(1) != h_.size(1))
    throw std::logic_error("attention: the score returned " + shape_str(e.shape()) +
                           ", want [B, Tx] = [" + std::to_string(B) + ", " + std::to_string(Tx) +
                           "]");
  // exp(-inf - max) is exactly 0, and every row keeps at least one real position
  Var<T> a = softmax(masked_fill(e, pad_, -std::numeric_limits<T>::infinity()), -1);
  Var<T> c = reshape(matmul(reshape(a, {B, 1, Tx}), h_), {B, static_cast<long>(h_.size(2))});
  return {c, a};
}

template class Attention<float>;
template class Attention<double>;

}  // namespace attnlab
