// sacreBLEU's 13a tokenisation and corpus BLEU: outputs worked out by hand
// from the rules, and sacreBLEU's own documented example.
#include <cmath>

#include "metrics/sacrebleu.hpp"
#include "support/check.hpp"
#include "version.hpp"

using namespace attnlab;
using namespace attnlab::test;

using Lines = std::vector<std::string>;
using Streams = std::vector<Lines>;

TEST_CASE("tokenize_13a: punctuation is split off, numbers and hyphenated words stay") {
  CHECK(tokenize_13a("Hello, world!") == "Hello , world !");
  // '$' and '?' are always spaced, '.' and ',' not next to a digit on that side
  CHECK(tokenize_13a("It costs $3.50, no?") == "It costs $ 3.50 , no ?");
  CHECK(tokenize_13a("It costs 3.5.") == "It costs 3.5 .");
  CHECK(tokenize_13a("x.5 and 3.x") == "x . 5 and 3 . x");
  CHECK(tokenize_13a("1,000.50-2,000") == "1,000.50 - 2,000");
  CHECK(tokenize_13a("state-of-the-art") == "state-of-the-art");
  CHECK(tokenize_13a("3-4") == "3 - 4");
  CHECK(tokenize_13a("a-3") == "a-3");
  CHECK(tokenize_13a("a|b{c}~d[e]^f_g`h\\i") == "a | b { c } ~ d [ e ] ^ f _ g ` h \\ i");
  CHECK(tokenize_13a("#@:;<=>?/()*+%") == "# @ : ; < = > ? / ( ) * + %");
  CHECK(tokenize_13a("") == "");
  CHECK(tokenize_13a(" \t ") == "");
}

TEST_CASE("tokenize_13a: apostrophes are not split") {
  CHECK(tokenize_13a("don't") == "don't");
  CHECK(tokenize_13a("I can't, sorry.") == "I can't , sorry .");
  CHECK(tokenize_13a("C'est gentil !") == "C'est gentil !");
  CHECK(tokenize_13a("'quoted'") == "'quoted'");
}

TEST_CASE("tokenize_13a: matches do not overlap, as in Python's re.sub") {
  // "x." takes the "." : the "," after it is then preceded by nothing the
  // scan can match, and ",5" stays whole (not ", 5")
  CHECK(tokenize_13a("x.,5") == "x . ,5");
  CHECK(tokenize_13a("...") == ". . .");
  CHECK(tokenize_13a("a.b") == "a . b");
}

TEST_CASE("tokenize_13a: SGML escapes, skipped markers and line breaks") {
  CHECK(tokenize_13a("&quot;hi&amp;bye&quot;") == "\" hi & bye \"");
  CHECK(tokenize_13a("1 &lt; 2 &gt; 0") == "1 < 2 > 0");
  // "&quot;" is replaced before "&amp;": "&amp;quot;" only becomes "&quot;"
  CHECK(tokenize_13a("&amp;quot;") == "& quot ;");
  CHECK(tokenize_13a("a<skipped>b") == "ab");
  CHECK(tokenize_13a("well-\nknown") == "wellknown");
  CHECK(tokenize_13a("two\nlines") == "two lines");
}

TEST_CASE("tokenize_13a: Unicode whitespace splits as Python's str.split does") {
  const std::string nnbsp = "\u202F", nbsp = "\u00A0";
  CHECK(tokenize_13a("C'est gentil" + nnbsp + "!") == "C'est gentil !");
  CHECK(tokenize_13a("C'est gentil" + nbsp + "!") == "C'est gentil !");
  CHECK(tokenize_13a("\u00AB" + nbsp + "Bonjour" + nbsp + "\u00BB") == "\u00AB Bonjour \u00BB");
  CHECK(tokenize_13a("a\u3000b\u2009c\u0085d\x1c"
                     "e\u2028f") == "a b c d e f");
  CHECK(tokenize_13a(nbsp + "x" + nnbsp) == "x");
  // not whitespace: zero-width space, and non-ASCII letters and digits
  CHECK(tokenize_13a("a\u200Bb") == "a\u200Bb");
  CHECK(tokenize_13a("caf\u00E9. \u00E9t\u00E9,") == "caf\u00E9 . \u00E9t\u00E9 ,");
  // bytes that are not UTF-8 are kept, and are no whitespace
  CHECK(tokenize_13a("a\xC2 b\xA0") == "a\xC2 b\xA0");
}

TEST_CASE("sacrebleu: the example of sacreBLEU's README, two reference streams") {
  const Streams refs{
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  const Lines sys{"The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."};
  const SacreBleu b = sacrebleu_corpus(sys, refs);
  CHECK(std::round(b.score * 100) / 100 == 48.53);
  const double precisions[4] = {82.4, 50.0, 45.5, 37.5};
  for (int n = 0; n < 4; ++n) CHECK(std::round(b.precisions[n] * 10) / 10 == precisions[n]);
  CHECK(b.bp == doctest::Approx(std::exp(1.0 - 18.0 / 17.0)).epsilon(1e-15));
  CHECK(b.sys_len == 17);
  CHECK(b.ref_len == 18);
  CHECK(sacrebleu_summary(b) ==
        "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)");
  CHECK(b.signature ==
        std::string("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:attnlab-") + kVersion);
}

TEST_CASE("sacrebleu: one reference, counts, precisions, brevity penalty and score by hand") {
  // hyp 1 "The cat sat on the mat ."  (7 tokens)  ref 1 "The cat is on the mat ."  (7)
  // hyp 2 "Hello , world !"           (4)         ref 2 "Hello , big world !"      (5)
  // 1-grams: 6/7 ("sat" misses) + 4/4                       = 10/11 -> 90.9
  // 2-grams: The cat, on the, the mat, mat . = 4/6, + Hello , and world ! = 2/3 -> 6/9 -> 66.7
  // 3-grams: on the mat, the mat . = 2/5, + 0/2              = 2/7  -> 28.6
  // 4-grams: on the mat . = 1/4, + 0/1                       = 1/5  -> 20.0
  // BP = exp(1 - 12/11) = 0.913; score = 100 BP (10/11 6/9 2/7 1/5)^(1/4) = 39.39
  const Lines hyp{"The cat sat on the mat.", "Hello, world!"};
  const Lines ref{"The cat is on the mat.", "Hello, big world!"};
  const SacreBleu b = sacrebleu_corpus(hyp, ref);
  CHECK(b.correct == std::array<std::size_t, 4>{10, 6, 2, 1});
  CHECK(b.total == std::array<std::size_t, 4>{11, 9, 7, 5});
  CHECK(b.sys_len == 11);
  CHECK(b.ref_len == 12);
  CHECK(b.precisions[0] == doctest::Approx(100.0 * 10 / 11));
  CHECK(b.precisions[3] == doctest::Approx(20.0));
  CHECK(b.bp == doctest::Approx(std::exp(-1.0 / 11)));
  CHECK(b.score == doctest::Approx(100 * std::exp(-1.0 / 11) * std::pow(120.0 / 3465, 0.25)));
  CHECK(sacrebleu_summary(b) ==
        "BLEU = 39.39 90.9/66.7/28.6/20.0 (BP = 0.913 ratio = 0.917 hyp_len = 11 ref_len = 12)");
  CHECK(b.signature.rfind("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:", 0) == 0);
}

TEST_CASE("sacrebleu: an order without a match is smoothed as mteval does (exp)") {
  // 1-grams 4/5, 2-grams 2/4 ("one two", "four five"), 3-grams 0/3, 4-grams 0/2:
  // the first order without a match counts 100 / (2 * 3), the second 100 / (4 * 2)
  const SacreBleu b =
      sacrebleu_corpus(Lines{"one two three four five"}, Lines{"one two zero four five"});
  CHECK(b.precisions[0] == doctest::Approx(80.0));
  CHECK(b.precisions[1] == doctest::Approx(50.0));
  CHECK(b.precisions[2] == doctest::Approx(100.0 / 6));
  CHECK(b.precisions[3] == doctest::Approx(12.5));
  CHECK(b.bp == 1.0);
  CHECK(b.score == doctest::Approx(std::pow(80.0 * 50.0 * (100.0 / 6) * 12.5, 0.25)));  // 30.21
}

TEST_CASE("sacrebleu: an order with no n-grams at all stops the precisions and scores 0") {
  // "one two" has no 3-gram: precisions 100/100/0/0, log 0 counts -9999999999
  const SacreBleu b = sacrebleu_corpus(Lines{"one two"}, Lines{"one two three"});
  CHECK(b.precisions[0] == 100.0);
  CHECK(b.precisions[1] == 100.0);
  CHECK(b.precisions[2] == 0.0);
  CHECK(b.precisions[3] == 0.0);
  CHECK(b.bp == doctest::Approx(std::exp(-0.5)));
  CHECK(b.score == 0.0);
}

TEST_CASE("sacrebleu: empty hypotheses, no match at all, and a perfect match") {
  const SacreBleu empty = sacrebleu_corpus(Lines{""}, Lines{"The cat."});
  CHECK(empty.score == 0.0);
  CHECK(empty.bp == 0.0);
  CHECK(empty.sys_len == 0);
  CHECK(empty.ref_len == 3);
  const SacreBleu none = sacrebleu_corpus(Lines{"a b c d"}, Lines{"w x y z"});
  CHECK(none.score == 0.0);
  CHECK(none.bp == 1.0);
  for (double p : none.precisions) CHECK(p == 0.0);
  CHECK(none.total == std::array<std::size_t, 4>{4, 3, 2, 1});
  const Lines same{"The cat sat on the mat.", "It's 3.50, isn't it?"};
  const SacreBleu perfect = sacrebleu_corpus(same, same);
  CHECK(perfect.score == doctest::Approx(100.0));
  CHECK(sacrebleu_summary(perfect).rfind("BLEU = 100.00 100.0/100.0/100.0/100.0 (BP = 1.000", 0) ==
        0);
  const SacreBleu nothing = sacrebleu_corpus(Lines{}, Lines{});
  CHECK(nothing.score == 0.0);
  CHECK(nothing.sys_len == 0);
}

TEST_CASE("sacrebleu: several references clip by the largest count, and the closest length wins") {
  // "the" three times: one reference has it once, the other twice -> 2 match
  const SacreBleu clip =
      sacrebleu_corpus(Lines{"the the the"}, Streams{{"the cat"}, {"the the dog"}});
  CHECK(clip.correct[0] == 2);
  CHECK(clip.total[0] == 3);
  CHECK(clip.ref_len == 3);  // of the lengths 2 and 3, the closest to 3
  // a hypothesis of 5 between references of 4 and 6: the tie goes to the shorter
  for (const Streams& refs :
       {Streams{{"a b c d e f"}, {"a b c d"}}, Streams{{"a b c d"}, {"a b c d e f"}}}) {
    const SacreBleu b = sacrebleu_corpus(Lines{"a b c d e"}, refs);
    CHECK(b.ref_len == 4);
    CHECK(b.bp == 1.0);
  }
}

TEST_CASE("sacrebleu: lines are right-stripped before tokenising, as sacreBLEU does") {
  // without the strip, "-\n" would join the word to nothing and drop the hyphen
  CHECK(tokenize_13a("well-\n") == "well");
  const SacreBleu b = sacrebleu_corpus(Lines{"well-\n"}, Lines{"well- \u00A0"});
  CHECK(b.correct[0] == 1);
  CHECK(b.total[0] == 1);
}

TEST_CASE("sacrebleu: streams of another size than the hypotheses are refused naming both") {
  const std::string m = error_message<std::invalid_argument>([] {
    sacrebleu_corpus(Lines{"a", "b"}, Streams{{"a", "b"}, {"a", "b", "c"}});
  });
  CHECK(contains(m, "2 hypotheses"));
  CHECK(contains(m, "3 references"));
  CHECK(contains(m, "reference stream 2"));
  CHECK(contains(
      error_message<std::invalid_argument>([] { sacrebleu_corpus(Lines{"a"}, Streams{}); }),
      "no reference stream"));
}

TEST_CASE("sacrebleu: the signature names the number of references and attnlab's version") {
  CHECK(sacrebleu_signature(1) ==
        std::string("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:attnlab-") + kVersion);
  CHECK(contains(sacrebleu_signature(4), "nrefs:4|"));
}
