// Every decoder variant with every cell and every score: parameter layout,
// gradients, padding semantics, decoding (greedy, beam), and overfitting a
// 5-pair task. The lists come from the registries, so a new variant, cell or
// score is tested here without editing this file.
#include <cmath>
#include <map>
#include <xtensor/xview.hpp>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// D = 3 != 2H = 4 where the score and the start allow it (so that sizes are
// not confused), else D = 2H = 4.
ModelConfig tiny(const std::string& model, const std::string& score = "additive",
                 const std::string& cell = "lstm") {
  ModelConfig c;
  c.model = model;
  c.cell = cell;
  c.score = score;
  c.embed = 2;
  c.hidden = 2;
  const bool square = !attends(c) || (score_needs(score) & kNeedsDEquals2H);
  c.decoder_hidden = square ? 4 : 3;
  if (!square) c.decoder_init = "zero";
  c.attention_hidden = 3;
  c.max_source_length = 6;
  c.src_vocab = 6;
  c.tgt_vocab = 7;
  c.seed = 3;
  return c;
}

// Every variant (by its own name) with every score it reads, for one cell.
std::vector<ModelConfig> every_variant(const std::string& cell) {
  std::vector<ModelConfig> all;
  for (const std::string& name : decoder_names()) {
    if (decoder_variant(name).name != name) continue;  // another name for one already here
    if (!decoder_variant(name).attends) {
      all.push_back(tiny(name, "additive", cell));
      continue;
    }
    for (const std::string& score : score_names())
      if (score != "concat") all.push_back(tiny(name, score, cell));  // concat: additive's alias
  }
  return all;
}

// Unequal lengths on both sides, so padding is exercised.
Batch padded_batch() { return make_batch({{4, 5, 4}, {5}, {4, 5}}, {{4, 6}, {5}, {6, 6, 4}}); }

std::vector<Array<double>> grads_of(EncoderDecoder<double>& m, const Batch& b, double* loss) {
  for (auto* p : m.parameters()) p->zero_grad();
  Tape<double> t;
  Var<double> l = m.loss(t, b);
  backward(l);
  *loss = l.item();
  std::vector<Array<double>> g;
  for (auto* p : m.parameters()) g.push_back(p->grad);
  return g;
}

void check_gradients(const ModelConfig& c) {
  auto m = make_model<double>(c);
  const Batch b = padded_batch();
  auto r = gradcheck(
      model_label(c), [&](Tape<double>& t) { return m->loss(t, b); }, m->parameters());
  INFO(r.message);
  CHECK(r.ok);
}

}  // namespace

// A score the library does not ship, registered here and nowhere else: no
// list is edited, yet every "every score" loop in this file runs it.
namespace attnlab::test {
template <class T>
class HalfDotScore : public ScoreFunction<T> {
 public:
  HalfDotScore(const std::string&, const ScoreSizes&, Rng&) {}
  void prepare(Tape<T>&, const Var<T>& h) override { h_ = h; }
  Var<T> score(Tape<T>&, const Var<T>& s) override { return dot_each(h_, s) * T(0.5); }

 private:
  Var<T> h_;
};
}  // namespace attnlab::test
ATTNLAB_REGISTER_SCORE(test_half_dot, attnlab::test::HalfDotScore, attnlab::kNeedsDEquals2H)

namespace {

// The 5-pair task: reverse short sequences (ids 4..9).
const std::vector<std::vector<Index>> kSrc{{4, 5, 6}, {7, 8}, {9, 4, 7, 5}, {6}, {8, 9, 4}};
std::vector<std::vector<Index>> reversed(std::vector<std::vector<Index>> v) {
  for (auto& s : v) std::reverse(s.begin(), s.end());
  return v;
}

// Trains until greedy decoding reproduces every target; returns the number
// of sequences still wrong.
std::size_t overfit(const std::string& model, const std::string& score,
                    const std::string& cell = "lstm") {
  ModelConfig c;
  c.model = model;
  c.score = score;
  c.cell = cell;
  c.embed = 8;
  c.hidden = 16;
  c.attention_hidden = 16;
  c.src_vocab = c.tgt_vocab = 10;
  c.max_source_length = 8;
  auto m = make_model<float>(c);
  const auto tgt = reversed(kSrc);
  const Batch b = make_batch(kSrc, tgt);
  Adam<float> opt(m->parameters(), 0.02);
  std::size_t wrong = kSrc.size();
  for (int epoch = 0; epoch < 400 && wrong > 0; ++epoch) {
    Tape<float> t;
    Var<float> l = m->loss(t, b);
    opt.zero_grad();
    backward(l);
    opt.step();
    if (epoch % 10 != 9) continue;
    wrong = 0;
    const auto hyps = m->greedy(b, 10);
    for (std::size_t i = 0; i < hyps.size(); ++i) wrong += hyps[i].tokens != tgt[i];
  }
  return wrong;
}

}  // namespace

TEST_CASE("models: parameter names and shapes follow docs/MODEL_SPEC.md") {
  ModelConfig c = tiny("attention", "additive");  // E 2, H 2, D 3, A 3, Vs 6, Vt 7
  auto m = make_model<float>(c);
  std::map<std::string, Shape> got;
  for (auto* p : m->parameters())
    got[p->name] = Shape(p->value.shape().begin(), p->value.shape().end());
  const std::map<std::string, Shape> want{
      {"encoder.embedding.weight", {6, 2}},
      {"encoder.lstm.weight_ih_l0", {8, 2}},
      {"encoder.lstm.weight_hh_l0", {8, 2}},
      {"encoder.lstm.bias_ih_l0", {8}},
      {"encoder.lstm.bias_hh_l0", {8}},
      {"encoder.lstm.weight_ih_l0_reverse", {8, 2}},
      {"encoder.lstm.weight_hh_l0_reverse", {8, 2}},
      {"encoder.lstm.bias_ih_l0_reverse", {8}},
      {"encoder.lstm.bias_hh_l0_reverse", {8}},
      {"decoder.embedding.weight", {7, 2}},
      {"decoder.lstm.weight_ih", {12, 6}},  // 4D x (2H + E)
      {"decoder.lstm.weight_hh", {12, 3}},
      {"decoder.lstm.bias_ih", {12}},
      {"decoder.lstm.bias_hh", {12}},
      {"decoder.attention.hidden.weight", {3, 7}},  // A x (D + 2H)
      {"decoder.attention.hidden.bias", {3}},
      {"decoder.attention.out.weight", {1, 3}},
      {"decoder.attention.out.bias", {1}},
      {"decoder.out.weight", {7, 3}},
      {"decoder.out.bias", {7}}};
  CHECK(got == want);
  auto plain = make_model<float>(tiny("seq2seq"));
  for (auto* p : plain->parameters())
    if (p->name == "decoder.lstm.weight_ih") CHECK(p->value.shape() == Shape{16, 2});  // 4D x E
  CHECK(plain->parameters().size() == want.size() - 4);
}

TEST_CASE("models: luong and GRU parameters named and shaped as docs/MODEL_SPEC.md says") {
  ModelConfig c = tiny("luong", "general", "gru");  // E 2, H 2, D 3, Vs 6, Vt 7
  auto m = make_model<float>(c);
  std::map<std::string, Shape> got;
  for (auto* p : m->parameters())
    got[p->name] = Shape(p->value.shape().begin(), p->value.shape().end());
  std::map<std::string, Shape> want{
      {"encoder.embedding.weight", {6, 2}}, {"decoder.embedding.weight", {7, 2}},
      {"decoder.gru.weight_ih", {9, 5}},  // 3D x (E + D)
      {"decoder.gru.weight_hh", {9, 3}},    {"decoder.gru.bias_ih", {9}},
      {"decoder.gru.bias_hh", {9}},         {"decoder.attention.linear.weight", {3, 4}},  // D x 2H
      {"decoder.combine.weight", {3, 7}},  // D x (2H + D)
      {"decoder.out.weight", {7, 3}},       {"decoder.out.bias", {7}}};
  for (const char* suffix : {"_l0", "_l0_reverse"}) {
    want[std::string("encoder.gru.weight_ih") + suffix] = {6, 2};  // 3H x E
    want[std::string("encoder.gru.weight_hh") + suffix] = {6, 2};
    want[std::string("encoder.gru.bias_ih") + suffix] = {6};
    want[std::string("encoder.gru.bias_hh") + suffix] = {6};
  }
  CHECK(got == want);
}

TEST_CASE("models: bahdanau is another name for attention, config.json keeps 'attention'") {
  auto m = make_model<float>(tiny("bahdanau"));
  CHECK(m->config().model == "attention");
  CHECK(m->config().decoder_init == "zero");
  CHECK(make_model<float>(tiny("luong", "dot"))->config().decoder_init == "encoder");
}

TEST_CASE(
    "models: a score registered outside the library is refused at a wrong size, "
    "gradient-checked at a right one") {
  ModelConfig c = tiny("attention", "test_half_dot");
  CHECK(c.D() == 4);  // tiny() read the score's declared need
  c.decoder_hidden = 3;
  c.decoder_init = "zero";
  CHECK_THROWS_WITH_AS(make_model<float>(c), doctest::Contains("test_half_dot score"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(make_model<float>(c), doctest::Contains("D = 3"), std::invalid_argument);
  for (const char* model : {"attention", "luong"}) check_gradients(tiny(model, "test_half_dot"));
}

TEST_CASE("models: a size that does not fit is refused at construction, naming the sizes") {
  ModelConfig c = tiny("attention", "dot");
  c.decoder_hidden = 5;
  CHECK_THROWS_WITH_AS(make_model<float>(c), doctest::Contains("D = 5"), std::invalid_argument);
  c = tiny("seq2seq");
  c.decoder_hidden = 6;
  CHECK_THROWS_WITH_AS(make_model<float>(c), doctest::Contains("2H = 4"), std::invalid_argument);
  c = tiny("attention");
  c.score = "nonesuch";
  CHECK_THROWS_WITH_AS(make_model<float>(c), doctest::Contains("unknown score 'nonesuch'"),
                       std::invalid_argument);
  c = tiny("seq2seq");
  c.model = "transformer";
  CHECK_THROWS_WITH_AS(make_model<float>(c), doctest::Contains("'transformer'"),
                       std::invalid_argument);
}

TEST_CASE("every variant x score, LSTM: gradient matches finite differences over a padded batch") {
  for (const ModelConfig& c : every_variant("lstm")) check_gradients(c);
}
TEST_CASE("every variant x score, GRU: gradient matches finite differences over a padded batch") {
  for (const ModelConfig& c : every_variant("gru")) check_gradients(c);
}
TEST_CASE("attention and luong with the other start: gradient matches finite differences") {
  for (const char* model : {"attention", "luong"})
    for (const std::string& cell : cell_names()) {
      ModelConfig c = tiny(model, "dot", cell);
      c.decoder_init = decoder_variant(model).decoder_init == "zero" ? "encoder" : "zero";
      check_gradients(c);
    }
}

TEST_CASE("models: appending padding changes no loss and no gradient") {
  for (const std::string& cell : cell_names())
    for (const ModelConfig& c : every_variant(cell)) {
      INFO(model_label(c));
      auto m = make_model<double>(c);
      const Batch b = padded_batch();
      Batch wide = b;  // one more pad column on each side
      wide.src = xt::zeros<Index>(Shape{3, b.src.shape()[1] + 1});
      xt::view(wide.src, xt::all(), xt::range(0, b.src.shape()[1])) = b.src;
      wide.tgt_in = xt::zeros<Index>(Shape{3, b.tgt_in.shape()[1] + 2});
      wide.tgt_out = wide.tgt_in;
      xt::view(wide.tgt_in, xt::all(), xt::range(0, b.tgt_in.shape()[1])) = b.tgt_in;
      xt::view(wide.tgt_out, xt::all(), xt::range(0, b.tgt_out.shape()[1])) = b.tgt_out;
      double l1 = 0, l2 = 0;
      const auto g1 = grads_of(*m, b, &l1);
      const auto g2 = grads_of(*m, wide, &l2);
      CHECK(l1 == doctest::Approx(l2).epsilon(1e-13));
      for (std::size_t k = 0; k < g1.size(); ++k) CHECK_ALL_CLOSE_TOL(g1[k], g2[k], 1e-11, 1e-14);
    }
}

TEST_CASE("attention: padded positions get exactly zero weight, rows sum to 1, no NaN") {
  for (const ModelConfig& c : every_variant("lstm")) {
    if (!attends(c)) continue;
    INFO(model_label(c));
    auto m = make_model<float>(c);
    const Batch b = make_batch({{4, 5, 4, 4}, {5}});  // a length-1 source beside a longer one
    for (const Hypothesis& h : m->greedy(b, 5)) {
      REQUIRE(h.attention.dimension() == 2);
      for (std::size_t r = 0; r < h.attention.shape()[0]; ++r) {
        float total = 0;
        for (std::size_t j = 0; j < h.attention.shape()[1]; ++j) {
          CHECK(std::isfinite(h.attention(r, j)));
          total += h.attention(r, j);
        }
        CHECK(total == doctest::Approx(1.0f).epsilon(1e-5));
      }
    }
    // The length-1 source: all weight on its one position; the padding got none.
    CHECK(m->greedy(b, 5)[1].attention.shape()[1] == 1);
    Rng rng(1);
    Attention<float> att(c.score, "a", score_sizes(c), rng);
    Tape<float> t;
    Encoded<float> enc = m->encode(t, b.src, b.src_len);
    att.prepare(t, enc.h, enc.pad);
    Var<float> w = att.attend(t, t.constant(xt::ones<float>(Shape{2, m->config().D()}))).weights;
    CHECK(w.value()(1, 0) == 1.0f);
    for (std::size_t j = 1; j < 4; ++j) CHECK(w.value()(1, j) == 0.0f);
  }
}

TEST_CASE(
    "forced attention: one row per reference token and <eos>, rows sum to 1, none unattended") {
  for (const std::string& cell : cell_names())
    for (const ModelConfig& c : every_variant(cell)) {
      INFO(model_label(c));
      auto m = make_model<float>(c);
      const Batch b = padded_batch();  // sources of 3, 1, 2 tokens; targets of 2, 1, 3
      const std::vector<Array<float>> att = m->forced_attention(b);
      REQUIRE(att.size() == 3);
      if (!attends(c)) {
        for (const Array<float>& a : att) CHECK(a.size() == 0);
        continue;
      }
      const std::size_t tx[] = {3, 1, 2}, ty[] = {2, 1, 3};
      for (std::size_t i = 0; i < 3; ++i) {
        REQUIRE(att[i].dimension() == 2);
        CHECK(att[i].shape()[0] == ty[i] + 1);
        CHECK(att[i].shape()[1] == tx[i]);
        for (std::size_t r = 0; r < att[i].shape()[0]; ++r) {
          double total = 0;
          for (std::size_t j = 0; j < tx[i]; ++j) {
            CHECK(std::isfinite(att[i](r, j)));
            total += att[i](r, j);
          }
          CHECK(total == doctest::Approx(1.0).epsilon(1e-5));
        }
      }
      CHECK_THROWS_AS(m->forced_attention(make_batch({{4, 5}})), std::invalid_argument);
    }
}

TEST_CASE("forced attention: fed greedy's own output, it reads the weights greedy produced") {
  for (const ModelConfig& c : every_variant("lstm")) {
    if (!attends(c)) continue;
    INFO(model_label(c));
    auto m = make_model<float>(c);
    const std::vector<std::vector<Index>> src = {{4, 5, 4}, {5}, {4, 4, 5, 5}};
    const std::vector<Hypothesis> g = m->greedy(make_batch(src), 6);
    std::vector<std::vector<Index>> ref;
    for (const Hypothesis& h : g) ref.push_back(h.tokens);
    const std::vector<Array<float>> att = m->forced_attention(make_batch(src, ref));
    for (std::size_t i = 0; i < g.size(); ++i) {
      // greedy's rows: its tokens, then <eos> if it finished; forced: tokens and <eos>
      const std::size_t rows = g[i].attention.shape()[0];
      REQUIRE(att[i].shape()[0] == g[i].tokens.size() + 1);
      REQUIRE(rows == g[i].tokens.size() + (g[i].finished ? 1 : 0));
      const Array<float> same = xt::view(att[i], xt::range(0, rows), xt::all());
      CHECK_ALL_CLOSE_TOL(same, g[i].attention, 1e-5, 1e-6);
    }
  }
}

TEST_CASE("decoding: beam search with K = 1 equals greedy, attention included") {
  for (const std::string& cell : cell_names())
    for (const ModelConfig& c : every_variant(cell)) {
      INFO(model_label(c));
      auto m = make_model<float>(c);
      const Batch b = make_batch({{4, 5, 4}, {5}, {4, 4, 5, 5}});
      const auto g = m->greedy(b, 6);
      const auto k1 = m->beam_search(b, 1, 6);
      for (std::size_t i = 0; i < g.size(); ++i) {
        CHECK(g[i].tokens == k1[i].tokens);
        CHECK(g[i].finished == k1[i].finished);
        CHECK(g[i].log_prob == doctest::Approx(k1[i].log_prob).epsilon(1e-5));
        CHECK_ALL_CLOSE_TOL(g[i].attention, k1[i].attention, 1e-6, 1e-7);
      }
    }
}

TEST_CASE("decoding: a beam's log-probability is the model's, and K = 4 scores at least K = 1") {
  std::size_t checked = 0;
  for (const std::string& cell : cell_names())
    for (const std::string model : {"seq2seq", "attention", "luong"}) {
      INFO(model << "@" << cell);
      auto m = make_model<double>(tiny(model, "additive", cell));
      const Batch b = make_batch({{4, 5, 4}, {5, 5}});
      const auto k4 = m->beam_search(b, 4, 8);
      const auto k1 = m->beam_search(b, 1, 8);
      for (std::size_t i = 0; i < 2; ++i) {
        if (!k4[i].finished) continue;  // cut at max_len: no <eos> to score as a target
        ++checked;
        // -loss x (tokens + <eos>) over the hypothesis as a target = its log-probability
        Batch one = make_batch({std::vector<Index>(&b.src(i, 0), &b.src(i, 0) + b.src_len[i])},
                               {k4[i].tokens});
        Tape<double> t;
        const double lp = -m->loss(t, one).item() * static_cast<double>(k4[i].tokens.size() + 1);
        CHECK(k4[i].log_prob == doctest::Approx(lp).epsilon(1e-9));
        CHECK(k4[i].score == doctest::Approx(lp / (k4[i].tokens.size() + 1)).epsilon(1e-9));
        if (k1[i].finished) CHECK(k4[i].score >= k1[i].score - 1e-12);
      }
    }
  CHECK(checked >= 8);  // most of the 12 hypotheses end with <eos>
}

TEST_CASE("decoding: a beam trace sees each step and ends with what beam_search returns") {
  const Batch b = make_batch({{4, 5, 4}, {5}, {4, 4, 5, 5}});
  const std::size_t max_len = 6;
  for (const std::string& cell : cell_names())
    for (const ModelConfig& c : every_variant(cell))
      for (const std::size_t K : {1, 3}) {
        INFO(model_label(c) << " K = " << K);
        auto m = make_model<double>(c);
        std::vector<std::vector<std::vector<Hypothesis>>> steps(b.size());  // [source][step]
        const auto traced = m->beam_search(
            b, K, max_len, [&](std::size_t src, std::size_t t, const std::vector<Hypothesis>& h) {
              CHECK(t == steps.at(src).size());
              steps[src].push_back(h);
            });
        const auto plain = m->beam_search(b, K, max_len);
        const auto greedy = m->greedy(b, max_len);
        for (std::size_t i = 0; i < b.size(); ++i) {
          INFO("source " << i);
          CHECK(traced[i].tokens == plain[i].tokens);  // the trace changes nothing
          CHECK(traced[i].log_prob == plain[i].log_prob);
          CHECK(traced[i].score == plain[i].score);
          REQUIRE(!steps[i].empty());
          // Each step's candidates come most likely first. It stops at the
          // first step whose most likely candidate finished, or that kept
          // none, or at max_len (however many less likely ones finished
          // before); the best finished one (else the best kept at the end)
          // is the result, the first of equal scores winning.
          std::size_t kept = 0;
          const Hypothesis* best = nullptr;
          for (std::size_t t = 0; t < steps[i].size(); ++t) {
            REQUIRE(!steps[i][t].empty());
            kept = 0;
            for (std::size_t j = 0; j < steps[i][t].size(); ++j) {
              const Hypothesis& h = steps[i][t][j];
              CHECK(h.tokens.size() == (h.finished ? t : t + 1));
              if (j > 0) CHECK(h.log_prob <= steps[i][t][j - 1].log_prob);
              kept += !h.finished;
              if (h.finished && (!best || h.score > best->score)) best = &h;
            }
            CHECK(kept <= K);
            if (t + 1 < steps[i].size()) CHECK((!steps[i][t][0].finished && kept > 0));
          }
          CHECK((steps[i].back()[0].finished || kept == 0 || steps[i].size() == max_len));
          if (!best)
            for (const Hypothesis& h : steps[i].back())
              if (!best || h.score > best->score) best = &h;
          REQUIRE(best);
          CHECK(best->tokens == plain[i].tokens);
          CHECK(best->log_prob == plain[i].log_prob);
          CHECK(best->score == plain[i].score);
          CHECK(best->finished == plain[i].finished);
          if (K == 1)  // one step per token of the greedy output, and one for its <eos>
            CHECK(steps[i].size() == greedy[i].tokens.size() + greedy[i].finished);
        }
      }
}

TEST_CASE(
    "decoding: unlikely early <eos> candidates do not stop a beam, the most likely one does") {
  // A model set by hand whose next token depends only on the previous one:
  // plain seq2seq, one-hot target embeddings, and a GRU that keeps nothing
  // (z = 0, W_hh = 0), so s_t = tanh(3 emb(y_{t-1})) and the logits are
  // column y_{t-1} of `logit` below (-20 where not set).
  ModelConfig c;
  c.model = "seq2seq";
  c.cell = "gru";
  c.embed = 6;
  c.hidden = 3;  // D = 6
  c.src_vocab = c.tgt_vocab = 6;
  auto m = make_model<double>(c);
  const Index kSos = Vocab::sos, kEos = Vocab::eos, a = 4, b = 5;
  RecurrentCell<double>& cell = *m->decoder;
  for (auto* p : {&cell.weight_ih, &cell.weight_hh, &cell.bias_ih, &cell.bias_hh, &m->out.bias,
                  &m->tgt_embedding.weight})
    p->value.fill(0.0);
  m->out.weight.value.fill(-20.0 / std::tanh(3.0));
  for (std::size_t j = 0; j < 6; ++j) {
    m->tgt_embedding.weight.value(j, j) = 1.0;
    cell.bias_ih.value(6 + j) = -40.0;      // z = 0
    cell.weight_ih.value(12 + j, j) = 3.0;  // n = tanh(3 x)
  }
  auto logit = [&](Index prev, Index next, double v) {
    m->out.weight.value(next, prev) = v / std::tanh(3.0);
  };
  // After <sos>: a, else <eos> (-5), b (-7). After a: b, else <eos> (-4), a
  // (-6). After b: <eos>. So "a b" is the most likely output (and greedy's),
  // but beams of 2 and 3 finish <eos> at step 1 and "a" at step 2 (and "b"
  // for K = 3) before "a b" finishes at step 3. Counting those towards K
  // stopped the search after step 2 and returned "a" (score about -2).
  logit(kSos, a, 0.0), logit(kSos, kEos, -5.0), logit(kSos, b, -7.0);
  logit(a, b, 0.0), logit(a, kEos, -4.0), logit(a, a, -6.0);
  logit(b, kEos, 0.0);
  const Batch src = make_batch({{4, 5}});
  const Hypothesis greedy = m->greedy(src, 10)[0];
  CHECK(greedy.tokens == std::vector<Index>{a, b});
  for (const std::size_t K : {1, 2, 3}) {
    INFO("K = " << K);
    std::vector<std::size_t> finished;  // per step
    const Hypothesis h =
        m->beam_search(src, K, 10, [&](std::size_t, std::size_t, const std::vector<Hypothesis>& t) {
          finished.push_back(0);
          for (const Hypothesis& x : t) finished.back() += x.finished;
        })[0];
    CHECK(h.tokens == std::vector<Index>{a, b});
    CHECK(h.finished);
    CHECK(h.log_prob == doctest::Approx(greedy.log_prob).epsilon(1e-12));
    CHECK(h.score > -0.1);
    REQUIRE(finished.size() == 3);  // ended by "a b <eos>", the most likely candidate of step 3
    CHECK(finished[0] + finished[1] == (K == 1 ? 0 : K));  // K finished before it
  }
}

TEST_CASE("loss: teacher forcing below 1 and dropout are seeded and change the loss") {
  auto m = make_model<float>(tiny("attention", "dot"));
  const Batch b = padded_batch();
  auto run = [&](double tf, double p, std::uint64_t seed) {
    Rng rng(seed);
    Tape<float> t;
    return m->loss(t, b, LossOptions{tf, p, &rng}).item();
  };
  CHECK(run(0.0, 0.0, 1) == run(0.0, 0.0, 2));  // no randomness left at ratio 0
  CHECK(run(0.5, 0.3, 7) == run(0.5, 0.3, 7));
  CHECK(run(1.0, 0.3, 7) != run(1.0, 0.0, 7));
  CHECK(run(0.0, 0.0, 1) != run(1.0, 0.0, 1));
  Tape<float> t;
  CHECK_THROWS_WITH_AS(m->loss(t, b, LossOptions{0.5, 0.0, nullptr}), doctest::Contains("Rng"),
                       std::invalid_argument);
}

TEST_CASE("every variant and cell: overfits a 5-pair task to zero error") {
  for (const std::string& cell : cell_names())
    for (const std::string& name : decoder_names()) {
      if (decoder_variant(name).name != name) continue;
      INFO(name << "@" << cell);
      CHECK(overfit(name, "additive", cell) == 0);
    }
}
TEST_CASE("attention, every score: overfits a 5-pair task to zero error") {
  for (const std::string& score : score_names()) {
    INFO(score);
    CHECK(overfit("attention", score) == 0);
  }
}
TEST_CASE("luong, every score: overfits a 5-pair task to zero error") {
  for (const std::string& score : score_names()) {
    INFO(score);
    CHECK(overfit("luong", score) == 0);
  }
}
