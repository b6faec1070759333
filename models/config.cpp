// Checks a ModelConfig before any weight is made.
#include "models/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "layers/recurrent.hpp"
#include "models/seq2seq.hpp"

namespace attnlab {

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
  const double encoder = B * Tx * (E + 2 * 12 * H);
  // per decoder step: gates and states, and, with attention, a score per
  // source position (the additive score keeps [Tx, A] of them)
  const double decoder =
      B * Ty * (E + 12 * D + (att ? 2 * H + Tx * (c.score == "additive" ? A + 2 : 2) : 0));
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
