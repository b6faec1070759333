// The tape itself: reuse, diamonds, long chains, stale handles, parameters,
// inference mode and the errors of backward().
#include <cmath>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_CASE("tape: a value used twice gets both gradients") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.5, -2.0});
  backward(sum(x * x + x));  // d/dx = 2x + 1
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{4.0, -3.0}));
}

TEST_CASE("tape: a diamond adds the gradients of both paths") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{0.3});
  Var<double> a = x * 2.0;
  Var<double> b = tanh(x);
  backward(sum(a * b));  // d/dx 2x tanh x = 2 tanh x + 2x (1 - tanh^2 x)
  const double t = std::tanh(0.3);
  CHECK(x.grad()(0) == doctest::Approx(2 * t + 0.6 * (1 - t * t)).epsilon(1e-12));
}

TEST_CASE("tape: a 10,000-node chain runs backward without recursion") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.0});
  Var<double> y = x;
  for (int i = 0; i < 10000; ++i) y = tanh(y) * 1.5 + 0.1;
  CHECK(tape.size() == 30000);  // tanh, scale, shift
  backward(sum(y));
  // The same chain rule by hand, forward: dy_{k+1}/dx = 1.5 (1 - tanh^2 y_k) dy_k/dx.
  double v = 1.0, d = 1.0;
  for (int i = 0; i < 10000; ++i) {
    const double t = std::tanh(v);
    d *= 1.5 * (1 - t * t);
    v = 1.5 * t + 0.1;
  }
  CHECK(y.item() == doctest::Approx(v));
  CHECK(x.grad()(0) == doctest::Approx(d).epsilon(1e-9));
  tape.clear();  // and frees it without recursion either
  CHECK(tape.size() == 0);
}

TEST_CASE("tape: a Var used after clear() throws a stale-handle error") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1.0, 2.0});
  Var<double> y = exp(x);
  tape.clear();
  CHECK_THROWS_WITH_AS(y.value(), doctest::Contains("stale"), std::logic_error);
  CHECK_THROWS_WITH_AS(tanh(x), doctest::Contains("stale"), std::logic_error);
  CHECK_THROWS_AS(backward(sum(y)), std::logic_error);
}

TEST_CASE("tape: a Var that outlives its tape throws instead of dangling") {
  Var<double> y;
  {
    Tape<double> tape;
    y = tape.variable(Array<double>{1.0});
  }
  CHECK_THROWS_WITH_AS(y.item(), doctest::Contains("stale"), std::logic_error);
}

TEST_CASE("tape: an empty Var throws a clear error") {
  Var<double> empty;
  CHECK_FALSE(empty.defined());
  CHECK_THROWS_WITH_AS(empty.value(), doctest::Contains("empty Var"), std::logic_error);
}

TEST_CASE("backward: a non-scalar loss is refused with its shape") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1.0, 2.0}, {3.0, 4.0}});
  CHECK_THROWS_WITH_AS(backward(x * 2.0), doctest::Contains("[2, 2]"), std::invalid_argument);
}

TEST_CASE("backward: a second call adds the same gradient again, not a compounded one") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{2.0});
  Var<double> loss = sum(x * x * x);
  backward(loss);
  backward(loss);
  CHECK(x.grad()(0) == doctest::Approx(2 * 3 * 4.0));
}

TEST_CASE("tape: operands from two tapes are refused") {
  Tape<double> t1, t2;
  Var<double> a = t1.variable(Array<double>{1.0});
  Var<double> b = t2.variable(Array<double>{1.0});
  CHECK_THROWS_WITH_AS(add(a, b), doctest::Contains("different tapes"), std::invalid_argument);
}

TEST_CASE("tape: constants get no gradient and record nothing") {
  Tape<double> tape;
  Var<double> c = tape.constant(Array<double>{1.0, 2.0});
  Var<double> y = tanh(c) * 3.0;
  CHECK_FALSE(y.requires_grad());
  CHECK(tape.size() == 0);
  CHECK_ALL_CLOSE(c.grad(), (Array<double>{0.0, 0.0}));
  // as in PyTorch, differentiating such a value is an error, not a silent no-op
  CHECK_THROWS_WITH_AS(backward(sum(y)), doctest::Contains("nothing to differentiate"),
                       std::logic_error);
}

TEST_CASE("parameter: bound once per tape, gradients accumulate across tapes") {
  Parameter<double> w("w", Array<double>{1.0, -1.0});
  for (int pass = 1; pass <= 2; ++pass) {
    Tape<double> tape;
    Var<double> a = tape.param(w);
    Var<double> b = tape.param(w);
    CHECK(&a.node() == &b.node());
    backward(sum(a * tape.constant(Array<double>{3.0, 4.0})));
    CHECK_ALL_CLOSE(w.grad, (Array<double>{3.0 * pass, 4.0 * pass}));
  }
  w.zero_grad();
  CHECK_ALL_CLOSE(w.grad, (Array<double>{0.0, 0.0}));
}

TEST_CASE("parameter: a frozen parameter gets no gradient") {
  Parameter<double> w("w", Array<double>{2.0});
  w.requires_grad = false;
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{5.0});
  backward(sum(tape.param(w) * x));
  CHECK(w.grad(0) == 0.0);
  CHECK(x.grad()(0) == 2.0);
}

TEST_CASE("inference mode: ops compute values but record nothing") {
  Parameter<double> w("w", Array<double>{0.5, 2.0});
  Tape<double> tape;
  Var<double> loss;
  {
    InferenceMode<double> guard(tape);
    loss = sum(tanh(tape.param(w) * 2.0));
    CHECK(tape.size() == 0);
  }
  CHECK(tape.recording());
  CHECK(loss.item() == doctest::Approx(std::tanh(1.0) + std::tanh(4.0)));
  CHECK_THROWS_WITH_AS(backward(loss), doctest::Contains("inference mode"), std::logic_error);
}

TEST_CASE("tape: float and double instantiations agree") {
  Tape<float> tf;
  Tape<double> td;
  Var<float> xf = tf.variable(Array<float>{0.25f, -0.5f});
  Var<double> xd = td.variable(Array<double>{0.25, -0.5});
  backward(sum(sigmoid(xf) * xf));
  backward(sum(sigmoid(xd) * xd));
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(static_cast<double>(xf.grad()(i)) == doctest::Approx(xd.grad()(i)).epsilon(1e-6));
}
