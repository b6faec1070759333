// The sentencepiece tokenizer: trained on a small corpus, it splits and
// rejoins any text exactly (unseen characters as bytes, never <unk>), its
// model survives serialising, and a damaged model is refused.
#include <algorithm>

#include "data/subwords.hpp"
#include "data/tokenizer.hpp"
#include "data/vocab.hpp"
#include "support/check.hpp"

namespace attnlab {
namespace {

std::vector<std::string> corpus() {
  const std::vector<std::string> subjects = {"Le chat", "Un chien", "La souris", "L'oiseau",
                                             "Mon frère"};
  const std::vector<std::string> verbs = {"mange", "regarde", "aime", "cherche"};
  const std::vector<std::string> objects = {"le fromage.", "la maison !", "l'arbre ?",
                                            "les enfants, vraiment."};
  std::vector<std::string> out;
  for (const auto& s : subjects)
    for (const auto& v : verbs)
      for (const auto& o : objects) out.push_back(s + " " + v + " " + o);
  return out;
}

}  // namespace

TEST_CASE("sentencepiece: exact round trips, unseen characters as bytes, never <unk>") {
  for (const std::string type : {"unigram", "bpe"}) {
    CAPTURE(type);
    const auto model = SentencePiece::train(corpus(), {type, 400});
    const Tokenizer tok(model);
    CHECK(tok.name() == "sentencepiece");
    const Vocab vocab = Vocab::of(model->pieces());
    CHECK(vocab.size() <= 400 + 3);
    for (const std::string text :
         {std::string("Le chat mange le fromage."), std::string("  deux  espaces  "),
          std::string("Zoë écrit 漢字 et 🙂 !"), std::string("")}) {
      CAPTURE(text);
      const Tokens pieces = tok.tokenize(text);
      CHECK(tok.detokenize(pieces) == text);
      for (const std::string& p : pieces) CHECK(vocab.id(p) != Vocab::unk);
    }
    // known words are pieces, not bytes
    const Tokens known = tok.tokenize("Le chat mange");
    for (const std::string& p : known) CHECK(p.rfind("<0x", 0) == std::string::npos);
    // what a model writes outside the pieces (a special) is left out, not " ⁇ "
    Tokens with_specials = known;
    with_specials.insert(with_specials.begin(), "<unk>");
    with_specials.push_back("<eos>");
    CHECK(tok.detokenize(with_specials) == "Le chat mange");
  }
}

TEST_CASE("sentencepiece: a model survives serialising, a damaged one is refused") {
  const auto model = SentencePiece::train(corpus(), {"unigram", 300});
  const auto again = SentencePiece::load(model->serialized());
  CHECK(again->pieces() == model->pieces());
  CHECK(again->encode("Un chien aime l'arbre ?") == model->encode("Un chien aime l'arbre ?"));
  CHECK_THROWS_AS(SentencePiece::load("not a model"), SubwordError);
  CHECK_THROWS_AS(SentencePiece::load(model->serialized().substr(0, 100)), SubwordError);
}

TEST_CASE("sentencepiece: bad training requests are refused with the reason") {
  CHECK(test::contains(test::error_message<SubwordError>([] {
                         SentencePiece::train(corpus(), {"wordpiece", 300});
                       }),
                       "unknown subword model 'wordpiece'"));
  CHECK(test::contains(test::error_message<SubwordError>([] {
                         SentencePiece::train({"", ""}, {});
                       }),
                       "no text"));
  // too few entries for the bytes of the byte fallback
  CHECK_THROWS_AS(SentencePiece::train(corpus(), {"unigram", 50}), SubwordError);
  CHECK_THROWS_AS(Tokenizer(std::shared_ptr<const SentencePiece>()), std::invalid_argument);
  const Tokenizer tok(SentencePiece::train(corpus(), {"unigram", 300}));
  CHECK(test::error_message<std::invalid_argument>([&] { tok.tokenize("ok \xC0\xAF"); }) ==
        "invalid UTF-8 at byte 4");
}

}  // namespace attnlab
