// Draws in row-major order, so a seed fixes every weight.
#include "layers/init.hpp"

namespace attnlab {

template <class T>
Array<T> uniform_init(const Shape& shape, double bound, Rng& rng) {
  std::uniform_real_distribution<double> u(-bound, bound);
  Array<T> a = Array<T>::from_shape(shape);
  for (T& v : a) v = static_cast<T>(u(rng));
  return a;
}

template <class T>
Array<T> normal_init(const Shape& shape, Rng& rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  Array<T> a = Array<T>::from_shape(shape);
  for (T& v : a) v = static_cast<T>(n(rng));
  return a;
}

template Array<float> uniform_init(const Shape&, double, Rng&);
template Array<double> uniform_init(const Shape&, double, Rng&);
template Array<float> normal_init(const Shape&, Rng&);
template Array<double> normal_init(const Shape&, Rng&);

}  // namespace attnlab
