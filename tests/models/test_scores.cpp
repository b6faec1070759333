// Every built-in score function against its formula in docs/MODEL_SPEC.md,
// computed directly on tiny numbers, plus the registry's behaviour.
#include <cmath>
#include <xtensor/xview.hpp>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// The worked example: decoder state and four encoder states (D = 2H = 3).
const Array<double> kS{{10, 5, 10}};
const Array<double> kH{{{0, 1, 1}, {5, 0, 1}, {1, 1, 0}, {0, 5, 1}}};

Array<double> energies(ScoreFunction<double>& f, const Array<double>& s, const Array<double>& h) {
  Tape<double> tape;
  f.prepare(tape, tape.constant(h));
  return f.score(tape, tape.constant(s)).value();
}

std::unique_ptr<ScoreFunction<double>> make(const std::string& name, ScoreSizes z = {3, 3, 2, 6}) {
  Rng rng(1);
  return make_score<double>(name, "decoder.attention", z, rng);
}

// Sets a score's parameters in the order parameters() lists them.
void set(ScoreFunction<double>& f, const std::vector<Array<double>>& values) {
  auto ps = f.parameters();
  REQUIRE(ps.size() == values.size());
  for (std::size_t i = 0; i < ps.size(); ++i) {
    REQUIRE(ps[i]->value.shape() == values[i].shape());
    ps[i]->value = values[i];
  }
}

}  // namespace

TEST_CASE("score registry: the six built-ins and the concat alias are there") {
  const auto names = score_names();
  for (const char* n : {"additive", "concat", "cosine", "dot", "general", "location", "scaled_dot"})
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
}

TEST_CASE("score registry: an unknown name is refused, listing the known ones") {
  CHECK_THROWS_WITH_AS(make("bilinear"), doctest::Contains("unknown score 'bilinear'"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(make("bilinear"), doctest::Contains("additive, concat, cosine"),
                       std::invalid_argument);
}

TEST_CASE("dot score: e = s . h (the worked example's 15, 60, 15, 35)") {
  CHECK_ALL_CLOSE(energies(*make("dot"), kS, kH), (Array<double>{{15, 60, 15, 35}}));
}

TEST_CASE("scaled_dot score: e = s . h / sqrt(2H)") {
  const double r = 1 / std::sqrt(3.0);
  CHECK_ALL_CLOSE(energies(*make("scaled_dot"), kS, kH),
                  (Array<double>{{15 * r, 60 * r, 15 * r, 35 * r}}));
}

TEST_CASE("general score: e = s . (W_a h)") {
  auto f = make("general", {2, 3, 2, 6});  // D = 2, 2H = 3
  CHECK(f->parameters()[0]->name == "decoder.attention.linear.weight");
  const Array<double> W{{1, 0, 2}, {0, -1, 1}};
  set(*f, {W});
  const Array<double> s{{1, 2}};
  // W h_j for h = [0,1,1] -> [2, 0]; [5,0,1] -> [7, 1]; [1,1,0] -> [1, -1]; [0,5,1] -> [2, -4]
  CHECK_ALL_CLOSE(energies(*f, s, kH), (Array<double>{{2, 9, -1, -6}}));
}

TEST_CASE("additive score: e = v . tanh(W_1 [s, h] + b_1) + b_2") {
  auto f = make("additive", {1, 2, 2, 6});  // D = 1, 2H = 2, A = 2
  std::vector<std::string> names;
  for (auto* p : f->parameters()) names.push_back(p->name);
  CHECK(names ==
        std::vector<std::string>{"decoder.attention.hidden.weight", "decoder.attention.hidden.bias",
                                 "decoder.attention.out.weight", "decoder.attention.out.bias"});
  const Array<double> W1{{0.5, 1, -1}, {0.2, 0, 0.3}}, b1{0.1, -0.2}, v{{2, -1}}, b2{0.5};
  set(*f, {W1, b1, v, b2});
  Array<double> s{0.7};
  s.reshape({1, 1});
  const Array<double> h{{{1, 2}, {-1, 0.5}}};
  Array<double> want = Array<double>::from_shape({1, 2});
  for (std::size_t j = 0; j < 2; ++j) {
    const double x[3] = {s(0, 0), h(0, j, 0), h(0, j, 1)};
    double e = b2(0);
    for (std::size_t a = 0; a < 2; ++a) {
      double z = b1(a);
      for (std::size_t k = 0; k < 3; ++k) z += W1(a, k) * x[k];
      e += v(0, a) * std::tanh(z);
    }
    want(0, j) = e;
  }
  CHECK_ALL_CLOSE(energies(*f, s, h), want);
  CHECK(energies(*make("concat", {1, 2, 2, 6}), s, h).shape() == want.shape());
}

TEST_CASE("cosine score: e = s . h / (|s| |h|), and finite for a zero state") {
  Array<double> want = Array<double>::from_shape({1, 4});
  const double ns = std::sqrt(225.0);
  const double dots[4] = {15, 60, 15, 35},
               nh[4] = {std::sqrt(2.0), std::sqrt(26.0), std::sqrt(2.0), std::sqrt(26.0)};
  for (int j = 0; j < 4; ++j) want(0, j) = dots[j] / (ns * nh[j]);
  CHECK_ALL_CLOSE(energies(*make("cosine"), kS, kH), want);
  // A zero vector divides by eps, not by zero; its gradient stays finite.
  Array<double> h0 = kH;
  xt::view(h0, 0, 2, xt::all()) = 0.0;
  CHECK(energies(*make("cosine"), kS, h0)(0, 2) == 0.0);
  // (Finite differences cannot check it there: within eps of zero the norm is
  // clamped, so the slope is s / (|s| eps), and a step of 1e-6 leaves that ball.)
  auto f = make("cosine");
  Tape<double> t;
  Var<double> s = t.variable(kS), h = t.variable(h0);
  f->prepare(t, h);
  backward(sum(f->score(t, s)));
  CHECK(xt::all(xt::isfinite(h.grad())));
  CHECK(xt::all(xt::isfinite(s.grad())));
}

TEST_CASE("location score: e = (W_l s + b_l)[:Tx]") {
  auto f = make("location", {2, 3, 2, 5});  // Lmax = 5
  const Array<double> W{{1, 0}, {0, 1}, {1, 1}, {2, 0}, {0, 3}}, b{0.5, 0, 0, 0, -1};
  set(*f, {W, b});
  CHECK(f->parameters()[0]->name == "decoder.attention.location.weight");
  // 4 source positions of 5: the last location is sliced off
  CHECK_ALL_CLOSE(energies(*f, Array<double>{{1, 2}}, kH), (Array<double>{{1.5, 2, 3, 2}}));
}

TEST_CASE("location score: a source longer than Lmax is refused naming both sizes") {
  auto f = make("location", {3, 3, 2, 3});
  Tape<double> tape;
  CHECK_THROWS_WITH_AS(f->prepare(tape, tape.constant(kH)),
                       doctest::Contains("source length 4 exceeds its maximum Lmax = 3"),
                       std::invalid_argument);
}

TEST_CASE("scores that declare D = 2H (dot, scaled_dot, cosine) refuse D != 2H naming both sizes") {
  for (const char* name : {"dot", "scaled_dot", "cosine"})
    CHECK((score_needs(name) & kNeedsDEquals2H) != 0);
  for (const char* name : {"general", "additive", "location"})
    CHECK((score_needs(name) & kNeedsDEquals2H) == 0);
  CHECK(score_needs("location") == kNeedsMaxSourceLength);
  for (const std::string& name : score_names()) {
    if (!(score_needs(name) & kNeedsDEquals2H)) continue;
    INFO(name);
    CHECK_THROWS_WITH_AS(make(name, {4, 6, 2, 6}), doctest::Contains("D = 4"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(make(name, {4, 6, 2, 6}), doctest::Contains("2H = 6"),
                         std::invalid_argument);
  }
}

TEST_CASE("every score: gradient matches finite differences, parameters included") {
  for (const std::string& name : score_names()) {
    INFO(name);
    const bool square = score_needs(name) & kNeedsDEquals2H;
    auto f = make(name, {square ? 4u : 3u, 4, 2, 5});
    Parameter<double> s("s", rand_array({2, square ? 4u : 3u}, 1));
    Parameter<double> h("h", rand_array({2, 3, 4}, 2));
    std::vector<Parameter<double>*> ps = f->parameters();
    ps.push_back(&s);
    ps.push_back(&h);
    const Array<double> w = rand_array({2, 3}, 3);
    auto r = gradcheck(
        name,
        [&](Tape<double>& t) {
          f->prepare(t, t.param(h));
          return sum(f->score(t, t.param(s)) * t.constant(w));
        },
        ps);
    INFO(r.message);
    CHECK(r.ok);
  }
}
