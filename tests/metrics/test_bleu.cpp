// Corpus BLEU against hand computation, and its signature.
#include <cmath>

#include "metrics/bleu.hpp"
#include "support/check.hpp"
#include "version.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_CASE("bleu: identical corpora score 100, disjoint ones 0") {
  const std::vector<std::vector<std::string>> a{{"a", "b", "c", "d", "e"}};
  CHECK(corpus_bleu(a, a) == doctest::Approx(100.0));
  CHECK(corpus_bleu({{"x", "y", "z", "w"}}, a) == 0.0);
}

TEST_CASE("bleu: clipped precisions, geometric mean and brevity penalty by hand") {
  // hyp 1: "the cat sat on the mat"   ref 1: "the cat is on the mat"
  // hyp 2: "a b c d"                  ref 2: "a b c d e f"
  const std::vector<std::vector<std::string>> hyp{{"the", "cat", "sat", "on", "the", "mat"},
                                                  {"a", "b", "c", "d"}};
  const std::vector<std::vector<std::string>> ref{{"the", "cat", "is", "on", "the", "mat"},
                                                  {"a", "b", "c", "d", "e", "f"}};
  // matches/totals: 1-grams (5+4)/(6+4), 2-grams (3+3)/(5+3), 3-grams (1+2)/(4+2), 4-grams
  // (0+1)/(3+1)
  const double p = std::pow(9.0 / 10 * 6.0 / 8 * 3.0 / 6 * 1.0 / 4, 0.25);
  const double bp = std::exp(1.0 - 12.0 / 10.0);  // c = 10 < r = 12
  CHECK(corpus_bleu(hyp, ref) == doctest::Approx(100 * bp * p).epsilon(1e-12));
}

TEST_CASE("bleu: a repeated word is counted at most as often as in the reference") {
  // "the the the the" against "the cat": 1-gram precision 1/4, no 2-gram match -> 0
  CHECK(corpus_bleu({{"the", "the", "the", "the"}}, {{"the", "cat"}}) == 0.0);
}

TEST_CASE("bleu_signature: sacreBLEU's fields with the target tokenizer and attnlab's version") {
  CHECK(bleu_signature("char") == std::string("nrefs:1|case:mixed|eff:no|tok:char|smooth:none|"
                                              "version:attnlab-") +
                                      kVersion);
  CHECK(contains(bleu_signature("word"), "|tok:word|"));
  CHECK(std::string(kVersion) == "0.1.0");  // project(attnlab VERSION ...) in CMakeLists.txt
}
