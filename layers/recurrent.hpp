// Recurrent layers over any gated cell (layers/recurrent_cell.hpp): the
// table of cells, chosen by name (make_cell("gru", ...)); RNN, one cell over
// a padded batch in one direction with packed-sequence semantics; BiRNN, two.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"
#include "layers/recurrent_cell.hpp"

namespace attnlab {

// The registered cell kinds ("lstm", "gru"), sorted.
std::vector<std::string> cell_names();
// The cell `kind` with parameters "<prefix>.<name><suffix>"; an unknown kind
// throws, listing the known ones.
template <class T>
std::unique_ptr<RecurrentCell<T>> make_cell(const std::string& kind, const std::string& prefix,
                                            std::size_t input, std::size_t hidden, Rng& rng,
                                            const std::string& suffix = "");

template <class T>
struct RNNOutput {
  Var<T> outputs;      // [B, T, H], zero at padded positions
  CellState<T> final;  // each sequence's state at its last real token
};

// One direction over a padded batch with packed-sequence semantics: sequence
// b steps only through its first lengths[b] positions; a reverse RNN starts
// at each sequence's own last real token.
template <class T>
class RNN {
 public:
  // Parameters named as nn.LSTM's / nn.GRU's layer 0: "<prefix>.weight_ih_l0[_reverse]" ...
  RNN(const std::string& kind, const std::string& prefix, std::size_t input, std::size_t hidden,
      Rng& rng, bool reverse = false);

  // x: [B, T, I], lengths: B values in [1, T] -> outputs [B, T, H]
  RNNOutput<T> forward(Tape<T>& tape, const Var<T>& x, const std::vector<std::size_t>& lengths);
  std::vector<Parameter<T>*> parameters() { return cell->parameters(); }

  std::unique_ptr<RecurrentCell<T>> cell;
  bool reverse;
  bool fused = true;  // false: the composed cell at every step
};

// Forward and reverse RNNs side by side.
template <class T>
class BiRNN {
 public:
  BiRNN(const std::string& kind, const std::string& prefix, std::size_t input, std::size_t hidden,
        Rng& rng);

  struct Output {
    Var<T> outputs;         // [B, T, 2H] = [forward; backward] at each position
    CellState<T> fwd, bwd;  // final states of each direction
  };
  // x: [B, T, I], lengths: B values in [1, T]
  Output forward(Tape<T>& tape, const Var<T>& x, const std::vector<std::size_t>& lengths);
  std::vector<Parameter<T>*> parameters();

  RNN<T> fwd, bwd;
};

// [B, T] mask, true at padded positions (t >= lengths[b]); checks lengths.
Mask padding_mask(const std::vector<std::size_t>& lengths, std::size_t steps, const char* who);

}  // namespace attnlab
