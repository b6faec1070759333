// attnlab compare: any set of model variants trained on the same data with
// the same budget, each over several seeds, then judged on the same held-out
// pairs by source length: accuracy, BLEU and how well attention matches the
// gold alignment. Plain seq2seq breaks on long inputs and attention does not
// (Bahdanau et al. 2014); which score or cell wins, and whether the margin
// is larger than the seeds' spread, is what the report shows. It writes
// results.json (every number), report.html and report.md (made from it) and
// every run's checkpoint into the output directory.
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/compare_report.hpp"
#include "cli/train.hpp"
#include "data/tasks.hpp"
#include "data/tokenizer.hpp"
#include "io/atomic_dir.hpp"
#include "metrics/bleu.hpp"
#include "metrics/sacrebleu.hpp"
#include "models/memory.hpp"
#include "models/model_io.hpp"
#include "models/score.hpp"
#include "models/variants.hpp"
#include "report/stats.hpp"
#include "training/evaluate.hpp"
#include "training/parallel.hpp"
#include "version.hpp"

namespace attnlab::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct CompareArgs {
  TrainArgs train;
  std::string out = "compare", test_file, models;
  std::size_t test_n = 2000, bucket = 0, seeds = 1, test_min_len = 0, test_max_len = 0;
  std::size_t heatmaps = 3;
};

// One entry of --models: KIND[:SCORE][@CELL].
struct ModelSpec {
  std::string name;  // canonical: "seq2seq", "attention:additive", "luong:dot@gru"
  ModelConfig config;
};

std::string spec_name(const ModelConfig& c) {
  return c.model + (attends(c) ? ":" + c.score : "") + (c.cell == "lstm" ? "" : "@" + c.cell);
}

// The list, each entry on top of `base` (the --score, --cell and sizes given,
// the data's tokenizers and vocabularies).
std::vector<ModelSpec> parse_models(const std::string& list, const ModelConfig& base) {
  std::vector<ModelSpec> out;
  std::set<std::string> seen;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    const std::string what = "--models: '" + item + "'";
    if (item.empty()) throw UsageError("--models: an empty entry in '" + list + "'");
    ModelConfig c = base;
    std::string kind = item;
    if (const auto at = kind.find('@'); at != std::string::npos) {
      c.cell = kind.substr(at + 1);
      kind.resize(at);
      if (c.cell != "lstm" && c.cell != "gru")
        throw UsageError(what + ": unknown cell '" + c.cell + "' (lstm, gru)");
    }
    bool score_given = false;
    if (const auto colon = kind.find(':'); colon != std::string::npos) {
      c.score = kind.substr(colon + 1);
      kind.resize(colon);
      score_given = true;
    }
    try {
      c.model = decoder_variant(kind).name;
    } catch (const std::invalid_argument&) {
      throw UsageError(what + ": unknown model '" + kind + "' (" + join(decoder_names()) +
                       "); each entry is KIND[:SCORE][@CELL]");
    }
    if (!attends(c)) {
      if (score_given) throw UsageError(what + ": " + c.model + " has no attention to score");
      c.decoder_hidden = 0;  // plain seq2seq's decoder starts from [fwd; bwd]: D = 2H
    }
    try {
      c.validate();
    } catch (const std::invalid_argument& e) {
      throw UsageError(what + ": " + e.what());
    }
    ModelSpec m{spec_name(c), c};
    if (!seen.insert(m.name).second) throw UsageError(what + ": " + m.name + " is listed twice");
    out.push_back(m);
  }
  if (out.empty()) throw UsageError("--models: no model in '" + list + "'");
  return out;
}

// A directory name for a model: "attention-additive-gru".
std::string dir_name(const std::string& spec) {
  std::string d = spec;
  for (char& ch : d)
    if (ch == ':' || ch == '@') ch = '-';
  return d;
}

// The held-out pairs every model is judged on.
std::vector<TextPair> test_pairs(const CompareArgs& a, const TrainingData& d) {
  const TrainArgs& t = a.train;
  if (!a.test_file.empty()) return read_pairs(a.test_file, t.skip_bad_lines);
  if (t.task.empty()) return d.valid_pairs;
  std::set<std::string> seen;  // no source seen in training
  for (const TextPair& p : d.train_pairs) seen.insert(p.src);
  const TaskOptions lengths{a.test_min_len ? a.test_min_len : t.min_len,
                            a.test_max_len ? a.test_max_len : t.max_len};
  std::vector<TextPair> out;
  for (const TextPair& p : make_task(t.task, 2 * a.test_n + 100, t.data_seed + 15551, lengths))
    if (out.size() < a.test_n && !seen.count(p.src)) out.push_back(p);
  return out;
}

// One model trained with one seed, then judged.
struct Run {
  const ModelSpec* model = nullptr;
  std::size_t seed_index = 0;  // 0 .. seeds-1
  ModelConfig config;
  std::string dir;
  // progress, written by the training thread, read by the display
  std::atomic<std::size_t> step{0}, planned{0};
  std::atomic<double> loss{0.0};
  enum Phase { queued, training, judging, done };
  std::atomic<Phase> state{queued};
  std::exception_ptr error;
  // the outcome
  TrainResult result;
  std::size_t parameters = 0, judged_step = 0;
  double seconds = 0.0, tokens_per_s = 0.0;
  std::vector<std::array<double, 3>> train_curve, valid_curve;  // step, seconds, loss
  EvalResult eval;
  std::vector<LengthBucket> buckets;
  json heatmaps = json::array();

  std::string label() const {
    return model->name + (seed_index ? " s" + std::to_string(seed_index + 1) : "");
  }
};

// What every run shares: the data, the held-out pairs and the options.
struct Shared {
  const CompareArgs* args;
  const TrainingData* data;
  const std::vector<TextPair>* test_text;
  const std::vector<Example>* test;
  std::vector<std::size_t> heatmap_pairs;  // indices into test: short, middle, longest
  std::size_t bucket_width = 1, threads_per_run = 1, log_every = 1;
  const std::atomic<int>* stop = nullptr;
};

// The model's own output on a few held-out inputs, with its attention, and
// the gold links where the output is the reference (so the positions agree).
json heatmaps_of(EncoderDecoder<float>& model, const Shared& s) {
  const ModelConfig& c = model.config();
  json out = json::array();
  for (std::size_t i : s.heatmap_pairs) {
    const Example& e = (*s.test)[i];
    const Hypothesis h = model.greedy(make_batch({e.src}), 2 * e.tgt.size() + 10).front();
    json weights = json::array();
    for (std::size_t r = 0; r < h.attention.shape()[0]; ++r) {
      json row = json::array();
      for (std::size_t j = 0; j < h.attention.shape()[1]; ++j) row.push_back(h.attention(r, j));
      weights.push_back(row);
    }
    const bool right = h.finished && h.tokens == e.tgt;
    json gold{{"sure", json::array()}, {"possible", json::array()}};
    if (right && e.alignment) {
      for (const Link& l : e.alignment->sure) gold["sure"].push_back({l.src, l.tgt});
      for (const Link& l : e.alignment->possible) gold["possible"].push_back({l.src, l.tgt});
    }
    out.push_back({{"source", c.source_tokenizer().tokenize((*s.test_text)[i].src)},
                   {"output", s.data->tgt_vocab.decode(h.tokens)},
                   {"reference", c.target_tokenizer().tokenize((*s.test_text)[i].tgt)},
                   {"right", right},
                   {"weights", weights},
                   {"gold", gold}});
  }
  return out;
}

void train_and_judge(Run& r, const Shared& s) {
  const CompareArgs& a = *s.args;
  const TrainingData& d = *s.data;
  auto model = make_model<float>(r.config);
  r.parameters = parameter_count(*model);
  TrainOptions o = a.train.opts;
  o.seed = a.train.opts.seed + r.seed_index;  // batch order, dropout, teacher forcing
  o.threads = s.threads_per_run;
  o.save = r.dir;
  o.stop = s.stop;
  o.log_every = s.log_every;
  double elapsed = 0;
  o.on_step = [&r, &elapsed](const TrainProgress& p) {
    r.step = p.step, r.planned = p.planned;  // the loss smoothed: batches differ in length
    r.loss = p.step == 1 ? p.loss : 0.95 * r.loss + 0.05 * p.loss;
    elapsed = p.elapsed;
  };
  std::vector<double> rates;
  o.on_log = [&r, &rates](const TrainProgress& p) {
    r.train_curve.push_back({double(p.step), p.elapsed, p.loss});
    if (p.tokens_per_s > 0) rates.push_back(p.tokens_per_s);
  };
  o.on_validation = [&r, &elapsed](std::size_t step, const EvalResult& e, bool) {
    r.valid_curve.push_back({double(step), elapsed, e.loss});
  };
  json extra{{"train_data", d.train_name}, {"compare", a.out}};
  if (!a.train.task.empty()) extra["task"] = a.train.task;
  r.state = Run::training;
  const auto start = Clock::now();
  {
    Trainer trainer(*model, d.src_vocab, d.tgt_vocab, o, extra);
    r.result = trainer.run(d.train, d.valid);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.tokens_per_s = spread_of(rates).mean;
  if (r.result.interrupted || r.result.diverged) return;
  r.state = Run::judging;
  // Judged at its best validation loss within the budget, as a user would
  // pick it (DIR/best), not wherever the last step left it.
  const fs::path best = fs::path(r.dir) / "best";
  r.judged_step = r.result.state.step;
  if (r.result.state.best_step > 0 && fs::exists(best / "config.json")) {
    model = load_model<float>(best.string()).model;
    r.judged_step = r.result.state.best_step;
  }
  EvalOptions eo;
  eo.threads = s.threads_per_run;
  const Tokenizer target = model->config().target_tokenizer();
  eo.detokenizer = &target;
  std::vector<SentenceResult> each;
  r.eval = evaluate(*model, *s.test, d.tgt_vocab, eo, &each);
  r.buckets = by_source_length(each, *s.test, d.tgt_vocab, s.bucket_width);
  if (attends(r.config) && r.seed_index == 0) r.heatmaps = heatmaps_of(*model, s);
}

std::string bar(double part, std::size_t width) {
  const std::size_t filled = static_cast<std::size_t>(std::min(1.0, part) * width);
  return std::string(filled, '#') + std::string(width - filled, '.');
}

std::string fixed(double x, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << x;
  return os.str();
}

// Trains every run, `workers` at a time, the rest queued, with one progress
// display for all. Returns the signal that interrupted them, or 0.
int train_all(std::vector<std::unique_ptr<Run>>& runs, Shared& s, std::size_t workers) {
  s.stop = stop_on_signals();
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w)
    threads.emplace_back([&] {
      for (std::size_t i; (i = next++) < runs.size();) {
        Run& r = *runs[i];
        if (*s.stop) {
          r.state = Run::done;
          continue;
        }
        try {
          train_and_judge(r, s);
        } catch (...) {
          r.error = std::current_exception();
        }
        r.state = Run::done;
      }
    });
  // The display: a live line on a terminal, a line every 10% elsewhere.
  const bool tty = s.args->train.tty;
  int last_tenth = -1;
  for (;;) {
    std::size_t done = 0;
    double part = 0;  // of all the runs' steps
    std::ostringstream running;
    for (const auto& r : runs) {
      done += r->state == Run::done;
      const double mine = r->planned ? double(r->step) / r->planned : 0.0;
      part += (r->state == Run::done ? 1.0 : std::min(1.0, mine)) / runs.size();
      if (r->state == Run::training || r->state == Run::judging)
        running << " | " << r->label() << " "
                << (r->state == Run::judging ? std::string("judging")
                                             : "[" + bar(mine, 10) + "] " + fixed(r->loss, 4));
    }
    std::ostringstream line;
    line << "compare " << static_cast<int>(100 * part) << "%: " << done << "/" << runs.size()
         << " runs done" << running.str();
    const bool finished = done == runs.size();
    if (finished) part = 1;
    if (tty) {
      std::string l = line.str();
      if (l.size() > 160) l = l.substr(0, 157) + "...";
      std::cerr << "\r\033[K" << l << std::flush;
    } else if (static_cast<int>(10 * part) > last_tenth || finished) {
      last_tenth = static_cast<int>(10 * part);
      std::cerr << line.str() << std::endl;
    }
    if (finished) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  for (std::thread& t : threads) t.join();
  release_signals();  // reporting: Ctrl-C ends it at once
  if (tty) std::cerr << "\r\033[K";
  for (const auto& r : runs)
    if (r->error) std::rethrow_exception(r->error);
  if (const int sig = s.stop->load()) return sig;
  for (const auto& r : runs)
    if (r->result.diverged) throw std::runtime_error(r->label() + ": " + r->result.message);
  return 0;
}

json spread_json(const std::vector<double>& v) {
  const Spread s = spread_of(v);
  return {{"mean", json_figure(s.mean)}, {"sd", json_figure(s.sd)}, {"n", s.n}};
}

// The figures of one run that the summary table shows.
json run_metrics(const Run& r) {
  const double valid = r.result.state.best_valid;
  return {{"parameters", r.parameters},
          {"seconds", r.seconds},
          {"tokens_per_s", json_figure(r.tokens_per_s)},
          {"steps", r.result.state.step},
          {"judged_step", r.judged_step},
          {"valid_loss", json_figure(valid)},
          {"test_loss", json_figure(r.eval.loss)},
          {"perplexity", json_figure(r.eval.perplexity())},
          {"token_accuracy", r.eval.token_accuracy},
          {"exact_accuracy", r.eval.exact_accuracy},
          {"bleu", r.eval.bleu},
          {"sacrebleu", json_figure(r.eval.sacrebleu)},
          {"aer", json_figure(r.eval.aer)},
          {"gold_mass", json_figure(r.eval.gold_mass)}};
}

const char* const kBucketKeys[] = {"token_accuracy", "exact_accuracy", "bleu", "sacrebleu", "aer",
                                   "gold_mass"};

double bucket_value(const LengthBucket& b, const std::string& key) {
  if (key == "token_accuracy") return b.token_accuracy;
  if (key == "exact_accuracy") return b.exact_accuracy;
  if (key == "bleu") return b.bleu;
  if (key == "sacrebleu") return b.sacrebleu;
  if (key == "aer") return b.aer;
  return b.gold_mass;
}

double get(const json& j) { return j.is_number() ? j.get<double>() : NAN; }

// Mean and spread over a model's runs, step by step, of one curve.
json curve_spread(const std::vector<const Run*>& runs, bool valid) {
  json out = json::array();
  for (std::size_t i = 0;; ++i) {
    std::vector<double> steps, secs, loss;
    for (const Run* r : runs) {
      const auto& c = valid ? r->valid_curve : r->train_curve;
      if (i < c.size()) steps.push_back(c[i][0]), secs.push_back(c[i][1]), loss.push_back(c[i][2]);
    }
    if (steps.empty()) return out;
    out.push_back({{"step", spread_of(steps).mean},
                   {"seconds", spread_of(secs).mean},
                   {"loss", spread_json(loss)}});
  }
}

// What a reader should take away, in sentences made from the figures: by
// exact accuracy for a task, by sacreBLEU's BLEU for text (`text`), where
// few outputs are exactly the reference.
json findings(const json& models, std::size_t seeds, const json& buckets, bool text) {
  json out = json::array();
  const std::string key = text ? "sacrebleu" : "exact_accuracy";
  const double scale = text ? 1 : 100;
  std::size_t best = 0;
  for (std::size_t m = 1; m < models.size(); ++m)
    if (get(models[m]["summary"][key]["mean"]) > get(models[best]["summary"][key]["mean"]))
      best = m;
  // as the tables show them
  auto figure = [&](const json& s) { return mean_sd(s, scale, 1) + (text ? "" : "%"); };
  const json& b = models[best]["summary"][key];
  std::string tied;  // models with exactly the best mean share the place
  for (std::size_t m = 0; m < models.size(); ++m)
    if (m != best && get(models[m]["summary"][key]["mean"]) == get(b["mean"]))
      tied += (tied.empty() ? " (tied with " : ", ") + models[m]["name"].get<std::string>();
  if (!tied.empty()) tied += ")";
  out.push_back(models[best]["name"].get<std::string>() + " has the highest " +
                (text ? "BLEU (13a)" : "exact accuracy") + tied + ": " + figure(b) +
                (seeds > 1 ? " over " + std::to_string(seeds) + " seeds." : "."));
  if (seeds < 2)
    out.push_back("One seed: there is no spread to judge a difference by; --seeds 3 gives one.");
  for (std::size_t m = 0; m < models.size(); ++m) {
    if (m == best) continue;
    const json& o = models[m]["summary"][key];
    const Spread sb{get(b["mean"]), get(b["sd"]), b["n"].get<std::size_t>()},
        so{get(o["mean"]), get(o["sd"]), o["n"].get<std::size_t>()};
    std::string f = models[m]["name"].get<std::string>() + ": " + figure(o) + ", " +
                    fixed(scale * (sb.mean - so.mean), 1) + " points lower";
    if (within_spread(sb, so))
      f += ": within the seeds' spread, not a difference these runs can tell";
    out.push_back(f + ".");
  }
  const auto lengths = [&](std::size_t k) {
    const bool one = buckets[k]["min_length"] == buckets[k]["max_length"];
    return std::string(one ? "length " : "lengths ") + length_range(buckets[k]);
  };
  for (const json& m : models) {
    std::string where;
    if (text) {
      // from its best length bucket to its longest, over buckets with enough sentences
      std::size_t total = 0, peak = buckets.size(), last = buckets.size();
      for (const json& bk : buckets) total += bk["sentences"].get<std::size_t>();
      const std::size_t enough = std::max<std::size_t>(10, total / 100);
      for (std::size_t k = 0; k < buckets.size(); ++k) {
        if (buckets[k]["sentences"].get<std::size_t>() < enough) continue;
        const double v = get(m["by_length"][k][key]["mean"]);
        if (peak == buckets.size() || v > get(m["by_length"][peak][key]["mean"])) peak = k;
        last = k;
      }
      if (peak == buckets.size()) continue;
      where = "has its best BLEU (13a) at source " + lengths(peak) + " (" +
              figure(m["by_length"][peak][key]) + ")";
      if (last != peak)
        where += " and " + figure(m["by_length"][last][key]) + " at " + lengths(last) +
                 " (the longest with at least " + std::to_string(enough) + " sentences)";
    } else {  // where each model breaks: the first length bucket below 50% exact
      for (std::size_t k = 0; k < buckets.size(); ++k)
        if (get(m["by_length"][k][key]["mean"]) < 0.5) {
          where = "falls below 50% exact at source " + lengths(k) + " (" +
                  figure(m["by_length"][k][key]) + ")";
          break;
        }
      if (where.empty()) where = "stays at 50% exact or above up to the longest inputs";
    }
    std::string f = m["name"].get<std::string>() + " " + where;
    if (m["summary"]["aer"]["mean"].is_number())
      f += "; its attention's alignment error rate is " + mean_sd(m["summary"]["aer"], 1, 3);
    out.push_back(f + ".");
  }
  return out;
}

std::string machine() {
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpu, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  return (model.empty() ? std::string("unknown CPU") : model) + ", " +
         std::to_string(std::thread::hardware_concurrency()) + " cores";
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return buf;
}

// What compare writes beside the checkpoints.
const char* const kReportFiles[] = {"results.json", "report.md", "report.html"};

int run_compare(CompareArgs& a) {
  TrainArgs& t = a.train;
  if (t.opts.max_steps == 0) throw UsageError("--max-steps 0 would compare untrained models");
  if (t.opts.max_steps < 0 && t.opts.epochs == 0)
    throw UsageError("--epochs 0 needs a --max-steps limit");
  if (t.task == "reverse" || t.task == "sort" || t.task == "copy") {
    // the letter tasks' lengths default to inputs long enough to break seq2seq
    if (t.max_len == 0) t.max_len = 30;
    if (t.min_len == 0) t.min_len = std::min<std::size_t>(3, t.max_len);
  }
  if ((a.test_min_len || a.test_max_len) && t.task.empty())
    throw UsageError("--test-min-len and --test-max-len are for a task's generated test pairs");
  if (a.test_min_len && a.test_max_len && a.test_min_len > a.test_max_len)
    throw UsageError("--test-min-len " + std::to_string(a.test_min_len) +
                     " exceeds --test-max-len " + std::to_string(a.test_max_len));
  if (t.task.empty() && a.test_file.empty() && t.valid_file.empty() && t.valid_fraction == 0)
    throw UsageError(
        "comparing needs held-out pairs: give --test FILE, --valid FILE or "
        "--valid-fraction F");
  // the default: plain seq2seq against the variant --model, --score, --cell say
  if (a.models.empty()) {
    if (!attends(t.config))
      throw UsageError("--model " + t.config.model +
                       " does not attend: compare sets an attending variant against plain "
                       "seq2seq (or list them with --models)");
    a.models = "seq2seq," + spec_name(t.config);
  } else if (t.given("model")) {
    throw UsageError("give the variants with --models (KIND[:SCORE][@CELL],...), not --model");
  }
  TrainingData d = load_training_pairs(t);
  if (t.task.empty() && !t.epochs->count() && t.opts.max_steps < 0)  // as train does
    t.opts.epochs = default_file_epochs(d.train_pairs.size());
  build_vocabularies(t, d);
  encode_training_data(t, d, true);
  // on the data's tokenizers, vocabularies and lengths
  const std::vector<ModelSpec> specs = parse_models(a.models, t.config);
  std::vector<TextPair> test_text_all = test_pairs(a, d);
  if (!t.task.empty() && a.test_file.empty()) fit_task_alignments(test_text_all, t.task, t.config);
  std::vector<Example> test =
      encode_named(test_text_all, a.test_file.empty() ? "held-out pairs" : a.test_file, t.config,
                   d.src_vocab, d.tgt_vocab);
  // keep the text beside each example kept (for the heatmaps' tokens)
  std::vector<TextPair> test_text;
  {
    std::vector<Example> kept;
    for (std::size_t i = 0; i < test.size(); ++i) {
      const Example& e = test[i];
      if (e.src.empty() || e.tgt.empty() || (t.max_src_len && e.src.size() > t.max_src_len) ||
          (t.max_tgt_len && e.tgt.size() > t.max_tgt_len))
        continue;
      kept.push_back(e);
      test_text.push_back(test_text_all[i]);
    }
    test = std::move(kept);
  }
  if (test.empty()) throw UsageError("no held-out pairs to compare the models on");
  std::size_t longest = 0;
  for (const Example& e : test) longest = std::max(longest, e.src.size());

  // The runs: every model with every seed; a location score must reach the
  // longest held-out source, beyond the training lengths.
  std::vector<std::unique_ptr<Run>> runs;
  for (const ModelSpec& m : specs) {
    ModelConfig c = m.config;

    // unless given: then check_source_length names a held-out pair beyond it
    if (!t.given("max_source_length")) c.max_source_length = std::max(c.max_source_length, longest);
    for (std::size_t k = 0; k < a.seeds; ++k) {
      auto r = std::make_unique<Run>();
      r->model = &m;
      r->seed_index = k;
      r->config = c;
      r->config.seed = t.config.seed + k;
      r->dir = (fs::path(a.out) / dir_name(m.name) / ("seed" + std::to_string(k + 1))).string();
      for (const Example& e : test) check_source_length(r->config, e.src.size(), "held-out pairs");
      check_save_target(r->dir);  // before any work
      check_training_memory(r->config, 1, 1, 1, t.opts.max_memory);
      runs.push_back(std::move(r));
    }
  }
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) throw std::runtime_error(a.out + ": cannot create the directory (" + ec.message() + ")");
  // A report describes the checkpoints beside it: the last run's goes now, so
  // a run killed before writing its own never leaves the old one behind.
  for (const char* name :
       {"results.json", "report.md", "report.html", "report.json", "comparison.svg"}) {
    fs::remove(fs::path(a.out) / name, ec);
    if (ec)
      throw std::runtime_error(a.out + "/" + name + ": cannot remove the last run's report (" +
                               ec.message() + ")");
  }

  Shared s;
  s.args = &a;
  s.data = &d;
  s.test_text = &test_text;
  s.test = &test;
  s.bucket_width = a.bucket ? a.bucket : std::max<std::size_t>(1, (longest + 5) / 6);
  {  // the heatmaps' inputs: a short one, a middle one and the longest
    std::vector<std::size_t> order(test.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
      return test[x].src.size() < test[y].src.size();
    });
    const std::size_t n = std::min(a.heatmaps, order.size());
    for (std::size_t k = 0; k < n; ++k)
      s.heatmap_pairs.push_back(
          order[n == 1 ? order.size() - 1 : k * (order.size() - 1) / (n - 1)]);
  }
  {  // learning curves of about 50 points
    const std::size_t per_epoch = (d.train.size() + t.opts.batch_size - 1) / t.opts.batch_size;
    const std::size_t planned =
        t.opts.max_steps >= 0 ? std::size_t(t.opts.max_steps) : t.opts.epochs * per_epoch;
    s.log_every = std::max<std::size_t>(1, planned / 50);
  }
  const std::size_t cores = default_threads();
  const std::size_t workers = std::min(cores, runs.size());
  s.threads_per_run = std::max<std::size_t>(1, cores / workers);

  std::string what = d.train_name;
  json train_lengths = nullptr, test_lengths = nullptr;
  if (!t.task.empty()) {
    const TaskInfo& info = task_info(t.task);
    const std::size_t lo = t.min_len ? t.min_len : info.default_min_len,
                      hi = t.max_len ? t.max_len : info.default_max_len;
    if (hi) {
      what += ", lengths " + std::to_string(lo) + ".." + std::to_string(hi);
      train_lengths = {lo, hi};
      test_lengths = {a.test_min_len ? a.test_min_len : lo, a.test_max_len ? a.test_max_len : hi};
      if (test_lengths != train_lengths)
        what += " (tested " + std::to_string(test_lengths[0].get<std::size_t>()) + ".." +
                std::to_string(test_lengths[1].get<std::size_t>()) + ")";
    }
  }
  std::cerr << "attnlab compare: " << what << "; " << d.train.size() << " training pairs, "
            << d.valid.size() << " validation, " << test.size() << " held-out test pairs\n";
  for (const ModelSpec& m : specs)
    std::cerr << "  " << m.name << ": " << parameter_count(*make_model<float>(m.config))
              << " parameters\n";
  std::cerr << "  the same batches, " << t.opts.optim.name << " at lr " << t.opts.optim.lr << ", ";
  if (t.opts.max_steps >= 0)
    std::cerr << t.opts.max_steps << " steps";
  else
    std::cerr << t.opts.epochs << (t.opts.epochs == 1 ? " epoch" : " epochs");
  std::cerr << " each; " << a.seeds << (a.seeds == 1 ? " seed" : " seeds") << ", " << runs.size()
            << " runs, " << workers << " at a time\n";
  if (const int sig = train_all(runs, s, workers)) {
    std::cerr << "interrupted: no report written; the checkpoints are saved where they stopped\n";
    return 128 + sig;
  }

  // results.json: every number the pages show
  json results;
  results["title"] = "attnlab compare: " + what;
  results["command"] = command_line();
  results["version"] = kVersion;
  results["machine"] = machine();
  results["date"] = today();
  results["data"] = {{"name", d.train_name},           {"train_pairs", d.train.size()},
                     {"valid_pairs", d.valid.size()},  {"test_pairs", test.size()},
                     {"train_lengths", train_lengths}, {"test_lengths", test_lengths}};
  results["budget"] = {{"optimizer", t.opts.optim.name},
                       {"lr", t.opts.optim.lr},
                       {"batch_size", t.opts.batch_size},
                       {"max_steps", t.opts.max_steps},
                       {"epochs", t.opts.epochs}};
  results["seeds"] = a.seeds;
  results["bleu_signature"] = bleu_signature(t.config.tgt_tokenizer);
  if (t.config.tgt_tokenizer != "char") results["sacrebleu_signature"] = sacrebleu_signature(1);
  results["buckets"] = json::array();
  for (const LengthBucket& b : runs.front()->buckets)
    results["buckets"].push_back(
        {{"min_length", b.min_length}, {"max_length", b.max_length}, {"sentences", b.sentences}});
  results["models"] = json::array();
  for (const ModelSpec& m : specs) {
    std::vector<const Run*> mine;
    for (const auto& r : runs)
      if (r->model == &m) mine.push_back(r.get());
    json model{{"name", m.name},
               {"label", model_label(m.config)},
               {"attends", attends(m.config)},
               {"runs", json::array()}};
    for (const Run* r : mine) {
      json run{{"seed", r->config.seed},
               {"checkpoint", r->dir},
               {"metrics", run_metrics(*r)},
               {"by_length", json::array()},
               {"curves", {{"train", r->train_curve}, {"valid", r->valid_curve}}}};
      for (const LengthBucket& b : r->buckets) {
        json bj;
        for (const char* k : kBucketKeys) bj[k] = json_figure(bucket_value(b, k));
        bj["aligned"] = b.aligned;
        run["by_length"].push_back(bj);
      }
      model["runs"].push_back(run);
    }
    json summary;
    for (const auto& [key, value] : model["runs"][0]["metrics"].items()) {
      std::vector<double> v;
      for (const json& run : model["runs"]) v.push_back(get(run["metrics"][key]));
      summary[key] = spread_json(v);
    }
    model["summary"] = summary;
    model["by_length"] = json::array();
    for (std::size_t k = 0; k < results["buckets"].size(); ++k) {
      json bj;
      for (const char* key : kBucketKeys) {
        std::vector<double> v;
        for (const json& run : model["runs"]) v.push_back(get(run["by_length"][k][key]));
        bj[key] = spread_json(v);
      }
      model["by_length"].push_back(bj);
    }
    model["curves"] = {{"train", curve_spread(mine, false)}, {"valid", curve_spread(mine, true)}};
    model["heatmaps"] = mine.front()->heatmaps;
    results["models"].push_back(model);
  }
  results["findings"] = findings(results["models"], a.seeds, results["buckets"],
                                 results.contains("sacrebleu_signature"));

  const fs::path out(a.out);
  write_file_atomically((out / kReportFiles[0]).string(), results.dump(1) + "\n");
  const std::string md = compare_markdown(results);
  write_file_atomically((out / kReportFiles[1]).string(), md);
  write_file_atomically((out / kReportFiles[2]).string(), compare_html(results));
  std::cout << "\n" << md << std::flush;
  std::cerr << "\nReport: " << fs::absolute(out / "report.html").string() << "\n  with "
            << (out / "report.md").string() << ", " << (out / "results.json").string()
            << " and the checkpoints " << (out / "MODEL/seedK").string() << "\n";
  return 0;
}

}  // namespace

void add_subcommand_compare(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* c = app.add_subcommand(
      "compare", "Train model variants side by side over seeds; compare them by source length");
  a->train.task = "reverse";
  a->train.valid_n = 500;
  a->train.default_epochs = 5;
  add_training_options(c, a->train);
  // compare's own defaults, and no --threads: the runs share the cores
  c->get_option("--task")->description("A built-in task (default reverse): " + join(task_names()));
  c->get_option("--min-len")
      ->description("Task: shortest training sequence (reverse, sort, copy: 3)");
  c->get_option("--max-len")
      ->description("Task: longest training sequence (reverse, sort, copy: 30)");
  c->get_option("--valid-n")
      ->description("Task: size of the validation set")
      ->capture_default_str();
  c->remove_option(c->get_option("--threads"));
  c->get_option("--model")->description(
      "The attending variant to set against plain seq2seq, without --models (default attention): " +
      decoder_help());
  c->add_option("--models", a->models,
                "The variants to compare, comma-separated, each KIND[:SCORE][@CELL] (e.g. "
                "seq2seq,attention:additive,luong:general@gru); default: seq2seq and --model");
  c->add_option("--seeds", a->seeds,
                "Train each model this many times (seeds --seed, --seed + 1, ...); figures are "
                "mean ± standard deviation")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  c->add_option("--out", a->out, "Directory for the checkpoints and the report")
      ->capture_default_str();
  c->add_option("--test", a->test_file,
                "Held-out pairs to judge on (default: a task's own); a third column of i-j "
                "links gives the gold alignment")
      ->check(CLI::ExistingFile);
  c->add_option("--test-n", a->test_n, "Task: number of held-out test pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  c->add_option("--test-min-len", a->test_min_len,
                "Task: shortest held-out sequence (default: --min-len)")
      ->check(CLI::Range(1, 100000));
  c->add_option("--test-max-len", a->test_max_len,
                "Task: longest held-out sequence, beyond --max-len to test length generalisation")
      ->check(CLI::Range(1, 100000));
  c->add_option("--bucket-width", a->bucket, "Source lengths per row (0: about six rows)")
      ->check(CLI::Range(0, 100000));
  c->add_option("--heatmaps", a->heatmaps,
                "Held-out inputs whose attention the report shows (shortest to longest)")
      ->capture_default_str()
      ->check(CLI::Range(0, 20));
  on_run(c, [a, c] {
    // --train FILE replaces the default task
    if (c->get_option("--train")->count() && !c->get_option("--task")->count())
      a->train.task.clear();
    finish_training_options(a->train);
    return run_compare(*a);
  });
}

}  // namespace attnlab::cli
