// Every tokenizer on any bytes: tokens or std::invalid_argument (invalid
// UTF-8); no token is ever empty. A sentencepiece tokenizer (trained once on
// a few sentences) gives the text back exactly, as its own pieces, for any
// valid UTF-8 without U+2581, SentencePiece's own mark for a space.
#include <stdexcept>

#include "data/subwords.hpp"
#include "data/tokenizer.hpp"
#include "data/vocab.hpp"

namespace {

const attnlab::Tokenizer& subwords() {
  static const attnlab::Tokenizer t(attnlab::SentencePiece::train(
      {"The cat sat on the mat.", "Le chat est sur le tapis !", "Zoë a 3,5 kg d'œufs ?",
       "A quick brown fox jumps over the lazy dog."},
      {"unigram", 400}));
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const std::string& name : attnlab::tokenizer_names()) {
    try {
      for (const std::string& t : attnlab::tokenize(name, text))
        if (t.empty()) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
  }
  if (!attnlab::valid_utf8(text) || text.find("\xE2\x96\x81") != std::string::npos) return 0;
  static const attnlab::Vocab pieces = attnlab::Vocab::of(subwords().subwords()->pieces());
  const attnlab::Tokens tokens = subwords().tokenize(text);
  for (const std::string& t : tokens)
    if (t.empty() || pieces.id(t) == attnlab::Vocab::unk) __builtin_trap();
  if (subwords().detokenize(tokens) != text) __builtin_trap();
  return 0;
}
