// Every differentiable op of the engine, one free function each. The comment
// on each declaration gives its math both ways: forward, then what backward
// adds into the inputs' gradients (dy is the gradient of the result).
//
// Broadcasting (add, sub, mul, div, where, masked_fill) follows NumPy: shapes
// are aligned on their last axis, and an axis of size 1 (or a missing leading
// axis) stretches to the other operand's size. In backward, the gradient is
// summed back over the stretched axes by Node::accumulate, never by hand.
#pragma once

#include <random>
#include <vector>

#include "autograd/tape.hpp"

namespace attnlab {

// An explicit, seedable random generator: dropout and initialisation draw
// from one of these, never from a global.
using Rng = std::mt19937_64;

// A scalar argument of type T that does not take part in deducing T, so that
// `x * 2.0` works on a float Var.
template <class T>
struct NonDeduced {
  using type = T;
};
template <class T>
using Scalar = typename NonDeduced<T>::type;

// ---- elementwise, two operands (broadcasting) ----
// y = a + b        da += dy   db += dy
template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b);
// y = a * b        da += dy * b   db += dy * a
template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b);
// y = a - b        (composed: a + (-b))
template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b);
// y = a / b        (composed: a * b^-1)
template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b);

// ---- elementwise, one operand ----
// y = s * x + c    dx += s * dy
template <class T>
Var<T> affine(const Var<T>& x, Scalar<T> s, Scalar<T> c);
// y = -x           (composed: affine(x, -1, 0))
template <class T>
Var<T> neg(const Var<T>& x);
// y = x^p          dx += p * x^(p-1) * dy
template <class T>
Var<T> pow(const Var<T>& x, Scalar<T> p);
// y = sqrt(x)      (composed: x^0.5)
template <class T>
Var<T> sqrt(const Var<T>& x);
// y = tanh(x)      dx += (1 - y^2) * dy
template <class T>
Var<T> tanh(const Var<T>& x);
// y = 1/(1+e^-x)   dx += y * (1 - y) * dy
template <class T>
Var<T> sigmoid(const Var<T>& x);
// y = max(x, 0)    dx += [x > 0] * dy
template <class T>
Var<T> relu(const Var<T>& x);
// y = max(x, lo)   dx += [x > lo] * dy
template <class T>
Var<T> clamp_min(const Var<T>& x, Scalar<T> lo);
// y = e^x          dx += y * dy
template <class T>
Var<T> exp(const Var<T>& x);
// y = ln x         dx += dy / x
template <class T>
Var<T> log(const Var<T>& x);

// ---- linear algebra ----
// 2-D: y[m,n] = sum_k a[m,k] b[k,n]; 3-D: the same for each batch index.
// da += dy b^T   db += a^T dy   (BLAS gemm, accumulating with beta = 1)
template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b);

// x [..., I], W [O, I], b [O]: y = x W^T + b (y [..., O]), one gemm.
// dx += dy W   dW += dy^T x   db += sum of dy over all leading axes
template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& W, const Var<T>& b);
// y = x W^T    (linear without bias)
template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& W);

// How many threads BLAS may use (OpenBLAS); 1 is fastest for small models.
void set_blas_threads(int n);
// Floating-point operations (2 m n k per product) of every matrix product
// since the program started, on all threads: for benchmarks.
std::uint64_t gemm_flops();

// ---- reductions ----
// y = sum of all x (shape [])          dx += dy (broadcast)
template <class T>
Var<T> sum(const Var<T>& x);
// y = sum_axis x                       dx += dy (broadcast along axis)
template <class T>
Var<T> sum(const Var<T>& x, int axis, bool keepdims = false);
// y = sum(x) / N                       (composed: sum then scale)
template <class T>
Var<T> mean(const Var<T>& x);
// y = sum_axis x / N_axis              (composed: sum then scale)
template <class T>
Var<T> mean(const Var<T>& x, int axis, bool keepdims = false);

// ---- normalisation over an axis (numerically stable: max subtracted) ----
// y = e^x / sum_axis e^x               dx += y * (dy - sum_axis(dy * y))
template <class T>
Var<T> softmax(const Var<T>& x, int axis = -1);
// y = x - log sum_axis e^x             dx += dy - e^y * sum_axis(dy)
template <class T>
Var<T> log_softmax(const Var<T>& x, int axis = -1);

// ---- shape ----
// y = x laid out as `shape` (one entry may be -1)   dx += reshape(dy, x.shape)
template <class T>
Var<T> reshape(const Var<T>& x, const std::vector<long>& shape);
// y[..., j, i] = x[i, j] for a 2-D x                dx += transpose(dy)
template <class T>
Var<T> transpose(const Var<T>& x);
// y axis k = x axis perm[k]                         dx += permute(dy, perm^-1)
template <class T>
Var<T> permute(const Var<T>& x, const std::vector<std::size_t>& perm);
// y = [x0, x1, ...] joined along axis               dxi += dy's slice of xi
template <class T>
Var<T> concat(const std::vector<Var<T>>& xs, int axis);
// y = x[start:stop] along axis                      dx[start:stop] += dy
template <class T>
Var<T> slice(const Var<T>& x, int axis, long start, long stop);
// [x[0:s0], x[s0:s0+s1], ...] along axis            (composed: slices)
template <class T>
std::vector<Var<T>> split(const Var<T>& x, int axis, const std::vector<std::size_t>& sizes);

// ---- selection ----
// y[i..., :] = W[ids[i...], :]   (shape ids.shape + [E])   dW[ids[i...], :] += dy[i..., :]
template <class T>
Var<T> embedding(const Var<T>& W, const IndexArray& ids);
// y = mask ? value : x           (mask broadcasts to x)     dx += [!mask] * dy
template <class T>
Var<T> masked_fill(const Var<T>& x, const Mask& mask, Scalar<T> value);
// Call it as attnlab::where: with an xtensor mask argument, unqualified
// lookup also finds xt::where.
// y = cond ? a : b               (broadcasting)             da += [cond] dy   db += [!cond] dy
template <class T>
Var<T> where(const Mask& cond, const Var<T>& a, const Var<T>& b);

// ---- losses and regularisation ----
// logits [..., V], targets [...]: y = mean over i with t_i != ignore of
// -log softmax(logits_i)[t_i]; 0 if none counts.
// dlogits_i += (softmax(logits_i) - onehot(t_i)) * dy / count
template <class T>
Var<T> cross_entropy(const Var<T>& logits, const IndexArray& targets, Index ignore_index = -1);
// y = x * m / (1 - p), m_i ~ Bernoulli(1 - p) from rng   dx += dy * m / (1 - p)
// p = 0 (or training = false) returns x itself.
template <class T>
Var<T> dropout(const Var<T>& x, double p, Rng& rng, bool training = true);

// ---- operators ----
template <class T>
Var<T> operator+(const Var<T>& a, const Var<T>& b) {
  return add(a, b);
}
template <class T>
Var<T> operator-(const Var<T>& a, const Var<T>& b) {
  return sub(a, b);
}
template <class T>
Var<T> operator*(const Var<T>& a, const Var<T>& b) {
  return mul(a, b);
}
template <class T>
Var<T> operator/(const Var<T>& a, const Var<T>& b) {
  return div(a, b);
}
template <class T>
Var<T> operator-(const Var<T>& x) {
  return neg(x);
}
template <class T>
Var<T> operator+(const Var<T>& x, Scalar<T> c) {
  return affine(x, T(1), c);
}
template <class T>
Var<T> operator+(Scalar<T> c, const Var<T>& x) {
  return affine(x, T(1), c);
}
template <class T>
Var<T> operator-(const Var<T>& x, Scalar<T> c) {
  return affine(x, T(1), -c);
}
template <class T>
Var<T> operator-(Scalar<T> c, const Var<T>& x) {
  return affine(x, T(-1), c);
}
template <class T>
Var<T> operator*(const Var<T>& x, Scalar<T> s) {
  return affine(x, s, T(0));
}
template <class T>
Var<T> operator*(Scalar<T> s, const Var<T>& x) {
  return affine(x, s, T(0));
}
template <class T>
Var<T> operator/(const Var<T>& x, Scalar<T> s) {
  return affine(x, T(1) / s, T(0));
}

}  // namespace attnlab
