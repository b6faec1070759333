// Corpus BLEU-4 over token sequences, and its signature.
#include "metrics/bleu.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "version.hpp"

namespace attnlab {

std::string bleu_signature(const std::string& tgt_tokenizer) {
  return "nrefs:1|case:mixed|eff:no|tok:" + tgt_tokenizer + "|smooth:none|version:attnlab-" +
         kVersion;
}

double corpus_bleu(const std::vector<std::vector<std::string>>& hyps,
                   const std::vector<std::vector<std::string>>& refs) {
  if (hyps.size() != refs.size())
    throw std::invalid_argument("bleu: " + std::to_string(hyps.size()) + " hypotheses but " +
                                std::to_string(refs.size()) + " references");
  double match[4] = {0, 0, 0, 0}, total[4] = {0, 0, 0, 0};
  std::size_t c = 0, r = 0;
  for (std::size_t s = 0; s < hyps.size(); ++s) {
    const auto& h = hyps[s];
    const auto& ref = refs[s];
    c += h.size();
    r += ref.size();
    for (std::size_t n = 1; n <= 4; ++n) {
      std::map<std::vector<std::string>, int> counts;
      for (std::size_t i = 0; i + n <= ref.size(); ++i)
        ++counts[std::vector<std::string>(ref.begin() + i, ref.begin() + i + n)];
      for (std::size_t i = 0; i + n <= h.size(); ++i) {
        auto it = counts.find(std::vector<std::string>(h.begin() + i, h.begin() + i + n));
        if (it != counts.end() && it->second > 0) {  // clipped: each reference n-gram once
          --it->second;
          ++match[n - 1];
        }
        ++total[n - 1];
      }
    }
  }
  double log_p = 0;
  for (int n = 0; n < 4; ++n) {
    if (match[n] == 0) return 0.0;
    log_p += std::log(match[n] / total[n]) / 4;
  }
  const double bp =
      c < r ? std::exp(1.0 - static_cast<double>(r) / std::max<std::size_t>(c, 1)) : 1.0;
  return 100.0 * bp * std::exp(log_p);
}

}  // namespace attnlab
