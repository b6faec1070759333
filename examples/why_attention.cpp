// Why attention: the one-fixed-vector bottleneck, in about a minute. Plain
// seq2seq and attention learn to reverse sequences with the same sizes, batches
// and steps; a table of accuracy by length then shows the first failing as
// inputs grow, and the second not.
//
//   why_attention [--steps N] [--max-len N] [--seed N]   (defaults 800, 20, 1)
#include <algorithm>
#include <attnlab.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "reverse_task.hpp"

using namespace attnlab;
using Seqs = std::vector<std::vector<Index>>;

namespace {

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr,
               "why_attention: %s\nusage: why_attention [--steps N] [--max-len N] [--seed N]\n",
               what.c_str());
  std::exit(2);
}

// --steps, --max-len and --seed over their defaults, each in its range.
void parse(int argc, char** argv, long& steps, long& max_len, long& seed) {
  for (int i = 1; i < argc; i += 2) {
    const std::string name = argv[i];
    if (name != "--steps" && name != "--max-len" && name != "--seed")
      usage_error("unknown option " + name);
    long& v = name == "--steps" ? steps : name == "--max-len" ? max_len : seed;
    const long lo = name == "--max-len" ? 4 : 0, hi = name == "--max-len" ? 40 : 1000000;
    char* end = nullptr;
    if (i + 1 < argc) v = std::strtol(argv[i + 1], &end, 10);
    if (i + 1 >= argc || end == argv[i + 1] || *end || v < lo || v > hi)
      usage_error(name + " needs a whole number in [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "]");
  }
}

// Both models learn from the same batches with the same optimizer settings.
constexpr std::size_t kBatch = 64;
constexpr double kLr = 0.01;

// A fresh batch for every step, so there is nothing to memorise, each of
// one length, so no time is spent on padding.
void make_training_batches(long steps, long max_len, long seed, Seqs& x, Seqs& y) {
  Rng rng(seed);
  std::uniform_int_distribution<int> length(3, max_len);
  for (long s = 0; s < steps; ++s) {
    const int n = length(rng);
    examples::make_reverse_pairs(rng, kBatch, x, y, n, n);
  }
}

// The two models, plain seq2seq first, each with its own Adam.
struct Contenders {
  const char* names[2] = {"seq2seq", "attention"};
  std::unique_ptr<EncoderDecoder<float>> models[2];
  std::unique_ptr<Adam<float>> opts[2];
};

// The same sizes for both; each says how many parameters it has and what its
// decoder reads.
Contenders make_models(long seed) {
  Contenders m;
  for (int k = 0; k < 2; ++k) {
    ModelConfig c;
    c.model = m.names[k];
    c.embed = 16, c.hidden = 32, c.attention_hidden = 32;  // D = 2H = 64: the one vector
    c.decoder_init = "encoder";  // both start from the encoder's final state
    c.src_vocab = c.tgt_vocab = 12;
    c.seed = seed;
    m.models[k] = make_model<float>(c);
    m.opts[k] = std::make_unique<Adam<float>>(m.models[k]->parameters(), kLr);
    std::size_t count = 0;
    for (Parameter<float>* p : m.models[k]->parameters()) count += p->value.size();
    std::printf(
        "  %-9s %zu parameters: the decoder reads %s\n", m.names[k], count,
        k ? "a fresh mix of all encoder states at each step" : "the encoder's final state only");
  }
  return m;
}

// Steps [from, to) of model k, the learning rate falling to 0 at `steps`;
// returns their mean loss.
double train_steps(Contenders& m, int k, const Seqs& x, const Seqs& y, long from, long to,
                   long steps) {
  double sum = 0;
  for (long s = from; s < to; ++s) {
    m.opts[k]->lr = kLr * (1.0 - static_cast<double>(s) / steps);
    sum += examples::train_step(*m.models[k], *m.opts[k], x, y, s * kBatch, kBatch, 1.0);
  }
  return sum / (to - from);
}

// Both at once, one thread each, a line of both losses every 100 steps.
void train_both(Contenders& m, const Seqs& x, const Seqs& y, long steps) {
  std::printf("\nTraining both at once, one thread each (loss: mean cross-entropy per symbol)\n");
  const auto start = std::chrono::steady_clock::now();
  for (long done = 0; done < steps;) {
    const long next = std::min(steps, done + 100);
    double loss[2];
    std::thread other([&] { loss[0] = train_steps(m, 0, x, y, done, next, steps); });
    loss[1] = train_steps(m, 1, x, y, done, next, steps);
    other.join();
    done = next;
    const std::chrono::duration<double> t = std::chrono::steady_clock::now() - start;
    std::printf("  step %5ld/%ld   seq2seq %.4f   attention %.4f   %5.1f s\n", done, steps, loss[0],
                loss[1], t.count());
    std::fflush(stdout);
  }
}

// The table: exact and per-symbol accuracy of both, by length.
void print_accuracy_by_length(Contenders& m, long max_len, long seed) {
  std::printf(
      "\nGreedy outputs on 200 fresh sequences of each length, in %%\n"
      "  length   exact: seq2seq  attention   symbols: seq2seq  attention\n");
  Rng test_rng(seed + 1);
  for (long n = 4;; n = std::min(n + 4, max_len)) {  // 4, 8, ... and max_len
    Seqs tx, ty;
    examples::make_reverse_pairs(test_rng, 200, tx, ty, n, n);
    double exact[2], symbols[2];
    for (int k = 0; k < 2; ++k)
      exact[k] = examples::exact_accuracy(*m.models[k], tx, ty, &symbols[k]);
    std::printf("  %6ld   %14.1f %10.1f   %16.1f %10.1f\n", n, 100 * exact[0], 100 * exact[1],
                100 * symbols[0], 100 * symbols[1]);
    if (n == max_len) break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  long steps = 800, max_len = 20, seed = 1;
  parse(argc, argv, steps, max_len, seed);
  Seqs x, y;
  make_training_batches(steps, max_len, seed, x, y);
  std::printf(
      "Reversing sequences of 3 to %ld symbols (8 kinds), e.g. 5 9 4 -> 4 9 5.\n"
      "Both models: a BiLSTM encoder (2 x 32) and an LSTM decoder (64); the same %ld\n"
      "batches of %zu (one length each); Adam, lr %.2f falling to 0, gradients clipped at 1.\n",
      max_len, steps, kBatch, kLr);
  Contenders m = make_models(seed);
  train_both(m, x, y, steps);
  print_accuracy_by_length(m, max_len, seed);
  std::printf(
      "\nWhy: plain seq2seq hands its decoder the whole input as one fixed-size state,\n"
      "the encoder's final one (h and c, 64 numbers each), and the decoder must unpack\n"
      "every symbol from it, the first one last. A few symbols fit; twenty do not.\n"
      "Attention keeps all the encoder's states and, before each output symbol, mixes\n"
      "a fresh context from them: here it learns to look at and around input symbol\n"
      "Tx + 1 - t when writing output symbol t, so nothing has to fit in one vector.\n"
      "Next: --seed 2, the same picture from other data and weights; `attnlab compare`,\n"
      "the full comparison (BLEU, a chart, the attention drawn); `attnlab compare --task\n"
      "sort`, a task whose answer (letter counts) does fit in one vector.\n");
  return 0;
}
