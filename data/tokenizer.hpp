// Tokenizers by name ("char", "space", "word"): text -> tokens and back, and
// the strict UTF-8 validation they share with the corpus reader.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace attnlab {

using Tokens = std::vector<std::string>;

// The tokenizers (MODEL_SPEC.md, "Tokens"; the name is recorded in checkpoints):
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
//   The text must be valid UTF-8 (as for "char"). detokenize joins with " ":
//   case and the original spacing around punctuation are lost.
//
// Empty (or all-whitespace) text gives no tokens with every tokenizer.
// An unknown name: std::invalid_argument "unknown tokenizer 'x' (known: char,
// space, word)".
Tokens tokenize(const std::string& tokenizer, const std::string& text);
std::string detokenize(const std::string& tokenizer, const Tokens& tokens);

// {"char", "space", "word"}, sorted.
std::vector<std::string> tokenizer_names();

// Strict UTF-8 (Unicode's Table 3-7): sequences of 1 to 4 bytes, no overlong
// forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
// sequence, no stray continuation byte. NUL bytes are valid UTF-8.
bool valid_utf8(const std::string& text);
// The 0-based offset of the first byte that does not start a valid sequence,
// or std::string::npos when the whole text is valid.
std::size_t invalid_utf8_offset(const std::string& text);

}  // namespace attnlab
