// d/dx of sum(tanh(x W)) through the installed library, BLAS included.
#include <attnlab.hpp>
#include <cmath>
#include <iostream>

int main() {
  using namespace attnlab;
  Tape<float> tape;
  Parameter<float> W("W", Array<float>{{1.0f, 2.0f}, {3.0f, 4.0f}});
  Var<float> x = tape.variable(Array<float>{{0.1f, -0.2f}});
  backward(sum(tanh(matmul(x, tape.param(W)))));
  const float g = x.grad()(0, 0);  // sum_j W[0,j] (1 - tanh(xW)_j^2)
  const float a = std::tanh(0.1f - 0.6f), b = std::tanh(0.2f - 0.8f);
  const float want = 1 * (1 - a * a) + 2 * (1 - b * b);
  if (std::abs(g - want) > 1e-5f) {
    std::cerr << "consumer: gradient " << g << " != " << want << "\n";
    return 1;
  }
  std::cout << "consumer ok\n";
}
