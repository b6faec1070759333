// attnlab eval: the spec's loss and perplexity, token and exact-sequence
// accuracy of greedy (or beam) decoding, corpus BLEU-4 with its signature and,
// for an attending model on data with gold links, the alignment error rate and
// gold attention mass; as text or JSON, overall or by source length.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "metrics/bleu.hpp"
#include "metrics/sacrebleu.hpp"
#include "run/evaluate.hpp"

namespace attnlab::cli {

namespace {

struct EvalArgs {
  EvalSettings s;
  bool json = false;
};

// "12.34%", or "-" for NaN (no sentence with gold links)
std::string percent_or_dash(double x) {
  if (std::isnan(x)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100 * x);
  return text;
}

void print_by_length(const std::vector<LengthBucket>& buckets, bool alignment) {
  std::printf("\nsource length   pairs   token acc   exact acc    BLEU  BLEU 13a%s\n",
              alignment ? "       AER   gold mass" : "");
  for (const LengthBucket& b : buckets) {
    std::printf("%6zu-%-6zu %8zu   %8.2f%%   %8.2f%%   %6.2f  %8.2f", b.min_length, b.max_length,
                b.sentences, 100 * b.token_accuracy, 100 * b.exact_accuracy, b.bleu, b.sacrebleu);
    if (alignment)
      std::printf("   %7s   %9s", percent_or_dash(b.aer).c_str(),
                  percent_or_dash(b.gold_mass).c_str());
    std::printf("\n");
  }
}

int run_eval(const EvalArgs& a) {
  const CheckpointEvaluation e =
      evaluate_checkpoint(a.s, [](const std::string& note) { std::cerr << note << "\n"; });
  if (a.json) {
    std::cout << evaluation_json(a.s, e).dump(2) << "\n";
    return 0;
  }
  const EvalResult& r = e.result;
  std::printf("checkpoint   %s (%s)\n", a.s.checkpoint.c_str(), model_label(e.config).c_str());
  std::printf("data         %s, %zu pairs\n", e.data_name.c_str(), e.pairs);
  std::printf("loss         %.4f\n", r.loss);
  std::printf("perplexity   %.4f\n", r.perplexity());
  std::printf("token acc    %.2f%%\n", 100 * r.token_accuracy);
  std::printf("exact acc    %.2f%%\n", 100 * r.exact_accuracy);
  std::printf("BLEU (13a)   %.2f  (%s; detokenized output against the targets as written)\n",
              r.sacrebleu, sacrebleu_signature(1).c_str());
  std::printf("BLEU-4       %.2f  (%s)\n", r.bleu, bleu_signature(e.config.tgt_tokenizer).c_str());
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
  if (a.s.by_length) print_by_length(e.by_length, alignment);
  return 0;
}

}  // namespace

void add_subcommand_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* e = app.add_subcommand("eval", "Evaluate a checkpoint: loss, accuracy, BLEU");
  e->add_option("--checkpoint", a->s.checkpoint, "Checkpoint directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  e->add_option("--data", a->s.data, "source<TAB>target file")->check(CLI::ExistingFile);
  e->add_option("--task", a->s.task, "Evaluate on freshly generated pairs of a built-in task");
  e->add_option("--n", a->s.n, "Task: number of pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  e->add_option("--data-seed", a->s.data_seed, "Task: seed (differs from training's default 1)")
      ->capture_default_str();
  e->add_option("--min-len", a->s.min_len, "Task: shortest sequence (0: the task's default)");
  e->add_option("--max-len", a->s.max_len, "Task: longest sequence (0: the task's default)");
  e->add_flag("--json", a->json,
              "One JSON object: loss, perplexity, token_accuracy, exact_accuracy, bleu, "
              "bleu_signature, aer, gold_attention_mass, ...");
  e->add_flag("--by-length", a->s.by_length,
              "Break accuracy, BLEU and alignment down by source length");
  e->add_option("--bucket-width", a->s.bucket, "Source lengths per bucket")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  e->add_option("--beam", a->s.beam, "Beam size (1: greedy)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  e->add_option("--batch-size", a->s.batch_size, "Pairs per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  e->add_flag("--skip-bad-lines", a->s.skip_bad_lines,
              "Skip malformed lines instead of refusing the file");
  add_threads_option(e, a->s.threads);
  on_run(e, [a] { return run_eval(*a); });
}

}  // namespace attnlab::cli
