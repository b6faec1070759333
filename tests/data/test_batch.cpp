// Padding token sequences into a batch.
#include "data/batch.hpp"
#include "support/check.hpp"

using namespace attnlab;

TEST_CASE("make_batch: pads with 0, wraps targets in <sos> ... and ... <eos>") {
  Batch b = make_batch({{4, 5}, {6}}, {{7}, {8, 9}});
  CHECK(b.src == IndexArray{{4, 5}, {6, 0}});
  CHECK(b.src_len == std::vector<std::size_t>{2, 1});
  CHECK(b.tgt_in == IndexArray{{2, 7, 0}, {2, 8, 9}});
  CHECK(b.tgt_out == IndexArray{{7, 3, 0}, {8, 9, 3}});
  CHECK_THROWS_WITH_AS(make_batch({{4}, {}}), doctest::Contains("source sequence 1 is empty"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(make_batch({{4}}, {{5}, {6}}), doctest::Contains("1 sources but 2 targets"),
                       std::invalid_argument);
}
