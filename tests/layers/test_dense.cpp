// Dense: forward against x W^T + b, PyTorch's initialisation range,
// gradients, and learning a tiny linear map.
#include <cmath>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_CASE("Dense: forward is x W^T + b over any leading axes") {
  Rng rng(1);
  Dense<double> d("decoder.out", 3, 2, rng);
  CHECK(d.weight.name == "decoder.out.weight");
  CHECK(d.bias.name == "decoder.out.bias");
  CHECK(d.weight.value.shape() == Shape{2, 3});
  Tape<double> tape;
  const Array<double> x = rand_array({2, 2, 3}, 5);
  Var<double> y = d.forward(tape, tape.constant(x));
  REQUIRE(y.shape() == Shape{2, 2, 2});
  for (std::size_t a = 0; a < 2; ++a)
    for (std::size_t b = 0; b < 2; ++b)
      for (std::size_t o = 0; o < 2; ++o) {
        double want = d.bias.value(o);
        for (std::size_t i = 0; i < 3; ++i) want += x(a, b, i) * d.weight.value(o, i);
        CHECK(y.value()(a, b, o) == doctest::Approx(want).epsilon(1e-12));
      }
}

TEST_CASE("Dense: weights start uniform in +-1/sqrt(in), as nn.Linear") {
  Rng rng(7);
  Dense<float> d("l", 16, 64, rng);
  const float bound = 1.0f / std::sqrt(16.0f);
  CHECK(xt::amax(xt::abs(d.weight.value))() <= bound);
  CHECK(xt::amax(xt::abs(d.weight.value))() > 0.9f * bound);  // spread over the range
  CHECK(xt::amax(xt::abs(d.bias.value))() <= bound);
}

TEST_CASE("Dense: gradient matches finite differences") {
  Rng rng(2);
  Dense<double> d("l", 3, 4, rng);
  Parameter<double> x("x", rand_array({2, 3}, 9));
  std::vector<Parameter<double>*> ps = d.parameters();
  ps.push_back(&x);
  const Array<double> w = rand_array({2, 4}, 4);
  auto r = gradcheck(
      "Dense", [&](Tape<double>& t) { return sum(tanh(d.forward(t, t.param(x))) * t.constant(w)); },
      ps);
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("Dense: overfits a tiny linear map") {
  Rng rng(3);
  Dense<float> d("l", 2, 1, rng);
  const Array<float> x{{1, 2}, {3, -1}, {0, 1}, {-2, 0.5}};
  Array<float> y{0.5f - 2.0f + 0.25f, 1.5f + 1.0f + 0.25f, -1.0f + 0.25f, -1.0f - 0.5f + 0.25f};
  y.reshape({4, 1});  // y = 0.5 x0 - x1 + 0.25
  Adam<float> opt(d.parameters(), 0.05);
  float last = 1;
  for (int i = 0; i < 600; ++i) {
    Tape<float> tape;
    Var<float> e = d.forward(tape, tape.constant(x)) - tape.constant(y);
    Var<float> loss = mean(e * e);
    opt.zero_grad();
    backward(loss);
    opt.step();
    last = loss.item();
  }
  CHECK(last < 1e-6f);
  CHECK(d.weight.value(0, 0) == doctest::Approx(0.5f).epsilon(1e-2));
  CHECK(d.bias.value(0) == doctest::Approx(0.25f).epsilon(1e-2));
}
