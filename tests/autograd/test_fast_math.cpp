// fast_tanh, the vectorisable float tanh behind the tanh op and the LSTM
// gates: accuracy over the whole float range, and the special values.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "autograd/fast_math.hpp"
#include "support/check.hpp"

using attnlab::detail::fast_exp;
using attnlab::detail::fast_tanh;

TEST_CASE("fast_tanh: within 1 ulp of the correctly rounded tanh across the float range") {
  // every 61st bit pattern: all exponents, both signs, subnormals included
  std::int64_t worst = 0;
  float worst_x = 0;
  for (std::uint64_t bits = 0; bits < (std::uint64_t(1) << 32); bits += 61) {
    const std::uint32_t b = static_cast<std::uint32_t>(bits);
    float x;
    std::memcpy(&x, &b, sizeof x);
    if (!std::isfinite(x)) continue;
    const float mine = fast_tanh(x), exact = static_cast<float>(std::tanh(double(x)));
    std::int32_t m, e;
    std::memcpy(&m, &mine, sizeof m);
    std::memcpy(&e, &exact, sizeof e);
    const std::int64_t ulps = std::abs(std::int64_t(m) - std::int64_t(e));
    if (ulps > worst) worst = ulps, worst_x = x;
  }
  INFO("worst at x = " << worst_x);
  CHECK(worst <= 1);
}

TEST_CASE("fast_tanh: keeps NaN, signed zeros and saturates at infinities") {
  CHECK(std::isnan(fast_tanh(std::numeric_limits<float>::quiet_NaN())));
  CHECK(fast_tanh(0.0f) == 0.0f);
  CHECK(std::signbit(fast_tanh(-0.0f)));
  CHECK(fast_tanh(std::numeric_limits<float>::infinity()) == 1.0f);
  CHECK(fast_tanh(-std::numeric_limits<float>::infinity()) == -1.0f);
  CHECK(fast_tanh(1e-30f) == 1e-30f);       // no cancellation for tiny inputs
  CHECK(fast_tanh(0.5) == std::tanh(0.5));  // double is the exact tanh
}

TEST_CASE("fast_exp: within 2 ulp of the correctly rounded exp wherever exp is a normal float") {
  std::int64_t worst = 0;
  float worst_x = 0;
  const float lo = -87.33f, hi = 88.72f;
  for (std::uint64_t bits = 0; bits < (std::uint64_t(1) << 32); bits += 61) {
    const std::uint32_t b = static_cast<std::uint32_t>(bits);
    float x;
    std::memcpy(&x, &b, sizeof x);
    if (!(x > lo && x < hi)) continue;
    const float mine = fast_exp(x), exact = static_cast<float>(std::exp(double(x)));
    std::int32_t m, e;
    std::memcpy(&m, &mine, sizeof m);
    std::memcpy(&e, &exact, sizeof e);
    const std::int64_t ulps = std::abs(std::int64_t(m) - std::int64_t(e));
    if (ulps > worst) worst = ulps, worst_x = x;
  }
  INFO("worst at x = " << worst_x);
  CHECK(worst <= 2);
}

TEST_CASE("fast_exp: 0 below the normal range, infinity above it, NaN kept") {
  CHECK(fast_exp(0.0f) == 1.0f);
  CHECK(fast_exp(-100.0f) == 0.0f);
  CHECK(fast_exp(-std::numeric_limits<float>::infinity()) == 0.0f);
  CHECK(fast_exp(89.0f) == std::numeric_limits<float>::infinity());
  CHECK(fast_exp(std::numeric_limits<float>::infinity()) == std::numeric_limits<float>::infinity());
  CHECK(std::isnan(fast_exp(std::numeric_limits<float>::quiet_NaN())));
  CHECK(fast_exp(0.5) == std::exp(0.5));  // double is the exact exp
}
