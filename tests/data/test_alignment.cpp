// The built-in tasks' gold alignments, by hand and pair by pair.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "data/alignment.hpp"
#include "data/tasks.hpp"
#include "support/links.hpp"

using namespace attnlab;
using attnlab::test::links;

namespace {

Alignment gold_of(const std::string& task, const std::string& src, const std::string& tgt) {
  const auto a = task_alignment(task, TextPair{src, tgt, 0});
  REQUIRE(a.has_value());
  return *a;
}

}  // namespace

TEST_CASE("task alignments: copy, reverse and sort by hand") {
  const Alignment c = gold_of("copy", "abc", "abc");
  CHECK(c.sure == links({{0, 0}, {1, 1}, {2, 2}}));
  CHECK(c.possible == c.sure);
  CHECK(gold_of("reverse", "abc", "cba").sure == links({{2, 0}, {1, 1}, {0, 2}}));
  const Alignment s = gold_of("sort", "bab", "abb");
  CHECK(s.sure == links({{1, 0}}));  // the one 'a'
  CHECK(s.possible == links({{1, 0}, {0, 1}, {2, 1}, {0, 2}, {2, 2}}));
  CHECK(!task_alignment("addition", TextPair{"1+2", "3", 0}).has_value());
  CHECK_THROWS_WITH(task_alignment("reverse", TextPair{"abc", "abc", 0}),
                    doctest::Contains("does not make the pair 'abc' -> 'abc'"));
  CHECK_THROWS_WITH(task_alignment("sort", TextPair{"abb", "aab", 0}),
                    doctest::Contains("does not make"));
  CHECK_THROWS_WITH(task_alignment("french", TextPair{"a", "b", 0}),
                    doctest::Contains("unknown task 'french'"));
}

TEST_CASE("task alignments: dates copy year, day and numeric month") {
  // "3 May 1998": '3' at 0, "May" at 2..4, the year at 6..9
  const Alignment a = gold_of("dates", "3 May 1998", "1998-05-03");
  CHECK(a.sure == links({{6, 0}, {7, 1}, {8, 2}, {9, 3}, {0, 9}}));
  std::set<std::pair<std::size_t, std::size_t>> extra;
  for (const Link& l : a.possible)
    if (!std::binary_search(a.sure.begin(), a.sure.end(), l)) extra.insert({l.src, l.tgt});
  CHECK(extra == std::set<std::pair<std::size_t, std::size_t>>{
                     {0, 8}, {2, 5}, {3, 5}, {4, 5}, {2, 6}, {3, 6}, {4, 6}});
  CHECK(gold_of("dates", "03.05.1998", "1998-05-03").sure ==
        links({{6, 0}, {7, 1}, {8, 2}, {9, 3}, {3, 5}, {4, 6}, {0, 8}, {1, 9}}));
  CHECK(gold_of("dates", "1998/05/03", "1998-05-03").sure ==
        links({{0, 0}, {1, 1}, {2, 2}, {3, 3}, {5, 5}, {6, 6}, {8, 8}, {9, 9}}));
  // the weekday and the ordinal suffix are not month names
  const Alignment w = gold_of("dates", "Sunday, May 3rd, 1998", "1998-05-03");
  for (const Link& l : w.possible)
    if (l.tgt == 5) CHECK((l.src >= 8 && l.src <= 10));
  CHECK_THROWS_WITH(task_alignment("dates", TextPair{"3 May 1998", "1998-05-04", 0}),
                    doctest::Contains("does not make"));
}

TEST_CASE("task alignments: every pair every task makes has one, and sure links copy") {
  for (const TaskInfo& t : task_list()) {
    const auto pairs = make_task(t.name, 3000, 5);
    for (const TextPair& p : pairs) {
      const auto a = task_alignment(t.name, p);
      if (t.name == "addition") {
        CHECK(!a.has_value());
        continue;
      }
      REQUIRE(a.has_value());
      CHECK(std::includes(a->possible.begin(), a->possible.end(), a->sure.begin(), a->sure.end()));
      for (const Link& l : a->sure) CHECK(p.src[l.src] == p.tgt[l.tgt]);
      if (t.name == "dates") CHECK(a->sure.size() >= 5);  // year and at least one day digit
    }
  }
}

TEST_CASE("make_task: each pair carries its task's gold alignment, none for addition") {
  for (const TaskInfo& t : task_list()) {
    INFO(t.name);
    for (const TextPair& p : make_task(t.name, 50, 9)) {
      if (t.name == "addition") {
        CHECK_FALSE(p.alignment.has_value());
        continue;
      }
      REQUIRE(p.alignment.has_value());
      const auto want = task_alignment(t.name, p);
      CHECK(p.alignment->sure == want->sure);
      CHECK(p.alignment->possible == want->possible);
      CHECK_FALSE(p.alignment->possible.empty());
    }
  }
  // reverse by hand: target i from source Tx - 1 - i
  const TextPair r = make_task("reverse", 1, 4, {5, 5})[0];
  CHECK(r.alignment->sure == links({{4, 0}, {3, 1}, {2, 2}, {1, 3}, {0, 4}}));
}
