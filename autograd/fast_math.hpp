// tanh that the compiler can vectorise: glibc's tanhf is a scalar call and
// was about a quarter of an attention training step (BENCHMARKS.md).
// Internal to the library, which builds with -fno-trapping-math so that loops
// over fast_tanh become SIMD code.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

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

// exp(x) for float, within 2 ulp of the correctly rounded value wherever
// exp(x) is a normal float, with no calls, so loops over it vectorise: the
// cross-entropy's softmax over [B, Ty, V] logits calls it once an element.
// exp(x) = 2^k e^r with k = round(x / ln 2) (rounded by adding 1.5 * 2^23,
// which needs no rounding instruction), r = x - k ln 2 in two parts, e^r by
// Cephes' degree-7 polynomial, and 2^k written into a float's exponent (in
// two factors, so k = 128 near the top of the range does not overflow it).
// Below the normal range (x < -87.33) the result is 0, above it infinity;
// NaN stays NaN.
inline float fast_exp(float x) {
  constexpr float lo = -87.33654f, hi = 88.72283f, shift = 12582912.0f;  // 1.5 * 2^23
  const float c = x > lo ? (x < hi ? x : hi) : lo;  // NaN takes lo: no out-of-range shifts
  const float t = c * 1.44269504088896341f + shift;
  const float k = t - shift;  // round(c / ln 2)
  const float r = (c - k * 0.693359375f) - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  std::int32_t tb, sb;
  std::memcpy(&tb, &t, sizeof tb);
  std::memcpy(&sb, &shift, sizeof sb);
  const std::int32_t ki = tb - sb;  // k as an integer, in [-126, 128]
  const std::int32_t half = ki >> 1;
  const std::int32_t b1 = static_cast<std::int32_t>(static_cast<std::uint32_t>(half + 127) << 23),
                     b2 = static_cast<std::int32_t>(static_cast<std::uint32_t>(ki - half + 127)
                                                    << 23);
  float s1, s2;
  std::memcpy(&s1, &b1, sizeof s1);
  std::memcpy(&s2, &b2, sizeof s2);
  const float y = p * s1 * s2;
  return x < lo ? 0.0f : (x > hi ? INFINITY : (x == x ? y : x));
}

// Double precision (gradient checks) keeps the library's exact exp.
inline double fast_exp(double x) { return std::exp(x); }

// The logistic function on fast_exp, for the fused gate ops.
template <class T>
inline T fast_sigmoid(T x) {
  return T(1) / (T(1) + fast_exp(-x));
}

}  // namespace attnlab::detail
