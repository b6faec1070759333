// Optimizers, in order of increasing complexity, with torch.optim's (1.13)
// update rules. Each holds its parameters, applies step() from their
// accumulated gradients, zero_grad()s them, and saves its state for --resume.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

#include "autograd/tape.hpp"

namespace attnlab {

template <class T>
class Optimizer {
 public:
  explicit Optimizer(std::vector<Parameter<T>*> params) : params_(std::move(params)) {}
  virtual ~Optimizer() = default;

  // The name --optimizer takes ("sgd", "momentum", "rmsprop", "adam", "adagrad").
  virtual std::string name() const = 0;
  // One update from the gradients now in the parameters. Parameters with
  // requires_grad == false are left alone (torch skips those without a grad).
  void step();
  void zero_grad() {
    for (Parameter<T>* p : params_) p->zero_grad();
  }
  const std::vector<Parameter<T>*>& parameters() const { return params_; }
  // Updates taken so far (Adam's t).
  std::size_t steps() const { return steps_; }

  // Writes dir/state.json (name, steps, lr, hyperparameters, parameter names)
  // and one float32 "<param name>.<buffer>.npy" per state buffer per
  // parameter, under PyTorch's buffer names. Creates dir. Throws CheckpointError.
  void save_state(const std::string& dir) const;
  // Restores steps, lr and the buffers saved by save_state. Refuses, with a
  // CheckpointError naming the file, a missing or malformed file, another
  // optimizer's state, another parameter set, or a buffer of the wrong shape;
  // nothing is changed then. Other hyperparameters keep their present values.
  void load_state(const std::string& dir);

  double lr = 0.0;  // public: schedules set it between steps

 protected:
  struct Buffer {
    const char* name;               // PyTorch's name: "exp_avg", "sum", ...
    std::vector<Array<T>>* arrays;  // one per parameter, shaped like it
    // True when the buffer holds state only once a step has been taken (as
    // torch's momentum_buffer is None until then): before, it is not saved.
    bool from_first_step = false;
  };
  virtual void update() = 0;  // the update itself; steps() already counts it
  virtual std::vector<Buffer> buffers() { return {}; }
  virtual void hyperparameters(nlohmann::json& out) const;
  std::vector<Array<T>> zeros_like_params() const;

  std::vector<Parameter<T>*> params_;
  std::size_t steps_ = 0;
};

struct SGDOptions {
  double lr = 1e-3, weight_decay = 0.0;
};

// w -= lr * (g + wd w)
template <class T>
class SGD : public Optimizer<T> {
 public:
  SGD(std::vector<Parameter<T>*> params, double lr);
  SGD(std::vector<Parameter<T>*> params, const SGDOptions& o);
  std::string name() const override { return "sgd"; }

 protected:
  void update() override;
  void hyperparameters(nlohmann::json& out) const override;

 private:
  SGDOptions o_;
};

struct MomentumOptions {
  double lr = 1e-3, momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 0.0;
};

// g' = g + wd w;  b = g' (first step) or mu b + g';  w -= lr * (nesterov ? g' + mu b : b)
template <class T>
class Momentum : public Optimizer<T> {
 public:
  Momentum(std::vector<Parameter<T>*> params, const MomentumOptions& o = {});
  std::string name() const override { return "momentum"; }

 protected:
  void update() override;
  std::vector<typename Optimizer<T>::Buffer> buffers() override;
  void hyperparameters(nlohmann::json& out) const override;

 private:
  MomentumOptions o_;
  std::vector<Array<T>> buf_;  // meaningful from the first step on (Buffer::from_first_step)
};

struct RMSpropOptions {
  double lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0.0;
};

// g' = g + wd w;  v = alpha v + (1-alpha) g'^2;  w -= lr * g' / (sqrt(v) + eps)
template <class T>
class RMSprop : public Optimizer<T> {
 public:
  RMSprop(std::vector<Parameter<T>*> params, const RMSpropOptions& o = {});
  std::string name() const override { return "rmsprop"; }

 protected:
  void update() override;
  std::vector<typename Optimizer<T>::Buffer> buffers() override;
  void hyperparameters(nlohmann::json& out) const override;

 private:
  RMSpropOptions o_;
  std::vector<Array<T>> v_;
};

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
};

// g' = g + wd w;  m = b1 m + (1-b1) g';  v = b2 v + (1-b2) g'^2;
// w -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(std::vector<Parameter<T>*> params, const AdamOptions& o = {});
  std::string name() const override { return "adam"; }

 protected:
  void update() override;
  std::vector<typename Optimizer<T>::Buffer> buffers() override;
  void hyperparameters(nlohmann::json& out) const override;

 private:
  AdamOptions o_;
  std::vector<Array<T>> m_, v_;
};

struct AdagradOptions {
  double lr = 1e-2, eps = 1e-10, weight_decay = 0.0;
};

// g' = g + wd w;  s += g'^2;  w -= lr * g' / (sqrt(s) + eps)
template <class T>
class Adagrad : public Optimizer<T> {
 public:
  Adagrad(std::vector<Parameter<T>*> params, const AdagradOptions& o = {});
  std::string name() const override { return "adagrad"; }

 protected:
  void update() override;
  std::vector<typename Optimizer<T>::Buffer> buffers() override;
  void hyperparameters(nlohmann::json& out) const override;

 private:
  AdagradOptions o_;
  std::vector<Array<T>> sum_;
};

// The command line's optimizer settings; each optimizer reads the ones it has.
struct OptimOptions {
  std::string name = "adam";
  double lr = 1e-3;
  double momentum = 0.9;
  bool nesterov = false;
  double alpha = 0.99;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = -1;  // -1: the optimizer's own default (1e-8; Adagrad 1e-10)
  double weight_decay = 0.0;
};

// The optimizer `o.name` names, over params. An unknown name or a value out
// of range throws std::invalid_argument naming the command-line option.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimOptions& o,
                                             std::vector<Parameter<T>*> params);

// The names make_optimizer knows, sorted.
std::vector<std::string> optimizer_names();

}  // namespace attnlab
