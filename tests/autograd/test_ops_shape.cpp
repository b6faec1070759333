// Shape ops: reshape, transpose, permute, concat, slice, split and embedding lookup.
#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "support/check.hpp"

using namespace attnlab;
using namespace attnlab::test;

namespace {

using Inputs = std::vector<Var<double>>;

Array<float> to_float(const Array<double>& a) {
  Array<float> f = Array<float>::from_shape(a.shape());
  for (std::size_t i = 0; i < a.size(); ++i) f.data()[i] = static_cast<float>(a.data()[i]);
  return f;
}

// A column [n, 1]: Array<double>{{1}, {4}} would be ambiguous with the 1-D list {1, 4}.
Array<double> column(std::initializer_list<double> v) {
  Array<double> c = Array<double>::from_shape({v.size(), 1});
  std::copy(v.begin(), v.end(), c.begin());
  return c;
}

template <class S>
bool shape_is(const S& s, const Shape& want) {
  return Shape(s.begin(), s.end()) == want;
}

}  // namespace

// ---------------------------------------------------------------- reshape

TEST_CASE("reshape: keeps row-major order, in double and float") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  Var<double> y = reshape(x, {3, 2});
  CHECK_ALL_CLOSE(y.value(), (Array<double>{{1, 2}, {3, 4}, {5, 6}}));
  CHECK_ALL_CLOSE(reshape(x, {6}).value(), (Array<double>{1, 2, 3, 4, 5, 6}));
  CHECK(shape_is(reshape(x, {1, 2, 3, 1}).shape(), {1, 2, 3, 1}));
  Tape<float> ft;
  CHECK_ALL_CLOSE(reshape(ft.constant(Array<float>{1, 2, 3, 4}), {2, 2}).value(),
                  (Array<float>{{1, 2}, {3, 4}}));
}

TEST_CASE("reshape: -1 infers one axis") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3, 4}, 1));
  CHECK(shape_is(reshape(x, {-1}).shape(), {24}));
  CHECK(shape_is(reshape(x, {4, -1}).shape(), {4, 6}));
  CHECK(shape_is(reshape(x, {-1, 3, 2}).shape(), {4, 3, 2}));
  CHECK(shape_is(reshape(x, {2, -1, 1}).shape(), {2, 12, 1}));
  CHECK_ALL_CLOSE(reshape(x, {-1}).value(), reshape(x, {24}).value());
}

TEST_CASE("reshape: gradient matches finite differences, including -1") {
  const Array<double> x = rand_array({2, 3}, 2);
  CHECK_GRADIENT("reshape", [](const Inputs& v) { return reshape(v[0], {3, 2}); }, {x});
  CHECK_GRADIENT("reshape -1", [](const Inputs& v) { return reshape(v[0], {-1, 1}); }, {x});
  CHECK_GRADIENT("reshape then use", [](const Inputs& v) { return reshape(v[0], {6}) * v[1]; },
                 {x, rand_array({6}, 3)});
}

TEST_CASE("reshape: to a wrong size throws naming reshape and both shapes") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), doctest::Contains("[2, 3]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), doctest::Contains("[4, 2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(x, {4, 2}), doctest::Contains("reshape"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(x, {4, -1}), doctest::Contains("[4, -1]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(x, {-1, -1}), doctest::Contains("reshape"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(x, {-2, -3}), doctest::Contains("reshape"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(reshape(x, {0, -1}), doctest::Contains("reshape"), std::invalid_argument);
}

// ---------------------------------------------------------------- transpose

TEST_CASE("transpose: swaps the two axes, in double and float") {
  const Array<double> x = rand_array({2, 3}, 1);
  Tape<double> tape;
  const Array<double> y = transpose(tape.constant(x)).value();
  REQUIRE(shape_is(y.shape(), {3, 2}));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j) CHECK(y(j, i) == x(i, j));
  Tape<float> ft;
  const Array<float> fy = transpose(ft.constant(Array<float>{{1, 2, 3}})).value();
  CHECK(shape_is(fy.shape(), {3, 1}));
  CHECK(fy(2, 0) == 3.0f);
}

TEST_CASE("transpose: gradient matches finite differences") {
  CHECK_GRADIENT("transpose", [](const Inputs& v) { return transpose(v[0]); },
                 {rand_array({2, 3}, 2)});
  CHECK_GRADIENT("transpose [1, 4]", [](const Inputs& v) { return transpose(v[0]); },
                 {rand_array({1, 4}, 3)});
}

TEST_CASE("transpose: a value that is not 2-D throws naming transpose and its shape") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3, 4}, 1));
  CHECK_THROWS_WITH_AS(transpose(x), doctest::Contains("[2, 3, 4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(transpose(x), doctest::Contains("transpose"), std::invalid_argument);
}

// ---------------------------------------------------------------- permute

TEST_CASE("permute: result axis k is input axis perm[k], in double and float") {
  const Array<double> x = rand_array({2, 3, 4}, 1);
  Tape<double> tape;
  const Array<double> y = permute(tape.constant(x), {2, 0, 1}).value();
  REQUIRE(shape_is(y.shape(), {4, 2, 3}));
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 3; ++j)
      for (std::size_t k = 0; k < 4; ++k) CHECK(y(k, i, j) == x(i, j, k));
  Tape<float> ft;
  const Array<float> fx = to_float(x);
  const Array<float> fy = permute(ft.constant(fx), {1, 0, 2}).value();
  REQUIRE(shape_is(fy.shape(), {3, 2, 4}));
  CHECK(fy(2, 1, 3) == fx(1, 2, 3));
}

TEST_CASE("permute: gradient matches finite differences") {
  const Array<double> x = rand_array({2, 3, 4}, 2);
  for (const std::vector<std::size_t>& perm :
       {std::vector<std::size_t>{2, 0, 1}, {1, 2, 0}, {0, 2, 1}, {0, 1, 2}}) {
    INFO("perm " << shape_str(perm));
    CHECK_GRADIENT("permute", [perm](const Inputs& v) { return permute(v[0], perm); }, {x});
  }
}

TEST_CASE("permute: something that is not a permutation of the axes throws") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({2, 3, 4}, 1));
  CHECK_THROWS_WITH_AS(permute(x, {0, 0, 1}), doctest::Contains("[0, 0, 1]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(permute(x, {0, 0, 1}), doctest::Contains("[2, 3, 4]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(permute(x, {1, 0}), doctest::Contains("permute"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(permute(x, {0, 1, 3}), doctest::Contains("permute"), std::invalid_argument);
}

// ---------------------------------------------------------------- concat

TEST_CASE("concat: joins along the first and the last axis, in double and float") {
  Tape<double> tape;
  Var<double> a = tape.constant(Array<double>{{1, 2}, {3, 4}});
  Var<double> b = tape.constant(Array<double>{{5, 6}});
  Var<double> c = tape.constant(Array<double>{{7, 8, 9}, {10, 11, 12}});
  CHECK_ALL_CLOSE(concat<double>({a, b}, 0).value(), (Array<double>{{1, 2}, {3, 4}, {5, 6}}));
  CHECK_ALL_CLOSE(concat<double>({a, c}, 1).value(),
                  (Array<double>{{1, 2, 7, 8, 9}, {3, 4, 10, 11, 12}}));
  CHECK_ALL_CLOSE(concat<double>({a, c, a}, -1).value(),
                  (Array<double>{{1, 2, 7, 8, 9, 1, 2}, {3, 4, 10, 11, 12, 3, 4}}));
  CHECK_ALL_CLOSE(concat<double>({a}, 0).value(), a.value());
  Tape<float> ft;
  CHECK_ALL_CLOSE(
      concat<float>({ft.constant(Array<float>{1, 2}), ft.constant(Array<float>{3})}, 0).value(),
      (Array<float>{1, 2, 3}));
}

TEST_CASE("concat: gradient matches finite differences on the first, middle and last axis") {
  CHECK_GRADIENT("concat axis 0",
                 [](const Inputs& v) {
                   return concat<double>({v[0], v[1], v[2]}, 0);
                 },
                 {rand_array({2, 3, 2}, 1), rand_array({1, 3, 2}, 2), rand_array({3, 3, 2}, 3)});
  CHECK_GRADIENT("concat axis 1",
                 [](const Inputs& v) {
                   return concat<double>({v[0], v[1], v[2]}, 1);
                 },
                 {rand_array({2, 1, 2}, 4), rand_array({2, 3, 2}, 5), rand_array({2, 2, 2}, 6)});
  CHECK_GRADIENT("concat axis -1",
                 [](const Inputs& v) {
                   return concat<double>({v[0], v[1], v[2]}, -1);
                 },
                 {rand_array({2, 3, 1}, 7), rand_array({2, 3, 2}, 8), rand_array({2, 3, 1}, 9)});
}

TEST_CASE("concat: a value used twice gets both slices' gradients") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{{1, 2}, {3, 4}});
  Var<double> w = tape.constant(Array<double>{{1, 2, 3, 4}, {5, 6, 7, 8}});
  backward(sum(concat<double>({x, x}, 1) * w));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{{1 + 3, 2 + 4}, {5 + 7, 6 + 8}}));
  CHECK_GRADIENT("concat({x, x})",
                 [](const Inputs& v) {
                   return concat<double>({v[0], v[0]}, 0);
                 },
                 {rand_array({2, 3}, 10)});
}

TEST_CASE("concat: a constant operand gets no gradient, the others do") {
  Tape<double> tape;
  Var<double> a = tape.variable(Array<double>{1, 2});
  Var<double> c = tape.constant(Array<double>{3, 4, 5});
  backward(sum(concat<double>({c, a}, 0) * tape.constant(Array<double>{1, 2, 3, 4, 5})));
  CHECK_ALL_CLOSE(a.grad(), (Array<double>{4, 5}));
}

TEST_CASE("concat: shapes differing off the axis throw naming both shapes") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  Var<double> b = tape.constant(rand_array({3, 2}, 2));
  CHECK_THROWS_WITH_AS(concat<double>({a, b}, 0), doctest::Contains("[2, 3]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat<double>({a, b}, 0), doctest::Contains("[3, 2]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat<double>({a, b}, 0), doctest::Contains("concat"),
                       std::invalid_argument);
  Var<double> c = tape.constant(rand_array({2, 3, 1}, 3));
  CHECK_THROWS_WITH_AS(concat<double>({a, c}, 0), doctest::Contains("[2, 3, 1]"),
                       std::invalid_argument);
}

TEST_CASE("concat: axis out of range or no operands throws") {
  Tape<double> tape;
  Var<double> a = tape.constant(rand_array({2, 3}, 1));
  CHECK_THROWS_WITH_AS(concat<double>({a, a}, 2), doctest::Contains("axis 2"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat<double>({a, a}, 2), doctest::Contains("concat"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat<double>({a, a}, -3), doctest::Contains("axis -3"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(concat(std::vector<Var<double>>{}, 0), doctest::Contains("concat"),
                       std::invalid_argument);
}

// ---------------------------------------------------------------- slice

TEST_CASE("slice: takes start up to stop along an axis, in double and float") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}});
  CHECK_ALL_CLOSE(slice(x, 0, 1, 3).value(), (Array<double>{{5, 6, 7, 8}, {9, 10, 11, 12}}));
  CHECK_ALL_CLOSE(slice(x, 1, 0, 1).value(), column({1, 5, 9}));
  CHECK_ALL_CLOSE(slice(x, 1, 2, 4).value(), (Array<double>{{3, 4}, {7, 8}, {11, 12}}));
  CHECK_ALL_CLOSE(slice(x, 0, 0, 3).value(), x.value());
  CHECK(shape_is(slice(x, 0, 2, 2).shape(), {0, 4}));
  Tape<float> ft;
  CHECK_ALL_CLOSE(slice(ft.constant(Array<float>{1, 2, 3, 4}), 0, 1, 3).value(),
                  (Array<float>{2, 3}));
}

TEST_CASE("slice: negative indices and a negative axis count from the end") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}});
  CHECK_ALL_CLOSE(slice(x, -1, -3, -1).value(), (Array<double>{{2, 3}, {6, 7}, {10, 11}}));
  CHECK_ALL_CLOSE(slice(x, 1, -1, 4).value(), column({4, 8, 12}));
  CHECK_ALL_CLOSE(slice(x, -2, -1, 3).value(), (Array<double>{{9, 10, 11, 12}}));
  CHECK_ALL_CLOSE(slice(x, 0, 0, -2).value(), (Array<double>{{1, 2, 3, 4}}));
}

TEST_CASE("slice: gradient matches finite differences on the first and last axis") {
  const Array<double> x = rand_array({3, 2, 4}, 1);
  CHECK_GRADIENT("slice axis 0", [](const Inputs& v) { return slice(v[0], 0, 1, 3); }, {x});
  CHECK_GRADIENT("slice axis -1", [](const Inputs& v) { return slice(v[0], -1, -3, -1); }, {x});
  CHECK_GRADIENT("slice axis 2", [](const Inputs& v) { return slice(v[0], 2, 0, 1); }, {x});
  CHECK_GRADIENT("slice axis 1", [](const Inputs& v) { return slice(v[0], 1, -1, 2); }, {x});
}

TEST_CASE("slice: gradient is zero outside the slice, and two slices of one value add up") {
  Tape<double> tape;
  Var<double> x = tape.variable(Array<double>{1, 2, 3, 4});
  backward(sum(slice(x, 0, 1, 3) * 2.0 + slice(x, 0, 2, 4)));
  CHECK_ALL_CLOSE(x.grad(), (Array<double>{0, 2, 3, 1}));
}

TEST_CASE("slice: out-of-range bounds or axis throw naming slice") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({3, 4}, 1));
  CHECK_THROWS_WITH_AS(slice(x, 1, 1, 5), doctest::Contains("[3, 4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(x, 1, 1, 5), doctest::Contains("slice"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(x, 0, 2, 1), doctest::Contains("slice"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(x, 0, -4, 2), doctest::Contains("slice"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(x, 2, 0, 1), doctest::Contains("axis 2"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(slice(x, -3, 0, 1), doctest::Contains("axis -3"), std::invalid_argument);
}

// ---------------------------------------------------------------- split

TEST_CASE("split: parts of the given sizes in order, in double and float") {
  Tape<double> tape;
  Var<double> x = tape.constant(Array<double>{{1, 2, 3}, {4, 5, 6}});
  const std::vector<Var<double>> cols = split(x, 1, {1, 2});
  REQUIRE(cols.size() == 2);
  CHECK_ALL_CLOSE(cols[0].value(), column({1, 4}));
  CHECK_ALL_CLOSE(cols[1].value(), (Array<double>{{2, 3}, {5, 6}}));
  const std::vector<Var<double>> rows = split(x, -2, {1, 0, 1});
  REQUIRE(rows.size() == 3);
  CHECK_ALL_CLOSE(rows[0].value(), (Array<double>{{1, 2, 3}}));
  CHECK(shape_is(rows[1].shape(), {0, 3}));
  CHECK_ALL_CLOSE(rows[2].value(), (Array<double>{{4, 5, 6}}));
  Tape<float> ft;
  const auto fparts = split(ft.constant(Array<float>{1, 2, 3, 4}), 0, {3, 1});
  CHECK_ALL_CLOSE(fparts[1].value(), (Array<float>{4}));
}

TEST_CASE("split: gradient matches finite differences, first and last axis") {
  CHECK_GRADIENT("split axis 1, reordered",
                 [](const Inputs& v) {
                   const auto p = split(v[0], 1, {1, 2});
                   return concat<double>({p[1], p[0]}, 1);
                 },
                 {rand_array({2, 3}, 1)});
  CHECK_GRADIENT("split axis 0, one part used",
                 [](const Inputs& v) {
                   return split(v[0], 0, {1, 2})[1];
                 },
                 {rand_array({3, 2}, 2)});
  CHECK_GRADIENT("split axis -1, parts multiplied",
                 [](const Inputs& v) {
                   const auto p = split(v[0], -1, {2, 2});
                   return p[0] * p[1];
                 },
                 {rand_array({2, 4}, 3)});
}

TEST_CASE("split: sizes not adding up to the axis throw naming split") {
  Tape<double> tape;
  Var<double> x = tape.constant(rand_array({3, 4}, 1));
  CHECK_THROWS_WITH_AS(split(x, 1, {1, 2}), doctest::Contains("[3, 4]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(split(x, 1, {1, 2}), doctest::Contains("[1, 2]"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(split(x, 1, {1, 2}), doctest::Contains("split"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(split(x, 2, {4}), doctest::Contains("axis 2"), std::invalid_argument);
}

// ---------------------------------------------------------------- embedding

TEST_CASE("embedding: picks the rows of the ids, in double and float") {
  Tape<double> tape;
  Var<double> W = tape.constant(Array<double>{{0, 1}, {10, 11}, {20, 21}, {30, 31}});
  CHECK_ALL_CLOSE(embedding(W, IndexArray{3, 0, 3}).value(),
                  (Array<double>{{30, 31}, {0, 1}, {30, 31}}));
  Tape<float> ft;
  Var<float> fW = ft.constant(Array<float>{{1, 2}, {3, 4}});
  CHECK_ALL_CLOSE(embedding(fW, IndexArray{1}).value(), (Array<float>{{3, 4}}));
}

TEST_CASE("embedding: ids of shape [B, T] give [B, T, E]") {
  const Array<double> table = rand_array({5, 3}, 1);
  const IndexArray ids{{4, 0}, {2, 2}};
  Tape<double> tape;
  const Array<double> y = embedding(tape.constant(table), ids).value();
  REQUIRE(shape_is(y.shape(), {2, 2, 3}));
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t t = 0; t < 2; ++t)
      for (std::size_t e = 0; e < 3; ++e)
        CHECK(y(b, t, e) == table(static_cast<std::size_t>(ids(b, t)), e));
}

TEST_CASE("embedding: repeated indices accumulate") {
  Tape<double> tape;
  Var<double> W = tape.variable(rand_array({4, 2}, 2));
  Var<double> y = embedding(W, IndexArray{1, 3, 1});
  const Array<double> dy{{1, 2}, {3, 4}, {5, 6}};
  backward(sum(y * tape.constant(dy)));
  // row 1 gets output rows 0 and 2; row 3 gets row 1; rows 0 and 2 nothing
  CHECK_ALL_CLOSE(W.grad(), (Array<double>{{0, 0}, {1 + 5, 2 + 6}, {0, 0}, {3, 4}}));
}

TEST_CASE("embedding: gradient matches finite differences") {
  const IndexArray ids{{1, 3, 1}, {0, 1, 1}};
  CHECK_GRADIENT("embedding", [ids](const Inputs& v) { return embedding(v[0], ids); },
                 {rand_array({4, 3}, 3)});
  const IndexArray one{0};
  CHECK_GRADIENT("embedding E = 1", [one](const Inputs& v) { return embedding(v[0], one); },
                 {rand_array({2, 1}, 4)});
}

TEST_CASE("embedding: an index outside the table throws std::out_of_range") {
  Tape<double> tape;
  Var<double> W = tape.constant(rand_array({4, 2}, 1));
  CHECK_THROWS_WITH_AS(embedding(W, IndexArray{0, 4}), doctest::Contains("index 4"),
                       std::out_of_range);
  CHECK_THROWS_WITH_AS(embedding(W, IndexArray{0, 4}), doctest::Contains("embedding"),
                       std::out_of_range);
  CHECK_THROWS_WITH_AS(embedding(W, IndexArray{-1}), doctest::Contains("index -1"),
                       std::out_of_range);
}

TEST_CASE("embedding: a table that is not 2-D throws naming its shape") {
  Tape<double> tape;
  Var<double> W = tape.constant(rand_array({4}, 1));
  CHECK_THROWS_WITH_AS(embedding(W, IndexArray{0}), doctest::Contains("[4]"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(embedding(W, IndexArray{0}), doctest::Contains("embedding"),
                       std::invalid_argument);
}
