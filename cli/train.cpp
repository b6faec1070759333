// attnlab train: data from a file or a built-in task, vocabularies, a new or
// loaded model, and the training loop.
#include "cli/train.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_set>

#include "cli/progress.hpp"
#include "data/subwords.hpp"
#include "data/tasks.hpp"
#include "data/tokenizer.hpp"
#include "io/atomic_dir.hpp"
#include "models/config_json.hpp"
#include "models/model_io.hpp"
#include "models/score.hpp"
#include "training/trainer.hpp"

namespace attnlab::cli {

namespace {

// The model flags given beside --init/--resume must agree with the checkpoint.
void check_agreement(const TrainArgs& a, const ModelConfig& loaded, const std::string& ckpt) {
  const nlohmann::json ours = config_to_json(a.config), theirs = config_to_json(loaded);
  for (const ConfigField& f : config_fields()) {
    auto given = a.model_flags.find(f.key);
    if (given == a.model_flags.end() || !given->second->count()) continue;
    const std::string flag = given->second->get_name();
    if (f.attention_only && !attends(loaded))
      throw UsageError(flag + " applies to attention models only, and " + ckpt + " is a " +
                       model_label(loaded) + " model");
    auto text = [](const nlohmann::json& j) {
      return j.is_string() ? j.get<std::string>() : j.dump();
    };
    if (ours[f.key] != theirs[f.key])
      throw UsageError(flag + " " + text(ours[f.key]) + " disagrees with " + ckpt +
                       "/config.json, which has " + f.key + " " + text(theirs[f.key]));
  }
}

struct RunFlag {
  const char* flag;
  nlohmann::json (*get)(const TrainArgs&);
  void (*set)(TrainArgs&, const nlohmann::json&);
};
#define ATTNLAB_RUN_FLAG(flag, field)                                    \
  RunFlag {                                                              \
    flag, [](const TrainArgs& a) { return nlohmann::json(a.field); },    \
        [](TrainArgs& a, const nlohmann::json& j) { j.get_to(a.field); } \
  }
// An optimizer hyperparameter by its key in OptimOptions; a switch as true/false.
bool is_switch(const std::string& key) {
  for (const Hyperparameter& h : optimizer_hyperparameters())
    if (h.key == key) return h.boolean;
  return false;
}
nlohmann::json optim_value(const OptimOptions& o, const std::string& key) {
  const double v = o.get(key);
  return is_switch(key) ? nlohmann::json(v != 0) : nlohmann::json(v);
}
void set_optim_value(OptimOptions& o, const std::string& key, const nlohmann::json& j) {
  o.set(key, is_switch(key) ? j.get<bool>() : j.get<double>());
}
#define ATTNLAB_OPTIM_FLAG(flag, key)                                                        \
  RunFlag {                                                                                  \
    flag, [](const TrainArgs& a) { return optim_value(a.opts.optim, key); },                 \
        [](TrainArgs& a, const nlohmann::json& j) { set_optim_value(a.opts.optim, key, j); } \
  }
// The one list of what shapes a run (run_options, resume_run_options).
const RunFlag kRunFlags[] = {
    ATTNLAB_RUN_FLAG("--train", train_file),
    ATTNLAB_RUN_FLAG("--task", task),
    ATTNLAB_RUN_FLAG("--n", n),
    ATTNLAB_RUN_FLAG("--min-len", min_len),
    ATTNLAB_RUN_FLAG("--max-len", max_len),
    ATTNLAB_RUN_FLAG("--data-seed", data_seed),
    ATTNLAB_RUN_FLAG("--valid-n", valid_n),
    ATTNLAB_RUN_FLAG("--valid", valid_file),
    ATTNLAB_RUN_FLAG("--valid-fraction", valid_fraction),
    ATTNLAB_RUN_FLAG("--skip-bad-lines", skip_bad_lines),
    ATTNLAB_RUN_FLAG("--max-src-len", max_src_len),
    ATTNLAB_RUN_FLAG("--max-tgt-len", max_tgt_len),
    ATTNLAB_RUN_FLAG("--min-freq", min_freq),
    ATTNLAB_RUN_FLAG("--max-vocab", max_vocab),
    ATTNLAB_RUN_FLAG("--vocab-size", vocab_size),
    ATTNLAB_RUN_FLAG("--subword-model", subword_model),
    ATTNLAB_RUN_FLAG("--optimizer", opts.optim.name),
    ATTNLAB_RUN_FLAG("--lr", opts.optim.lr),
    ATTNLAB_OPTIM_FLAG("--momentum", "momentum"),
    ATTNLAB_OPTIM_FLAG("--nesterov", "nesterov"),
    ATTNLAB_OPTIM_FLAG("--weight-decay", "weight_decay"),
    ATTNLAB_RUN_FLAG("--schedule", opts.schedule.name),
    ATTNLAB_RUN_FLAG("--lr-step", opts.schedule.step_size),
    ATTNLAB_RUN_FLAG("--lr-gamma", opts.schedule.gamma),
    ATTNLAB_RUN_FLAG("--lr-patience", opts.schedule.patience),
    ATTNLAB_RUN_FLAG("--lr-factor", opts.schedule.factor),
    ATTNLAB_RUN_FLAG("--batch-size", opts.batch_size),
    ATTNLAB_RUN_FLAG("--clip", opts.clip),
    ATTNLAB_RUN_FLAG("--seed", opts.seed),
    ATTNLAB_RUN_FLAG("--dropout", opts.dropout),
    ATTNLAB_RUN_FLAG("--teacher-forcing", opts.teacher_forcing),
    ATTNLAB_RUN_FLAG("--valid-every", opts.valid_every),
    ATTNLAB_RUN_FLAG("--patience", opts.patience),
    ATTNLAB_RUN_FLAG("--threads", threads),
};
#undef ATTNLAB_RUN_FLAG
#undef ATTNLAB_OPTIM_FLAG

// Refuses a source longer than a location score can attend over, naming it.
void check_source_lengths(const std::vector<TextPair>& pairs, const std::string& where,
                          const ModelConfig& c) {
  if (!attends(c) || !(score_needs(c.score) & kNeedsMaxSourceLength))
    return;  // no need to tokenize
  const Tokenizer tokenizer = c.source_tokenizer();
  for (const TextPair& p : pairs)
    check_source_length(c, tokenizer.tokenize(p.src).size(),
                        where + (p.line ? ":" + std::to_string(p.line) : std::string()),
                        " (raise --max-source-length, or drop long pairs with --max-src-len)");
}

// config.json of a checkpoint, or null when it cannot be read (load_model
// then says why).
nlohmann::json read_config(const std::string& dir) {
  const std::filesystem::path path = std::filesystem::path(dir) / "config.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
  std::ifstream in(path);
  try {
    return in ? nlohmann::json::parse(in) : nlohmann::json();
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

int run_train(TrainArgs& a) {
  if (!a.resume.empty()) {
    const nlohmann::json config = read_config(a.resume);
    if (config.is_object() && config.contains("run_options"))
      resume_run_options(a, config["run_options"], a.resume);
  }
  a.opts.threads = a.threads;
  if (a.opts.save.empty()) a.opts.save = a.resume;
  if (a.opts.save.empty()) throw UsageError("--save CHECKPOINT is required");
  if (!a.init.empty() && !a.resume.empty())
    throw UsageError("give at most one of --init and --resume");
  if (a.opts.max_steps < 0 && a.opts.epochs == 0)
    throw UsageError("--epochs 0 needs a --max-steps limit");
  check_save_target(a.opts.save);  // before any work, not at the first save

  TrainingData d = load_training_pairs(a);
  if (a.task.empty() && !a.epochs->count() && a.opts.max_steps < 0)
    a.opts.epochs = default_file_epochs(d.train_pairs.size());

  // Model, vocabularies and tokenizers: loaded, or new from the data.
  std::unique_ptr<EncoderDecoder<float>> model;
  ModelConfig& c = a.config;
  const std::string from = a.resume.empty() ? a.init : a.resume;
  if (!from.empty()) {
    for (const char* flag : {"--vocab-size", "--subword-model"})  // not silently ignored
      if (a.cmd && a.cmd->get_option(flag)->count())
        throw UsageError(std::string(flag) + " shapes a new vocabulary; " + from +
                         " keeps its own (train without --init or --resume for another)");
    LoadedModel<float> l = load_model<float>(from);
    check_agreement(a, l.model->config(), from);
    c = l.model->config();
    model = std::move(l.model);
    d.src_vocab = std::move(l.src_vocab);
    d.tgt_vocab = std::move(l.tgt_vocab);
  } else {
    build_vocabularies(a, d);
  }
  encode_training_data(a, d, from.empty());
  if (!model) {
    check_training_memory(c, 1, 1, 1, a.opts.max_memory);  // the weights alone, before making them
    model = make_model<float>(c);
  }

  nlohmann::json extra;
  if (!a.task.empty()) extra["task"] = a.task;
  extra["train_data"] = d.train_name;
  extra["run_options"] = run_options(a);
  a.opts.stop = stop_on_signals();
  ProgressDisplay progress(std::cerr, a.tty);
  if (!a.quiet) progress.attach(a.opts);
  Trainer trainer(*model, d.src_vocab, d.tgt_vocab, a.opts, extra);
  if (!a.resume.empty()) trainer.resume_from(a.resume);

  const std::size_t n_params = parameter_count(*model);
  if (!a.quiet) {
    std::cerr << "attnlab train: " << model_label(model->config()) << ", " << n_params
              << " parameters; " << d.train.size() << " training pairs from " << d.train_name;
    if (d.dropped) std::cerr << " (" << d.dropped << " dropped by length)";
    std::cerr << ", " << d.valid.size() << " validation pairs; vocabularies " << d.src_vocab.size()
              << " / " << d.tgt_vocab.size() << "; checkpoint " << a.opts.save << "\n";
  }
  const TrainResult r = trainer.run(d.train, d.valid);
  progress.finish();
  std::cerr << r.message << "\n";
  if (r.interrupted) {
    std::cerr << "continue it with: attnlab train --resume " << a.opts.save << "\n";
    return 128 + r.interrupted;
  }
  return r.diverged ? 1 : 0;
}

}  // namespace

TrainingData load_training_pairs(const TrainArgs& a) {
  TrainingData d;
  std::vector<TextPair>& train = d.train_pairs;
  std::vector<TextPair>& valid = d.valid_pairs;
  if (a.train_file.empty() == a.task.empty())
    throw UsageError("give exactly one of --train FILE and --task NAME");
  if (!a.valid_file.empty() && a.valid_fraction > 0)
    throw UsageError("give at most one of --valid FILE and --valid-fraction F");
  if (!a.task.empty()) {
    const TaskOptions to{a.min_len, a.max_len};
    train = make_task(a.task, a.n, a.data_seed, to);
    if (a.valid_file.empty() && a.valid_fraction == 0) {
      // A held-out set from another seed, without any source seen in training.
      std::set<std::string> seen;
      for (const TextPair& p : train) seen.insert(p.src);
      const std::size_t want = a.valid_n ? a.valid_n : std::clamp<std::size_t>(a.n / 10, 100, 2000);
      for (const TextPair& p : make_task(a.task, 2 * want + 100, a.data_seed + 7777, to))
        if (valid.size() < want && !seen.count(p.src)) valid.push_back(p);
    }
  } else {
    train = read_pairs(a.train_file, a.skip_bad_lines);
  }
  if (!a.valid_file.empty()) valid = read_pairs(a.valid_file, a.skip_bad_lines);
  if (a.valid_fraction > 0) {
    auto split = split_fraction(std::move(train), a.valid_fraction, a.data_seed);
    train = std::move(split.first);
    valid = std::move(split.second);
  }
  d.train_name = a.task.empty() ? a.train_file : "task " + a.task;
  d.valid_name = a.valid_file.empty() ? "validation split" : a.valid_file;
  return d;
}

namespace {

// Sentencepiece vocabulary entries per side by default: a sixth of the
// side's distinct space-separated words, within 1,000..8,000.
std::size_t default_vocab_size(const std::vector<std::string>& texts) {
  std::unordered_set<std::string> words;
  for (const std::string& t : texts)
    for (const std::string& w : tokenize("space", t)) words.insert(w);
  return std::clamp<std::size_t>(words.size() / 6, 1000, 8000);
}

// A new model on a file of sentences (not a built-in task) gets sizes and
// tokenizers made for real text; what the user gave stays.
void fit_defaults(TrainArgs& a, const TrainingData& d) {
  if (!a.task.empty()) return;
  ModelConfig& c = a.config;
  if (!a.given("src_tokenizer")) c.src_tokenizer = "sentencepiece";
  if (!a.given("tgt_tokenizer")) c.tgt_tokenizer = "sentencepiece";
  const std::size_t n = d.train_pairs.size(), size = n < 5000 ? 64 : n < 200000 ? 128 : 256;
  for (auto [key, field] :
       {std::pair{"embed", &ModelConfig::embed}, std::pair{"hidden", &ModelConfig::hidden},
        std::pair{"attention_hidden", &ModelConfig::attention_hidden}})
    if (!a.given(key)) c.*field = size;
}

}  // namespace

std::size_t default_file_epochs(std::size_t pairs) {
  return std::clamp<std::size_t>((200000 + pairs - 1) / std::max<std::size_t>(pairs, 1), 3, 10);
}

void build_vocabularies(TrainArgs& a, TrainingData& d) {
  ModelConfig& c = a.config;
  if (!a.task.empty()) {
    const TaskInfo& t = task_info(a.task);
    if (!a.given("src_tokenizer")) c.src_tokenizer = t.src_tokenizer;
    if (!a.given("tgt_tokenizer")) c.tgt_tokenizer = t.tgt_tokenizer;
  }
  fit_defaults(a, d);
  if (a.vocab_size && c.src_tokenizer != "sentencepiece" && c.tgt_tokenizer != "sentencepiece")
    throw UsageError(
        "--vocab-size sizes sentencepiece vocabularies, and neither side uses one "
        "(--src-tokenizer " +
        c.src_tokenizer + ", --tgt-tokenizer " + c.tgt_tokenizer + ")");
  const auto side = [&](bool source, const std::string& tokenizer,
                        std::shared_ptr<const SentencePiece>& model) {
    if (tokenizer != "sentencepiece")
      return Vocab::build(tokenize_all(d.train_pairs, source, tokenizer), a.min_freq, a.max_vocab);
    std::vector<std::string> texts;
    texts.reserve(d.train_pairs.size());
    for (const TextPair& p : d.train_pairs) texts.push_back(source ? p.src : p.tgt);
    // the vocabulary adds <pad>, <sos> and <eos> to SentencePiece's pieces
    const std::size_t entries = a.vocab_size ? a.vocab_size : default_vocab_size(texts);
    try {
      model = SentencePiece::train(texts, {a.subword_model, entries - 3});
    } catch (const SubwordError& e) {
      throw UsageError(std::string(source ? "source" : "target") + " sentencepiece model with " +
                       std::to_string(entries) + " entries (--vocab-size): " + e.what());
    }
    return Vocab::of(model->pieces());
  };
  d.src_vocab = side(true, c.src_tokenizer, c.src_subwords);
  d.tgt_vocab = side(false, c.tgt_tokenizer, c.tgt_subwords);
  if (c.tgt_tokenizer == "word") {
    std::vector<std::string> targets;
    for (const TextPair& p : d.train_pairs) targets.push_back(p.tgt);
    c.tgt_spacing = learn_word_spacing(targets);
  }
  c.src_vocab = d.src_vocab.size();
  c.tgt_vocab = d.tgt_vocab.size();
}

void encode_training_data(TrainArgs& a, TrainingData& d, bool new_model) {
  ModelConfig& c = a.config;
  if (!a.task.empty()) {
    fit_task_alignments(d.train_pairs, a.task, c);
    if (a.valid_file.empty()) fit_task_alignments(d.valid_pairs, a.task, c);
  }
  d.train = encode_named(d.train_pairs, d.train_name, c, d.src_vocab, d.tgt_vocab);
  // a split's lines are the training file's
  d.valid = encode_named(d.valid_pairs, a.valid_file.empty() ? d.train_name : d.valid_name, c,
                         d.src_vocab, d.tgt_vocab);
  d.dropped = filter_by_length(d.train, a.max_src_len, a.max_tgt_len);
  filter_by_length(d.valid, a.max_src_len, a.max_tgt_len);
  if (d.train.empty())
    throw UsageError(d.train_name + ": no training pairs left after length filtering");
  if (new_model && attends(c) && (score_needs(c.score) & kNeedsMaxSourceLength) &&
      !a.given("max_source_length")) {  // Lmax: the longest source there is
    c.max_source_length = 1;
    for (const auto* set : {&d.train, &d.valid})
      for (const Example& e : *set)
        c.max_source_length = std::max(c.max_source_length, e.src.size());
  }
  if (a.max_src_len == 0) {
    check_source_lengths(d.train_pairs, a.task.empty() ? a.train_file : d.train_name, c);
    check_source_lengths(d.valid_pairs, d.valid_name, c);
  }
}

nlohmann::json run_options(const TrainArgs& a) {
  nlohmann::json j = nlohmann::json::object();
  for (const RunFlag& f : kRunFlags) j[f.flag] = f.get(a);
  return j;
}

void resume_run_options(TrainArgs& a, const nlohmann::json& saved, const std::string& ckpt) {
  if (!saved.is_object()) return;
  for (const RunFlag& f : kRunFlags) {
    if (!saved.contains(f.flag)) continue;  // older checkpoints: as given
    const nlohmann::json& then = saved[f.flag];
    const CLI::Option* o = a.cmd ? a.cmd->get_option_no_throw(f.flag) : nullptr;
    if (o && o->count() > 0) {
      if (f.get(a) != then)
        throw UsageError(std::string(f.flag) + " " + f.get(a).dump() + " differs from the run in " +
                         ckpt + ", which has " + then.dump() +
                         ": --resume continues that run exactly, so leave it out or give the "
                         "same (only --epochs, --max-steps and --save-every may change)");
      continue;
    }
    try {
      f.set(a, then);
    } catch (const nlohmann::json::exception&) {
      throw CheckpointError(ckpt + "/config.json: run_options." + f.flag + " is " + then.dump() +
                            ", not a value of that option");
    }
  }
}

std::size_t parameter_count(EncoderDecoder<float>& model) {
  std::size_t n = 0;
  for (auto* p : model.parameters()) n += p->value.size();
  return n;
}

void add_training_options(CLI::App* t, TrainArgs& args) {
  TrainArgs* a = &args;
  a->cmd = t;
  t->add_option("--train", a->train_file, "Training file, one source<TAB>target pair per line")
      ->check(CLI::ExistingFile);
  t->add_option("--task", a->task, "Train on a built-in task instead: " + join(task_names()));
  t->add_option("--n", a->n, "Task: number of training pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  t->add_option("--min-len", a->min_len, "Task: shortest sequence (0: the task's default)");
  t->add_option("--max-len", a->max_len, "Task: longest sequence (0: the task's default)");
  t->add_option("--data-seed", a->data_seed, "Task: seed of the generated data")
      ->capture_default_str();
  t->add_option("--valid-n", a->valid_n, "Task: size of the held-out set (0: n/10, 100..2000)")
      ->check(CLI::Range(0, 100000000));
  t->add_option("--valid", a->valid_file, "Validation file")->check(CLI::ExistingFile);
  t->add_option("--valid-fraction", a->valid_fraction,
                "Hold out this fraction of --train for validation")
      ->check(CLI::Range(0.0, 0.99));
  t->add_flag("--skip-bad-lines", a->skip_bad_lines,
              "Skip malformed lines (and count them) instead of refusing the file");
  t->add_option("--max-src-len", a->max_src_len,
                "Drop pairs whose source has more tokens (0: keep all)");
  t->add_option("--max-tgt-len", a->max_tgt_len,
                "Drop pairs whose target has more tokens (0: keep all)");
  t->add_option("--min-freq", a->min_freq,
                "Vocabulary: drop tokens seen fewer times (they become <unk>)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000000));
  t->add_option("--max-vocab", a->max_vocab,
                "Vocabulary: at most this many entries, specials included (0: no limit)")
      ->check(CLI::Range(0, 100000000));
  t->add_option("--vocab-size", a->vocab_size,
                "sentencepiece: vocabulary entries per side, specials included (default: a "
                "sixth of the side's distinct words, 1000..8000)")
      ->check(CLI::Range(8, 1000000));
  t->add_option("--subword-model", a->subword_model, "sentencepiece: unigram or bpe")
      ->capture_default_str()
      ->check(CLI::IsMember({"unigram", "bpe"}));

  ModelConfig& c = a->config;
  c.src_tokenizer = c.tgt_tokenizer =
      "sentencepiece";                            // a file's (fit_defaults); a task has its own
  for (const ConfigField& f : config_fields()) {  // the model flags, from the one list
    if (!*f.flag) continue;
    CLI::Option* o = nullptr;
    if (f.text) {
      // --model lists the variants with what each one is
      const std::string choices =
          f.text == &ModelConfig::model ? decoder_help() : join(f.choices());
      o = t->add_option(f.flag, c.*f.text, std::string(f.help) + ": " + choices)
              ->check(CLI::IsMember(f.choices()));
    } else {
      o = t->add_option(f.flag, c.*f.size, f.help)->check(CLI::Range(f.min, f.max));
    }
    a->model_flags[f.key] = o->capture_default_str();
  }

  TrainOptions& o = a->opts;
  o.optim.lr = 2e-3;
  t->add_option("--optimizer", o.optim.name, join(optimizer_names()))
      ->capture_default_str()
      ->check(CLI::IsMember(optimizer_names()));
  t->add_option("--lr", o.optim.lr, "Learning rate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  t->add_option_function<double>(
       "--momentum", [&o](const double& v) { o.optim.set("momentum", v); },
       "Momentum (momentum optimizer)")
      ->default_str(CLI::detail::to_string(o.optim.get("momentum")))
      ->check(CLI::Range(0.0, 0.9999));
  t->add_flag_callback(
      "--nesterov", [&o] { o.optim.set("nesterov", true); }, "Nesterov momentum");
  t->add_option_function<double>(
       "--weight-decay", [&o](const double& v) { o.optim.set("weight_decay", v); },
       "L2 weight decay")
      ->default_str(CLI::detail::to_string(o.optim.get("weight_decay")))
      ->check(CLI::NonNegativeNumber);
  t->add_option("--schedule", o.schedule.name, "Learning-rate schedule: " + join(schedule_names()))
      ->capture_default_str()
      ->check(CLI::IsMember(schedule_names()));
  t->add_option("--lr-step", o.schedule.step_size, "step: decay every N steps")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000000));
  t->add_option("--lr-gamma", o.schedule.gamma, "step: decay factor")
      ->capture_default_str()
      ->check(CLI::Range(1e-9, 1.0));
  t->add_option("--lr-patience", o.schedule.patience,
                "plateau: validations without improvement before decaying")
      ->capture_default_str();
  t->add_option("--lr-factor", o.schedule.factor, "plateau: decay factor")
      ->capture_default_str()
      ->check(CLI::Range(1e-9, 1.0));
  t->add_option("--batch-size", o.batch_size, "Pairs per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  a->epochs =
      t->add_option("--epochs", o.epochs,
                    "Passes over the training data (default " + std::to_string(a->default_epochs) +
                        "; train on a file: 200000 / its pairs, 3..10; unlimited with "
                        "--max-steps)")
          ->check(CLI::Range(0, 1000000));
  t->add_option("--max-steps", o.max_steps,
                "Stop after this many steps in all (0: save the initial model)")
      ->check(CLI::Range(0L, 1000000000L));
  t->add_option("--clip", o.clip, "Clip the global gradient norm to this (0: off)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  t->add_option("--seed", o.seed, "Seed of initialisation, batches, dropout and teacher forcing")
      ->capture_default_str();
  t->add_option("--dropout", o.dropout, "Dropout on embeddings and decoder outputs")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  t->add_option("--teacher-forcing", o.teacher_forcing,
                "Chance per step of feeding the true previous token")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  t->add_option("--valid-every", o.valid_every, "Validate every N steps (0: every epoch)")
      ->capture_default_str();
  t->add_option("--patience", o.patience,
                "Early stopping: validations without improvement (0: off)")
      ->capture_default_str();
  t->add_option("--save-every", o.save_every,
                "Also save every N steps (0: at validations and the end)")
      ->capture_default_str();
  t->add_option_function<double>(
       "--max-memory", [o = &a->opts](double gb) { o->max_memory = gb * 1e9; },
       "Refuse a run that would need more memory than this many GB by estimate (default: what "
       "the machine has available)")
      ->check(CLI::PositiveNumber);
  add_threads_option(t, a->threads);
}

void finish_training_options(TrainArgs& a) {
  a.config.seed = a.opts.seed;
  a.config.model = decoder_variant(a.config.model).name;  // "bahdanau" -> "attention", once
  if (!a.epochs->count()) a.opts.epochs = a.opts.max_steps >= 0 ? 0 : a.default_epochs;
  a.tty = stderr_is_terminal();
}

void add_subcommand_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  CLI::App* t =
      app.add_subcommand("train", "Train a model on a source<TAB>target file or a built-in task");
  add_training_options(t, *a);
  t->add_option("--save", a->opts.save, "Checkpoint directory to write");
  t->add_option("--init", a->init, "Start from this checkpoint's weights and vocabularies")
      ->check(CLI::ExistingDirectory);
  t->add_option("--resume", a->resume,
                "Continue this checkpoint's training exactly where it stopped")
      ->check(CLI::ExistingDirectory);
  t->add_flag("--quiet", a->quiet, "Only the final line");
  on_run(t, [a] {
    finish_training_options(*a);
    return run_train(*a);
  });
}

}  // namespace attnlab::cli
