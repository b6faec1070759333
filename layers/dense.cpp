// Dense's construction; its forward is the linear op.
#include "layers/dense.hpp"

#include <cmath>

#include "layers/init.hpp"

namespace attnlab {

template <class T>
Dense<T>::Dense(const std::string& prefix, std::size_t in, std::size_t out, Rng& rng,
                bool with_bias)
    : has_bias(with_bias) {
  const double bound = in ? 1.0 / std::sqrt(static_cast<double>(in)) : 0.0;
  weight = Parameter<T>(prefix + ".weight", uniform_init<T>({out, in}, bound, rng));
  if (has_bias) bias = Parameter<T>(prefix + ".bias", uniform_init<T>({out}, bound, rng));
}

template class Dense<float>;
template class Dense<double>;

}  // namespace attnlab
