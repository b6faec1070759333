// Optimizers, in order of increasing complexity. Each holds its parameters,
// applies step() from their accumulated gradients, and zero_grad()s them.
#pragma once

#include <vector>

#include "autograd/tape.hpp"

namespace attnlab {

template <class T>
class Optimizer {
 public:
  explicit Optimizer(std::vector<Parameter<T>*> params) : params_(std::move(params)) {}
  virtual ~Optimizer() = default;
  // One update from the gradients now in the parameters.
  virtual void step() = 0;
  void zero_grad() {
    for (Parameter<T>* p : params_) p->zero_grad();
  }
  const std::vector<Parameter<T>*>& parameters() const { return params_; }
  double lr = 0.0;

 protected:
  std::vector<Parameter<T>*> params_;
};

// w -= lr * g
template <class T>
class SGD : public Optimizer<T> {
 public:
  SGD(std::vector<Parameter<T>*> params, double lr);
  void step() override;
};

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

// m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
// w -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(std::vector<Parameter<T>*> params, const AdamOptions& o = {});
  void step() override;

 private:
  AdamOptions o_;
  std::vector<Array<T>> m_, v_;
  long t_ = 0;
};

}  // namespace attnlab
