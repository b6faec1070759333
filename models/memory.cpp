// Parameter counts and training memory as estimates from a ModelConfig's sizes.
#include "models/memory.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "io/machine.hpp"

namespace attnlab {

double parameter_count_estimate(const ModelConfig& c) {
  const double E = c.embed, H = c.hidden, D = c.D(), A = c.attention_hidden, Vs = c.src_vocab,
               Vt = c.tgt_vocab, L = c.max_source_length;
  const bool att = attends(c);
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
  const bool att = attends(c);
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

}  // namespace attnlab
