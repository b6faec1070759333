// Optimizers: three steps of each against the arithmetic written out and
// against torch.optim, bit-exact resume through save_state/load_state, the
// refusals of load_state and make_optimizer, and minimising a quadratic.
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>

#include "support/check.hpp"
#include "support/temp_dir.hpp"

using namespace attnlab;
using namespace attnlab::test;
namespace fs = std::filesystem;

namespace {

// The tiny problem of the hand-worked cases: w = [1, -2], lr = 0.1, and
// these gradients at steps 1, 2, 3.
constexpr double grads[3][2] = {{0.5, -1.0}, {0.25, 0.5}, {-0.5, 2.0}};

Parameter<double> tiny() { return Parameter<double>("w", Array<double>{1.0, -2.0}); }

void step_with(Optimizer<double>& opt, Parameter<double>& p, int s) {
  p.grad = Array<double>{grads[s][0], grads[s][1]};
  opt.step();
}

// w after each of the three steps.
std::vector<std::array<double, 2>> three_steps(Optimizer<double>& opt, Parameter<double>& p) {
  std::vector<std::array<double, 2>> out;
  for (int s = 0; s < 3; ++s) {
    step_with(opt, p, s);
    out.push_back({p.value(0), p.value(1)});
  }
  return out;
}

void check_trajectory(const std::vector<std::array<double, 2>>& got,
                      const std::vector<std::array<double, 2>>& want, double eps = 1e-12) {
  REQUIRE(got.size() == want.size());
  for (std::size_t s = 0; s < got.size(); ++s)
    for (std::size_t i = 0; i < 2; ++i) {
      INFO("step " << s + 1 << ", element " << i);
      CHECK(got[s][i] == doctest::Approx(want[s][i]).epsilon(eps));
    }
}

std::unique_ptr<Optimizer<double>> make(const std::string& name, Parameter<double>& p,
                                        double wd = 0.0, bool nesterov = false) {
  OptimOptions o;
  o.name = name;
  o.lr = 0.1;
  o.set("weight_decay", wd);
  o.set("nesterov", nesterov);
  return make_optimizer<double>(o, {&p});
}

}  // namespace

// ------------------------------------------------------------ by hand

TEST_CASE("SGD: with no weight decay a step is exactly w -= lr * g (float)") {
  Parameter<float> p("w", Array<float>{1.0f, -2.5f, 0.3f, 7.0f});
  SGD<float> opt({&p}, 0.01);
  const Array<float> g{0.1f, 0.7f, -3.0f, 1e-3f};
  const Array<float> w0 = p.value;
  p.grad = g;
  opt.step();
  const float lr = 0.01f;
  for (std::size_t i = 0; i < 4; ++i) CHECK(p.value(i) == w0(i) - lr * g(i));
  CHECK(opt.steps() == 1);
  CHECK(opt.name() == "sgd");
}

TEST_CASE("SGD: three steps match the arithmetic written out, with and without weight decay") {
  Parameter<double> p = tiny();
  // wd 0: w -= 0.1 g
  //   e0: 1 - 0.05 = 0.95;  0.95 - 0.025 = 0.925;  0.925 + 0.05 = 0.975
  //   e1: -2 + 0.1 = -1.9;  -1.9 - 0.05 = -1.95;  -1.95 - 0.2 = -2.15
  check_trajectory(three_steps(*make("sgd", p), p), {{0.95, -1.9}, {0.925, -1.95}, {0.975, -2.15}});
  // wd 0.1: g' = g + 0.1 w
  //   e0: g' = 0.6 -> 0.94;  g' = 0.25 + 0.094 = 0.344 -> 0.9056;
  //       g' = -0.5 + 0.09056 = -0.40944 -> 0.946544
  //   e1: g' = -1.2 -> -1.88;  g' = 0.5 - 0.188 = 0.312 -> -1.9112;
  //       g' = 2 - 0.19112 = 1.80888 -> -2.092088
  Parameter<double> q = tiny();
  check_trajectory(three_steps(*make("sgd", q, 0.1), q),
                   {{0.94, -1.88}, {0.9056, -1.9112}, {0.946544, -2.092088}});
}

TEST_CASE("Momentum: three steps match the arithmetic written out, nesterov off and on") {
  SUBCASE("plain, wd 0") {
    // buf = g (step 1), then 0.9 buf + g;  w -= 0.1 buf
    //   e0: buf 0.5 -> 0.95;  buf 0.45 + 0.25 = 0.7 -> 0.88;  buf 0.63 - 0.5 = 0.13 -> 0.867
    //   e1: buf -1 -> -1.9;  buf -0.9 + 0.5 = -0.4 -> -1.86;  buf -0.36 + 2 = 1.64 -> -2.024
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("momentum", p), p),
                     {{0.95, -1.9}, {0.88, -1.86}, {0.867, -2.024}});
  }
  SUBCASE("plain, wd 0.1") {
    //   e0: g' 0.6, buf 0.6 -> 0.94;  g' 0.25 + 0.094 = 0.344, buf 0.54 + 0.344 = 0.884
    //       -> 0.8516;  g' -0.5 + 0.08516 = -0.41484, buf 0.7956 - 0.41484 = 0.38076
    //       -> 0.813524
    //   e1: g' -1.2, buf -1.2 -> -1.88;  g' 0.5 - 0.188 = 0.312, buf -1.08 + 0.312 = -0.768
    //       -> -1.8032;  g' 2 - 0.18032 = 1.81968, buf -0.6912 + 1.81968 = 1.12848
    //       -> -1.916048
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("momentum", p, 0.1), p),
                     {{0.94, -1.88}, {0.8516, -1.8032}, {0.813524, -1.916048}});
  }
  SUBCASE("nesterov, wd 0") {
    // w -= 0.1 (g + 0.9 buf)
    //   e0: buf 0.5, d 0.5 + 0.45 = 0.95 -> 0.905;  buf 0.7, d 0.25 + 0.63 = 0.88 -> 0.817;
    //       buf 0.13, d -0.5 + 0.117 = -0.383 -> 0.8553
    //   e1: buf -1, d -1.9 -> -1.81;  buf -0.4, d 0.5 - 0.36 = 0.14 -> -1.824;
    //       buf 1.64, d 2 + 1.476 = 3.476 -> -2.1716
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("momentum", p, 0.0, true), p),
                     {{0.905, -1.81}, {0.817, -1.824}, {0.8553, -2.1716}});
  }
  SUBCASE("nesterov, wd 0.1") {
    //   e0: g' 0.6, buf 0.6, d 0.6 + 0.54 = 1.14 -> 0.886;
    //       g' 0.25 + 0.0886 = 0.3386, buf 0.54 + 0.3386 = 0.8786, d 0.3386 + 0.79074 = 1.12934
    //       -> 0.773066;  g' -0.5 + 0.0773066 = -0.4226934, buf 0.79074 - 0.4226934 = 0.3680466,
    //       d -0.4226934 + 0.33124194 = -0.09145146 -> 0.782211146
    //   e1: g' -1.2, buf -1.2, d -1.2 - 1.08 = -2.28 -> -1.772;
    //       g' 0.5 - 0.1772 = 0.3228, buf -1.08 + 0.3228 = -0.7572, d 0.3228 - 0.68148 = -0.35868
    //       -> -1.736132;  g' 2 - 0.1736132 = 1.8263868, buf -0.68148 + 1.8263868 = 1.1449068,
    //       d 1.8263868 + 1.03041612 = 2.85680292 -> -2.021812292
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("momentum", p, 0.1, true), p),
                     {{0.886, -1.772}, {0.773066, -1.736132}, {0.782211146, -2.021812292}});
  }
}

TEST_CASE("RMSprop: three steps match the arithmetic written out, with and without weight decay") {
  using std::sqrt;
  SUBCASE("wd 0") {
    // v = 0.99 v + 0.01 g^2;  w -= 0.1 g / (sqrt(v) + 1e-8)
    const double a1 = 0.01 * 0.5 * 0.5, b1 = 0.01 * 1.0;
    const double a2 = 0.99 * a1 + 0.01 * 0.25 * 0.25, b2 = 0.99 * b1 + 0.01 * 0.5 * 0.5;
    const double a3 = 0.99 * a2 + 0.01 * 0.5 * 0.5, b3 = 0.99 * b2 + 0.01 * 2.0 * 2.0;
    const double x1 = 1.0 - 0.1 * 0.5 / (sqrt(a1) + 1e-8);
    const double y1 = -2.0 - 0.1 * -1.0 / (sqrt(b1) + 1e-8);
    const double x2 = x1 - 0.1 * 0.25 / (sqrt(a2) + 1e-8);
    const double y2 = y1 - 0.1 * 0.5 / (sqrt(b2) + 1e-8);
    const double x3 = x2 - 0.1 * -0.5 / (sqrt(a3) + 1e-8);
    const double y3 = y2 - 0.1 * 2.0 / (sqrt(b3) + 1e-8);
    // x1 = 1 - 0.05 / 0.05000001 ~ 2e-7: the first step moves by about lr / sqrt(0.01)
    CHECK(x1 == doctest::Approx(2e-7).epsilon(1e-6));
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("rmsprop", p), p), {{x1, y1}, {x2, y2}, {x3, y3}});
  }
  SUBCASE("wd 0.1") {
    const double d1 = 0.5 + 0.1 * 1.0, a1 = 0.01 * d1 * d1;
    const double x1 = 1.0 - 0.1 * d1 / (sqrt(a1) + 1e-8);
    const double d2 = 0.25 + 0.1 * x1, a2 = 0.99 * a1 + 0.01 * d2 * d2;
    const double x2 = x1 - 0.1 * d2 / (sqrt(a2) + 1e-8);
    const double d3 = -0.5 + 0.1 * x2, a3 = 0.99 * a2 + 0.01 * d3 * d3;
    const double x3 = x2 - 0.1 * d3 / (sqrt(a3) + 1e-8);
    const double e1 = -1.0 + 0.1 * -2.0, b1 = 0.01 * e1 * e1;
    const double y1 = -2.0 - 0.1 * e1 / (sqrt(b1) + 1e-8);
    const double e2 = 0.5 + 0.1 * y1, b2 = 0.99 * b1 + 0.01 * e2 * e2;
    const double y2 = y1 - 0.1 * e2 / (sqrt(b2) + 1e-8);
    const double e3 = 2.0 + 0.1 * y2, b3 = 0.99 * b2 + 0.01 * e3 * e3;
    const double y3 = y2 - 0.1 * e3 / (sqrt(b3) + 1e-8);
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("rmsprop", p, 0.1), p), {{x1, y1}, {x2, y2}, {x3, y3}});
  }
}

TEST_CASE("Adam: three steps match the arithmetic written out, with and without weight decay") {
  using std::sqrt;
  // m = 0.9 m + 0.1 g';  v = 0.999 v + 0.001 g'^2;
  // w -= 0.1 / (1 - 0.9^t) * m / (sqrt(v) / sqrt(1 - 0.999^t) + 1e-8)
  const double c1[3] = {1 - 0.9, 1 - 0.9 * 0.9, 1 - 0.9 * 0.9 * 0.9};
  const double c2[3] = {1 - 0.999, 1 - 0.999 * 0.999, 1 - 0.999 * 0.999 * 0.999};
  for (const double wd : {0.0, 0.1}) {
    CAPTURE(wd);
    double expect[3][2];
    for (int i = 0; i < 2; ++i) {
      double w = i == 0 ? 1.0 : -2.0;
      const double d1 = grads[0][i] + wd * w;
      const double m1 = 0.1 * d1, v1 = 0.001 * d1 * d1;
      w = w - 0.1 / c1[0] * m1 / (sqrt(v1) / sqrt(c2[0]) + 1e-8);
      expect[0][i] = w;
      const double d2 = grads[1][i] + wd * w;
      const double m2 = 0.9 * m1 + 0.1 * d2, v2 = 0.999 * v1 + 0.001 * d2 * d2;
      w = w - 0.1 / c1[1] * m2 / (sqrt(v2) / sqrt(c2[1]) + 1e-8);
      expect[1][i] = w;
      const double d3 = grads[2][i] + wd * w;
      const double m3 = 0.9 * m2 + 0.1 * d3, v3 = 0.999 * v2 + 0.001 * d3 * d3;
      w = w - 0.1 / c1[2] * m3 / (sqrt(v3) / sqrt(c2[2]) + 1e-8);
      expect[2][i] = w;
    }
    // The first step moves each weight by about lr, whatever the gradient's size.
    CHECK(expect[0][0] == doctest::Approx(0.9).epsilon(1e-7));
    CHECK(expect[0][1] == doctest::Approx(-1.9).epsilon(1e-7));
    Parameter<double> p = tiny();
    check_trajectory(
        three_steps(*make("adam", p, wd), p),
        {{expect[0][0], expect[0][1]}, {expect[1][0], expect[1][1]}, {expect[2][0], expect[2][1]}});
  }
}

TEST_CASE("Adagrad: three steps match the arithmetic written out, with and without weight decay") {
  using std::sqrt;
  SUBCASE("wd 0") {
    // s += g^2;  w -= 0.1 g / (sqrt(s) + 1e-10)
    //   e0: s 0.25 -> 1 - 0.05/0.5 = 0.9;  s 0.3125 -> 0.9 - 0.025/sqrt(0.3125);
    //       s 0.5625 -> ... + 0.05/0.75
    const double x1 = 1.0 - 0.1 * 0.5 / (sqrt(0.25) + 1e-10);
    const double x2 = x1 - 0.1 * 0.25 / (sqrt(0.25 + 0.0625) + 1e-10);
    const double x3 = x2 + 0.1 * 0.5 / (sqrt(0.25 + 0.0625 + 0.25) + 1e-10);
    //   e1: s 1 -> -1.9;  s 1.25 -> -1.9 - 0.05/sqrt(1.25);  s 5.25 -> ... - 0.2/sqrt(5.25)
    const double y1 = -2.0 + 0.1 * 1.0 / (sqrt(1.0) + 1e-10);
    const double y2 = y1 - 0.1 * 0.5 / (sqrt(1.0 + 0.25) + 1e-10);
    const double y3 = y2 - 0.1 * 2.0 / (sqrt(1.0 + 0.25 + 4.0) + 1e-10);
    CHECK(x3 == doctest::Approx(0.9 - 0.025 / sqrt(0.3125) + 0.05 / 0.75).epsilon(1e-9));
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("adagrad", p), p), {{x1, y1}, {x2, y2}, {x3, y3}});
  }
  SUBCASE("wd 0.1") {
    const double d1 = 0.5 + 0.1 * 1.0, s1 = d1 * d1;
    const double x1 = 1.0 - 0.1 * d1 / (sqrt(s1) + 1e-10);
    const double d2 = 0.25 + 0.1 * x1, s2 = s1 + d2 * d2;
    const double x2 = x1 - 0.1 * d2 / (sqrt(s2) + 1e-10);
    const double d3 = -0.5 + 0.1 * x2, s3 = s2 + d3 * d3;
    const double x3 = x2 - 0.1 * d3 / (sqrt(s3) + 1e-10);
    const double e1 = -1.0 + 0.1 * -2.0, t1 = e1 * e1;
    const double y1 = -2.0 - 0.1 * e1 / (sqrt(t1) + 1e-10);
    const double e2 = 0.5 + 0.1 * y1, t2 = t1 + e2 * e2;
    const double y2 = y1 - 0.1 * e2 / (sqrt(t2) + 1e-10);
    const double e3 = 2.0 + 0.1 * y2, t3 = t2 + e3 * e3;
    const double y3 = y2 - 0.1 * e3 / (sqrt(t3) + 1e-10);
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make("adagrad", p, 0.1), p), {{x1, y1}, {x2, y2}, {x3, y3}});
  }
}

TEST_CASE("optimizers: three steps agree with torch.optim 1.13 (float64 values recorded from it)") {
  // torch.optim.X([w], lr=0.1, weight_decay=wd, ...) in float64 on the tiny
  // problem, w printed after each step (Debian's python3-torch 1.13).
  struct Case {
    const char* name;
    double wd;
    bool nesterov;
    std::vector<std::array<double, 2>> w;
  };
  const std::vector<Case> cases = {
      {"rmsprop",
       0.0,
       false,
       {{1.9999996048181146e-07, -1.0000000999999905},
        {-0.4490129744218298, -1.4490133147443505},
        {0.2209971066270467, -2.3237529434959754}}},
      {"rmsprop",
       0.1,
       false,
       {{1.666666393784766e-07, -1.000000083333327},
        {-0.3862643246928505, -1.3176605211510606},
        {0.2553079559609432, -2.1481883248664575}}},
      {"adam",
       0.0,
       false,
       {{0.900000002, -1.900000001},
        {0.8067820404774624, -1.873366297370903},
        {0.7957037336010943, -1.9190994760260234}}},
      {"adam",
       0.1,
       false,
       {{0.9000000016666666, -1.9000000008333333},
        {0.8050097658613199, -1.8537472646427609},
        {0.775511505150508, -1.88636311586399}}},
      {"adagrad",
       0.0,
       false,
       {{0.90000000002, -1.90000000001},
        {0.8552786404780043, -1.9447213595559958},
        {0.921945307135782, -2.032008515646583}}},
      {"adagrad",
       0.1,
       false,
       {{0.9000000000166667, -1.9000000000083332},
        {0.8506987428255446, -1.925012203264435},
        {0.9022531212138002, -2.0074857847897185}}},
      {"momentum",
       0.1,
       true,
       {{0.886, -1.772}, {0.773066, -1.736132}, {0.782211146, -2.021812292}}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CAPTURE(c.wd);
    Parameter<double> p = tiny();
    check_trajectory(three_steps(*make(c.name, p, c.wd, c.nesterov), p), c.w, 1e-14);
  }
}

// ------------------------------------------------------------ resume

namespace {

struct Model {
  Parameter<float> enc{"encoder.weight", Array<float>::from_shape({3, 4})};
  Parameter<float> dec{"decoder.bias", Array<float>::from_shape({5})};
  Model() {
    for (std::size_t i = 0; i < enc.value.size(); ++i) enc.value.data()[i] = 0.1f * float(i) - 0.5f;
    for (std::size_t i = 0; i < dec.value.size(); ++i) dec.value.data()[i] = 0.3f - 0.2f * float(i);
    enc.zero_grad();
    dec.zero_grad();
  }
  std::vector<Parameter<float>*> params() { return {&enc, &dec}; }
};

// Gradients that depend on the step number, the element and the weights.
void fake_backward(Model& m, std::size_t step) {
  std::size_t k = 0;
  for (Parameter<float>* p : m.params()) {
    for (std::size_t i = 0; i < p->value.size(); ++i)
      p->grad.data()[i] = static_cast<float>(
          std::sin(1.3 * double(step) + 0.7 * double(i) + double(k)) + 0.5 * p->value.data()[i]);
    ++k;
  }
}

// Steps from..to (counting from 0) with halving of lr at step 4, as a schedule might.
void train(Optimizer<float>& opt, Model& m, std::size_t from, std::size_t to) {
  for (std::size_t s = from; s < to; ++s) {
    if (s == 4) opt.lr *= 0.5;
    opt.zero_grad();
    fake_backward(m, s);
    opt.step();
  }
}

std::vector<OptimOptions> every_optimizer() {
  std::vector<OptimOptions> out;
  for (const std::string& name : optimizer_names())
    for (const double wd : {0.0, 0.01})
      for (const bool nesterov : {false, true}) {
        if (nesterov && name != "momentum") continue;
        OptimOptions o;
        o.name = name;
        o.lr = 0.05;
        o.set("weight_decay", wd);
        o.set("nesterov", nesterov);
        out.push_back(o);
      }
  return out;
}

}  // namespace

TEST_CASE("optimizers: k steps, save_state, load_state, N-k steps equal N steps bit for bit") {
  constexpr std::size_t N = 7;
  for (const OptimOptions& o : every_optimizer()) {
    for (const std::size_t k : {std::size_t(1), std::size_t(3), std::size_t(5)}) {
      CAPTURE(o.name);
      CAPTURE(o.get("weight_decay"));
      CAPTURE(o.get("nesterov"));
      CAPTURE(k);
      Model whole;
      auto a = make_optimizer<float>(o, whole.params());
      train(*a, whole, 0, N);

      Model first;
      auto b = make_optimizer<float>(o, first.params());
      train(*b, first, 0, k);
      TempDir dir;
      b->save_state(dir.path.string());

      Model second;  // the weights come back from the model checkpoint
      second.enc.value = first.enc.value;
      second.dec.value = first.dec.value;
      OptimOptions fresh = o;
      fresh.lr = 1.0;  // restored from the state
      auto c = make_optimizer<float>(fresh, second.params());
      c->load_state(dir.path.string());
      CHECK(c->steps() == k);
      CHECK(c->lr == b->lr);
      train(*c, second, k, N);

      CHECK(c->steps() == N);
      CHECK(c->lr == a->lr);
      CHECK(second.enc.value == whole.enc.value);
      CHECK(second.dec.value == whole.dec.value);
      // and something did happen
      CHECK_FALSE(whole.enc.value == Model().enc.value);
    }
  }
}

TEST_CASE("optimizers: save_state writes state.json and one .npy per buffer with PyTorch's names") {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"sgd", {}},
      {"momentum", {"momentum_buffer"}},
      {"rmsprop", {"square_avg"}},
      {"adam", {"exp_avg", "exp_avg_sq"}},
      {"adagrad", {"sum"}}};
  for (const auto& [name, buffers] : expected) {
    CAPTURE(name);
    Model m;
    OptimOptions o;
    o.name = name;
    o.lr = 0.25;
    auto opt = make_optimizer<float>(o, m.params());
    CHECK(opt->name() == name);
    train(*opt, m, 0, 2);
    TempDir dir;
    opt->save_state(dir.path.string() + "/optimizer");  // creates the directory
    std::ifstream in(dir.path / "optimizer" / "state.json");
    REQUIRE(in);
    const nlohmann::json j = nlohmann::json::parse(in);
    CHECK(j["optimizer"] == name);
    CHECK(j["steps"] == 2);
    CHECK(j["lr"] == 0.25);
    CHECK(j["weight_decay"] == 0.0);
    std::size_t files = 0;
    for (const auto& e : fs::directory_iterator(dir.path / "optimizer")) {
      (void)e;
      ++files;
    }
    CHECK(files == 1 + 2 * buffers.size());
    for (const std::string& b : buffers) {
      const Array<float> enc =
          load_npy((dir.path / "optimizer" / ("encoder.weight." + b + ".npy")).string());
      CHECK(enc.shape() == Shape{3, 4});
      const Array<float> dec =
          load_npy((dir.path / "optimizer" / ("decoder.bias." + b + ".npy")).string());
      CHECK(dec.shape() == Shape{5});
    }
  }
}

TEST_CASE("optimizers: state.json is written exactly as before the table (keys sorted, dump(2))") {
  // The text an optimizer wrote before its hyperparameters came from a table.
  Parameter<float> p("w", Array<float>{1.0f, 2.0f});
  OptimOptions o;
  o.name = "momentum";
  o.lr = 0.005;
  o.set("nesterov", true);
  o.set("weight_decay", 0.01);
  auto opt = make_optimizer<float>(o, {&p});
  p.grad = Array<float>{0.5f, 0.5f};
  opt->step();
  TempDir dir;
  opt->save_state(dir.path.string());
  std::ifstream in(dir.path / "state.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text ==
        "{\n  \"buffers\": [\n    \"momentum_buffer\"\n  ],\n  \"lr\": 0.005,\n"
        "  \"momentum\": 0.9,\n  \"nesterov\": true,\n  \"optimizer\": \"momentum\",\n"
        "  \"parameters\": [\n    \"w\"\n  ],\n  \"steps\": 1,\n  \"weight_decay\": 0.01\n}\n");
  Parameter<float> q("w", Array<float>{1.0f});
  OptimOptions a;
  a.name = "adagrad";
  make_optimizer<float>(a, {&q})->save_state(dir.path.string());
  const nlohmann::json j = nlohmann::json::parse(std::ifstream(dir.path / "state.json"));
  CHECK(j.dump() ==
        R"({"buffers":["sum"],"eps":1e-10,"lr":0.001,"optimizer":"adagrad","parameters":["w"],)"
        R"("steps":0,"weight_decay":0.0})");
}

TEST_CASE("Momentum: state saved before the first step restores an uninitialised buffer") {
  OptimOptions o;
  o.name = "momentum";
  o.lr = 0.1;
  Model a, b;
  auto x = make_optimizer<float>(o, a.params());
  TempDir dir;
  x->save_state(dir.path.string());
  CHECK_FALSE(fs::exists(dir.path / "encoder.weight.momentum_buffer.npy"));
  auto y = make_optimizer<float>(o, b.params());
  train(*y, b, 0, 2);  // y's buffer is now initialised; loading must forget it
  b.enc.value = a.enc.value;
  b.dec.value = a.dec.value;
  y->load_state(dir.path.string());
  CHECK(y->steps() == 0);
  train(*x, a, 0, 3);
  train(*y, b, 0, 3);
  CHECK(a.enc.value == b.enc.value);
  CHECK(a.dec.value == b.dec.value);
}

TEST_CASE("optimizers: state.json written with the key buffers_initialised still loads") {
  // Before the buffers knew when they hold state, state.json said it in this
  // key: false (Momentum before its first step, no buffer files) or true.
  for (const auto& [name, saved_at] :
       {std::pair{"momentum", 0}, std::pair{"momentum", 2}, std::pair{"adam", 2}}) {
    CAPTURE(name);
    CAPTURE(saved_at);
    OptimOptions o;
    o.name = name;
    o.lr = 0.1;
    Model a, b;
    auto x = make_optimizer<float>(o, a.params());
    train(*x, a, 0, saved_at);
    TempDir dir;
    x->save_state(dir.path.string());
    nlohmann::json j = nlohmann::json::parse(std::ifstream(dir.path / "state.json"));
    CHECK_FALSE(j.contains("buffers_initialised"));
    j["buffers_initialised"] = saved_at > 0;
    std::ofstream(dir.path / "state.json") << j.dump(2) << "\n";
    auto y = make_optimizer<float>(o, b.params());
    train(*y, b, 0, 3);  // state of its own, which loading replaces
    b.enc.value = a.enc.value;
    b.dec.value = a.dec.value;
    y->load_state(dir.path.string());
    CHECK(y->steps() == static_cast<std::size_t>(saved_at));
    train(*x, a, saved_at, 5);
    train(*y, b, saved_at, 5);
    CHECK(a.enc.value == b.enc.value);
    CHECK(a.dec.value == b.dec.value);
  }
}

TEST_CASE("optimizers: save_state and load_state work for double, through float32 files") {
  Parameter<double> p("w", Array<double>{0.5, -1.0});
  Adam<double> a({&p}, 0.1);
  p.grad = Array<double>{0.3, 0.7};
  a.step();
  TempDir dir;
  a.save_state(dir.path.string());
  Parameter<double> q("w", p.value);
  Adam<double> b({&q}, 0.1);
  b.load_state(dir.path.string());
  p.grad = Array<double>{-0.2, 0.1};
  q.grad = p.grad;
  a.step();
  b.step();
  CHECK(b.steps() == 2);
  CHECK_ALL_CLOSE_TOL(q.value, p.value, 1e-6, 1e-7);
}

// ------------------------------------------------------------ refusals

namespace {

std::string load_error(Optimizer<float>& opt, const std::string& dir) {
  try {
    opt.load_state(dir);
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("optimizers: load_state refuses a missing state.json, naming it") {
  Model m;
  Adam<float> opt(m.params(), 0.1);
  TempDir dir;
  fs::create_directories(dir.path);
  const std::string msg = load_error(opt, dir.path.string());
  CHECK(msg.find((dir.path / "state.json").string()) != std::string::npos);
  CHECK(msg.find("missing") != std::string::npos);
}

TEST_CASE("optimizers: load_state refuses another optimizer's state, naming state.json") {
  Model m;
  Momentum<float> saved(m.params(), 0.1);
  train(saved, m, 0, 1);
  TempDir dir;
  saved.save_state(dir.path.string());
  RMSprop<float> opt(m.params(), 0.1);
  const std::string msg = load_error(opt, dir.path.string());
  CHECK(msg.find((dir.path / "state.json").string()) != std::string::npos);
  CHECK(msg.find("'momentum'") != std::string::npos);
  CHECK(msg.find("'rmsprop'") != std::string::npos);
}

TEST_CASE(
    "optimizers: load_state refuses a buffer of the wrong shape, naming the file, and changes "
    "nothing") {
  Parameter<float> small("w", Array<float>{1.0f, 2.0f});
  Adam<float> saved({&small}, 0.1);
  small.grad = Array<float>{0.5f, 0.5f};
  saved.step();
  TempDir dir;
  saved.save_state(dir.path.string());

  Parameter<float> big("w", Array<float>{1.0f, 2.0f, 3.0f});
  Adam<float> opt({&big}, 0.2);
  const std::string msg = load_error(opt, dir.path.string());
  CHECK(msg.find((dir.path / "w.exp_avg.npy").string()) != std::string::npos);
  CHECK(msg.find("[2]") != std::string::npos);
  CHECK(msg.find("[3]") != std::string::npos);
  CHECK(opt.steps() == 0);
  CHECK(opt.lr == 0.2);
}

TEST_CASE("optimizers: load_state refuses a missing buffer file, naming it") {
  Model m;
  Adagrad<float> saved(m.params(), 0.1);
  train(saved, m, 0, 2);
  TempDir dir;
  saved.save_state(dir.path.string());
  fs::remove(dir.path / "decoder.bias.sum.npy");
  Adagrad<float> opt(m.params(), 0.1);
  const std::string msg = load_error(opt, dir.path.string());
  CHECK(msg.find((dir.path / "decoder.bias.sum.npy").string()) != std::string::npos);
  CHECK(opt.steps() == 0);
}

TEST_CASE("optimizers: load_state refuses state saved for another parameter set") {
  Model m;
  Adam<float> saved(m.params(), 0.1);
  train(saved, m, 0, 1);
  TempDir dir;
  saved.save_state(dir.path.string());
  SUBCASE("a parameter more") {
    Parameter<float> extra("decoder.extra", Array<float>{1.0f});
    std::vector<Parameter<float>*> ps = m.params();
    ps.push_back(&extra);
    Adam<float> opt(ps, 0.1);
    const std::string msg = load_error(opt, dir.path.string());
    CHECK(msg.find((dir.path / "state.json").string()) != std::string::npos);
    CHECK(msg.find("decoder.extra") != std::string::npos);
  }
  SUBCASE("a parameter fewer") {
    Adam<float> opt({&m.enc}, 0.1);
    const std::string msg = load_error(opt, dir.path.string());
    CHECK(msg.find((dir.path / "state.json").string()) != std::string::npos);
    CHECK(msg.find("decoder.bias") != std::string::npos);
  }
}

TEST_CASE("optimizers: load_state refuses a damaged state.json, naming it") {
  Model m;
  Adam<float> opt(m.params(), 0.1);
  TempDir dir;
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "state.json") << "{\"optimizer\": \"adam\", \"steps\": ";
  const std::string msg = load_error(opt, dir.path.string());
  CHECK(msg.find((dir.path / "state.json").string()) != std::string::npos);
  std::ofstream(dir.path / "state.json") << "{\"optimizer\": \"adam\"}";
  const std::string msg2 = load_error(opt, dir.path.string());
  CHECK(msg2.find("'steps'") != std::string::npos);
}

TEST_CASE(
    "optimizers: a gradient whose shape differs from the value is refused, naming the parameter") {
  Parameter<float> p("decoder.out.weight", Array<float>{1.0f, 2.0f});
  SGD<float> opt({&p}, 0.1);
  p.grad = Array<float>{1.0f, 2.0f, 3.0f};
  CHECK_THROWS_WITH_AS(opt.step(), doctest::Contains("decoder.out.weight"), std::invalid_argument);
  CHECK(opt.steps() == 0);
}

TEST_CASE("optimizers: parameters with requires_grad false are left alone") {
  for (const std::string& name : optimizer_names()) {
    CAPTURE(name);
    Parameter<float> p("a", Array<float>{1.0f, 2.0f}), q("b", Array<float>{3.0f});
    q.requires_grad = false;
    OptimOptions o;
    o.name = name;
    o.lr = 0.1;
    o.set("weight_decay", 0.1);
    auto opt = make_optimizer<float>(o, {&p, &q});
    p.grad = Array<float>{1.0f, 1.0f};
    q.grad = Array<float>{1.0f};
    opt->step();
    CHECK(q.value(0) == 3.0f);
    CHECK(p.value(0) != 1.0f);
  }
}

// ------------------------------------------------------------ factory

TEST_CASE("make_optimizer: builds each named optimizer with its own defaults") {
  CHECK(optimizer_names() ==
        std::vector<std::string>{"adagrad", "adam", "momentum", "rmsprop", "sgd"});
  Parameter<float> p("w", Array<float>{1.0f});
  for (const std::string& name : optimizer_names()) {
    OptimOptions o;
    o.name = name;
    o.lr = 0.125;
    auto opt = make_optimizer<float>(o, {&p});
    CHECK(opt->name() == name);
    CHECK(opt->lr == 0.125);
    CHECK(opt->steps() == 0);
    CHECK(opt->parameters().size() == 1);
  }
  // eps -1 picks the optimizer's default: Adagrad's 1e-10 shows on a tiny gradient
  Parameter<double> a("w", Array<double>{0.0}), b("w", Array<double>{0.0});
  OptimOptions o;
  o.name = "adagrad";
  o.lr = 1.0;
  auto x = make_optimizer<double>(o, {&a});
  a.grad = Array<double>{1e-10};
  x->step();
  CHECK(a.value(0) == doctest::Approx(-1e-10 / (1e-10 + 1e-10)).epsilon(1e-12));
  o.set("eps", 1e-8);
  auto y = make_optimizer<double>(o, {&b});
  b.grad = Array<double>{1e-10};
  y->step();
  CHECK(b.value(0) == doctest::Approx(-1e-10 / (1e-10 + 1e-8)).epsilon(1e-12));
}

TEST_CASE("optimizer_hyperparameters: each flag once, in --help's order, with its default") {
  const std::vector<Hyperparameter>& hs = optimizer_hyperparameters();
  REQUIRE(hs.size() == 4);
  CHECK(hs[0].key == "lr");
  CHECK(hs[0].flag == "--lr");
  CHECK(hs[0].default_value == OptimOptions().lr);
  CHECK(hs[1].key == "momentum");
  CHECK(hs[1].flag == "--momentum");
  CHECK(hs[1].default_value == 0.9);
  CHECK(hs[1].range.str() == "in [0, 0.9999]");
  CHECK(hs[1].help == "Momentum (momentum optimizer)");
  CHECK(hs[2].key == "nesterov");
  CHECK(hs[2].flag == "--nesterov");
  CHECK(hs[2].boolean);
  CHECK(hs[2].default_value == 0);
  CHECK(hs[3].key == "weight_decay");
  CHECK(hs[3].flag == "--weight-decay");
  CHECK(hs[3].default_value == 0.0);
  CHECK(hs[3].range.str() == ">= 0");
  for (const Hyperparameter& h : hs) CHECK_FALSE(h.flag.empty());

  // one optimizer's: lr, its own, weight_decay, at its defaults
  std::vector<std::string> keys;
  for (const Hyperparameter& h : optimizer_hyperparameters("adam")) keys.push_back(h.key);
  CHECK(keys == std::vector<std::string>{"lr", "beta1", "beta2", "eps", "weight_decay"});
  CHECK(optimizer_hyperparameters("adagrad")[1].default_value == 1e-10);
  CHECK_THROWS_WITH_AS(optimizer_hyperparameters("lion"), doctest::Contains("unknown optimizer"),
                       std::invalid_argument);
}

TEST_CASE("OptimOptions: a value reads as set, else the named optimizer's default") {
  OptimOptions o;
  o.name = "adagrad";
  CHECK(o.get("eps") == 1e-10);
  o.name = "adam";
  CHECK(o.get("eps") == 1e-8);
  CHECK(o.get("momentum") == 0.9);  // not adam's: the declaring optimizer's default
  o.set("eps", 1e-6);
  CHECK(o.get("eps") == 1e-6);
  o.set("lr", 0.25);
  CHECK(o.lr == 0.25);
  CHECK(o.get("lr") == 0.25);
  CHECK_THROWS_WITH_AS(o.get("amsgrad"), doctest::Contains("'amsgrad'"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(o.set("amsgrad", 1), doctest::Contains("'amsgrad'"), std::invalid_argument);
  Parameter<float> p("w", Array<float>{1.0f});
  auto opt = make_optimizer<float>(o, {&p});
  CHECK(opt->get("eps") == 1e-6);
  CHECK(opt->get("beta2") == 0.999);
  CHECK_THROWS_WITH_AS(opt->get("momentum"), doctest::Contains("adam"), std::invalid_argument);
}

TEST_CASE("make_optimizer: an unknown name is refused, listing the known ones") {
  Parameter<float> p("w", Array<float>{1.0f});
  OptimOptions o;
  o.name = "lion";
  CHECK_THROWS_WITH_AS(make_optimizer<float>(o, {&p}),
                       "unknown optimizer 'lion' (known: adagrad, adam, momentum, rmsprop, sgd)",
                       std::invalid_argument);
}

TEST_CASE("make_optimizer: out-of-range values are refused, naming the setting, never a flag") {
  Parameter<float> p("w", Array<float>{1.0f});
  auto refused = [&](OptimOptions o, const char* option) {
    CAPTURE(option);
    CHECK_THROWS_WITH_AS(make_optimizer<float>(o, {&p}), doctest::Contains(option), OptionError);
  };
  OptimOptions o;
  o.lr = 0;
  refused(o, "lr must");
  o.lr = -0.1;
  refused(o, "lr must");
  o.lr = std::nan("");
  refused(o, "lr must");
  o = {};
  o.set("weight_decay", -1e-4);
  refused(o, "weight_decay must");
  o = {};
  o.name = "momentum";
  o.set("momentum", 1.0);
  refused(o, "momentum must");
  o.set("momentum", -0.1);
  refused(o, "momentum must");
  o.set("momentum", 0.0);
  o.set("nesterov", true);
  refused(o, "nesterov ");
  o = {};
  o.set("nesterov", true);  // adam has no nesterov
  refused(o, "nesterov ");
  o = {};
  o.set("beta1", 1.0);
  refused(o, "beta1 must");
  o = {};
  o.set("beta2", -0.5);
  refused(o, "beta2 must");
  o = {};
  o.set("alpha", 1.5);
  refused(o, "alpha must");
  o = {};
  o.set("eps", -0.5);
  refused(o, "eps must");
  // the edges that are allowed
  o = {};
  o.name = "momentum";
  o.set("momentum", 0.0);
  CHECK_NOTHROW(make_optimizer<float>(o, {&p}));
  o.set("beta1", 0.0);
  o.set("eps", 0.0);
  CHECK_NOTHROW(make_optimizer<float>(o, {&p}));
}

TEST_CASE("optimizers: the existing constructors keep their meaning") {
  Parameter<float> p("w", Array<float>{1.0f});
  Adam<float> adam({&p}, 0.02);
  CHECK(adam.lr == 0.02);
  const Adam<float> defaults({&p});
  CHECK(defaults.lr == 1e-3);
  CHECK(defaults.get("beta1") == 0.9);
  CHECK(defaults.get("beta2") == 0.999);
  CHECK(defaults.get("eps") == 1e-8);
  CHECK(defaults.get("weight_decay") == 0.0);
  SGD<float> sgd({&p}, 0.5);
  CHECK(sgd.lr == 0.5);
}

// ------------------------------------------------------------ convergence

TEST_CASE("optimizers: each drives a quadratic to its minimum through the tape") {
  // loss = sum(a * (w - c)^2), minimum at w = c
  const Array<double> a{1.0, 4.0, 0.5}, c{0.5, -1.0, 2.0};
  struct Run {
    const char* name;
    double lr;
    bool nesterov;
  };
  for (const Run& r :
       {Run{"sgd", 0.1, false}, Run{"momentum", 0.05, false}, Run{"momentum", 0.05, true},
        Run{"rmsprop", 0.01, false}, Run{"adam", 0.05, false}, Run{"adagrad", 0.5, false}}) {
    CAPTURE(r.name);
    CAPTURE(r.nesterov);
    Parameter<double> w("w", Array<double>{3.0, 3.0, -3.0});
    OptimOptions o;
    o.name = r.name;
    o.lr = r.lr;
    o.set("nesterov", r.nesterov);
    auto opt = make_optimizer<double>(o, {&w});
    double first = 0, last = 0;
    for (int s = 0; s < 1000; ++s) {
      Tape<double> tape;
      Var<double> d = tape.param(w) - tape.constant(c);
      Var<double> loss = sum(tape.constant(a) * d * d);
      if (s == 0) first = loss.item();
      last = loss.item();
      opt->zero_grad();
      backward(loss);
      opt->step();
    }
    CHECK(last < 1e-6 * first);
    CHECK_ALL_CLOSE_TOL(w.value, c, 0.0, 1e-2);
  }
}
