#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "data/alignment.hpp"
#include "data/tasks.hpp"

using namespace attnlab;

namespace {

std::vector<Link> links(std::initializer_list<std::pair<std::size_t, std::size_t>> l) {
  std::vector<Link> out;
  for (auto [s, t] : l) out.push_back({s, t});
  std::sort(out.begin(), out.end());
  return out;
}

Alignment gold_of(const std::string& task, const std::string& src, const std::string& tgt) {
  const auto a = task_alignment(task, TextPair{src, tgt, 0});
  REQUIRE(a.has_value());
  return *a;
}

}  // namespace

TEST_CASE("alignment error rate: Och and Ney's formula on hand-counted links") {
  // NLTK's documented example: 1 - (1 + 1) / (6 + 6)
  Alignment g;
  g.sure = g.possible = links({{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {5, 5}});
  const auto hyp = links({{0, 0}, {2, 1}, {9, 2}, {21, 3}, {10, 4}, {7, 5}});
  CHECK(alignment_error_rate(g, hyp) == doctest::Approx(1.0 - 2.0 / 12));
  CHECK(alignment_error_rate(g, g.sure) == 0.0);
  // possible links count in the numerator only: A = {(0,0), (2,1)}, S = {(0,0), (1,1)},
  // P = S + {(2,1)}: 1 - (1 + 2) / (2 + 2)
  Alignment h;
  h.sure = links({{0, 0}, {1, 1}});
  h.possible = links({{0, 0}, {1, 1}, {2, 1}});
  CHECK(alignment_error_rate(h, links({{0, 0}, {2, 1}})) == doctest::Approx(0.25));
  CHECK(alignment_error_rate(h, links({{0, 0}, {2, 1}, {2, 1}})) == doctest::Approx(0.25));
  // corpus level sums the counts: (1 + 2) and (2 + 2) with (2 + 2) and (2 + 2)
  CHECK(alignment_error_rate({h, h}, {links({{0, 0}, {2, 1}}), h.sure}) ==
        doctest::Approx(1.0 - 7.0 / 8));
  CHECK_THROWS_WITH(alignment_error_rate(std::vector<Alignment>{h}, {}),
                    doctest::Contains("1 gold alignments for 0"));
  CHECK_THROWS_WITH(alignment_error_rate(Alignment{}, {}), doctest::Contains("no links"));
}

TEST_CASE("argmax alignment and the attention mass on gold positions") {
  const Array<float> att{{0.7f, 0.2f, 0.1f}, {0.1f, 0.3f, 0.6f}, {0.5f, 0.25f, 0.25f}};
  CHECK(argmax_alignment(att, 2) == links({{0, 0}, {2, 1}}));  // row 3: the <eos> step
  CHECK(argmax_alignment(att, 9).size() == 3);
  Alignment g;
  g.possible = links({{0, 0}, {1, 1}, {2, 1}});
  CHECK(gold_attention_mass(g, att) == doctest::Approx((0.7 + 0.9) / 2));
  CHECK(std::isnan(gold_attention_mass(Alignment{}, att)));
}

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
