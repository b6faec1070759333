// evaluate()'s accuracies, BLEU and alignment quality on a model whose
// outputs are known.
#include <cmath>

#include "support/check.hpp"
#include "training/evaluate.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

// A small attention model over a vocabulary of 10 (ids 4..9 are a..f).
std::unique_ptr<EncoderDecoder<float>> small_model() {
  ModelConfig c;
  c.model = "attention";
  c.score = "dot";
  c.embed = 8;
  c.hidden = 16;
  c.src_vocab = c.tgt_vocab = 10;
  return make_model<float>(c);
}

// 300 Adam steps on data as one batch: enough to learn it by heart.
void overfit(EncoderDecoder<float>& m, const std::vector<Example>& data) {
  std::vector<std::vector<Index>> xs, ys;
  for (const Example& e : data) xs.push_back(e.src), ys.push_back(e.tgt);
  Adam<float> opt(m.parameters(), 0.02);
  for (int i = 0; i < 300; ++i) {
    Tape<float> t;
    opt.zero_grad();
    backward(m.loss(t, make_batch(xs, ys)));
    opt.step();
  }
}

}  // namespace

TEST_CASE("evaluate: a model trained to copy scores full accuracy and BLEU") {
  auto m = small_model();
  Vocab v;
  for (const char* t : {"a", "b", "c", "d", "e", "f"}) v.add(t);
  std::vector<Example> data;
  for (std::vector<Index> s : {std::vector<Index>{4, 5, 6}, {7, 8}, {9, 4, 7, 5}, {6}, {8, 9, 4}})
    data.push_back({s, s});
  overfit(*m, data);
  std::vector<SentenceResult> each;
  const EvalResult r = evaluate(*m, data, v, EvalOptions{}, &each);
  CHECK(r.exact_accuracy == 1.0);
  CHECK(r.token_accuracy == 1.0);
  CHECK(r.bleu == doctest::Approx(100.0));
  CHECK(r.loss < 0.05);
  CHECK(r.tokens == 3 + 2 + 4 + 1 + 3 + 5);  // <eos> counted
  CHECK(each[2].source_length == 4);
  CHECK(each[2].exact);
  // The loss alone, without decoding, is the same loss.
  EvalOptions quick;
  quick.decode = false;
  CHECK(evaluate(*m, data, v, quick).loss == doctest::Approx(r.loss));
}

TEST_CASE("evaluate: <unk> in the output never matches, even where the reference word is unknown") {
  // Before, the reference was compared as ids, so a reference word outside the
  // vocabulary became <unk> and a model writing <unk> scored a hit.
  auto m = small_model();
  Vocab v;
  for (const char* t : {"a", "b", "c", "d", "e", "f"}) v.add(t);  // ids 4..9
  const Index unk = Vocab::unk;
  // Targets as encode_pairs makes them: "zebra" and "yak" are not in the vocabulary.
  const std::vector<Example> data{{{4, 5, 6}, {unk, 5, 6}, {"zebra", "b", "c"}},
                                  {{7, 8}, {7, 8}, {"d", "e"}},
                                  {{6}, {unk}, {"yak"}},
                                  {{9, 4, 7, 5}, {9, 4, 7, 5}, {"f", "a", "d", "b"}}};
  overfit(*m, data);  // until it writes <unk> exactly where the targets have it
  std::vector<SentenceResult> each;
  const EvalResult r = evaluate(*m, data, v, EvalOptions{}, &each);
  REQUIRE(each[0].output == data[0].tgt);  // the model does write <unk> b c
  REQUIRE(each[2].output == data[2].tgt);
  CHECK(r.exact_accuracy == 0.5);  // "zebra b c" and "yak" are not matched
  CHECK(!each[0].exact);
  CHECK(each[1].exact);
  // matched: b c <eos> | d e <eos> | <eos> | f a d b <eos>, of 4 + 3 + 2 + 5
  CHECK(r.token_accuracy == doctest::Approx(12.0 / 14.0));
  CHECK(r.bleu < 100.0);

  // Examples made by hand, without their text: an <unk> in the reference
  // matches nothing either.
  std::vector<Example> ids_only = data;
  for (Example& e : ids_only) e.tgt_tokens.clear();
  const EvalResult q = evaluate(*m, ids_only, v);
  CHECK(q.exact_accuracy == 0.5);
  CHECK(q.token_accuracy == doctest::Approx(12.0 / 14.0));
}

TEST_CASE("evaluate: BLEU of an all-<unk> output against unknown words is 0, not 100") {
  ModelConfig c;
  c.model = "seq2seq";
  c.embed = 4;
  c.hidden = 4;
  c.src_vocab = c.tgt_vocab = 8;
  auto m = make_model<float>(c);
  m->out.bias.value(Vocab::unk) = 1e9f;  // it writes <unk> and nothing else
  Vocab v;
  for (const char* t : {"a", "b"}) v.add(t);
  const Index unk = Vocab::unk;
  const std::vector<Example> data{{{4, 5}, {unk, unk, unk, unk}, {"w", "x", "y", "z"}}};
  EvalOptions o;
  o.max_len = 4;
  const EvalResult r = evaluate(*m, data, v, o);
  CHECK(r.bleu == 0.0);  // was 100: "<unk> <unk> <unk> <unk>" against itself
  CHECK(r.token_accuracy == 0.0);
  CHECK(r.exact_accuracy == 0.0);
}

TEST_CASE("by_source_length: buckets of the given width from 1, empty ones left out") {
  Vocab v;
  for (const char* t : {"a", "b"}) v.add(t);
  // sources of 1, 2 and 11 tokens; references "a", "a b", "b"
  const std::vector<Example> data{{{4}, {4}}, {{4, 5}, {4, 5}}, {std::vector<Index>(11, 4), {5}}};
  std::vector<SentenceResult> each(3);
  each[0] = {1, {4}, true, 2, 2};
  each[1] = {2, {5, 5}, false, 3, 2};
  each[2] = {11, {5}, true, 2, 2};
  const std::vector<LengthBucket> b = by_source_length(each, data, v, 5);
  REQUIRE(b.size() == 2);  // 1-5 and 11-15; 6-10 has no sentence
  CHECK(b[0].min_length == 1);
  CHECK(b[0].max_length == 5);
  CHECK(b[0].sentences == 2);
  CHECK(b[0].exact_accuracy == 0.5);
  CHECK(b[0].token_accuracy == doctest::Approx(4.0 / 5.0));
  CHECK(b[1].min_length == 11);
  CHECK(b[1].sentences == 1);
  CHECK(b[1].exact_accuracy == 1.0);
  CHECK_THROWS_AS(by_source_length(each, data, v, 0), std::invalid_argument);
}

TEST_CASE("evaluate: perplexity is exp(loss)") {
  auto m = small_model();
  Vocab v;
  for (const char* t : {"a", "b", "c", "d", "e", "f"}) v.add(t);
  const std::vector<Example> data{{{4, 5}, {5, 4}}, {{6}, {7, 8, 9}}};
  const EvalResult r = evaluate(*m, data, v);
  CHECK(r.loss > 0.5);
  CHECK(r.perplexity() == doctest::Approx(std::exp(r.loss)).epsilon(1e-12));
}

namespace {

// Examples with gold alignments: reversal (sure anti-diagonal), one whose gold
// has no links at all, and one without gold.
std::vector<Example> aligned_examples() {
  std::vector<Example> data;
  for (std::vector<Index> s :
       {std::vector<Index>{4, 5, 6}, {7, 8}, {9, 4, 7, 5}, {6}, {8, 9, 4}, {5, 6, 7, 8, 9, 4, 5}}) {
    Example e{s, std::vector<Index>(s.rbegin(), s.rend())};
    Alignment a;
    for (std::size_t i = 0; i < s.size(); ++i) a.sure.push_back({s.size() - 1 - i, i});
    a.possible = a.sure;
    if (s.size() == 4) a.possible.push_back({0, 3});  // a possible link beside the sure ones
    std::sort(a.possible.begin(), a.possible.end());
    e.alignment = a;
    data.push_back(e);
  }
  data.push_back({{4, 4}, {5}, {}, Alignment{}});  // gold without links: not judged
  data.push_back({{6, 7, 8}, {9, 9}});             // no gold
  return data;
}

}  // namespace

TEST_CASE("evaluate: no alignment quality without attention or without gold links") {
  Vocab v;
  for (const char* t : {"a", "b", "c", "d", "e", "f"}) v.add(t);
  ModelConfig c;
  c.model = "seq2seq";
  c.embed = 4;
  c.hidden = 4;
  c.src_vocab = c.tgt_vocab = 10;
  auto plain = make_model<float>(c);
  std::vector<SentenceResult> each;
  const EvalResult p = evaluate(*plain, aligned_examples(), v, EvalOptions{}, &each);
  CHECK(std::isnan(p.aer));
  CHECK(std::isnan(p.gold_mass));
  CHECK(p.aligned == 0);
  for (const SentenceResult& s : each) CHECK_FALSE(s.aligned);
  for (const LengthBucket& b : by_source_length(each, aligned_examples(), v, 2)) {
    CHECK(std::isnan(b.aer));
    CHECK(b.aligned == 0);
  }

  auto m = small_model();
  std::vector<Example> no_gold = aligned_examples();
  for (Example& e : no_gold) e.alignment.reset();
  const EvalResult q = evaluate(*m, no_gold, v);
  CHECK(std::isnan(q.aer));
  CHECK(std::isnan(q.gold_mass));
  CHECK(q.aligned == 0);
  // nor when only the loss is wanted
  EvalOptions quick;
  quick.decode = false;
  const EvalResult l = evaluate(*m, aligned_examples(), v, quick);
  CHECK(std::isnan(l.aer));
  CHECK(l.aligned == 0);
}

TEST_CASE("evaluate: AER and gold mass of an attention model are those of its forced attention") {
  Vocab v;
  for (const char* t : {"a", "b", "c", "d", "e", "f"}) v.add(t);
  auto m = small_model();
  const std::vector<Example> data = aligned_examples();
  overfit(*m, data);  // so that the alignment is not just noise
  for (const std::size_t batch : {std::size_t{1}, std::size_t{64}}) {
    INFO("batch size " << batch);
    EvalOptions o;
    o.batch_size = batch;
    std::vector<SentenceResult> each;
    const EvalResult r = evaluate(*m, data, v, o, &each);
    // by hand, one sentence at a time
    std::vector<Alignment> gold;
    std::vector<std::vector<Link>> hyp;
    double mass = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
      const bool judged = data[i].alignment && !data[i].alignment->sure.empty();
      CHECK(each[i].aligned == judged);
      if (!judged) {
        CHECK(std::isnan(each[i].gold_mass));
        continue;
      }
      const Array<float> att = m->forced_attention(make_batch({data[i].src}, {data[i].tgt}))[0];
      REQUIRE(att.shape()[0] == data[i].tgt.size() + 1);
      gold.push_back(*data[i].alignment);
      hyp.push_back(argmax_alignment(att, data[i].tgt.size()));
      CHECK(each[i].alignment == hyp.back());
      const double gm = gold_attention_mass(*data[i].alignment, att);
      CHECK(each[i].gold_mass == doctest::Approx(gm).epsilon(1e-5));
      mass += gm;
    }
    REQUIRE(gold.size() == 6);
    CHECK(r.aligned == 6);
    CHECK(r.aer == doctest::Approx(alignment_error_rate(gold, hyp)).epsilon(1e-12));
    CHECK(r.gold_mass == doctest::Approx(mass / 6).epsilon(1e-5));
    CHECK(r.aer >= 0.0);
    CHECK(r.aer <= 1.0);

    const std::vector<LengthBucket> buckets = by_source_length(each, data, v, 2);
    std::size_t aligned = 0;
    for (const LengthBucket& b : buckets) {
      aligned += b.aligned;
      if (b.aligned == 0) {
        CHECK(std::isnan(b.aer));
        CHECK(std::isnan(b.gold_mass));
        continue;
      }
      // each bucket's AER from its own sentences
      std::vector<Alignment> bg;
      std::vector<std::vector<Link>> bh;
      for (std::size_t i = 0; i < data.size(); ++i)
        if (each[i].aligned && each[i].source_length >= b.min_length &&
            each[i].source_length <= b.max_length)
          bg.push_back(*data[i].alignment), bh.push_back(each[i].alignment);
      CHECK(b.aligned == bg.size());
      CHECK(b.aer == doctest::Approx(alignment_error_rate(bg, bh)).epsilon(1e-12));
    }
    CHECK(aligned == r.aligned);
  }
}
