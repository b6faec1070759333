// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.
#pragma once

#include <vector>

#include "autograd/tape.hpp"

namespace attnlab {

// total = sqrt(sum of every gradient element squared), over the parameters
// that require a gradient, accumulated in double. When max_norm > 0 and
// total > max_norm, every gradient is scaled by max_norm / (total + 1e-6).
// max_norm 0 turns clipping off; a non-finite total is returned unscaled
// (the caller reports it). Returns total, as it was before any scaling.
// A negative or NaN max_norm throws std::invalid_argument naming --clip.
template <class T>
double clip_grad_norm(const std::vector<Parameter<T>*>& params, double max_norm);

}  // namespace attnlab
