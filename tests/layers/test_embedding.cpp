// Embedding: lookup, gradient, initialisation, and learning a tiny task.
#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

TEST_CASE("Embedding: forward picks the rows of its ids, named <prefix>.weight") {
  Rng rng(1);
  Embedding<double> emb("encoder.embedding", 5, 3, rng);
  CHECK(emb.weight.name == "encoder.embedding.weight");
  CHECK(emb.weight.value.shape() == Shape{5, 3});
  Tape<double> tape;
  Var<double> y = emb.forward(tape, IndexArray{{4, 0}, {2, 2}});
  CHECK(y.shape() == Shape{2, 2, 3});
  for (std::size_t j = 0; j < 3; ++j) {
    CHECK(y.value()(0, 0, j) == emb.weight.value(4, j));
    CHECK(y.value()(1, 1, j) == emb.weight.value(2, j));
  }
}

TEST_CASE("Embedding: gradient matches finite differences") {
  Rng rng(2);
  Embedding<double> emb("e", 4, 3, rng);
  const Array<double> w = rand_array({2, 3, 3}, 3);
  auto r = gradcheck(
      "Embedding",
      [&](Tape<double>& t) {
        return sum(emb.forward(t, IndexArray{{1, 3, 1}, {0, 1, 2}}) * t.constant(w));
      },
      emb.parameters());
  INFO(r.message);
  CHECK(r.ok);
}

TEST_CASE("Embedding: overfits a tiny task (each id to its own target vector)") {
  Rng rng(3);
  Embedding<float> emb("e", 4, 2, rng);
  const Array<float> target{{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  SGD<float> opt(emb.parameters(), 0.5);
  float last = 0;
  for (int i = 0; i < 200; ++i) {
    Tape<float> tape;
    Var<float> d = emb.forward(tape, IndexArray{0, 1, 2, 3}) - tape.constant(target);
    Var<float> loss = mean(d * d);
    opt.zero_grad();
    backward(loss);
    opt.step();
    last = loss.item();
  }
  CHECK(last < 1e-6f);
}
