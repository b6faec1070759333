// The array types the engine computes on: dense row-major xtensor arrays of a
// floating-point type T (float for training, double for gradient checks).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>
#include <xtensor/xarray.hpp>

namespace attnlab {

template <class T>
using Array = xt::xarray<T>;

using Shape = std::vector<std::size_t>;
using Index = std::int64_t;
using IndexArray = xt::xarray<Index>;  // token ids, targets
using Mask = xt::xarray<bool>;         // true = masked out / selected

// A setting out of range, named by its field (OptimOptions::lr is "lr"): the
// library speaks of its own fields, and a program maps them to its options
// (the command line to its flags).
struct OptionError : std::invalid_argument {
  OptionError(const std::string& field_, const std::string& rest_)
      : std::invalid_argument(field_ + " " + rest_), field(field_), rest(rest_) {}
  std::string field, rest;
};

// "[2, 3]": the one way shapes are written in messages.
template <class S>
std::string shape_str(const S& shape) {
  std::ostringstream os;
  os << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) os << (i ? ", " : "") << shape[i];
  os << ']';
  return os.str();
}

// How many of a's values are NaN or infinite (checkpoints never hold them,
// and training stops at the first).
inline std::size_t count_nonfinite(const Array<float>& a) {
  std::size_t n = 0;
  for (float x : a) n += !std::isfinite(x);
  return n;
}

}  // namespace attnlab
