// Checks a ModelConfig before any weight is made; the list of its fields.
#include "models/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
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

double parameter_count_estimate(const ModelConfig& c) {
  const double E = c.embed, H = c.hidden, D = c.D(), A = c.attention_hidden, Vs = c.src_vocab,
               Vt = c.tgt_vocab, L = c.max_source_length;
  const bool att = decoder_variant(c.model).attends;
  const double G = c.cell == "gru" ? 3 : 4;              // gate blocks
  const double in = E + (att ? std::min(2 * H, D) : 0);  // the smallest decoder input
  double p = Vs * E + 2 * (G * H * (E + H) + 2 * G * H)  // encoder
             + Vt * E + G * D * (in + D) + 2 * G * D     // decoder
             + Vt * D + Vt;                              // output layer
  if (att) p += std::max({A * (D + 2 * H) + 2 * A + 1, D * 2 * H, L * D});
  return p;
}

double training_bytes_estimate(const ModelConfig& c, std::size_t batch, std::size_t tx,
                               std::size_t ty) {
  const double E = c.embed, H = c.hidden, D = c.D(), A = c.attention_hidden, V = c.tgt_vocab,
               B = batch, Tx = tx, Ty = ty;
  const bool att = decoder_variant(c.model).attends;
  const double params = 4 * parameter_count_estimate(c);  // value, gradient, two moments
  // held per token for backward: the encoder's gates and states, both ways
  // (an LSTM keeps about 12 H floats a step, a GRU 9 H)
  const double per_step = c.cell == "gru" ? 9 : 12;
  const double encoder = B * Tx * (E + 2 * per_step * H);
  // per decoder step: gates and states, and, with attention, a score per
  // source position (the additive score keeps [Tx, A] of them)
  const double decoder =
      B * Ty * (E + per_step * D + (att ? 2 * H + Tx * (c.score == "additive" ? A + 2 : 2) : 0));
  const double output = B * Ty * (V + D);  // the logits and the decoder's outputs
  // floats, and every activation has a gradient of its size
  return 4 * (params + 2 * (encoder + decoder + output));
}

void check_training_memory(const ModelConfig& c, std::size_t batch, std::size_t tx, std::size_t ty,
                           double limit) {
  const double need = training_bytes_estimate(c, batch, tx, ty + 1);  // + <eos>
  const double have = limit > 0 ? limit : available_memory_bytes();
  if (need <= have) return;
  throw std::runtime_error("training a batch of " + std::to_string(batch) +
                           " pairs with sources of up to " + std::to_string(tx) +
                           " tokens and targets of up to " + std::to_string(ty) + " (embed " +
                           std::to_string(c.embed) + ", hidden " + std::to_string(c.hidden) +
                           ") would need about " + bytes_text(need) + " by estimate, more than " +
                           (limit > 0 ? "the limit of " + bytes_text(have)
                                      : "the " + bytes_text(have) + " this machine has available") +
                           "; drop the longest pairs, use smaller batches or a smaller model");
}

double available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  while (in >> key >> kb) {
    if (key == "MemAvailable:") return kb * 1024;
    in.ignore(256, '\n');
  }
  return static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
}

std::string bytes_text(double bytes) {
  const char* unit[] = {"bytes", "KB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1000 && u < 5) bytes /= 1000, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
  return buf;
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
