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
#include <memory>
#include <string>
#include <thread>
#include <vector>

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

// The command line: training steps, the SVG to write, the seed.
struct Options {
  long steps = 400;
  std::uint64_t seed = 1;
  std::string out_path = "dates_alignment.svg";
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    char* end = nullptr;
    const std::string opt = argv[i];
    if (opt == "--out") {
      o.out_path = argv[i + 1];
    } else if (opt == "--steps" || opt == "--seed") {
      const long v = std::strtol(argv[i + 1], &end, 10);
      if (*end || v < 1 || v > 1000000) usage(opt + ": not a whole number in [1, 1e6]");
      if (opt == "--steps")
        o.steps = v;
      else
        o.seed = static_cast<std::uint64_t>(v);
    } else {
      usage("unknown option " + opt);
    }
  }
  return o;
}

// 8,000 dates to learn from and 300 held out, as characters.
struct Dates {
  std::vector<TextPair> train_pairs, test_pairs;
  Vocab sv, tv;
  std::vector<Example> train, test;
};

Dates make_dates(std::uint64_t seed) {
  Dates d;
  d.train_pairs = make_task("dates", 8000, seed);
  d.test_pairs = make_task("dates", 300, seed + 1000);
  d.sv = Vocab::build(tokenize_all(d.train_pairs, true, "char"));
  d.tv = Vocab::build(tokenize_all(d.train_pairs, false, "char"));
  d.train = encode_pairs(d.train_pairs, "char", "char", d.sv, d.tv);
  d.test = encode_pairs(d.test_pairs, "char", "char", d.sv, d.tv);
  return d;
}

// Bahdanau attention with the additive score, attnlab's default sizes,
// trained with Adam on every core, its loss printed every 100 steps.
std::unique_ptr<EncoderDecoder<float>> train_model(const Dates& d, const Options& opts) {
  ModelConfig c;
  c.src_vocab = d.sv.size(), c.tgt_vocab = d.tv.size(), c.seed = opts.seed;
  auto model = make_model<float>(c);

  TrainOptions o;
  o.max_steps = opts.steps, o.seed = opts.seed, o.log_every = 100, o.optim.lr = 0.003;
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  o.on_log = [](const TrainProgress& p) {
    std::printf("  step %5zu/%zu  loss %.4f  %5.1f s\n", p.step, p.planned, p.loss, p.elapsed);
    std::fflush(stdout);
  };
  std::printf("training %s on %zu dates for %ld steps (%zu threads)\n", model_label(c).c_str(),
              d.train.size(), opts.steps, o.threads);
  Trainer(*model, d.sv, d.tv, o).run(d.train, {});
  return model;
}

// Every held-out date's learned alignment (the argmax of its attention)
// beside the gold one.
struct Alignments {
  std::vector<Alignment> gold;
  std::vector<std::vector<Link>> argmax;
  double mass = 0;                 // the mean attention on gold positions
  double shift[4] = {};            // argmax at the sure link's source -1, +0, +1, elsewhere
  std::vector<svg::Heatmap> maps;  // the first three dates'
};

// The first three are drawn in the terminal as they come.
Alignments compare_alignments(EncoderDecoder<float>& model, const Dates& d) {
  Alignments a;
  for (std::size_t k = 0; k < d.test.size(); ++k) {
    const Hypothesis h = model.greedy(make_batch({d.test[k].src}), 16).front();
    const std::string out = detokenize("char", d.tv.decode(h.tokens));
    a.gold.push_back(*task_alignment("dates", d.test_pairs[k]));
    a.argmax.push_back(argmax_alignment(h.attention, h.tokens.size()));
    a.mass += gold_attention_mass(a.gold.back(), h.attention) / static_cast<double>(d.test.size());
    for (const Link& l : a.gold.back().sure)
      if (l.tgt < a.argmax.back().size()) {
        const long dist = static_cast<long>(a.argmax.back()[l.tgt].src) - static_cast<long>(l.src);
        ++a.shift[dist >= -1 && dist <= 1 ? dist + 1 : 3];
      }
    if (k >= 3) continue;
    const TextPair& p = d.test_pairs[k];
    print_attention(p, out, h.attention, a.gold.back());
    svg::Heatmap m{p.src + "  →  " + out, chars(p.src), chars(out), {}, a.gold.back()};
    for (std::size_t i = 0; i < h.attention.shape()[0]; ++i)
      m.weights.emplace_back(&h.attention(i, 0), &h.attention(i, 0) + h.attention.shape()[1]);
    a.maps.push_back(m);
  }
  return a;
}

void print_summary(const Alignments& a) {
  std::printf(
      "\nover all %zu held-out dates: alignment error rate %.3f (0 = the gold links),\n"
      "mean attention on gold positions %.2f\n",
      a.gold.size(), alignment_error_rate(a.gold, a.argmax), a.mass);
  const auto& shift = a.shift;
  const double n = shift[0] + shift[1] + shift[2] + shift[3];
  std::printf(
      "where a copied character's strongest weight lies: on it %.0f%%, one to the left "
      "%.0f%%,\none to the right %.0f%%, elsewhere %.0f%%\n",
      100 * shift[1] / n, 100 * shift[0] / n, 100 * shift[2] / n, 100 * shift[3] / n);
}

// The heatmaps one under another in one SVG file; the exit status.
int write_heatmaps(const std::vector<svg::Heatmap>& maps, const std::string& out_path) {
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

}  // namespace

int main(int argc, char** argv) {
  const Options opts = parse(argc, argv);
  const Dates d = make_dates(opts.seed);
  const auto model = train_model(d, opts);
  const EvalResult r = evaluate(*model, d.test, d.tv);
  std::printf("held-out: %.1f%% of %zu dates exactly right\n", 100 * r.exact_accuracy, r.sentences);
  const Alignments a = compare_alignments(*model, d);
  print_summary(a);
  return write_heatmaps(a.maps, opts.out_path);
}
