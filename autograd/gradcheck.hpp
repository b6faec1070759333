// Finite-difference gradient checking in double precision, from single ops up
// to whole models: analytic gradients from backward() against central
// differences, over every element of every input.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/ops.hpp"

namespace attnlab {

struct GradcheckOptions {
  double eps = 1e-6;   // central-difference step
  double atol = 1e-6;  // |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|)
  double rtol = 1e-5;
  std::size_t max_reported = 5;  // mismatches listed in the message
  std::uint64_t seed = 1234;     // for the weights of the asymmetric reduction
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0.0;
  std::size_t checked = 0;  // elements compared
  std::string message;      // names op, input, element, analytic and numeric on failure
  std::vector<Array<double>> analytic, numeric;  // per parameter, for display
};

// Checks d loss / d p for every element of every parameter. `loss` builds a
// scalar on the tape it is given; it is called once per perturbation.
GradcheckResult gradcheck(const std::string& name,
                          const std::function<Var<double>(Tape<double>&)>& loss,
                          const std::vector<Parameter<double>*>& params,
                          const GradcheckOptions& opts = {});

// Checks an op (or any function of Vars): reduces its output to a scalar
// with fixed random weights in [0.5, 1.5), so that a gradient which is wrong
// but uniform across elements cannot hide behind a plain sum.
GradcheckResult gradcheck_op(const std::string& name,
                             const std::function<Var<double>(const std::vector<Var<double>>&)>& f,
                             const std::vector<Array<double>>& inputs,
                             const GradcheckOptions& opts = {});

}  // namespace attnlab
