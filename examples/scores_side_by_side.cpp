// Every registered score function on the same decoder state and the same
// encoder states (attention_by_hand's numbers): each one's energies, the
// softmax weights they give, and how sharp those weights are.
//
//   scores_side_by_side [--scale X] [--seed N]
//
// --scale multiplies the energies before the softmax (a temperature of
// 1/X): try 0.1 and 10. --seed draws other weights for the scores that have
// learned parameters (general, additive, location), which are untrained here.
#include <attnlab.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace attnlab;

namespace {

[[noreturn]] void usage(const std::string& what) {
  std::fprintf(stderr,
               "scores_side_by_side: %s\nusage: scores_side_by_side [--scale X in 1e-6..1e6] "
               "[--seed N in 0..1e9]\n",
               what.c_str());
  std::exit(2);
}

double number(int argc, char** argv, int i, double lo, double hi) {
  if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a number");
  char* end = nullptr;
  const double v = std::strtod(argv[i + 1], &end);
  if (end == argv[i + 1] || *end || !(v >= lo && v <= hi))
    usage(std::string(argv[i]) + ": '" + argv[i + 1] + "' is out of range");
  return v;
}

void print_cells(const double* v, std::size_t n, const char* fmt) {
  for (std::size_t j = 0; j < n; ++j) std::printf(fmt, v[j]);
}

}  // namespace

int main(int argc, char** argv) {
  double scale = 1;
  unsigned long seed = 1;
  for (int i = 1; i < argc; i += 2) {
    if (!std::strcmp(argv[i], "--scale"))
      scale = number(argc, argv, i, 1e-6, 1e6);  // the ranges the usage line gives
    else if (!std::strcmp(argv[i], "--seed"))
      seed = static_cast<unsigned long>(number(argc, argv, i, 0, 1e9));
    else
      usage(std::string("unknown option ") + argv[i]);
  }
  const Array<double> s{{10, 5, 10}};                                   // decoder state [1, D]
  const Array<double> h{{{0, 1, 1}, {5, 0, 1}, {1, 1, 0}, {0, 5, 1}}};  // encoder states [1, 4, 2H]
  const std::size_t Tx = 4;
  ScoreSizes sizes;
  sizes.decoder_hidden = sizes.encoder_output = 3;  // D = 2H = 3, so s . h is defined
  sizes.attention_hidden = 4;                       // A, the additive score's hidden size
  sizes.max_source_length = Tx;                     // Lmax, the location score's positions

  std::printf("decoder state s = [10, 5, 10]\n");
  std::printf("encoder states h_1..h_4 = [0, 1, 1], [5, 0, 1], [1, 1, 0], [0, 5, 1]\n");
  std::printf("weights a = softmax(%g e)\n\n", scale);
  std::printf("%-11s %-35s%-32s%6s %9s\n", "score", "   energies e_1 .. e_4",
              "   weights a_1 .. a_4", "max a", "effective");
  for (const std::string& name : score_names()) {
    Rng rng(seed);  // each score its own draw, so the rows do not depend on each other
    auto score = make_score<double>(name, "attention", sizes, rng);
    Tape<double> tape;
    score->prepare(tape, tape.constant(h));
    Var<double> e = score->score(tape, tape.constant(s));
    Var<double> a = softmax(e * scale, -1);
    // exp(entropy): how many positions the weights are spread over (1 .. Tx)
    double entropy = 0, top = 0;
    for (std::size_t j = 0; j < Tx; ++j) {
      const double w = a.value()(0, j);
      top = std::max(top, w);
      if (w > 0) entropy -= w * std::log(w);
    }
    std::printf("%-11s ", name.c_str());
    print_cells(e.value().data(), Tx, "%7.2f ");
    std::printf("   ");
    print_cells(a.value().data(), Tx, "%7.3f ");
    std::printf("%6.3f %9.2f%s\n", top, std::exp(entropy),
                score->parameters().empty() ? "" : "   (learned, untrained)");
  }
  std::printf(
      "\n'effective' is exp(entropy): 1 when all weight is on one state, %zu when it is even.\n"
      "dot's energies grow with |s||h|, so its softmax is almost one-hot; scaled_dot divides\n"
      "by sqrt(2H); cosine stays within [-1, 1] and spreads the weight. general, additive\n"
      "(alias concat) and location start from random weights: training shapes them. Try\n"
      "--scale 0.1 and --scale 10 to watch the same energies give softer and sharper weights.\n",
      Tx);
  return 0;
}
