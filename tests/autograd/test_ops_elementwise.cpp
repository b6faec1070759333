// Elementwise ops: arithmetic with broadcasting, scalar operators, nonlinearities, masks, dropout.
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

using Inputs = std::vector<Var<double>>;

// y[i] = f(x[i]) by a plain loop.
template <class T, class F>
Array<T> apply(const Array<T>& x, F f) {
  Array<T> y = x;
  for (T& v : y) v = f(v);
  return y;
}

// NumPy broadcasting done by hand: out[idx] = f({xs[0][idx0], xs[1][idx1], ...}).
Array<double> broadcast_loop(const std::vector<Array<double>>& xs,
                             const std::function<double(const std::vector<double>&)>& f) {
  std::size_t n = 0;
  for (const auto& x : xs) n = std::max(n, x.dimension());
  Shape out(n, 1);
  for (const auto& x : xs)
    for (std::size_t d = 0; d < x.dimension(); ++d) {
      const std::size_t o = d + n - x.dimension();
      if (x.shape()[d] != 1) out[o] = x.shape()[d];
    }
  Array<double> y = Array<double>::from_shape(out);
  std::vector<std::size_t> idx(n);
  std::vector<double> args(xs.size());
  for (std::size_t flat = 0; flat < y.size(); ++flat) {
    std::size_t r = flat;
    for (std::size_t d = n; d-- > 0;) {
      idx[d] = r % out[d];
      r /= out[d];
    }
    for (std::size_t k = 0; k < xs.size(); ++k) {
      const Array<double>& x = xs[k];
      const std::size_t lead = n - x.dimension();
      std::size_t off = 0;
      for (std::size_t d = 0; d < x.dimension(); ++d)
        off = off * x.shape()[d] + (x.shape()[d] == 1 ? 0 : idx[d + lead]);
      args[k] = x.data()[off];
    }
    y.data()[flat] = f(args);
  }
  return y;
}

// The shape pairs every binary op is checked on, each in both orders.
const std::vector<std::pair<Shape, Shape>>& broadcast_pairs() {
  static const std::vector<std::pair<Shape, Shape>> pairs = {
      {{2, 3}, {3}},     {{3}, {2, 3}},     {{2, 1}, {1, 3}}, {{1, 3}, {2, 1}},
      {Shape{}, {2, 2}}, {{2, 2}, Shape{}}, {{2, 3}, {2, 1}}, {{1, 1}, {2, 3}},
  };
  return pairs;
}

using BinaryOp = Var<double> (*)(const Var<double>&, const Var<double>&);

// Forward against a plain loop on every broadcast pair, both orders.
void check_broadcast_forward(BinaryOp op, double (*ref)(double, double)) {
  std::uint64_t seed = 10;
  for (const auto& pair : broadcast_pairs()) {
    const Shape& sa = pair.first;
    const Shape& sb = pair.second;
    INFO("shapes " << shape_str(sa) << " and " << shape_str(sb));
    const Array<double> a = rand_array(sa, seed++, 0.5, 2.0);
    const Array<double> b = rand_array(sb, seed++, 0.5, 2.0);
    Tape<double> tape;
    const Array<double> got = op(tape.constant(a), tape.constant(b)).value();
    CHECK_ALL_CLOSE(got, broadcast_loop({a, b}, [ref](const std::vector<double>& v) {
                      return ref(v[0], v[1]);
                    }));
  }
}

// Gradient against central differences on every broadcast pair, both orders.
void check_broadcast_gradient(const char* name, BinaryOp op) {
  std::uint64_t seed = 100;
  const auto f = [op](const Inputs& x) { return op(x[0], x[1]); };
  for (const auto& pair : broadcast_pairs()) {
    const Shape& sa = pair.first;
    const Shape& sb = pair.second;
    INFO("shapes " << shape_str(sa) << " and " << shape_str(sb));
    const Array<double> a = rand_array(sa, seed++, 0.5, 2.0);
    const Array<double> b = rand_array(sb, seed++, 0.5, 2.0);
    CHECK_GRADIENT(name, f, {a, b});
  }
}

Var<double> add_op(const Var<double>& a, const Var<double>& b) { return add(a, b); }
Var<double> mul_op(const Var<double>& a, const Var<double>& b) { return mul(a, b); }
Var<double> sub_op(const Var<double>& a, const Var<double>& b) { return sub(a, b); }
Var<double> div_op(const Var<double>& a, const Var<double>& b) { return div(a, b); }

// The fraction of non-zero entries.
template <class T>
double kept_fraction(const Array<T>& y) {
  std::size_t kept = 0;
  for (T v : y) kept += v != T(0);
  return static_cast<double>(kept) / static_cast<double>(y.size());
}

}  // namespace

// ---------------------------------------------------------------- add

TEST_CASE("add: forward matches hand-computed sums, in double and float") {
  Tape<double> tape;
  Var<double> a = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> b = tape.constant(Array<double>{{0.5, -1, 2}, {10, 0, -6}});
  CHECK_ALL_CLOSE(add(a, b).value(), (Array<double>{{1.5, 1, 5}, {14, 5, 0}}));

  Tape<float> ft;
  Var<float> fa = ft.constant(Array<float>{1.5f, -2.0f});
  Var<float> fb = ft.constant(Array<float>{0.25f, 4.0f});
  CHECK_ALL_CLOSE(add(fa, fb).value(), (Array<float>{1.75f, 2.0f}));
}

TEST_CASE("add: broadcasting [2, 3] with [3], [2, 1] with [1, 3], [] with [2, 2], both ways") {
  check_broadcast_forward(add_op, [](double a, double b) { return a + b; });
}

TEST_CASE("add: gradient matches finite differences, same shape") {
  CHECK_GRADIENT("add", [](const Inputs& x) { return add(x[0], x[1]); },
                 {rand_array({2, 3}, 1), rand_array({2, 3}, 2)});
}

TEST_CASE("add: gradient sums over broadcast axes, both ways") {
  check_broadcast_gradient("add", add_op);
}

TEST_CASE("add: a value used twice, add(x, x), gets gradient 2") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1.5, -2.0}, {0.25, 3.0}});
  backward(sum(add(x, x)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{{2, 2}, {2, 2}}));
  CHECK_GRADIENT("add(x, x)", [](const Inputs& x) { return add(x[0], x[0]); },
                 {rand_array({2, 3}, 3)});
}

TEST_CASE("add: mismatched shapes throw naming add and both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({4}, 2));
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("[4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("add"), std::invalid_argument);
  Var<double> c = tape.constant(rand_array({3, 2}, 3));
  CHECK_THROWS_WITH_AS(add(a, c), doctest::Contains("[3, 2]"), std::invalid_argument);
}

// ---------------------------------------------------------------- mul

TEST_CASE("mul: forward matches hand-computed products, in double and float") {
  Tape<double> tape;
  Var<double> a = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> b = tape.constant(Array<double>{{0.5, -1, 2}, {10, 0, -6}});
  CHECK_ALL_CLOSE(mul(a, b).value(), (Array<double>{{0.5, -2, 6}, {40, 0, -36}}));

  Tape<float> ft;
  Var<float> fa = ft.constant(Array<float>{1.5f, -2.0f});
  Var<float> fb = ft.constant(Array<float>{0.25f, 4.0f});
  CHECK_ALL_CLOSE(mul(fa, fb).value(), (Array<float>{0.375f, -8.0f}));
}

TEST_CASE("mul: broadcasting [2, 3] with [3], [2, 1] with [1, 3], [] with [2, 2], both ways") {
  check_broadcast_forward(mul_op, [](double a, double b) { return a * b; });
}

TEST_CASE("mul: gradient matches finite differences, same shape") {
  CHECK_GRADIENT("mul", [](const Inputs& x) { return mul(x[0], x[1]); },
                 {rand_array({2, 3}, 1), rand_array({2, 3}, 2)});
}

TEST_CASE("mul: gradient sums over broadcast axes, both ways") {
  check_broadcast_gradient("mul", mul_op);
}

TEST_CASE("mul: a value used twice, mul(x, x), gets gradient 2x") {
  Tape<double> tape;
  const Array<double> v{{1.5, -2.0}, {0.25, 3.0}};
  Var<double> x = tape.variable(v);
  backward(sum(mul(x, x)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{{3.0, -4.0}, {0.5, 6.0}}));
  CHECK_GRADIENT("mul(x, x)", [](const Inputs& x) { return mul(x[0], x[0]); },
                 {rand_array({2, 3}, 3)});
}

TEST_CASE("mul: a constant operand gets no gradient, the variable one does") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.0, 2.0});
  Var<double> c = tape.constant(Array<double>{3.0, -4.0});
  backward(sum(mul(c, x)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{3.0, -4.0}));
  CHECK_FALSE(c.requires_grad());
}

TEST_CASE("mul: mismatched shapes throw naming mul and both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({2}, 2));
  CHECK_THROWS_WITH_AS(mul(a, b), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mul(a, b), doctest::Contains("[2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mul(a, b), doctest::Contains("mul"), std::invalid_argument);
}

// ---------------------------------------------------------------- sub

TEST_CASE("sub: forward matches hand-computed differences, in double and float") {
  Tape<double> tape;
  Var<double> a = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> b = tape.constant(Array<double>{{0.5, -1, 2}, {10, 0, -6}});
  CHECK_ALL_CLOSE(sub(a, b).value(), (Array<double>{{0.5, 3, 1}, {-6, 5, 12}}));

  Tape<float> ft;
  Var<float> fa = ft.constant(Array<float>{1.5f, -2.0f});
  Var<float> fb = ft.constant(Array<float>{0.25f, 4.0f});
  CHECK_ALL_CLOSE(sub(fa, fb).value(), (Array<float>{1.25f, -6.0f}));
}

TEST_CASE("sub: broadcasting [2, 3] with [3], [2, 1] with [1, 3], [] with [2, 2], both ways") {
  check_broadcast_forward(sub_op, [](double a, double b) { return a - b; });
}

TEST_CASE("sub: gradient matches finite differences, including broadcasting both ways") {
  CHECK_GRADIENT("sub", [](const Inputs& x) { return sub(x[0], x[1]); },
                 {rand_array({2, 3}, 1), rand_array({2, 3}, 2)});
  check_broadcast_gradient("sub", sub_op);
}

TEST_CASE("sub: a value used twice, sub(x, x), gets gradient 0") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.5, -2.0});
  backward(sum(sub(x, x)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{0.0, 0.0}));
}

TEST_CASE("sub: mismatched shapes throw naming sub and both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({4}, 2));
  CHECK_THROWS_WITH_AS(sub(a, b), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sub(a, b), doctest::Contains("[4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sub(a, b), doctest::Contains("sub"), std::invalid_argument);
}

// ---------------------------------------------------------------- div

TEST_CASE("div: forward matches hand-computed quotients, in double and float") {
  Tape<double> tape;
  Var<double> a = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> b = tape.constant(Array<double>{{0.5, -1, 2}, {10, 4, -6}});
  CHECK_ALL_CLOSE(div(a, b).value(), (Array<double>{{2, -2, 1.5}, {0.4, 1.25, -1}}));

  Tape<float> ft;
  Var<float> fa = ft.constant(Array<float>{1.5f, -2.0f});
  Var<float> fb = ft.constant(Array<float>{0.25f, 4.0f});
  CHECK_ALL_CLOSE_TOL(div(fa, fb).value(), (Array<float>{6.0f, -0.5f}), 1e-6, 1e-6);
}

TEST_CASE("div: broadcasting [2, 3] with [3], [2, 1] with [1, 3], [] with [2, 2], both ways") {
  check_broadcast_forward(div_op, [](double a, double b) { return a / b; });
}

TEST_CASE("div: gradient matches finite differences, including broadcasting both ways") {
  CHECK_GRADIENT("div", [](const Inputs& x) { return div(x[0], x[1]); },
                 {rand_array({2, 3}, 1), rand_array({2, 3}, 2, 0.5, 2.0)});
  check_broadcast_gradient("div", div_op);
}

TEST_CASE("div: a value used twice, div(x, x), gives 1 with gradient 0") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.5, -2.0});
  Var<double> y = div(x, x);
  CHECK_ALL_CLOSE(y.value(), (Array<double>{1.0, 1.0}));
  backward(sum(y));
  CHECK_ALL_CLOSE_TOL(x.grad(), (Array<double>{0.0, 0.0}), 1e-9, 1e-12);
}

TEST_CASE("div: mismatched shapes throw naming div and both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({3, 2}, 2, 0.5, 2.0));
  CHECK_THROWS_WITH_AS(div(a, b), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(div(a, b), doctest::Contains("[3, 2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(div(a, b), doctest::Contains("div"), std::invalid_argument);
}

// ---------------------------------------------------------------- affine and operators

TEST_CASE("affine: forward is s * x + c, in double and float") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, -2}, {0.5, 4}});
  CHECK_ALL_CLOSE(affine(x, 3.0, -1.0).value(), (Array<double>{{2, -7}, {0.5, 11}}));

  Tape<float> ft;
  Var<float> fx = ft.constant(Array<float>{1.0f, -2.0f});
  CHECK_ALL_CLOSE(affine(fx, 0.5f, 2.0f).value(), (Array<float>{2.5f, 1.0f}));
}

TEST_CASE("affine: gradient matches finite differences") {
  CHECK_GRADIENT("affine", [](const Inputs& x) { return affine(x[0], -2.5, 0.75); },
                 {rand_array({2, 3}, 1)});
  CHECK_GRADIENT("affine 0-d", [](const Inputs& x) { return affine(x[0], 3.0, 1.0); },
                 {rand_array(Shape{}, 2)});
}

TEST_CASE("affine: scalar operators x + c, c + x, x - c, c - x, x * s, s * x, x / s") {
  Tape<double> tape;
  const Array<double> v{1.0, -2.0, 0.5};
  Var<double> x = tape.constant(v);
  CHECK_ALL_CLOSE((x + 2.0).value(), apply(v, [](double e) { return e + 2.0; }));
  CHECK_ALL_CLOSE((2.0 + x).value(), apply(v, [](double e) { return 2.0 + e; }));
  CHECK_ALL_CLOSE((x - 2.0).value(), apply(v, [](double e) { return e - 2.0; }));
  CHECK_ALL_CLOSE((2.0 - x).value(), apply(v, [](double e) { return 2.0 - e; }));
  CHECK_ALL_CLOSE((x * 3.0).value(), apply(v, [](double e) { return e * 3.0; }));
  CHECK_ALL_CLOSE((3.0 * x).value(), apply(v, [](double e) { return 3.0 * e; }));
  CHECK_ALL_CLOSE((x / 4.0).value(), apply(v, [](double e) { return e / 4.0; }));
}

TEST_CASE("affine: scalar operators on a float Var take double literals") {
  Tape<float> tape;
  const Array<float> v{1.0f, -2.0f, 0.5f};
  Var<float> x = tape.constant(v);
  CHECK_ALL_CLOSE((x * 2.0).value(), (Array<float>{2.0f, -4.0f, 1.0f}));
  CHECK_ALL_CLOSE((1.0 - x).value(), (Array<float>{0.0f, 3.0f, 0.5f}));
  CHECK_ALL_CLOSE((x / 2.0).value(), (Array<float>{0.5f, -1.0f, 0.25f}));
  CHECK_ALL_CLOSE((x + 1).value(), (Array<float>{2.0f, -1.0f, 1.5f}));
}

TEST_CASE("affine: scalar operators' gradients match finite differences") {
  CHECK_GRADIENT("c - x / s", [](const Inputs& x) { return 1.5 - x[0] / 4.0; },
                 {rand_array({2, 3}, 1)});
  CHECK_GRADIENT("s * x + c", [](const Inputs& x) { return 3.0 * x[0] + 0.5; },
                 {rand_array({2, 3}, 2)});
  CHECK_GRADIENT("x * s - c", [](const Inputs& x) { return x[0] * -2.0 - 0.5; },
                 {rand_array({3}, 3)});
}

TEST_CASE("operators: Var + - * / Var and unary minus match add, sub, mul, div, neg") {
  Tape<double> tape;
  const Array<double> av{1.0, -2.0, 0.5};
  const Array<double> bv{4.0, 0.5, -2.0};
  Var<double> a = tape.constant(av);
  Var<double> b = tape.constant(bv);
  CHECK_ALL_CLOSE((a + b).value(), (Array<double>{5.0, -1.5, -1.5}));
  CHECK_ALL_CLOSE((a - b).value(), (Array<double>{-3.0, -2.5, 2.5}));
  CHECK_ALL_CLOSE((a * b).value(), (Array<double>{4.0, -1.0, -1.0}));
  CHECK_ALL_CLOSE((a / b).value(), (Array<double>{0.25, -4.0, -0.25}));
  CHECK_ALL_CLOSE((-a).value(), (Array<double>{-1.0, 2.0, -0.5}));
  CHECK_GRADIENT("operators", [](const Inputs& x) { return (x[0] + x[1]) * x[0] / x[1] - x[0]; },
                 {rand_array({2, 3}, 1), rand_array({3}, 2, 0.5, 2.0)});
}

// ---------------------------------------------------------------- neg

TEST_CASE("neg: forward flips the sign, in double and float") {
  Tape<double> tape;
  CHECK_ALL_CLOSE(neg(tape.constant(Array<double>{{1, -2}, {0, 3.5}})).value(),
                  (Array<double>{{-1, 2}, {0, -3.5}}));
  Tape<float> ft;
  CHECK_ALL_CLOSE(neg(ft.constant(Array<float>{1.0f, -0.5f})).value(), (Array<float>{-1.0f, 0.5f}));
}

TEST_CASE("neg: gradient matches finite differences") {
  CHECK_GRADIENT("neg", [](const Inputs& x) { return neg(x[0]); }, {rand_array({2, 3}, 1)});
  CHECK_GRADIENT("neg 0-d", [](const Inputs& x) { return neg(x[0]); }, {rand_array(Shape{}, 2)});
}

// ---------------------------------------------------------------- pow

TEST_CASE("pow: forward matches std::pow for several exponents, in double and float") {
  const Array<double> v = rand_array({2, 3}, 1, 0.5, 2.0);
  Tape<double> tape;
  Var<double> x = tape.constant(v);
  for (double p : {2.0, 3.0, -1.5, 0.5, 0.0, 1.0}) {
    INFO("p = " << p);
    CHECK_ALL_CLOSE(pow(x, p).value(), apply(v, [p](double e) { return std::pow(e, p); }));
  }
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(pow(ft.constant(Array<float>{2.0f, 0.5f}), 3.0f).value(),
                      (Array<float>{8.0f, 0.125f}), 1e-6, 1e-6);
}

TEST_CASE("pow: gradient matches finite differences for positive inputs") {
  const Array<double> v = rand_array({2, 3}, 2, 0.5, 2.0);
  for (double p : {2.0, 3.0, -1.5, 0.5}) {
    INFO("p = " << p);
    CHECK_GRADIENT("pow", [p](const Inputs& x) { return pow(x[0], p); }, {v});
  }
}

// ---------------------------------------------------------------- sqrt

TEST_CASE("sqrt: forward matches std::sqrt, in double and float") {
  const Array<double> v = rand_array({2, 3}, 1, 0.5, 2.0);
  Tape<double> tape;
  CHECK_ALL_CLOSE(sqrt(tape.constant(v)).value(), apply(v, [](double e) { return std::sqrt(e); }));
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(sqrt(ft.constant(Array<float>{4.0f, 0.25f, 2.0f})).value(),
                      (Array<float>{2.0f, 0.5f, std::sqrt(2.0f)}), 1e-6, 1e-6);
}

TEST_CASE("sqrt: gradient matches finite differences for positive inputs") {
  CHECK_GRADIENT("sqrt", [](const Inputs& x) { return sqrt(x[0]); },
                 {rand_array({2, 3}, 2, 0.5, 2.0)});
}

// ---------------------------------------------------------------- tanh

TEST_CASE("tanh: forward matches std::tanh, in double and float") {
  const Array<double> v = rand_array({2, 3}, 1, -3.0, 3.0);
  Tape<double> tape;
  CHECK_ALL_CLOSE(tanh(tape.constant(v)).value(), apply(v, [](double e) { return std::tanh(e); }));
  const Array<float> fv{-1.0f, 0.0f, 2.0f};
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(tanh(ft.constant(fv)).value(),
                      apply(fv, [](float e) { return std::tanh(e); }), 1e-6, 1e-6);
}

TEST_CASE("tanh: gradient matches finite differences") {
  CHECK_GRADIENT("tanh", [](const Inputs& x) { return tanh(x[0]); },
                 {rand_array({2, 3}, 2, -2.0, 2.0)});
}

// ---------------------------------------------------------------- sigmoid

TEST_CASE("sigmoid: forward matches 1 / (1 + e^-x), in double and float") {
  const Array<double> v = rand_array({2, 3}, 1, -4.0, 4.0);
  Tape<double> tape;
  CHECK_ALL_CLOSE(sigmoid(tape.constant(v)).value(),
                  apply(v, [](double e) { return 1.0 / (1.0 + std::exp(-e)); }));
  const Array<float> fv{-1.0f, 0.0f, 2.0f};
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(sigmoid(ft.constant(fv)).value(),
                      apply(fv, [](float e) { return 1.0f / (1.0f + std::exp(-e)); }), 1e-6, 1e-6);
}

TEST_CASE("sigmoid: saturates to 0 and 1 without nan for large inputs") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{-1000.0, 1000.0});
  Var<double> y = sigmoid(x);
  CHECK_ALL_CLOSE(y.value(), (Array<double>{0.0, 1.0}));
  backward(sum(y));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{0.0, 0.0}));
}

TEST_CASE("sigmoid: gradient matches finite differences") {
  CHECK_GRADIENT("sigmoid", [](const Inputs& x) { return sigmoid(x[0]); },
                 {rand_array({2, 3}, 2, -3.0, 3.0)});
}

// ---------------------------------------------------------------- relu

TEST_CASE("relu: forward is max(x, 0), in double and float") {
  Tape<double> tape;
  CHECK_ALL_CLOSE(relu(tape.constant(Array<double>{{-1.5, 0.0, 0.7}, {2.0, -0.1, 1e-3}})).value(),
                  (Array<double>{{0.0, 0.0, 0.7}, {2.0, 0.0, 1e-3}}));
  Tape<float> ft;
  CHECK_ALL_CLOSE(relu(ft.constant(Array<float>{-1.0f, 2.5f})).value(), (Array<float>{0.0f, 2.5f}));
}

TEST_CASE("relu: gradient is 1 where x > 0 and 0 elsewhere") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{-1.5, 0.7, -0.3, 2.0});
  backward(sum(relu(x)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{0.0, 1.0, 0.0, 1.0}));
}

TEST_CASE("relu: gradient matches finite differences away from 0") {
  CHECK_GRADIENT("relu", [](const Inputs& x) { return relu(x[0]); },
                 {Array<double>{{-1.5, 0.7, -0.3}, {2.0, -0.8, 1.1}}});
}

// ---------------------------------------------------------------- exp

TEST_CASE("exp: forward matches std::exp, in double and float") {
  const Array<double> v = rand_array({2, 3}, 1, -2.0, 2.0);
  Tape<double> tape;
  CHECK_ALL_CLOSE(exp(tape.constant(v)).value(), apply(v, [](double e) { return std::exp(e); }));
  const Array<float> fv{-1.0f, 0.0f, 2.0f};
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(exp(ft.constant(fv)).value(), apply(fv, [](float e) { return std::exp(e); }),
                      1e-6, 1e-6);
}

TEST_CASE("exp: gradient matches finite differences") {
  CHECK_GRADIENT("exp", [](const Inputs& x) { return exp(x[0]); },
                 {rand_array({2, 3}, 2, -1.0, 1.0)});
}

// ---------------------------------------------------------------- log

TEST_CASE("log: forward matches std::log, in double and float") {
  const Array<double> v = rand_array({2, 3}, 1, 0.5, 2.0);
  Tape<double> tape;
  CHECK_ALL_CLOSE(log(tape.constant(v)).value(), apply(v, [](double e) { return std::log(e); }));
  const Array<float> fv{0.5f, 1.0f, 2.0f};
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(log(ft.constant(fv)).value(), apply(fv, [](float e) { return std::log(e); }),
                      1e-6, 1e-6);
}

TEST_CASE("log: gradient matches finite differences for positive inputs") {
  CHECK_GRADIENT("log", [](const Inputs& x) { return log(x[0]); },
                 {rand_array({2, 3}, 2, 0.5, 2.0)});
}

TEST_CASE("log: exp then log is the identity with gradient 1") {
  Tape<double> tape;
  const Array<double> v = rand_array({3}, 3);
  Var<double> x = tape.variable(v);
  Var<double> y = log(exp(x));
  CHECK_ALL_CLOSE(y.value(), v);
  backward(sum(y));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{1.0, 1.0, 1.0}));
}

// ---------------------------------------------------------------- masked_fill

TEST_CASE("masked_fill: masked positions take the value, the others keep x") {
  Tape<double> tape;
  const Mask m{{true, false, true}, {false, false, true}};
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  CHECK_ALL_CLOSE(masked_fill(x, m, -7.0).value(), (Array<double>{{-7, 2, -7}, {4, 5, -7}}));
  Tape<float> ft;
  CHECK_ALL_CLOSE(
      masked_fill(ft.constant(Array<float>{1.0f, 2.0f}), Mask{false, true}, 0.5).value(),
      (Array<float>{1.0f, 0.5f}));
}

TEST_CASE("masked_fill: a [3] or [2, 1] mask broadcasts over a [2, 3] value") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  CHECK_ALL_CLOSE(masked_fill(x, Mask{false, true, false}, 0.0).value(),
                  (Array<double>{{1, 0, 3}, {4, 0, 6}}));
  Mask column{true, false};
  column.reshape({2, 1});
  CHECK_ALL_CLOSE(masked_fill(x, column, 9.0).value(), (Array<double>{{9, 9, 9}, {4, 5, 6}}));
}

TEST_CASE("masked_fill: gradient is zero at masked positions") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1, 2, 3}, {4, 5, 6}});
  backward(sum(masked_fill(x, Mask{{true, false, true}, {false, false, true}}, 100.0)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{{0, 1, 0}, {1, 1, 0}}));
}

TEST_CASE("masked_fill: gradient matches finite differences, with a broadcast mask") {
  const Mask full{{true, false, true}, {false, false, true}};
  const Mask row{false, true, false};
  CHECK_GRADIENT("masked_fill", [full](const Inputs& x) { return masked_fill(x[0], full, -3.0); },
                 {rand_array({2, 3}, 1)});
  CHECK_GRADIENT("masked_fill [3] mask",
                 [row](const Inputs& x) { return masked_fill(x[0], row, 2.0); },
                 {rand_array({2, 3}, 2)});
}

TEST_CASE("masked_fill: a mask that does not fit the value throws naming both shapes") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({3}, 1));
  const Mask bigger = xt::zeros<bool>(Shape{2, 3});
  CHECK_THROWS_WITH_AS(masked_fill(x, bigger, 0.0), doctest::Contains("[2, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(masked_fill(x, bigger, 0.0), doctest::Contains("[3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(masked_fill(x, bigger, 0.0), doctest::Contains("masked_fill"),
                       std::invalid_argument);
  Var<double> y = tape.constant(rand_array({2, 3}, 2));
  const Mask wrong = xt::zeros<bool>(Shape{2});
  CHECK_THROWS_WITH_AS(masked_fill(y, wrong, 0.0), doctest::Contains("[2, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(masked_fill(y, wrong, 0.0), doctest::Contains("masked_fill"),
                       std::invalid_argument);
}

// ---------------------------------------------------------------- where
// Called as attnlab::where: with a Mask operand, argument-dependent lookup also finds xt::where,
// whose forwarding references beat attnlab::where's const& for non-const Vars.

TEST_CASE("where: picks a where cond holds, b elsewhere, in double and float") {
  Tape<double> tape;
  const Mask c{{true, false, true}, {false, true, false}};
  Var<double> a = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> b = tape.constant(Array<double>{{-1, -2, -3}, {-4, -5, -6}});
  CHECK_ALL_CLOSE(attnlab::where(c, a, b).value(), (Array<double>{{1, -2, 3}, {-4, 5, -6}}));
  Tape<float> ft;
  CHECK_ALL_CLOSE(attnlab::where(Mask{true, false}, ft.constant(Array<float>{1, 2}),
                                 ft.constant(Array<float>{3, 4}))
                      .value(),
                  (Array<float>{1, 4}));
}

TEST_CASE("where: cond, a and b broadcast against each other") {
  struct Case {
    Shape c, a, b;
  };
  const std::vector<Case> cases = {
      {{2, 3}, {3}, Shape{}},
      {{3}, {2, 1}, {1, 3}},
      {{2, 1}, {2, 3}, {3}},
      {Shape{}, {2, 2}, {2, 2}},
  };
  std::uint64_t seed = 1;
  for (const Case& k : cases) {
    INFO("cond " << shape_str(k.c) << ", a " << shape_str(k.a) << ", b " << shape_str(k.b));
    const Array<double> cd = rand_array(k.c, seed++);
    const Mask cond = cd > 0.0;
    Array<double> c01 = apply(cd, [](double e) { return e > 0.0 ? 1.0 : 0.0; });
    const Array<double> a = rand_array(k.a, seed++);
    const Array<double> b = rand_array(k.b, seed++);
    Tape<double> tape;
    CHECK_ALL_CLOSE(attnlab::where(cond, tape.constant(a), tape.constant(b)).value(),
                    broadcast_loop({c01, a, b}, [](const std::vector<double>& v) {
                      return v[0] != 0.0 ? v[1] : v[2];
                    }));
    CHECK_GRADIENT("where", [cond](const Inputs& x) { return attnlab::where(cond, x[0], x[1]); },
                   {a, b});
  }
}

TEST_CASE("where: gradient goes to a where cond holds and to b elsewhere") {
  Tape<double> tape;
  Var<double> a = tape.variable(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> b = tape.variable(Array<double>{10.0, 20.0, 30.0});  // broadcast over rows
  backward(sum(attnlab::where(Mask{{true, false, true}, {false, false, true}}, a, b)));
  CHECK_ALL_CLOSE(a.grad(), (Array<double>{{1, 0, 1}, {0, 0, 1}}));
  CHECK_ALL_CLOSE(b.grad(), (Array<double>{1, 2, 0}));
}

TEST_CASE("where: a value used twice, where(c, x, x), gets gradient 1 everywhere") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.0, 2.0, 3.0});
  backward(sum(attnlab::where(Mask{true, false, true}, x, x)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{1, 1, 1}));
}

TEST_CASE("where: mismatched shapes throw naming where and both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({4}, 2));
  const Mask c = xt::zeros<bool>(Shape{2, 3});
  CHECK_THROWS_WITH_AS(attnlab::where(c, a, b), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(attnlab::where(c, a, b), doctest::Contains("[4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(attnlab::where(c, a, b), doctest::Contains("where"), std::invalid_argument);
  const Mask bad = xt::zeros<bool>(Shape{2});
  CHECK_THROWS_WITH_AS(attnlab::where(bad, a, a), doctest::Contains("[2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(attnlab::where(bad, a, a), doctest::Contains("[2, 3]"),
                       std::invalid_argument);
}

// ---------------------------------------------------------------- dropout

TEST_CASE("dropout: p = 0 or training = false returns the same values") {
  Tape<double> tape;
  const Array<double> v = rand_array({3, 4}, 1);
  Var<double> x = tape.variable(v);
  Rng rng(5);
  Var<double> y = dropout(x, 0.0, rng);
  CHECK(y.value() == v);
  CHECK(y.node_ptr() == x.node_ptr());
  Var<double> z = dropout(x, 0.5, rng, /*training=*/false);
  CHECK(z.value() == v);
  CHECK(z.node_ptr() == x.node_ptr());
  backward(sum(y));
  CHECK_ALL_CLOSE(x.grad(), Array<double>(xt::ones<double>(v.shape())));
}

TEST_CASE("dropout: the same seed gives the same mask, another seed another") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({8, 16}, 1, 0.5, 2.0));
  Rng r1(42), r2(42), r3(43);
  const Array<double> y1 = dropout(x, 0.5, r1).value();
  const Array<double> y2 = dropout(x, 0.5, r2).value();
  const Array<double> y3 = dropout(x, 0.5, r3).value();
  CHECK(y1 == y2);
  CHECK_FALSE(y1 == y3);
  // The generator advances: a second draw from r1 is a different mask.
  CHECK_FALSE(dropout(x, 0.5, r1).value() == y1);
}

TEST_CASE("dropout: kept values are scaled by 1 / (1 - p), dropped ones are 0") {
  const double p = 0.25;
  const Array<double> v = rand_array({10, 10}, 1, 0.5, 2.0);
  Tape<double> tape;
  Rng rng(7);
  const Array<double> y = dropout(tape.constant(v), p, rng).value();
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double got = y.data()[i];
    if (got != 0.0) CHECK(got == doctest::Approx(v.data()[i] / (1.0 - p)).epsilon(1e-12));
  }
  CHECK(kept_fraction(y) > 0.0);
  CHECK(kept_fraction(y) < 1.0);

  Tape<float> ft;
  Rng frng(7);
  const Array<float> fy =
      dropout(ft.constant(Array<float>(xt::ones<float>({100}))), 0.5, frng).value();
  for (float e : fy) CHECK((e == 0.0f || e == 2.0f));
}

TEST_CASE("dropout: the kept fraction is near 1 - p on a large array") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>(xt::ones<double>({200, 100})));
  for (double p : {0.1, 0.3, 0.5, 0.9}) {
    INFO("p = " << p);
    Rng rng(11);
    const double kept = kept_fraction(dropout(x, p, rng).value());
    CHECK(std::abs(kept - (1.0 - p)) < 0.02);
  }
}

TEST_CASE("dropout: gradient is the mask scaled by 1 / (1 - p)") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>(xt::ones<double>({4, 5})));
  Rng rng(3);
  Var<double> y = dropout(x, 0.4, rng);
  backward(sum(y));
  // With x = 1, y itself is the scaled mask.
  CHECK_ALL_CLOSE(x.grad(), y.value());
}

TEST_CASE("dropout: gradient matches finite differences with a fixed mask") {
  CHECK_GRADIENT("dropout",
                 [](const Inputs& x) {
                   Rng rng(2024);  // the same mask on every evaluation
                   return dropout(x[0], 0.3, rng);
                 },
                 {rand_array({3, 4}, 1)});
}

TEST_CASE("dropout: p below 0, at or above 1, or nan throws naming dropout") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 2}, 1));
  Rng rng(1);
  for (double p : {1.0, -0.1, 1.5, std::numeric_limits<double>::quiet_NaN()}) {
    INFO("p = " << p);
    CHECK_THROWS_WITH_AS(dropout(x, p, rng), doctest::Contains("dropout"), std::invalid_argument);
  }
}

// ---------------------------------------------------------------- clamp_min

TEST_CASE("clamp_min: forward is max(x, lo), gradient passes only above lo") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{-2.0, 0.5, 3.0});
  Var<double> y = clamp_min(x, 0.5);
  CHECK_ALL_CLOSE(y.value(), (Array<double>{0.5, 0.5, 3.0}));
  backward(sum(y * tape.constant(Array<double>{1.0, 2.0, 3.0})));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{0.0, 0.0, 3.0}));
}

TEST_CASE("clamp_min: gradient matches finite differences away from lo") {
  CHECK_GRADIENT("clamp_min", [](const Inputs& x) { return clamp_min(x[0], 0.25); },
                 {Array<double>{{-1.0, 0.7}, {2.0, 0.1}}});
}
