// Reductions: sum and mean, softmax and log_softmax over an axis, and the cross-entropy loss.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

using Inputs = std::vector<Var<double>>;

// An axis of a row-major shape seen as [outer, n, inner]: element (o, k, i) sits at
// o * n * inner + k * inner + i.
struct AxisView {
  std::size_t outer = 1, n = 1, inner = 1;
  AxisView(const Shape& s, std::size_t axis) {
    for (std::size_t d = 0; d < axis; ++d) outer *= s[d];
    n = s[axis];
    for (std::size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
  }
  std::size_t at(std::size_t o, std::size_t k, std::size_t i) const {
    return (o * n + k) * inner + i;
  }
};

Shape shape_of(const Array<double>& x) { return Shape(x.shape().begin(), x.shape().end()); }

// softmax along `axis` by plain loops: e^x / sum e^x, no max subtraction (small inputs only).
Array<double> softmax_loop(const Array<double>& x, std::size_t axis) {
  const AxisView v(shape_of(x), axis);
  Array<double> y = x;
  for (std::size_t o = 0; o < v.outer; ++o)
    for (std::size_t i = 0; i < v.inner; ++i) {
      double s = 0.0;
      for (std::size_t k = 0; k < v.n; ++k) s += std::exp(x.data()[v.at(o, k, i)]);
      for (std::size_t k = 0; k < v.n; ++k)
        y.data()[v.at(o, k, i)] = std::exp(x.data()[v.at(o, k, i)]) / s;
    }
  return y;
}

// log_softmax along `axis` by plain loops: x - log sum e^x.
Array<double> log_softmax_loop(const Array<double>& x, std::size_t axis) {
  const AxisView v(shape_of(x), axis);
  Array<double> y = x;
  for (std::size_t o = 0; o < v.outer; ++o)
    for (std::size_t i = 0; i < v.inner; ++i) {
      double s = 0.0;
      for (std::size_t k = 0; k < v.n; ++k) s += std::exp(x.data()[v.at(o, k, i)]);
      for (std::size_t k = 0; k < v.n; ++k)
        y.data()[v.at(o, k, i)] = x.data()[v.at(o, k, i)] - std::log(s);
    }
  return y;
}

// -log(e^r[t] / sum_j e^r[j]) for one row of V logits.
double nll_row(const double* r, std::size_t V, Index t) {
  double s = 0.0;
  for (std::size_t j = 0; j < V; ++j) s += std::exp(r[j]);
  return -std::log(std::exp(r[t]) / s);
}

Array<float> to_float(const Array<double>& a) {
  Array<float> f = Array<float>::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) f.data()[i] = static_cast<float>(a.data()[i]);
  return f;
}

}  // namespace

// ---------------------------------------------------------------- sum

TEST_CASE("sum: total of all elements is a 0-d value, in double and float") {
  Tape<double> tape;
  Var<double> y = sum(tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6.5}}));
  CHECK(y.dim() == 0);
  CHECK(y.item() == doctest::Approx(21.5).epsilon(1e-15));
  Tape<float> ft;
  CHECK(sum(ft.constant(Array<float>{0.5f, 1.5f, -3.0f})).item() == -1.0f);
}

TEST_CASE("sum: total gradient matches finite differences") {
  CHECK_GRADIENT("sum", [](const Inputs& x) { return sum(x[0]); }, {rand_array({2, 3}, 1)});
  CHECK_GRADIENT("sum of 0-d", [](const Inputs& x) { return sum(x[0]); }, {rand_array(Shape{}, 2)});
  CHECK_GRADIENT("sum of [1]", [](const Inputs& x) { return sum(x[0]); }, {rand_array({1}, 3)});
}

TEST_CASE("sum: on an axis, with and without keepdims, matches hand sums") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  CHECK_ALL_CLOSE(sum(x, 0).value(), (Array<double>{5, 7, 9}));
  CHECK_ALL_CLOSE(sum(x, 1).value(), (Array<double>{6, 15}));
  CHECK_ALL_CLOSE(sum(x, -1).value(), (Array<double>{6, 15}));
  CHECK_ALL_CLOSE(sum(x, -2, true).value(), (Array<double>{{5, 7, 9}}));
  Array<double> col{6, 15};
  col.reshape({2, 1});
  CHECK_ALL_CLOSE(sum(x, 1, true).value(), col);
  Tape<float> ft;
  CHECK_ALL_CLOSE(sum(ft.constant(Array<float>{{1, 2}, {3, 4}}), 0).value(), (Array<float>{4, 6}));
}

TEST_CASE("sum: on an axis of a 3-D value matches a plain loop") {
  const Array<double> x = rand_array({2, 3, 4}, 4);
  Tape<double> tape;
  Var<double> v = tape.constant(x);
  for (int axis : {0, 1, 2}) {
    INFO("axis " << axis);
    const AxisView av(shape_of(x), static_cast<std::size_t>(axis));
    Shape kept = shape_of(x);
    kept[static_cast<std::size_t>(axis)] = 1;
    Array<double> expected = Array<double>::from_shape(kept);
    for (std::size_t o = 0; o < av.outer; ++o)
      for (std::size_t i = 0; i < av.inner; ++i) {
        double s = 0.0;
        for (std::size_t k = 0; k < av.n; ++k) s += x.data()[av.at(o, k, i)];
        expected.data()[o * av.inner + i] = s;
      }
    CHECK_ALL_CLOSE(sum(v, axis, true).value(), expected);
    Shape dropped = shape_of(x);
    dropped.erase(dropped.begin() + axis);
    expected.reshape(dropped);
    CHECK_ALL_CLOSE(sum(v, axis).value(), expected);
  }
}

TEST_CASE("sum: gradient on an axis matches finite differences, negative axis and keepdims") {
  const Array<double> x = rand_array({2, 3, 4}, 5);
  for (int axis : {0, 1, 2, -1, -3}) {
    for (bool keep : {false, true}) {
      INFO("axis " << axis << ", keepdims " << keep);
      CHECK_GRADIENT("sum axis", [=](const Inputs& v) { return sum(v[0], axis, keep); }, {x});
    }
  }
}

TEST_CASE("sum: over a 1-element axis is the value itself, gradient 1") {
  const Array<double> x = rand_array({3, 1}, 6);
  Tape<double> tape;
  Var<double> v = tape.variable(x);
  Array<double> flat = x;
  flat.reshape({3});
  CHECK_ALL_CLOSE(sum(v, 1).value(), flat);
  CHECK_ALL_CLOSE(sum(v, -1, true).value(), x);
  backward(sum(sum(v, 1)));
  CHECK_ALL_CLOSE(v.grad(), (Array<double>(xt::ones<double>({3, 1}))));
  CHECK_GRADIENT("sum over size-1 axis", [](const Inputs& v) { return sum(v[0], -1); }, {x});
}

TEST_CASE("sum: axis out of range throws naming sum and the axis") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(sum(x, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sum(x, 2), doctest::Contains("sum"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(sum(x, -3), doctest::Contains("axis -3"), std::invalid_argument);
}

// ---------------------------------------------------------------- mean

TEST_CASE("mean: total and on an axis match hand means, in double and float") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 9}});
  CHECK(mean(x).item() == doctest::Approx(4.0).epsilon(1e-15));
  CHECK_ALL_CLOSE(mean(x, 0).value(), (Array<double>{2.5, 3.5, 6}));
  CHECK_ALL_CLOSE(mean(x, -1).value(), (Array<double>{2, 6}));
  CHECK_ALL_CLOSE(mean(x, 0, true).value(), (Array<double>{{2.5, 3.5, 6}}));
  CHECK(mean(x, 1, true).shape() == Array<double>::shape_type{2, 1});
  Tape<float> ft;
  CHECK(mean(ft.constant(Array<float>{1, 2, 3, 6})).item() == 3.0f);
}

TEST_CASE("mean: gradient matches finite differences, total and on an axis") {
  const Array<double> x = rand_array({2, 3, 2}, 7);
  CHECK_GRADIENT("mean", [](const Inputs& v) { return mean(v[0]); }, {x});
  for (int axis : {0, 1, -1}) {
    for (bool keep : {false, true}) {
      INFO("axis " << axis << ", keepdims " << keep);
      CHECK_GRADIENT("mean axis", [=](const Inputs& v) { return mean(v[0], axis, keep); }, {x});
    }
  }
  CHECK_GRADIENT("mean over size-1 axis", [](const Inputs& v) { return mean(v[0], 0); },
                 {rand_array({1, 3}, 8)});
}

TEST_CASE("mean: axis out of range or an empty value throws") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(mean(x, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mean(x, 2), doctest::Contains("mean"), std::invalid_argument);
  Var<double> e = tape.constant(Array<double>::from_shape({2, 0}));
  CHECK_THROWS_WITH_AS(mean(e), doctest::Contains("mean"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(mean(e, 1), doctest::Contains("[2, 0]"), std::invalid_argument);
}

// ---------------------------------------------------------------- softmax

TEST_CASE("softmax: forward matches e^x / sum e^x on the last and first axis") {
  const Array<double> x = rand_array({2, 3, 4}, 1, -2.0, 2.0);
  Tape<double> tape;
  Var<double> v = tape.constant(x);
  CHECK_ALL_CLOSE(softmax(v).value(), softmax_loop(x, 2));
  CHECK_ALL_CLOSE(softmax(v, -1).value(), softmax_loop(x, 2));
  CHECK_ALL_CLOSE(softmax(v, 0).value(), softmax_loop(x, 0));
  CHECK_ALL_CLOSE(softmax(v, 1).value(), softmax_loop(x, 1));
  CHECK_ALL_CLOSE(softmax(v, -3).value(), softmax_loop(x, 0));
}

TEST_CASE("softmax: float forward matches the double loop") {
  const Array<double> x = rand_array({3, 5}, 2, -3.0, 3.0);
  Tape<float> tape;
  CHECK_ALL_CLOSE_TOL(softmax(tape.constant(to_float(x))).value(), to_float(softmax_loop(x, 1)),
                      1e-5, 1e-6);
}

TEST_CASE("softmax: rows sum to 1") {
  Tape<double> tape;
  const Array<double> y = softmax(tape.constant(rand_array({4, 7}, 3, -5.0, 5.0))).value();
  for (std::size_t r = 0; r < 4; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < 7; ++c) {
      CHECK(y(r, c) > 0.0);
      s += y(r, c);
    }
    CHECK(s == doctest::Approx(1.0).epsilon(1e-14));
  }
}

TEST_CASE("softmax: stable for large inputs, no inf or nan") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1000, 1001}, {-1000, -1001}});
  Var<double> y = softmax(x);
  const double e = std::exp(1.0);
  CHECK_ALL_CLOSE(y.value(),
                  (Array<double>{{1 / (1 + e), e / (1 + e)}, {e / (1 + e), 1 / (1 + e)}}));
  backward(sum(y * tape.constant(Array<double>{{1, 2}, {3, 5}})));
  CHECK(xt::all(xt::isfinite(x.grad())));
  Tape<float> ft;
  const Array<float> fy = softmax(ft.constant(Array<float>{1000, 1001})).value();
  CHECK(xt::all(xt::isfinite(fy)));
  CHECK(fy(1) == doctest::Approx(e / (1 + e)).epsilon(1e-6));
}

TEST_CASE("softmax: gradient matches finite differences on the first, middle and last axis") {
  const Array<double> x = rand_array({2, 3, 4}, 4);
  for (int axis : {0, 1, 2, -1}) {
    INFO("axis " << axis);
    CHECK_GRADIENT("softmax", [axis](const Inputs& v) { return softmax(v[0], axis); }, {x});
  }
}

TEST_CASE("softmax: a 1-element axis gives 1 and zero gradient") {
  const Array<double> x = rand_array({3, 1}, 5);
  Tape<double> tape;
  Var<double> v = tape.variable(x);
  Var<double> y = softmax(v, -1);
  CHECK_ALL_CLOSE(y.value(), (Array<double>(xt::ones<double>({3, 1}))));
  backward(sum(y * tape.constant(rand_array({3, 1}, 6))));
  CHECK_ALL_CLOSE_TOL(v.grad(), (Array<double>(xt::zeros<double>({3, 1}))), 0.0, 1e-15);
  CHECK_GRADIENT("softmax over size-1 axis", [](const Inputs& v) { return softmax(v[0], 1); }, {x});
}

TEST_CASE("softmax: -inf masked entries get exactly 0 weight and a finite gradient") {
  const double inf = std::numeric_limits<double>::infinity();
  const Mask mask{{false, true, false, true}, {true, false, false, false}};
  const Array<double> x0 = rand_array({2, 4}, 7);
  Tape<double> tape;
  Var<double> x = tape.variable(x0);
  Var<double> y = softmax(masked_fill(x, mask, -inf));
  // masked entries: exactly zero; the rest: softmax over the unmasked entries of the row
  for (std::size_t r = 0; r < 2; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < 4; ++c)
      if (!mask(r, c)) s += std::exp(x0(r, c));
    for (std::size_t c = 0; c < 4; ++c) {
      if (mask(r, c))
        CHECK(y.value()(r, c) == 0.0);
      else
        CHECK(y.value()(r, c) == doctest::Approx(std::exp(x0(r, c)) / s).epsilon(1e-12));
    }
  }
  backward(sum(y * tape.constant(rand_array({2, 4}, 8))));
  const Array<double> g = x.grad();
  CHECK(xt::all(xt::isfinite(g)));
  for (std::size_t r = 0; r < 2; ++r)
    for (std::size_t c = 0; c < 4; ++c)
      if (mask(r, c)) CHECK(g(r, c) == 0.0);
  CHECK_GRADIENT("softmax(masked_fill(x, -inf))",
                 [mask, inf](const Inputs& v) { return softmax(masked_fill(v[0], mask, -inf)); },
                 {x0});
}

TEST_CASE("softmax: axis out of range throws naming softmax and the axis") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(softmax(x, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(softmax(x, 2), doctest::Contains("softmax"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(softmax(x, -3), doctest::Contains("axis -3"), std::invalid_argument);
}

// ---------------------------------------------------------------- log_softmax

TEST_CASE("log_softmax: forward matches x - log sum e^x on the last and first axis") {
  const Array<double> x = rand_array({2, 3, 4}, 1, -2.0, 2.0);
  Tape<double> tape;
  Var<double> v = tape.constant(x);
  CHECK_ALL_CLOSE(log_softmax(v).value(), log_softmax_loop(x, 2));
  CHECK_ALL_CLOSE(log_softmax(v, 0).value(), log_softmax_loop(x, 0));
  CHECK_ALL_CLOSE(log_softmax(v, -2).value(), log_softmax_loop(x, 1));
  Tape<float> ft;
  CHECK_ALL_CLOSE_TOL(log_softmax(ft.constant(to_float(x)), 1).value(),
                      to_float(log_softmax_loop(x, 1)), 1e-5, 1e-6);
}

TEST_CASE("log_softmax: equals log of softmax and its exp sums to 1") {
  const Array<double> x = rand_array({3, 5}, 2, -3.0, 3.0);
  Tape<double> tape;
  Var<double> v = tape.constant(x);
  const Array<double> ls = log_softmax(v).value();
  const Array<double> sm = softmax(v).value();
  for (std::size_t r = 0; r < 3; ++r) {
    double s = 0.0;
    for (std::size_t c = 0; c < 5; ++c) {
      CHECK(ls(r, c) == doctest::Approx(std::log(sm(r, c))).epsilon(1e-12));
      s += std::exp(ls(r, c));
    }
    CHECK(s == doctest::Approx(1.0).epsilon(1e-14));
  }
}

TEST_CASE("log_softmax: stable for large inputs, no inf or nan") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1000, 1001}, {-1000, -1001}});
  Var<double> y = log_softmax(x);
  const double a = std::log(1 + std::exp(1.0));   // -log(1 / (1 + e))
  const double b = std::log(1 + std::exp(-1.0));  // -log(e / (1 + e))
  CHECK_ALL_CLOSE(y.value(), (Array<double>{{-a, -b}, {-b, -a}}));
  backward(sum(y * tape.constant(Array<double>{{1, 2}, {3, 5}})));
  CHECK(xt::all(xt::isfinite(x.grad())));
  Tape<float> ft;
  const Array<float> fy = log_softmax(ft.constant(Array<float>{1000, 1001})).value();
  CHECK(xt::all(xt::isfinite(fy)));
  CHECK(fy(0) == doctest::Approx(-a).epsilon(1e-6));
}

TEST_CASE("log_softmax: gradient matches finite differences on the first, middle and last axis") {
  const Array<double> x = rand_array({2, 3, 4}, 3);
  for (int axis : {0, 1, 2, -1}) {
    INFO("axis " << axis);
    CHECK_GRADIENT("log_softmax", [axis](const Inputs& v) { return log_softmax(v[0], axis); }, {x});
  }
}

TEST_CASE("log_softmax: a 1-element axis gives 0 and zero gradient") {
  const Array<double> x = rand_array({1, 3}, 4);
  Tape<double> tape;
  Var<double> v = tape.variable(x);
  Var<double> y = log_softmax(v, 0);
  CHECK_ALL_CLOSE_TOL(y.value(), (Array<double>{{0, 0, 0}}), 0.0, 1e-15);
  backward(sum(y * tape.constant(rand_array({1, 3}, 5))));
  CHECK_ALL_CLOSE_TOL(v.grad(), (Array<double>{{0, 0, 0}}), 0.0, 1e-15);
  CHECK_GRADIENT("log_softmax over size-1 axis",
                 [](const Inputs& v) { return log_softmax(v[0], 0); }, {x});
}

TEST_CASE("log_softmax: -inf masked entries give -inf there and finite values elsewhere") {
  const double inf = std::numeric_limits<double>::infinity();
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}});
  const Array<double> y = log_softmax(masked_fill(x, Mask{{false, true, false}}, -inf)).value();
  const double lse = std::log(std::exp(1.0) + std::exp(3.0));
  CHECK(y(0, 1) == -inf);
  CHECK(y(0, 0) == doctest::Approx(1 - lse).epsilon(1e-12));
  CHECK(y(0, 2) == doctest::Approx(3 - lse).epsilon(1e-12));
}

TEST_CASE("log_softmax: axis out of range throws naming log_softmax and the axis") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(log_softmax(x, 2), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(log_softmax(x, 2), doctest::Contains("log_softmax"), std::invalid_argument);
}

// ---------------------------------------------------------------- cross_entropy

TEST_CASE("cross_entropy: matches -log softmax at the target, averaged, in double and float") {
  const Array<double> logits{{1, 2, 3}, {0.5, -1, 0}};
  const IndexArray targets{2, 0};
  const double expected = (nll_row(&logits(0, 0), 3, 2) + nll_row(&logits(1, 0), 3, 0)) / 2;
  Tape<double> tape;
  CHECK(cross_entropy(tape.constant(logits), targets).item() ==
        doctest::Approx(expected).epsilon(1e-12));
  Tape<float> ft;
  CHECK(cross_entropy(ft.constant(to_float(logits)), targets).item() ==
        doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("cross_entropy: ignored positions contribute nothing, the mean is over counted ones") {
  const Array<double> logits{{1, 2, 3}, {0, 0, 0}, {2, -1, 0.5}};
  Tape<double> tape;
  Var<double> x = tape.variable(logits);
  Var<double> y = cross_entropy(x, IndexArray{2, -1, 0});
  const double l0 = nll_row(&logits(0, 0), 3, 2);
  const double l2 = nll_row(&logits(2, 0), 3, 0);
  CHECK(y.item() == doctest::Approx((l0 + l2) / 2).epsilon(1e-12));
  // d/dlogits = (softmax - onehot) / count on counted rows, 0 on the ignored row
  backward(y);
  const Array<double> sm = softmax_loop(logits, 1);
  Array<double> expected = sm / 2.0;
  expected(0, 2) -= 0.5;
  expected(2, 0) -= 0.5;
  for (std::size_t c = 0; c < 3; ++c) expected(1, c) = 0.0;
  CHECK_ALL_CLOSE(x.grad(), expected);
  // another ignore_index: now row 0 (target 2) is the only one counted
  CHECK(cross_entropy(tape.constant(logits), IndexArray{2, 0, 0}, 0).item() ==
        doctest::Approx(l0).epsilon(1e-12));
}

TEST_CASE("cross_entropy: all targets ignored gives 0 with zero gradient") {
  Tape<double> tape;
  Var<double> x = tape.variable(rand_array({2, 3}, 1));
  Var<double> y = cross_entropy(x, IndexArray{-1, -1});
  CHECK(y.item() == 0.0);
  backward(y);
  CHECK_ALL_CLOSE(x.grad(), (Array<double>(xt::zeros<double>({2, 3}))));
  CHECK_GRADIENT("cross_entropy all ignored",
                 [](const Inputs& v) {
                   return cross_entropy(v[0], IndexArray{-1, -1});
                 },
                 {rand_array({2, 3}, 2)});
}

TEST_CASE("cross_entropy: logits [B, T, V] with targets [B, T]") {
  const Array<double> logits = rand_array({2, 3, 4}, 3, -2.0, 2.0);
  const IndexArray targets{{0, 3, -1}, {2, 1, 1}};
  double total = 0.0;
  int count = 0;
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t t = 0; t < 3; ++t) {
      if (targets(b, t) == -1) continue;
      total += nll_row(&logits(b, t, 0), 4, targets(b, t));
      ++count;
    }
  Tape<double> tape;
  CHECK(cross_entropy(tape.constant(logits), targets).item() ==
        doctest::Approx(total / count).epsilon(1e-12));
  CHECK_GRADIENT("cross_entropy [B, T, V]",
                 [targets](const Inputs& v) { return cross_entropy(v[0], targets); }, {logits});
}

TEST_CASE("cross_entropy: gradient matches finite differences") {
  const IndexArray targets{1, 0, 3};
  CHECK_GRADIENT("cross_entropy",
                 [targets](const Inputs& v) { return cross_entropy(v[0], targets); },
                 {rand_array({3, 4}, 4, -2.0, 2.0)});
  // a single row: logits [V] with a 0-d target
  const IndexArray one = IndexArray(Index(2));
  CHECK_GRADIENT("cross_entropy [V]", [one](const Inputs& v) { return cross_entropy(v[0], one); },
                 {rand_array({4}, 5)});
}

TEST_CASE("cross_entropy: gradient matches finite differences with some targets ignored") {
  const IndexArray targets{2, -1, 0, -1};
  CHECK_GRADIENT("cross_entropy, ignored",
                 [targets](const Inputs& v) { return cross_entropy(v[0], targets); },
                 {rand_array({4, 3}, 6, -2.0, 2.0)});
  const IndexArray t7{7, 1, 7};
  CHECK_GRADIENT("cross_entropy, ignore_index 7",
                 [t7](const Inputs& v) { return cross_entropy(v[0], t7, 7); },
                 {rand_array({3, 3}, 7)});
}

TEST_CASE("cross_entropy: stable for large logits") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1000, 1001, 999}});
  Var<double> y = cross_entropy(x, IndexArray{0});
  const double expected = std::log(1 + std::exp(1.0) + std::exp(-1.0));
  CHECK(y.item() == doctest::Approx(expected).epsilon(1e-12));
  backward(y);
  CHECK(xt::all(xt::isfinite(x.grad())));
}

TEST_CASE("cross_entropy: a target below 0 or at least V throws naming it") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{0, 3}), doctest::Contains("target 3"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{0, 3}), doctest::Contains("cross_entropy"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{-2, 0}), doctest::Contains("target -2"),
                       std::invalid_argument);
  // -1 is only allowed because it is the ignore_index
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{-1, 0}, 5), doctest::Contains("target -1"),
                       std::invalid_argument);
}

TEST_CASE("cross_entropy: logits and targets of mismatched shapes throw naming both shapes") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{0, 1, 2}), doctest::Contains("[2, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{0, 1, 2}), doctest::Contains("[3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{0, 1, 2}), doctest::Contains("cross_entropy"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(cross_entropy(x, IndexArray{{0, 1}, {1, 0}}), doctest::Contains("[2, 2]"),
                       std::invalid_argument);
}
