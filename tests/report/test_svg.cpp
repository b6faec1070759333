#include <doctest/doctest.h>

#include <cmath>

#include "report/svg.hpp"

using namespace attnlab;

namespace {
std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("svg heatmap: a cell per weight, gold links ringed, bad rows named") {
  svg::Heatmap h;
  h.title = "ab -> ba";
  h.source = {"a", "b"};
  h.output = {"b", "a"};
  h.weights = {{0.1, 0.9}, {0.8, 0.2}, {0.5, 0.5}};  // the third row: <eos>
  h.gold.sure = {{1, 0}, {0, 1}};
  h.gold.possible = {{1, 0}, {0, 1}, {1, 1}};
  const std::string m = svg::heatmap(h, 0, 0);
  CHECK(count(m, "<rect") == 6);
  CHECK(count(m, "<circle") == 3);
  CHECK(count(m, "stroke-dasharray") == 1);  // (1, 1) is only possible
  CHECK(m.find("&lt;eos&gt;") != std::string::npos);
  CHECK(m.find("ab -&gt; ba") != std::string::npos);
  CHECK(svg::heatmap_size(h).second == doctest::Approx(70 + 3 * 22));
  h.weights[1].pop_back();
  CHECK_THROWS_WITH(svg::heatmap(h, 0, 0), doctest::Contains("a row of 1 weights for 2"));
}

TEST_CASE("svg line_chart: a band for a series' spread, a marked x, a legend only when asked") {
  svg::Chart c;
  c.ymax = 10;
  c.mark_x = 3;
  c.mark_label = "longest in training";
  svg::Series s{"a", svg::colour(0), {{1, 5}, {2, 6}, {5, 7}}, {1, 0.5, NAN}};
  const std::string with = svg::line_chart(c, {s});
  CHECK(count(with, "<polygon") == 1);
  CHECK(count(with, "longest in training") == 1);
  CHECK(count(with, "stroke-dasharray") == 1);
  CHECK(count(with, ">a</text>") == 1);
  c.legend = false;
  c.mark_x = NAN;
  s.spread.clear();  // no spread: no band
  const std::string without = svg::line_chart(c, {s});
  CHECK(count(without, "<polygon") == 0);
  CHECK(count(without, "stroke-dasharray") == 0);
  CHECK(count(without, ">a</text>") == 0);
  CHECK(svg::colour(0) != svg::colour(1));
  CHECK(svg::colour(12) == svg::colour(0));
}
