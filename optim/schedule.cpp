// Learning-rate schedules: option checks, the step and plateau rules, and
// their state for --resume.
#include "optim/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "autograd/array.hpp"  // OptionError
#include "io/error.hpp"

namespace attnlab {

namespace {

[[noreturn]] void bad_option(const std::string& field, const std::string& want, double got) {
  std::ostringstream os;
  os << "must be " << want << " (got " << got << ")";
  throw OptionError(field, os.str());
}

constexpr double inf = std::numeric_limits<double>::infinity();

}  // namespace

std::vector<std::string> schedule_names() { return {"constant", "plateau", "step"}; }

Schedule::Schedule(const ScheduleOptions& o, double base_lr)
    : o_(o), base_lr_(base_lr), lr_(base_lr), best_(inf) {
  const std::vector<std::string> known = schedule_names();
  if (std::find(known.begin(), known.end(), o.name) == known.end()) {
    std::string list;
    for (const std::string& n : known) list += (list.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown schedule '" + o.name + "' (known: " + list + ")");
  }
  if (!(std::isfinite(base_lr) && base_lr > 0)) bad_option("lr", "> 0", base_lr);
  if (o.step_size == 0) bad_option("step_size", "> 0", 0);
  if (!(o.gamma > 0 && o.gamma <= 1)) bad_option("gamma", "in (0, 1]", o.gamma);
  if (!(o.factor > 0 && o.factor <= 1)) bad_option("factor", "in (0, 1]", o.factor);
  if (!(std::isfinite(o.min_lr) && o.min_lr >= 0)) bad_option("min_lr", ">= 0", o.min_lr);
  if (!(o.threshold >= 0 && o.threshold < 1)) bad_option("threshold", "in [0, 1)", o.threshold);
}

double Schedule::after_step(std::size_t steps_done) {
  if (o_.name == "step")
    lr_ = base_lr_ * std::pow(o_.gamma, static_cast<double>(steps_done / o_.step_size));
  return lr_;
}

double Schedule::after_validation(double valid_loss) {
  if (o_.name != "plateau") return lr_;
  if (valid_loss < best_ * (1 - o_.threshold)) {
    best_ = valid_loss;
    bad_ = 0;
  } else {
    ++bad_;
  }
  if (bad_ > o_.patience) {
    const double reduced = std::max(lr_ * o_.factor, o_.min_lr);
    if (lr_ - reduced > 1e-8) lr_ = reduced;
    bad_ = 0;
  }
  return lr_;
}

nlohmann::json Schedule::state() const {
  nlohmann::json j;
  j["name"] = o_.name;
  j["base_lr"] = base_lr_;
  j["lr"] = lr_;
  // JSON has no infinity: null stands for "no validation yet".
  j["best"] = std::isfinite(best_) ? nlohmann::json(best_) : nlohmann::json(nullptr);
  j["bad_validations"] = bad_;
  return j;
}

void Schedule::load_state(const nlohmann::json& j) {
  auto bad = [](const std::string& what) {
    throw CheckpointError("learning-rate schedule state: " + what);
  };
  if (!j.is_object()) bad("not a JSON object");
  for (const char* key : {"name", "base_lr", "lr", "best", "bad_validations"})
    if (!j.contains(key)) bad(std::string("lacks the key '") + key + "'");
  if (!j["name"].is_string()) bad("'name' is not a string");
  const std::string name = j["name"].get<std::string>();
  if (name != o_.name) bad("saved for schedule '" + name + "', not '" + o_.name + "'");
  if (!j["base_lr"].is_number() || !j["lr"].is_number()) bad("'base_lr' or 'lr' is not a number");
  if (!j["best"].is_number() && !j["best"].is_null()) bad("'best' is not a number or null");
  if (!j["bad_validations"].is_number_unsigned()) bad("'bad_validations' is not a count");
  for (const char* key : {"base_lr", "lr"})
    if (!(j[key].get<double>() > 0.0) || !std::isfinite(j[key].get<double>()))
      bad(std::string("'") + key + "' is " + j[key].dump() + "; a learning rate is above 0");
  base_lr_ = j["base_lr"].get<double>();
  lr_ = j["lr"].get<double>();
  best_ = j["best"].is_null() ? inf : j["best"].get<double>();
  bad_ = j["bad_validations"].get<std::size_t>();
}

}  // namespace attnlab
