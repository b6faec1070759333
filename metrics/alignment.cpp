// Alignment error rate, argmax alignments and gold attention mass.
#include "metrics/alignment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace attnlab {

namespace {

bool has(const std::vector<Link>& sorted, const Link& l) {
  return std::binary_search(sorted.begin(), sorted.end(), l);
}

}  // namespace

double alignment_error_rate(const std::vector<Alignment>& gold,
                            const std::vector<std::vector<Link>>& hypothesis) {
  if (gold.size() != hypothesis.size())
    throw std::invalid_argument("alignment error rate: " + std::to_string(gold.size()) +
                                " gold alignments for " + std::to_string(hypothesis.size()) +
                                " hypotheses");
  std::size_t a_s = 0, a_p = 0, a = 0, s = 0;
  for (std::size_t k = 0; k < gold.size(); ++k) {
    std::vector<Link> hyp = hypothesis[k];
    std::sort(hyp.begin(), hyp.end());
    hyp.erase(std::unique(hyp.begin(), hyp.end()), hyp.end());  // A is a set
    for (const Link& l : hyp) {
      a_s += has(gold[k].sure, l);
      a_p += has(gold[k].possible, l);
    }
    a += hyp.size();
    s += gold[k].sure.size();
  }
  if (a + s == 0) throw std::invalid_argument("alignment error rate: no links to score");
  return 1.0 - static_cast<double>(a_s + a_p) / static_cast<double>(a + s);
}

double alignment_error_rate(const Alignment& gold, const std::vector<Link>& hypothesis) {
  return alignment_error_rate(std::vector<Alignment>{gold}, {hypothesis});
}

std::vector<Link> argmax_alignment(const Array<float>& attention, std::size_t target_len) {
  std::vector<Link> links;
  if (attention.dimension() != 2) return links;
  const std::size_t steps = std::min(target_len, attention.shape()[0]), Tx = attention.shape()[1];
  for (std::size_t i = 0; i < steps && Tx > 0; ++i) {
    const float* row = attention.data() + i * Tx;
    links.push_back({static_cast<std::size_t>(std::max_element(row, row + Tx) - row), i});
  }
  return links;
}

double gold_attention_mass(const Alignment& gold, const Array<float>& attention) {
  double total = 0;
  std::size_t rows = 0, i = std::numeric_limits<std::size_t>::max();
  const std::size_t steps = attention.dimension() == 2 ? attention.shape()[0] : 0;
  const std::size_t Tx = steps ? attention.shape()[1] : 0;
  for (const Link& l : gold.possible) {  // sorted by target: one row at a time
    if (l.tgt >= steps || l.src >= Tx) continue;
    if (l.tgt != i) ++rows, i = l.tgt;
    total += attention(l.tgt, l.src);
  }
  return rows ? total / static_cast<double>(rows) : std::nan("");
}

}  // namespace attnlab
