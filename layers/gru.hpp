// The GRU cell, gates ordered r, z, n as in PyTorch:
//   r = s(W_ir x + b_ir + W_hr h + b_hr),  z = s(W_iz x + b_iz + W_hz h + b_hz),
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),  h' = (1 - z) * n + z * h.
// No cell state: CellState::c stays undefined. The composed path is these
// equations from primitive ops; the fused path is one GEMM per step for the
// recurrent part and the gate op below.
#pragma once

#include <string>

#include "layers/recurrent_cell.hpp"

namespace attnlab {

// The fused gate op. px = x W_ih^T + b_ih and ph = h W_hh^T + b_hh [B, 3H];
// h [B, H]; keep [B] (or a default, 0-d Mask for none): kept rows keep h.
//   h' [B, H] as above, with a = W_hn h + b_hn (ph's third block);
//   dn = dh' (1 - z) (1 - n^2);  dz = dh' (h - n) z (1 - z);  dr = dn a r (1 - r);
//   dpx = [dr; dz; dn];  dph = [dr; dz; dn r];  dh += dh' z;  kept rows: dh += dh'
template <class T>
Var<T> gru_gates(const Var<T>& px, const Var<T>& ph, const Var<T>& h, const Mask& keep = {});

template <class T>
class GRUCell : public RecurrentCell<T> {
 public:
  // Parameters as nn.GRUCell: "<prefix>.weight_ih<suffix>" [3H, I], ... (see RecurrentCell).
  GRUCell(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng,
          const std::string& suffix = "");

  CellState<T> step(Tape<T>& tape, const Var<T>& pre_x, const CellState<T>& s,
                    const Mask& keep = {}) override;
  CellState<T> forward_composed(Tape<T>& tape, const Var<T>& x, const CellState<T>& s,
                                const Mask& keep = {}) override;
  CellState<T> zero_state(Tape<T>& tape, std::size_t batch) const override;
};

}  // namespace attnlab
