// Figures over several runs (seeds): their mean and spread, and whether two
// of them differ by more than that spread.
#pragma once

#include <cstddef>
#include <limits>
#include <vector>

namespace attnlab {

struct Spread {
  double mean = std::numeric_limits<double>::quiet_NaN();
  // The sample standard deviation (n - 1 in the denominator); NaN for n < 2.
  double sd = std::numeric_limits<double>::quiet_NaN();
  std::size_t n = 0;  // the finite values it was computed from
};

// The mean and spread of the finite values (NaN ones, say an AER of a model
// without attention, are left out); mean NaN when there is none.
Spread spread_of(const std::vector<double>& values);

// Whether a and b differ by less than their spread: |mean a - mean b| below
// sd a + sd b (their one-sd error bars overlap). With a single run each
// there is no spread to compare with: false.
bool within_spread(const Spread& a, const Spread& b);

}  // namespace attnlab
