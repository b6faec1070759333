// Tokenizers: what "space", "char" and "word" split and keep, strict UTF-8
// validation, detokenize round trips, and the unknown-name message.
#include <stdexcept>

#include "data/tokenizer.hpp"
#include "support/check.hpp"

namespace attnlab {
namespace {}  // namespace

TEST_CASE("space tokenizer: splits on runs of any whitespace and changes nothing else") {
  CHECK(tokenize("space", "a b") == Tokens{"a", "b"});
  CHECK(tokenize("space", "  a\t\tb \n c\r\fd\ve  ") == Tokens{"a", "b", "c", "d", "e"});
  // Case, punctuation and UTF-8 stay exactly as they were.
  CHECK(tokenize("space", "Hello, World! L'Été «x»") == Tokens{"Hello,", "World!", "L'Été", "«x»"});
  // Bytes are not decoded: even invalid UTF-8 passes through unchanged.
  CHECK(tokenize("space", "a\xff b") == Tokens{"a\xff", "b"});
}

TEST_CASE("space tokenizer: detokenize joins with one space, inverting single-spaced text") {
  for (const std::string s : {"the cat sat", "x", "É,  é"}) {
    const Tokens t = tokenize("space", s);
    CHECK(tokenize("space", detokenize("space", t)) == t);
  }
  CHECK(detokenize("space", tokenize("space", "the cat sat")) == "the cat sat");
  CHECK(detokenize("space", tokenize("space", " a \t b ")) == "a b");
  CHECK(detokenize("space", {}) == "");
}

TEST_CASE("char tokenizer: each code point is a token, spaces included") {
  CHECK(tokenize("char", "ab c") == Tokens{"a", "b", " ", "c"});
  CHECK(tokenize("char", "  ") == Tokens{" ", " "});
  CHECK(tokenize("char", "a\tb") == Tokens{"a", "\t", "b"});
  CHECK(tokenize("char", "été") == Tokens{"é", "t", "é"});  // 2-byte sequences
  CHECK(tokenize("char", "日本") == Tokens{"日", "本"});    // 3-byte sequences
  CHECK(tokenize("char", "a\xF0\x9F\x98\x80!") == Tokens{"a", "\xF0\x9F\x98\x80", "!"});  // 4 bytes
  // A combining accent is a code point of its own: no grapheme clustering.
  CHECK(tokenize("char", "e\xCC\x81") == Tokens{"e", "\xCC\x81"});
}

TEST_CASE("char tokenizer: detokenize concatenates, an exact inverse of tokenize") {
  for (const std::string s : {"Hello, World!", "  two  spaces ", "日本語 テキスト",
                              "é\t\xF0\x9F\x98\x80", "line\nbreak"}) {
    CHECK(detokenize("char", tokenize("char", s)) == s);
  }
}

TEST_CASE("char tokenizer: invalid UTF-8 is refused naming the byte") {
  const auto message = [](const std::string& s) {
    return test::error_message<std::invalid_argument>([&] { tokenize("char", s); });
  };
  CHECK(message("ab\x80") == "invalid UTF-8 at byte 3");            // lone continuation byte
  CHECK(message("x\xE6\x97") == "invalid UTF-8 at byte 2");         // truncated 3-byte sequence
  CHECK(message("\xC3") == "invalid UTF-8 at byte 1");              // truncated at the end
  CHECK(message("\xE6\x97z") == "invalid UTF-8 at byte 1");         // cut by an ASCII byte
  CHECK(message("\xC0\xAF") == "invalid UTF-8 at byte 1");          // overlong '/'
  CHECK(message("\xE0\x80\xAF") == "invalid UTF-8 at byte 1");      // overlong, 3 bytes
  CHECK(message("\xF0\x80\x80\xAF") == "invalid UTF-8 at byte 1");  // overlong, 4 bytes
  CHECK(message("ok\xED\xA0\x80") == "invalid UTF-8 at byte 3");    // surrogate U+D800
  CHECK(message("\xF4\x90\x80\x80") == "invalid UTF-8 at byte 1");  // U+110000
  CHECK(message("\xF5\x80\x80\x80") == "invalid UTF-8 at byte 1");  // lead byte beyond F4
  CHECK(message("\xFF") == "invalid UTF-8 at byte 1");
}

TEST_CASE("tokenizer: valid_utf8 accepts each sequence length's extremes and nothing beyond") {
  for (const std::string& ok : std::vector<std::string>{
           "", "\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF", "\xEE\x80\x80",
           "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF", std::string("a\0b", 3)}) {
    CHECK_MESSAGE(valid_utf8(ok), "rejected a valid sequence");
    CHECK(invalid_utf8_offset(ok) == std::string::npos);
  }
  for (const std::string bad :
       {"\x80", "\xBF", "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xBF\xBF", "\xF0\x8F\xBF\xBF",
        "\xF4\x90\x80\x80", "\xC2", "\xF0\x90\x80", "\xC2\xC2\x80", "\xF8\x88\x80\x80\x80"}) {
    CHECK_FALSE_MESSAGE(valid_utf8(bad), "accepted an invalid sequence");
  }
  CHECK(invalid_utf8_offset("abc\xC3\xA9\xE6\x97") == 5);
}

TEST_CASE("word tokenizer: lower-cases ASCII, Latin-1 and Latin Extended-A capitals only") {
  CHECK(tokenize("word", "The CAT") == Tokens{"the", "cat"});
  CHECK(tokenize("word", "ÉTÉ À Ç Ñ Ø Þ Ö") == Tokens{"été", "à", "ç", "ñ", "ø", "þ", "ö"});
  CHECK(tokenize("word", "Œuvre ŒŸ") == Tokens{"œuvre", "œÿ"});
  CHECK(tokenize("word", "ĀĄČĎĘĞĹŁŃŇŊŐŘŚŠŤŮŴŶŹŻŽ") == Tokens{"āąčďęğĺłńňŋőřśšťůŵŷźżž"});
  CHECK(tokenize("word", "İ") == Tokens{"i"});
  // Lower-case letters, ß, × and scripts beyond Latin Extended-A are left alone.
  CHECK(tokenize("word", "ß × ĸ ŉ ΣΑ ДОМ") == Tokens{"ß", "×", "ĸ", "ŉ", "ΣΑ", "ДОМ"});
}

TEST_CASE("word tokenizer: every ASCII punctuation character becomes a token of its own") {
  CHECK(tokenize("word", "Hello, world!") == Tokens{"hello", ",", "world", "!"});
  CHECK(tokenize("word", "(a)[b]{c}") == Tokens{"(", "a", ")", "[", "b", "]", "{", "c", "}"});
  CHECK(tokenize("word", "3.5 porte-monnaie") == Tokens{"3", ".", "5", "porte", "-", "monnaie"});
  CHECK(tokenize("word", "what?!...") == Tokens{"what", "?", "!", ".", ".", "."});
  CHECK(tokenize("word", "#$%&*+/:;<=>@\\^_`|~\"") == Tokens{"#", "$", "%", "&", "*", "+", "/",
                                                             ":", ";", "<", "=", ">", "@", "\\",
                                                             "^", "_", "`", "|", "~", "\""});
}

TEST_CASE("word tokenizer: apostrophe rule - elision splits after it, contractions stay whole") {
  // French elision: one letter or "qu" before the apostrophe.
  CHECK(tokenize("word", "L'homme") == Tokens{"l'", "homme"});
  CHECK(tokenize("word", "c'est d'accord") == Tokens{"c'", "est", "d'", "accord"});
  CHECK(tokenize("word", "qu'il jusqu'à") == Tokens{"qu'", "il", "jusqu'", "à"});
  CHECK(tokenize("word", "l’eau") == Tokens{"l’", "eau"});  // typographic apostrophe
  // English contractions and longer words keep it inside.
  CHECK(tokenize("word", "Don't") == Tokens{"don't"});
  CHECK(tokenize("word", "it's aujourd'hui") == Tokens{"it's", "aujourd'hui"});
  CHECK(tokenize("word", "rock'n'roll") == Tokens{"rock'n'roll"});
  CHECK(tokenize("word", "don’t") == Tokens{"don’t"});
  CHECK(tokenize("word", "I'm") == Tokens{"i'", "m"});  // the documented price of one rule
  // Not between two word characters: punctuation.
  CHECK(tokenize("word", "'quoted'") == Tokens{"'", "quoted", "'"});
  CHECK(tokenize("word", "dogs' l' x") == Tokens{"dogs", "'", "l", "'", "x"});
  CHECK(tokenize("word", "l'.") == Tokens{"l", "'", "."});
}

TEST_CASE("word tokenizer: guillemets, curly quotes, dashes and the ellipsis split off") {
  CHECK(tokenize("word", "«Bonjour»") == Tokens{"«", "bonjour", "»"});
  CHECK(tokenize("word", "« Oui », dit-il") == Tokens{"«", "oui", "»", ",", "dit", "-", "il"});
  CHECK(tokenize("word", "“Hi”—‘no’…–x") ==
        Tokens{"“", "hi", "”", "—", "‘", "no", "’", "…", "–", "x"});
  CHECK(tokenize("word", "‹a› „b ¿c? ¡d!") ==
        Tokens{"‹", "a", "›", "„", "b", "¿", "c", "?", "¡", "d", "!"});
  // French no-break spaces (U+00A0, U+202F) separate words like spaces.
  CHECK(tokenize("word", "Quoi\xC2\xA0?\xE2\x80\xAFOui") == Tokens{"quoi", "?", "oui"});
}

TEST_CASE("word tokenizer: refuses invalid UTF-8") {
  CHECK(test::error_message<std::invalid_argument>([] { tokenize("word", "ok \xC0\xAF"); }) ==
        "invalid UTF-8 at byte 4");
}

TEST_CASE("word detokenizer: rejoins elisions, hyphens and punctuation, English by default") {
  CHECK(detokenize("word", tokenize("word", "L'homme, (ici) va-t-il bien?")) ==
        "l'homme, (ici) va-t-il bien?");
  CHECK(detokenize("word", tokenize("word", "Jusqu\u2019à « ici » : 3.5 ou 2")) ==
        "jusqu\u2019à «ici»: 3.5 ou 2");
  CHECK(detokenize("word", tokenize("word", "He said \"yes\" and \"no\".")) ==
        "he said \"yes\" and \"no\".");
  CHECK(detokenize("word", {}) == "");
}

TEST_CASE("word detokenizer: French spacing learnt from French text") {
  const WordSpacing fr =
      learn_word_spacing({"C'est gentil !", "Fais-toi plaisir !", "Quoi ? Vraiment ?",
                          "Il dit : « non ».", "Un point ; un autre.", "Oui, (bien) sûr."});
  for (const char* mark : {"!", "?", ":", ";", "\u00ab", "\u00bb", "("})
    CHECK(test::contains(fr.space_before, mark));
  for (const char* mark : {".", ",", ")", "-"}) CHECK_FALSE(test::contains(fr.space_before, mark));
  CHECK(test::contains(fr.glued_after, "("));
  CHECK_FALSE(test::contains(fr.glued_after, "\u00ab"));
  const Tokenizer word("word", fr);
  CHECK(word.detokenize(tokenize("word", "C'est gentil !")) == "c'est gentil !");
  CHECK(word.detokenize({"fais", "-", "toi", "!"}) == "fais-toi !");
  CHECK(word.detokenize(tokenize("word", "Il dit : « non », (oui).")) ==
        "il dit : « non », (oui).");
  // English text learns English spacing, the default
  const WordSpacing en = learn_word_spacing({"Hi! How are you?", "Wait: (now) here; yes."});
  CHECK(en == WordSpacing{});
  CHECK(Tokenizer("word", en).detokenize(tokenize("word", "Wait: now!")) == "wait: now!");
}

TEST_CASE("tokenizers: empty or all-whitespace text gives no tokens, except char's spaces") {
  for (const auto& name : tokenizer_names())
    if (name != "sentencepiece") CHECK(tokenize(name, "").empty());
  CHECK(tokenize("space", " \t\n").empty());
  CHECK(tokenize("word", " \t\n").empty());
  CHECK(tokenize("char", " \t").size() == 2);
}

TEST_CASE("tokenizers: the names, an unknown one refused, sentencepiece without model refused") {
  CHECK(tokenizer_names() == std::vector<std::string>{"char", "sentencepiece", "space", "word"});
  const std::string msg = "unknown tokenizer 'bpe' (known: char, sentencepiece, space, word)";
  CHECK(test::error_message<std::invalid_argument>([] { tokenize("bpe", "a"); }) == msg);
  CHECK(test::error_message<std::invalid_argument>([] { detokenize("bpe", {"a"}); }) == msg);
  CHECK(test::error_message<std::invalid_argument>([] { tokenize("", "a"); }) ==
        "unknown tokenizer '' (known: char, sentencepiece, space, word)");
  CHECK(test::contains(
      test::error_message<std::invalid_argument>([] { tokenize("sentencepiece", "a"); }),
      "needs its model"));
}

}  // namespace attnlab
