// The gradient checker must catch wrong gradients, including ones that a
// plain sum would hide, and say where.
#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// y = x^2 with a deliberately wrong backward: dx += x * dy (missing the 2).
Var<double> bad_square(const Var<double>& x) {
  return detail::record<double>("bad_square", Array<double>(x.value() * x.value()), {x},
                                [](detail::Node<double>& y) {
                                  auto& x = *y.inputs[0];
                                  x.accumulate(Array<double>(x.value() * y.grad()));
                                });
}

// y = x * c (c a fixed vector) whose backward spreads the mean of dy * c
// evenly: right for a plain sum of y when c is uniform, wrong otherwise.
Var<double> bad_spread(const Var<double>& x) {
  return detail::record<double>(
      "bad_spread", Array<double>(x.value() * 2.0), {x}, [](detail::Node<double>& y) {
        const double m = xt::mean(y.grad())() * 2.0;
        y.inputs[0]->accumulate(Array<double>(xt::zeros<double>(y.grad().shape()) + m));
      });
}

}  // namespace

TEST_CASE("gradcheck: a wrong backward fails, naming op, input, element and both values") {
  Parameter<double> x("x", Array<double>{{1.0, 2.0}, {3.0, 4.0}});
  auto r =
      gradcheck("bad_square", [&](Tape<double>& t) { return sum(bad_square(t.param(x))); }, {&x});
  CHECK_FALSE(r.ok);
  INFO(r.message);
  CHECK(r.message.find("bad_square: input 'x' element 3 [1, 1]") != std::string::npos);
  CHECK(r.message.find("analytic 4, numeric 8") != std::string::npos);
  CHECK(r.message.find("4 of 4 elements differ") != std::string::npos);
}

TEST_CASE("gradcheck: the asymmetric reduction catches a uniform-looking wrong gradient") {
  auto r = gradcheck_op("bad_spread", [](const auto& x) { return bad_spread(x[0]); },
                        {Array<double>{1.0, 2.0, 3.0}});
  CHECK_FALSE(r.ok);
}

TEST_CASE("gradcheck: a correct composite passes over every element") {
  auto r = gradcheck_op("tanh(a b) + a",
                        [](const auto& x) { return tanh(matmul(x[0], x[1])) + sum(x[0]); },
                        {rand_array({2, 3}, 1), rand_array({3, 4}, 2)});
  INFO(r.message);
  CHECK(r.ok);
  CHECK(r.checked == 6 + 12);
}
