// Luong's attention layer (Luong, Pham & Manning 2015), what the luong
// variant's step is made of, for variants built on it
// (examples/custom_decoder.cpp): the decoder's new state s_t attends over the
// encoder states, and the attentional state h~_t = tanh(W_c [context_t; s_t])
// is what the output layer reads.
#pragma once

#include <vector>

#include "layers/dense.hpp"
#include "models/attention.hpp"
#include "models/encoder_decoder.hpp"

namespace attnlab {

template <class T>
class LuongAttention {
 public:
  // Parameters "decoder.attention.*" (config.score's) and
  // "decoder.combine.weight" (W_c), drawn from rng in that order.
  LuongAttention(const ModelConfig& c, Rng& rng);

  // Once per batch, before the first step: the encoder states to attend over.
  void prepare(Tape<T>& tape, const Encoded<T>& enc);

  struct Result {
    Var<T> output;   // h~_t [B, D]
    Var<T> weights;  // [B, Tx], zero at padded positions
  };
  // s_t: [B, D] -> h~_t [B, D], weights [B, Tx]
  Result forward(Tape<T>& tape, const Var<T>& s);

  // The score's parameters, then W_c.
  std::vector<Parameter<T>*> parameters();

  Attention<T> attention;  // decoder.attention
  Dense<T> combine;        // decoder.combine: W_c, (D, 2H + D), no bias
};

}  // namespace attnlab
