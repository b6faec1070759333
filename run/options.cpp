// The declarations of every run option, and what is derived from them:
// values as JSON, run_options, --resume's and --init's agreement checks.
#include "run/options.hpp"

#include <algorithm>
#include <cmath>

#include "data/tasks.hpp"
#include "io/error.hpp"
#include "models/score.hpp"
#include "models/variants.hpp"
#include "optim/schedule.hpp"
#include "training/parallel.hpp"

namespace attnlab {

namespace {

// An option whose key is its flag's name: "--lr-step" is lr_step.
Option opt(const std::string& flag, const std::string& help,
           std::function<Slot(RunSettings&)> slot) {
  std::string key = flag.substr(2);
  std::replace(key.begin(), key.end(), '-', '_');
  Option o;
  o.flag = flag, o.key = key, o.help = help, o.slot = std::move(slot);
  return o;
}

std::vector<std::string> subword_models() { return {"unigram", "bpe"}; }

// A file's fitted defaults (README, "A file's defaults"): sentencepiece on
// both sides, sizes by the data (E = H = A: 64 under 5,000 pairs, 128 under
// 200,000, 256 above), epochs by default_file_epochs.
nlohmann::json sentencepiece(const RunSettings&, std::size_t) { return "sentencepiece"; }
nlohmann::json size_for(const RunSettings&, std::size_t n) {
  return n < 5000 ? 64 : n < 200000 ? 128 : 256;
}
nlohmann::json epochs_for(const RunSettings& s, std::size_t n) {
  return s.train.max_steps < 0 ? nlohmann::json(default_file_epochs(n)) : nlohmann::json();
}

std::vector<Option> data_options() {
  using S = RunSettings;
  return {
      opt("--train", "Training file, one source<TAB>target pair per line",
          [](S& s) { return &s.data.train_file; })
          .file()
          .run(),
      opt("--task", "Train on a built-in task instead: " + join(task_names()),
          [](S& s) { return &s.data.task; })
          .no_default()
          .run()
          .in_study("A built-in task (default reverse): " + join(task_names())),
      opt("--n", "Task: number of training pairs", [](S& s) { return &s.data.n; })
          .range(1, 100000000)
          .run(),
      opt("--min-len", "Task: shortest sequence (0: the task's default)",
          [](S& s) { return &s.data.min_len; })
          .no_default()
          .run()
          .in_study("Task: shortest training sequence (reverse, sort, copy: 3)"),
      opt("--max-len", "Task: longest sequence (0: the task's default)",
          [](S& s) { return &s.data.max_len; })
          .no_default()
          .run()
          .in_study("Task: longest training sequence (reverse, sort, copy: 30)"),
      opt("--data-seed", "Task: seed of the generated data", [](S& s) { return &s.data.data_seed; })
          .run(),
      opt("--valid-n", "Task: size of the held-out set (0: n/10, 100..2000)",
          [](S& s) { return &s.data.valid_n; })
          .range(0, 100000000)
          .no_default()
          .default_in_study()
          .run()
          .in_study("Task: size of the validation set"),
      opt("--valid", "Validation file", [](S& s) { return &s.data.valid_file; }).file().run(),
      opt("--valid-fraction", "Hold out this fraction of --train for validation",
          [](S& s) { return &s.data.valid_fraction; })
          .range(0.0, 0.99)
          .no_default()
          .run(),
      opt("--skip-bad-lines", "Skip malformed lines (and count them) instead of refusing the file",
          [](S& s) { return &s.data.skip_bad_lines; })
          .run(),
      opt("--max-src-len", "Drop pairs whose source has more tokens (0: keep all)",
          [](S& s) { return &s.data.max_src_len; })
          .no_default()
          .run(),
      opt("--max-tgt-len", "Drop pairs whose target has more tokens (0: keep all)",
          [](S& s) { return &s.data.max_tgt_len; })
          .no_default()
          .run(),
      opt("--min-freq", "Vocabulary: drop tokens seen fewer times (they become <unk>)",
          [](S& s) { return &s.data.min_freq; })
          .range(1, 1000000000)
          .run(),
      opt("--max-vocab", "Vocabulary: at most this many entries, specials included (0: no limit)",
          [](S& s) { return &s.data.max_vocab; })
          .range(0, 100000000)
          .no_default()
          .run(),
      opt("--vocab-size",
          "sentencepiece: vocabulary entries per side, specials included (default: a sixth of "
          "the side's distinct words, 1000..8000)",
          [](S& s) { return &s.data.vocab_size; })
          .range(8, 1000000)
          .no_default()
          .run(),
      opt("--subword-model", "sentencepiece: unigram or bpe",
          [](S& s) { return &s.data.subword_model; })
          .among(subword_models)
          .run(),
  };
}

// The model's options, from ModelConfig's one list of fields.
std::vector<Option> model_options() {
  std::vector<Option> out;
  for (const ConfigField& f : config_fields()) {
    if (!*f.flag) continue;
    Option o;
    o.flag = f.flag, o.key = f.key, o.help = f.help;
    if (f.text) {
      o.slot = [m = f.text](RunSettings& s) { return &(s.model.*m); };
      o.choices = f.choices;
      // --model lists the variants with what each one is
      o.help += ": " + (f.text == &ModelConfig::model ? decoder_help() : join(f.choices()));
    } else {
      o.slot = [m = f.size](RunSettings& s) { return &(s.model.*m); };
      o.range(double(f.min), double(f.max));
    }
    o.model = true;
    o.attention_only = f.attention_only;
    const std::string key = f.key;
    if (key == "src_tokenizer" || key == "tgt_tokenizer") o.fitted(sentencepiece);
    if (key == "embed" || key == "hidden" || key == "attention_hidden") o.fitted(size_for);
    if (f.text == &ModelConfig::model)
      o.in_study(
          "The attending variant to set against plain seq2seq, without --models (default "
          "attention): " +
          decoder_help());
    out.push_back(o);
  }
  return out;
}

// An optimizer's hyperparameter, as its row declares it (optim/optimizer.cpp).
Option hyperparameter_option(const Hyperparameter& h) {
  Option o = opt(h.flag, h.help, [key = h.key, boolean = h.boolean](RunSettings& s) {
    return KeyedValue{&s.train.optim, key, boolean};
  });
  o.key = h.key;  // the library's name, as state.json and its errors say it
  const Range& r = h.range;
  if (!h.boolean && r.min == 0 && std::isinf(r.max))
    r.min_open ? o.positive() : o.non_negative();
  else if (!h.boolean)
    o.range(r.min, r.max);
  return o.run();
}

// The optimizer and its learning-rate schedule.
std::vector<Option> optimizer_options() {
  using S = RunSettings;
  std::vector<Option> out = {
      opt("--optimizer", join(optimizer_names()), [](S& s) { return &s.train.optim.name; })
          .among(optimizer_names)
          .run(),
      opt("--lr", "Learning rate", [](S& s) { return &s.train.optim.lr; }).positive().run()};
  for (const Hyperparameter& h : optimizer_hyperparameters())
    if (h.key != "lr") out.push_back(hyperparameter_option(h));  // lr: the program's default
  const std::vector<Option> schedule = {
      opt("--schedule", "Learning-rate schedule: " + join(schedule_names()),
          [](S& s) { return &s.train.schedule.name; })
          .among(schedule_names)
          .run(),
      opt("--lr-step", "step: decay every N steps",
          [](S& s) { return &s.train.schedule.step_size; })
          .range(1, 1000000000)
          .library_field("step_size")
          .run(),
      opt("--lr-gamma", "step: decay factor", [](S& s) { return &s.train.schedule.gamma; })
          .range(1e-9, 1.0)
          .library_field("gamma")
          .run(),
      opt("--lr-patience", "plateau: validations without improvement before decaying",
          [](S& s) { return &s.train.schedule.patience; })
          .run(),
      opt("--lr-factor", "plateau: decay factor", [](S& s) { return &s.train.schedule.factor; })
          .range(1e-9, 1.0)
          .library_field("factor")
          .run(),
  };
  out.insert(out.end(), schedule.begin(), schedule.end());
  return out;
}

std::vector<Option> training_options() {
  using S = RunSettings;
  return {
      opt("--batch-size", "Pairs per batch", [](S& s) { return &s.train.batch_size; })
          .range(1, 1000000)
          .run(),
      opt("--epochs",
          "Passes over the training data (default 10; train on a file: 200000 / its pairs, "
          "3..10; unlimited with --max-steps)",
          [](S& s) { return &s.train.epochs; })
          .range(0, 1000000)
          .no_default()
          .fitted(epochs_for)
          .in_study(
              "Passes over the training data (default 5; train on a file: 200000 / its pairs, "
              "3..10; unlimited with --max-steps)"),
      opt("--max-steps", "Stop after this many steps in all (0: save the initial model)",
          [](S& s) { return &s.train.max_steps; })
          .range(0, 1000000000)
          .no_default(),
      opt("--clip", "Clip the global gradient norm to this (0: off)",
          [](S& s) { return &s.train.clip; })
          .non_negative()
          .run(),
      opt("--seed", "Seed of initialisation, batches, dropout and teacher forcing",
          [](S& s) { return &s.train.seed; })
          .run(),
      opt("--dropout", "Dropout on embeddings and decoder outputs",
          [](S& s) { return &s.train.dropout; })
          .range(0.0, 0.95)
          .run(),
      opt("--teacher-forcing", "Chance per step of feeding the true previous token",
          [](S& s) { return &s.train.teacher_forcing; })
          .range(0.0, 1.0)
          .run(),
      opt("--valid-every", "Validate every N steps (0: every epoch)",
          [](S& s) { return &s.train.valid_every; })
          .run(),
      opt("--patience", "Early stopping: validations without improvement (0: off)",
          [](S& s) { return &s.train.patience; })
          .run(),
      opt("--save-every", "Also save every N steps (0: at validations and the end)",
          [](S& s) { return &s.train.save_every; }),
      opt("--max-memory",
          "Refuse a run that would need more memory than this many GB by estimate (default: what "
          "the machine has available)",
          [](S& s) { return &s.max_memory_gb; })
          .positive()
          .no_default(),
      // compare shares the cores among its runs itself
      opt("--threads", "Threads, each taking a share of every batch",
          [](S& s) { return &s.threads; })
          .range(1, 256)
          .only(kTrain)
          .run(),
      opt("--save", "Checkpoint directory to write", [](S& s) { return &s.train.save; })
          .no_default()
          .only(kTrain),
      opt("--init", "Start from this checkpoint's weights and vocabularies",
          [](S& s) { return &s.init; })
          .directory()
          .only(kTrain),
      opt("--resume", "Continue this checkpoint's training exactly where it stopped",
          [](S& s) { return &s.resume; })
          .directory()
          .only(kTrain),
  };
}

std::vector<Option> study_options() {
  using S = RunSettings;
  return {
      opt("--models",
          "The variants to compare, comma-separated, each KIND[:SCORE][@CELL] (e.g. "
          "seq2seq,attention:additive,luong:general@gru); default: seq2seq and --model",
          [](S& s) { return &s.study.models; })
          .no_default(),
      opt("--seeds",
          "Train each model this many times (seeds --seed, --seed + 1, ...); figures are mean ± "
          "standard deviation",
          [](S& s) { return &s.study.seeds; })
          .range(1, 100),
      opt("--out", "Directory for the checkpoints and the report",
          [](S& s) { return &s.study.out; }),
      opt("--test",
          "Held-out pairs to judge on (default: a task's own); a third column of i-j links gives "
          "the gold alignment",
          [](S& s) { return &s.study.test_file; })
          .file(),
      opt("--test-n", "Task: number of held-out test pairs", [](S& s) { return &s.study.test_n; })
          .range(1, 10000000),
      opt("--test-min-len", "Task: shortest held-out sequence (default: --min-len)",
          [](S& s) { return &s.study.test_min_len; })
          .range(1, 100000)
          .no_default(),
      opt("--test-max-len",
          "Task: longest held-out sequence, beyond --max-len to test length generalisation",
          [](S& s) { return &s.study.test_max_len; })
          .range(1, 100000)
          .no_default(),
      opt("--bucket-width", "Source lengths per row (0: about six rows)",
          [](S& s) { return &s.study.bucket; })
          .range(0, 100000)
          .no_default(),
      opt("--heatmaps", "Held-out inputs whose attention the report shows (shortest to longest)",
          [](S& s) { return &s.study.heatmaps; })
          .range(0, 20),
  };
}

}  // namespace

RunSettings RunSettings::for_training() {
  RunSettings s;
  s.model.src_tokenizer = s.model.tgt_tokenizer = "sentencepiece";  // a file's; a task has its own
  s.train.optim.lr = 2e-3;
  s.threads = default_threads();
  return s;
}

RunSettings RunSettings::for_study() {
  RunSettings s = for_training();
  s.data.task = "reverse";
  s.data.valid_n = 500;
  s.default_epochs = 5;
  return s;
}

const std::vector<Option>& options() {
  static const std::vector<Option> all = [] {
    std::vector<Option> v;
    for (auto part : {data_options(), model_options(), optimizer_options(), training_options()})
      v.insert(v.end(), part.begin(), part.end());
    for (Option& o : study_options()) v.push_back(o.only(kStudy));
    return v;
  }();
  return all;
}

const Option* find_option(const std::string& name) {
  for (const Option& o : options())
    if (o.flag == name || o.key == name || (!o.field.empty() && o.field == name)) return &o;
  return nullptr;
}

namespace {

nlohmann::json value_at(const KeyedValue& v) {
  const double x = v.options->get(v.key);
  return v.boolean ? nlohmann::json(x != 0) : nlohmann::json(x);
}
template <class T>
nlohmann::json value_at(T* p) {
  return nlohmann::json(*p);
}

void set_at(const KeyedValue& v, const nlohmann::json& value) {
  v.options->set(v.key, v.boolean ? double(value.get<bool>()) : value.get<double>());
}
template <class T>
void set_at(T* p, const nlohmann::json& value) {
  value.get_to(*p);
}

}  // namespace

nlohmann::json option_value(const Option& o, RunSettings& s) {
  return std::visit([](const auto& at) { return value_at(at); }, o.slot(s));
}

void set_option_value(const Option& o, RunSettings& s, const nlohmann::json& value) {
  try {
    std::visit([&](const auto& at) { set_at(at, value); }, o.slot(s));
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument(o.flag + ": " + value.dump() + " is not a value of that option");
  }
}

nlohmann::json run_options(RunSettings& s) {
  nlohmann::json j = nlohmann::json::object();
  for (const Option& o : options())
    if (o.shapes_run) j[o.flag] = option_value(o, s);
  return j;
}

void resume_run_options(RunSettings& s, const nlohmann::json& saved, const std::string& ckpt) {
  if (!saved.is_object()) return;
  for (const Option& o : options()) {
    if (!o.shapes_run || !saved.contains(o.flag)) continue;  // older checkpoints: as given
    const nlohmann::json& then = saved[o.flag];
    if (s.was_given(o.key)) {
      if (option_value(o, s) != then)
        throw UsageError(o.flag + " " + option_value(o, s).dump() + " differs from the run in " +
                         ckpt + ", which has " + then.dump() +
                         ": --resume continues that run exactly, so leave it out or give the "
                         "same (only --epochs, --max-steps and --save-every may change)");
      continue;
    }
    try {
      set_option_value(o, s, then);
    } catch (const std::invalid_argument&) {
      throw CheckpointError(ckpt + "/config.json: run_options." + o.flag + " is " + then.dump() +
                            ", not a value of that option");
    }
  }
}

void check_agreement(RunSettings& s, const ModelConfig& loaded, const std::string& ckpt) {
  RunSettings theirs;
  theirs.model = loaded;
  for (const Option& o : options()) {
    if (!o.model || !s.was_given(o.key)) continue;
    if (o.attention_only && !attends(loaded))
      throw UsageError(o.flag + " applies to attention models only, and " + ckpt + " is a " +
                       model_label(loaded) + " model");
    auto text = [](const nlohmann::json& j) {
      return j.is_string() ? j.get<std::string>() : j.dump();
    };
    const nlohmann::json mine = option_value(o, s), then = option_value(o, theirs);
    if (mine != then)
      throw UsageError(o.flag + " " + text(mine) + " disagrees with " + ckpt +
                       "/config.json, which has " + o.key + " " + text(then));
  }
}

void fit_file_defaults(RunSettings& s, std::size_t pairs, bool new_model) {
  for (const Option& o : options()) {
    if (!o.fit || s.was_given(o.key) || (o.model && !new_model)) continue;
    const nlohmann::json v = o.fit(s, pairs);
    if (!v.is_null()) set_option_value(o, s, v);
  }
}

std::size_t default_file_epochs(std::size_t pairs) {
  return std::clamp<std::size_t>((200000 + pairs - 1) / std::max<std::size_t>(pairs, 1), 3, 10);
}

void finish_settings(RunSettings& s) {
  s.model.seed = s.train.seed;
  s.model.model = decoder_variant(s.model.model).name;  // "bahdanau" -> "attention", once
  if (!s.was_given("epochs")) s.train.epochs = s.train.max_steps >= 0 ? 0 : s.default_epochs;
  if (s.max_memory_gb > 0) s.train.max_memory = s.max_memory_gb * 1e9;
  s.train.threads = s.threads;
}

std::string join(const std::vector<std::string>& names, const std::string& sep) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : sep) + n;
  return s;
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const TaskInfo& t : task_list()) names.push_back(t.name);
  return names;
}

}  // namespace attnlab
