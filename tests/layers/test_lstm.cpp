// LSTM: the fused gate op, composed vs fused cells, packed-sequence
// semantics over padded batches, gradients, and learning a tiny task.
#include <cmath>
#include <xtensor/xview.hpp>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

double sig(double x) { return 1 / (1 + std::exp(-x)); }

// Random [B, T, I] inputs as a parameter, so gradchecks cover them too.
Parameter<double> inputs(std::size_t B, std::size_t T, std::size_t I, std::uint64_t seed) {
  return Parameter<double>("x", rand_array({B, T, I}, seed));
}

std::vector<Parameter<double>*> with(std::vector<Parameter<double>*> ps, Parameter<double>* x) {
  ps.push_back(x);
  return ps;
}

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

TEST_CASE("LSTMCell: composed and fused paths agree in values and gradients") {
  Rng rng(4);
  LSTMCell<double> cell("c", 3, 4, rng);
  Parameter<double> x("x", rand_array({3, 3}, 5)), h("h", rand_array({3, 4}, 6)),
      c("c", rand_array({3, 4}, 7));
  const Mask keep{false, true, false};
  const Array<double> wh = rand_array({3, 4}, 8), wc = rand_array({3, 4}, 9);
  std::vector<Parameter<double>*> ps = cell.parameters();
  for (auto* p : {&x, &h, &c}) ps.push_back(p);
  auto run = [&](bool fused) {
    for (auto* p : ps) p->zero_grad();
    Tape<double> t;
    LSTMState<double> s{t.param(h), t.param(c)};
    LSTMState<double> n = fused ? cell.forward(t, t.param(x), s, keep)
                                : cell.forward_composed(t, t.param(x), s, keep);
    backward(sum(n.h * t.constant(wh)) + sum(n.c * t.constant(wc)));
    std::vector<Array<double>> out{n.h.value(), n.c.value()};
    for (auto* p : ps) out.push_back(p->grad);
    return out;
  };
  const auto fused = run(true), composed = run(false);
  for (std::size_t k = 0; k < fused.size(); ++k) {
    INFO("item " << k);
    CHECK_ALL_CLOSE_TOL(fused[k], composed[k], 1e-12, 1e-14);
  }
}

TEST_CASE("LSTMCell: gradient matches finite differences") {
  Rng rng(5);
  LSTMCell<double> cell("c", 2, 3, rng);
  Parameter<double> x("x", rand_array({2, 2}, 1));
  auto r = gradcheck(
      "LSTMCell",
      [&](Tape<double>& t) {
        LSTMState<double> s = cell.zero_state(t, 2);
        s = cell.forward(t, t.param(x), s);
        s = cell.forward(t, t.param(x) * 0.5, s);  // two steps, so W_hh matters
        return sum(s.h * s.h) + sum(s.c);
      },
      with(cell.parameters(), &x));
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("LSTM: each padded sequence gets exactly what it gets alone, both directions") {
  for (bool reverse : {false, true}) {
    Rng rng(6);
    LSTM<double> lstm("l", 2, 3, rng, reverse);
    const std::vector<std::size_t> len{3, 1, 2};
    const Array<double> x = rand_array({3, 3, 2}, 7);
    Tape<double> tape;
    LSTMOutput<double> all = lstm.forward(tape, tape.constant(x), len);
    for (std::size_t b = 0; b < 3; ++b) {
      INFO("reverse " << reverse << ", sequence " << b);
      Array<double> xb = xt::view(x, xt::range(b, b + 1), xt::range(0, len[b]), xt::all());
      LSTMOutput<double> one = lstm.forward(tape, tape.constant(xb), {len[b]});
      Array<double> got =
          xt::view(all.outputs.value(), xt::range(b, b + 1), xt::range(0, len[b]), xt::all());
      CHECK_ALL_CLOSE_TOL(got, one.outputs.value(), 1e-12, 1e-14);
      Array<double> hb = xt::view(all.final.h.value(), xt::range(b, b + 1), xt::all());
      Array<double> cb = xt::view(all.final.c.value(), xt::range(b, b + 1), xt::all());
      CHECK_ALL_CLOSE_TOL(hb, one.final.h.value(), 1e-12, 1e-14);
      CHECK_ALL_CLOSE_TOL(cb, one.final.c.value(), 1e-12, 1e-14);
      for (std::size_t t = len[b]; t < 3; ++t)
        for (std::size_t j = 0; j < 3; ++j) CHECK(all.outputs.value()(b, t, j) == 0.0);
    }
  }
}

TEST_CASE("LSTM: a reverse LSTM's final state is its state after the first token") {
  Rng rng(8);
  LSTM<double> lstm("l", 1, 2, rng, true);
  Tape<double> tape;
  Array<double> x{1.0, 2.0, 0.0};
  x.reshape({1, 3, 1});
  LSTMOutput<double> o = lstm.forward(tape, tape.constant(x), {2});
  Array<double> first = xt::view(o.outputs.value(), xt::all(), 0, xt::all());
  CHECK_ALL_CLOSE(o.final.h.value(), first);
}

TEST_CASE("LSTM: fused and composed agree over a padded batch, with gradients") {
  for (bool reverse : {false, true}) {
    Rng rng(9);
    LSTM<double> lstm("l", 2, 3, rng, reverse);
    Parameter<double> x = inputs(3, 4, 2, 10);
    const Array<double> w = rand_array({3, 4, 3}, 11);
    auto run = [&](bool fused) {
      lstm.fused = fused;
      for (auto* p : with(lstm.parameters(), &x)) p->zero_grad();
      Tape<double> t;
      LSTMOutput<double> o = lstm.forward(t, t.param(x), {4, 2, 1});
      backward(sum(o.outputs * t.constant(w)) + sum(o.final.c));
      std::vector<Array<double>> out{o.outputs.value(), o.final.h.value()};
      for (auto* p : with(lstm.parameters(), &x)) out.push_back(p->grad);
      return out;
    };
    const auto a = run(true), b = run(false);
    for (std::size_t k = 0; k < a.size(); ++k) CHECK_ALL_CLOSE_TOL(a[k], b[k], 1e-12, 1e-14);
  }
}

TEST_CASE("LSTM: gradient matches finite differences over a padded batch") {
  for (bool reverse : {false, true}) {
    Rng rng(12);
    LSTM<double> lstm("l", 2, 2, rng, reverse);
    Parameter<double> x = inputs(2, 3, 2, 13);
    const Array<double> w = rand_array({2, 3, 2}, 14);
    auto r = gradcheck(
        reverse ? "LSTM reverse" : "LSTM",
        [&](Tape<double>& t) {
          LSTMOutput<double> o = lstm.forward(t, t.param(x), {3, 2});
          return sum(o.outputs * t.constant(w)) + sum(o.final.h * o.final.c);
        },
        with(lstm.parameters(), &x));
    INFO(r.message);
    CHECK(r.ok);
  }
}

TEST_CASE("BiLSTM: names as nn.LSTM(bidirectional), outputs [fwd; bwd], gradients") {
  Rng rng(15);
  BiLSTM<double> bi("encoder.lstm", 2, 2, rng);
  std::vector<std::string> names;
  for (auto* p : bi.parameters()) names.push_back(p->name);
  CHECK(names == std::vector<std::string>{
                     "encoder.lstm.weight_ih_l0", "encoder.lstm.weight_hh_l0",
                     "encoder.lstm.bias_ih_l0", "encoder.lstm.bias_hh_l0",
                     "encoder.lstm.weight_ih_l0_reverse", "encoder.lstm.weight_hh_l0_reverse",
                     "encoder.lstm.bias_ih_l0_reverse", "encoder.lstm.bias_hh_l0_reverse"});
  Parameter<double> x = inputs(2, 3, 2, 16);
  {
    Tape<double> t;
    auto o = bi.forward(t, t.param(x), {3, 1});
    CHECK(o.outputs.shape() == Shape{2, 3, 4});
    Array<double> fwd_last = xt::view(o.outputs.value(), 0, 2, xt::range(0, 2));
    Array<double> fwd_final = xt::view(o.fwd.h.value(), 0, xt::all());
    CHECK_ALL_CLOSE(fwd_last, fwd_final);
  }
  const Array<double> w = rand_array({2, 3, 4}, 17);
  auto r = gradcheck(
      "BiLSTM",
      [&](Tape<double>& t) {
        auto o = bi.forward(t, t.param(x), {3, 1});
        return sum(o.outputs * t.constant(w)) + sum(o.bwd.h) + sum(o.fwd.c);
      },
      with(bi.parameters(), &x));
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("LSTM: lengths outside [1, T] and mismatched inputs are refused") {
  Rng rng(18);
  LSTM<double> lstm("l", 2, 2, rng);
  Tape<double> tape;
  Var<double> x = tape.constant(xt::zeros<double>({2, 3, 2}));
  CHECK_THROWS_WITH_AS(lstm.forward(tape, x, {3, 0}), doctest::Contains("length 0 of sequence 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(lstm.forward(tape, x, {4, 1}), doctest::Contains("outside [1, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(lstm.forward(tape, x, {3}), doctest::Contains("[2, 3, 2]"),
                       std::invalid_argument);
}

TEST_CASE("LSTM: overfits a tiny task (the first token of each sequence, read at the end)") {
  // Four sequences whose class is their first token: the LSTM must carry it
  // across the later tokens.
  Rng rng(19);
  Embedding<float> emb("e", 4, 4, rng);
  LSTM<float> lstm("l", 4, 8, rng);
  Dense<float> head("d", 8, 4, rng);
  std::vector<Parameter<float>*> ps = emb.parameters();
  for (auto* p : lstm.parameters()) ps.push_back(p);
  for (auto* p : head.parameters()) ps.push_back(p);
  Adam<float> opt(ps, AdamOptions{0.05});
  const IndexArray x{{0, 2, 3, 1}, {1, 3, 3, 0}, {2, 1, 0, 0}, {3, 0, 2, 0}};
  const std::vector<std::size_t> len{4, 3, 2, 3};
  const IndexArray y{0, 1, 2, 3};
  float loss = 1;
  for (int i = 0; i < 150 && loss > 1e-3f; ++i) {
    Tape<float> t;
    LSTMOutput<float> o = lstm.forward(t, emb.forward(t, x), len);
    Var<float> l = cross_entropy(head.forward(t, o.final.h), y);
    opt.zero_grad();
    backward(l);
    opt.step();
    loss = l.item();
  }
  CHECK(loss < 1e-3f);
}
