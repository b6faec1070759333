// The GRU's own parts: its fused gate op and its parameters. What every cell
// must do (composed = fused, gradients, padded batches) is in test_recurrent.cpp.
#include <cmath>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {
double sig(double x) { return 1 / (1 + std::exp(-x)); }
}  // namespace

TEST_CASE("gru_gates: forward is the textbook cell, r z n order, r inside n") {
  Tape<double> tape;
  const Array<double> px{{0.1, -0.2, 0.3, 0.4, 0.5, -0.6}};  // H = 2
  const Array<double> ph{{-0.7, 0.8, 0.9, -1.0, 1.1, 1.2}};
  const Array<double> h{{0.5, -1.0}};
  Var<double> y = gru_gates(tape.constant(px), tape.constant(ph), tape.constant(h));
  for (int j = 0; j < 2; ++j) {
    const double r = sig(px(0, j) + ph(0, j)), z = sig(px(0, 2 + j) + ph(0, 2 + j));
    const double n = std::tanh(px(0, 4 + j) + r * ph(0, 4 + j));
    CHECK(y.value()(0, j) == doctest::Approx((1 - z) * n + z * h(0, j)).epsilon(1e-14));
  }
}

TEST_CASE("gru_gates: gradient matches finite differences, kept rows included") {
  const Mask keep{false, true, false};
  CHECK_GRADIENT(
      "gru_gates", [&](const auto& x) { return gru_gates(x[0], x[1], x[2], keep); },
      {rand_array({3, 6}, 1, -2, 2), rand_array({3, 6}, 2, -2, 2), rand_array({3, 2}, 3)});
  CHECK_GRADIENT(
      "gru_gates (no keep)", [&](const auto& x) { return gru_gates(x[0], x[1], x[2]); },
      {rand_array({1, 3}, 4, -2, 2), rand_array({1, 3}, 5, -2, 2), rand_array({1, 1}, 6)});
}

TEST_CASE("gru_gates: kept rows pass h through unchanged") {
  Tape<double> tape;
  const Array<double> h{{0.5, -1.0}, {0.25, 0.75}};
  Var<double> y =
      gru_gates(tape.constant(rand_array({2, 6}, 7)), tape.constant(rand_array({2, 6}, 8)),
                tape.constant(h), Mask{true, false});
  CHECK(y.value()(0, 0) == 0.5);
  CHECK(y.value()(0, 1) == -1.0);
  CHECK(y.value()(1, 0) != 0.25);
}

TEST_CASE("gru_gates: mismatched shapes are refused naming them") {
  Tape<double> tape;
  auto v = [&](Shape s) { return tape.constant(xt::zeros<double>(s)); };
  CHECK_THROWS_WITH_AS(gru_gates(v({2, 7}), v({2, 7}), v({2, 2})), doctest::Contains("[2, 7]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(gru_gates(v({2, 6}), v({2, 3}), v({2, 2})), doctest::Contains("[2, 3]"),
                       std::invalid_argument);
}

TEST_CASE("GRUCell: parameters named and shaped as nn.GRUCell, no cell state") {
  Rng rng(1);
  GRUCell<float> cell("decoder.gru", 5, 3, rng);
  std::vector<std::string> names;
  for (auto* p : cell.parameters()) names.push_back(p->name);
  CHECK(names == std::vector<std::string>{"decoder.gru.weight_ih", "decoder.gru.weight_hh",
                                          "decoder.gru.bias_ih", "decoder.gru.bias_hh"});
  CHECK(cell.weight_ih.value.shape() == Shape{9, 5});
  CHECK(cell.weight_hh.value.shape() == Shape{9, 3});
  CHECK(cell.bias_hh.value.shape() == Shape{9});
  CHECK(xt::amax(xt::abs(cell.weight_hh.value))() <= 1 / std::sqrt(3.0f));
  Tape<float> t;
  CellState<float> s = cell.zero_state(t, 2);
  CHECK(s.h.shape() == Shape{2, 3});
  CHECK_FALSE(s.c.defined());
}
