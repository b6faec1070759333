// What every recurrent cell must do, run for each registered one (LSTM, GRU):
// composed and fused paths agree in values and gradients, gradients match
// finite differences, packed-sequence semantics over padded batches in both
// directions, parameter names as PyTorch's, and learning a tiny task.
#include <xtensor/xview.hpp>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// Random [B, T, I] inputs as a parameter, so gradchecks cover them too.
Parameter<double> inputs(std::size_t B, std::size_t T, std::size_t I, std::uint64_t seed) {
  return Parameter<double>("x", rand_array({B, T, I}, seed));
}

std::vector<Parameter<double>*> with(std::vector<Parameter<double>*> ps, Parameter<double>* x) {
  ps.push_back(x);
  return ps;
}

// A scalar that depends on every part of a state (c only where the cell has one).
Var<double> state_sum(Tape<double>& t, const CellState<double>& s, const Array<double>& wh,
                      const Array<double>& wc) {
  Var<double> y = sum(s.h * t.constant(wh));
  return s.c.defined() ? y + sum(s.c * t.constant(wc)) : y;
}

std::vector<Array<double>> values(const CellState<double>& s) {
  if (s.c.defined()) return {s.h.value(), s.c.value()};
  return {s.h.value()};
}

}  // namespace

TEST_CASE("cells: lstm and gru are registered, an unknown cell is refused listing them") {
  CHECK(cell_names() == std::vector<std::string>{"gru", "lstm"});
  Rng rng(1);
  CHECK_THROWS_WITH_AS(make_cell<float>("rnn", "c", 2, 2, rng), doctest::Contains("gru, lstm"),
                       std::invalid_argument);
}

TEST_CASE("cells: composed and fused paths agree in values and gradients") {
  for (const std::string& kind : cell_names()) {
    INFO("cell " << kind);
    Rng rng(4);
    auto cell = make_cell<double>(kind, "c", 3, 4, rng);
    Parameter<double> x("x", rand_array({3, 3}, 5)), h("h", rand_array({3, 4}, 6)),
        c("c", rand_array({3, 4}, 7));
    const Mask keep{false, true, false};
    const Array<double> wh = rand_array({3, 4}, 8), wc = rand_array({3, 4}, 9);
    std::vector<Parameter<double>*> ps = cell->parameters();
    for (auto* p : {&x, &h, &c}) ps.push_back(p);
    auto run = [&](bool fused) {
      for (auto* p : ps) p->zero_grad();
      Tape<double> t;
      CellState<double> s = cell->zero_state(t, 3);
      s.h = t.param(h);
      if (s.c.defined()) s.c = t.param(c);
      CellState<double> n = fused ? cell->forward(t, t.param(x), s, keep)
                                  : cell->forward_composed(t, t.param(x), s, keep);
      backward(state_sum(t, n, wh, wc));
      std::vector<Array<double>> out = values(n);
      for (auto* p : ps) out.push_back(p->grad);
      return out;
    };
    const auto fused = run(true), composed = run(false);
    REQUIRE(fused.size() == composed.size());
    for (std::size_t k = 0; k < fused.size(); ++k) {
      INFO("item " << k);
      CHECK_ALL_CLOSE_TOL(fused[k], composed[k], 1e-12, 1e-14);
    }
  }
}

TEST_CASE("cells: gradient matches finite differences over two steps, fused and composed") {
  for (const std::string& kind : cell_names())
    for (bool fused : {true, false}) {
      Rng rng(5);
      auto cell = make_cell<double>(kind, "c", 2, 3, rng);
      Parameter<double> x("x", rand_array({2, 2}, 1));
      const Array<double> wh = rand_array({2, 3}, 2), wc = rand_array({2, 3}, 3);
      auto r = gradcheck(
          kind + (fused ? " fused" : " composed"),
          [&](Tape<double>& t) {
            auto go = [&](const Var<double>& in, const CellState<double>& s) {
              return fused ? cell->forward(t, in, s) : cell->forward_composed(t, in, s);
            };
            CellState<double> s = cell->zero_state(t, 2);
            s = go(t.param(x), s);
            s = go(t.param(x) * 0.5, s);  // two steps, so W_hh matters
            return state_sum(t, s, wh, wc);
          },
          with(cell->parameters(), &x));
      INFO(r.message);
      CHECK(r.ok);
    }
}

TEST_CASE("RNN: each padded sequence gets exactly what it gets alone, both directions") {
  for (const std::string& kind : cell_names())
    for (bool reverse : {false, true}) {
      Rng rng(6);
      RNN<double> rnn(kind, "l", 2, 3, rng, reverse);
      const std::vector<std::size_t> len{3, 1, 2};
      const Array<double> x = rand_array({3, 3, 2}, 7);
      Tape<double> tape;
      RNNOutput<double> all = rnn.forward(tape, tape.constant(x), len);
      for (std::size_t b = 0; b < 3; ++b) {
        INFO(kind << ", reverse " << reverse << ", sequence " << b);
        Array<double> xb = xt::view(x, xt::range(b, b + 1), xt::range(0, len[b]), xt::all());
        RNNOutput<double> one = rnn.forward(tape, tape.constant(xb), {len[b]});
        Array<double> got =
            xt::view(all.outputs.value(), xt::range(b, b + 1), xt::range(0, len[b]), xt::all());
        CHECK_ALL_CLOSE_TOL(got, one.outputs.value(), 1e-12, 1e-14);
        const auto finals = values(all.final), alone = values(one.final);
        for (std::size_t k = 0; k < finals.size(); ++k) {
          Array<double> row = xt::view(finals[k], xt::range(b, b + 1), xt::all());
          CHECK_ALL_CLOSE_TOL(row, alone[k], 1e-12, 1e-14);
        }
        for (std::size_t t = len[b]; t < 3; ++t)
          for (std::size_t j = 0; j < 3; ++j) CHECK(all.outputs.value()(b, t, j) == 0.0);
      }
    }
}

TEST_CASE("RNN: a reverse RNN's final state is its state after the first token") {
  for (const std::string& kind : cell_names()) {
    Rng rng(8);
    RNN<double> rnn(kind, "l", 1, 2, rng, true);
    Tape<double> tape;
    Array<double> x{1.0, 2.0, 0.0};
    x.reshape({1, 3, 1});
    RNNOutput<double> o = rnn.forward(tape, tape.constant(x), {2});
    Array<double> first = xt::view(o.outputs.value(), xt::all(), 0, xt::all());
    CHECK_ALL_CLOSE(o.final.h.value(), first);
  }
}

TEST_CASE("RNN: fused and composed agree over a padded batch, with gradients") {
  for (const std::string& kind : cell_names())
    for (bool reverse : {false, true}) {
      INFO(kind << ", reverse " << reverse);
      Rng rng(9);
      RNN<double> rnn(kind, "l", 2, 3, rng, reverse);
      Parameter<double> x = inputs(3, 4, 2, 10);
      const Array<double> w = rand_array({3, 4, 3}, 11), wh = rand_array({3, 3}, 12);
      auto run = [&](bool fused) {
        rnn.fused = fused;
        for (auto* p : with(rnn.parameters(), &x)) p->zero_grad();
        Tape<double> t;
        RNNOutput<double> o = rnn.forward(t, t.param(x), {4, 2, 1});
        backward(sum(o.outputs * t.constant(w)) + state_sum(t, o.final, wh, wh));
        std::vector<Array<double>> out = values(o.final);
        out.push_back(o.outputs.value());
        for (auto* p : with(rnn.parameters(), &x)) out.push_back(p->grad);
        return out;
      };
      const auto a = run(true), b = run(false);
      for (std::size_t k = 0; k < a.size(); ++k) CHECK_ALL_CLOSE_TOL(a[k], b[k], 1e-12, 1e-14);
    }
}

TEST_CASE("RNN: gradient matches finite differences over a padded batch") {
  for (const std::string& kind : cell_names())
    for (bool reverse : {false, true}) {
      Rng rng(12);
      RNN<double> rnn(kind, "l", 2, 2, rng, reverse);
      Parameter<double> x = inputs(2, 3, 2, 13);
      const Array<double> w = rand_array({2, 3, 2}, 14), wh = rand_array({2, 2}, 15);
      auto r = gradcheck(
          kind + (reverse ? " reverse" : ""),
          [&](Tape<double>& t) {
            RNNOutput<double> o = rnn.forward(t, t.param(x), {3, 2});
            return sum(o.outputs * t.constant(w)) + state_sum(t, o.final, wh, wh);
          },
          with(rnn.parameters(), &x));
      INFO(r.message);
      CHECK(r.ok);
    }
}

TEST_CASE("BiRNN: names as nn.LSTM / nn.GRU (bidirectional), outputs [fwd, bwd], gradients") {
  for (const std::string& kind : cell_names()) {
    INFO("cell " << kind);
    Rng rng(15);
    const std::string p = "encoder." + kind;
    BiRNN<double> bi(kind, p, 2, 2, rng);
    std::vector<std::string> names;
    for (auto* q : bi.parameters()) names.push_back(q->name);
    CHECK(names == std::vector<std::string>{
                       p + ".weight_ih_l0", p + ".weight_hh_l0", p + ".bias_ih_l0",
                       p + ".bias_hh_l0", p + ".weight_ih_l0_reverse", p + ".weight_hh_l0_reverse",
                       p + ".bias_ih_l0_reverse", p + ".bias_hh_l0_reverse"});
    CHECK(bi.parameters()[0]->value.shape() == Shape{(kind == "gru" ? 3u : 4u) * 2, 2});
    Parameter<double> x = inputs(2, 3, 2, 16);
    {
      Tape<double> t;
      auto o = bi.forward(t, t.param(x), {3, 1});
      CHECK(o.outputs.shape() == Shape{2, 3, 4});
      Array<double> fwd_last = xt::view(o.outputs.value(), 0, 2, xt::range(0, 2));
      Array<double> fwd_final = xt::view(o.fwd.h.value(), 0, xt::all());
      CHECK_ALL_CLOSE(fwd_last, fwd_final);
    }
    const Array<double> w = rand_array({2, 3, 4}, 17), wh = rand_array({2, 2}, 18);
    auto r = gradcheck(
        "BiRNN " + kind,
        [&](Tape<double>& t) {
          auto o = bi.forward(t, t.param(x), {3, 1});
          return sum(o.outputs * t.constant(w)) + sum(o.bwd.h) + state_sum(t, o.fwd, wh, wh);
        },
        with(bi.parameters(), &x));
    INFO(r.message);
    CHECK(r.ok);
  }
}

TEST_CASE("RNN: lengths outside [1, T] and mismatched inputs are refused") {
  Rng rng(18);
  RNN<double> rnn("lstm", "l", 2, 2, rng);
  Tape<double> tape;
  Var<double> x = tape.constant(xt::zeros<double>({2, 3, 2}));
  CHECK_THROWS_WITH_AS(rnn.forward(tape, x, {3, 0}), doctest::Contains("length 0 of sequence 1"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(rnn.forward(tape, x, {4, 1}), doctest::Contains("outside [1, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(rnn.forward(tape, x, {3}), doctest::Contains("[2, 3, 2]"),
                       std::invalid_argument);
}

TEST_CASE("RNN: overfits a tiny task (the first token of each sequence, read at the end)") {
  // Four sequences whose class is their first token: the RNN must carry it
  // across the later tokens.
  for (const std::string& kind : cell_names()) {
    INFO("cell " << kind);
    Rng rng(19);
    Embedding<float> emb("e", 4, 4, rng);
    RNN<float> rnn(kind, "l", 4, 8, rng);
    Dense<float> head("d", 8, 4, rng);
    std::vector<Parameter<float>*> ps = emb.parameters();
    for (auto* p : rnn.parameters()) ps.push_back(p);
    for (auto* p : head.parameters()) ps.push_back(p);
    Adam<float> opt(ps, 0.05);
    const IndexArray x{{0, 2, 3, 1}, {1, 3, 3, 0}, {2, 1, 0, 0}, {3, 0, 2, 0}};
    const std::vector<std::size_t> len{4, 3, 2, 3};
    const IndexArray y{0, 1, 2, 3};
    float loss = 1;
    for (int i = 0; i < 150 && loss > 1e-3f; ++i) {
      Tape<float> t;
      RNNOutput<float> o = rnn.forward(t, emb.forward(t, x), len);
      Var<float> l = cross_entropy(head.forward(t, o.final.h), y);
      opt.zero_grad();
      backward(l);
      opt.step();
      loss = l.item();
    }
    CHECK(loss < 1e-3f);
  }
}
