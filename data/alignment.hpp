// Word alignments: links between source and target positions, gold ones with
// Och & Ney's sure and possible links (how well attention matches them:
// metrics/alignment.hpp).
#pragma once

#include <cstddef>
#include <vector>

namespace attnlab {

// Target token `tgt` comes from source token `src` (0-based positions).
struct Link {
  std::size_t src = 0, tgt = 0;
  friend bool operator==(const Link& a, const Link& b) { return a.src == b.src && a.tgt == b.tgt; }
  friend bool operator<(const Link& a, const Link& b) {
    return a.tgt != b.tgt ? a.tgt < b.tgt : a.src < b.src;
  }
};

// A gold alignment: sure links S within possible links P (S ⊆ P), each
// sorted by target position, then source position, without repeats.
struct Alignment {
  std::vector<Link> sure, possible;
};

}  // namespace attnlab
