// Recurrent layers over any gated cell. A cell (LSTMCell, GRUCell) is one
// class with two paths that a test proves equal: a composed step written from
// primitive ops (the textbook, for teaching) and a fused default (one GEMM
// per step for the recurrent part and one gate op with its own backward).
// RNN runs one cell over a padded batch in one direction with packed-sequence
// semantics; BiRNN runs two. Cells are chosen by name: make_cell("gru", ...).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"

namespace attnlab {

template <class T>
struct CellState {
  Var<T> h;  // [B, H]
  Var<T> c;  // [B, H]: an LSTM's cell state; undefined for cells without one (GRU)
};

// A cell with PyTorch's four parameters, G gate blocks of H rows each:
// "<prefix>.weight_ih<suffix>" [G H, I], "weight_hh" [G H, H], "bias_ih",
// "bias_hh" [G H], uniform in +-1/sqrt(H) as nn.LSTM and nn.GRU.
template <class T>
class RecurrentCell {
 public:
  virtual ~RecurrentCell() = default;
  std::size_t input_size() const { return weight_ih.value.shape()[1]; }
  std::size_t hidden_size() const { return weight_hh.value.shape()[1]; }

  // pre_x = x W_ih^T + b_ih [B, G H], for every step at once when x is [B, T, I].
  Var<T> project(Tape<T>& tape, const Var<T>& x);
  // One step from pre_x [B, G H]; rows where keep is true keep their state.
  virtual CellState<T> step(Tape<T>& tape, const Var<T>& pre_x, const CellState<T>& s,
                            const Mask& keep = {}) = 0;
  // x: [B, I], state [B, H] -> state [B, H] (the fused path).
  CellState<T> forward(Tape<T>& tape, const Var<T>& x, const CellState<T>& s,
                       const Mask& keep = {}) {
    return step(tape, project(tape, x), s, keep);
  }
  // The same from primitive ops: the equations as written in the cell's header.
  virtual CellState<T> forward_composed(Tape<T>& tape, const Var<T>& x, const CellState<T>& s,
                                        const Mask& keep = {}) = 0;
  virtual CellState<T> zero_state(Tape<T>& tape, std::size_t batch) const = 0;

  std::vector<Parameter<T>*> parameters() { return {&weight_ih, &weight_hh, &bias_ih, &bias_hh}; }

  Parameter<T> weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RecurrentCell(const std::string& prefix, std::size_t input, std::size_t hidden, std::size_t gates,
                Rng& rng, const std::string& suffix);
};

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

// Rows of a [B, H] state where keep [B] is true come from `old`, the rest
// from `fresh` (the composed paths' way of not stepping past a sequence's end).
template <class T>
Var<T> keep_rows(const Mask& keep, const Var<T>& old, const Var<T>& fresh);

}  // namespace attnlab
