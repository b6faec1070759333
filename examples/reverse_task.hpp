// The small task the training examples share: reverse a sequence of symbols;
// a training step and loop, exact accuracy, and the command line of
// custom_score, custom_decoder and beam_search. Header-only.
#pragma once

#include <algorithm>
#include <attnlab.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace examples {

// Random sequences of min_len..max_len symbols (ids 4..11) and their reverses.
inline void make_reverse_pairs(attnlab::Rng& rng, std::size_t n,
                               std::vector<std::vector<attnlab::Index>>& src,
                               std::vector<std::vector<attnlab::Index>>& tgt, int min_len = 3,
                               int max_len = 8) {
  std::uniform_int_distribution<int> len(min_len, max_len), sym(4, 11);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<attnlab::Index> s(len(rng));
    for (attnlab::Index& x : s) x = sym(rng);
    src.push_back(s);
    tgt.emplace_back(s.rbegin(), s.rend());
  }
}

// One optimizer step on pairs [at, at + n) of x and y, the gradient clipped
// to norm `clip` first (0: not clipped); returns the batch's loss.
inline double train_step(attnlab::EncoderDecoder<float>& model, attnlab::Optimizer<float>& opt,
                         const std::vector<std::vector<attnlab::Index>>& x,
                         const std::vector<std::vector<attnlab::Index>>& y, std::size_t at,
                         std::size_t n, double clip = 0) {
  using namespace attnlab;
  Batch b = make_batch({x.begin() + at, x.begin() + at + n}, {y.begin() + at, y.begin() + at + n});
  Tape<float> tape;
  Var<float> loss = model.loss(tape, b);
  opt.zero_grad();
  backward(loss);
  if (clip > 0) clip_grad_norm(model.parameters(), clip);
  opt.step();
  return loss.item();
}

// Adam steps over batches of 32 taken in turn; prints the loss every 100 steps.
inline void train(attnlab::EncoderDecoder<float>& model,
                  const std::vector<std::vector<attnlab::Index>>& x,
                  const std::vector<std::vector<attnlab::Index>>& y, int steps) {
  attnlab::Adam<float> opt(model.parameters(), 0.01);
  for (int step = 1; step <= steps; ++step) {
    const double loss = train_step(model, opt, x, y, (step * 32) % (x.size() - 32), 32);
    if (step % 100 == 0) std::printf("  step %4d  loss %.4f\n", step, loss);
  }
}

// The share of sources whose greedy output is exactly the target; `symbols`,
// if given, receives the share of target symbols right at their position.
inline double exact_accuracy(attnlab::EncoderDecoder<float>& model,
                             const std::vector<std::vector<attnlab::Index>>& x,
                             const std::vector<std::vector<attnlab::Index>>& y,
                             double* symbols = nullptr) {
  std::size_t right = 0, longest = 0, hits = 0, total = 0;
  for (const auto& t : y) longest = std::max(longest, t.size());
  const auto hyps = model.greedy(attnlab::make_batch(x), longest + 4);
  for (std::size_t i = 0; i < hyps.size(); ++i) {
    right += hyps[i].tokens == y[i];
    for (std::size_t j = 0; j < y[i].size() && j < hyps[i].tokens.size(); ++j)
      hits += hyps[i].tokens[j] == y[i][j];
    total += y[i].size();
  }
  if (symbols) *symbols = static_cast<double>(hits) / static_cast<double>(total);
  return static_cast<double>(right) / static_cast<double>(hyps.size());
}

// The examples' command line: `--steps N` and one named option (`--score
// NAME`, `--model NAME`, `--task NAME`). Prints usage and exits 2 on anything else.
struct Options {
  int steps = 400;
  std::string value;  // the named option's value, if given
};
[[noreturn]] inline void usage(const char* program, const char* option, const std::string& what) {
  std::fprintf(stderr, "%s: %s\nusage: %s [--steps N] [%s NAME]\n", program, what.c_str(), program,
               option);
  std::exit(2);
}
inline Options parse(int argc, char** argv, const char* program, const char* option,
                     int default_steps = 400) {
  Options o;
  o.steps = default_steps;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage(program, option, std::string(argv[i]) + " needs a value");
    if (!std::strcmp(argv[i], "--steps")) {
      char* end = nullptr;
      const long steps = std::strtol(argv[i + 1], &end, 10);
      if (end == argv[i + 1] || *end || steps < 0 || steps > 1000000)
        usage(program, option, "--steps: not a number in [0, 1e6]");
      o.steps = static_cast<int>(steps);
    } else if (!std::strcmp(argv[i], option)) {
      o.value = argv[i + 1];
    } else {
      usage(program, option, std::string("unknown option ") + argv[i]);
    }
  }
  return o;
}

}  // namespace examples
