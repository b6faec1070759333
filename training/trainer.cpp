// The training loop and the checkpoints it writes: weights, optimizer state
// (optimizer/), the best model by validation loss (best/) and the training
// state, all in one atomic save.
#include "training/trainer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "io/error.hpp"
#include "models/memory.hpp"
#include "models/model_io.hpp"
#include "optim/clip.hpp"
#include "training/evaluate.hpp"
#include "training/parallel.hpp"

namespace attnlab {

namespace fs = std::filesystem;

std::string metrics_path(const std::string& checkpoint) {
  std::string p = checkpoint;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p + ".metrics.jsonl";
}

std::string duration_text(double s) {
  std::ostringstream os;
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600)
    os << t / 3600 << "h" << std::setw(2) << std::setfill('0') << (t / 60) % 60 << "m";
  else if (t >= 60)
    os << t / 60 << "m" << std::setw(2) << std::setfill('0') << t % 60 << "s";
  else
    os << t << "s";
  return os.str();
}

namespace {

using Clock = std::chrono::steady_clock;

// Each epoch's batches come from its own seed, so a resumed run rebuilds them.
std::uint64_t epoch_seed(std::uint64_t seed, std::size_t epoch) {
  return seed * 1000003ULL + epoch * 7919ULL + 17;
}

// The learning-rate schedule's state goes beside the trainer's own.
nlohmann::json to_json(const TrainState& s, const nlohmann::json& schedule) {
  return {
      {"step", s.step},           {"epoch", s.epoch},
      {"batch", s.batch},         {"best_valid", std::isfinite(s.best_valid) ? s.best_valid : -1.0},
      {"best_step", s.best_step}, {"bad_validations", s.bad_validations},
      {"elapsed", s.elapsed},     {"rng", s.rng},
      {"schedule", schedule}};
}

// A damaged train_state is refused naming the key: a negative or absurd count
// would otherwise wrap around or send training off for centuries. The
// schedule's state goes to `schedule`, for Schedule::load_state to judge.
TrainState state_from_json(const nlohmann::json& j, nlohmann::json& schedule) {
  auto bad = [](const std::string& key, const nlohmann::json& v, const std::string& want) {
    throw std::invalid_argument("train_state." + key + " is " + v.dump() + "; want " + want);
  };
  auto count = [&](const char* key, std::size_t most) {
    const nlohmann::json& v = j.at(key);
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > most)
      bad(key, v, "a whole number from 0 to " + std::to_string(most));
    return static_cast<std::size_t>(v.get<std::uint64_t>());
  };
  auto number = [&](const char* key, double lo) {
    const nlohmann::json& v = j.at(key);
    if (!v.is_number() || !(v.get<double>() >= lo) || !std::isfinite(v.get<double>()))
      bad(key, v, "a finite number from " + std::to_string(static_cast<long>(lo)));
    return v.get<double>();
  };
  constexpr std::size_t most = 1000000000000;  // a trillion steps: far beyond any real run
  TrainState s;
  s.step = count("step", most);
  s.epoch = count("epoch", s.step + 1);  // each epoch takes at least one step
  s.batch = count("batch", s.step);
  const double best = number("best_valid", -1.0);
  s.best_valid = best < 0 ? std::numeric_limits<double>::infinity() : best;
  s.best_step = count("best_step", s.step);
  s.bad_validations = count("bad_validations", s.step + 1);
  s.elapsed = number("elapsed", 0.0);
  if (!j.at("rng").is_string()) bad("rng", j.at("rng"), "a string");
  s.rng = j.at("rng");
  schedule = j.at("schedule");
  return s;
}

// Refuses, before the first step, a run whose largest batch (the longest
// source and target of either set) would need more memory than there is.
void check_largest_batch(const ModelConfig& config, const std::vector<Example>& train,
                         const std::vector<Example>& valid, const TrainOptions& o) {
  std::size_t tx = 1, ty = 1;
  for (const auto* set : {&train, &valid})
    for (const Example& e : *set)
      tx = std::max(tx, e.src.size()), ty = std::max(ty, e.tgt.size() + 1);
  const std::size_t b = std::min(o.batch_size, std::max<std::size_t>(train.size(), 1));
  check_training_memory(config, b, tx, ty - 1, o.max_memory);
}

// The steps since the last line of the metrics log: their losses, and the
// tokens read since the rate was last measured, over about half a second.
struct LogWindow {
  double loss_sum = 0;
  std::size_t loss_n = 0, tokens = 0;
  Clock::time_point start = Clock::now();
  double tokens_per_s = 0;

  double seconds() const { return std::chrono::duration<double>(Clock::now() - start).count(); }
  void add_step(double loss) {
    loss_sum += loss;
    ++loss_n;
    const double window = seconds();
    if (window > 0.5) {
      tokens_per_s = tokens / window;
      tokens = 0;
      start = Clock::now();
    }
  }
};

// An exclusive flock on "<dir>.lock" for the life of the object; the file
// holds the owner's process id, for the message of whoever is refused. The
// kernel drops the lock when the process dies, however it dies.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir) {
    std::string p = dir;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    const std::string path = p + ".lock";
    std::error_code ignored;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ignored);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw std::runtime_error(path + ": cannot open the lock file (" + std::strerror(errno) + ")");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      char pid[32] = {};
      const ssize_t n = ::pread(fd_, pid, sizeof pid - 1, 0);
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error(dir + ": another training run is writing this checkpoint (process " +
                               std::string(pid, n > 0 ? std::strlen(pid) : 0) + ", holding " +
                               path + "); wait for it to finish, or save elsewhere");
    }
    const std::string me = std::to_string(::getpid());
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) < 0) {
      // the lock holds regardless; only the message of a refused run is poorer
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

struct Trainer::Impl {
  EncoderDecoder<float>& model;
  DataParallel<float> parallel;
  const Vocab& src;
  const Vocab& tgt;
  TrainOptions opts;
  nlohmann::json extra;
  std::unique_ptr<Optimizer<float>> optimizer;
  Schedule schedule;
  TrainState state;
  Rng rng;
  std::ofstream metrics;
  Clock::time_point session_start = Clock::now();
  double elapsed_before = 0.0;
  bool resumed = false;
  bool new_best = false;
  // What the checkpoint directory holds, so that a run that stops says so truly.
  bool had_checkpoint = false;  // one was there when this run started
  long saved_step = -1;         // the step this run last saved, -1 if none
  std::string diverged;         // why training must stop, once it must
  // This run's: batches in an epoch, steps it will take, the steps since the last log line.
  std::size_t per_epoch = 0, planned = 0;
  LogWindow window;

  Impl(EncoderDecoder<float>& m, const Vocab& s, const Vocab& t, const TrainOptions& o,
       nlohmann::json e)
      : model(m),
        parallel(m, o.threads),
        src(s),
        tgt(t),
        opts(o),
        extra(std::move(e)),
        optimizer(make_optimizer<float>(o.optim, m.parameters())),
        schedule(o.schedule, o.optim.lr),
        rng(o.seed) {}

  double elapsed() const {
    return elapsed_before + std::chrono::duration<double>(Clock::now() - session_start).count();
  }

  // A resumed run continues its log; a new one starts its own.
  void open_metrics() {
    const fs::path p = metrics_path(opts.save);
    std::error_code ignored;  // a failure shows as the open's below
    if (p.has_parent_path()) fs::create_directories(p.parent_path(), ignored);
    metrics.open(p, resumed ? std::ios::app : std::ios::trunc);
    if (!metrics) throw std::runtime_error(p.string() + ": cannot write the metrics log");
  }

  void log_metrics(const nlohmann::json& j) {
    if (metrics.is_open()) metrics << j.dump() << "\n" << std::flush;
  }

  // One atomic checkpoint: weights, training state, optimizer/, best/.
  void save() {
    if (opts.save.empty()) return;  // in memory only
    std::ostringstream r;
    r << rng;
    state.rng = r.str();
    state.elapsed = elapsed();
    nlohmann::json config = extra;
    config["train_state"] = to_json(state, schedule.state());
    config["train_options"] = {{"batch_size", opts.batch_size},
                               {"seed", opts.seed},
                               {"optimizer", opts.optim.name},
                               {"threads", opts.threads}};
    const fs::path old_best = fs::path(opts.save) / "best";
    const bool copy_best = !new_best && fs::exists(old_best / "config.json");
    save_model(opts.save, model, src, tgt, config, [&](const std::string& tmp) {
      optimizer->save_state((fs::path(tmp) / "optimizer").string());
      if (new_best) {
        nlohmann::json best = extra;
        best["best_step"] = state.step;
        best["best_valid_loss"] = state.best_valid;
        save_model((fs::path(tmp) / "best").string(), model, src, tgt, best);
      } else if (copy_best) {
        fs::copy(old_best, fs::path(tmp) / "best", fs::copy_options::recursive);
      }
    });
    new_best = false;
    saved_step = static_cast<long>(state.step);
  }

  // Where the last good weights are, for the message of a run that stops early.
  std::string on_disk() const {
    if (saved_step >= 0)
      return "The checkpoint in " + opts.save + " is the one saved at step " +
             std::to_string(saved_step) + ", before that.";
    if (had_checkpoint)
      return opts.save + " still holds the checkpoint that was there before this run, untouched.";
    return "Nothing was saved.";
  }

  // max_steps taken, or the last epoch over.
  bool done() const {
    return (opts.max_steps >= 0 && state.step >= static_cast<std::size_t>(opts.max_steps)) ||
           (opts.epochs > 0 && state.epoch >= opts.epochs);
  }

  // Where the run stands, for on_step and on_log, with their loss.
  TrainProgress progress(double loss) const {
    return {state.step, planned, state.epoch, opts.epochs, loss, window.tokens_per_s, elapsed()};
  }

  // The mean loss of the steps since the last log line, to the metrics log and on_log.
  void log_steps() {
    if (window.tokens_per_s == 0)  // a run shorter than the rate's window: its own rate
      window.tokens_per_s = window.tokens / std::max(window.seconds(), 1e-9);
    const double loss = window.loss_sum / window.loss_n;
    log_metrics({{"step", state.step},
                 {"epoch", state.epoch},
                 {"loss", loss},
                 {"lr", optimizer->lr},
                 {"tokens_per_s", window.tokens_per_s},
                 {"elapsed", elapsed()}});
    if (opts.on_log) opts.on_log(progress(loss));
    window.loss_sum = 0;
    window.loss_n = 0;
  }

  // One optimizer step on the examples `rows` of `train`, counted and
  // scheduled: its loss, or none when a NaN or infinity in the loss, the
  // gradients or the updated weights means training must stop (`diverged`).
  std::optional<double> take_step(const std::vector<Example>& train,
                                  const std::vector<std::size_t>& rows,
                                  const LossOptions& loss_opts,
                                  const std::vector<Parameter<float>*>& params) {
    std::vector<std::vector<Index>> xs, ys;
    for (std::size_t i : rows) {
      xs.push_back(train[i].src);
      ys.push_back(train[i].tgt);
      window.tokens += train[i].src.size() + train[i].tgt.size() + 1;
    }
    optimizer->zero_grad();
    const double l = parallel.loss_and_backward(make_batch(xs, ys), loss_opts);
    double norm = l;
    if (std::isfinite(l)) norm = clip_grad_norm(params, opts.clip);
    if (!std::isfinite(l) || !std::isfinite(norm)) {
      diverged = std::string("the ") + (std::isfinite(l) ? "gradient norm" : "loss") + " became " +
                 (std::isnan(norm) ? "NaN" : "infinite") + " at step " +
                 std::to_string(state.step + 1);
      return std::nullopt;
    }
    optimizer->step();
    // An update can overflow the weights while the loss and gradients are finite.
    for (const Parameter<float>* p : params)
      if (count_nonfinite(p->value)) {
        diverged = "the update of step " + std::to_string(state.step + 1) + " made " + p->name +
                   " NaN or infinite";
        return std::nullopt;
      }
    ++state.step;
    ++state.batch;
    optimizer->lr = schedule.after_step(state.step);
    return l;
  }

  // What follows a step of loss `l`: the log, progress, validation, saving and
  // a look at the stop signal. False when training must stop: divergence,
  // early stopping or an interruption, as `result` and `diverged` say.
  bool after_step(double l, const std::vector<Example>& valid, TrainResult& result) {
    window.add_step(l);
    result.last_loss = l;
    if (opts.log_every && state.step % opts.log_every == 0) log_steps();
    if (opts.on_step) opts.on_step(progress(l));
    if (opts.valid_every && state.step % opts.valid_every == 0 && validate(valid))
      result.early_stopped = true;
    if (!diverged.empty()) return false;
    if (opts.save_every && state.step % opts.save_every == 0) save();
    if (result.early_stopped) return false;
    if (opts.stop && opts.stop->load()) {
      result.interrupted = opts.stop->load();
      return false;
    }
    return true;
  }

  // The end of a run that diverged: nothing is saved, since the weights in
  // memory are not good; the message says where the last good ones are.
  void report_divergence(TrainResult& result) const {
    result.diverged = true;
    result.early_stopped = false;
    result.state = state;
    result.message = "training stopped: " + diverged + " (epoch " +
                     std::to_string(state.epoch + 1) + "). " + on_disk() +
                     " Try a lower learning rate or gradient clipping.";
  }

  // What a user reads at the end of a run that saved: why it ended, how far
  // it went, and where its checkpoint and best model are.
  std::string summary(const TrainResult& result) const {
    const TrainState& st = state;
    std::ostringstream msg;
    if (result.interrupted)
      msg << "interrupted (signal " << result.interrupted << "), saved where it stopped: ";
    else
      msg << (result.early_stopped ? "early stop: " : "done: ");
    msg << st.step << " steps, ";
    if (st.batch == 0)
      msg << st.epoch;  // whole epochs, else how far into the next one
    else
      msg << std::fixed << std::setprecision(2) << st.epoch + double(st.batch) / per_epoch;
    msg << (st.epoch == 1 && st.batch == 0 ? " epoch, " : " epochs, ") << duration_text(elapsed());
    if (!opts.save.empty()) msg << "; checkpoint " << opts.save;
    if (std::isfinite(st.best_valid) && !opts.save.empty())
      msg << "; best validation loss " << std::fixed << std::setprecision(4) << st.best_valid
          << " at step " << st.best_step << " (" << (fs::path(opts.save) / "best").string() << ")";
    return msg.str();
  }

  // Returns true when early stopping says stop.
  bool validate(const std::vector<Example>& valid) {
    if (valid.empty()) return false;
    EvalOptions eo;
    eo.threads = opts.threads;
    const EvalResult r = evaluate(model, valid, tgt, eo);
    if (!std::isfinite(r.loss)) {  // neither logged as a result nor saved
      diverged = "the validation loss became " +
                 std::string(std::isnan(r.loss) ? "NaN" : "infinite") + " at step " +
                 std::to_string(state.step);
      return true;
    }
    optimizer->lr = schedule.after_validation(r.loss);
    const bool improved = r.loss < state.best_valid;
    if (improved) {
      state.best_valid = r.loss;
      state.best_step = state.step;
      state.bad_validations = 0;
      new_best = true;
    } else {
      ++state.bad_validations;
    }
    nlohmann::json line = {{"step", state.step},
                           {"epoch", state.epoch},
                           {"valid_loss", r.loss},
                           {"valid_perplexity", json_figure(r.perplexity())},
                           {"valid_token_accuracy", r.token_accuracy},
                           {"valid_exact_accuracy", r.exact_accuracy},
                           {"valid_bleu", r.bleu},
                           {"elapsed", elapsed()}};
    if (r.aligned > 0) {  // an attending model on validation pairs with gold links
      line["valid_aer"] = json_figure(r.aer);
      line["valid_gold_attention_mass"] = json_figure(r.gold_mass);
    }
    log_metrics(line);
    if (opts.on_validation) opts.on_validation(state.step, r, improved);
    save();
    return opts.patience > 0 && state.bad_validations >= opts.patience;
  }
};

Trainer::Trainer(EncoderDecoder<float>& model, const Vocab& src, const Vocab& tgt,
                 const TrainOptions& opts, nlohmann::json extra_config)
    : impl_(std::make_unique<Impl>(model, src, tgt, opts, std::move(extra_config))) {}

Trainer::Trainer(EncoderDecoder<float>& model, const Vocab& src, const Vocab& tgt,
                 const TrainOptions& opts)
    : Trainer(model, src, tgt, opts, nlohmann::json()) {}

Trainer::~Trainer() = default;
Trainer::Trainer(Trainer&&) noexcept = default;
Trainer& Trainer::operator=(Trainer&&) noexcept = default;

void Trainer::resume_from(const std::string& checkpoint) {
  const fs::path dir(checkpoint);
  const std::string config = (dir / "config.json").string();
  nlohmann::json j;
  {
    std::ifstream in(config);
    if (!in) throw CheckpointError(config + ": cannot open");
    try {
      in >> j;
    } catch (const std::exception& e) {
      throw CheckpointError(config + ": not valid JSON (" + e.what() + ")");
    }
  }
  if (!j.contains("train_state") || !j.contains("train_options"))
    throw CheckpointError(config + ": no training state (was it written by attnlab train?)");
  const auto& o = j["train_options"];
  auto differs = [&](const char* key, const std::string& opt, const nlohmann::json& mine,
                     const nlohmann::json& absent = nullptr) {
    const nlohmann::json then = o.contains(key) ? o[key] : absent;
    if (!then.is_null() && then != mine)
      throw std::invalid_argument(checkpoint + ": it was trained with " + opt + " " + then.dump() +
                                  ", not " + mine.dump() + "; exact continuation needs the same");
  };
  differs("batch_size", "batch size", impl_->opts.batch_size);
  differs("seed", "seed", impl_->opts.seed);
  differs("optimizer", "optimizer", impl_->opts.optim.name);
  differs("threads", "threads", impl_->opts.threads, 1);  // older checkpoints: one thread
  nlohmann::json schedule_state;
  try {
    impl_->state = state_from_json(j["train_state"], schedule_state);
  } catch (const std::exception& e) {
    throw CheckpointError(config + ": damaged train_state: " + e.what());
  }
  std::istringstream r(impl_->state.rng);
  r >> impl_->rng;
  if (!r) throw CheckpointError(config + ": damaged random generator state");
  impl_->optimizer->load_state((dir / "optimizer").string());
  impl_->schedule.load_state(schedule_state);
  impl_->optimizer->lr = impl_->schedule.lr();
  impl_->elapsed_before = impl_->state.elapsed;
  impl_->resumed = true;
}

TrainResult Trainer::run(const std::vector<Example>& train, const std::vector<Example>& valid) {
  Impl& m = *impl_;
  TrainState& st = m.state;
  const TrainOptions& o = m.opts;
  check_largest_batch(m.model.config(), train, valid, o);
  std::optional<DirectoryLock> lock;
  if (!o.save.empty()) {
    lock.emplace(o.save);
    m.had_checkpoint = fs::exists(fs::path(o.save) / "config.json");
    m.open_metrics();
  }
  const auto params = m.model.parameters();
  m.per_epoch = (train.size() + o.batch_size - 1) / o.batch_size;
  m.planned = o.max_steps >= 0 ? static_cast<std::size_t>(o.max_steps) : o.epochs * m.per_epoch;
  m.window = LogWindow();
  const LossOptions loss_opts{o.teacher_forcing, o.dropout, &m.rng};
  TrainResult result;
  while (!m.done() && !result.early_stopped) {
    const auto plan = make_batches(train, o.batch_size, epoch_seed(o.seed, st.epoch));
    while (st.batch < plan.size() && !m.done()) {
      const std::optional<double> l = m.take_step(train, plan[st.batch], loss_opts, params);
      if (!l || !m.after_step(*l, valid, result)) break;
    }
    if (!m.diverged.empty() || result.interrupted) break;
    if (st.batch >= plan.size()) {  // an epoch ends
      ++st.epoch;
      st.batch = 0;
      if (!o.valid_every && m.validate(valid)) result.early_stopped = true;
    }
    if (!m.diverged.empty()) break;
  }
  // Every run logs at least its last step.
  if (m.diverged.empty() && m.window.loss_n > 0) m.log_steps();
  if (!m.diverged.empty()) {
    m.report_divergence(result);
    return result;
  }
  m.save();
  result.state = st;
  result.message = m.summary(result);
  return result;
}

}  // namespace attnlab
