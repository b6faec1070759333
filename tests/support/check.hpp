// Test helpers: seeded random arrays, closeness checks, and the gradient
// check as a doctest assertion that prints the checker's message.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <attnlab.hpp>
#include <cstring>
#include <random>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

namespace attnlab::test {

// Uniform values in [lo, hi), the same for the same seed.
inline Array<double> rand_array(const Shape& shape, std::uint64_t seed, double lo = -1.0,
                                double hi = 1.0) {
  Rng rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  Array<double> a = Array<double>::from_shape(shape);
  for (double& v : a) v = u(rng);
  return a;
}

// rand_array's values as float.
inline Array<float> rand_float_array(const Shape& shape, std::uint64_t seed, double lo = -1.0,
                                     double hi = 1.0) {
  Array<double> d = rand_array(shape, seed, lo, hi);
  Array<float> f = Array<float>::from_shape(shape);
  std::copy(d.begin(), d.end(), f.begin());
  return f;
}

// The same shape and the same bits (NaN, -0 and all), not just equal values.
inline bool bit_equal(const Array<float>& a, const Array<float>& b) {
  if (a.shape() != b.shape()) return false;
  return a.size() == 0 || std::memcmp(a.data(), b.data(), 4 * a.size()) == 0;
}

template <class A, class B>
bool all_close(const A& a, const B& b, double rtol = 1e-9, double atol = 1e-12) {
  return a.shape() == b.shape() && xt::allclose(a, b, rtol, atol);
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The message of the exception of type E that f throws; "" and a failed
// check when f throws nothing.
template <class E, class F>
std::string error_message(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  FAIL_CHECK("nothing was thrown");
  return "";
}

}  // namespace attnlab::test

// Gradient of f (a function of a vector of double Vars) against central
// differences at `inputs`; on failure prints op, element, analytic, numeric.
#define CHECK_GRADIENT(name, f, ...)                                       \
  do {                                                                     \
    const auto gc_result_ = ::attnlab::gradcheck_op(name, f, __VA_ARGS__); \
    INFO(gc_result_.message);                                              \
    CHECK(gc_result_.ok);                                                  \
  } while (0)

// Two arrays of the same shape and close values, printing both on failure.
#define CHECK_ALL_CLOSE_TOL(a, b, rtol, atol)                    \
  do {                                                           \
    INFO("got      " << (a));                                    \
    INFO("expected " << (b));                                    \
    CHECK(::attnlab::test::all_close((a), (b), (rtol), (atol))); \
  } while (0)
#define CHECK_ALL_CLOSE(a, b) CHECK_ALL_CLOSE_TOL(a, b, 1e-9, 1e-12)
