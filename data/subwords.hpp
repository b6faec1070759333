// Subword tokens from SentencePiece (Debian's libsentencepiece): a model
// trained on one side of the training pairs, kept in the checkpoint as
// SentencePiece's own serialized model (so Python's `sentencepiece` reads it
// too), and used to split and rejoin text exactly.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sentencepiece {
class SentencePieceProcessor;
}

namespace attnlab {

// A model that cannot be trained or read; the message says why.
struct SubwordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct SubwordOptions {
  std::string type = "unigram";   // "unigram" or "bpe"
  std::size_t vocab_size = 8000;  // pieces, SentencePiece's <unk> included
};

class SentencePiece {
 public:
  // Trains on the texts (one sentence each). The model keeps the text as it
  // is (no normalisation, spaces kept as they are), covers every character
  // seen, and spells any other character as its UTF-8 bytes (byte fallback):
  // so no text ever becomes <unk> and decode(encode(s)) == s for valid UTF-8
  // (but for U+2581 "▁", SentencePiece's own mark for a space, which comes
  // back as a space).
  // vocab_size is an upper bound: a small corpus gets fewer pieces. Throws
  // SubwordError (say, a vocab_size too small for the characters and the
  // 256 bytes).
  static std::shared_ptr<const SentencePiece> train(const std::vector<std::string>& texts,
                                                    const SubwordOptions& options);
  // From a serialized model (train's, or a file SentencePiece wrote); throws
  // SubwordError when it is not one.
  static std::shared_ptr<const SentencePiece> load(const std::string& serialized);

  ~SentencePiece();

  const std::string& serialized() const { return serialized_; }
  // Every piece but SentencePiece's <unk>, in the model's order: the
  // vocabulary a model over these pieces needs (after its own specials).
  std::vector<std::string> pieces() const;
  std::vector<std::string> encode(const std::string& text) const;
  // Unknown pieces are skipped.
  std::string decode(const std::vector<std::string>& pieces) const;

 private:
  SentencePiece();
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp_;
  std::string serialized_;
};

}  // namespace attnlab
