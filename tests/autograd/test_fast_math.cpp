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

namespace {

// The largest distance in ulps between f(x) and the correctly rounded exact(x)
// over every 61st float bit pattern x (all exponents, both signs, subnormals)
// that `inside` accepts; *worst_x is where it is.
template <class F, class Exact, class Inside>
std::int64_t worst_ulps(F f, Exact exact, Inside inside, float* worst_x) {
  std::int64_t worst = 0;
  for (std::uint64_t bits = 0; bits < (std::uint64_t(1) << 32); bits += 61) {
    const std::uint32_t b = static_cast<std::uint32_t>(bits);
    float x;
    std::memcpy(&x, &b, sizeof x);
    if (!inside(x)) continue;
    const float mine = f(x), want = static_cast<float>(exact(double(x)));
    std::int32_t m, e;
    std::memcpy(&m, &mine, sizeof m);
    std::memcpy(&e, &want, sizeof e);
    const std::int64_t ulps = std::abs(std::int64_t(m) - std::int64_t(e));
    if (ulps > worst) worst = ulps, *worst_x = x;
  }
  return worst;
}

}  // namespace

TEST_CASE("fast_tanh: within 1 ulp of the correctly rounded tanh across the float range") {
  float worst_x = 0;
  const std::int64_t worst =
      worst_ulps([](float x) { return fast_tanh(x); }, [](double x) { return std::tanh(x); },
                 [](float x) { return std::isfinite(x); }, &worst_x);
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
  float worst_x = 0;
  const float lo = -87.33f, hi = 88.72f;
  const std::int64_t worst =
      worst_ulps([](float x) { return fast_exp(x); }, [](double x) { return std::exp(x); },
                 [=](float x) { return x > lo && x < hi; }, &worst_x);
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
