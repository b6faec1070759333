// Helpers shared by the ops' .cpp files (not installed): shape checks and the
// xtensor includes that only the implementation needs.
#pragma once

#include <stdexcept>
#include <string>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xview.hpp>

#include "autograd/ops.hpp"

namespace attnlab::detail {

// NumPy's broadcast of two shapes, or an error naming the op and both shapes.
template <class SA, class SB>
Shape broadcast_shapes(const char* op, const SA& a, const SB& b) {
  const std::size_t n = std::max(a.size(), b.size());
  Shape out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const std::size_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument(std::string(op) + ": shapes " + shape_str(a) + " and " +
                                  shape_str(b) + " cannot be broadcast together");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// A strided-view selector picking [start, stop) along `axis`, all elsewhere.
inline xt::xstrided_slice_vector axis_range(std::size_t ndim, std::size_t axis, std::size_t start,
                                            std::size_t stop) {
  xt::xstrided_slice_vector sv(ndim, xt::all());
  sv[axis] = xt::range(start, stop);
  return sv;
}

[[noreturn]] inline void shape_error(const char* op, const std::string& what) {
  throw std::invalid_argument(std::string(op) + ": " + what);
}

}  // namespace attnlab::detail
