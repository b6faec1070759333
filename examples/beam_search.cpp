// Beam search against greedy decoding, on an attention model trained briefly
// (so that it still makes mistakes) to sort or reverse 8..16 symbols: what a
// beam of K = 3 takes at each step, a table for K = 1..5, and held-out sources
// where beam search beats greedy. A beam ranks finished hypotheses by score =
// log-probability per token (<eos> included) and stops once a step's most
// likely candidate is <eos>; "score below greedy's" counts outputs it ranks
// below greedy's own output (which had not finished when the beam stopped).
//
//   beam_search [--steps N] [--task NAME]   (default: 300 steps of sort; or reverse)
#include <algorithm>
#include <attnlab.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "reverse_task.hpp"

using namespace attnlab;
using Seq = std::vector<Index>;

namespace {

// Symbols 4..11 as the letters a..h; the specials by name.
std::string text(const Seq& s) {
  const char* special[] = {"<pad>", "<unk>", "<sos>", "<eos>"};
  std::string t;
  for (Index x : s) t += x < 4 ? special[x] : std::string(1, static_cast<char>('a' + x - 4));
  return t;
}

// Runs a K-beam search on one source, printing what each step took.
Hypothesis trace(EncoderDecoder<float>& model, const Seq& src, std::size_t K, std::size_t max_len) {
  const BeamTrace print = [](std::size_t, std::size_t t, const std::vector<Hypothesis>& taken) {
    for (std::size_t i = 0; i < taken.size(); ++i) {
      const Hypothesis& h = taken[i];
      const std::string step = i ? "" : "step " + std::to_string(t + 1);
      std::printf("  %-8s %-22s log-prob %7.3f", step.c_str(),
                  (text(h.tokens) + (h.finished ? "<eos>" : "")).c_str(), h.log_prob);
      std::printf(h.finished ? "   finished, score %.3f\n" : "\n", h.score);
    }
  };
  return model.beam_search(make_batch({src}), K, max_len, print)[0];
}

// Beam search's output and greedy's for one source, and which one the score prefers.
void compare(const Hypothesis& beam, const Hypothesis& greedy) {
  for (const Hypothesis* h : {&beam, &greedy})
    std::printf("    %-7s %-17s log-prob %7.3f  score %7.3f\n", h == &beam ? "beam" : "greedy",
                text(h->tokens).c_str(), h->log_prob, h->score);
  std::printf(beam.tokens == greedy.tokens ? "    the same output\n"
              : beam.score > greedy.score
                  ? "    beam's output scores higher\n"
                  : "    greedy's scores higher, but had not finished when the beam stopped\n");
}

int fail(const std::string& what) {
  std::fprintf(stderr, "beam_search: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const examples::Options opt = examples::parse(argc, argv, "beam_search", "--task", 300);
  const std::string task = opt.value.empty() ? "sort" : opt.value;
  if (task != "sort" && task != "reverse")
    examples::usage("beam_search", "--task", "--task: '" + task + "' is not sort or reverse");
  ModelConfig c;  // attention, additive score
  c.embed = 16, c.hidden = c.attention_hidden = 32, c.src_vocab = c.tgt_vocab = 12;
  auto model = make_model<float>(c);
  Rng rng(7);
  std::vector<Seq> train_x, train_y, x, y;
  examples::make_reverse_pairs(rng, 4000, train_x, train_y, 8, 16);
  examples::make_reverse_pairs(rng, 300, x, y, 8, 16);
  if (task == "sort")
    for (auto* v : {&train_y, &y})
      for (Seq& s : *v) std::sort(s.begin(), s.end());

  std::printf("1. Training an attention model to %s 8..16 symbols, %d steps\n", task.c_str(),
              opt.steps);
  examples::train(*model, train_x, train_y, opt.steps);
  const std::size_t max_len = 20, n = x.size(), traced_k = 3;
  const auto greedy = model->greedy(make_batch(x), max_len);
  std::vector<std::vector<Hypothesis>> beam(6);
  for (std::size_t K = 1; K <= 5; ++K) beam[K] = model->beam_search(make_batch(x), K, max_len);
  auto right = [&](const Hypothesis& h, std::size_t i) { return h.tokens == y[i]; };

  std::printf("\n2. K = %zu, step by step: the candidates each step takes, best first\n", traced_k);
  // The first source K = 3 gets right and greedy wrong, the first the other
  // way round, or, if there is neither, the first source.
  const char* verdict[] = {"  K = 3 right, greedy wrong", "  greedy right, K = 3 wrong", ""};
  std::size_t shown = 0;
  for (int v = 0; v < 3; ++v)
    for (std::size_t i = 0; i < n; ++i) {
      const bool beam_ok = right(beam[traced_k][i], i), greedy_ok = right(greedy[i], i);
      if (!(v == 0 ? beam_ok && !greedy_ok : v == 1 ? greedy_ok && !beam_ok : !shown)) continue;
      std::printf("\n  source %s  target %s%s\n", text(x[i]).c_str(), text(y[i]).c_str(),
                  verdict[v]);
      const Hypothesis h = trace(*model, x[i], traced_k, max_len);
      compare(h, greedy[i]);
      if (h.tokens != beam[traced_k][i].tokens) return fail("the trace returned another output");
      ++shown;
      break;
    }

  std::printf("\n3. Beam sizes 1..5 on %zu held-out sequences (K = 1 must be greedy)\n", n);
  std::printf(
      "   K   exact   mean log-prob   differ from greedy   beam right only"
      "   greedy right only   score below greedy's\n");
  for (std::size_t K = 1; K <= 5; ++K) {
    std::size_t exact = 0, differ = 0, beam_only = 0, greedy_only = 0, worse = 0;
    double log_prob = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Hypothesis& h = beam[K][i];
      exact += right(h, i);
      log_prob += h.log_prob;
      worse += h.score < greedy[i].score - 1e-4;  // greedy's log-prob is approximate
      differ += h.tokens != greedy[i].tokens;
      beam_only += right(h, i) && !right(greedy[i], i);
      greedy_only += right(greedy[i], i) && !right(h, i);
    }
    std::printf("  %2zu  %5.1f%%  %14.3f  %19zu  %16zu  %18zu  %21zu\n", K, 100.0 * exact / n,
                log_prob / n, differ, beam_only, greedy_only, worse);
    if (K == 1 && differ) return fail("K = 1 differs from greedy on " + std::to_string(differ));
  }

  std::printf("\n4. Where the widest beam (K = 5) beats greedy\n");
  std::size_t found = 0;
  for (std::size_t i = 0; i < n && found < 2; ++i)
    if (right(beam[5][i], i) && !right(greedy[i], i)) {
      std::printf("  source %s  target %s\n", text(x[i]).c_str(), text(y[i]).c_str());
      compare(beam[5][i], greedy[i]);
      ++found;
    }
  if (!found)
    std::printf("  nowhere: K = 5 gets no held-out source right that greedy gets wrong\n");
  std::printf("\nK = 1 gave greedy's output on all %zu held-out sequences.\n", n);
  return 0;
}
