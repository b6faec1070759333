// tanh that the compiler can vectorise: glibc's tanhf is a scalar call and
// was about a quarter of an attention training step (BENCHMARKS.md).
// Internal to the library, which builds with -fno-trapping-math so that loops
// over fast_tanh become SIMD code.
#pragma once

#include <cmath>

namespace attnlab::detail {

constexpr double inv_factorial(int k) { return k == 0 ? 1.0 : inv_factorial(k - 1) / k; }

// sum of y^k / k! for k = K..N, by Horner, with compile-time coefficients.
template <int K, int N>
inline double taylor_tail(double y) {
  constexpr double c = inv_factorial(K);
  if constexpr (K == N)
    return c;
  else
    return c + y * taylor_tail<K + 1, N>(y);
}

// expm1(y) by its Taylor series to y^N.
template <int N>
inline double expm1_taylor(double y) {
  return y * taylor_tail<1, N>(y);
}

// tanh(x) for float, within 1 ulp of the correctly rounded value: computed in
// double from plain arithmetic, no calls. With y = 2|x| (clamped at |x| = 10,
// where tanh has rounded to 1 in float), tanh|x| = expm1(y) / (expm1(y) + 2),
// where expm1(y) is its Taylor series for y < 0.625 (no cancellation for tiny
// x) and exp(y/32)^32 - 1 above; either way tanh is off by less than 1e-12.
inline float fast_tanh(float xf) {
  const double x = xf, a = std::fabs(x), y = 2.0 * (a > 10.0 ? 10.0 : a);  // NaN stays NaN
  double e = 1.0 + expm1_taylor<8>(y / 32);
  e *= e, e *= e, e *= e, e *= e, e *= e;
  const double em1 = y < 0.625 ? expm1_taylor<13>(y) : e - 1.0;
  return static_cast<float>(std::copysign(em1 / (em1 + 2.0), x));
}

// Double precision (gradient checks) keeps the library's exact tanh.
inline double fast_tanh(double x) { return std::tanh(x); }

}  // namespace attnlab::detail
