// Dense (nn.Linear): y = x W^T + b, or y = x W^T (nn.Linear(bias=False)).
#pragma once

#include <string>

#include "autograd/ops.hpp"

namespace attnlab {

template <class T>
class Dense {
 public:
  // Parameters "<prefix>.weight" [out, in] and "<prefix>.bias" [out], both
  // uniform in +-1/sqrt(in) as nn.Linear; no bias when !with_bias.
  Dense(const std::string& prefix, std::size_t in, std::size_t out, Rng& rng,
        bool with_bias = true);

  // x: [..., in] -> [..., out]
  Var<T> forward(Tape<T>& tape, const Var<T>& x) {
    return has_bias ? linear(x, tape.param(weight), tape.param(bias))
                    : linear(x, tape.param(weight));
  }
  std::vector<Parameter<T>*> parameters() {
    if (has_bias) return {&weight, &bias};
    return {&weight};
  }

  Parameter<T> weight, bias;
  bool has_bias = true;
};

}  // namespace attnlab
