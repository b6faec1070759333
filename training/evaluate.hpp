// Evaluation of a model on a data set: the spec's loss and perplexity, token
// and exact-sequence accuracy of greedy decoding, corpus BLEU-4 (metrics/bleu,
// metrics/sacrebleu), and how well attention matches gold alignments
// (metrics/alignment), overall and by source length.
#pragma once

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "data/vocab.hpp"
#include "models/encoder_decoder.hpp"

namespace attnlab {

// A figure for JSON output: null where it is NaN (nothing to judge, say an
// AER without attention) or infinite (which JSON cannot hold).
inline nlohmann::json json_figure(double x) {
  return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
}

// The accuracies and BLEU compare the output with the reference as text (its
// tokens as the tokenizer gave them, Example::tgt_tokens): a reference word
// outside the vocabulary matches nothing, and an <unk> in the output never
// matches, so a model cannot score by writing <unk>.
struct EvalResult {
  double loss = 0.0;            // mean cross-entropy per target token (<eos> included)
  double token_accuracy = 0.0;  // reference tokens (<eos> included) matched at their position
  double exact_accuracy = 0.0;  // outputs equal to their reference
  // corpus BLEU-4, percent, over the model's own target tokens: words for
  // "word" and "space", code points for "char" (where a one-word output such
  // as a date would otherwise have no 4-gram at all); <eos> is not counted
  double bleu = 0.0;
  // BLEU as the field computes it (metrics/sacrebleu.hpp): sacreBLEU's 13a
  // BLEU of the detokenized outputs against the targets as written
  // (Example::tgt_text), signature sacrebleu_signature(1); NaN unless
  // EvalOptions::detokenizer is given.
  double sacrebleu = std::numeric_limits<double>::quiet_NaN();
  std::size_t sentences = 0, tokens = 0;
  // Alignment quality of attention, judged on the attention weights while the
  // model is fed the reference (EncoderDecoder::forced_attention), for
  // sentences whose gold alignment (Example::alignment) has a link; only for
  // models that attend, and only when decoding (EvalOptions::decode):
  // aer: corpus-level alignment error rate of each sentence's argmax
  //   alignment (argmax_alignment; the <eos> row left out) against its gold;
  // gold_mass: the mean over those sentences of gold_attention_mass.
  // NaN (and aligned 0) when there is nothing to judge.
  double aer = std::numeric_limits<double>::quiet_NaN();
  double gold_mass = std::numeric_limits<double>::quiet_NaN();
  std::size_t aligned = 0;  // sentences judged for alignment

  double perplexity() const { return std::exp(loss); }  // per target token, <eos> included
};

struct EvalOptions {
  std::size_t batch_size = 64;
  std::size_t beam = 1;     // 1: greedy
  std::size_t max_len = 0;  // 0: twice the longest reference, plus 10
  bool decode = true;       // false: the loss only (quick validation)
  std::size_t threads = 1;  // greedy decoding spreads each batch over this many threads
  // The target tokenizer, to rejoin the outputs into text for sacrebleu.
  const Tokenizer* detokenizer = nullptr;
};

// Per-sentence outcome, for the by-length breakdown.
struct SentenceResult {
  std::size_t source_length = 0;
  std::vector<Index> output;
  bool exact = false;
  std::size_t tokens = 0, correct = 0;
  // Set when the sentence was judged for alignment (see EvalResult::aer): the
  // argmax alignment of its forced attention, and its gold_attention_mass.
  std::vector<Link> alignment;
  double gold_mass = std::numeric_limits<double>::quiet_NaN();
  bool aligned = false;
  std::optional<std::string> text;  // the output detokenized (with EvalOptions::detokenizer)
};

template <class T>
EvalResult evaluate(EncoderDecoder<T>& model, const std::vector<Example>& data, const Vocab& tgt,
                    const EvalOptions& opts = {},
                    std::vector<SentenceResult>* per_sentence = nullptr);

// Accuracy, BLEU and alignment quality (over the bucket's aligned sentences,
// against data's gold; NaN and 0 without any) by source length, in buckets of
// `width` tokens:
// 1..width, width+1..2*width, ... (buckets without a sentence left out).
// `each` is evaluate()'s per-sentence outcome for `data`.
struct LengthBucket {
  std::size_t min_length = 0, max_length = 0, sentences = 0;
  double token_accuracy = 0.0, exact_accuracy = 0.0, bleu = 0.0;
  double sacrebleu = std::numeric_limits<double>::quiet_NaN();  // with the detokenized outputs
  double aer = std::numeric_limits<double>::quiet_NaN();
  double gold_mass = std::numeric_limits<double>::quiet_NaN();
  std::size_t aligned = 0;
};
std::vector<LengthBucket> by_source_length(const std::vector<SentenceResult>& each,
                                           const std::vector<Example>& data, const Vocab& tgt,
                                           std::size_t width);

}  // namespace attnlab
