// Reverse-mode autodiff on numbers small enough to follow by hand: what the
// tape records on the way forward, the order backward() visits it, each
// node's gradient, the same gradients by finite differences; then a new op,
// softplus, written outside the library with its backward, and gradcheck
// catching a wrong backward.
//
//   autodiff_by_hand [--x X] [--y Y]
//
// The expression is L = (x y + x)^2, at x = 2, y = 3 unless told otherwise.
#include <attnlab.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace attnlab;

namespace {

double value_of(const Array<double>& a) { return a(0); }

// softplus(x) = log(1 + e^x), computed without overflow; its derivative is
// the sigmoid. `wrong` uses tanh instead, to show what gradcheck says then.
template <class T>
Var<T> softplus(const Var<T>& x, bool wrong = false) {
  Array<T> y = xt::maximum(x.value(), T(0)) + xt::log1p(xt::exp(-xt::abs(x.value())));
  return record<T>("softplus", std::move(y), {x}, [wrong](Node<T>& y) {
    Node<T>& x = *y.inputs[0];
    const Array<T> slope =
        wrong ? Array<T>(xt::tanh(x.value())) : Array<T>(T(1) / (T(1) + xt::exp(-x.value())));
    x.accumulate(Array<T>(y.grad() * slope));  // add, never assign: x may feed other ops
  });
}

double parse(int argc, char** argv, int i, const char* name) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "autodiff_by_hand: %s needs a number\n", name);
    std::exit(2);
  }
  char* end = nullptr;
  const double v = std::strtod(argv[i + 1], &end);
  if (end == argv[i + 1] || *end || !std::isfinite(v) || std::fabs(v) > 1e6) {
    std::fprintf(stderr, "autodiff_by_hand: %s: '%s' is not a number in [-1e6, 1e6]\n", name,
                 argv[i + 1]);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  double x0 = 2, y0 = 3;
  for (int i = 1; i < argc; i += 2) {
    if (!std::strcmp(argv[i], "--x"))
      x0 = parse(argc, argv, i, "--x");
    else if (!std::strcmp(argv[i], "--y"))
      y0 = parse(argc, argv, i, "--y");
    else {
      std::fprintf(stderr,
                   "autodiff_by_hand: unknown option %s\nusage: autodiff_by_hand [--x X] "
                   "[--y Y]\n",
                   argv[i]);
      return 2;
    }
  }

  std::printf("1. Forward: L = (x*y + x)^2 at x = %g, y = %g\n", x0, y0);
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{x0}), y = tape.variable(Array<double>{y0});
  Var<double> a = x * y;  // recorded as node 0
  Var<double> b = a + x;  // node 1: x is used a second time
  Var<double> L = b * b;  // node 2: b twice, as both inputs of one mul
  for (std::size_t i = 0; i < tape.size(); ++i)
    std::printf("  node %zu  %-4s  value %g\n", i, tape.node(i).op, value_of(tape.node(i).value()));
  std::printf("  (x and y are leaves: values, not ops, so the tape holds %zu nodes)\n",
              tape.size());

  std::printf("\n2. backward(L) walks the tape from the last node to the first\n");
  backward(L);
  const char* rule[] = {"dL/da = dL/db * 1", "dL/db = 2b (b enters the mul twice)",
                        "dL/dL = 1, the seed"};
  for (std::size_t i = tape.size(); i-- > 0;)
    std::printf("  node %zu  %-4s  gradient %-8g %s\n", i, tape.node(i).op,
                value_of(tape.node(i).grad()), rule[i]);
  const double dx = value_of(x.grad()), dy = value_of(y.grad());
  std::printf("  leaf x  gradient %g  = dL/da * y + dL/db * 1: its two uses add up\n", dx);
  std::printf("  leaf y  gradient %g  = dL/da * x\n", dy);

  std::printf("\n3. The same by central differences, (f(v + h) - f(v - h)) / 2h, h = 1e-6\n");
  auto f = [](double x, double y) { return (x * y + x) * (x * y + x); };
  const double h = 1e-6;
  const double nx = (f(x0 + h, y0) - f(x0 - h, y0)) / (2 * h);
  const double ny = (f(x0, y0 + h) - f(x0, y0 - h)) / (2 * h);
  std::printf("  dL/dx  backward %12.6f   numeric %12.6f\n", dx, nx);
  std::printf("  dL/dy  backward %12.6f   numeric %12.6f\n", dy, ny);
  const double tol = 1e-5 * (1 + std::fabs(dx) + std::fabs(dy));
  if (std::fabs(dx - nx) > tol || std::fabs(dy - ny) > tol) {
    std::fprintf(stderr, "autodiff_by_hand: backward and finite differences disagree\n");
    return 1;
  }

  std::printf("\n4. A new op outside the library: softplus(x) = log(1 + e^x), slope sigmoid(x)\n");
  const Array<double> points{-30.0, -1.0, 0.0, 0.5, 2.0, 30.0};
  Tape<double> t2;
  Var<double> v = t2.variable(points);
  Var<double> s = softplus(v);
  backward(sum(s));
  std::printf("  %8s %14s %14s\n", "x", "softplus(x)", "d/dx");
  for (std::size_t i = 0; i < points.size(); ++i)
    std::printf("  %8g %14.6g %14.6g\n", points(i), s.value()(i), v.grad()(i));
  bool ok = true;
  for (bool wrong : {false, true}) {
    const GradcheckResult r = gradcheck_op(
        wrong ? "softplus with tanh as its slope" : "softplus",
        [wrong](const std::vector<Var<double>>& in) { return softplus(in[0], wrong); }, {points});
    std::printf("  gradcheck of %s: %s (max error %.1e)\n",
                wrong ? "a wrong backward (tanh as the slope)" : "softplus", r.ok ? "OK" : "FAILS",
                r.max_abs_error);
    if (wrong && !r.ok) std::printf("    %s\n", r.message.substr(0, r.message.find('\n')).c_str());
    ok = ok && r.ok != wrong;
  }
  if (!ok) return 1;
  std::printf("\nBackward and finite differences agree, and gradcheck caught the wrong op.\n");
  return 0;
}
