// Times one model at one size as a user runs it: training steps (forward,
// backward, Adam) and batched greedy decoding, on the machine's cores by
// default, as attnlab train does. The PyTorch side is bench/torch_reference.py;
// bench/run.sh runs both and writes BENCHMARKS.md.
//   bench_train_step [--model attention|seq2seq] [--score NAME] [--embed E] [--hidden H]
//       [--attn A] [--batch B] [--src-len Tx] [--tgt-len Ty] [--src-vocab Vs]
//       [--tgt-vocab Vt] [--steps N] [--decode-steps N] [--threads N]
// Prints one JSON line: train_ms and decode_ms (medians), peak_rss_mb, and
// the matrix products' floating-point operations per training step and per
// greedy decode (what the machine's sgemm peak lets any framework reach).
#include <sys/resource.h>

#include <algorithm>
#include <attnlab.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace attnlab;

namespace {

template <class F>
double median_ms(F f, long n) {
  f();  // warm-up
  std::vector<double> ms;
  for (long i = 0; i < n; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
}

// --tokenize NAME: source<TAB>target lines from standard input, each side as
// attnlab's tokenizer NAME splits it, tokens joined by single spaces: so that
// attnlab (--src-tokenizer space) and PyTorch (split()) see the same words.
int tokenize_pairs(const std::string& tokenizer) {
  auto joined = [&](const std::string& text) {
    std::string out;
    for (const std::string& t : tokenize(tokenizer, text)) out += (out.empty() ? "" : " ") + t;
    return out;
  };
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const auto end = line.find('\t', tab + 1);
    const std::string src = line.substr(0, tab);
    const std::string tgt = line.substr(tab + 1, end == std::string::npos ? end : end - tab - 1);
    std::cout << joined(src) << '\t' << joined(tgt) << '\n';
  }
  return 0;
}

// --sgemm-peak: the machine's sgemm rate on large squares (N = 2048), one BLAS
// thread and all cores.
int sgemm_peak() {
  Tape<float> t;
  const std::size_t N = 2048;
  Var<float> a = t.constant(xt::ones<float>({N, N})), w = t.constant(xt::ones<float>({N, N}));
  for (int threads : {1, static_cast<int>(default_threads())}) {
    set_blas_threads(threads);
    const double ms = median_ms([&] { matmul(a, w); }, 5);
    std::printf("{\"sgemm_threads\": %d, \"gflops\": %.1f}\n", threads, 2.0 * N * N * N / ms / 1e6);
  }
  return 0;
}

// What to time: the model and score by name, every number by its option's name.
struct Settings {
  std::string model = "attention", score = "additive";
  std::map<std::string, long> n{{"embed", 64},
                                {"hidden", 128},
                                {"attn", 128},
                                {"batch", 64},
                                {"src-len", 30},
                                {"tgt-len", 12},
                                {"src-vocab", 40},
                                {"tgt-vocab", 15},
                                {"steps", 10},
                                {"decode-steps", 5},
                                {"threads", long(default_threads())}};
};

// The options over the defaults; false, having said which, on a bad one.
bool parse(int argc, char** argv, Settings& s) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--model")
      s.model = argv[i + 1];
    else if (k == "--score")
      s.score = argv[i + 1];
    else if (k.rfind("--", 0) == 0 && s.n.count(k.substr(2)) && std::atol(argv[i + 1]) > 0)
      s.n[k.substr(2)] = std::atol(argv[i + 1]);
    else {
      std::fprintf(stderr, "bench_train_step: bad option %s %s\n", argv[i], argv[i + 1]);
      return false;
    }
  }
  return true;
}

// The model the settings describe, the rest of its config at the defaults.
std::unique_ptr<EncoderDecoder<float>> make_bench_model(const Settings& s) {
  ModelConfig c;
  c.model = s.model;
  c.score = s.score;
  c.embed = s.n.at("embed");
  c.hidden = s.n.at("hidden");
  c.attention_hidden = s.n.at("attn");
  c.src_vocab = s.n.at("src-vocab");
  c.tgt_vocab = s.n.at("tgt-vocab");
  c.max_source_length = s.n.at("src-len");
  return make_model<float>(c);
}

// One batch of random tokens (none of the four specials), every source
// src-len long and every target tgt-len with <eos>.
Batch random_batch(const Settings& s) {
  Rng rng(1);
  const long B = s.n.at("batch"), Tx = s.n.at("src-len"), Ty = s.n.at("tgt-len");
  std::uniform_int_distribution<Index> src_tok(4, s.n.at("src-vocab") - 1),
      tgt_tok(4, s.n.at("tgt-vocab") - 1);
  std::vector<std::vector<Index>> xs(B, std::vector<Index>(Tx)), ys(B, std::vector<Index>(Ty - 1));
  for (auto& x : xs)
    for (auto& t : x) t = src_tok(rng);
  for (auto& y : ys)
    for (auto& t : y) t = tgt_tok(rng);
  return make_batch(xs, ys);
}

// A median in milliseconds, and the matrix products' floating-point
// operations of one run.
struct Timing {
  double ms = 0;
  std::uint64_t flops = 0;
};

// A training step: forward, backward, Adam.
Timing time_training(Adam<float>& opt, DataParallel<float>& par, const Batch& b, long steps) {
  Timing r;
  r.ms = median_ms(
      [&] {
        const std::uint64_t f0 = gemm_flops();
        opt.zero_grad();
        par.loss_and_backward(b);
        opt.step();
        r.flops = gemm_flops() - f0;
      },
      steps);
  return r;
}

// Greedy decoding of exactly Ty tokens per sequence.
Timing time_greedy(EncoderDecoder<float>& m, DataParallel<float>& par, const Batch& b, long Ty,
                   long steps) {
  // <eos> can never win, so greedy decodes exactly Ty tokens, as the PyTorch
  // side does: otherwise how soon each half-trained model stops would decide
  m.out.bias.value(Vocab::eos) = -1e9f;
  Timing r;
  const std::uint64_t f0 = gemm_flops();
  par.greedy(b, Ty);
  r.flops = gemm_flops() - f0;
  r.ms = median_ms([&] { par.greedy(b, Ty); }, steps);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--tokenize") return tokenize_pairs(argv[2]);
  if (argc == 2 && std::string(argv[1]) == "--sgemm-peak") return sgemm_peak();
  Settings s;
  if (!parse(argc, argv, s)) return 2;
  set_blas_threads(1);  // as attnlab train: one BLAS thread per shard
  auto m = make_bench_model(s);
  const Batch b = random_batch(s);
  Adam<float> opt(m->parameters());
  DataParallel<float> par(*m, static_cast<std::size_t>(s.n.at("threads")));
  const Timing train = time_training(opt, par, b, s.n.at("steps"));
  const Timing decode = time_greedy(*m, par, b, s.n.at("tgt-len"), s.n.at("decode-steps"));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"framework\": \"attnlab\", \"train_ms\": %.3f, \"decode_ms\": %.3f, \"peak_rss_mb\": "
      "%.1f, \"gemm_gflop_per_step\": %.4f, \"decode_gemm_gflop\": %.4f, \"threads\": %ld}\n",
      train.ms, decode.ms, ru.ru_maxrss / 1024.0, train.flops / 1e9, decode.flops / 1e9,
      s.n.at("threads"));
}
