// Checks a ModelConfig before any weight is made; the list of its fields.
#include "models/config.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "data/tokenizer.hpp"
#include "layers/recurrent.hpp"
#include "models/score.hpp"
#include "models/variants.hpp"

namespace attnlab {

namespace {
std::vector<std::string> init_choices() { return {"zero", "encoder"}; }
}  // namespace

Tokenizer ModelConfig::source_tokenizer() const {
  return src_tokenizer == "sentencepiece" ? Tokenizer(src_subwords) : Tokenizer(src_tokenizer);
}

Tokenizer ModelConfig::target_tokenizer() const {
  if (tgt_tokenizer == "sentencepiece") return Tokenizer(tgt_subwords);
  return Tokenizer(tgt_tokenizer, tgt_spacing);
}

const std::vector<ConfigField>& config_fields() {
  using C = ModelConfig;
  auto text = [](const char* key, const char* flag, const char* help, std::string C::*m,
                 std::vector<std::string> (*choices)(), bool required = true) {
    ConfigField f{key, flag, help};
    f.text = m;
    f.choices = choices;
    f.required = required;
    return f;
  };
  auto size = [](const char* key, const char* flag, const char* help, std::size_t C::*m,
                 std::size_t min, std::size_t max, bool required = true) {
    ConfigField f{key, flag, help};
    f.size = m;
    f.min = min;
    f.max = max;
    f.required = required;
    return f;
  };
  auto attention = [](ConfigField f) {
    f.attention_only = true;
    return f;
  };
  static const std::vector<ConfigField> fields = [&] {
    std::vector<ConfigField> v{
        text("model", "--model", "The decoder variant", &C::model, decoder_names),
        text("cell", "--cell", "Recurrent cell of encoder and decoder", &C::cell, cell_names,
             false),
        attention(text("score", "--score", "Attention score", &C::score, score_names)),
        text("src_tokenizer", "--src-tokenizer",
             "Source tokenizer (default: a task's own, a file's sentencepiece)", &C::src_tokenizer,
             tokenizer_names),
        text("tgt_tokenizer", "--tgt-tokenizer",
             "Target tokenizer (default: a task's own, a file's sentencepiece)", &C::tgt_tokenizer,
             tokenizer_names),
        size("embed", "--embed", "Embedding size E", &C::embed, 1, 100000),
        size("hidden", "--hidden", "Encoder hidden size H per direction", &C::hidden, 1, 100000),
        size("decoder_hidden", "--decoder-hidden", "Decoder hidden size D (0: 2H)",
             &C::decoder_hidden, 0, 100000),
        attention(size("attention_hidden", "--attention-hidden", "Additive score's hidden size A",
                       &C::attention_hidden, 1, 100000)),
        text("decoder_init", "--decoder-init",
             "Decoder's initial state (default: the variant's; attention zero, luong encoder)",
             &C::decoder_init, init_choices),
        attention(size("max_source_length", "--max-source-length",
                       "Location score's Lmax (default: the longest source)", &C::max_source_length,
                       1, 100000, false)),
        size("src_vocab", "", "Vs", &C::src_vocab, 0, 0, false),
        size("tgt_vocab", "", "Vt", &C::tgt_vocab, 0, 0, false)};
    ConfigField seed{"seed", "", "initialisation seed"};
    seed.u64 = &C::seed;
    seed.required = false;
    v.push_back(seed);
    return v;
  }();
  return fields;
}

bool attends(const ModelConfig& c) { return decoder_variant(c.model).attends; }

std::string model_label(const ModelConfig& c) {
  return c.model + (attends(c) ? "/" + c.score : "") + (c.cell == "lstm" ? "" : "@" + c.cell);
}

void ModelConfig::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("model config: " + what); };
  try {
    decoder_variant(model);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  const std::vector<std::string> cells = cell_names();
  if (std::find(cells.begin(), cells.end(), cell) == cells.end()) {
    std::string known;
    for (const std::string& n : cells) known += (known.empty() ? "'" : ", '") + n + "'";
    fail("cell is '" + cell + "', want one of " + known);
  }
  if (embed == 0 || hidden == 0) fail("embed and hidden must be positive");
  if (src_vocab < 4 || tgt_vocab < 4)
    fail("vocabularies must hold at least the 4 special tokens (got " + std::to_string(src_vocab) +
         " and " + std::to_string(tgt_vocab) + ")");
  if (!decoder_init.empty() && decoder_init != "zero" && decoder_init != "encoder")
    fail("decoder_init is '" + decoder_init + "', want 'zero' or 'encoder'");
}

}  // namespace attnlab
