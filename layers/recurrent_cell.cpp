// A cell's parameters and input projection, and keep_rows.
#include "layers/recurrent_cell.hpp"

#include <cmath>

#include "layers/init.hpp"

namespace attnlab {

template <class T>
RecurrentCell<T>::RecurrentCell(const std::string& prefix, std::size_t input, std::size_t hidden,
                                std::size_t gates, Rng& rng, const std::string& suffix) {
  const double k = hidden ? 1.0 / std::sqrt(static_cast<double>(hidden)) : 0.0;
  const std::size_t G = gates * hidden;
  weight_ih = Parameter<T>(prefix + ".weight_ih" + suffix, uniform_init<T>({G, input}, k, rng));
  weight_hh = Parameter<T>(prefix + ".weight_hh" + suffix, uniform_init<T>({G, hidden}, k, rng));
  bias_ih = Parameter<T>(prefix + ".bias_ih" + suffix, uniform_init<T>({G}, k, rng));
  bias_hh = Parameter<T>(prefix + ".bias_hh" + suffix, uniform_init<T>({G}, k, rng));
}

template <class T>
Var<T> RecurrentCell<T>::project(Tape<T>& tape, const Var<T>& x) {
  return linear(x, tape.param(weight_ih), tape.param(bias_ih));
}

template <class T>
Var<T> keep_rows(const Mask& keep, const Var<T>& old, const Var<T>& fresh) {
  if (keep.dimension() == 0) return fresh;
  Mask k = keep;
  k.reshape({keep.size(), 1});
  return attnlab::where(k, old, fresh);
}

#define ATTNLAB_INSTANTIATE(T)     \
  template class RecurrentCell<T>; \
  template Var<T> keep_rows(const Mask&, const Var<T>&, const Var<T>&);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
