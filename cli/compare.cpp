// attnlab compare: plain seq2seq and seq2seq with attention trained side by
// side on the same data with the same budget, then evaluated on the same
// held-out pairs by source length, where plain seq2seq breaks on long inputs
// and attention does not (Bahdanau et al. 2014). A table on the terminal, and
// report.md, report.json and comparison.svg in the output directory.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "cli/plot.hpp"
#include "cli/train.hpp"
#include "data/tasks.hpp"
#include "io/atomic_dir.hpp"
#include "models/model_io.hpp"
#include "training/evaluate.hpp"
#include "training/parallel.hpp"

namespace attnlab::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct CompareArgs {
  TrainArgs train;
  std::string out = "compare", test_file;
  std::size_t test_n = 2000, bucket = 0;
};

// One of the two contestants.
struct Contestant {
  std::string label;  // "seq2seq", "attention/additive"
  ModelConfig config;
  std::unique_ptr<EncoderDecoder<float>> model;
  std::size_t parameters = 0;
  // progress, written by the training thread, read by the display
  std::atomic<std::size_t> step{0}, planned{0};
  std::atomic<double> loss{0.0};
  std::atomic<bool> finished{false};
  TrainResult result;
  double seconds = 0.0;
  std::exception_ptr error;
  std::size_t judged_step = 0;  // the step of the weights judged
  EvalResult eval;
  std::vector<LengthBucket> buckets;
};

// The held-out pairs the two models are judged on.
std::vector<TextPair> test_pairs(const CompareArgs& a, const TrainingData& d) {
  const TrainArgs& t = a.train;
  if (!a.test_file.empty()) return read_pairs(a.test_file, t.skip_bad_lines);
  if (t.task.empty()) return d.valid_pairs;
  std::set<std::string> seen;  // no source seen in training
  for (const TextPair& p : d.train_pairs) seen.insert(p.src);
  std::vector<TextPair> out;
  for (const TextPair& p :
       make_task(t.task, 2 * a.test_n + 100, t.data_seed + 15551, {t.min_len, t.max_len}))
    if (out.size() < a.test_n && !seen.count(p.src)) out.push_back(p);
  return out;
}

std::string bar(double part, std::size_t width) {
  const std::size_t filled = static_cast<std::size_t>(std::min(1.0, part) * width);
  return std::string(filled, '#') + std::string(width - filled, '.');
}

std::string percent(double x) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << 100 * x << "%";
  return os.str();
}

std::string fixed(double x, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << x;
  return os.str();
}

// Trains both models at once, one thread each, showing their progress.
// Returns the signal that interrupted them, or 0.
int train_both(std::vector<Contestant*> both, const CompareArgs& a, const TrainingData& d) {
  const std::atomic<int>* stop = stop_on_signals();
  std::vector<std::thread> threads;
  for (Contestant* c : both) {
    threads.emplace_back([c, &a, &d, stop] {
      try {
        TrainOptions o = a.train.opts;
        o.save = (fs::path(a.out) / c->config.model).string();
        o.stop = stop;
        o.on_step = [c](const TrainProgress& p) {
          c->step = p.step, c->planned = p.planned;  // the loss smoothed: batches differ in length
          c->loss = p.step == 1 ? p.loss : 0.95 * c->loss + 0.05 * p.loss;
        };
        nlohmann::json extra{{"train_data", d.train_name}, {"compare", a.out}};
        if (!a.train.task.empty()) extra["task"] = a.train.task;
        const auto start = Clock::now();
        Trainer trainer(*c->model, d.src_vocab, d.tgt_vocab, o, extra);
        c->result = trainer.run(d.train, d.valid);
        c->seconds = std::chrono::duration<double>(Clock::now() - start).count();
      } catch (...) {
        c->error = std::current_exception();
      }
      c->finished = true;
    });
  }
  // The display: a live line on a terminal, a line every 10% elsewhere.
  const bool tty = a.train.tty;
  int last_tenth = -1;
  std::string last_line;
  for (;;) {
    bool running = false;
    for (Contestant* c : both) running = running || !c->finished;
    std::ostringstream line;
    double least = 1.0;
    for (Contestant* c : both) {
      const double part = c->planned ? double(c->step) / c->planned : 0.0;
      least = std::min(least, part);
      line << (line.tellp() > 0 ? " | " : "") << c->label << " [" << bar(part, 10) << "] "
           << static_cast<int>(100 * part) << "% " << fixed(c->loss, 4);
    }
    if (tty) {
      std::cerr << "\r\033[K" << line.str() << std::flush;
    } else if ((static_cast<int>(10 * least) > last_tenth || !running) && line.str() != last_line) {
      last_tenth = static_cast<int>(10 * least);
      last_line = line.str();
      std::cerr << last_line << std::endl;
    }
    if (!running) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  for (std::thread& t : threads) t.join();
  release_signals();  // evaluating and reporting: Ctrl-C ends them at once
  if (tty) std::cerr << "\r\033[K";
  for (Contestant* c : both)
    if (c->error) std::rethrow_exception(c->error);
  for (Contestant* c : both)
    if (c->result.diverged) throw std::runtime_error(c->label + ": " + c->result.message);
  for (Contestant* c : both) std::cerr << c->label << ": " << c->result.message << "\n";
  return stop->load();
}

// The table, as Markdown (also readable as plain text).
std::string table(const Contestant& s, const Contestant& t) {
  std::ostringstream os;
  os << "| source length | pairs | exact: " << s.label << " | exact: " << t.label
     << " | BLEU: " << s.label << " | BLEU: " << t.label << " |\n|---|---|---|---|---|---|\n";
  for (std::size_t k = 0; k < s.buckets.size(); ++k) {
    const LengthBucket& a = s.buckets[k];
    const LengthBucket& b = t.buckets[k];
    os << "| " << a.min_length << "-" << a.max_length << " | " << a.sentences << " | "
       << percent(a.exact_accuracy) << " | " << percent(b.exact_accuracy) << " | "
       << fixed(a.bleu, 1) << " | " << fixed(b.bleu, 1) << " |\n";
  }
  os << "| **all** | " << s.eval.sentences << " | **" << percent(s.eval.exact_accuracy) << "** | **"
     << percent(t.eval.exact_accuracy) << "** | **" << fixed(s.eval.bleu, 1) << "** | **"
     << fixed(t.eval.bleu, 1) << "** |\n";
  return os.str();
}

// Accuracy and BLEU by source length; below, both models' learning curves.
std::string chart_svg(const Contestant& s, const Contestant& t, const std::string& title,
                      const fs::path& out) {
  svg::Chart exact;
  exact.x = 70;
  exact.y = 60;
  exact.title = "exact-sequence accuracy (%)";
  exact.x_label = "source length (tokens, bucket middle)";
  exact.ymin = 0;
  exact.ymax = 100;
  exact.xmin = s.buckets.empty() ? 0 : s.buckets.front().min_length;
  svg::Chart bleu = exact;
  bleu.x = 560;
  bleu.title = "BLEU-4";
  std::vector<svg::Series> acc, bl;
  for (const Contestant* c : {&s, &t}) {
    const std::string colour = c == &s ? "#d62728" : "#1f77b4";
    svg::Series a{c->label, colour, {}}, b{c->label, colour, {}};
    for (const LengthBucket& k : c->buckets) {
      const double mid = (k.min_length + k.max_length) / 2.0;
      a.points.emplace_back(mid, 100 * k.exact_accuracy);
      b.points.emplace_back(mid, k.bleu);
    }
    acc.push_back(a);
    bl.push_back(b);
  }
  std::vector<svg::Series> train, valid;
  for (const Contestant* c : {&s, &t}) {
    const Metrics m = read_metrics((out / (c->config.model + ".metrics.jsonl")).string());
    train.push_back({c->label, c == &s ? "#d62728" : "#1f77b4", m.train_loss.points});
    valid.push_back({c->label, train.back().colour, m.valid_loss.points});
  }
  svg::Chart train_chart = exact;
  train_chart.y = 440;
  train_chart.xmin = 0;
  train_chart.x_label = "step";
  train_chart.title = "training loss (log scale)";
  svg::fit_log_y(train_chart, {&train[0], &train[1], &valid[0], &valid[1]});
  svg::Chart valid_chart = train_chart;
  valid_chart.x = bleu.x;
  valid_chart.title = "validation loss (log scale)";
  const std::string body = svg::text(20, 24, title, "font-weight=\"bold\" font-size=\"14\"") +
                           svg::line_chart(exact, acc) + svg::line_chart(bleu, bl) +
                           svg::line_chart(train_chart, train) +
                           svg::line_chart(valid_chart, valid);
  return svg::document(1000, 780, body);
}

// What compare writes beside the two checkpoints.
const char* const kReportFiles[] = {"report.md", "report.json", "comparison.svg"};

int run_compare(CompareArgs& a) {
  TrainArgs& t = a.train;
  // the two models train side by side, each on half the machine's cores
  t.opts.threads = std::max<std::size_t>(1, default_threads() / 2);
  if (t.opts.max_steps == 0) throw UsageError("--max-steps 0 would compare untrained models");
  if (t.opts.max_steps < 0 && t.opts.epochs == 0)
    throw UsageError("--epochs 0 needs a --max-steps limit");
  if (t.task == "reverse" || t.task == "sort" || t.task == "copy") {
    // the letter tasks' lengths default to inputs long enough to break seq2seq
    if (t.max_len == 0) t.max_len = 30;
    if (t.min_len == 0) t.min_len = std::min<std::size_t>(3, t.max_len);
  }
  if (t.task.empty() && a.test_file.empty() && t.valid_file.empty() && t.valid_fraction == 0)
    throw UsageError(
        "comparing needs held-out pairs: give --test FILE, --valid FILE or "
        "--valid-fraction F");

  // the attending variant set against plain seq2seq
  if (!attends(t.config))
    throw UsageError("--model " + t.config.model +
                     " does not attend: compare sets an attending variant against plain seq2seq");
  for (const std::string& model : {std::string("seq2seq"), t.config.model})  // before any work
    check_save_target((fs::path(a.out) / model).string());
  TrainingData d = load_training_pairs(t);
  build_vocabularies(t, d);
  encode_training_data(t, d, true);
  const std::vector<TextPair> test_text = test_pairs(a, d);
  std::vector<Example> test = encode_pairs(test_text, t.config.src_tokenizer,
                                           t.config.tgt_tokenizer, d.src_vocab, d.tgt_vocab);
  filter_by_length(test, t.max_src_len, t.max_tgt_len);
  if (test.empty()) throw UsageError("no held-out pairs to compare the models on");
  for (const Example& e : test) check_source_length(t.config, e.src.size(), "held-out pairs");

  Contestant plain, attention;
  plain.config = attention.config = t.config;
  plain.config.model = "seq2seq";
  plain.config.decoder_hidden = 0;  // plain seq2seq's decoder starts from [fwd; bwd]: D = 2H
  plain.label = model_label(plain.config);
  attention.label = model_label(attention.config);
  for (Contestant* c : {&plain, &attention}) {
    check_training_memory(c->config, 1, 1, 1, t.opts.max_memory);  // before making the weights
    c->model = make_model<float>(c->config);
    c->parameters = parameter_count(*c->model);
  }
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec) throw std::runtime_error(a.out + ": cannot create the directory (" + ec.message() + ")");
  // A report describes the checkpoints beside it: the last run's goes now, so
  // a run killed before writing its own never leaves the old one behind.
  for (const char* name : kReportFiles) {
    fs::remove(fs::path(a.out) / name, ec);
    if (ec)
      throw std::runtime_error(a.out + "/" + name + ": cannot remove the last run's report (" +
                               ec.message() + ")");
  }

  std::string what = d.train_name;
  if (!t.task.empty()) {
    const TaskInfo& info = task_info(t.task);
    const std::size_t lo = t.min_len ? t.min_len : info.default_min_len,
                      hi = t.max_len ? t.max_len : info.default_max_len;
    if (hi) what += ", lengths " + std::to_string(lo) + ".." + std::to_string(hi);
  }
  std::cerr << "attnlab compare: " << what << "; " << d.train.size() << " training pairs, "
            << d.valid.size() << " validation, " << test.size() << " held-out test pairs\n"
            << "  " << plain.label << ": " << plain.parameters << " parameters\n"
            << "  " << attention.label << ": " << attention.parameters << " parameters\n"
            << "  the same batches, " << t.opts.optim.name << " at lr " << t.opts.optim.lr << ", ";
  if (t.opts.max_steps >= 0)
    std::cerr << t.opts.max_steps << " steps";
  else
    std::cerr << t.opts.epochs << (t.opts.epochs == 1 ? " epoch" : " epochs");
  std::cerr << " each, in parallel (progress and smoothed training loss)\n";
  if (const int sig = train_both({&plain, &attention}, a, d)) {
    std::cerr << "interrupted: no report written; both checkpoints are saved where they stopped\n";
    return 128 + sig;
  }

  std::size_t longest = 0;
  for (const Example& e : test) longest = std::max(longest, e.src.size());
  const std::size_t width = a.bucket ? a.bucket : std::max<std::size_t>(1, (longest + 5) / 6);
  for (Contestant* c : {&plain, &attention}) {
    // Each model is judged at its best validation loss within the budget, as
    // a user would pick it (DIR/MODEL/best), not wherever the last step left it.
    const fs::path best = fs::path(a.out) / c->config.model / "best";
    if (c->result.state.best_step > 0 && fs::exists(best / "config.json")) {
      c->model = load_model<float>(best.string()).model;
      c->judged_step = c->result.state.best_step;
    } else {
      c->judged_step = c->result.state.step;
    }
    std::vector<SentenceResult> each;
    c->eval = evaluate(*c->model, test, d.tgt_vocab, EvalOptions{}, &each);
    c->buckets = by_source_length(each, test, d.tgt_vocab, width);
  }

  const std::string title = "attnlab compare: " + what;
  std::ostringstream md;
  md << "# " << title << "\n\n"
     << "Both models trained on the same " << d.train.size()
     << " pairs in the same batches with the same budget; judged on " << test.size()
     << " held-out pairs by greedy decoding.\n\n"
     << "Each model is judged at its lowest validation loss.\n\n"
     << "| model | parameters | training time | judged at step | validation loss | test loss |\n"
     << "|---|---|---|---|---|---|\n";
  for (const Contestant* c : {&plain, &attention})
    md << "| " << c->label << " | " << c->parameters << " | " << fixed(c->seconds, 0) << " s | "
       << c->judged_step << " of " << c->result.state.step << " | "
       << (std::isfinite(c->result.state.best_valid) ? fixed(c->result.state.best_valid, 4) : "-")
       << " | " << fixed(c->eval.loss, 4) << " |\n";
  md << "\n" << table(plain, attention);
  std::cout << "\n" << table(plain, attention) << std::flush;

  nlohmann::json report{{"title", title},
                        {"train_pairs", d.train.size()},
                        {"test_pairs", test.size()},
                        {"models", nlohmann::json::array()}};
  for (const Contestant* c : {&plain, &attention}) {
    nlohmann::json m{{"label", c->label},
                     {"checkpoint", (fs::path(a.out) / c->config.model).string()},
                     {"parameters", c->parameters},
                     {"seconds", c->seconds},
                     {"steps", c->result.state.step},
                     {"judged_step", c->judged_step},
                     {"loss", c->eval.loss},
                     {"token_accuracy", c->eval.token_accuracy},
                     {"exact_accuracy", c->eval.exact_accuracy},
                     {"bleu", c->eval.bleu},
                     {"by_length", nlohmann::json::array()}};
    for (const LengthBucket& b : c->buckets)
      m["by_length"].push_back({{"min_length", b.min_length},
                                {"max_length", b.max_length},
                                {"sentences", b.sentences},
                                {"token_accuracy", b.token_accuracy},
                                {"exact_accuracy", b.exact_accuracy},
                                {"bleu", b.bleu}});
    report["models"].push_back(m);
  }
  const fs::path out(a.out);
  write_file_atomically((out / kReportFiles[0]).string(), md.str());
  write_file_atomically((out / kReportFiles[1]).string(), report.dump(2) + "\n");
  write_file_atomically((out / kReportFiles[2]).string(), chart_svg(plain, attention, title, out));
  std::cerr << "\nReport: " << (out / "report.md").string() << ", "
            << (out / "report.json").string() << ", picture " << (out / "comparison.svg").string()
            << "; checkpoints " << (out / "seq2seq").string() << " and "
            << (out / attention.config.model).string() << "\n";
  return 0;
}

}  // namespace

void add_subcommand_compare(CLI::App& app) {
  auto a = std::make_shared<CompareArgs>();
  CLI::App* c = app.add_subcommand(
      "compare", "Train plain seq2seq and attention side by side; compare them by source length");
  a->train.task = "reverse";
  a->train.valid_n = 500;
  a->train.default_epochs = 5;
  add_training_options(c, a->train);
  // compare's own defaults, and no --threads: each model takes half the cores
  c->get_option("--task")->description("A built-in task (default reverse): " + join(task_names()));
  c->get_option("--min-len")->description("Task: shortest sequence (reverse, sort, copy: 3)");
  c->get_option("--max-len")->description("Task: longest sequence (reverse, sort, copy: 30)");
  c->get_option("--valid-n")
      ->description("Task: size of the validation set")
      ->capture_default_str();
  c->remove_option(c->get_option("--threads"));
  c->get_option("--model")->description(
      "The attending variant to set against plain seq2seq (default attention): " + decoder_help());
  c->add_option("--out", a->out, "Directory for both checkpoints and the report")
      ->capture_default_str();
  c->add_option("--test", a->test_file, "Held-out pairs to judge on (default: a task's own)")
      ->check(CLI::ExistingFile);
  c->add_option("--test-n", a->test_n, "Task: number of held-out test pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  c->add_option("--bucket-width", a->bucket, "Source lengths per row (0: about six rows)")
      ->check(CLI::Range(0, 100000));
  on_run(c, [a, c] {
    // --train FILE replaces the default task
    if (c->get_option("--train")->count() && !c->get_option("--task")->count())
      a->train.task.clear();
    finish_training_options(a->train);
    return run_compare(*a);
  });
}

}  // namespace attnlab::cli
