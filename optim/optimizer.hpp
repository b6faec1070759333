// Optimizers as rows of one table (optimizer.cpp), as in early tinygrad's
// optim.py: each its name, its hyperparameters declared with their defaults,
// its state buffers and its update rule (torch.optim 1.13's). One class,
// driven by the row, steps, zero_grads and saves the state for --resume.
// A new hyperparameter is one declaration in its row and its use in the rule.
#pragma once

#include <cstddef>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/tape.hpp"

namespace attnlab {

// The values a hyperparameter may take: min < or <= v, v < or <= max.
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = true;  // an infinite max open: v must be finite

  bool contains(double v) const {
    return (min_open ? v > min : v >= min) && (max_open ? v < max : v <= max);
  }
  // As messages say it: "> 0", ">= 0", "in [0, 1)".
  std::string str() const;
};

// One setting an optimizer's update reads, as its row declares it.
struct Hyperparameter {
  std::string key;       // in state.json and OptimOptions: "weight_decay"
  std::string flag;      // the command line's ("--weight-decay"), or "" when it has none
  double default_value;  // this optimizer's (a boolean's is 0 or 1)
  Range range;
  std::string help;
  bool boolean = false;  // a switch: set is any value but 0; saved as true/false
};

// An optimizer's settings: its name, lr, and the hyperparameters set by key;
// every other one reads as the named optimizer's default.
struct OptimOptions {
  std::string name = "adam";
  double lr = 1e-3;

  OptimOptions() = default;
  OptimOptions(std::string name_, double lr_) : name(std::move(name_)), lr(lr_) {}

  // The value of key as set, else the default of the optimizer `name` (of the
  // first optimizer declaring it, when that one does not). "lr" is lr. Throws
  // std::invalid_argument for a key no optimizer declares.
  double get(const std::string& key) const;
  // Sets key (checked when the optimizer is made); the same refusal as get.
  void set(const std::string& key, double value);

 private:
  std::map<std::string, double> values_;
};

namespace detail {
template <class T>
struct OptimizerRow;
}

template <class T>
class Optimizer {
 public:
  // The optimizer o.name names, over params. An unknown name or a value out
  // of range throws std::invalid_argument (OptionError naming the setting).
  Optimizer(const OptimOptions& o, std::vector<Parameter<T>*> params);
  virtual ~Optimizer() = default;

  // The name --optimizer takes ("sgd", "momentum", "rmsprop", "adam", "adagrad").
  const std::string& name() const;
  // One update from the gradients now in the parameters. Parameters with
  // requires_grad == false are left alone (torch skips those without a grad).
  void step();
  void zero_grad() {
    for (Parameter<T>* p : params_) p->zero_grad();
  }
  const std::vector<Parameter<T>*>& parameters() const { return params_; }
  // Updates taken so far (Adam's t).
  std::size_t steps() const { return steps_; }
  // The value of one of this optimizer's hyperparameters ("lr": the present
  // lr). Throws std::invalid_argument for a key it does not declare.
  double get(const std::string& key) const;

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

 private:
  const detail::OptimizerRow<T>* row_;
  std::map<std::string, double> values_;  // every hyperparameter the row declares but lr
  std::vector<Parameter<T>*> params_;
  std::size_t steps_ = 0;
  std::vector<std::vector<Array<T>>> buffers_;  // [the row's buffer][parameter]
};

// The optimizers by class, for code that makes one with the other
// hyperparameters at their defaults: Adam<float> opt(model.parameters(), 0.01).
template <class T>
struct SGD : Optimizer<T> {
  SGD(std::vector<Parameter<T>*> params, double lr)
      : Optimizer<T>({"sgd", lr}, std::move(params)) {}
};
template <class T>
struct Momentum : Optimizer<T> {
  Momentum(std::vector<Parameter<T>*> params, double lr = 1e-3)
      : Optimizer<T>({"momentum", lr}, std::move(params)) {}
};
template <class T>
struct RMSprop : Optimizer<T> {
  RMSprop(std::vector<Parameter<T>*> params, double lr = 1e-2)
      : Optimizer<T>({"rmsprop", lr}, std::move(params)) {}
};
template <class T>
struct Adam : Optimizer<T> {
  Adam(std::vector<Parameter<T>*> params, double lr = 1e-3)
      : Optimizer<T>({"adam", lr}, std::move(params)) {}
};
template <class T>
struct Adagrad : Optimizer<T> {
  Adagrad(std::vector<Parameter<T>*> params, double lr = 1e-2)
      : Optimizer<T>({"adagrad", lr}, std::move(params)) {}
};

// The optimizer `o.name` names, over params. An unknown name or a value out
// of range throws std::invalid_argument naming the command-line option.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimOptions& o,
                                             std::vector<Parameter<T>*> params);

// The names make_optimizer knows, sorted.
std::vector<std::string> optimizer_names();

// Every hyperparameter with a command-line flag, once each, in the order of
// --help (lr, each optimizer's own in the table's order, weight_decay); the
// value is the first declaring optimizer's default (lr: OptimOptions's).
const std::vector<Hyperparameter>& optimizer_hyperparameters();
// The hyperparameters the optimizer `name` declares, with its defaults, lr
// first. Throws std::invalid_argument for an unknown name.
const std::vector<Hyperparameter>& optimizer_hyperparameters(const std::string& name);

}  // namespace attnlab
