#include "report/stats.hpp"

#include <cmath>

namespace attnlab {

Spread spread_of(const std::vector<double>& values) {
  Spread s;
  double sum = 0;
  for (double v : values)
    if (std::isfinite(v)) sum += v, ++s.n;
  if (s.n == 0) return s;
  s.mean = sum / s.n;
  if (s.n < 2) return s;
  double sq = 0;  // two passes: no cancellation when the values are large and close
  for (double v : values)
    if (std::isfinite(v)) sq += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(sq / (s.n - 1));
  return s;
}

bool within_spread(const Spread& a, const Spread& b) {
  if (!std::isfinite(a.sd) || !std::isfinite(b.sd)) return false;
  return std::abs(a.mean - b.mean) < a.sd + b.sd;
}

}  // namespace attnlab
