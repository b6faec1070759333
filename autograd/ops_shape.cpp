// Ops that move values without arithmetic: reshape, transpose/permute,
// concat, slice/split, and embedding lookup.
#include <algorithm>
#include <cstring>
#include <numeric>

#include "autograd/ops_detail.hpp"

namespace attnlab {

template <class T>
Var<T> reshape(const Var<T>& x, const std::vector<long>& shape) {
  const std::size_t n = x.value().size();
  Shape s(shape.size());
  std::size_t known = 1;
  int infer = -1;
  bool bad = false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && infer < 0) {
      infer = static_cast<int>(i);
    } else if (shape[i] < 0) {
      bad = true;
    } else {
      s[i] = static_cast<std::size_t>(shape[i]);
      known *= s[i];
    }
  }
  if (infer >= 0 && known != 0 && n % known == 0) s[infer] = n / known;
  if (bad || (infer >= 0 ? known == 0 || n % known != 0 : known != n))
    detail::shape_error("reshape", "cannot lay out " + shape_str(x.shape()) + " (" +
                                       std::to_string(n) + " elements) as " + shape_str(shape));
  Array<T> y = x.value();
  y.reshape(s);
  return detail::record<T>("reshape", std::move(y), {x}, [](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    Array<T> dx = y.grad();
    dx.reshape(x.value().shape());
    x.accumulate(std::move(dx));
  });
}

template <class T>
Var<T> permute(const Var<T>& x, const std::vector<std::size_t>& perm) {
  std::vector<std::size_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::size_t> iota(x.dim());
  std::iota(iota.begin(), iota.end(), 0);
  if (sorted != iota)
    detail::shape_error("permute", shape_str(perm) + " is not a permutation of the axes of " +
                                       shape_str(x.shape()));
  std::vector<std::size_t> inverse(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = i;
  Array<T> y = xt::transpose(x.value(), perm);
  return detail::record<T>("permute", std::move(y), {x}, [inverse](Node<T>& y) {
    y.inputs[0]->accumulate(Array<T>(xt::transpose(y.grad(), inverse)));
  });
}

template <class T>
Var<T> transpose(const Var<T>& x) {
  if (x.dim() != 2)
    detail::shape_error("transpose", "wants a 2-D value, got " + shape_str(x.shape()));
  return permute(x, {1, 0});
}

template <class T>
Var<T> concat(const std::vector<Var<T>>& xs, int axis) {
  if (xs.empty()) detail::shape_error("concat", "no operands");
  const std::size_t ax = detail::normalize_axis("concat", axis, xs[0].dim());
  Shape s(xs[0].shape().begin(), xs[0].shape().end());
  std::vector<std::size_t> offsets{0};
  for (std::size_t i = 1; i < xs.size(); ++i) {
    const auto& si = xs[i].shape();
    bool ok = si.size() == s.size();
    for (std::size_t d = 0; ok && d < s.size(); ++d) ok = d == ax || si[d] == s[d];
    if (!ok)
      detail::shape_error("concat", "shapes " + shape_str(xs[0].shape()) + " and " + shape_str(si) +
                                        " differ off axis " + std::to_string(axis));
  }
  for (const Var<T>& x : xs) offsets.push_back(offsets.back() + x.shape()[ax]);
  s[ax] = offsets.back();
  const detail::AxisBlocks yb = detail::axis_blocks(s, ax);
  Array<T> y = Array<T>::from_shape(s);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const std::size_t len = (offsets[i + 1] - offsets[i]) * yb.inner;
    const T* x = xs[i].value().data();
    for (std::size_t o = 0; o < yb.outer; ++o)
      std::copy_n(x + o * len, len, y.data() + (o * yb.n + offsets[i]) * yb.inner);
  }
  return detail::record<T>("concat", std::move(y), xs, [offsets, yb](Node<T>& y) {
    for (std::size_t i = 0; i < y.inputs.size(); ++i) {
      Node<T>& x = *y.inputs[i];
      if (!x.requires_grad) continue;
      const std::size_t len = (offsets[i + 1] - offsets[i]) * yb.inner;
      Array<T> dx = Array<T>::from_shape(x.value().shape());
      for (std::size_t o = 0; o < yb.outer; ++o)
        std::copy_n(y.grad().data() + (o * yb.n + offsets[i]) * yb.inner, len, dx.data() + o * len);
      x.accumulate(std::move(dx));
    }
  });
}

template <class T>
Var<T> slice(const Var<T>& x, int axis, long start, long stop) {
  const std::size_t ax = detail::normalize_axis("slice", axis, x.dim());
  const long n = static_cast<long>(x.shape()[ax]);
  const long b = start < 0 ? start + n : start;
  const long e = stop < 0 ? stop + n : stop;
  if (b < 0 || e > n || b > e)
    detail::shape_error("slice", "[" + std::to_string(start) + ", " + std::to_string(stop) +
                                     ") is out of range for axis " + std::to_string(axis) + " of " +
                                     shape_str(x.shape()));
  const detail::AxisBlocks xb = detail::axis_blocks(x.shape(), ax);
  const std::size_t from = static_cast<std::size_t>(b) * xb.inner;
  const std::size_t len = static_cast<std::size_t>(e - b) * xb.inner;
  Shape ys(x.shape().begin(), x.shape().end());
  ys[ax] = static_cast<std::size_t>(e - b);
  Array<T> y = Array<T>::from_shape(ys);
  for (std::size_t o = 0; o < xb.outer; ++o)
    std::copy_n(x.value().data() + o * xb.n * xb.inner + from, len, y.data() + o * len);
  return detail::record<T>("slice", std::move(y), {x}, [xb, from, len](Node<T>& y) {
    T* dx = y.inputs[0]->grad_buffer().data();
    const T* dy = y.grad().data();
    for (std::size_t o = 0; o < xb.outer; ++o) {
      T* d = dx + o * xb.n * xb.inner + from;
      for (std::size_t k = 0; k < len; ++k) d[k] += dy[o * len + k];
    }
  });
}

template <class T>
std::vector<Var<T>> split(const Var<T>& x, int axis, const std::vector<std::size_t>& sizes) {
  const std::size_t ax = detail::normalize_axis("split", axis, x.dim());
  if (std::accumulate(sizes.begin(), sizes.end(), std::size_t(0)) != x.shape()[ax])
    detail::shape_error("split", "sizes " + shape_str(sizes) + " do not add up to axis " +
                                     std::to_string(axis) + " of " + shape_str(x.shape()));
  std::vector<Var<T>> parts;
  long at = 0;
  for (std::size_t s : sizes) {
    parts.push_back(slice(x, axis, at, at + static_cast<long>(s)));
    at += static_cast<long>(s);
  }
  return parts;
}

template <class T>
Var<T> embedding(const Var<T>& W, const IndexArray& ids) {
  if (W.dim() != 2)
    detail::shape_error("embedding", "the table must be 2-D [V, E], got " + shape_str(W.shape()));
  const std::size_t V = W.shape()[0];
  const std::size_t E = W.shape()[1];
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const Index id = ids.data()[i];
    if (id < 0 || static_cast<std::size_t>(id) >= V)
      throw std::out_of_range("embedding: index " + std::to_string(id) + " at position " +
                              std::to_string(i) + " is outside the table's " + std::to_string(V) +
                              " rows");
  }
  Shape s(ids.shape().begin(), ids.shape().end());
  s.push_back(E);
  Array<T> y = Array<T>::from_shape(s);
  const T* w = W.value().data();
  for (std::size_t i = 0; i < ids.size(); ++i)
    std::memcpy(y.data() + i * E, w + ids.data()[i] * E, E * sizeof(T));
  return detail::record<T>("embedding", std::move(y), {W}, [ids, E](Node<T>& y) {
    T* dW = y.inputs[0]->grad_buffer().data();
    const T* dy = y.grad().data();
    for (std::size_t i = 0; i < ids.size(); ++i) {  // repeated ids add up
      T* row = dW + ids.data()[i] * E;
      for (std::size_t j = 0; j < E; ++j) row[j] += dy[i * E + j];
    }
  });
}

#define ATTNLAB_INSTANTIATE(T)                                                             \
  template Var<T> reshape(const Var<T>&, const std::vector<long>&);                        \
  template Var<T> permute(const Var<T>&, const std::vector<std::size_t>&);                 \
  template Var<T> transpose(const Var<T>&);                                                \
  template Var<T> concat(const std::vector<Var<T>>&, int);                                 \
  template Var<T> slice(const Var<T>&, int, long, long);                                   \
  template std::vector<Var<T>> split(const Var<T>&, int, const std::vector<std::size_t>&); \
  template Var<T> embedding(const Var<T>&, const IndexArray&);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
