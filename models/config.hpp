// The hyperparameters that rebuild a model: what config.json in a checkpoint
// holds (MODEL_SPEC.md, "Checkpoint").
#pragma once

#include <cstdint>
#include <string>

namespace attnlab {

struct ModelConfig {
  std::string model = "attention";  // "seq2seq" or "attention"
  std::string score = "additive";   // a registered score name (attention only)
  std::string src_tokenizer = "char";
  std::string tgt_tokenizer = "char";
  std::size_t embed = 32;              // E
  std::size_t hidden = 64;             // H, encoder hidden size per direction
  std::size_t decoder_hidden = 0;      // D; 0 means 2H (which plain seq2seq requires)
  std::size_t attention_hidden = 64;   // A, for the additive score
  std::string decoder_init = "zero";   // "zero" or "encoder" (attention; seq2seq always encoder)
  std::size_t max_source_length = 64;  // Lmax, for the location score
  std::size_t src_vocab = 0;           // Vs
  std::size_t tgt_vocab = 0;           // Vt
  std::uint64_t seed = 1;              // initialisation

  std::size_t D() const { return decoder_hidden ? decoder_hidden : 2 * hidden; }
  // Throws std::invalid_argument naming the field and the sizes.
  void validate() const;
};

}  // namespace attnlab
