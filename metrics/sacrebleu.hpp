// BLEU as the field reports it: sacreBLEU's corpus BLEU (Post 2018) with its
// default settings and its "13a" tokenisation (mteval-v13a.pl's), computed in
// C++ from raw, detokenised text. Unlike corpus_bleu (metrics/bleu.hpp),
// which scores a model's own tokens, these figures are comparable with
// published ones.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace attnlab {

// sacreBLEU 2.x's Tokenizer13a, byte for byte, on UTF-8 text:
//   1. removes "<skipped>" and "-\n", turns "\n" into " ", and unescapes
//      "&quot;" "&amp;" "&lt;" "&gt;" (in that order, each over the whole line);
//   2. on " " + line + " ", applies in turn, each as Python's re.sub does it
//      (left to right, matches that do not overlap):
//      - each of  { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
//        gets a space on both sides;
//      - "." and "," get spaces unless a digit precedes them, and then unless
//        a digit follows them (so "3.50" and "1,000" stay whole);
//      - "-" after a digit gets spaces ("3-4" -> "3 - 4"; "state-of-the-art"
//        stays);
//   3. collapses whitespace as Python's str.split() sees it (ASCII \t \n \v \f
//      \r space, \x1c-\x1f, and U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028,
//      U+2029, U+202F, U+205F, U+3000) into single spaces, none at the ends.
// Apostrophes are never split ("don't", "C'est" stay). Bytes that are not
// valid UTF-8 are kept as they are and never count as whitespace.
std::string tokenize_13a(const std::string& line);

// sacreBLEU's corpus BLEU with its defaults (BLEU(): n-grams up to 4,
// smooth_method "exp", no effective order, case kept, tokenize "13a").
struct SacreBleu {
  double score = 0.0;                             // percent
  std::array<double, 4> precisions{};             // n = 1..4, percent (smoothed where no match)
  std::array<std::size_t, 4> correct{}, total{};  // clipped matches, hypothesis n-grams
  std::size_t sys_len = 0, ref_len = 0;           // 13a tokens; ref_len sums the closest lengths
  double bp = 0.0;                                // brevity penalty
  double ratio = 0.0;                             // sys_len / ref_len (0 when ref_len is 0)
  std::string signature;                          // sacrebleu_signature(number of streams)
};

// Each line is right-stripped of whitespace (as sacreBLEU does before
// tokenising) and tokenised with tokenize_13a; tokens are what str.split()
// gives. refs[k][i] is the k-th reference of sentence i (a reference stream
// per k, as sacreBLEU's API takes them); an empty line is a reference of no
// tokens. Per sentence: hypothesis n-gram counts clipped by the largest count
// in any one reference; n-gram totals max(0, len - n + 1); the reference length
// is the one closest to the hypothesis length (the shorter on a tie). Over the
// corpus: BP = 1 when sys_len >= ref_len, else exp(1 - ref_len / sys_len) (0
// for sys_len 0); no match at all gives 0; otherwise precision n is
// 100 correct/total, or, where correct is 0, 100 / (2^k total) for the k-th
// such order ("exp" smoothing, mteval's), and stops at an order with no
// n-grams (its precision and all after it stay 0); score = BP times the
// geometric mean of the four, a precision of 0 counting as log -9999999999.
// std::invalid_argument, naming both counts, when there is no reference stream
// or a stream's size differs from the hypotheses'.
SacreBleu sacrebleu_corpus(const std::vector<std::string>& hypotheses,
                           const std::vector<std::vector<std::string>>& refs);
// One reference per sentence: refs[i] for hypotheses[i].
SacreBleu sacrebleu_corpus(const std::vector<std::string>& hypotheses,
                           const std::vector<std::string>& refs);

// "nrefs:N|case:mixed|eff:no|tok:13a|smooth:exp|version:attnlab-X.Y.Z":
// sacreBLEU's signature format and settings. The version names attnlab, not
// a sacreBLEU release, because the figure comes from this implementation of
// sacreBLEU's algorithm, not from sacreBLEU itself; it is the same figure.
std::string sacrebleu_signature(std::size_t nrefs);

// sacreBLEU's one-line result: "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943
// ratio = 0.944 hyp_len = 17 ref_len = 18)", rounded as Python's format does.
std::string sacrebleu_summary(const SacreBleu& b);

}  // namespace attnlab
