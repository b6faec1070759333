// Reductions over an axis or the whole value, the softmax family, and the
// cross-entropy loss.
#include <cmath>
#include <limits>

#include "autograd/fast_math.hpp"
#include "autograd/ops_detail.hpp"

namespace attnlab {

namespace {

// x's shape with `axis` kept as size 1: the shape of a keepdims reduction.
template <class S>
Shape kept_shape(const S& s, std::size_t axis) {
  Shape k(s.begin(), s.end());
  k[axis] = 1;
  return k;
}

template <class T>
std::size_t nonempty_axis(const char* op, const Var<T>& x, int axis) {
  const std::size_t ax = detail::normalize_axis(op, axis, x.dim());
  if (x.shape()[ax] == 0)
    detail::shape_error(
        op, "axis " + std::to_string(axis) + " of " + shape_str(x.shape()) + " is empty");
  return ax;
}

}  // namespace

template <class T>
Var<T> sum(const Var<T>& x) {
  Array<T> y = xt::sum(x.value(), xt::evaluation_strategy::immediate);
  return detail::record<T>("sum", std::move(y), {x}, [](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    x.accumulate(Array<T>(xt::broadcast(y.grad(), x.value().shape())));
  });
}

template <class T>
Var<T> sum(const Var<T>& x, int axis, bool keepdims) {
  const std::size_t ax = detail::normalize_axis("sum", axis, x.dim());
  Array<T> y = xt::sum(x.value(), {ax}, xt::evaluation_strategy::immediate);
  const Shape kept = kept_shape(x.shape(), ax);
  if (keepdims) y.reshape(kept);
  return detail::record<T>("sum", std::move(y), {x}, [kept](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    Array<T> dy = y.grad();
    dy.reshape(kept);
    x.accumulate(Array<T>(xt::broadcast(dy, x.value().shape())));
  });
}

template <class T>
Var<T> mean(const Var<T>& x) {
  if (x.value().size() == 0) detail::shape_error("mean", "the value is empty");
  return sum(x) * (T(1) / static_cast<T>(x.value().size()));
}

template <class T>
Var<T> mean(const Var<T>& x, int axis, bool keepdims) {
  const std::size_t ax = nonempty_axis("mean", x, axis);
  return sum(x, axis, keepdims) * (T(1) / static_cast<T>(x.shape()[ax]));
}

template <class T>
Var<T> softmax(const Var<T>& x, int axis) {
  const std::size_t ax = nonempty_axis("softmax", x, axis);
  Array<T> m = xt::amax(x.value(), {ax}, xt::keep_dims | xt::evaluation_strategy::immediate);
  Array<T> e = xt::exp(x.value() - m);
  Array<T> s = xt::sum(e, {ax}, xt::keep_dims | xt::evaluation_strategy::immediate);
  Array<T> y = e / s;
  return detail::record<T>("softmax", std::move(y), {x}, [ax](Node<T>& y) {
    const Array<T>& v = y.value();
    Array<T> dyy = y.grad() * v;
    Array<T> s = xt::sum(dyy, {ax}, xt::keep_dims | xt::evaluation_strategy::immediate);
    y.inputs[0]->accumulate(Array<T>(dyy - v * s));
  });
}

template <class T>
Var<T> log_softmax(const Var<T>& x, int axis) {
  const std::size_t ax = nonempty_axis("log_softmax", x, axis);
  Array<T> m = xt::amax(x.value(), {ax}, xt::keep_dims | xt::evaluation_strategy::immediate);
  Array<T> z = x.value() - m;
  Array<T> lse =
      xt::log(xt::sum(xt::exp(z), {ax}, xt::keep_dims | xt::evaluation_strategy::immediate));
  Array<T> y = z - lse;
  return detail::record<T>("log_softmax", std::move(y), {x}, [ax](Node<T>& y) {
    Array<T> s = xt::sum(y.grad(), {ax}, xt::keep_dims | xt::evaluation_strategy::immediate);
    y.inputs[0]->accumulate(Array<T>(y.grad() - xt::exp(y.value()) * s));
  });
}

template <class T>
Var<T> cross_entropy(const Var<T>& logits, const IndexArray& targets, Index ignore_index) {
  const auto& ls = logits.shape();
  if (ls.empty() || targets.dimension() + 1 != ls.size() ||
      !std::equal(targets.shape().begin(), targets.shape().end(), ls.begin()))
    detail::shape_error("cross_entropy", "logits " + shape_str(ls) + " and targets " +
                                             shape_str(targets.shape()) +
                                             " do not match (want [..., V] and [...])");
  const std::size_t V = ls.back();
  const std::size_t rows = targets.size();
  const T* x = logits.value().data();
  std::size_t count = 0;
  double total = 0.0;        // summed in double so long batches keep float precision
  std::vector<T> lse(rows);  // each row's log-sum-exp, for backward
  std::vector<T> e(V);
  for (std::size_t i = 0; i < rows; ++i) {
    const Index t = targets.data()[i];
    if (t == ignore_index) continue;
    if (t < 0 || static_cast<std::size_t>(t) >= V)
      throw std::invalid_argument("cross_entropy: target " + std::to_string(t) + " at position " +
                                  std::to_string(i) + " is outside [0, " + std::to_string(V) + ")");
    const T* r = x + i * V;
    const T m = *std::max_element(r, r + V);
    for (std::size_t j = 0; j < V; ++j) e[j] = detail::fast_exp(r[j] - m);
    double part[8] = {};  // eight running sums, so the sum runs in SIMD lanes
    std::size_t j = 0;
    for (; j + 8 <= V; j += 8)
      for (std::size_t k = 0; k < 8; ++k) part[k] += e[j + k];
    double s = 0.0;
    for (; j < V; ++j) s += e[j];
    for (double p : part) s += p;
    lse[i] = static_cast<T>(std::log(s) + m);
    total += std::log(s) + m - r[t];
    ++count;
  }
  Array<T> y = xt::zeros<T>(Shape{});
  y() = count ? static_cast<T>(total / count) : T(0);
  return detail::record<T>(
      "cross_entropy", std::move(y), {logits},
      [targets, ignore_index, count, V, rows, lse = std::move(lse)](Node<T>& y) {
        if (count == 0) return;
        Node<T>& l = *y.inputs[0];
        const T g = y.grad()() / static_cast<T>(count);
        const T* x = l.value().data();
        T* dx = l.grad_buffer().data();
        for (std::size_t i = 0; i < rows; ++i) {  // d logits = g (softmax - onehot)
          const Index t = targets.data()[i];
          if (t == ignore_index) continue;
          const T* r = x + i * V;
          T* d = dx + i * V;
          for (std::size_t j = 0; j < V; ++j) d[j] += g * detail::fast_exp(r[j] - lse[i]);
          d[t] -= g;
        }
      });
}

#define ATTNLAB_INSTANTIATE(T)                     \
  template Var<T> sum(const Var<T>&);              \
  template Var<T> sum(const Var<T>&, int, bool);   \
  template Var<T> mean(const Var<T>&);             \
  template Var<T> mean(const Var<T>&, int, bool);  \
  template Var<T> softmax(const Var<T>&, int);     \
  template Var<T> log_softmax(const Var<T>&, int); \
  template Var<T> cross_entropy(const Var<T>&, const IndexArray&, Index);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
