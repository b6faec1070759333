// LSTM layers, gates ordered i, f, g, o as in PyTorch:
//   i, f, o = sigmoid(.), g = tanh(.), c' = f*c + i*g, h' = o*tanh(c'),
//   pre-activations W_ih x + b_ih + W_hh h + b_hh.
// The cell's composed path is these equations from primitive ops; its fused
// path is one GEMM per step for the recurrent part and the gate op below.
#pragma once

#include <string>
#include <vector>

#include "layers/recurrent_cell.hpp"

namespace attnlab {

// The fused gate op. pre [B, 4H] pre-activations; h, c [B, H]; keep [B] (or
// a default, 0-d Mask for none): rows that do not step (past their sequence's end) keep (h, c).
//   y = [h'; c'] [B, 2H] with c' = s(f) c + s(i) tanh(g), h' = s(o) tanh(c')
//   dc' total = dc' + dh' s(o) (1 - tanh^2 c');  dpre_o = dh' tanh(c') s'(o);
//   dpre_i = dc' tanh(g) s'(i);  dpre_f = dc' c s'(f);  dpre_g = dc' s(i) (1 - tanh^2 g);
//   dc += dc' s(f);  kept rows: dh += dh', dc += dc'
template <class T>
Var<T> lstm_gates(const Var<T>& pre, const Var<T>& h, const Var<T>& c, const Mask& keep = {});

template <class T>
class LSTMCell : public RecurrentCell<T> {
 public:
  // Parameters as nn.LSTMCell: "<prefix>.weight_ih<suffix>" [4H, I], ... (see RecurrentCell).
  LSTMCell(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng,
           const std::string& suffix = "");

  CellState<T> step(Tape<T>& tape, const Var<T>& pre_x, const CellState<T>& s,
                    const Mask& keep = {}) override;
  CellState<T> forward_composed(Tape<T>& tape, const Var<T>& x, const CellState<T>& s,
                                const Mask& keep = {}) override;
  CellState<T> zero_state(Tape<T>& tape, std::size_t batch) const override;
};

}  // namespace attnlab
