// What every gated cell (LSTMCell, GRUCell) shares: PyTorch's four
// parameters and the two paths a test proves equal, a composed step written
// from primitive ops (the textbook, for teaching) and a fused default (one
// GEMM per step for the recurrent part and one gate op with its own backward).
#pragma once

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

// Rows of a [B, H] state where keep [B] is true come from `old`, the rest
// from `fresh` (the composed paths' way of not stepping past a sequence's end).
template <class T>
Var<T> keep_rows(const Mask& keep, const Var<T>& old, const Var<T>& fresh);

}  // namespace attnlab
