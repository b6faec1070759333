// A checkpoint judged on data, and its figures as JSON.
#include "run/evaluate.hpp"

#include <cmath>

#include "data/tasks.hpp"
#include "metrics/bleu.hpp"
#include "metrics/sacrebleu.hpp"
#include "models/model_io.hpp"

namespace attnlab {

namespace {

// The pairs to judge on, encoded, each source checked.
std::vector<Example> eval_data(const EvalSettings& s, const LoadedModel<float>& l,
                               const Notify& note) {
  const ModelConfig& c = l.model->config();
  const std::string name = s.task.empty() ? s.data : "task " + s.task;
  std::vector<TextPair> pairs = s.task.empty()
                                    ? read_pairs(s.data, s.skip_bad_lines, note)
                                    : make_task(s.task, s.n, s.data_seed, {s.min_len, s.max_len});
  if (!s.task.empty()) fit_task_alignments(pairs, s.task, c);
  std::vector<Example> data = encode_named(pairs, name, c, l.src_vocab, l.tgt_vocab);
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string where = name + ":" + std::to_string(pairs[i].line ? pairs[i].line : i + 1);
    if (data[i].src.empty())
      throw UsageError(where + ": the source has no tokens after the " + c.src_tokenizer +
                       " tokenizer");
    check_source_length(c, data[i].src.size(), where);
  }
  return data;
}

}  // namespace

CheckpointEvaluation evaluate_checkpoint(const EvalSettings& s, const Notify& note) {
  if (s.data.empty() == s.task.empty())
    throw UsageError("give exactly one of --data FILE and --task NAME");
  LoadedModel<float> l = load_model<float>(s.checkpoint);
  CheckpointEvaluation e;
  e.config = l.model->config();
  e.data_name = s.task.empty() ? s.data : "task " + s.task;
  const std::vector<Example> data = eval_data(s, l, note);
  e.pairs = data.size();
  std::vector<SentenceResult> each;
  EvalOptions eo;
  eo.batch_size = s.batch_size;
  eo.beam = s.beam;
  eo.threads = s.threads;
  const Tokenizer target = e.config.target_tokenizer();
  eo.detokenizer = &target;
  e.result = evaluate(*l.model, data, l.tgt_vocab, eo, &each);
  if (!std::isfinite(e.result.loss))
    throw std::runtime_error(s.checkpoint + ": the loss on " + e.data_name + " is " +
                             (std::isnan(e.result.loss) ? "NaN" : "infinite") +
                             ": the model's outputs overflow float32");
  if (s.by_length) e.by_length = by_source_length(each, data, l.tgt_vocab, s.bucket);
  return e;
}

nlohmann::json evaluation_json(const EvalSettings& s, const CheckpointEvaluation& e) {
  const EvalResult& r = e.result;
  nlohmann::json j = {{"loss", r.loss},
                      {"sacrebleu", json_figure(r.sacrebleu)},
                      {"sacrebleu_signature", sacrebleu_signature(1)},
                      {"perplexity", json_figure(r.perplexity())},
                      {"token_accuracy", r.token_accuracy},
                      {"exact_accuracy", r.exact_accuracy},
                      {"bleu", r.bleu},
                      {"bleu_signature", bleu_signature(e.config.tgt_tokenizer)},
                      {"aer", json_figure(r.aer)},
                      {"gold_attention_mass", json_figure(r.gold_mass)},
                      {"aligned", r.aligned},
                      {"sentences", r.sentences},
                      {"tokens", r.tokens}};
  j["checkpoint"] = s.checkpoint;
  j["model"] = e.config.model;
  j["cell"] = e.config.cell;
  if (attends(e.config)) j["score"] = e.config.score;
  if (!s.by_length) return j;
  j["by_length"] = nlohmann::json::array();
  for (const LengthBucket& b : e.by_length)
    j["by_length"].push_back({{"min_length", b.min_length},
                              {"max_length", b.max_length},
                              {"sentences", b.sentences},
                              {"token_accuracy", b.token_accuracy},
                              {"exact_accuracy", b.exact_accuracy},
                              {"bleu", b.bleu},
                              {"sacrebleu", json_figure(b.sacrebleu)},
                              {"aer", json_figure(b.aer)},
                              {"gold_attention_mass", json_figure(b.gold_mass)},
                              {"aligned", b.aligned}});
  return j;
}

}  // namespace attnlab
