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
#include <string>

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

}  // namespace

int main(int argc, char** argv) {
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
  if (argc == 3 && std::string(argv[1]) == "--tokenize") {
    // source<TAB>target lines from standard input, each side as attnlab's
    // tokenizer argv[2] splits it, tokens joined by single spaces: so that
    // attnlab (--src-tokenizer space) and PyTorch (split()) see the same words
    auto joined = [&](const std::string& text) {
      std::string out;
      for (const std::string& t : tokenize(argv[2], text)) out += (out.empty() ? "" : " ") + t;
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
  if (argc == 2 && std::string(argv[1]) == "--sgemm-peak") {
    // The machine's sgemm rate on large squares (N = 2048), one BLAS thread and all cores.
    Tape<float> t;
    const std::size_t N = 2048;
    Var<float> a = t.constant(xt::ones<float>({N, N})), w = t.constant(xt::ones<float>({N, N}));
    for (int threads : {1, static_cast<int>(default_threads())}) {
      set_blas_threads(threads);
      const double ms = median_ms([&] { matmul(a, w); }, 5);
      std::printf("{\"sgemm_threads\": %d, \"gflops\": %.1f}\n", threads,
                  2.0 * N * N * N / ms / 1e6);
    }
    return 0;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--model")
      model = argv[i + 1];
    else if (k == "--score")
      score = argv[i + 1];
    else if (k.rfind("--", 0) == 0 && n.count(k.substr(2)) && std::atol(argv[i + 1]) > 0)
      n[k.substr(2)] = std::atol(argv[i + 1]);
    else {
      std::fprintf(stderr, "bench_train_step: bad option %s %s\n", argv[i], argv[i + 1]);
      return 2;
    }
  }
  set_blas_threads(1);  // as attnlab train: one BLAS thread per shard
  ModelConfig c;
  c.model = model;
  c.score = score;
  c.embed = n["embed"];
  c.hidden = n["hidden"];
  c.attention_hidden = n["attn"];
  c.src_vocab = n["src-vocab"];
  c.tgt_vocab = n["tgt-vocab"];
  c.max_source_length = n["src-len"];
  auto m = make_model<float>(c);
  Rng rng(1);
  const long B = n["batch"], Tx = n["src-len"], Ty = n["tgt-len"];
  std::uniform_int_distribution<Index> src_tok(4, n["src-vocab"] - 1),
      tgt_tok(4, n["tgt-vocab"] - 1);
  std::vector<std::vector<Index>> xs(B, std::vector<Index>(Tx)), ys(B, std::vector<Index>(Ty - 1));
  for (auto& x : xs)
    for (auto& t : x) t = src_tok(rng);
  for (auto& y : ys)
    for (auto& t : y) t = tgt_tok(rng);
  const Batch b = make_batch(xs, ys);
  Adam<float> opt(m->parameters());
  DataParallel<float> par(*m, static_cast<std::size_t>(n["threads"]));
  std::uint64_t flops = 0;
  const double train_ms = median_ms(
      [&] {
        const std::uint64_t f0 = gemm_flops();
        opt.zero_grad();
        par.loss_and_backward(b);
        opt.step();
        flops = gemm_flops() - f0;
      },
      n["steps"]);
  // <eos> can never win, so greedy decodes exactly Ty tokens, as the PyTorch
  // side does: otherwise how soon each half-trained model stops would decide
  m->out.bias.value(Vocab::eos) = -1e9f;
  const std::uint64_t f0 = gemm_flops();
  par.greedy(b, Ty);
  const std::uint64_t decode_flops = gemm_flops() - f0;
  const double decode_ms = median_ms([&] { par.greedy(b, Ty); }, n["decode-steps"]);
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"framework\": \"attnlab\", \"train_ms\": %.3f, \"decode_ms\": %.3f, \"peak_rss_mb\": "
      "%.1f, \"gemm_gflop_per_step\": %.4f, \"decode_gemm_gflop\": %.4f, \"threads\": %ld}\n",
      train_ms, decode_ms, ru.ru_maxrss / 1024.0, flops / 1e9, decode_flops / 1e9, n["threads"]);
}
