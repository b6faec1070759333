// The optimizers' updates, elementwise in T as torch computes them for a
// tensor of that dtype; saving and restoring their state; the factory.
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

// The loop of every update: update_span over each parameter that has a
// gradient, with its arrays of the state buffers (one per parameter each).
template <class T, class F, class... Buffers>
void update_elements(const std::vector<Parameter<T>*>& params, T wd, const F& f,
                     Buffers&... buffers) {
  for (std::size_t k = 0; k < params.size(); ++k) {
    Parameter<T>& p = *params[k];
    if (!p.requires_grad) continue;
    update_span(p.value.size(), p.value.data(), p.grad.data(), wd, f, buffers[k].data()...);
  }
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw CheckpointError(path.string() + ": " + what);
}

}  // namespace

// ------------------------------------------------------------------ base

template <class T>
void Optimizer<T>::step() {
  // The update loops index grad and state by value's layout; refuse a mismatch
  // rather than read past an array.
  const std::vector<Buffer> bufs = buffers();
  for (std::size_t k = 0; k < params_.size(); ++k) {
    const Parameter<T>& p = *params_[k];
    if (p.requires_grad && p.grad.shape() != p.value.shape())
      throw std::invalid_argument(name() + ": parameter '" + p.name + "' has gradient shape " +
                                  shape_str(p.grad.shape()) + " but value shape " +
                                  shape_str(p.value.shape()));
    for (const Buffer& b : bufs)
      if ((*b.arrays)[k].shape() != p.value.shape())
        throw std::invalid_argument(name() + ": parameter '" + p.name + "' changed shape to " +
                                    shape_str(p.value.shape()) + " after the optimizer was made");
  }
  ++steps_;
  update();
}

template <class T>
std::vector<Array<T>> Optimizer<T>::zeros_like_params() const {
  std::vector<Array<T>> out;
  out.reserve(params_.size());
  for (const Parameter<T>* p : params_) out.push_back(xt::zeros<T>(p->value.shape()));
  return out;
}

template <class T>
void Optimizer<T>::hyperparameters(nlohmann::json&) const {}

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

  // buffers() hands out mutable pointers; here they are only read.
  const std::vector<Buffer> bufs = const_cast<Optimizer*>(this)->buffers();
  nlohmann::json j;
  j["optimizer"] = name();
  j["steps"] = steps_;
  j["lr"] = lr;
  hyperparameters(j);
  j["buffers"] = nlohmann::json::array();
  for (const Buffer& b : bufs) j["buffers"].push_back(b.name);
  j["parameters"] = nlohmann::json::array();
  for (const Parameter<T>* p : params_) j["parameters"].push_back(p->name);

  {
    std::ofstream out(json_path, std::ios::trunc);
    if (!out) fail(json_path, "cannot open for writing");
    out << j.dump(2) << '\n';
    out.close();
    if (!out) fail(json_path, "write failed");
  }
  for (const Buffer& b : bufs) {
    if (b.from_first_step && steps_ == 0) continue;  // no state yet
    for (std::size_t k = 0; k < params_.size(); ++k) {
      const std::string path = (root / (params_[k]->name + "." + b.name + ".npy")).string();
      if constexpr (std::is_same_v<T, float>)
        save_npy(path, (*b.arrays)[k]);
      else
        save_npy(path, Array<float>(xt::cast<float>((*b.arrays)[k])));
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
  const std::vector<Buffer> bufs = buffers();
  std::vector<std::vector<Array<T>>> loaded;
  for (const Buffer& b : bufs) {
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
  for (std::size_t b = 0; b < bufs.size(); ++b) *bufs[b].arrays = std::move(loaded[b]);
}

// ------------------------------------------------------------------ SGD

template <class T>
SGD<T>::SGD(std::vector<Parameter<T>*> params, double lr)
    : SGD(std::move(params), SGDOptions{lr}) {}

template <class T>
SGD<T>::SGD(std::vector<Parameter<T>*> params, const SGDOptions& o)
    : Optimizer<T>(std::move(params)), o_(o) {
  this->lr = o.lr;
}

template <class T>
void SGD<T>::update() {
  const T lr = static_cast<T>(this->lr), wd = static_cast<T>(o_.weight_decay);
  update_elements(this->params_, wd, [=](T& w, T d) { w -= lr * d; });
}

template <class T>
void SGD<T>::hyperparameters(nlohmann::json& out) const {
  out["weight_decay"] = o_.weight_decay;
}

// ------------------------------------------------------------------ Momentum

template <class T>
Momentum<T>::Momentum(std::vector<Parameter<T>*> params, const MomentumOptions& o)
    : Optimizer<T>(std::move(params)), o_(o), buf_(this->zeros_like_params()) {
  this->lr = o.lr;
}

template <class T>
void Momentum<T>::update() {
  const T lr = static_cast<T>(this->lr), mu = static_cast<T>(o_.momentum),
          wd = static_cast<T>(o_.weight_decay);
  const bool first = this->steps_ == 1, nesterov = o_.nesterov;  // steps_ counts this one
  update_elements(
      this->params_, wd,
      [=](T& w, T d, T& b) {
        b = first ? d : mu * b + d;
        w -= lr * (nesterov ? d + mu * b : b);
      },
      buf_);
}

template <class T>
std::vector<typename Optimizer<T>::Buffer> Momentum<T>::buffers() {
  return {{"momentum_buffer", &buf_, true}};
}

template <class T>
void Momentum<T>::hyperparameters(nlohmann::json& out) const {
  out["momentum"] = o_.momentum;
  out["nesterov"] = o_.nesterov;
  out["weight_decay"] = o_.weight_decay;
}

// ------------------------------------------------------------------ RMSprop

template <class T>
RMSprop<T>::RMSprop(std::vector<Parameter<T>*> params, const RMSpropOptions& o)
    : Optimizer<T>(std::move(params)), o_(o), v_(this->zeros_like_params()) {
  this->lr = o.lr;
}

template <class T>
void RMSprop<T>::update() {
  const T lr = static_cast<T>(this->lr), wd = static_cast<T>(o_.weight_decay),
          alpha = static_cast<T>(o_.alpha), one_minus_alpha = static_cast<T>(1 - o_.alpha),
          eps = static_cast<T>(o_.eps);
  update_elements(
      this->params_, wd,
      [=](T& w, T d, T& v) {
        v = alpha * v + one_minus_alpha * d * d;
        w -= lr * d / (std::sqrt(v) + eps);
      },
      v_);
}

template <class T>
std::vector<typename Optimizer<T>::Buffer> RMSprop<T>::buffers() {
  return {{"square_avg", &v_}};
}

template <class T>
void RMSprop<T>::hyperparameters(nlohmann::json& out) const {
  out["alpha"] = o_.alpha;
  out["eps"] = o_.eps;
  out["weight_decay"] = o_.weight_decay;
}

// ------------------------------------------------------------------ Adam

template <class T>
Adam<T>::Adam(std::vector<Parameter<T>*> params, const AdamOptions& o)
    : Optimizer<T>(std::move(params)),
      o_(o),
      m_(this->zeros_like_params()),
      v_(this->zeros_like_params()) {
  this->lr = o.lr;
}

template <class T>
void Adam<T>::update() {
  // The bias corrections in double, as torch computes them in Python floats.
  const double t = static_cast<double>(this->steps_);
  const double c1 = 1.0 - std::pow(o_.beta1, t), c2 = 1.0 - std::pow(o_.beta2, t);
  const T step_size = static_cast<T>(this->lr / c1), c2_sqrt = static_cast<T>(std::sqrt(c2)),
          b1 = static_cast<T>(o_.beta1), one_minus_b1 = static_cast<T>(1 - o_.beta1),
          b2 = static_cast<T>(o_.beta2), one_minus_b2 = static_cast<T>(1 - o_.beta2),
          eps = static_cast<T>(o_.eps), wd = static_cast<T>(o_.weight_decay);
  update_elements(
      this->params_, wd,
      [=](T& w, T d, T& m, T& v) {
        m = b1 * m + one_minus_b1 * d;
        v = b2 * v + one_minus_b2 * d * d;
        w -= step_size * m / (std::sqrt(v) / c2_sqrt + eps);
      },
      m_, v_);
}

template <class T>
std::vector<typename Optimizer<T>::Buffer> Adam<T>::buffers() {
  return {{"exp_avg", &m_}, {"exp_avg_sq", &v_}};
}

template <class T>
void Adam<T>::hyperparameters(nlohmann::json& out) const {
  out["beta1"] = o_.beta1;
  out["beta2"] = o_.beta2;
  out["eps"] = o_.eps;
  out["weight_decay"] = o_.weight_decay;
}

// ------------------------------------------------------------------ Adagrad

template <class T>
Adagrad<T>::Adagrad(std::vector<Parameter<T>*> params, const AdagradOptions& o)
    : Optimizer<T>(std::move(params)), o_(o), sum_(this->zeros_like_params()) {
  this->lr = o.lr;
}

template <class T>
void Adagrad<T>::update() {
  const T lr = static_cast<T>(this->lr), wd = static_cast<T>(o_.weight_decay),
          eps = static_cast<T>(o_.eps);
  update_elements(
      this->params_, wd,
      [=](T& w, T d, T& s) {
        s += d * d;
        w -= lr * d / (std::sqrt(s) + eps);
      },
      sum_);
}

template <class T>
std::vector<typename Optimizer<T>::Buffer> Adagrad<T>::buffers() {
  return {{"sum", &sum_}};
}

template <class T>
void Adagrad<T>::hyperparameters(nlohmann::json& out) const {
  out["eps"] = o_.eps;
  out["weight_decay"] = o_.weight_decay;
}

// ------------------------------------------------------------------ factory

namespace {

// The one list of optimizers: each with the OptimOptions fields it reads and
// how it is made from them.
template <class T>
struct OptimizerKind {
  const char* name;
  std::vector<std::string> reads;
  std::unique_ptr<Optimizer<T>> (*make)(const OptimOptions& o, std::vector<Parameter<T>*> params);
};

// o.eps, or the optimizer's own default when it is -1.
double eps_or(const OptimOptions& o, double own) { return o.eps != -1 ? o.eps : own; }

template <class T>
const std::vector<OptimizerKind<T>>& optimizer_kinds() {
  using Made = std::unique_ptr<Optimizer<T>>;
  using Params = std::vector<Parameter<T>*>;
  static const std::vector<OptimizerKind<T>> kinds = {
      {"adagrad",
       {"lr", "eps", "weight_decay"},
       [](const OptimOptions& o, Params p) -> Made {
         return std::make_unique<Adagrad<T>>(
             std::move(p), AdagradOptions{o.lr, eps_or(o, AdagradOptions{}.eps), o.weight_decay});
       }},
      {"adam",
       {"lr", "beta1", "beta2", "eps", "weight_decay"},
       [](const OptimOptions& o, Params p) -> Made {
         return std::make_unique<Adam<T>>(
             std::move(p),
             AdamOptions{o.lr, o.beta1, o.beta2, eps_or(o, AdamOptions{}.eps), o.weight_decay});
       }},
      {"momentum",
       {"lr", "momentum", "nesterov", "weight_decay"},
       [](const OptimOptions& o, Params p) -> Made {
         return std::make_unique<Momentum<T>>(
             std::move(p), MomentumOptions{o.lr, o.momentum, o.nesterov, o.weight_decay});
       }},
      {"rmsprop",
       {"lr", "alpha", "eps", "weight_decay"},
       [](const OptimOptions& o, Params p) -> Made {
         return std::make_unique<RMSprop<T>>(
             std::move(p),
             RMSpropOptions{o.lr, o.alpha, eps_or(o, RMSpropOptions{}.eps), o.weight_decay});
       }},
      {"sgd",
       {"lr", "weight_decay"},
       [](const OptimOptions& o, Params p) -> Made {
         return std::make_unique<SGD<T>>(std::move(p), SGDOptions{o.lr, o.weight_decay});
       }},
  };
  return kinds;
}

bool reads(const OptimizerKind<float>& kind, const std::string& field) {
  return std::find(kind.reads.begin(), kind.reads.end(), field) != kind.reads.end();
}

std::string join(const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

[[noreturn]] void bad_option(const std::string& field, const std::string& want, double got) {
  std::ostringstream os;
  os << "must be " << want << " (got " << got << ")";
  throw OptionError(field, os.str());
}

// Every value is checked whichever optimizer reads it; nesterov, a switch,
// only where it means something.
void check_options(const OptimOptions& o) {
  if (!(std::isfinite(o.lr) && o.lr > 0)) bad_option("lr", "> 0", o.lr);
  if (!(std::isfinite(o.weight_decay) && o.weight_decay >= 0))
    bad_option("weight_decay", ">= 0", o.weight_decay);
  if (!(o.momentum >= 0 && o.momentum < 1)) bad_option("momentum", "in [0, 1)", o.momentum);
  if (!(o.alpha >= 0 && o.alpha < 1)) bad_option("alpha", "in [0, 1)", o.alpha);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) bad_option("beta1", "in [0, 1)", o.beta1);
  if (!(o.beta2 >= 0 && o.beta2 < 1)) bad_option("beta2", "in [0, 1)", o.beta2);
  if (!(o.eps == -1 || (std::isfinite(o.eps) && o.eps >= 0)))
    bad_option("eps", ">= 0 (or -1 for the optimizer's default)", o.eps);
  if (o.nesterov) {
    std::vector<std::string> readers;
    bool applies = false;
    for (const OptimizerKind<float>& k : optimizer_kinds<float>())
      if (reads(k, "nesterov")) {
        readers.push_back(k.name);
        applies = applies || o.name == k.name;
      }
    if (!applies)
      throw OptionError(
          "nesterov", "applies only to the " + join(readers) + " optimizer (got '" + o.name + "')");
  }
  if (o.nesterov && o.momentum == 0)
    throw OptionError("nesterov", "needs a momentum above 0 (got 0)");
}

}  // namespace

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const OptimizerKind<float>& k : optimizer_kinds<float>()) names.push_back(k.name);
  std::sort(names.begin(), names.end());
  return names;
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimOptions& o,
                                             std::vector<Parameter<T>*> params) {
  const auto& kinds = optimizer_kinds<T>();
  const auto kind = std::find_if(kinds.begin(), kinds.end(),
                                 [&](const OptimizerKind<T>& k) { return k.name == o.name; });
  if (kind == kinds.end())
    throw std::invalid_argument("unknown optimizer '" + o.name +
                                "' (known: " + join(optimizer_names()) + ")");
  check_options(o);
  return kind->make(o, std::move(params));
}

template class Optimizer<float>;
template class Optimizer<double>;
template class SGD<float>;
template class SGD<double>;
template class Momentum<float>;
template class Momentum<double>;
template class RMSprop<float>;
template class RMSprop<double>;
template class Adam<float>;
template class Adam<double>;
template class Adagrad<float>;
template class Adagrad<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer(const OptimOptions&,
                                                          std::vector<Parameter<float>*>);
template std::unique_ptr<Optimizer<double>> make_optimizer(const OptimOptions&,
                                                           std::vector<Parameter<double>*>);

}  // namespace attnlab
