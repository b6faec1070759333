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

// A row-major array seen along one axis: `outer` blocks, each `n` entries
// of `inner` contiguous elements. Slices and concatenations along the axis
// are then one contiguous copy per block, not an element-wise strided walk.
struct AxisBlocks {
  std::size_t outer = 1, n = 1, inner = 1;
};
template <class S>
AxisBlocks axis_blocks(const S& shape, std::size_t axis) {
  AxisBlocks b;
  for (std::size_t d = 0; d < axis; ++d) b.outer *= shape[d];
  b.n = shape[axis];
  for (std::size_t d = axis + 1; d < shape.size(); ++d) b.inner *= shape[d];
  return b;
}

[[noreturn]] inline void shape_error(const char* op, const std::string& what) {
  throw std::invalid_argument(std::string(op) + ": " + what);
}

}  // namespace attnlab::detail
