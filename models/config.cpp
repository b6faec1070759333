// Checks a ModelConfig before any weight is made.
#include "models/config.hpp"

#include <stdexcept>

namespace attnlab {

void ModelConfig::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("model config: " + what); };
  if (model != "seq2seq" && model != "attention")
    fail("model is '" + model + "', want 'seq2seq' or 'attention'");
  if (embed == 0 || hidden == 0) fail("embed and hidden must be positive");
  if (src_vocab < 4 || tgt_vocab < 4)
    fail("vocabularies must hold at least the 4 special tokens (got " + std::to_string(src_vocab) +
         " and " + std::to_string(tgt_vocab) + ")");
  if (model == "seq2seq" && D() != 2 * hidden)
    fail("plain seq2seq needs decoder_hidden D = 2H = " + std::to_string(2 * hidden) + ", got " +
         std::to_string(D()));
  if (decoder_init != "zero" && decoder_init != "encoder")
    fail("decoder_init is '" + decoder_init + "', want 'zero' or 'encoder'");
  if (model == "attention" && decoder_init == "encoder" && D() != 2 * hidden)
    fail("decoder_init 'encoder' needs decoder_hidden D = 2H = " + std::to_string(2 * hidden) +
         ", got " + std::to_string(D()));
}

}  // namespace attnlab
