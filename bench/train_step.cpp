// Times training steps (forward + backward + Adam) of both models at a
// realistic size, for comparison with bench/train_step_torch.py.
//   train_step [--model attention|seq2seq] [--score NAME] [--batch B] [--src-len T]
//              [--tgt-len T] [--embed E] [--hidden H] [--vocab V] [--steps N] [--threads N]
#include <attnlab.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace attnlab;

int main(int argc, char** argv) {
  std::string model = "attention", score = "additive";
  long B = 64, Tx = 25, Ty = 11, E = 32, H = 64, V = 40, steps = 20, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--model") model = v;
    else if (k == "--score") score = v;
    else if (k == "--batch") B = std::atol(v);
    else if (k == "--src-len") Tx = std::atol(v);
    else if (k == "--tgt-len") Ty = std::atol(v);
    else if (k == "--embed") E = std::atol(v);
    else if (k == "--hidden") H = std::atol(v);
    else if (k == "--vocab") V = std::atol(v);
    else if (k == "--steps") steps = std::atol(v);
    else if (k == "--threads") threads = std::atol(v);
    else { std::fprintf(stderr, "train_step: unknown option %s\n", argv[i]); return 2; }
  }
  set_blas_threads(static_cast<int>(threads));  // as attnlab train's default
  ModelConfig c;
  c.model = model;
  c.score = score;
  c.embed = E;
  c.hidden = H;
  c.attention_hidden = H;
  c.src_vocab = c.tgt_vocab = V;
  c.max_source_length = Tx;
  auto m = make_model<float>(c);
  Rng rng(1);
  std::uniform_int_distribution<Index> tok(4, V - 1);
  std::vector<std::vector<Index>> xs(B, std::vector<Index>(Tx)), ys(B, std::vector<Index>(Ty - 1));
  for (auto& x : xs) for (auto& t : x) t = tok(rng);
  for (auto& y : ys) for (auto& t : y) t = tok(rng);
  const Batch b = make_batch(xs, ys);
  Adam<float> opt(m->parameters());
  auto step = [&] {
    Tape<float> t;
    opt.zero_grad();
    backward(m->loss(t, b));
    opt.step();
  };
  step();  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < steps; ++i) step();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
      steps;
  std::printf("attnlab %s/%s B=%ld Tx=%ld Ty=%ld E=%ld H=%ld V=%ld: %.2f ms/step\n", model.c_str(),
              score.c_str(), B, Tx, Ty, E, H, V, ms);
}
