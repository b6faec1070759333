// A study: its runs planned from the options, trained over the cores,
// judged, and gathered into results.json, its findings and its pages.
#include "run/study.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <set>
#include <sstream>
#include <thread>

#include "data/tasks.hpp"
#include "data/tokenizer.hpp"
#include "io/atomic_dir.hpp"
#include "io/machine.hpp"
#include "metrics/bleu.hpp"
#include "metrics/sacrebleu.hpp"
#include "models/memory.hpp"
#include "models/model_io.hpp"
#include "models/score.hpp"
#include "models/variants.hpp"
#include "report/compare_page.hpp"
#include "report/stats.hpp"
#include "run/train.hpp"
#include "training/evaluate.hpp"
#include "training/parallel.hpp"
#include "version.hpp"

namespace attnlab {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

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
std::vector<TextPair> test_pairs(const RunSettings& s, const RunData& d, const Notify& note) {
  const DataOptions& t = s.data;
  const StudyOptions& a = s.study;
  if (!a.test_file.empty()) return read_pairs(a.test_file, t.skip_bad_lines, note);
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
  using Phase = StudyRunStatus::Phase;
  std::atomic<Phase> state{StudyRunStatus::queued};
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
  const RunSettings* settings;
  const RunData* data;
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
  const RunSettings& a = *s.settings;
  const RunData& d = *s.data;
  auto model = make_model<float>(r.config);
  r.parameters = parameter_count(*model);
  TrainOptions o = a.train;
  o.seed = a.train.seed + r.seed_index;  // batch order, dropout, teacher forcing
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
  json extra{{"train_data", d.train_name}, {"compare", a.study.out}};
  if (!a.data.task.empty()) extra["task"] = a.data.task;
  r.state = StudyRunStatus::training;
  const auto start = Clock::now();
  {
    Trainer trainer(*model, d.src_vocab, d.tgt_vocab, o, extra);
    r.result = trainer.run(d.train, d.valid);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.tokens_per_s = spread_of(rates).mean;
  if (r.result.interrupted || r.result.diverged) return;
  r.state = StudyRunStatus::judging;
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

std::string fixed(double x, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << x;
  return os.str();
}

// Trains every run, `workers` at a time, the rest queued, with one progress
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

std::string today() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return buf;
}

// What compare writes beside the checkpoints.

// What compare writes beside the checkpoints.
const char* const kReportFiles[] = {"results.json", "report.md", "report.html"};

// The options a study refuses, and the defaults it fills in.
void check_study_options(RunSettings& s) {
  DataOptions& t = s.data;
  if (s.was_given("train") && !s.was_given("task")) t.task.clear();  // a file, not the default task
  const StudyOptions& a = s.study;
  if (s.train.max_steps == 0) throw UsageError("--max-steps 0 would compare untrained models");
  if (s.train.max_steps < 0 && s.train.epochs == 0)
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
    if (!attends(s.model))
      throw UsageError("--model " + s.model.model +
                       " does not attend: compare sets an attending variant against plain "
                       "seq2seq (or list them with --models)");
    s.study.models = "seq2seq," + spec_name(s.model);
  } else if (s.was_given("model")) {
    throw UsageError("give the variants with --models (KIND[:SCORE][@CELL],...), not --model");
  }
}

// The held-out pairs, encoded, with the text beside each one kept (for the
// heatmaps' tokens).
void held_out_pairs(const RunSettings& s, const RunData& d, const Notify& note,
                    std::vector<TextPair>& test_text, std::vector<Example>& test) {
  const DataOptions& t = s.data;
  std::vector<TextPair> all = test_pairs(s, d, note);
  if (!t.task.empty() && s.study.test_file.empty()) fit_task_alignments(all, t.task, s.model);
  const std::string name = s.study.test_file.empty() ? "held-out pairs" : s.study.test_file;
  const std::vector<Example> encoded = encode_named(all, name, s.model, d.src_vocab, d.tgt_vocab);
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const Example& e = encoded[i];
    if (e.src.empty() || e.tgt.empty() || (t.max_src_len && e.src.size() > t.max_src_len) ||
        (t.max_tgt_len && e.tgt.size() > t.max_tgt_len))
      continue;
    test.push_back(e);
    test_text.push_back(all[i]);
  }
  if (test.empty()) throw UsageError("no held-out pairs to compare the models on");
}

// The heatmaps' inputs: a short one, a middle one and the longest.
std::vector<std::size_t> heatmap_inputs(const std::vector<Example>& test, std::size_t count) {
  std::vector<std::size_t> order(test.size()), out;
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return test[x].src.size() < test[y].src.size();
  });
  const std::size_t n = std::min(count, order.size());
  for (std::size_t k = 0; k < n; ++k)
    out.push_back(order[n == 1 ? order.size() - 1 : k * (order.size() - 1) / (n - 1)]);
  return out;
}

// A report describes the checkpoints beside it: the last run's goes now, so a
// run killed before writing its own never leaves the old one behind.
void clear_old_report(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the directory (" + ec.message() + ")");
  for (const char* name :
       {"results.json", "report.md", "report.html", "report.json", "comparison.svg"}) {
    fs::remove(fs::path(dir) / name, ec);
    if (ec)
      throw std::runtime_error(dir + "/" + name + ": cannot remove the last run's report (" +
                               ec.message() + ")");
  }
}

// One run's figures, curves and buckets as results.json holds them.
json run_json(const Run& r) {
  json run{{"seed", r.config.seed},
           {"checkpoint", r.dir},
           {"metrics", run_metrics(r)},
           {"by_length", json::array()},
           {"curves", {{"train", r.train_curve}, {"valid", r.valid_curve}}}};
  for (const LengthBucket& b : r.buckets) {
    json bj;
    for (const char* k : kBucketKeys) bj[k] = json_figure(bucket_value(b, k));
    bj["aligned"] = b.aligned;
    run["by_length"].push_back(bj);
  }
  return run;
}

// One model's runs, and their mean and spread figure by figure.
json model_json(const ModelSpec& m, const std::vector<const Run*>& mine, std::size_t buckets) {
  json model{{"name", m.name},
             {"label", model_label(m.config)},
             {"attends", attends(m.config)},
             {"runs", json::array()}};
  for (const Run* r : mine) model["runs"].push_back(run_json(*r));
  json summary;
  for (const auto& [key, value] : model["runs"][0]["metrics"].items()) {
    std::vector<double> v;
    for (const json& run : model["runs"]) v.push_back(get(run["metrics"][key]));
    summary[key] = spread_json(v);
  }
  model["summary"] = summary;
  model["by_length"] = json::array();
  for (std::size_t k = 0; k < buckets; ++k) {
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
  return model;
}

}  // namespace

struct Study::Impl {
  RunSettings s;
  RunData d;
  std::vector<ModelSpec> specs;
  std::vector<TextPair> test_text;
  std::vector<Example> test;
  std::vector<std::unique_ptr<Run>> runs;
  Shared shared;
  std::size_t workers = 1;
  std::string what;  // the data, as the title says it
  json train_lengths = nullptr, test_lengths = nullptr;

  void plan_runs();
  void describe_data();
  json gather(const std::string& command) const;
};

Study::Study(RunSettings settings, const Notify& note) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.s = std::move(settings);
  RunSettings& s = m.s;
  check_study_options(s);
  m.d = load_pairs(s, note);
  if (s.data.task.empty()) fit_file_defaults(s, m.d.train_pairs.size(), true);  // as train does
  build_vocabularies(s, m.d);
  encode_data(s, m.d, true);
  m.specs = parse_models(s.study.models, s.model);  // on the data's tokenizers and lengths
  held_out_pairs(s, m.d, note, m.test_text, m.test);
  m.plan_runs();
  clear_old_report(s.study.out);
  m.describe_data();
}

Study::~Study() = default;

// The runs: every model with every seed; a location score must reach the
// longest held-out source, beyond the training lengths.
void Study::Impl::plan_runs() {
  std::size_t longest = 0;
  for (const Example& e : test) longest = std::max(longest, e.src.size());
  for (const ModelSpec& m : specs) {
    ModelConfig c = m.config;
    // unless given: then check_source_length names a held-out pair beyond it
    if (!s.was_given("max_source_length"))
      c.max_source_length = std::max(c.max_source_length, longest);
    for (std::size_t k = 0; k < s.study.seeds; ++k) {
      auto r = std::make_unique<Run>();
      r->model = &m;
      r->seed_index = k;
      r->config = c;
      r->config.seed = s.model.seed + k;
      r->dir =
          (fs::path(s.study.out) / dir_name(m.name) / ("seed" + std::to_string(k + 1))).string();
      for (const Example& e : test) check_source_length(r->config, e.src.size(), "held-out pairs");
      check_save_target(r->dir);  // before any work
      check_training_memory(r->config, 1, 1, 1, s.train.max_memory);
      runs.push_back(std::move(r));
    }
  }
  shared.settings = &s;
  shared.data = &d;
  shared.test_text = &test_text;
  shared.test = &test;
  shared.bucket_width =
      s.study.bucket ? s.study.bucket : std::max<std::size_t>(1, (longest + 5) / 6);
  shared.heatmap_pairs = heatmap_inputs(test, s.study.heatmaps);
  // learning curves of about 50 points
  const std::size_t per_epoch = (d.train.size() + s.train.batch_size - 1) / s.train.batch_size;
  const std::size_t planned =
      s.train.max_steps >= 0 ? std::size_t(s.train.max_steps) : s.train.epochs * per_epoch;
  shared.log_every = std::max<std::size_t>(1, planned / 50);
  const std::size_t cores = default_threads();
  workers = std::min(cores, runs.size());
  shared.threads_per_run = std::max<std::size_t>(1, cores / workers);
}

void Study::Impl::describe_data() {
  what = d.train_name;
  if (s.data.task.empty()) return;
  const TaskInfo& info = task_info(s.data.task);
  const std::size_t lo = s.data.min_len ? s.data.min_len : info.default_min_len,
                    hi = s.data.max_len ? s.data.max_len : info.default_max_len;
  if (!hi) return;
  what += ", lengths " + std::to_string(lo) + ".." + std::to_string(hi);
  train_lengths = {lo, hi};
  test_lengths = {s.study.test_min_len ? s.study.test_min_len : lo,
                  s.study.test_max_len ? s.study.test_max_len : hi};
  if (test_lengths != train_lengths)
    what += " (tested " + std::to_string(test_lengths[0].get<std::size_t>()) + ".." +
            std::to_string(test_lengths[1].get<std::size_t>()) + ")";
}

std::string Study::describe() const {
  const Impl& m = *impl_;
  const TrainOptions& o = m.s.train;
  std::ostringstream out;
  out << m.what << "; " << m.d.train.size() << " training pairs, " << m.d.valid.size()
      << " validation, " << m.test.size() << " held-out test pairs\n";
  for (const ModelSpec& spec : m.specs)
    out << "  " << spec.name << ": " << parameter_count(*make_model<float>(spec.config))
        << " parameters\n";
  out << "  the same batches, " << o.optim.name << " at lr " << o.optim.lr << ", ";
  if (o.max_steps >= 0)
    out << o.max_steps << " steps";
  else
    out << o.epochs << (o.epochs == 1 ? " epoch" : " epochs");
  out << " each; " << m.s.study.seeds << (m.s.study.seeds == 1 ? " seed" : " seeds") << ", "
      << m.runs.size() << " runs, " << m.workers << " at a time\n";
  return out.str();
}

int Study::run(const std::function<void(const std::vector<StudyRunStatus>&)>& on_progress,
               const std::atomic<int>* stop) {
  Impl& m = *impl_;
  static const std::atomic<int> never{0};
  m.shared.stop = stop ? stop : &never;
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < m.workers; ++w)
    threads.emplace_back([&m, &next] {
      for (std::size_t i; (i = next++) < m.runs.size();) {
        Run& r = *m.runs[i];
        if (!*m.shared.stop) try {
            train_and_judge(r, m.shared);
          } catch (...) {
            r.error = std::current_exception();
          }
        r.state = StudyRunStatus::done;
      }
    });
  for (bool finished = false; !finished;) {
    std::vector<StudyRunStatus> status;
    finished = true;
    for (const auto& r : m.runs) {
      status.push_back({r->label(), r->state.load(), r->step.load(), r->planned.load(), r->loss});
      finished = finished && r->state == StudyRunStatus::done;
    }
    if (on_progress) on_progress(status);
    if (!finished) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  for (std::thread& t : threads) t.join();
  for (const auto& r : m.runs)
    if (r->error) std::rethrow_exception(r->error);
  if (const int sig = m.shared.stop->load()) return sig;
  for (const auto& r : m.runs)
    if (r->result.diverged) throw std::runtime_error(r->label() + ": " + r->result.message);
  return 0;
}

json Study::Impl::gather(const std::string& command) const {
  const TrainOptions& o = s.train;
  json results;
  results["title"] = "attnlab compare: " + what;
  results["command"] = command;
  results["version"] = kVersion;
  results["machine"] = machine_description();
  results["date"] = today();
  results["data"] = {{"name", d.train_name},           {"train_pairs", d.train.size()},
                     {"valid_pairs", d.valid.size()},  {"test_pairs", test.size()},
                     {"train_lengths", train_lengths}, {"test_lengths", test_lengths}};
  results["budget"] = {{"optimizer", o.optim.name},
                       {"lr", o.optim.lr},
                       {"batch_size", o.batch_size},
                       {"max_steps", o.max_steps},
                       {"epochs", o.epochs}};
  results["seeds"] = s.study.seeds;
  results["bleu_signature"] = bleu_signature(s.model.tgt_tokenizer);
  if (s.model.tgt_tokenizer != "char") results["sacrebleu_signature"] = sacrebleu_signature(1);
  results["buckets"] = json::array();
  for (const LengthBucket& b : runs.front()->buckets)
    results["buckets"].push_back(
        {{"min_length", b.min_length}, {"max_length", b.max_length}, {"sentences", b.sentences}});
  results["models"] = json::array();
  for (const ModelSpec& spec : specs) {
    std::vector<const Run*> mine;
    for (const auto& r : runs)
      if (r->model == &spec) mine.push_back(r.get());
    results["models"].push_back(model_json(spec, mine, results["buckets"].size()));
  }
  results["findings"] = findings(results["models"], s.study.seeds, results["buckets"],
                                 results.contains("sacrebleu_signature"));
  return results;
}

json Study::results(const std::string& command) const { return impl_->gather(command); }

std::string Study::write_report(const std::string& command) const {
  const json results = impl_->gather(command);
  const fs::path out(impl_->s.study.out);
  write_file_atomically((out / kReportFiles[0]).string(), results.dump(1) + "\n");
  const std::string md = compare_markdown(results);
  write_file_atomically((out / kReportFiles[1]).string(), md);
  write_file_atomically((out / kReportFiles[2]).string(), compare_html(results));
  return md;
}

}  // namespace attnlab
