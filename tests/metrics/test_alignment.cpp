// Alignment error rate against hand counts and NLTK's, argmax alignments and
// the attention mass on gold positions.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <set>
#include <sstream>

#include "metrics/alignment.hpp"
#include "support/links.hpp"
#include "support/temp_dir.hpp"

using namespace attnlab;
using attnlab::test::links;

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
namespace {

// One random case: a gold alignment (sure within possible) and a hypothesis,
// possibly with repeated links, over sentences of 1 to 8 tokens a side.
struct AerCase {
  Alignment gold;
  std::vector<Link> hyp;
};

AerCase random_case(std::mt19937_64& rng) {
  auto below = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::size_t tx = 1 + below(8), ty = 1 + below(8);
  AerCase c;
  std::set<Link> sure, possible;
  for (std::size_t k = below(2 * ty + 1); k > 0; --k) sure.insert({below(tx), below(ty)});
  possible = sure;
  for (std::size_t k = below(2 * ty + 1); k > 0; --k) possible.insert({below(tx), below(ty)});
  for (std::size_t k = below(2 * ty + 1); k > 0; --k) c.hyp.push_back({below(tx), below(ty)});
  if (sure.empty() && c.hyp.empty()) c.hyp.push_back({0, 0});  // else nothing to score
  c.gold.sure.assign(sure.begin(), sure.end());
  c.gold.possible.assign(possible.begin(), possible.end());
  return c;
}

std::string python_links(const std::vector<Link>& links, long sentence = -1) {
  std::ostringstream out;
  out << "{";
  for (const Link& l : links) {
    out << "(";
    if (sentence >= 0) out << sentence << ",";
    out << l.src << "," << l.tgt << "),";
  }
  out << "}";
  std::string s = out.str();
  return s == "{}" ? "set()" : s;
}

}  // namespace

TEST_CASE("alignment error rate: equals NLTK's on random sentences and corpora") {
  std::mt19937_64 rng(2024);
  std::vector<AerCase> cases;
  for (int i = 0; i < 400; ++i) cases.push_back(random_case(rng));
  // Sentence by sentence, then corpora of 1 to 40 sentences, which NLTK
  // scores as one set of (sentence, source, target) links.
  std::ostringstream py;
  py << "from nltk.translate.metrics import alignment_error_rate as aer\n";
  std::vector<double> ours;
  for (const AerCase& c : cases) {
    py << "print(repr(aer(" << python_links(c.gold.sure) << ", " << python_links(c.hyp) << ", "
       << python_links(c.gold.possible) << ")))\n";
    ours.push_back(alignment_error_rate(c.gold, c.hyp));
  }
  for (std::size_t start = 0, n = 1; start + n <= cases.size(); start += n, n = 1 + n * 7 % 40) {
    std::vector<Alignment> gold;
    std::vector<std::vector<Link>> hyp;
    std::string s = "set()", p = "set()", h = "set()";
    for (std::size_t k = start; k < start + n; ++k) {
      gold.push_back(cases[k].gold);
      hyp.push_back(cases[k].hyp);
      const long id = static_cast<long>(k);
      s += " | " + python_links(cases[k].gold.sure, id);
      p += " | " + python_links(cases[k].gold.possible, id);
      h += " | " + python_links(cases[k].hyp, id);
    }
    py << "print(repr(aer(" << s << ", " << h << ", " << p << ")))\n";
    ours.push_back(alignment_error_rate(gold, hyp));
  }
  REQUIRE(ours.size() > cases.size() + 10);

  test::TempDir tmp;
  test::write_bytes(tmp / "aer.py", py.str());
  const std::string python = ATTNLAB_PYTHON;
  const std::string cmd = "'" + python + "' '" + tmp.file("aer.py") + "' 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string text;
  char buf[4096];
  for (std::size_t got; (got = std::fread(buf, 1, sizeof buf, pipe)) > 0;) text.append(buf, got);
  const int status = pclose(pipe);
  INFO(python << " (needs python3-nltk: scripts/deps.sh) said: " << text.substr(0, 2000));
  REQUIRE(status == 0);
  std::istringstream in(text);
  std::vector<double> theirs;
  for (double x; in >> x;) theirs.push_back(x);
  REQUIRE(theirs.size() == ours.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < ours.size(); ++i)
    if (std::abs(ours[i] - theirs[i]) > 1e-9) {
      if (++differ <= 5) FAIL_CHECK("AER " << i << ": ours " << ours[i] << ", NLTK " << theirs[i]);
    }
  CHECK(differ == 0);
}
