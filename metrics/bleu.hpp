// attnlab's own corpus BLEU, over a model's tokens as its tokenizer gives
// them, and the signature that says what its number means. Unlike
// sacrebleu_corpus (metrics/sacrebleu.hpp), it is not comparable with
// published figures.
#pragma once

#include <string>
#include <vector>

namespace attnlab {

// Corpus BLEU-4 in percent (Papineni et al. 2002): clipped n-gram precisions
// for n = 1..4 summed over the corpus, their geometric mean, times the brevity
// penalty exp(1 - r/c) when the hypotheses are shorter (c < r). No smoothing:
// 0 when some n-gram order has no match. One reference per sentence.
double corpus_bleu(const std::vector<std::vector<std::string>>& hypotheses,
                   const std::vector<std::vector<std::string>>& references);

// What corpus_bleu's number means, in sacreBLEU's signature style, for a model
// whose targets the tokenizer `tgt_tokenizer` splits: one reference
// (nrefs:1), case kept (case:mixed), no effective order (eff:no), n-grams of
// the target tokenizer's own tokens ("char": code points, "word", "space"),
// no smoothing, and attnlab's version, e.g.
// "nrefs:1|case:mixed|eff:no|tok:char|smooth:none|version:attnlab-0.1.0".
// Scores with different signatures are not comparable (nor with sacreBLEU's
// own, which tokenizes with 13a).
std::string bleu_signature(const std::string& tgt_tokenizer);

}  // namespace attnlab
