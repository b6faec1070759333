// matmul: 2-D and batched 3-D products against naive loops, gradients, edge shapes, OpenBLAS.
#include <dlfcn.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

using Inputs = std::vector<Var<double>>;

// y[m, n] = sum_k a[m, k] b[k, n] by a triple loop, accumulated in double.
template <class T>
Array<T> naive_matmul_2d(const Array<T>& a, const Array<T>& b) {
  const std::size_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  Array<T> y = Array<T>::from_shape({M, N});
  for (std::size_t m = 0; m < M; ++m)
    for (std::size_t n = 0; n < N; ++n) {
      double s = 0.0;
      for (std::size_t k = 0; k < K; ++k) s += double(a(m, k)) * double(b(k, n));
      y(m, n) = static_cast<T>(s);
    }
  return y;
}

// The same for each batch index of [B, M, K] x [B, K, N].
template <class T>
Array<T> naive_matmul_3d(const Array<T>& a, const Array<T>& b) {
  const std::size_t B = a.shape()[0], M = a.shape()[1], K = a.shape()[2], N = b.shape()[2];
  Array<T> y = Array<T>::from_shape({B, M, N});
  for (std::size_t i = 0; i < B; ++i)
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t n = 0; n < N; ++n) {
        double s = 0.0;
        for (std::size_t k = 0; k < K; ++k) s += double(a(i, m, k)) * double(b(i, k, n));
        y(i, m, n) = static_cast<T>(s);
      }
  return y;
}

Array<float> to_float(const Array<double>& a) {
  Array<float> f = Array<float>::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) f.data()[i] = static_cast<float>(a.data()[i]);
  return f;
}

Var<double> matmul_f(const Inputs& x) { return matmul(x[0], x[1]); }

}  // namespace

TEST_CASE("matmul: 2-D forward matches hand-computed values") {
  Tape<double> tape;
  Var<double> a = tape.constant(Array<double>{{1, 2}, {3, 4}, {5, 6}});
  Var<double> b = tape.constant(Array<double>{{1, 0, -1}, {2, 1, 0.5}});
  CHECK_ALL_CLOSE(matmul(a, b).value(), (Array<double>{{5, 2, 0}, {11, 4, -1}, {17, 6, -2}}));
}

TEST_CASE("matmul: 2-D forward matches a naive triple loop") {
  const Array<double> a = rand_array({3, 4}, 1);
  const Array<double> b = rand_array({4, 5}, 2);
  Tape<double> tape;
  Var<double> y = matmul(tape.constant(a), tape.constant(b));
  CHECK(y.shape() == Array<double>::shape_type{3, 5});
  CHECK_ALL_CLOSE(y.value(), naive_matmul_2d(a, b));
}

TEST_CASE("matmul: batched 3-D forward matches a naive loop per batch") {
  const Array<double> a = rand_array({2, 3, 4}, 3);
  const Array<double> b = rand_array({2, 4, 5}, 4);
  Tape<double> tape;
  Var<double> y = matmul(tape.constant(a), tape.constant(b));
  CHECK(y.shape() == Array<double>::shape_type{2, 3, 5});
  CHECK_ALL_CLOSE(y.value(), naive_matmul_3d(a, b));
}

TEST_CASE("matmul: float 2-D and 3-D forward match a naive loop") {
  const Array<float> a2 = to_float(rand_array({3, 4}, 5));
  const Array<float> b2 = to_float(rand_array({4, 2}, 6));
  const Array<float> a3 = to_float(rand_array({3, 2, 5}, 7));
  const Array<float> b3 = to_float(rand_array({3, 5, 4}, 8));
  Tape<float> tape;
  CHECK_ALL_CLOSE_TOL(matmul(tape.constant(a2), tape.constant(b2)).value(), naive_matmul_2d(a2, b2),
                      1e-5, 1e-6);
  CHECK_ALL_CLOSE_TOL(matmul(tape.constant(a3), tape.constant(b3)).value(), naive_matmul_3d(a3, b3),
                      1e-5, 1e-6);
}

TEST_CASE("matmul: float gradient matches the transposed products") {
  const Array<float> a = to_float(rand_array({2, 3}, 9));
  const Array<float> b = to_float(rand_array({3, 4}, 10));
  Tape<float> tape;
  Var<float> va = tape.variable(a);
  Var<float> vb = tape.variable(b);
  backward(sum(matmul(va, vb)));
  // d sum(a b) / da[m, k] = sum_n b[k, n];  / db[k, n] = sum_m a[m, k].
  Array<float> da = Array<float>::from_shape({2, 3});
  Array<float> db = Array<float>::from_shape({3, 4});
  for (std::size_t m = 0; m < 2; ++m)
    for (std::size_t k = 0; k < 3; ++k) {
      float s = 0;
      for (std::size_t n = 0; n < 4; ++n) s += b(k, n);
      da(m, k) = s;
    }
  for (std::size_t k = 0; k < 3; ++k)
    for (std::size_t n = 0; n < 4; ++n) db(k, n) = a(0, k) + a(1, k);
  CHECK_ALL_CLOSE_TOL(va.grad(), da, 1e-5, 1e-6);
  CHECK_ALL_CLOSE_TOL(vb.grad(), db, 1e-5, 1e-6);
}

TEST_CASE("matmul: [1, K] x [K, 1] is a [1, 1] dot product") {
  const Array<double> a = rand_array({1, 5}, 11);
  const Array<double> b = rand_array({5, 1}, 12);
  double dot = 0.0;
  for (std::size_t k = 0; k < 5; ++k) dot += a(0, k) * b(k, 0);
  Tape<double> tape;
  Var<double> y = matmul(tape.constant(a), tape.constant(b));
  CHECK(y.shape() == Array<double>::shape_type{1, 1});
  CHECK(y.item() == doctest::Approx(dot).epsilon(1e-12));
  CHECK_GRADIENT("matmul [1, 5] x [5, 1]", matmul_f, {a, b});
  // and the outer product the other way round
  CHECK_ALL_CLOSE(matmul(tape.constant(b), tape.constant(a)).value(), naive_matmul_2d(b, a));
  CHECK_GRADIENT("matmul [5, 1] x [1, 5]", matmul_f, {b, a});
}

TEST_CASE("matmul: K = 0 gives zeros of shape [M, N], with zero gradient") {
  Tape<double> tape;
  Var<double> a = tape.variable(Array<double>::from_shape({3, 0}));
  Var<double> b = tape.variable(Array<double>::from_shape({0, 2}));
  Var<double> y = matmul(a, b);
  CHECK(y.shape() == Array<double>::shape_type{3, 2});
  CHECK_ALL_CLOSE(y.value(), (Array<double>{{0, 0}, {0, 0}, {0, 0}}));
  backward(sum(y));
  CHECK(a.grad().shape() == Array<double>::shape_type{3, 0});
  CHECK(b.grad().shape() == Array<double>::shape_type{0, 2});

  Tape<float> ft;
  Var<float> f = matmul(ft.constant(Array<float>::from_shape({2, 2, 0})),
                        ft.constant(Array<float>::from_shape({2, 0, 3})));
  CHECK(f.shape() == Array<float>::shape_type{2, 2, 3});
  CHECK_ALL_CLOSE(f.value(), Array<float>(xt::zeros<float>({2, 2, 3})));
}

TEST_CASE("matmul: M = 0 gives an empty [0, N] and a zero gradient for b") {
  Tape<double> tape;
  Var<double> a = tape.variable(Array<double>::from_shape({0, 3}));
  Var<double> b = tape.variable(rand_array({3, 2}, 13));
  Var<double> y = matmul(a, b);
  CHECK(y.shape() == Array<double>::shape_type{0, 2});
  CHECK(y.value().size() == 0);
  backward(sum(y));
  CHECK_ALL_CLOSE(b.grad(), Array<double>(xt::zeros<double>({3, 2})));
}

TEST_CASE("matmul: 2-D gradient matches finite differences") {
  CHECK_GRADIENT("matmul 2-D", matmul_f, {rand_array({3, 4}, 14), rand_array({4, 2}, 15)});
}

TEST_CASE("matmul: batched 3-D gradient matches finite differences") {
  CHECK_GRADIENT("matmul 3-D", matmul_f, {rand_array({2, 3, 4}, 16), rand_array({2, 4, 2}, 17)});
  CHECK_GRADIENT("matmul 3-D, batch 1", matmul_f,
                 {rand_array({1, 2, 3}, 18), rand_array({1, 3, 2}, 19)});
}

TEST_CASE("matmul: a value used twice, matmul(x, x), gets both gradients") {
  CHECK_GRADIENT("matmul(x, x)", [](const Inputs& x) { return matmul(x[0], x[0]); },
                 {rand_array({3, 3}, 20)});
  CHECK_GRADIENT("matmul(x, x) batched", [](const Inputs& x) { return matmul(x[0], x[0]); },
                 {rand_array({2, 2, 2}, 21)});
  // and x's gradient from matmul adds to the one from another use
  CHECK_GRADIENT("matmul(a, b) + a", [](const Inputs& x) { return matmul(x[0], x[1]) + x[0]; },
                 {rand_array({2, 2}, 22), rand_array({2, 2}, 23)});
  // by hand: d sum(x x) / dx = 1 x^T + x^T 1 (1 = all-ones)
  Tape<double> tape;
  const Array<double> v{{1, 2}, {3, 4}};
  Var<double> x = tape.variable(v);
  backward(sum(matmul(x, x)));
  // row sums of x are (3, 7), column sums (4, 6): grad[i, j] = rowsum(j) + colsum(i)
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{{3 + 4, 7 + 4}, {3 + 6, 7 + 6}}));
}

TEST_CASE("matmul: mismatched inner dimensions throw naming matmul and both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({4, 5}, 2));
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("[4, 5]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(matmul(a, b), doctest::Contains("matmul"), std::invalid_argument);

  Tape<float> ft;
  Var<float> fa = ft.constant(Array<float>::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(matmul(fa, fa), doctest::Contains("[2, 3]"), std::invalid_argument);
}

TEST_CASE("matmul: mismatched batch sizes or ranks throw naming both shapes") {
  Tape<double> tape;
  Var<double> a3 = tape.constant(rand_array({2, 3, 4}, 1));
  Var<double> b3 = tape.constant(rand_array({3, 4, 5}, 2));
  CHECK_THROWS_WITH_AS(matmul(a3, b3), doctest::Contains("[2, 3, 4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(matmul(a3, b3), doctest::Contains("[3, 4, 5]"), std::invalid_argument);
  Var<double> b2 = tape.constant(rand_array({4, 5}, 3));
  CHECK_THROWS_WITH_AS(matmul(a3, b2), doctest::Contains("[4, 5]"), std::invalid_argument);
  Var<double> v1 = tape.constant(rand_array({4}, 4));
  CHECK_THROWS_WITH_AS(matmul(v1, v1), doctest::Contains("[4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(matmul(v1, v1), doctest::Contains("matmul"), std::invalid_argument);
}

TEST_CASE("matmul: reaches OpenBLAS's cblas_sgemm") {
  // The float product runs on cblas_sgemm (ops_linalg.cpp); the binary calls it through the
  // dynamic linker, so the global lookup below finds the definition those calls reach.
  Tape<float> tape;
  Array<float> column{3, 4};
  column.reshape({2, 1});
  Var<float> y = matmul(tape.constant(Array<float>{{1, 2}}), tape.constant(column));
  CHECK(y.item() == 11.0f);

  void* sym = dlsym(RTLD_DEFAULT, "cblas_sgemm");
  if (!sym) {
    const char* err = dlerror();
    FAIL("dlsym(RTLD_DEFAULT, \"cblas_sgemm\") failed: " << std::string(err ? err : "?"));
  }
  Dl_info info{};
  REQUIRE(dladdr(sym, &info) != 0);
  REQUIRE(info.dli_fname != nullptr);
  const std::string path = info.dli_fname;
  const std::string symbol = info.dli_sname ? info.dli_sname : "";
  MESSAGE("cblas_sgemm resolves to " << path << " (nearest symbol: " << symbol << ")");
  CHECK(path.find("blas") != std::string::npos);
  CHECK(symbol == "cblas_sgemm");
  // The object is OpenBLAS itself, not a reference BLAS: it exports OpenBLAS's own API.
  void* handle = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD);
  REQUIRE(handle != nullptr);
  using ConfigFn = char* (*)();
  auto config = reinterpret_cast<ConfigFn>(dlsym(handle, "openblas_get_config"));
  const bool exports_openblas_api = config != nullptr;
  CHECK(exports_openblas_api);
  if (config) MESSAGE("openblas_get_config: " << std::string(config()));
  dlclose(handle);
}

// ---------------------------------------------------------------- linear

TEST_CASE("linear: forward is x W^T + b over any leading axes, with and without bias") {
  Tape<double> tape;
  const Array<double> x = rand_array({2, 3, 4}, 21), W = rand_array({5, 4}, 22),
                      b = rand_array({5}, 23);
  Var<double> y = linear(tape.constant(x), tape.constant(W), tape.constant(b));
  Var<double> y0 = linear(tape.constant(x), tape.constant(W));
  REQUIRE(y.shape() == Shape{2, 3, 5});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t o = 0; o < 5; ++o) {
        double want = 0;
        for (std::size_t k = 0; k < 4; ++k) want += x(i, t, k) * W(o, k);
        CHECK(y0.value()(i, t, o) == doctest::Approx(want).epsilon(1e-12));
        CHECK(y.value()(i, t, o) == doctest::Approx(want + b(o)).epsilon(1e-12));
      }
}

TEST_CASE("linear: gradient matches finite differences, 2-D and 3-D inputs") {
  CHECK_GRADIENT("linear", [](const Inputs& x) { return linear(x[0], x[1], x[2]); },
                 {rand_array({3, 4}, 24), rand_array({2, 4}, 25), rand_array({2}, 26)});
  CHECK_GRADIENT("linear 3-D", [](const Inputs& x) { return linear(x[0], x[1], x[2]); },
                 {rand_array({2, 1, 3}, 27), rand_array({1, 3}, 28), rand_array({1}, 29)});
  CHECK_GRADIENT("linear without bias", [](const Inputs& x) { return linear(x[0], x[1]); },
                 {rand_array({2, 3}, 30), rand_array({4, 3}, 31)});
}

TEST_CASE("linear: mismatched sizes throw naming linear and the shapes") {
  Tape<double> tape;
  auto v = [&](Shape s) { return tape.constant(xt::zeros<double>(s)); };
  CHECK_THROWS_WITH_AS(linear(v({2, 3}), v({4, 5})),
                       doctest::Contains("linear: input [2, 3], weight [4, 5]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(linear(v({2, 3}), v({4, 3}), v({5})), doctest::Contains("bias [5]"),
                       std::invalid_argument);
}
