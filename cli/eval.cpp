// attnlab eval: the spec's loss and perplexity, token and exact-sequence
// accuracy of greedy (or beam) decoding, corpus BLEU-4 with its signature and,
// for an attending model on data with gold links, the alignment error rate and
// gold attention mass; as text or JSON, overall or by source length.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "data/tasks.hpp"
#include "metrics/bleu.hpp"
#include "metrics/sacrebleu.hpp"
#include "models/model_io.hpp"
#include "training/evaluate.hpp"

namespace attnlab::cli {

namespace {

struct EvalArgs {
  std::string checkpoint, data, task;
  std::size_t n = 1000, min_len = 0, max_len = 0;
  std::uint64_t data_seed = 2;
  bool json = false, by_length = false, skip_bad_lines = false;
  std::size_t bucket = 5, beam = 1, batch_size = 64;
  std::size_t threads = 1;
};

nlohmann::json as_json(const EvalResult& r, const std::string& signature) {
  return {{"loss", r.loss},
          {"sacrebleu", json_figure(r.sacrebleu)},
          {"sacrebleu_signature", sacrebleu_signature(1)},
          {"perplexity", json_figure(r.perplexity())},
          {"token_accuracy", r.token_accuracy},
          {"exact_accuracy", r.exact_accuracy},
          {"bleu", r.bleu},
          {"bleu_signature", signature},
          {"aer", json_figure(r.aer)},
          {"gold_attention_mass", json_figure(r.gold_mass)},
          {"aligned", r.aligned},
          {"sentences", r.sentences},
          {"tokens", r.tokens}};
}

// "12.34%", or "-" for NaN (no sentence with gold links)
std::string percent_or_dash(double x) {
  if (std::isnan(x)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * x);
  return text;
}

int run_eval(const EvalArgs& a) {
  if (a.data.empty() == a.task.empty())
    throw UsageError("give exactly one of --data FILE and --task NAME");
  LoadedModel<float> l = load_model<float>(a.checkpoint);
  const ModelConfig& c = l.model->config();
  std::vector<TextPair> pairs = a.task.empty()
                                    ? read_pairs(a.data, a.skip_bad_lines)
                                    : make_task(a.task, a.n, a.data_seed, {a.min_len, a.max_len});
  if (!a.task.empty()) fit_task_alignments(pairs, a.task, c);
  const std::vector<Example> data =
      encode_named(pairs, a.task.empty() ? a.data : "task " + a.task, c, l.src_vocab, l.tgt_vocab);
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string where = (a.task.empty() ? a.data : "task " + a.task) + ":" +
                              std::to_string(pairs[i].line ? pairs[i].line : i + 1);
    if (data[i].src.empty())
      throw UsageError(where + ": the source has no tokens after the " + c.src_tokenizer +
                       " tokenizer");
    check_source_length(c, data[i].src.size(), where);
  }
  std::vector<SentenceResult> each;
  EvalOptions eo;
  eo.batch_size = a.batch_size;
  eo.beam = a.beam;
  eo.threads = a.threads;
  const Tokenizer target = c.target_tokenizer();
  eo.detokenizer = &target;
  const EvalResult r = evaluate(*l.model, data, l.tgt_vocab, eo, &each);
  if (!std::isfinite(r.loss))  // no figure computed from it can be trusted
    throw std::runtime_error(
        a.checkpoint + ": the loss on " + (a.task.empty() ? a.data : "task " + a.task) + " is " +
        (std::isnan(r.loss) ? "NaN" : "infinite") + ": the model's outputs overflow float32");

  nlohmann::json buckets = nlohmann::json::array();
  std::vector<LengthBucket> by_length;
  if (a.by_length) by_length = by_source_length(each, data, l.tgt_vocab, a.bucket);
  for (const LengthBucket& b : by_length)
    buckets.push_back({{"min_length", b.min_length},
                       {"max_length", b.max_length},
                       {"sentences", b.sentences},
                       {"token_accuracy", b.token_accuracy},
                       {"exact_accuracy", b.exact_accuracy},
                       {"bleu", b.bleu},
                       {"sacrebleu", json_figure(b.sacrebleu)},
                       {"aer", json_figure(b.aer)},
                       {"gold_attention_mass", json_figure(b.gold_mass)},
                       {"aligned", b.aligned}});
  const std::string signature = bleu_signature(c.tgt_tokenizer);
  if (a.json) {
    nlohmann::json j = as_json(r, signature);
    j["checkpoint"] = a.checkpoint;
    j["model"] = c.model;
    j["cell"] = c.cell;
    if (attends(c)) j["score"] = c.score;
    if (a.by_length) j["by_length"] = buckets;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("checkpoint   %s (%s)\n", a.checkpoint.c_str(), model_label(c).c_str());
  std::printf("data         %s, %zu pairs\n", (a.task.empty() ? a.data : "task " + a.task).c_str(),
              data.size());
  std::printf("loss         %.4f\n", r.loss);
  std::printf("perplexity   %.4f\n", r.perplexity());
  std::printf("token acc    %.2f%%\n", 100 * r.token_accuracy);
  std::printf("exact acc    %.2f%%\n", 100 * r.exact_accuracy);
  std::printf("BLEU (13a)   %.2f  (%s; detokenized output against the targets as written)\n",
              r.sacrebleu, sacrebleu_signature(1).c_str());
  std::printf("BLEU-4       %.2f  (%s)\n", r.bleu, signature.c_str());
  // Only an attending model on data with gold links has an alignment to judge.
  const bool alignment = r.aligned > 0;
  if (alignment) {
    std::printf(
        "AER          %s  (argmax of attention fed the reference, %zu pairs with gold "
        "links)\n",
        percent_or_dash(r.aer).c_str(), r.aligned);
    std::printf("gold mass    %s  (attention on gold source positions)\n",
                percent_or_dash(r.gold_mass).c_str());
  }
  if (a.by_length) {
    std::printf("\nsource length   pairs   token acc   exact acc    BLEU  BLEU 13a%s\n",
                alignment ? "       AER   gold mass" : "");
    for (const LengthBucket& b : by_length) {
      std::printf("%6zu-%-6zu %8zu   %8.2f%%   %8.2f%%   %6.2f  %8.2f", b.min_length, b.max_length,
                  b.sentences, 100 * b.token_accuracy, 100 * b.exact_accuracy, b.bleu, b.sacrebleu);
      if (alignment)
        std::printf("   %7s   %9s", percent_or_dash(b.aer).c_str(),
                    percent_or_dash(b.gold_mass).c_str());
      std::printf("\n");
    }
  }
  return 0;
}

}  // namespace

void add_subcommand_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* e = app.add_subcommand("eval", "Evaluate a checkpoint: loss, accuracy, BLEU");
  e->add_option("--checkpoint", a->checkpoint, "Checkpoint directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  e->add_option("--data", a->data, "source<TAB>target file")->check(CLI::ExistingFile);
  e->add_option("--task", a->task, "Evaluate on freshly generated pairs of a built-in task");
  e->add_option("--n", a->n, "Task: number of pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  e->add_option("--data-seed", a->data_seed, "Task: seed (differs from training's default 1)")
      ->capture_default_str();
  e->add_option("--min-len", a->min_len, "Task: shortest sequence (0: the task's default)");
  e->add_option("--max-len", a->max_len, "Task: longest sequence (0: the task's default)");
  e->add_flag("--json", a->json,
              "One JSON object: loss, perplexity, token_accuracy, exact_accuracy, bleu, "
              "bleu_signature, aer, gold_attention_mass, ...");
  e->add_flag("--by-length", a->by_length,
              "Break accuracy, BLEU and alignment down by source length");
  e->add_option("--bucket-width", a->bucket, "Source lengths per bucket")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  e->add_option("--beam", a->beam, "Beam size (1: greedy)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  e->add_option("--batch-size", a->batch_size, "Pairs per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  e->add_flag("--skip-bad-lines", a->skip_bad_lines,
              "Skip malformed lines instead of refusing the file");
  add_threads_option(e, a->threads);
  on_run(e, [a] { return run_eval(*a); });
}

}  // namespace attnlab::cli
