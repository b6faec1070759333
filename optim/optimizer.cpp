// The optimizers' table: each row an optimizer's name, hyperparameters, state
// buffers and update rule, elementwise in T as torch computes it for a tensor
// of that dtype. Below it, the one class that steps, saves and restores them.
#include "optim/optimizer.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <type_traits>
#include <xtensor/xbuilder.hpp>

#include "io/error.hpp"
#include "io/npy.hpp"

namespace attnlab {

namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------------ the loop

// g + wd w, as torch's grad.add(param, alpha=weight_decay), only when wd != 0.
template <class T>
inline T decayed(T g, T w, T wd) {
  return wd != T(0) ? g + wd * w : g;
}

// One parameter's elements: f(w[i], d, s[i]...) with d = g[i] + wd w[i].
// __restrict: the arrays are distinct, and saying so lets the loop vectorise.
template <class T, class F, class... S>
inline void update_span(std::size_t n, T* __restrict w, const T* __restrict g, T wd, const F& f,
                        S* __restrict... s) {
  for (std::size_t i = 0; i < n; ++i) f(w[i], decayed(g[i], w[i], wd), s[i]...);
}

}  // namespace

namespace detail {

// What an update rule sees: the step's count and hyperparameters, and each().
template <class T>
struct Update {
  const Optimizer<T>& opt;
  std::size_t t;  // updates taken, this one included
  const std::vector<Parameter<T>*>& params;
  std::vector<std::vector<Array<T>>>& buffers;

  double get(const std::string& key) const { return opt.get(key); }

  // f(w, d, s...) on every element of every parameter with a gradient: w its
  // value, d = g + wd w, s... its elements of the row's buffers, in order.
  template <class F>
  void each(const F& f) const {
    if constexpr (std::is_invocable_v<const F&, T&, T>)
      each(f, std::index_sequence<>());
    else if constexpr (std::is_invocable_v<const F&, T&, T, T&>)
      each(f, std::index_sequence<0>());
    else if constexpr (std::is_invocable_v<const F&, T&, T, T&, T&>)
      each(f, std::index_sequence<0, 1>());
    else
      each(f, std::index_sequence<0, 1, 2>());
  }
  template <class F, std::size_t... B>
  void each(const F& f, std::index_sequence<B...>) const {
    if (sizeof...(B) != buffers.size())
      throw std::logic_error(opt.name() + ": the update rule takes " +
                             std::to_string(sizeof...(B)) + " state buffers, its row declares " +
                             std::to_string(buffers.size()));
    const T wd = static_cast<T>(get("weight_decay"));
    for (std::size_t k = 0; k < params.size(); ++k) {
      Parameter<T>& p = *params[k];
      if (!p.requires_grad) continue;
      update_span(p.value.size(), p.value.data(), p.grad.data(), wd, f, buffers[B][k].data()...);
    }
  }
};

}  // namespace detail

namespace {

using detail::Update;

// ------------------------------------------------------------------ the rules
// d is the decayed gradient g + wd w in each (weight_decay is every optimizer's).

// w -= lr d
template <class T>
void sgd(const Update<T>& u) {
  const T lr = static_cast<T>(u.get("lr"));
  u.each([=](T& w, T d) { w -= lr * d; });
}

// b = d (first step) or mu b + d;  w -= lr * (nesterov ? d + mu b : b)
template <class T>
void momentum(const Update<T>& u) {
  const T lr = static_cast<T>(u.get("lr")), mu = static_cast<T>(u.get("momentum"));
  const bool first = u.t == 1, nesterov = u.get("nesterov") != 0;
  u.each([=](T& w, T d, T& b) {
    b = first ? d : mu * b + d;
    w -= lr * (nesterov ? d + mu * b : b);
  });
}

// v = alpha v + (1-alpha) d^2;  w -= lr * d / (sqrt(v) + eps)
template <class T>
void rmsprop(const Update<T>& u) {
  const double a = u.get("alpha");
  const T lr = static_cast<T>(u.get("lr")), alpha = static_cast<T>(a),
          one_minus_alpha = static_cast<T>(1 - a), eps = static_cast<T>(u.get("eps"));
  u.each([=](T& w, T d, T& v) {
    v = alpha * v + one_minus_alpha * d * d;
    w -= lr * d / (std::sqrt(v) + eps);
  });
}

// m = b1 m + (1-b1) d;  v = b2 v + (1-b2) d^2;
// w -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
template <class T>
void adam(const Update<T>& u) {
  // The bias corrections in double, as torch computes them in Python floats.
  const double beta1 = u.get("beta1"), beta2 = u.get("beta2"), t = static_cast<double>(u.t);
  const double c1 = 1.0 - std::pow(beta1, t), c2 = 1.0 - std::pow(beta2, t);
  const T step_size = static_cast<T>(u.get("lr") / c1), c2_sqrt = static_cast<T>(std::sqrt(c2)),
          b1 = static_cast<T>(beta1), one_minus_b1 = static_cast<T>(1 - beta1),
          b2 = static_cast<T>(beta2), one_minus_b2 = static_cast<T>(1 - beta2),
          eps = static_cast<T>(u.get("eps"));
  u.each([=](T& w, T d, T& m, T& v) {
    m = b1 * m + one_minus_b1 * d;
    v = b2 * v + one_minus_b2 * d * d;
    w -= step_size * m / (std::sqrt(v) / c2_sqrt + eps);
  });
}

// s += d^2;  w -= lr * d / (sqrt(s) + eps)
template <class T>
void adagrad(const Update<T>& u) {
  const T lr = static_cast<T>(u.get("lr")), eps = static_cast<T>(u.get("eps"));
  u.each([=](T& w, T d, T& s) {
    s += d * d;
    w -= lr * d / (std::sqrt(s) + eps);
  });
}

[[noreturn]] void bad_option(const std::string& field, const std::string& want, double got) {
  std::ostringstream os;
  os << "must be " << want << " (got " << got << ")";
  throw OptionError(field, os.str());
}

// Past each hyperparameter's range: nesterov's look-ahead needs a momentum.
void nesterov_needs_momentum(const OptimOptions& o) {
  if (o.get("nesterov") != 0 && o.get("momentum") == 0)
    throw OptionError("nesterov", "needs a momentum above 0 (got 0)");
}

// ------------------------------------------------------------------ the table

constexpr double inf = std::numeric_limits<double>::infinity();
const Range positive{0, inf, true}, non_negative{0}, unit{0, 1}, on_off{0, 1, false, false};
// momentum: below 1, and at most 0.9999, as the command line has always allowed
const Range momentum_range{0, 0.9999, false, false};

// Every optimizer's, before and after its own.
const Hyperparameter kLR{"lr", "--lr", OptimOptions().lr, positive, "Learning rate"};
const Hyperparameter kWeightDecay{"weight_decay", "--weight-decay", 0.0, non_negative,
                                  "L2 weight decay"};

Hyperparameter eps(double value) {
  return {"eps", "", value, non_negative, "Term added to the denominator for stability"};
}

}  // namespace

namespace detail {

template <class T>
struct OptimizerRow {
  std::string name;                             // as --optimizer takes it
  std::vector<Hyperparameter> hyperparameters;  // its own: not lr, weight_decay
  struct Buffer {
    const char* name;  // PyTorch's: "exp_avg", "sum", ...; one array per parameter
    // True when it holds state only once a step has been taken (as torch's
    // momentum_buffer is None until then): before, it is not saved.
    bool from_first_step = false;
  };
  std::vector<Buffer> buffers;
  void (*update)(const Update<T>&);
  void (*check)(const OptimOptions&) = nullptr;  // rules between hyperparameters
};

}  // namespace detail

namespace {

template <class T>
using Row = detail::OptimizerRow<T>;

// The optimizers, in order of increasing complexity.
template <class T>
const std::vector<Row<T>>& rows() {
  static const std::vector<Row<T>> rows = {
      {"sgd", {}, {}, sgd<T>},
      {"momentum",
       {{"momentum", "--momentum", 0.9, momentum_range, "Momentum (momentum optimizer)"},
        {"nesterov", "--nesterov", 0, on_off, "Nesterov momentum", true}},
       {{"momentum_buffer", true}},
       momentum<T>,
       nesterov_needs_momentum},
      {"rmsprop",
       {{"alpha", "", 0.99, unit, "Smoothing constant of the squared gradients' average"},
        eps(1e-8)},
       {{"square_avg"}},
       rmsprop<T>},
      {"adam",
       {{"beta1", "", 0.9, unit, "Decay of the gradients' running average"},
        {"beta2", "", 0.999, unit, "Decay of the squared gradients' running average"},
        eps(1e-8)},
       {{"exp_avg"}, {"exp_avg_sq"}},
       adam<T>},
      {"adagrad", {eps(1e-10)}, {{"sum"}}, adagrad<T>},
  };
  return rows;
}

std::string join(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

template <class T>
const Row<T>* find_row(const std::string& name) {
  for (const Row<T>& r : rows<T>())
    if (r.name == name) return &r;
  return nullptr;
}

template <class T>
const Row<T>& row_named(const std::string& name) {
  if (const Row<T>* r = find_row<T>(name)) return *r;
  throw std::invalid_argument("unknown optimizer '" + name +
                              "' (known: " + join(optimizer_names()) + ")");
}

const Hyperparameter* find(const std::vector<Hyperparameter>& list, const std::string& key) {
  for (const Hyperparameter& h : list)
    if (h.key == key) return &h;
  return nullptr;
}

// Every hyperparameter once: lr, each row's own in order, weight_decay; the
// first declaration's default. Declarations of one key must agree but for it.
const std::vector<Hyperparameter>& all_hyperparameters() {
  static const std::vector<Hyperparameter> all = [] {
    std::vector<Hyperparameter> out = {kLR};
    for (const Row<float>& r : rows<float>())
      for (const Hyperparameter& h : r.hyperparameters) {
        const Hyperparameter* seen = find(out, h.key);
        if (!seen)
          out.push_back(h);
        else if (seen->flag != h.flag || seen->help != h.help || seen->boolean != h.boolean ||
                 seen->range.str() != h.range.str())
          throw std::logic_error("optimizers declare '" + h.key + "' differently");
      }
    out.push_back(kWeightDecay);
    return out;
  }();
  return all;
}

const Hyperparameter& declared(const std::string& key) {
  if (const Hyperparameter* h = find(all_hyperparameters(), key)) return *h;
  std::vector<std::string> keys;
  for (const Hyperparameter& h : all_hyperparameters()) keys.push_back(h.key);
  throw std::invalid_argument("unknown optimizer hyperparameter '" + key +
                              "' (known: " + join(keys) + ")");
}

// Every value in its range whichever optimizer reads it; a switch only where
// it means something; then the row's own rules.
void check_options(const OptimOptions& o) {
  const Row<float>& row = row_named<float>(o.name);
  for (const Hyperparameter& h : all_hyperparameters()) {
    const double v = o.get(h.key);
    if (!h.boolean) {
      if (!h.range.contains(v)) bad_option(h.key, h.range.str(), v);
    } else if (v != 0 && !find(row.hyperparameters, h.key)) {
      std::vector<std::string> readers;
      for (const Row<float>& r : rows<float>())
        if (find(r.hyperparameters, h.key)) readers.push_back(r.name);
      throw OptionError(
          h.key, "applies only to the " + join(readers) + " optimizer (got '" + o.name + "')");
    }
  }
  if (row.check) row.check(o);
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw CheckpointError(path.string() + ": " + what);
}

}  // namespace

std::string Range::str() const {
  std::ostringstream os;
  if (max == inf && max_open)
    os << (min_open ? "> " : ">= ") << min;
  else
    os << "in " << (min_open ? '(' : '[') << min << ", " << max << (max_open ? ')' : ']');
  return os.str();
}

double OptimOptions::get(const std::string& key) const {
  if (key == "lr") return lr;
  if (const auto it = values_.find(key); it != values_.end()) return it->second;
  if (const Row<float>* r = find_row<float>(name))
    if (const Hyperparameter* h = find(r->hyperparameters, key)) return h->default_value;
  return declared(key).default_value;
}

void OptimOptions::set(const std::string& key, double value) {
  declared(key);
  if (key == "lr")
    lr = value;
  else
    values_[key] = value;
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const Row<float>& r : rows<float>()) names.push_back(r.name);
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<Hyperparameter>& optimizer_hyperparameters() {
  static const std::vector<Hyperparameter> flagged = [] {
    std::vector<Hyperparameter> out;
    for (const Hyperparameter& h : all_hyperparameters())
      if (!h.flag.empty()) out.push_back(h);
    return out;
  }();
  return flagged;
}

const std::vector<Hyperparameter>& optimizer_hyperparameters(const std::string& name) {
  static const std::map<std::string, std::vector<Hyperparameter>> by_name = [] {
    std::map<std::string, std::vector<Hyperparameter>> out;
    for (const Row<float>& r : rows<float>()) {
      std::vector<Hyperparameter>& list = out[r.name] = {kLR};
      list.insert(list.end(), r.hyperparameters.begin(), r.hyperparameters.end());
      list.push_back(kWeightDecay);
    }
    return out;
  }();
  row_named<float>(name);
  return by_name.at(name);
}

// ------------------------------------------------------------------ the class

template <class T>
Optimizer<T>::Optimizer(const OptimOptions& o, std::vector<Parameter<T>*> params)
    : row_(&row_named<T>(o.name)), params_(std::move(params)) {
  check_options(o);
  lr = o.lr;
  for (const Hyperparameter& h : optimizer_hyperparameters(o.name))
    if (h.key != "lr") values_[h.key] = o.get(h.key);
  for (std::size_t b = 0; b < row_->buffers.size(); ++b) {
    std::vector<Array<T>> arrays;
    for (const Parameter<T>* p : params_) arrays.push_back(xt::zeros<T>(p->value.shape()));
    buffers_.push_back(std::move(arrays));
  }
}

template <class T>
const std::string& Optimizer<T>::name() const {
  return row_->name;
}

template <class T>
double Optimizer<T>::get(const std::string& key) const {
  if (key == "lr") return lr;
  const auto it = values_.find(key);
  if (it == values_.end())
    throw std::invalid_argument(name() + " has no hyperparameter '" + key + "'");
  return it->second;
}

template <class T>
void Optimizer<T>::step() {
  // The update loops index grad and state by value's layout; refuse a mismatch
  // rather than read past an array.
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const Parameter<T>& p = *params_[k];
    if (p.requires_grad && p.grad.shape() != p.value.shape())
      throw std::invalid_argument(name() + ": parameter '" + p.name + "' has gradient shape " +
                                  shape_str(p.grad.shape()) + " but value shape " +
                                  shape_str(p.value.shape()));
    for (const std::vector<Array<T>>& b : buffers_)
      if (b[k].shape() != p.value.shape())
        throw std::invalid_argument(name() + ": parameter '" + p.name + "' changed shape to " +
                                    shape_str(p.value.shape()) + " after the optimizer was made");
  }
  ++steps_;
  row_->update(Update<T>{*this, steps_, params_, buffers_});
}

template <class T>
void Optimizer<T>::save_state(const std::string& dir) const {
  const fs::path root(dir);
  const fs::path json_path = root / "state.json";
  std::set<std::string> seen;
  for (const Parameter<T>* p : params_)
    if (!seen.insert(p->name).second)
      fail(json_path, "two parameters are both named '" + p->name + "'");

  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) fail(root, "cannot create directory: " + ec.message());

  nlohmann::json j;
  j["optimizer"] = name();
  j["steps"] = steps_;
  j["lr"] = lr;
  for (const Hyperparameter& h : optimizer_hyperparameters(name()))
    if (h.key != "lr") {
      const double v = values_.at(h.key);
      j[h.key] = h.boolean ? nlohmann::json(v != 0) : nlohmann::json(v);
    }
  j["buffers"] = nlohmann::json::array();
  for (const auto& b : row_->buffers) j["buffers"].push_back(b.name);
  j["parameters"] = nlohmann::json::array();
  for (const Parameter<T>* p : params_) j["parameters"].push_back(p->name);

  {
    std::ofstream out(json_path, std::ios::trunc);
    if (!out) fail(json_path, "cannot open for writing");
    out << j.dump(2) << '\n';
    out.close();
    if (!out) fail(json_path, "write failed");
  }
  for (std::size_t b = 0; b < buffers_.size(); ++b) {
    if (row_->buffers[b].from_first_step && steps_ == 0) continue;  // no state yet
    for (std::size_t k = 0; k < params_.size(); ++k) {
      const std::string path =
          (root / (params_[k]->name + "." + row_->buffers[b].name + ".npy")).string();
      if constexpr (std::is_same_v<T, float>)
        save_npy(path, buffers_[b][k]);
      else
        save_npy(path, Array<float>(xt::cast<float>(buffers_[b][k])));
    }
  }
}

template <class T>
void Optimizer<T>::load_state(const std::string& dir) {
  const fs::path root(dir);
  const fs::path json_path = root / "state.json";
  std::error_code ec;
  if (!fs::is_regular_file(json_path, ec)) fail(json_path, "missing (no saved optimizer state)");
  std::ifstream in(json_path);
  if (!in) fail(json_path, "cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail(json_path, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) fail(json_path, "not a JSON object");
  auto need = [&](const char* key, bool ok_type) -> const nlohmann::json& {
    if (!j.contains(key)) fail(json_path, std::string("lacks the key '") + key + "'");
    if (!ok_type) fail(json_path, std::string("the key '") + key + "' has the wrong type");
    return j.at(key);
  };
  need("optimizer", j.contains("optimizer") && j["optimizer"].is_string());
  const std::string saved = j["optimizer"].get<std::string>();
  if (saved != name())
    fail(json_path, "holds the state of optimizer '" + saved + "', not '" + name() + "'");
  need("steps", j.contains("steps") && j["steps"].is_number_unsigned());
  need("lr", j.contains("lr") && j["lr"].is_number());
  // Written before the buffers knew when they hold state; false: none do.
  if (j.contains("buffers_initialised"))
    need("buffers_initialised", j["buffers_initialised"].is_boolean());
  need("parameters", j.contains("parameters") && j["parameters"].is_array());

  std::set<std::string> saved_names, names;
  for (const nlohmann::json& n : j["parameters"]) {
    if (!n.is_string()) fail(json_path, "the key 'parameters' holds a non-string");
    saved_names.insert(n.get<std::string>());
  }
  for (const Parameter<T>* p : params_) names.insert(p->name);
  for (const std::string& n : names)
    if (!saved_names.count(n))
      fail(json_path, "has no state for parameter '" + n + "' (saved for another model?)");
  for (const std::string& n : saved_names)
    if (!names.count(n))
      fail(json_path, "holds state for parameter '" + n + "', which this model lacks");
  if (names.size() != params_.size())
    fail(json_path, "this model has two parameters of the same name");

  // Read everything before changing anything, so a refusal leaves us intact.
  const std::size_t steps = j["steps"].get<std::size_t>();
  const bool none_held = j.contains("buffers_initialised") && !j["buffers_initialised"].get<bool>();
  std::vector<std::vector<Array<T>>> loaded;
  for (const auto& b : row_->buffers) {
    std::vector<Array<T>> arrays;
    for (const Parameter<T>* p : params_) {
      if (none_held || (b.from_first_step && steps == 0)) {
        arrays.push_back(xt::zeros<T>(p->value.shape()));
        continue;
      }
      const fs::path path = root / (p->name + "." + b.name + ".npy");
      if (!fs::is_regular_file(path, ec))
        fail(path, std::string("missing (optimizer state '") + b.name + "' of parameter '" +
                       p->name + "')");
      Array<float> a = load_npy(path.string());
      if (a.shape() != p->value.shape())
        fail(path, "shape " + shape_str(a.shape()) + " does not match parameter '" + p->name +
                       "' of shape " + shape_str(p->value.shape()));
      if constexpr (std::is_same_v<T, float>)
        arrays.push_back(std::move(a));
      else
        arrays.push_back(xt::cast<T>(a));
    }
    loaded.push_back(std::move(arrays));
  }

  steps_ = steps;
  lr = j["lr"].get<double>();
  buffers_ = std::move(loaded);
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimOptions& o,
                                             std::vector<Parameter<T>*> params) {
  return std::make_unique<Optimizer<T>>(o, std::move(params));
}

template class Optimizer<float>;
template class Optimizer<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer(const OptimOptions&,
                                                          std::vector<Parameter<float>*>);
template std::unique_ptr<Optimizer<double>> make_optimizer(const OptimOptions&,
                                                           std::vector<Parameter<double>*>);

}  // namespace attnlab
