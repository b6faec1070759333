// Embedding's construction; its forward is the embedding op.
#include "layers/embedding.hpp"

#include "layers/init.hpp"

namespace attnlab {

template <class T>
Embedding<T>::Embedding(const std::string& prefix, std::size_t vocab, std::size_t dim, Rng& rng)
    : weight(prefix + ".weight", normal_init<T>({vocab, dim}, rng)) {}

template class Embedding<float>;
template class Embedding<double>;

}  // namespace attnlab
