// Tokenizers by name ("char", "space", "word", "sentencepiece"): text ->
// tokens and back, and the strict UTF-8 validation they share with the corpus
// reader.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace attnlab {

using Tokens = std::vector<std::string>;
class SentencePiece;

// The tokenizers (docs/MODEL_SPEC.md, "Tokens"; the name is recorded in
// checkpoints):
//
// "space": splits on ASCII whitespace (space, \t, \n, \r, \f, \v) and changes
//   nothing else; runs of whitespace make no empty tokens. detokenize joins
//   with one " ", so detokenize(tokenize(s)) == s when s is single-spaced.
//   Bytes are not decoded: any byte string is accepted.
//
// "char": each Unicode code point is one token, spaces and other whitespace
//   included; detokenize concatenates, an exact inverse. The text must be
//   valid UTF-8 (see valid_utf8), else std::invalid_argument
//   "invalid UTF-8 at byte N" (N counts from 1).
//
// "word": for word-level translation of English and French. Lossy:
//   1. Lower-cases (nothing else is normalised):
//      - ASCII A-Z;
//      - Latin-1 Supplement: U+00C0..U+00DE except U+00D7 (x sign), each to the
//        code point 0x20 above (À->à, É->é, Ç->ç, Ñ->ñ, Ø->ø, Þ->þ);
//      - Latin Extended-A: the upper/lower pairs of U+0100..U+017E (Ā->ā ...
//        Ķ->ķ, Ĺ->ĺ ... Ň->ň, Ŋ->ŋ ... Ŷ->ŷ, Ź->ź ... Ž->ž; Œ->œ), Ÿ (U+0178)
//        -> ÿ, and İ (U+0130) -> plain "i";
//      every other code point (Greek, Cyrillic, ß, ...) is left as it is.
//   2. Splits on whitespace: the ASCII set above plus the no-break spaces
//      U+00A0 and U+202F that French puts before ; : ! ? ».
//   3. Splits punctuation off as tokens of one code point each: every ASCII
//      punctuation character (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~, so "3.5" ->
//      "3" "." "5" and "porte-monnaie" -> "porte" "-" "monnaie") and
//      « » ‹ › “ ” „ ‘ ’ … — – ¡ ¿.
//   The one exception, the apostrophe rule: an apostrophe (' or ’) with a
//   word character on both sides stays in the word, and ends the token right
//   after itself when the part of the word before it is a single code point or
//   ends in "qu" (French elision). So "l'homme" -> "l'" "homme", "qu'il" ->
//   "qu'" "il", "jusqu'à" -> "jusqu'" "à", while "don't", "it's",
//   "aujourd'hui" and "rock'n'roll" stay whole (and, the price of one simple
//   rule, "I'm" -> "i'" "m"). Any other apostrophe ("'quoted'") is punctuation.
//   The text must be valid UTF-8 (as for "char"). Case is lost; detokenize
//   rejoins the words as the language writes them (WordSpacing below):
//   "c'" "est" "gentil" "!" -> "c'est gentil !" (French spacing), "fais" "-"
//   "toi" -> "fais-toi".
//
// "sentencepiece": subword pieces of a model trained on the training text
//   (data/subwords.hpp): exact, no unknowns. It needs its model, so only a
//   Tokenizer made from one (below) splits text with it.
//
// Empty (or all-whitespace) text gives no tokens with every tokenizer.
// An unknown name: std::invalid_argument "unknown tokenizer 'x' (known: char,
// sentencepiece, space, word)".
Tokens tokenize(const std::string& tokenizer, const std::string& text);
std::string detokenize(const std::string& tokenizer, const Tokens& tokens);

// {"char", "sentencepiece", "space", "word"}, sorted.
std::vector<std::string> tokenizer_names();

// How the "word" detokenizer spaces punctuation: a space between two tokens
// unless the first is an elision ("l'", "qu'"), or they are joined by a
// hyphen ("fais" "-" "toi"), or the second is a punctuation mark not in
// space_before, or the first is one in glued_after. Learnt from a language's
// text by learn_word_spacing; the default is English's.
struct WordSpacing {
  std::string space_before = "([{“‘«‹¿¡";  // marks written after a space (French adds !?:;»)
  std::string glued_after = "([{“‘«‹¿¡";   // marks written without a space after them
  bool operator==(const WordSpacing& o) const {
    return space_before == o.space_before && glued_after == o.glued_after;
  }
};
// Of the marks the "word" tokenizer splits off, those that the texts write
// more often after whitespace than after anything else (space_before), and
// more often followed by something other than whitespace (glued_after). A mark
// never seen keeps the default. The ASCII quote '"' and the apostrophe are
// left out: they open and close alike ('"' alternates when rejoined).
WordSpacing learn_word_spacing(const std::vector<std::string>& texts);

// A tokenizer with what it needs: a name, and for "sentencepiece" its model,
// for "word" its spacing. Made from a name alone for the others, so a name can
// stand where a Tokenizer is wanted.
class Tokenizer {
 public:
  Tokenizer(const std::string& name);  // "sentencepiece" throws: no model
  Tokenizer(const char* name) : Tokenizer(std::string(name)) {}
  explicit Tokenizer(std::shared_ptr<const SentencePiece> model);
  Tokenizer(const std::string& name, const WordSpacing& spacing);

  const std::string& name() const { return name_; }
  // The sentencepiece model, or null.
  const std::shared_ptr<const SentencePiece>& subwords() const { return subwords_; }
  const WordSpacing& spacing() const { return spacing_; }

  // std::invalid_argument on invalid UTF-8 (as above).
  Tokens tokenize(const std::string& text) const;
  std::string detokenize(const Tokens& tokens) const;

 private:
  std::string name_;
  std::shared_ptr<const SentencePiece> subwords_;
  WordSpacing spacing_;
};

// Strict UTF-8 (Unicode's Table 3-7): sequences of 1 to 4 bytes, no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
// sequence, no stray continuation byte. NUL bytes are valid UTF-8.
bool valid_utf8(const std::string& text);
// The 0-based offset of the first byte that does not start a valid sequence,
// or std::string::npos when the whole text is valid.
std::size_t invalid_utf8_offset(const std::string& text);

}  // namespace attnlab
