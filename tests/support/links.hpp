// Alignment links written as pairs, sorted: what the alignment tests compare.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <utility>
#include <vector>

#include "data/alignment.hpp"

namespace attnlab::test {

inline std::vector<Link> links(std::initializer_list<std::pair<std::size_t, std::size_t>> l) {
  std::vector<Link> out;
  for (auto [s, t] : l) out.push_back({s, t});
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace attnlab::test
