// Learning-rate schedules: constant, step decay (torch's StepLR) and
// reduce-on-plateau (torch's ReduceLROnPlateau, mode min, relative threshold).
#pragma once

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace attnlab {

struct ScheduleOptions {
  std::string name = "constant";
  std::size_t step_size = 1000;  // step: decay every step_size updates
  double gamma = 0.5;            // step: the decay factor
  std::size_t patience = 2;      // plateau: validations without improvement tolerated
  double factor = 0.5;           // plateau: lr *= factor when patience runs out
  double min_lr = 0.0;           // plateau: the floor
  double threshold = 1e-4;       // plateau: improving means loss < best * (1 - threshold)
};

// The learning rate to use next, told what happened: the trainer sets the
// optimizer's lr to what after_step/after_validation return.
class Schedule {
 public:
  // An unknown name or a value out of range throws std::invalid_argument
  // naming the command-line option.
  Schedule(const ScheduleOptions& o, double base_lr);

  // step: base_lr * gamma^floor(steps_done / step_size); the others: unchanged.
  double after_step(std::size_t steps_done);
  // plateau: a loss below best * (1 - threshold) is the new best; otherwise one
  // more bad validation, and more than patience of them in a row set
  // lr = max(lr * factor, min_lr) (a change under 1e-8 is skipped, as torch
  // does) and start the count again. The others: unchanged.
  double after_validation(double valid_loss);
  double lr() const { return lr_; }
  const std::string& name() const { return o_.name; }

  // For --resume: name, base_lr, lr, best, bad validations. load_state refuses
  // (CheckpointError) another schedule's state or a malformed one.
  nlohmann::json state() const;
  void load_state(const nlohmann::json& j);

 private:
  ScheduleOptions o_;
  double base_lr_, lr_;
  double best_;  // +inf until the first validation
  std::size_t bad_ = 0;
};

// The names Schedule knows, sorted.
std::vector<std::string> schedule_names();

}  // namespace attnlab
