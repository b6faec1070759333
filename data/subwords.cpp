// SentencePiece behind attnlab's own small interface.
#include "data/subwords.hpp"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <algorithm>
#include <thread>
#include <unordered_map>

namespace attnlab {

namespace {

class TextIterator : public sentencepiece::SentenceIterator {
 public:
  explicit TextIterator(const std::vector<std::string>& texts) : texts_(texts) { skip(); }
  bool done() const override { return i_ >= texts_.size(); }
  void Next() override {
    ++i_;
    skip();
  }
  const std::string& value() const override { return texts_[i_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void skip() {  // SentencePiece refuses empty sentences
    while (i_ < texts_.size() && texts_[i_].empty()) ++i_;
  }
  const std::vector<std::string>& texts_;
  std::size_t i_ = 0;
};

}  // namespace

SentencePiece::SentencePiece() : sp_(std::make_unique<sentencepiece::SentencePieceProcessor>()) {}
SentencePiece::~SentencePiece() = default;

std::shared_ptr<const SentencePiece> SentencePiece::train(const std::vector<std::string>& texts,
                                                          const SubwordOptions& o) {
  if (o.type != "unigram" && o.type != "bpe")
    throw SubwordError("unknown subword model '" + o.type + "' (known: bpe, unigram)");
  if (std::none_of(texts.begin(), texts.end(), [](const std::string& t) { return !t.empty(); }))
    throw SubwordError("no text to learn subwords from");
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const std::unordered_map<std::string, std::string> args = {
      {"model_type", o.type},
      {"vocab_size", std::to_string(o.vocab_size)},
      {"hard_vocab_limit", "false"},  // a small corpus gets the pieces it has
      {"character_coverage", "1.0"},
      {"byte_fallback", "true"},                // no <unk>: unseen characters as bytes
      {"normalization_rule_name", "identity"},  // text kept exactly ...
      {"remove_extra_whitespaces", "false"},    // ... spaces included
      {"split_digits", "true"},
      {"max_sentence_length", "100000"},
      {"unk_id", "0"},  // attnlab's vocabulary adds its own <pad>, <sos>, <eos>
      {"bos_id", "-1"},
      {"eos_id", "-1"},
      {"pad_id", "-1"},
      {"num_threads", std::to_string(threads)},
      {"minloglevel", "2"},  // no training log on stderr
  };
  TextIterator it(texts);
  std::string serialized;
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &serialized);
  if (!status.ok()) throw SubwordError(status.ToString());
  return load(serialized);
}

std::shared_ptr<const SentencePiece> SentencePiece::load(const std::string& serialized) {
  std::shared_ptr<SentencePiece> s(new SentencePiece());
  const auto status = s->sp_->LoadFromSerializedProto(serialized);
  if (!status.ok()) throw SubwordError("not a SentencePiece model: " + status.ToString());
  s->serialized_ = serialized;
  return s;
}

std::vector<std::string> SentencePiece::pieces() const {
  std::vector<std::string> out;
  for (int id = 0; id < sp_->GetPieceSize(); ++id)
    if (!sp_->IsUnknown(id) && !sp_->IsControl(id)) out.push_back(sp_->IdToPiece(id));
  return out;
}

std::vector<std::string> SentencePiece::encode(const std::string& text) const {
  std::vector<std::string> out;
  const auto status = sp_->Encode(text, &out);
  if (!status.ok()) throw SubwordError(status.ToString());
  return out;
}

std::string SentencePiece::decode(const std::vector<std::string>& pieces) const {
  std::vector<std::string> known;  // SentencePiece would write " ⁇ " for the others
  known.reserve(pieces.size());
  for (const std::string& p : pieces)
    if (!sp_->IsUnknown(sp_->PieceToId(p))) known.push_back(p);
  std::string out;
  const auto status = sp_->Decode(known, &out);
  if (!status.ok()) throw SubwordError(status.ToString());
  return out;
}

}  // namespace attnlab
