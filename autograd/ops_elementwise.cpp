// Elementwise ops: arithmetic with broadcasting, nonlinearities, selection
// by mask, and dropout.
#include <cmath>

#include "autograd/fast_math.hpp"
#include "autograd/ops_detail.hpp"

namespace attnlab {

template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b) {
  detail::broadcast_shapes("add", a.shape(), b.shape());
  return detail::record<T>("add", Array<T>(a.value() + b.value()), {a, b}, [](Node<T>& y) {
    y.inputs[0]->accumulate(y.grad());
    y.inputs[1]->accumulate(y.grad());
  });
}

template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b) {
  detail::broadcast_shapes("mul", a.shape(), b.shape());
  return detail::record<T>("mul", Array<T>(a.value() * b.value()), {a, b}, [](Node<T>& y) {
    Node<T>& a = *y.inputs[0];
    Node<T>& b = *y.inputs[1];
    if (a.requires_grad) a.accumulate(Array<T>(y.grad() * b.value()));
    if (b.requires_grad) b.accumulate(Array<T>(y.grad() * a.value()));
  });
}

template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b) {
  detail::broadcast_shapes("sub", a.shape(), b.shape());
  return add(a, neg(b));
}

template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b) {
  detail::broadcast_shapes("div", a.shape(), b.shape());
  return mul(a, pow(b, T(-1)));
}

template <class T>
Var<T> affine(const Var<T>& x, Scalar<T> s, Scalar<T> c) {
  return detail::record<T>("affine", Array<T>(s * x.value() + c), {x},
                           [s](Node<T>& y) { y.inputs[0]->accumulate(Array<T>(s * y.grad())); });
}

template <class T>
Var<T> neg(const Var<T>& x) {
  return affine(x, T(-1), T(0));
}

template <class T>
Var<T> pow(const Var<T>& x, Scalar<T> p) {
  return detail::record<T>("pow", Array<T>(xt::pow(x.value(), p)), {x}, [p](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    x.accumulate(Array<T>(p * xt::pow(x.value(), p - T(1)) * y.grad()));
  });
}

template <class T>
Var<T> sqrt(const Var<T>& x) {
  return pow(x, T(0.5));
}

template <class T>
Var<T> tanh(const Var<T>& x) {
  Array<T> v = Array<T>::from_shape(x.shape());
  const T* xp = x.value().data();
  T* vp = v.data();
  for (std::size_t k = 0; k < v.size(); ++k) vp[k] = detail::fast_tanh(xp[k]);
  return detail::record<T>("tanh", std::move(v), {x}, [](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>((T(1) - y.value() * y.value()) * y.grad()));
  });
}

template <class T>
Var<T> sigmoid(const Var<T>& x) {
  Array<T> v = T(1) / (T(1) + xt::exp(-x.value()));
  return detail::record<T>("sigmoid", std::move(v), {x}, [](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>(y.value() * (T(1) - y.value()) * y.grad()));
  });
}

template <class T>
Var<T> relu(const Var<T>& x) {
  return detail::record<T>("relu", Array<T>(xt::maximum(x.value(), T(0))), {x}, [](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    x.accumulate(Array<T>(xt::where(x.value() > T(0), y.grad(), T(0))));
  });
}

template <class T>
Var<T> clamp_min(const Var<T>& x, Scalar<T> lo) {
  Array<T> v = xt::maximum(x.value(), lo);
  return detail::record<T>("clamp_min", std::move(v), {x}, [lo](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    x.accumulate(Array<T>(xt::where(x.value() > lo, y.grad(), T(0))));
  });
}

template <class T>
Var<T> exp(const Var<T>& x) {
  return detail::record<T>("exp", Array<T>(xt::exp(x.value())), {x}, [](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>(y.value() * y.grad()));
  });
}

template <class T>
Var<T> log(const Var<T>& x) {
  return detail::record<T>("log", Array<T>(xt::log(x.value())), {x}, [](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>(y.grad() / y.inputs[0]->value()));
  });
}

template <class T>
Var<T> masked_fill(const Var<T>& x, const Mask& mask, Scalar<T> value) {
  const Shape s = detail::broadcast_shapes("masked_fill", x.shape(), mask.shape());
  if (!std::equal(s.begin(), s.end(), x.shape().begin(), x.shape().end()))
    detail::shape_error("masked_fill", "mask " + shape_str(mask.shape()) +
                                           " is larger than the value " + shape_str(x.shape()));
  Array<T> v = xt::where(mask, value, x.value());
  return detail::record<T>("masked_fill", std::move(v), {x}, [mask](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>(xt::where(mask, T(0), y.grad())));
  });
}

template <class T>
Var<T> where(const Mask& cond, const Var<T>& a, const Var<T>& b) {
  detail::broadcast_shapes("where", cond.shape(),
                           detail::broadcast_shapes("where", a.shape(), b.shape()));
  Array<T> v = xt::where(cond, a.value(), b.value());
  return detail::record<T>("where", std::move(v), {a, b}, [cond](Node<T>& y) {
    Node<T>& a = *y.inputs[0];
    Node<T>& b = *y.inputs[1];
    if (a.requires_grad) a.accumulate(Array<T>(xt::where(cond, y.grad(), T(0))));
    if (b.requires_grad) b.accumulate(Array<T>(xt::where(cond, T(0), y.grad())));
  });
}

template <class T>
Var<T> dropout(const Var<T>& x, double p, Rng& rng, bool training) {
  if (!(p >= 0.0 && p < 1.0))
    throw std::invalid_argument("dropout: probability " + std::to_string(p) + " is outside [0, 1)");
  if (p == 0.0 || !training) return x;
  std::bernoulli_distribution keep(1.0 - p);
  const T scale = T(1.0 / (1.0 - p));
  Array<T> m = Array<T>::from_shape(x.shape());
  for (T& e : m) e = keep(rng) ? scale : T(0);
  Array<T> v = x.value() * m;
  return detail::record<T>("dropout", std::move(v), {x}, [m = std::move(m)](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>(y.grad() * m));
  });
}

#define ATTNLAB_INSTANTIATE(T)                                        \
  template Var<T> add(const Var<T>&, const Var<T>&);                  \
  template Var<T> mul(const Var<T>&, const Var<T>&);                  \
  template Var<T> sub(const Var<T>&, const Var<T>&);                  \
  template Var<T> div(const Var<T>&, const Var<T>&);                  \
  template Var<T> affine(const Var<T>&, Scalar<T>, Scalar<T>);        \
  template Var<T> neg(const Var<T>&);                                 \
  template Var<T> pow(const Var<T>&, Scalar<T>);                      \
  template Var<T> sqrt(const Var<T>&);                                \
  template Var<T> tanh(const Var<T>&);                                \
  template Var<T> sigmoid(const Var<T>&);                             \
  template Var<T> relu(const Var<T>&);                                \
  template Var<T> clamp_min(const Var<T>&, Scalar<T>);                \
  template Var<T> exp(const Var<T>&);                                 \
  template Var<T> log(const Var<T>&);                                 \
  template Var<T> masked_fill(const Var<T>&, const Mask&, Scalar<T>); \
  template Var<T> where(const Mask&, const Var<T>&, const Var<T>&);   \
  template Var<T> dropout(const Var<T>&, double, Rng&, bool);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
