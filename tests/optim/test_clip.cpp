// clip_grad_norm: the global norm it returns, scaling above the threshold,
// gradients left alone below it or with clipping off, several parameters.
#include <cmath>
#include <limits>

#include "optim/clip.hpp"
#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_CASE("clip_grad_norm: returns the norm of all gradients together") {
  Parameter<double> a("a", Array<double>{0.0, 0.0}), b("b", Array<double>{0.0});
  a.grad = Array<double>{3.0, 0.0};
  b.grad = Array<double>{4.0};
  // sqrt(3^2 + 4^2) = 5, below 10: nothing changes
  CHECK(clip_grad_norm<double>({&a, &b}, 10.0) == 5.0);
  CHECK(a.grad == Array<double>{3.0, 0.0});
  CHECK(b.grad == Array<double>{4.0});
}

TEST_CASE("clip_grad_norm: above max_norm every gradient is scaled by max_norm / (norm + 1e-6)") {
  Parameter<double> a("a", Array<double>{0.0, 0.0}), b("b", Array<double>{0.0, 0.0});
  a.grad = Array<double>{3.0, -1.0};
  b.grad = Array<double>{2.0, 5.0};
  // norm = sqrt(9 + 1 + 4 + 25) = sqrt(39)
  const double norm = std::sqrt(39.0);
  CHECK(clip_grad_norm<double>({&a, &b}, 2.0) == doctest::Approx(norm).epsilon(1e-15));
  const double s = 2.0 / (norm + 1e-6);
  CHECK_ALL_CLOSE(a.grad, (Array<double>{3.0 * s, -1.0 * s}));
  CHECK_ALL_CLOSE(b.grad, (Array<double>{2.0 * s, 5.0 * s}));
  // the clipped norm is just under max_norm; clipping again changes nothing
  Array<double> before = a.grad;
  const double again = clip_grad_norm<double>({&a, &b}, 2.0);
  CHECK(again < 2.0);
  CHECK(again == doctest::Approx(2.0).epsilon(1e-6));
  CHECK(a.grad == before);
}

TEST_CASE("clip_grad_norm: a norm equal to max_norm is not scaled") {
  Parameter<float> a("a", Array<float>{0.0f, 0.0f});
  a.grad = Array<float>{3.0f, 4.0f};
  CHECK(clip_grad_norm<float>({&a}, 5.0) == 5.0);
  CHECK(a.grad == Array<float>{3.0f, 4.0f});
}

TEST_CASE("clip_grad_norm: max_norm 0 turns clipping off but still measures") {
  Parameter<float> a("a", Array<float>{0.0f, 0.0f});
  a.grad = Array<float>{300.0f, 400.0f};
  CHECK(clip_grad_norm<float>({&a}, 0.0) == 500.0);
  CHECK(a.grad == Array<float>{300.0f, 400.0f});
}

TEST_CASE("clip_grad_norm: float gradients are summed in double") {
  // 10^6 elements of 1e-3: a float sum would drift by ~1e-3 relative; a
  // double one stays within ~1e-10
  Parameter<float> a("a", Array<float>(xt::zeros<float>({1000000})));
  a.grad.fill(1e-3f);
  const double expected = std::sqrt(1e6 * double(1e-3f) * double(1e-3f));
  CHECK(clip_grad_norm<float>({&a}, 0.0) == doctest::Approx(expected).epsilon(1e-9));
}

TEST_CASE("clip_grad_norm: a non-finite norm is returned and nothing is scaled") {
  Parameter<float> a("a", Array<float>{0.0f, 0.0f});
  a.grad = Array<float>{std::numeric_limits<float>::infinity(), 1.0f};
  CHECK(std::isinf(clip_grad_norm<float>({&a}, 1.0)));
  CHECK(a.grad(1) == 1.0f);
  a.grad = Array<float>{std::nanf(""), 1.0f};
  CHECK(std::isnan(clip_grad_norm<float>({&a}, 1.0)));
  CHECK(a.grad(1) == 1.0f);
}

TEST_CASE("clip_grad_norm: parameters without requires_grad are neither counted nor scaled") {
  Parameter<double> a("a", Array<double>{0.0}), frozen("f", Array<double>{0.0});
  a.grad = Array<double>{4.0};
  frozen.grad = Array<double>{3.0};
  frozen.requires_grad = false;
  CHECK(clip_grad_norm<double>({&a, &frozen}, 2.0) == 4.0);
  CHECK(a.grad(0) == doctest::Approx(2.0 * 4.0 / (4.0 + 1e-6)).epsilon(1e-15));
  CHECK(frozen.grad(0) == 3.0);
}

TEST_CASE("clip_grad_norm: a negative max_norm is refused naming --clip") {
  Parameter<double> a("a", Array<double>{0.0});
  CHECK_THROWS_WITH_AS(clip_grad_norm<double>({&a}, -1.0), doctest::Contains("clip must be >= 0"),
                       std::invalid_argument);
  CHECK(clip_grad_norm<double>({}, 1.0) == 0.0);
}
