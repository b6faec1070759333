// The LSTM step written out from primitive ops next to the library's fused
// LSTMCell (one GEMM and one gate op with its own backward), on the same
// parameters: the same numbers, the same gradients, the tape nodes each
// records and how much faster the fused one is; then the same for the GRU.
//
//   lstm_from_primitives [--steps N]   (N: the timed sequence's length, 40; at most 100)
#include <attnlab.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <xtensor/xrandom.hpp>

using namespace attnlab;

namespace {

// One LSTM step as nn.LSTMCell: weight_ih [4H, I] and weight_hh [4H, H] hold
// the rows of the gates i, f, g, o, one block under the other.
template <class T>
CellState<T> lstm_step(Tape<T>& t, RecurrentCell<T>& cell, const Var<T>& x, const CellState<T>& s) {
  const std::size_t H = cell.hidden_size();
  // W_ih x + b_ih + W_hh h + b_hh: the pre-activations of all four gates, [B, 4H]
  Var<T> pre = linear(x, t.param(cell.weight_ih), t.param(cell.bias_ih)) +
               linear(s.h, t.param(cell.weight_hh), t.param(cell.bias_hh));
  std::vector<Var<T>> z = split(pre, 1, {H, H, H, H});  // blocks i, f, g, o: [B, H] each
  Var<T> i = sigmoid(z[0]);    // input gate: how much of the candidate to write
  Var<T> f = sigmoid(z[1]);    // forget gate: how much of the old cell to keep
  Var<T> g = tanh(z[2]);       // the candidate
  Var<T> o = sigmoid(z[3]);    // output gate: how much of the cell to show
  Var<T> c = f * s.c + i * g;  // c' = f*c + i*g
  return {o * tanh(c), c};     // h' = o*tanh(c')
}

// One GRU step as nn.GRUCell: blocks r, z, n. The hidden part stays apart
// from the input part because the reset gate scales only it inside n.
template <class T>
CellState<T> gru_step(Tape<T>& t, RecurrentCell<T>& cell, const Var<T>& x, const CellState<T>& s) {
  const std::size_t H = cell.hidden_size();
  Var<T> px = linear(x, t.param(cell.weight_ih), t.param(cell.bias_ih));    // W_i* x + b_i*
  Var<T> ph = linear(s.h, t.param(cell.weight_hh), t.param(cell.bias_hh));  // W_h* h + b_h*
  std::vector<Var<T>> a = split(px, 1, {H, H, H}), b = split(ph, 1, {H, H, H});
  Var<T> r = sigmoid(a[0] + b[0]);              // reset gate
  Var<T> z = sigmoid(a[1] + b[1]);              // update gate
  Var<T> n = tanh(a[2] + r * b[2]);             // n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
  return {(T(1) - z) * n + z * s.h, Var<T>()};  // h' = (1 - z) * n + z * h; no cell state
}

double max_abs(const Array<double>& a) { return xt::amax(xt::abs(a))(); }  // largest |entry|

void print_state(const char* label, const Array<double>& a) {  // the batch's rows split by |
  std::printf("  %-12s", label);
  for (std::size_t k = 0; k < a.size(); ++k)
    std::printf("%s%9.5f", k && k % a.shape()[1] == 0 ? "  |" : "", a.data()[k]);
  std::printf("\n");
}

// For the cell `kind`: a tiny one in double, one step both ways on one tape
// from a random state (so that W_hh gets a gradient), then the timing at a
// realistic size in float. True if the two paths agree.
bool compare(const std::string& kind, int steps) {
  const bool lstm = kind == "lstm";
  const auto composed = lstm ? lstm_step<double> : gru_step<double>;
  const std::size_t B = 2, I = 3, H = 4;
  Rng rng(1);
  std::unique_ptr<RecurrentCell<double>> cell = make_cell<double>(kind, kind, I, H, rng);
  auto rand = [&](std::size_t n) { return xt::random::rand<double>({B, n}, -1, 1, rng); };
  const Array<double> x = rand(I), h = rand(H), c = rand(H), u = rand(H), v = rand(H);
  auto state = [&](Tape<double>& t) { return CellState<double>{t.constant(h), t.constant(c)}; };
  auto step = [&](Tape<double>& t) { return composed(t, *cell, t.constant(x), state(t)); };
  // Fixed, uneven weights u and v: no wrong gradient hides behind a plain sum.
  auto loss = [&](Tape<double>& t, const CellState<double>& y) {
    return lstm ? sum(y.h * t.constant(u)) + sum(y.c * t.constant(v)) : sum(y.h * t.constant(u));
  };
  std::printf("%s, B = %zu, input %zu, hidden %zu, double:\n", lstm ? "LSTM" : "GRU", B, I, H);
  Tape<double> t;
  const CellState<double> a = step(t);
  const std::size_t n = t.size();
  const CellState<double> b = cell->forward(t, t.constant(x), state(t));
  print_state("h' composed", a.h.value()), print_state("h' fused", b.h.value());
  if (lstm) print_state("c' composed", a.c.value()), print_state("c' fused", b.c.value());
  std::printf("  tape nodes of the step: composed %zu, fused %zu\n", n, t.size() - n);
  double worst = std::max(max_abs((a.h - b.h).value()), lstm ? max_abs((a.c - b.c).value()) : 0.);
  std::printf("  max |composed - fused| of h'%s: %.1e\n", lstm ? " and c'" : "", worst);
  // Backward is linear: from L(composed) - L(fused), each parameter's grad
  // becomes the difference of its gradients through the two paths.
  backward(loss(t, a) - loss(t, b));
  std::printf("  max |composed - fused| of dL/dp, L = sum(u h')%s:\n", lstm ? " + sum(v c')" : "");
  for (Parameter<double>* p : cell->parameters()) {
    std::printf("    %-16s %.1e\n", p->name.c_str(), max_abs(p->grad));
    worst = std::max(worst, max_abs(p->grad));
  }
  const GradcheckResult r = gradcheck(
      kind, [&](Tape<double>& t) { return loss(t, step(t)); }, cell->parameters());
  std::printf("  gradcheck of the composed step: %zu entries, max |analytic - numeric| %.1e: %s\n",
              r.checked, r.max_abs_error, r.ok ? "OK" : r.message.c_str());

  // CPU ms per step in float, forward over a sequence and back; best of 5
  // runs each, taking turns (the first also pays for fresh memory).
  const std::size_t TB = 64, TI = 128, TH = 256;
  const auto composed_f = lstm ? lstm_step<float> : gru_step<float>;
  std::unique_ptr<RecurrentCell<float>> big = make_cell<float>(kind, kind, TI, TH, rng);
  const Array<float> xf = xt::random::rand<float>({TB, TI}, -1, 1, rng);
  auto ms_per_step = [&](bool fused) {
    const std::clock_t start = std::clock();
    Tape<float> t;
    CellState<float> s = big->zero_state(t, TB);
    for (int k = 0; k < steps; ++k)
      s = fused ? big->forward(t, t.constant(xf), s) : composed_f(t, *big, t.constant(xf), s);
    backward(sum(s.h));
    return 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC / steps;
  };
  double slow = 1e9, fast = 1e9;
  for (int run = 0; run < 5; ++run)
    slow = std::min(slow, ms_per_step(false)), fast = std::min(fast, ms_per_step(true));
  std::printf("  float, B = %zu, input %zu, hidden %zu, %d steps:\n", TB, TI, TH, steps);
  std::printf("  CPU ms/step forward and backward: composed %.3f, fused %.3f, %.2fx as fast\n\n",
              slow, fast, slow / fast);
  return worst <= 1e-12 && r.ok;
}

}  // namespace

int main(int argc, char** argv) {
  long steps = 40;
  char* end = nullptr;
  if (argc == 3 && !std::strcmp(argv[1], "--steps")) steps = std::strtol(argv[2], &end, 10);
  if ((argc != 1 && argc != 3) || (argc == 3 && (!end || *end)) || steps < 1 || steps > 100) {
    std::fprintf(stderr, "lstm_from_primitives: %s%s\nusage: lstm_from_primitives [--steps N]\n",
                 std::strcmp(argv[1], "--steps") ? "unknown option " : argv[1],
                 std::strcmp(argv[1], "--steps") ? argv[1] : " needs a whole number in [1, 100]");
    return 2;
  }
  set_blas_threads(1);  // as attnlab train: the timings are for one thread
  std::printf("Recurrent cells from primitive ops next to the library's fused cells\n\n");
  bool ok = true;
  for (const char* kind : {"lstm", "gru"}) ok = compare(kind, static_cast<int>(steps)) && ok;
  if (ok)
    std::printf("composed and fused cells agree in values and gradients\n");
  else
    std::fprintf(stderr, "lstm_from_primitives: the composed and fused cells DISAGREE\n");
  return ok ? 0 : 1;
}
