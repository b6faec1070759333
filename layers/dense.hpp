// Dense (nn.Linear): y = x W^T + b.
#pragma once

#include <string>

#include "autograd/ops.hpp"

namespace attnlab {

template <class T>
class Dense {
 public:
  // Parameters "<prefix>.weight" [out, in] and "<prefix>.bias" [out], both
  // uniform in +-1/sqrt(in) as nn.Linear.
  Dense(const std::string& prefix, std::size_t in, std::size_t out, Rng& rng);

  // x: [..., in] -> [..., out]
  Var<T> forward(Tape<T>& tape, const Var<T>& x) {
    return linear(x, tape.param(weight), tape.param(bias));
  }
  std::vector<Parameter<T>*> parameters() { return {&weight, &bias}; }

  Parameter<T> weight, bias;
};

}  // namespace attnlab
