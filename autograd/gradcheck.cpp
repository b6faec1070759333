// Central differences against backward(), reported element by element.
#include "autograd/gradcheck.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <xtensor/xrandom.hpp>

namespace attnlab {

namespace {

// "[1, 2]": the multi-index of a flat position in a row-major shape.
template <class S>
std::string unravel(std::size_t flat, const S& shape) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return shape_str(idx);
}

}  // namespace

GradcheckResult gradcheck(const std::string& name,
                          const std::function<Var<double>(Tape<double>&)>& loss,
                          const std::vector<Parameter<double>*>& params,
                          const GradcheckOptions& opts) {
  Tape<double> tape;
  for (Parameter<double>* p : params) p->zero_grad();
  backward(loss(tape));
  GradcheckResult r;
  for (Parameter<double>* p : params) {
    r.analytic.push_back(p->grad);
    r.numeric.push_back(xt::zeros<double>(p->value.shape()));
  }

  auto eval = [&]() {
    tape.clear();
    InferenceMode<double> no_record(tape);
    return loss(tape).item();
  };
  std::ostringstream failures;
  std::size_t failed = 0;
  for (std::size_t k = 0; k < params.size(); ++k) {
    Array<double>& v = params[k]->value;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const double saved = v.data()[i];
      v.data()[i] = saved + opts.eps;
      const double up = eval();
      v.data()[i] = saved - opts.eps;
      const double down = eval();
      v.data()[i] = saved;
      const double numeric = (up - down) / (2 * opts.eps);
      r.numeric[k].data()[i] = numeric;
      const double a = r.analytic[k].data()[i];
      const double err = std::abs(a - numeric);
      const bool ok = err <= opts.atol + opts.rtol * std::max(std::abs(a), std::abs(numeric));
      r.max_abs_error = std::max(r.max_abs_error, std::isnan(err) ? INFINITY : err);
      ++r.checked;
      if (ok) continue;
      r.ok = false;
      if (failed++ < opts.max_reported)
        failures << "\n  " << name << ": input '" << params[k]->name << "' element " << i << ' '
                 << unravel(i, v.shape()) << ": analytic " << a << ", numeric " << numeric;
    }
  }
  if (!r.ok) {
    std::ostringstream os;
    os << "gradcheck failed for '" << name << "': " << failed << " of " << r.checked
       << " elements differ (atol " << opts.atol << ", rtol " << opts.rtol << ")" << failures.str();
    if (failed > opts.max_reported) os << "\n  ...";
    r.message = os.str();
  }
  return r;
}

GradcheckResult gradcheck_op(const std::string& name,
                             const std::function<Var<double>(const std::vector<Var<double>>&)>& f,
                             const std::vector<Array<double>>& inputs,
                             const GradcheckOptions& opts) {
  std::vector<Parameter<double>> params;
  params.reserve(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    params.emplace_back("x" + std::to_string(i), inputs[i]);
  std::vector<Parameter<double>*> ptrs;
  for (auto& p : params) ptrs.push_back(&p);

  Array<double> weights;  // drawn once the output's shape is known
  auto loss = [&](Tape<double>& tape) {
    std::vector<Var<double>> xs;
    for (auto& p : params) xs.push_back(tape.param(p));
    Var<double> y = f(xs);
    if (weights.shape() != y.shape()) {
      Rng rng(opts.seed);
      std::uniform_real_distribution<double> u(0.5, 1.5);
      weights = Array<double>::from_shape(y.shape());
      for (double& w : weights) w = u(rng);
    }
    return sum(y * tape.constant(weights));
  };
  return gradcheck(name, loss, ptrs, opts);
}

}  // namespace attnlab
