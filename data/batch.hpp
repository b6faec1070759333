// A padded, batch-major batch of token ids: what a model's loss and decoding
// read (sources padded with 0, targets wrapped in <sos> ... <eos>).
#pragma once

#include <cstddef>
#include <vector>

#include "autograd/array.hpp"

namespace attnlab {

// A padded, batch-major batch of token ids (pad = 0).
struct Batch {
  IndexArray src;                    // [B, Tx]
  std::vector<std::size_t> src_len;  // B real lengths, each >= 1
  IndexArray tgt_in;                 // [B, Ty]: <sos> y_1 .. y_m, then pad
  IndexArray tgt_out;                // [B, Ty]: y_1 .. y_m <eos>, then pad
  std::size_t size() const { return src_len.size(); }
};

// Pads sources and targets into a Batch (targets may be empty: decoding only).
// An empty source sequence is refused.
Batch make_batch(const std::vector<std::vector<Index>>& src,
                 const std::vector<std::vector<Index>>& tgt = {});

}  // namespace attnlab
