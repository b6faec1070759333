// Embedding: a table of learned vectors, one row per token id.
#pragma once

#include <string>

#include "autograd/ops.hpp"

namespace attnlab {

template <class T>
class Embedding {
 public:
  // Parameter "<prefix>.weight" [V, E], standard normal as nn.Embedding.
  Embedding(const std::string& prefix, std::size_t vocab, std::size_t dim, Rng& rng);

  // ids: [...] -> [..., E]
  Var<T> forward(Tape<T>& tape, const IndexArray& ids) {
    return embedding(tape.param(weight), ids);
  }
  std::vector<Parameter<T>*> parameters() { return {&weight}; }

  Parameter<T> weight;
};

}  // namespace attnlab
