// Weight initialisation as PyTorch does by default, from an explicit Rng.
#pragma once

#include "autograd/ops.hpp"

namespace attnlab {

// Uniform in [-bound, bound): nn.Linear and nn.LSTM use bound = 1/sqrt(fan).
template <class T>
Array<T> uniform_init(const Shape& shape, double bound, Rng& rng);
// Standard normal: nn.Embedding's default.
template <class T>
Array<T> normal_init(const Shape& shape, Rng& rng);

}  // namespace attnlab
