#include <doctest/doctest.h>

#include <cmath>

#include "report/stats.hpp"

using namespace attnlab;

TEST_CASE("spread_of: mean and sample standard deviation, NaN left out") {
  const Spread s = spread_of({2, 4, 4, 4, 5, 5, 7, 9});
  CHECK(s.n == 8);
  CHECK(s.mean == doctest::Approx(5.0));
  CHECK(s.sd == doctest::Approx(std::sqrt(32.0 / 7)));  // squares sum to 32, n - 1 = 7
  const Spread t = spread_of({1, NAN, 3, INFINITY});
  CHECK(t.n == 2);
  CHECK(t.mean == doctest::Approx(2.0));
  CHECK(t.sd == doctest::Approx(std::sqrt(2.0)));
  const Spread one = spread_of({0.25});
  CHECK(one.mean == 0.25);
  CHECK(std::isnan(one.sd));  // one value: no spread
  const Spread none = spread_of({NAN});
  CHECK(none.n == 0);
  CHECK(std::isnan(none.mean));
  CHECK(std::isnan(spread_of({}).mean));
  // large and close values: two passes keep the spread exact
  const Spread big = spread_of({1e9 + 1, 1e9 + 2, 1e9 + 3});
  CHECK(big.sd == doctest::Approx(1.0));
}

TEST_CASE("within_spread: a difference smaller than the two standard deviations together") {
  CHECK(within_spread({0.90, 0.02, 3}, {0.87, 0.02, 3}));   // 0.03 < 0.04
  CHECK(!within_spread({0.90, 0.01, 3}, {0.87, 0.01, 3}));  // 0.03 > 0.02
  CHECK(!within_spread({0.90, NAN, 1}, {0.90, NAN, 1}));    // no spread to judge by
}
