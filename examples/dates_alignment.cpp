// Attention that learns an alignment: train on dates ("Sunday, May 3, 1998"
// -> "1998-05-03"), then show where the model looks while writing each
// character of a few held-out dates, beside the gold alignment (the
// characters the output copies), in the terminal and as SVG heatmaps.
//
//   dates_alignment [--steps N] [--out FILE.svg] [--seed N]
#include <attnlab.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

using namespace attnlab;

namespace {

[[noreturn]] void usage(const std::string& what) {
  std::fprintf(stderr,
               "dates_alignment: %s\nusage: dates_alignment [--steps N] [--out FILE.svg] "
               "[--seed N]\n",
               what.c_str());
  std::exit(2);
}

std::vector<std::string> chars(const std::string& s) { return tokenize("char", s); }

// The weights as shades, " .:-=+*#%@" from 0 to 1, beside the gold links
// (S sure, p possible), one row per output character.
void print_attention(const TextPair& p, const std::string& out, const Array<float>& att,
                     const Alignment& gold) {
  const char* shades = " .:-=+*#%@";
  std::printf("\n  %s  ->  %s\n  %-3s%-*s | gold\n", p.src.c_str(), out.c_str(), "",
              static_cast<int>(p.src.size()), p.src.c_str());
  for (std::size_t i = 0; i < out.size() && i < att.shape()[0]; ++i) {
    std::string learned, marks(p.src.size(), ' ');
    for (std::size_t j = 0; j < p.src.size(); ++j)
      learned += shades[std::min(9, static_cast<int>(att(i, j) * 10))];
    for (const Link& l : gold.possible)
      if (l.tgt == i) marks[l.src] = 'p';
    for (const Link& l : gold.sure)
      if (l.tgt == i) marks[l.src] = 'S';
    std::printf("  %c  %s | %s\n", out[i], learned.c_str(), marks.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  long steps = 400;
  std::uint64_t seed = 1;
  std::string out_path = "dates_alignment.svg";
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    char* end = nullptr;
    const std::string opt = argv[i];
    if (opt == "--out") {
      out_path = argv[i + 1];
    } else if (opt == "--steps" || opt == "--seed") {
      const long v = std::strtol(argv[i + 1], &end, 10);
      if (*end || v < 1 || v > 1000000) usage(opt + ": not a whole number in [1, 1e6]");
      if (opt == "--steps")
        steps = v;
      else
        seed = static_cast<std::uint64_t>(v);
    } else {
      usage("unknown option " + opt);
    }
  }

  const auto train_pairs = make_task("dates", 8000, seed);
  const auto test_pairs = make_task("dates", 300, seed + 1000);
  const Vocab sv = Vocab::build(tokenize_all(train_pairs, true, "char"));
  const Vocab tv = Vocab::build(tokenize_all(train_pairs, false, "char"));
  const auto train = encode_pairs(train_pairs, "char", "char", sv, tv);
  const auto test = encode_pairs(test_pairs, "char", "char", sv, tv);
  ModelConfig c;  // Bahdanau attention with the additive score, attnlab's default sizes
  c.src_vocab = sv.size(), c.tgt_vocab = tv.size(), c.seed = seed;
  auto model = make_model<float>(c);

  TrainOptions o;
  o.max_steps = steps, o.seed = seed, o.log_every = 100, o.optim.lr = 0.003;
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  o.on_log = [](const TrainProgress& p) {
    std::printf("  step %5zu/%zu  loss %.4f  %5.1f s\n", p.step, p.planned, p.loss, p.elapsed);
    std::fflush(stdout);
  };
  std::printf("training %s on %zu dates for %ld steps (%zu threads)\n", model_label(c).c_str(),
              train.size(), steps, o.threads);
  Trainer(*model, sv, tv, o).run(train, {});
  const EvalResult r = evaluate(*model, test, tv);
  std::printf("held-out: %.1f%% of %zu dates exactly right\n", 100 * r.exact_accuracy, r.sentences);

  // Every held-out date: the argmax of its attention against the gold links.
  std::vector<Alignment> gold;
  std::vector<std::vector<Link>> argmax;
  std::vector<svg::Heatmap> maps;
  double mass = 0, shift[4] = {};  // argmax at the sure link's source -1, +0, +1, elsewhere
  for (std::size_t k = 0; k < test.size(); ++k) {
    const Hypothesis h = model->greedy(make_batch({test[k].src}), 16).front();
    const std::string out = detokenize("char", tv.decode(h.tokens));
    gold.push_back(*task_alignment("dates", test_pairs[k]));
    argmax.push_back(argmax_alignment(h.attention, h.tokens.size()));
    mass += gold_attention_mass(gold.back(), h.attention) / static_cast<double>(test.size());
    for (const Link& l : gold.back().sure)
      if (l.tgt < argmax.back().size()) {
        const long d = static_cast<long>(argmax.back()[l.tgt].src) - static_cast<long>(l.src);
        ++shift[d >= -1 && d <= 1 ? d + 1 : 3];
      }
    if (k >= 3) continue;
    print_attention(test_pairs[k], out, h.attention, gold.back());
    svg::Heatmap m{
        test_pairs[k].src + "  →  " + out, chars(test_pairs[k].src), chars(out), {}, gold.back()};
    for (std::size_t i = 0; i < h.attention.shape()[0]; ++i)
      m.weights.emplace_back(&h.attention(i, 0), &h.attention(i, 0) + h.attention.shape()[1]);
    maps.push_back(m);
  }
  std::printf(
      "\nover all %zu held-out dates: alignment error rate %.3f (0 = the gold links),\n"
      "mean attention on gold positions %.2f\n",
      test.size(), alignment_error_rate(gold, argmax), mass);
  const double n = shift[0] + shift[1] + shift[2] + shift[3];
  std::printf(
      "where a copied character's strongest weight lies: on it %.0f%%, one to the left "
      "%.0f%%,\none to the right %.0f%%, elsewhere %.0f%%\n",
      100 * shift[1] / n, 100 * shift[0] / n, 100 * shift[2] / n, 100 * shift[3] / n);

  std::string body;
  double y = 10, width = 300;
  for (const auto& m : maps) {
    body += svg::heatmap(m, 0, y);
    width = std::max(width, svg::heatmap_size(m).first);
    y += svg::heatmap_size(m).second + 20;
  }
  try {
    write_file_atomically(out_path, svg::document(width, y, body));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dates_alignment: %s\n", e.what());
    return 1;
  }
  std::printf("wrote %s: the heatmaps, gold links ringed (solid sure, dashed possible)\n",
              out_path.c_str());
  return 0;
}
