// How well a model's attention matches gold word alignments
// (data/alignment.hpp): Och & Ney's alignment error rate, the argmax
// alignment it is computed from, and the attention mass on gold positions.
#pragma once

#include <cstddef>
#include <vector>

#include "autograd/array.hpp"
#include "data/alignment.hpp"

namespace attnlab {

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
