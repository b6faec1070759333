// Padding token sequences into a Batch.
#include "data/batch.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <xtensor/xbuilder.hpp>

#include "data/vocab.hpp"

namespace attnlab {

Batch make_batch(const std::vector<std::vector<Index>>& src,
                 const std::vector<std::vector<Index>>& tgt) {
  if (src.empty()) throw std::invalid_argument("batch: no sequences");
  if (!tgt.empty() && tgt.size() != src.size())
    throw std::invalid_argument("batch: " + std::to_string(src.size()) + " sources but " +
                                std::to_string(tgt.size()) + " targets");
  Batch b;
  std::size_t tx = 0, ty = 0;
  for (std::size_t i = 0; i < src.size(); ++i) {
    if (src[i].empty())
      throw std::invalid_argument("batch: source sequence " + std::to_string(i) + " is empty");
    b.src_len.push_back(src[i].size());
    tx = std::max(tx, src[i].size());
    if (!tgt.empty()) ty = std::max(ty, tgt[i].size() + 1);
  }
  b.src = xt::zeros<Index>({src.size(), tx});
  for (std::size_t i = 0; i < src.size(); ++i)
    std::copy(src[i].begin(), src[i].end(), &b.src(i, 0));
  if (tgt.empty()) return b;
  b.tgt_in = xt::zeros<Index>({src.size(), ty});
  b.tgt_out = xt::zeros<Index>({src.size(), ty});
  for (std::size_t i = 0; i < tgt.size(); ++i) {
    b.tgt_in(i, 0) = Vocab::sos;
    for (std::size_t t = 0; t < tgt[i].size(); ++t) {
      b.tgt_in(i, t + 1) = tgt[i][t];
      b.tgt_out(i, t) = tgt[i][t];
    }
    b.tgt_out(i, tgt[i].size()) = Vocab::eos;
  }
  return b;
}

}  // namespace attnlab
