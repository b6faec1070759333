// The hyperparameters that rebuild a model: what config.json in a checkpoint
// holds (docs/MODEL_SPEC.md, "Checkpoint").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "data/tokenizer.hpp"

namespace attnlab {

struct ModelConfig {
  std::string model = "attention";  // a registered decoder variant: seq2seq, attention, luong
  std::string cell = "lstm";        // the recurrent cell of encoder and decoder: lstm or gru
  std::string score = "additive";   // a registered score name (variants that attend)
  std::string src_tokenizer = "char";
  std::string tgt_tokenizer = "char";
  std::size_t embed = 32;              // E
  std::size_t hidden = 64;             // H, encoder hidden size per direction
  std::size_t decoder_hidden = 0;      // D; 0 means 2H (which plain seq2seq requires)
  std::size_t attention_hidden = 64;   // A, for the additive score
  std::string decoder_init;            // "zero" or "encoder"; empty: the variant's default
  std::size_t max_source_length = 64;  // Lmax, for the location score
  std::size_t src_vocab = 0;           // Vs
  std::size_t tgt_vocab = 0;           // Vt
  std::uint64_t seed = 1;              // initialisation
  // What the tokenizers learnt from the training text: the sentencepiece
  // models (null for other tokenizers; the checkpoint keeps them as
  // src_sentencepiece.model and tgt_sentencepiece.model) and the target's
  // word spacing (config.json's "tgt_word_spacing").
  std::shared_ptr<const SentencePiece> src_subwords, tgt_subwords;
  WordSpacing tgt_spacing;

  // The tokenizers, with their models: src_tokenizer and tgt_tokenizer made
  // whole. std::invalid_argument for a sentencepiece side without its model.
  Tokenizer source_tokenizer() const;
  Tokenizer target_tokenizer() const;

  // 2H: an encoder state, [forward; backward] (docs/MODEL_SPEC.md, "Encoder")
  std::size_t encoded() const { return 2 * hidden; }
  std::size_t D() const { return decoder_hidden ? decoder_hidden : encoded(); }
  // Throws std::invalid_argument naming the field and the sizes.
  void validate() const;
};

// The one list of ModelConfig's fields: config.json's keys, the command
// line's flags and the checks between them are all made from it.
struct ConfigField {
  const char* key;   // in config.json
  const char* flag;  // on the command line; "" for none (vocabulary sizes, seed)
  const char* help;
  std::string ModelConfig::*text = nullptr;  // exactly one of these three
  std::size_t ModelConfig::*size = nullptr;
  std::uint64_t ModelConfig::*u64 = nullptr;
  bool required = true;         // config.json must hold it (checkpoints before it may lack it)
  bool attention_only = false;  // read only by variants that attend
  std::vector<std::string> (*choices)() = nullptr;  // a text field's allowed values
  std::size_t min = 0, max = 0;                     // a flag's range (size fields)
};
const std::vector<ConfigField>& config_fields();

// Whether config.model's variant attends (uses config.score); unknown: throws.
bool attends(const ModelConfig& c);
// "seq2seq", "attention/additive", "luong/general@gru": a model for messages
// and reports (the cell only when it is not the default LSTM).
std::string model_label(const ModelConfig& c);

}  // namespace attnlab
