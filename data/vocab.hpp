// Vocab: the token <-> id mapping of one side of a corpus, with the four
// special tokens of docs/MODEL_SPEC.md ("Tokens") first, and its
// one-token-per-line file format (the checkpoint's src_vocab.txt /
// tgt_vocab.txt).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "autograd/array.hpp"

namespace attnlab {

// A vocabulary file that cannot be read or written; the message names the
// file (and the line, where there is one).
struct VocabError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Vocab {
 public:
  static constexpr Index pad = 0, unk = 1, sos = 2, eos = 3;

  // Exactly "<pad>", "<unk>", "<sos>", "<eos>" with the ids above.
  Vocab();

  // The token's id, appending it first if it is new.
  Index add(const std::string& token);
  // The token's id, or unk if it is unknown.
  Index id(const std::string& token) const;
  // Throws std::out_of_range naming the id and the size.
  const std::string& token(Index id) const;
  std::size_t size() const { return tokens_.size(); }
  bool contains(const std::string& token) const { return ids_.count(token) != 0; }

  std::vector<Index> encode(const std::vector<std::string>& tokens) const;
  std::vector<std::string> decode(const std::vector<Index>& ids) const;

  // The specials, then every token seen at least min_freq times, most frequent
  // first, ties in byte-wise lexicographic order; at most max_vocab entries in
  // all, specials included (0 = no limit; 1..3 is refused).
  static Vocab build(const std::vector<std::vector<std::string>>& sequences,
                     std::size_t min_freq = 1, std::size_t max_vocab = 0);
  // The specials, then these tokens in their order (a subword model's pieces).
  static Vocab of(const std::vector<std::string>& tokens);
  // Every token, by id.
  const std::vector<std::string>& tokens() const { return tokens_; }

  // One token per line, id = zero-based line number, "\n" line ends. Refuses
  // (VocabError) an empty token or one holding '\n' or '\r', which a line
  // cannot carry.
  void save(const std::string& path) const;
  // Reads save()'s format back exactly (the final newline may be missing).
  // Refuses (VocabError naming file and line) a missing file, an empty file,
  // wrong specials, a duplicate or empty token, a '\r' (CRLF line ends).
  static Vocab load(const std::string& path);

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, Index> ids_;
};

}  // namespace attnlab
