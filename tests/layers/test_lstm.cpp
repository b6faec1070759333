// The LSTM's own parts: its fused gate op and its parameters. What every cell
// must do (composed = fused, gradients, padded batches) is in test_recurrent.cpp.
#include <cmath>
#include <xtensor/xview.hpp>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

double sig(double x) { return 1 / (1 + std::exp(-x)); }

}  // namespace

TEST_CASE("lstm_gates: forward is the textbook cell, i f g o order") {
  Tape<double> tape;
  const Array<double> pre{{0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8}};  // H = 2
  const Array<double> c{{0.5, -1.0}};
  Var<double> y =
      lstm_gates(tape.constant(pre), tape.constant(Array<double>{{0.0, 0.0}}), tape.constant(c));
  for (int j = 0; j < 2; ++j) {
    const double i = sig(pre(0, j)), f = sig(pre(0, 2 + j)), g = std::tanh(pre(0, 4 + j)),
                 o = sig(pre(0, 6 + j));
    const double c2 = f * c(0, j) + i * g;
    CHECK(y.value()(0, 2 + j) == doctest::Approx(c2).epsilon(1e-14));
    CHECK(y.value()(0, j) == doctest::Approx(o * std::tanh(c2)).epsilon(1e-14));
  }
}

TEST_CASE("lstm_gates: gradient matches finite differences, kept rows included") {
  const Mask keep{false, true, false};
  CHECK_GRADIENT("lstm_gates", [&](const auto& x) { return lstm_gates(x[0], x[1], x[2], keep); },
                 {rand_array({3, 8}, 1, -2, 2), rand_array({3, 2}, 2), rand_array({3, 2}, 3)});
  CHECK_GRADIENT("lstm_gates (no keep)",
                 [&](const auto& x) { return lstm_gates(x[0], x[1], x[2]); },
                 {rand_array({1, 4}, 4, -2, 2), rand_array({1, 1}, 5), rand_array({1, 1}, 6)});
}

TEST_CASE("lstm_gates: mismatched shapes are refused naming them") {
  Tape<double> tape;
  auto v = [&](Shape s) { return tape.constant(xt::zeros<double>(s)); };
  CHECK_THROWS_WITH_AS(lstm_gates(v({2, 7}), v({2, 2}), v({2, 2})), doctest::Contains("[2, 7]"),
                       std::invalid_argument);
}

TEST_CASE("LSTMCell: parameters named and shaped as nn.LSTMCell") {
  Rng rng(1);
  LSTMCell<float> cell("decoder.lstm", 5, 3, rng);
  std::vector<std::string> names;
  for (auto* p : cell.parameters()) names.push_back(p->name);
  CHECK(names == std::vector<std::string>{"decoder.lstm.weight_ih", "decoder.lstm.weight_hh",
                                          "decoder.lstm.bias_ih", "decoder.lstm.bias_hh"});
  CHECK(cell.weight_ih.value.shape() == Shape{12, 5});
  CHECK(cell.weight_hh.value.shape() == Shape{12, 3});
  CHECK(xt::amax(xt::abs(cell.weight_hh.value))() <= 1 / std::sqrt(3.0f));
}
