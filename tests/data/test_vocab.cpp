// Vocab: the special tokens, lookup, build order and limits, and the
// vocabulary file's exact round trip and its refusals.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "data/vocab.hpp"
#include "support/check.hpp"
#include "support/temp_dir.hpp"

namespace attnlab {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::read_bytes;
using test::TempDir;
using test::write_bytes;

const std::string specials_text = "<pad>\n<unk>\n<sos>\n<eos>\n";

}  // namespace

TEST_CASE("vocab: a new vocabulary holds exactly the four specials with their fixed ids") {
  Vocab v;
  CHECK(v.size() == 4);
  CHECK(Vocab::pad == 0);
  CHECK(Vocab::unk == 1);
  CHECK(Vocab::sos == 2);
  CHECK(Vocab::eos == 3);
  CHECK(v.token(Vocab::pad) == "<pad>");
  CHECK(v.token(Vocab::unk) == "<unk>");
  CHECK(v.token(Vocab::sos) == "<sos>");
  CHECK(v.token(Vocab::eos) == "<eos>");
  CHECK(v.id("<eos>") == Vocab::eos);
}

TEST_CASE("vocab: add returns the existing id or appends, and unknown tokens map to unk") {
  Vocab v;
  CHECK(v.add("a") == 4);
  CHECK(v.add("b") == 5);
  CHECK(v.add("a") == 4);
  CHECK(v.add("<sos>") == Vocab::sos);
  CHECK(v.size() == 6);
  CHECK(v.contains("b"));
  CHECK_FALSE(v.contains("c"));
  CHECK(v.id("c") == Vocab::unk);
  CHECK(v.id("b") == 5);
}

TEST_CASE("vocab: token of an out-of-range id throws naming the id and the size") {
  Vocab v;
  for (Index bad : {Index{4}, Index{-1}}) {
    try {
      v.token(bad);
      FAIL_CHECK("no throw for id " << bad);
    } catch (const std::out_of_range& e) {
      const std::string msg = e.what();
      CHECK(contains(msg, std::to_string(bad)));
      CHECK(contains(msg, "4"));
    }
  }
}

TEST_CASE("vocab: encode and decode are inverse on known tokens, unknown ones become unk") {
  Vocab v;
  v.add("x");
  v.add("y");
  CHECK(v.encode({"y", "x", "zz", "y"}) == std::vector<Index>{5, 4, Vocab::unk, 5});
  CHECK(v.decode({5, 4, Vocab::eos}) == std::vector<std::string>{"y", "x", "<eos>"});
  CHECK(v.decode(v.encode({"x", "y"})) == std::vector<std::string>{"x", "y"});
  CHECK_THROWS_AS(v.decode({6}), std::out_of_range);
}

TEST_CASE("vocab: build keeps tokens seen min_freq times, most frequent first, ties byte-wise") {
  // counts: c 3, b 2, a 2, d 1, "é" 2 (bytes 0xc3 0xa9 sort after ASCII), "B" 2
  const std::vector<std::vector<std::string>> seqs = {
      {"c", "b", "a", "d"}, {"c", "é", "b", "B"}, {"a", "c", "é", "B", "<eos>"}};
  const Vocab all = Vocab::build(seqs);
  CHECK(all.decode({4, 5, 6, 7, 8, 9}) == std::vector<std::string>{"c", "B", "a", "b", "é", "d"});
  CHECK(all.size() == 10);  // "<eos>" in the data stays a special

  const Vocab frequent = Vocab::build(seqs, 2);
  CHECK(frequent.size() == 9);
  CHECK_FALSE(frequent.contains("d"));

  // The same data in another order builds the same vocabulary.
  const Vocab again = Vocab::build({seqs[2], seqs[0], seqs[1]});
  for (Index i = 0; i < static_cast<Index>(all.size()); ++i) CHECK(again.token(i) == all.token(i));
}

TEST_CASE("vocab: build caps the size at max_vocab including the specials") {
  const std::vector<std::vector<std::string>> seqs = {{"a", "a", "a", "b", "b", "c"}};
  const Vocab v = Vocab::build(seqs, 1, 6);
  CHECK(v.size() == 6);
  CHECK(v.token(4) == "a");
  CHECK(v.token(5) == "b");
  CHECK_FALSE(v.contains("c"));
  CHECK(Vocab::build(seqs, 1, 4).size() == 4);
  CHECK(Vocab::build(seqs, 1, 100).size() == 7);
  CHECK(Vocab::build(seqs, 1, 0).size() == 7);
  CHECK_THROWS_AS(Vocab::build(seqs, 1, 3), std::invalid_argument);
}

TEST_CASE("vocab: save then load round-trips every token exactly, spaces and UTF-8 included") {
  TempDir tmp;
  Vocab v;
  for (const char* t : {" ", "é", "日", "  two", "tab\there", "a b", "\xF0\x9F\x98\x80", "x"})
    v.add(t);
  const std::string path = tmp.file("vocab.txt");
  v.save(path);

  CHECK(read_bytes(path) ==
        specials_text + " \né\n日\n  two\ntab\there\na b\n\xF0\x9F\x98\x80\nx\n");
  const Vocab back = Vocab::load(path);
  REQUIRE(back.size() == v.size());
  for (Index i = 0; i < static_cast<Index>(v.size()); ++i) CHECK(back.token(i) == v.token(i));
  CHECK(back.id(" ") == 4);
  CHECK(back.id("日") == 6);
}

TEST_CASE("vocab: load accepts a file without a final newline") {
  TempDir tmp;
  const std::string path = tmp.file("v.txt");
  write_bytes(path, specials_text + "a\n ");
  const Vocab v = Vocab::load(path);
  CHECK(v.size() == 6);
  CHECK(v.token(5) == " ");
  write_bytes(path, "<pad>\n<unk>\n<sos>\n<eos>");
  CHECK(Vocab::load(path).size() == 4);
}

TEST_CASE("vocab: save refuses a token a line cannot hold, naming it") {
  TempDir tmp;
  for (const std::string bad : {"a\nb", "crlf\r", ""}) {
    Vocab v;
    v.add("fine");
    v.add(bad);
    const std::string msg = test::error_message<VocabError>([&] { v.save(tmp.file("v.txt")); });
    CHECK(contains(msg, tmp.file("v.txt")));
    CHECK(contains(msg, "id 5"));
    if (bad == "a\nb") CHECK(contains(msg, "'a\\nb'"));
  }
}

TEST_CASE("vocab: each load error names the file and the line") {
  TempDir tmp;
  const std::string path = tmp.file("vocab.txt");
  auto error_for = [&](const std::string& bytes) {
    write_bytes(path, bytes);
    return test::error_message<VocabError>([&] { Vocab::load(path); });
  };

  SUBCASE("missing file") {
    const std::string msg =
        test::error_message<VocabError>([&] { Vocab::load(tmp.file("nope.txt")); });
    CHECK(contains(msg, tmp.file("nope.txt")));
  }
  SUBCASE("empty file") { CHECK(contains(error_for(""), path + ":1:")); }
  SUBCASE("specials out of order") {
    const std::string msg = error_for("<pad>\n<sos>\n<unk>\n<eos>\n");
    CHECK(contains(msg, path + ":2:"));
    CHECK(contains(msg, "<unk>"));
  }
  SUBCASE("a special missing") {
    CHECK(contains(error_for("<pad>\n<unk>\n<sos>\na\n"), path + ":4:"));
  }
  SUBCASE("file ends inside the specials") {
    CHECK(contains(error_for("<pad>\n<unk>\n"), path + ":3:"));
  }
  SUBCASE("a byte-order mark") {
    const std::string msg = error_for("\xEF\xBB\xBF" + specials_text);
    CHECK(contains(msg, path + ":1:"));
    CHECK(contains(msg, "BOM"));
  }
  SUBCASE("duplicate token") {
    const std::string msg = error_for(specials_text + "a\nb\na\n");
    CHECK(contains(msg, path + ":7:"));
    CHECK(contains(msg, "line 5"));
  }
  SUBCASE("a duplicated special") { CHECK(contains(error_for(specials_text + "<unk>\n"), ":5:")); }
  SUBCASE("CRLF line ends") {
    CHECK(contains(error_for(specials_text + "a\r\nb\r\n"), path + ":5:"));
  }
  SUBCASE("an empty line") { CHECK(contains(error_for(specials_text + "a\n\nb\n"), path + ":6:")); }
}

}  // namespace attnlab
