// DataParallel: shards of a batch on threads give the single-threaded loss,
// gradients and decoding, and the same bits on every run.
#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

ModelConfig small(const std::string& model) {
  ModelConfig c;
  c.model = model;
  c.embed = 3;
  c.hidden = 4;
  c.attention_hidden = 5;
  c.src_vocab = 9;
  c.tgt_vocab = 8;
  c.max_source_length = 8;
  c.seed = 5;
  return c;
}

// Seven pairs of unequal lengths: no shard split is even.
Batch ragged_batch() {
  return make_batch({{4, 5, 6, 7}, {5}, {8, 4}, {6, 6, 6, 7, 8}, {7, 4, 5}, {4}, {8, 8}},
                    {{4, 5}, {6, 7, 4}, {5}, {7}, {4, 4, 5, 6}, {7, 6}, {5, 5}});
}

template <class T>
std::vector<Array<T>> grads(EncoderDecoder<T>& m) {
  std::vector<Array<T>> g;
  for (auto* p : m.parameters()) g.push_back(p->grad);
  return g;
}

template <class T>
double step(EncoderDecoder<T>& m, std::size_t shards, const Batch& b) {
  for (auto* p : m.parameters()) p->zero_grad();
  DataParallel<T> par(m, shards);
  return par.loss_and_backward(b);
}

}  // namespace

TEST_CASE("batch_rows: a shard keeps its rows, trimmed to its own longest source and target") {
  const Batch b = ragged_batch();
  const Batch s = batch_rows(b, 1, 3);  // sources {5}, {8, 4}; targets {6, 7, 4}, {5}
  CHECK(s.size() == 2);
  CHECK(s.src_len == std::vector<std::size_t>{1, 2});
  CHECK(s.src.shape() == std::vector<std::size_t>{2, 2});
  CHECK(s.src(1, 1) == 4);
  CHECK(s.tgt_out.shape() == std::vector<std::size_t>{2, 4});  // 3 tokens + <eos>
  CHECK(s.tgt_in(0, 0) == 2);
  CHECK(s.tgt_out(0, 3) == 3);
  CHECK(s.tgt_out(1, 1) == 3);
  const Batch only_src = batch_rows(make_batch({{4, 5}, {6}}), 1, 2);
  CHECK(only_src.src.shape() == std::vector<std::size_t>{1, 1});
}

TEST_CASE("DataParallel: shards give the single-threaded loss and gradients") {
  for (const std::string model : {"seq2seq", "attention"}) {
    CAPTURE(model);
    auto m = make_model<double>(small(model));
    const Batch b = ragged_batch();
    const double one = step(*m, 1, b);
    const auto g1 = grads(*m);
    for (std::size_t shards : {2, 3, 7, 12}) {  // 12 > rows: some shards idle
      CAPTURE(shards);
      CHECK(step(*m, shards, b) == doctest::Approx(one).epsilon(1e-12));
      const auto gn = grads(*m);
      for (std::size_t i = 0; i < g1.size(); ++i) CHECK(xt::allclose(gn[i], g1[i], 1e-10, 1e-12));
    }
  }
}

TEST_CASE("DataParallel: the same shards give the same bits on every run") {
  auto m = make_model<float>(small("attention"));
  const Batch b = ragged_batch();
  const double first = step(*m, 3, b);
  const auto g = grads(*m);
  for (int run = 0; run < 5; ++run) {
    CHECK(step(*m, 3, b) == first);
    const auto again = grads(*m);
    for (std::size_t i = 0; i < g.size(); ++i) CHECK(again[i] == g[i]);
  }
}

TEST_CASE("DataParallel: shards decode as the whole batch does") {
  auto m = make_model<float>(small("attention"));
  const Batch b = ragged_batch();
  const auto whole = m->greedy(b, 6);
  DataParallel<float> par(*m, 3);
  const auto sharded = par.greedy(b, 6);
  REQUIRE(sharded.size() == whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    CHECK(sharded[i].tokens == whole[i].tokens);
    CHECK(sharded[i].attention.shape() == whole[i].attention.shape());
  }
}

TEST_CASE("DataParallel: a batch with fewer rows than threads leaves out the idle replicas") {
  auto m = make_model<double>(small("attention"));
  DataParallel<double> par(*m, 5);
  for (auto* p : m->parameters()) p->zero_grad();
  par.loss_and_backward(ragged_batch());  // all five replicas take part
  const Batch two = make_batch({{4, 5}, {6}}, {{4}, {5, 6}});
  for (auto* p : m->parameters()) p->zero_grad();
  const double sharded = par.loss_and_backward(two);  // two shards: three replicas idle
  const auto g = grads(*m);
  CHECK(sharded == doctest::Approx(step(*m, 1, two)).epsilon(1e-12));
  const auto single = grads(*m);
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(xt::allclose(g[i], single[i], 1e-10, 1e-12));
}

TEST_CASE("DataParallel: replicas follow the model's weights between steps") {
  auto m = make_model<double>(small("seq2seq"));
  const Batch b = ragged_batch();
  DataParallel<double> par(*m, 2);
  par.loss_and_backward(b);
  for (auto* p : m->parameters()) p->value *= 0.5;  // as an optimizer step would
  for (auto* p : m->parameters()) p->zero_grad();
  const double sharded = par.loss_and_backward(b);
  CHECK(sharded == doctest::Approx(step(*m, 1, b)).epsilon(1e-12));
}
