// The option schema: every option that shapes a run (data, model, training,
// optimizer, schedule, study), declared once with its name, type, default,
// range or choices, help and traits. The command line's flags and help, the
// options a checkpoint records (run_options) and --resume's agreement check
// are all made from it, and so is every other face that drives a run.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "models/config.hpp"
#include "training/trainer.hpp"

namespace attnlab {

// A bad option or combination of options (the command line exits with 2).
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Where the training data comes from and how it becomes tokens.
struct DataOptions {
  std::string train_file, task, valid_file;
  double valid_fraction = 0.0;
  std::size_t n = 20000, min_len = 0, max_len = 0, valid_n = 0;
  std::uint64_t data_seed = 1;
  bool skip_bad_lines = false;
  std::size_t max_src_len = 0, max_tgt_len = 0, min_freq = 1, max_vocab = 0;
  std::size_t vocab_size = 0;             // sentencepiece: entries per side (0: by the data)
  std::string subword_model = "unigram";  // sentencepiece: unigram or bpe
};

// A study's own settings (compare): which models, how often, judged on what.
struct StudyOptions {
  std::string out = "compare", test_file, models;
  std::size_t test_n = 2000, bucket = 0, seeds = 1, test_min_len = 0, test_max_len = 0;
  std::size_t heatmaps = 3;
};

// Everything a run is shaped by, with the keys of the options the user gave.
struct RunSettings {
  DataOptions data;
  ModelConfig model;
  TrainOptions train;
  StudyOptions study;
  std::size_t threads = 1;
  double max_memory_gb = 0;  // --max-memory; 0: what the machine has available
  std::string init, resume;  // start from / continue a checkpoint (train only)
  std::size_t default_epochs = 10;
  std::set<std::string> given;  // keys (Option::key) set explicitly
  bool was_given(const std::string& key) const { return given.count(key) > 0; }

  // A training run's defaults; a study's (compare: task reverse, 500
  // validation pairs, 5 epochs).
  static RunSettings for_training();
  static RunSettings for_study();
};

// Where an option's value lives in a RunSettings. (Seeds are std::uint64_t,
// which is std::size_t on the 64-bit systems attnlab builds for.)
static_assert(std::is_same_v<std::uint64_t, std::size_t>, "seeds are stored as std::size_t");
// An optimizer's hyperparameter lives in OptimOptions by key.
struct KeyedValue {
  OptimOptions* options;
  std::string key;
  bool boolean;
};
using Slot = std::variant<std::string*, bool*, std::size_t*, long*, double*, KeyedValue>;

// Who has an option.
enum Face : unsigned { kTrain = 1, kStudy = 2, kBoth = 3 };

// How a numeric option is checked; the message names its flag.
enum class Check { none, range, positive, non_negative, file, directory };

struct Option {
  std::string flag;  // "--lr": the command line's
  std::string key;   // "lr": config.json's for model options, Python's keyword
  std::string help;
  std::function<Slot(RunSettings&)> slot;
  unsigned faces = kBoth;
  Check check = Check::none;
  double min = 0, max = 0;                          // Check::range
  std::vector<std::string> (*choices)() = nullptr;  // a text option's allowed values
  bool show_default = true;                         // the help shows the default value
  bool study_shows_default = false;                 // compare's help shows it even so
  bool shapes_run = false;      // recorded in run_options; --resume holds it fixed
  bool model = false;           // a ModelConfig field: checked against a checkpoint's config
  bool attention_only = false;  // read only by variants that attend
  // A file's fitted default: the value a run on a file of `pairs` sentence
  // pairs gets unless the option is given (null: keep the default).
  nlohmann::json (*fit)(const RunSettings&, std::size_t pairs) = nullptr;
  std::string study_help;  // compare's own wording, where it differs
  std::string field;       // the library's name in an OptionError, where not the key

  // Builders, for the declarations.
  Option& range(double lo, double hi) { return check = Check::range, min = lo, max = hi, *this; }
  Option& positive() { return check = Check::positive, *this; }
  Option& non_negative() { return check = Check::non_negative, *this; }
  Option& file() { return check = Check::file, *this; }
  Option& directory() { return check = Check::directory, *this; }
  Option& among(std::vector<std::string> (*c)()) { return choices = c, *this; }
  Option& no_default() { return show_default = false, *this; }
  Option& library_field(std::string f) { return field = std::move(f), *this; }
  Option& default_in_study() { return study_shows_default = true, *this; }
  Option& run() { return shapes_run = true, *this; }
  Option& only(Face f) { return faces = f, *this; }
  Option& in_study(std::string h) { return study_help = std::move(h), *this; }
  Option& fitted(nlohmann::json (*f)(const RunSettings&, std::size_t)) { return fit = f, *this; }
};

// Every option, in the order the command line's help lists them.
const std::vector<Option>& options();
// The option of a flag ("--lr"), a key ("lr") or a library field (an
// OptionError's: "step_size" is --lr-step); nullptr when there is none.
const Option* find_option(const std::string& flag_or_key);

// An option's value as JSON; sets one from JSON (std::invalid_argument when
// the JSON is not a value of that option).
nlohmann::json option_value(const Option& o, RunSettings& s);
void set_option_value(const Option& o, RunSettings& s, const nlohmann::json& value);

// Every option that shapes a training run, by flag, as a checkpoint's
// config.json records it under "run_options".
nlohmann::json run_options(RunSettings& s);

// --resume: the run's options come from the checkpoint. An option given
// again with another value is refused, naming it; only the stopping point
// (--epochs, --max-steps) and --save-every may change.
void resume_run_options(RunSettings& s, const nlohmann::json& saved, const std::string& ckpt);

// The model options given beside --init or --resume must agree with the
// checkpoint's config.
void check_agreement(RunSettings& s, const ModelConfig& loaded, const std::string& ckpt);

// A file's fitted defaults (Option::fit) for the options not given; the
// model's only for a new model.
void fit_file_defaults(RunSettings& s, std::size_t pairs, bool new_model);

// The epochs a run on a file of this many pairs takes by default: about
// 200,000 pairs' worth, within 3..10.
std::size_t default_file_epochs(std::size_t pairs);

// After the options are set: the seed, the variant's own name for --model,
// the --epochs default.
void finish_settings(RunSettings& s);

// "a, b, c": a registry's names for a help text.
std::string join(const std::vector<std::string>& names, const std::string& sep = ", ");
// The built-in tasks' names.
std::vector<std::string> task_names();

}  // namespace attnlab
