// The small task the extension examples train on: reverse a sequence of
// symbols, and the command line they take. Header-only, shared by
// custom_score, custom_decoder and beam_search.
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

// Adam steps over batches of 32 taken in turn; prints the loss every 100 steps.
inline void train(attnlab::EncoderDecoder<float>& model,
                  const std::vector<std::vector<attnlab::Index>>& x,
                  const std::vector<std::vector<attnlab::Index>>& y, int steps) {
  using namespace attnlab;
  Adam<float> opt(model.parameters(), AdamOptions{0.01});
  for (int step = 1; step <= steps; ++step) {
    const std::size_t at = (step * 32) % (x.size() - 32);
    Batch b =
        make_batch({x.begin() + at, x.begin() + at + 32}, {y.begin() + at, y.begin() + at + 32});
    Tape<float> tape;
    Var<float> loss = model.loss(tape, b);
    opt.zero_grad();
    backward(loss);
    opt.step();
    if (step % 100 == 0) std::printf("  step %4d  loss %.4f\n", step, loss.item());
  }
}

// The share of sources whose greedy output is exactly the target.
inline double exact_accuracy(attnlab::EncoderDecoder<float>& model,
                             const std::vector<std::vector<attnlab::Index>>& x,
                             const std::vector<std::vector<attnlab::Index>>& y) {
  std::size_t right = 0, longest = 0;
  for (const auto& t : y) longest = std::max(longest, t.size());
  const auto hyps = model.greedy(attnlab::make_batch(x), longest + 4);
  for (std::size_t i = 0; i < hyps.size(); ++i) right += hyps[i].tokens == y[i];
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
