// Word alignments: links between source and target positions, gold ones with
// Och & Ney's sure and possible links, and how well a model's attention
// matches them.
#pragma once

#include <cstddef>
#include <vector>

#include "autograd/array.hpp"

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

// Och & Ney (2003): AER = 1 - (|A ∩ S| + |A ∩ P|) / (|A| + |S|), 0 = perfect,
// summed over sentences (corpus-level). Throws std::invalid_argument when the
// sizes differ or every A and S is empty (nothing to score).
double alignment_error_rate(const std::vector<Alignment>& gold,
                            const std::vector<std::vector<Link>>& hypothesis);
double alignment_error_rate(const Alignment& gold, const std::vector<Link>& hypothesis);

// Each target position's most attended source position, from attention
// [steps, Tx]; rows from `target_len` on (the <eos> step) are left out.
std::vector<Link> argmax_alignment(const Array<float>& attention, std::size_t target_len);

// The mean, over target positions with a possible link, of the attention
// mass on their possible source positions (1 = all of it on gold positions).
// NaN when no target position has a link.
double gold_attention_mass(const Alignment& gold, const Array<float>& attention);

}  // namespace attnlab
