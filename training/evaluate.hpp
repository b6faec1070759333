// Evaluation of a model on a data set: the spec's loss, token and
// exact-sequence accuracy of greedy decoding, and corpus BLEU-4, overall and
// by source length.
#pragma once

#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "data/vocab.hpp"
#include "models/seq2seq.hpp"

namespace attnlab {

// Corpus BLEU-4 in percent (Papineni et al. 2002): clipped n-gram precisions
// for n = 1..4 summed over the corpus, their geometric mean, times the brevity
// penalty exp(1 - r/c) when the hypotheses are shorter (c < r). No smoothing:
// 0 when some n-gram order has no match. One reference per sentence.
double corpus_bleu(const std::vector<std::vector<std::string>>& hypotheses,
                   const std::vector<std::vector<std::string>>& references);

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
  std::size_t sentences = 0, tokens = 0;
};

struct EvalOptions {
  std::size_t batch_size = 64;
  std::size_t beam = 1;     // 1: greedy
  std::size_t max_len = 0;  // 0: twice the longest reference, plus 10
  bool decode = true;       // false: the loss only (quick validation)
  std::size_t threads = 1;  // greedy decoding spreads each batch over this many threads
};

// Per-sentence outcome, for the by-length breakdown.
struct SentenceResult {
  std::size_t source_length = 0;
  std::vector<Index> output;
  bool exact = false;
  std::size_t tokens = 0, correct = 0;
};

template <class T>
EvalResult evaluate(EncoderDecoder<T>& model, const std::vector<Example>& data, const Vocab& tgt,
                    const EvalOptions& opts = {},
                    std::vector<SentenceResult>* per_sentence = nullptr);

// Accuracy and BLEU by source length, in buckets of `width` tokens:
// 1..width, width+1..2*width, ... (buckets without a sentence left out).
// `each` is evaluate()'s per-sentence outcome for `data`.
struct LengthBucket {
  std::size_t min_length = 0, max_length = 0, sentences = 0;
  double token_accuracy = 0.0, exact_accuracy = 0.0, bleu = 0.0;
};
std::vector<LengthBucket> by_source_length(const std::vector<SentenceResult>& each,
                                           const std::vector<Example>& data, const Vocab& tgt,
                                           std::size_t width);

}  // namespace attnlab
