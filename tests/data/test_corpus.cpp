// Corpora: the source<TAB>target reader's acceptances and refusals, the atomic
// writer, encoding and length filtering, and the seeded shuffle, split and
// batching (fixed results, coverage, less padding).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "data/corpus.hpp"
#include "support/check.hpp"
#include "support/temp_dir.hpp"

namespace attnlab {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

// Writes bytes to a file in tmp and reads it back.
ReadResult read_text(const TempDir& tmp, const std::string& bytes, ReadOptions opts = {}) {
  const std::string path = tmp.file("data.tsv");
  write_bytes(path, bytes);
  return read_tsv(path, opts);
}

std::vector<std::pair<std::string, std::string>> fields(const ReadResult& r) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : r.pairs) out.emplace_back(p.src, p.tgt);
  return out;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

Example example(std::size_t src_len, std::size_t tgt_len) {
  return {std::vector<Index>(src_len, 4), std::vector<Index>(tgt_len, 5)};
}

// n examples with seeded lengths 1..max_len on each side.
std::vector<Example> random_examples(std::size_t n, std::size_t max_len, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Example> data;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t s = 1 + draw_below(rng, max_len), t = 1 + draw_below(rng, max_len);
    data.push_back(example(s, t));
  }
  return data;
}

// Cells of the padded source and target arrays over all batches.
std::size_t padded_cells(const std::vector<Example>& data,
                         const std::vector<std::vector<std::size_t>>& batches) {
  std::size_t cells = 0;
  for (const auto& b : batches) {
    std::size_t tx = 0, ty = 0;
    for (std::size_t i : b) {
      tx = std::max(tx, data[i].src.size());
      ty = std::max(ty, data[i].tgt.size());
    }
    cells += b.size() * (tx + ty);
  }
  return cells;
}

std::vector<std::size_t> iota(std::size_t n) {
  std::vector<std::size_t> v(n);
  std::iota(v.begin(), v.end(), std::size_t{0});
  return v;
}

}  // namespace

// ---- read_tsv ----

TEST_CASE("read_tsv: one pair per line, fields kept byte for byte, lines numbered from 1") {
  TempDir tmp;
  const ReadResult r = read_text(tmp, "the cat\tle chat\n  É x \t y\xC3\xA9 \n");
  CHECK(fields(r) == Fields{{"the cat", "le chat"}, {"  É x ", " yé "}});
  REQUIRE(r.pairs.size() == 2);
  CHECK(r.pairs[0].line == 1);
  CHECK(r.pairs[1].line == 2);
  CHECK(r.skipped == 0);
}

TEST_CASE("read_tsv: columns after the third are ignored") {
  TempDir tmp;
  const ReadResult r = read_text(tmp, "a\tb\t0-0\td\te\ne\tf\t\tanything\n");
  CHECK(fields(r) == Fields{{"a", "b"}, {"e", "f"}});
  REQUIRE(r.pairs[0].alignment.has_value());
  CHECK(r.pairs[0].alignment->sure == std::vector<Link>{{0, 0}});
  CHECK_FALSE(r.pairs[1].alignment.has_value());
}

TEST_CASE("read_tsv: a third column of links is the gold alignment, sure and possible, sorted") {
  TempDir tmp;
  // out of order, a repeat, a possible link, and a link both sure and possible
  const ReadResult r = read_text(tmp, "abc\txyz\t2-0  1-2 0-1 1-2 0?2 2?0\nab\tcd\t\nx\ty\n");
  REQUIRE(r.pairs.size() == 3);
  REQUIRE(r.pairs[0].alignment.has_value());
  const Alignment& a = *r.pairs[0].alignment;
  // sorted by target, then source
  CHECK(a.sure == std::vector<Link>{{2, 0}, {0, 1}, {1, 2}});
  CHECK(a.possible == std::vector<Link>{{2, 0}, {0, 1}, {0, 2}, {1, 2}});
  // an empty third column, and none at all: no alignment
  CHECK_FALSE(r.pairs[1].alignment.has_value());
  CHECK_FALSE(r.pairs[2].alignment.has_value());
  // only possible links
  const ReadResult p = read_text(tmp, "ab\tcd\t1?1 0?0\n");
  CHECK(p.pairs[0].alignment->sure.empty());
  CHECK(p.pairs[0].alignment->possible == std::vector<Link>{{0, 0}, {1, 1}});
}

TEST_CASE("read_tsv: a third column that is not links is refused with FILE:LINE, or skipped") {
  TempDir tmp;
  const std::string path = tmp.file("data.tsv");
  for (const std::string bad :
       {"0-x", "1-", "-1", "hello", "0-1 2", "0-1,1-2", "1:2", "+1-2", "0-99999999999999999999"}) {
    INFO(bad);
    write_bytes(path, "ok\tfine\t0-0\nab\tcd\t" + bad + "\nok\tagain\n");
    const std::string msg = test::error_message<DataError>([&] { read_tsv(path); });
    CHECK(contains(msg, path + ":2: the third column must be alignment links such as '0-0 1-2' "
                               "(source-target, 0-based; i?j for a possible link): got '"));
    ReadOptions opts;
    opts.skip_bad_lines = true;
    const ReadResult r = read_tsv(path, opts);
    CHECK(fields(r) == Fields{{"ok", "fine"}, {"ok", "again"}});
    CHECK(r.skipped == 1);
  }
  write_bytes(path, "ab\tcd\t0-1 0-x\n");
  CHECK(contains(test::error_message<DataError>([&] { read_tsv(path); }), "got '0-x'"));
}

TEST_CASE("read_tsv: a UTF-8 BOM at the start is dropped") {
  TempDir tmp;
  CHECK(fields(read_text(tmp,
                         "\xEF\xBB\xBF"
                         "a\tb\nc\td\n")) == Fields{{"a", "b"}, {"c", "d"}});
}

TEST_CASE("read_tsv: CRLF line ends are stripped") {
  TempDir tmp;
  CHECK(fields(read_text(tmp, "a\tb\r\nc\td\r\n")) == Fields{{"a", "b"}, {"c", "d"}});
  CHECK(fields(read_text(tmp, "a\tb\r\nc\td\r")) == Fields{{"a", "b"}, {"c", "d"}});
}

TEST_CASE("read_tsv: the last line may lack its newline") {
  TempDir tmp;
  CHECK(fields(read_text(tmp, "a\tb\nc\td")) == Fields{{"a", "b"}, {"c", "d"}});
  CHECK(fields(read_text(tmp, "x\ty")) == Fields{{"x", "y"}});
}

TEST_CASE("read_tsv: empty and all-whitespace lines are skipped silently, numbering kept") {
  TempDir tmp;
  const ReadResult r = read_text(tmp, "\n   \na\tb\n\t\n\r\n \t \nc\td\n\n");
  CHECK(fields(r) == Fields{{"a", "b"}, {"c", "d"}});
  REQUIRE(r.pairs.size() == 2);
  CHECK(r.pairs[0].line == 3);
  CHECK(r.pairs[1].line == 7);
  CHECK(r.skipped == 0);
}

TEST_CASE("read_tsv: a malformed line is refused with FILE:LINE: and what is wrong") {
  TempDir tmp;
  const std::string path = tmp.file("data.tsv");
  auto error_for = [&](const std::string& bad_line) {
    write_bytes(path, "ok\tfine\n" + bad_line + "\nok\tagain\n");
    return test::error_message<DataError>([&] { read_tsv(path); });
  };
  SUBCASE("no tab") {
    const std::string msg = error_for("just one column");
    CHECK(contains(msg, path + ":2: "));
    CHECK(contains(msg, "no tab"));
  }
  SUBCASE("empty target") {
    const std::string msg = error_for("source\t");
    CHECK(contains(msg, path + ":2: "));
    CHECK(contains(msg, "empty target"));
  }
  SUBCASE("empty target before a third column") {
    CHECK(contains(error_for("source\t\tthird"), "empty target"));
  }
  SUBCASE("empty source") {
    const std::string msg = error_for("\ttarget");
    CHECK(contains(msg, path + ":2: "));
    CHECK(contains(msg, "empty source"));
  }
  SUBCASE("invalid UTF-8") {
    const std::string msg = error_for("ab\xFF\tc");
    CHECK(contains(msg, path + ":2: "));
    CHECK(contains(msg, "invalid UTF-8 at byte 3"));
  }
  SUBCASE("a NUL byte") {
    const std::string msg = error_for(std::string("a\0b\tc", 5));
    CHECK(contains(msg, path + ":2: "));
    CHECK(contains(msg, "NUL byte at byte 2"));
  }
  SUBCASE("a bad line on line 1, after a BOM") {
    write_bytes(path, "\xEF\xBB\xBFno tab here\n");
    CHECK(contains(test::error_message<DataError>([&] { read_tsv(path); }), path + ":1: no tab"));
  }
}

TEST_CASE("read_tsv: skip_bad_lines skips malformed lines and counts them") {
  TempDir tmp;
  ReadOptions opts;
  opts.skip_bad_lines = true;
  const ReadResult r = read_text(
      tmp, "a\tb\nno tab\n\tx\ny\t\nbad\xC0\xAF\tz\n" + std::string("n\0l\tq\n", 6) + "c\td\n",
      opts);
  CHECK(fields(r) == Fields{{"a", "b"}, {"c", "d"}});
  CHECK(r.skipped == 5);
  REQUIRE(r.pairs.size() == 2);
  CHECK(r.pairs[1].line == 7);
}

TEST_CASE("read_tsv: a file without pairs is refused, saying why") {
  TempDir tmp;
  const std::string path = tmp.file("data.tsv");
  SUBCASE("empty file") {
    write_bytes(path, "");
    const std::string msg = test::error_message<DataError>([&] { read_tsv(path); });
    CHECK(contains(msg, path + ": no source<TAB>target pairs"));
    CHECK(contains(msg, "empty"));
  }
  SUBCASE("only blank lines") {
    write_bytes(path, "\n \n\r\n");
    CHECK(contains(test::error_message<DataError>([&] { read_tsv(path); }),
                   path + ": no source<TAB>target pairs"));
  }
  SUBCASE("every line bad and skipped") {
    write_bytes(path, "x\ny\n");
    ReadOptions opts;
    opts.skip_bad_lines = true;
    const std::string msg = test::error_message<DataError>([&] { read_tsv(path, opts); });
    CHECK(contains(msg, path + ": no source<TAB>target pairs"));
    CHECK(contains(msg, "all 2"));
    CHECK(contains(msg, "skipped"));
    // Without skipping, the first bad line is what is reported.
    CHECK(contains(test::error_message<DataError>([&] { read_tsv(path); }), path + ":1: "));
  }
}

TEST_CASE("read_tsv: a missing file or a directory is refused naming it") {
  TempDir tmp;
  const std::string missing = tmp.file("nope.tsv");
  const std::string msg = test::error_message<DataError>([&] { read_tsv(missing); });
  CHECK(contains(msg, missing + ": cannot open ("));
  CHECK(contains(msg, "No such file"));
  const std::string dir_msg = test::error_message<DataError>([&] { read_tsv(tmp.path.string()); });
  CHECK(contains(dir_msg, tmp.path.string() + ": "));
  CHECK(contains(dir_msg, "directory"));
}

TEST_CASE("read_tsv: binary garbage and a huge line neither hang nor crash") {
  TempDir tmp;
  std::mt19937_64 rng(7);
  std::string garbage(1 << 20, '\0');
  for (char& c : garbage) c = static_cast<char>(rng() & 0xFF);
  write_bytes(tmp.file("garbage.bin"), garbage);
  CHECK_THROWS_AS(read_tsv(tmp.file("garbage.bin")), DataError);
  ReadOptions opts;
  opts.skip_bad_lines = true;
  try {
    const ReadResult r = read_tsv(tmp.file("garbage.bin"), opts);
    CHECK(r.skipped > 0);
  } catch (const DataError&) {
    // refusing the whole file is fine too
  }

  // a line up to the bound (1 MiB) is read; a longer one is refused, naming it
  const std::string half((kMaxLineBytes - 1) / 2, 'x');
  const ReadResult r = read_text(tmp, half + "\t" + half);
  REQUIRE(r.pairs.size() == 1);
  CHECK(r.pairs[0].src.size() == half.size());
  const std::string huge(8 << 20, 'x');
  CHECK_THROWS_WITH_AS(read_text(tmp, "a\tb\n" + huge + "\t" + huge),
                       doctest::Contains(":2: a line longer than 1048576 bytes"), DataError);
}

// ---- write_tsv ----

TEST_CASE("write_tsv: writes read_tsv's format, and reading it back gives the same pairs") {
  TempDir tmp;
  const std::string path = tmp.file("out.tsv");
  const std::vector<TextPair> pairs = {
      {"the cat", "le chat", 0}, {" é ", "日本", 0}, {"x", "y", 9}};
  write_tsv(path, pairs);
  CHECK(read_bytes(path) == "the cat\tle chat\n é \t日本\nx\ty\n");
  const ReadResult back = read_tsv(path);
  CHECK(fields(back) == Fields{{"the cat", "le chat"}, {" é ", "日本"}, {"x", "y"}});
}

TEST_CASE("write_tsv: replaces the file atomically and leaves no temporary behind") {
  TempDir tmp;
  const std::string path = tmp.file("out.tsv");
  write_bytes(path, "old\tcontent\n");
  write_tsv(path, {{"new", "pair", 0}});
  CHECK(read_bytes(path) == "new\tpair\n");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(tmp.path))
    names.push_back(entry.path().filename().string());
  CHECK(names == std::vector<std::string>{"out.tsv"});
}

TEST_CASE("write_tsv: refuses a field a line cannot hold, naming the path, writing nothing") {
  TempDir tmp;
  const std::string path = tmp.file("out.tsv");
  write_bytes(path, "old\tcontent\n");
  for (const TextPair& bad : {TextPair{"a\tb", "c", 0}, TextPair{"a", "b\nc", 0},
                              TextPair{"a", "b\r", 0}, TextPair{"", "b", 0}}) {
    const std::string msg = test::error_message<DataError>([&] {
      write_tsv(path, {{"fine", "pair", 0}, bad});
    });
    CHECK(contains(msg, path + ": "));
    CHECK(contains(msg, "pair 2"));
  }
  CHECK(contains(test::error_message<DataError>([&] {
                   write_tsv(path, {{"a\tb", "c", 0}});
                 }),
                 "source holds a tab"));
  CHECK(contains(test::error_message<DataError>([&] {
                   write_tsv(path, {{"a", "c", 4}, {"a", "\tc", 12}});
                 }),
                 "pair 2 (line 12): its target holds a tab"));
  CHECK(read_bytes(path) == "old\tcontent\n");
  CHECK(std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator()) == 1);
}

TEST_CASE("write_tsv: an unwritable path is refused naming it") {
  TempDir tmp;
  const std::string path = tmp.file("no/such/dir/out.tsv");
  const std::string msg = test::error_message<DataError>([&] { write_tsv(path, {{"a", "b", 0}}); });
  CHECK(contains(msg, path + ": "));
  CHECK(contains(test::error_message<DataError>([&] {
                   write_tsv(tmp.path.string(), {{"a", "b", 0}});
                 }),
                 tmp.path.string() + ": "));
}

TEST_CASE("write_tsv: the path - means standard output") {
  std::ostringstream captured;
  std::streambuf* old = std::cout.rdbuf(captured.rdbuf());
  try {
    write_tsv("-", {{"a", "b", 0}, {"c d", "é", 0}});
  } catch (...) {
    std::cout.rdbuf(old);
    throw;
  }
  std::cout.rdbuf(old);
  CHECK(captured.str() == "a\tb\nc d\té\n");
  CHECK_FALSE(fs::exists("-"));
}

// ---- encoding and filtering ----

TEST_CASE("encode_pairs: tokenizes each side with its tokenizer, unknown tokens become unk") {
  Vocab src, tgt;
  src.add("the");  // 4
  src.add("cat");  // 5
  tgt.add("c");    // 4
  tgt.add("h");    // 5
  const std::vector<TextPair> pairs = {{"the cat", "ch", 1}, {"the dog", "chat", 2}};
  const auto data = encode_pairs(pairs, "space", "char", src, tgt);
  REQUIRE(data.size() == 2);
  CHECK(data[0].src == std::vector<Index>{4, 5});
  CHECK(data[0].tgt == std::vector<Index>{4, 5});
  CHECK(data[1].src == std::vector<Index>{4, Vocab::unk});
  CHECK(data[1].tgt == std::vector<Index>{4, 5, Vocab::unk, Vocab::unk});
  // the target's own tokens are kept, unknown ones included, for the metrics
  CHECK(data[1].tgt_tokens == std::vector<std::string>{"c", "h", "a", "t"});
}

TEST_CASE("encode_pairs: an unknown tokenizer or invalid UTF-8 is refused with the line") {
  Vocab v;
  CHECK_THROWS_WITH_AS(encode_pairs({{"a", "b", 1}}, "space", "bpe", v, v),
                       "unknown tokenizer 'bpe' (known: char, sentencepiece, space, word)", std::invalid_argument);
  CHECK_THROWS_WITH_AS(encode_pairs({{"a", "b", 1}, {"ok", "b\xFF", 7}}, "char", "char", v, v),
                       "pair 2 (line 7): target: invalid UTF-8 at byte 2", std::invalid_argument);
}

TEST_CASE(
    "encode_pairs: copies the alignment and refuses a link beyond the tokens, with the line") {
  Vocab v;
  TextPair ok{"ab", "xyz", 3};
  ok.alignment = Alignment{{{1, 2}}, {{0, 0}, {1, 2}}};
  const auto data = encode_pairs({ok, {"c", "d", 4}}, "char", "char", v, v);
  REQUIRE(data[0].alignment.has_value());
  CHECK(data[0].alignment->sure == ok.alignment->sure);
  CHECK(data[0].alignment->possible == ok.alignment->possible);
  CHECK_FALSE(data[1].alignment.has_value());
  // source position 2 of a 2-token source; target position 3 of 3; a sure one alone
  for (const Alignment& bad :
       {Alignment{{}, {{2, 0}}}, Alignment{{}, {{0, 3}}}, Alignment{{{0, 5}}, {}}}) {
    TextPair p{"ab", "xyz", 7};
    p.alignment = bad;
    const std::string msg = test::error_message<std::invalid_argument>([&] {
      encode_pairs({ok, p}, "char", "char", v, v);
    });
    CHECK(contains(msg, "pair 2 (line 7): alignment link "));
    CHECK(contains(msg, "beyond the pair's 2 source and 3 target tokens"));
  }
  // positions count the tokenizer's tokens: words here
  TextPair words{"le chat", "the cat", 9};
  words.alignment = Alignment{{{1, 1}}, {{1, 1}}};
  CHECK_NOTHROW(encode_pairs({words}, "space", "space", v, v));
  words.alignment = Alignment{{{1, 6}}, {{1, 6}}};  // "t" of "cat": a character position
  CHECK_THROWS_AS(encode_pairs({words}, "space", "space", v, v), std::invalid_argument);
  CHECK_NOTHROW(encode_pairs({words}, "space", "char", v, v));
}

TEST_CASE("encode_pairs: tokenize_all gives one side's token sequences for Vocab::build") {
  const std::vector<TextPair> pairs = {{"a b", "xy", 0}, {"b", "z", 0}};
  CHECK(tokenize_all(pairs, true, "space") ==
        std::vector<std::vector<std::string>>{{"a", "b"}, {"b"}});
  CHECK(tokenize_all(pairs, false, "char") ==
        std::vector<std::vector<std::string>>{{"x", "y"}, {"z"}});
  const Vocab v = Vocab::build(tokenize_all(pairs, true, "space"));
  CHECK(v.token(4) == "b");
}

TEST_CASE("filter_by_length: drops too long and empty examples, keeps the order of the rest") {
  std::vector<Example> data = {example(3, 3), example(4, 1), example(2, 6), example(0, 2),
                               example(1, 0), example(3, 5), example(1, 1)};
  std::vector<Example> copy = data;
  CHECK(filter_by_length(data, 3, 5) == 4);
  REQUIRE(data.size() == 3);
  CHECK(data[0].src.size() == 3);
  CHECK(data[0].tgt.size() == 3);
  CHECK(data[1].tgt.size() == 5);
  CHECK(data[2].src.size() == 1);
  // 0 = no limit: only the empty ones go.
  CHECK(filter_by_length(copy, 0, 0) == 2);
  CHECK(copy.size() == 5);
}

// ---- seeded randomness ----

TEST_CASE("seeded_shuffle: the same seed gives the same order, another seed another") {
  const auto shuffled = [](std::uint64_t seed) {
    std::vector<std::size_t> v = iota(100);
    seeded_shuffle(v, seed);
    return v;
  };
  CHECK(shuffled(5) == shuffled(5));
  CHECK(shuffled(5) != shuffled(6));
  std::vector<std::size_t> sorted = shuffled(5);
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == iota(100));  // a permutation
  std::vector<int> empty, one = {7};
  seeded_shuffle(empty, 1);
  seeded_shuffle(one, 1);
  CHECK(one == std::vector<int>{7});
}

TEST_CASE("seeded_shuffle: a fixed seed gives this fixed permutation on every machine") {
  // Recorded once; a change of shuffle or draw algorithm changes it.
  std::vector<int> v = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  seeded_shuffle(v, 42);
  CHECK(v == std::vector<int>{1, 7, 9, 0, 3, 8, 4, 2, 5, 6});
  std::mt19937_64 rng(1);
  std::vector<std::uint64_t> draws;
  for (int i = 0; i < 6; ++i) draws.push_back(draw_below(rng, 1000));
  CHECK(draws == std::vector<std::uint64_t>{528, 462, 930, 246, 384, 409});
}

TEST_CASE("seeded_shuffle: draw_below is unbiased enough to hit every value evenly") {
  std::mt19937_64 rng(3);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[draw_below(rng, 7)];
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
  CHECK(draw_below(rng, 1) == 0);
}

TEST_CASE("split_fraction: sizes are round(fraction * n), at least 1, never all") {
  const auto sizes = [](std::size_t n, double f) {
    const auto [train, valid] = split_fraction(iota(n), f, 1);
    return std::make_pair(train.size(), valid.size());
  };
  CHECK(sizes(10, 0.2) == std::make_pair<std::size_t, std::size_t>(8, 2));
  CHECK(sizes(10, 0.0) == std::make_pair<std::size_t, std::size_t>(10, 0));
  CHECK(sizes(10, 0.01) == std::make_pair<std::size_t, std::size_t>(9, 1));
  CHECK(sizes(10, 0.25) == std::make_pair<std::size_t, std::size_t>(7, 3));  // round(2.5) = 3
  CHECK(sizes(10, 0.99) == std::make_pair<std::size_t, std::size_t>(1, 9));  // 10 capped
  CHECK(sizes(1, 0.5) == std::make_pair<std::size_t, std::size_t>(1, 0));
  CHECK(sizes(0, 0.5) == std::make_pair<std::size_t, std::size_t>(0, 0));
  CHECK(sizes(1000, 0.1) == std::make_pair<std::size_t, std::size_t>(900, 100));
}

TEST_CASE("split_fraction: the parts are disjoint, cover the data, and depend only on the seed") {
  const auto [train, valid] = split_fraction(iota(50), 0.3, 9);
  std::set<std::size_t> all(train.begin(), train.end());
  for (std::size_t v : valid) CHECK(all.insert(v).second);
  CHECK(all.size() == 50);
  CHECK(split_fraction(iota(50), 0.3, 9) == std::make_pair(train, valid));
  CHECK(split_fraction(iota(50), 0.3, 10).second != valid);
  CHECK(valid != std::vector<std::size_t>{35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
                                          49});  // shuffled, not just the tail
}

TEST_CASE("split_fraction: a fraction below 0, from 1 up, or NaN is refused") {
  for (double bad : {1.0, -0.1, 1.5, std::nan("")})
    CHECK_THROWS_AS(split_fraction(iota(10), bad, 1), std::invalid_argument);
}

// ---- batching ----

TEST_CASE("make_batches: the same data, batch size and seed give the same batches") {
  const auto data = random_examples(500, 30, 1);
  CHECK(make_batches(data, 16, 3) == make_batches(data, 16, 3));
  CHECK(make_batches(data, 16, 3) != make_batches(data, 16, 4));
}

TEST_CASE("make_batches: every index appears exactly once, in full batches but the last") {
  for (std::size_t n : {0, 1, 15, 16, 17, 1000, 1601}) {
    const auto data = random_examples(n, 20, n);
    const auto batches = make_batches(data, 16, 2);
    CHECK(batches.size() == (n + 15) / 16);
    std::vector<std::size_t> seen;
    std::size_t small = 0;
    for (const auto& b : batches) {
      CHECK(!b.empty());
      CHECK(b.size() <= 16);
      if (b.size() < 16) {
        ++small;
        CHECK(b.size() == n % 16);
      }
      seen.insert(seen.end(), b.begin(), b.end());
    }
    CHECK(small <= 1);
    std::sort(seen.begin(), seen.end());
    CHECK(seen == iota(n));
  }
  CHECK_THROWS_AS(make_batches(random_examples(3, 5, 1), 0, 1), std::invalid_argument);
}

TEST_CASE("make_batches: grouping by length pads much less than the same order cut unsorted") {
  const auto data = random_examples(2000, 50, 11);
  const std::uint64_t seed = 5;
  const auto grouped = make_batches(data, 32, seed);
  std::vector<std::size_t> order = iota(data.size());
  seeded_shuffle(order, seed);  // make_batches' first step
  std::vector<std::vector<std::size_t>> plain;
  for (std::size_t i = 0; i < order.size(); i += 32)
    plain.emplace_back(order.begin() + i, order.begin() + std::min(order.size(), i + 32));
  const std::size_t grouped_cells = padded_cells(data, grouped),
                    plain_cells = padded_cells(data, plain);
  INFO("grouped " << grouped_cells << " cells, unsorted " << plain_cells);
  CHECK(grouped_cells * 10 < plain_cells * 8);

  // Each batch comes from one window of 50 batches of that shuffled order.
  std::vector<std::size_t> position(data.size());
  for (std::size_t p = 0; p < order.size(); ++p) position[order[p]] = p;
  for (const auto& b : grouped) {
    const std::size_t window = position[b.front()] / (50 * 32);
    for (std::size_t i : b) CHECK(position[i] / (50 * 32) == window);
  }
  // And the batch order is shuffled: not all windows' batches in sequence.
  bool in_window_order = true;
  for (std::size_t k = 1; k < grouped.size(); ++k)
    if (position[grouped[k].front()] / 1600 < position[grouped[k - 1].front()] / 1600)
      in_window_order = false;
  CHECK_FALSE(in_window_order);
}

TEST_CASE("make_sorted_batches: in order of source length, ties in data order, no shuffling") {
  std::vector<Example> data = {example(5, 1), example(2, 9), example(7, 1), example(2, 1),
                               example(1, 3), example(5, 2), example(3, 3)};
  const auto batches = make_sorted_batches(data, 3);
  CHECK(batches == std::vector<std::vector<std::size_t>>{{4, 1, 3}, {6, 0, 5}, {2}});
  CHECK(make_sorted_batches({}, 4).empty());
  CHECK_THROWS_AS(make_sorted_batches(data, 0), std::invalid_argument);
}

TEST_CASE("getline_bounded: lines as std::getline gives them, and a bound on their length") {
  std::istringstream in("ab\n\ncd");
  std::string line;
  CHECK(getline_bounded(in, line, "x", 1));
  CHECK(line == "ab");
  CHECK(getline_bounded(in, line, "x", 2));
  CHECK(line.empty());
  CHECK(getline_bounded(in, line, "x", 3));
  CHECK(line == "cd");  // the last line needs no newline
  CHECK(!getline_bounded(in, line, "x", 4));
  std::istringstream long_line(std::string(11, 'a') + "\n");
  CHECK_THROWS_WITH_AS(getline_bounded(long_line, line, "f.tsv", 7, 10),
                       "f.tsv:7: a line longer than 10 bytes; not a text file?", std::length_error);
}

TEST_CASE("read_tsv: /dev/zero is refused after a bounded read, naming the file and line") {
  // before: read until memory ran out
  CHECK_THROWS_WITH_AS(read_tsv("/dev/zero"),
                       "/dev/zero:1: a line longer than 1048576 bytes; not a text file?",
                       DataError);
}

TEST_CASE("read_at_most: a whole stream, or false past the bound") {
  std::string text;
  std::istringstream small("hello");
  CHECK(read_at_most(small, 5, text));
  CHECK(text == "hello");
  std::istringstream big(std::string(200000, 'x'));
  CHECK(!read_at_most(big, 1000, text));
  CHECK(text.size() == 1001);
}

TEST_CASE("read_tsv and write_tsv: what one accepts the other can write back (found by fuzzing)") {
  TempDir tmp;
  // a carriage return inside a line: write_tsv could not write the pair back
  CHECK_THROWS_WITH_AS(read_text(tmp, "ok\tfine\nI a\ry\tz\n"),
                       doctest::Contains(":2: a carriage return at byte 4, inside the line"),
                       DataError);
  // a source starting with a byte-order mark (after the file's own, if any)
  CHECK_THROWS_WITH_AS(read_text(tmp,
                                 "\xEF\xBB\xBF\xEF\xBB\xBF"
                                 "a\tb\n"),
                       doctest::Contains(":1: a byte-order mark at the start of the source"),
                       DataError);
  CHECK_THROWS_AS(read_text(tmp,
                            "\n\xEF\xBB\xBF"
                            "a\tb\n"),
                  DataError);
  // fields of whitespace only: written back, the line would be skipped as blank
  CHECK_THROWS_WITH_AS(read_text(tmp, "\f\f\t\v\ty\n"),
                       doctest::Contains(":1: the source is only whitespace"), DataError);
  // a first source starting with a byte-order mark: read_tsv would drop it
  CHECK_THROWS_WITH_AS(write_tsv(tmp.file("out.tsv"), {{"\xEF\xBB\xBF"
                                                        "a",
                                                        "b", 0}}),
                       doctest::Contains("starts with a byte-order mark"), DataError);
}

}  // namespace attnlab
