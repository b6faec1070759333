// LSTM layers, gates ordered i, f, g, o as in PyTorch:
//   i, f, o = sigmoid(.), g = tanh(.), c' = f*c + i*g, h' = o*tanh(c'),
//   pre-activations W_ih x + b_ih + W_hh h + b_hh.
// Two paths that a test proves equal: a composed cell written from primitive
// ops (the textbook, for teaching), and the fused default: one GEMM for the
// input projection of every time step, one GEMM per step for the recurrent
// part, and one fused gate op with its own backward.
#pragma once

#include <string>
#include <vector>

#include "autograd/ops.hpp"

namespace attnlab {

template <class T>
struct LSTMState {
  Var<T> h, c;  // [B, H] each
};

// The fused gate op. pre [B, 4H] pre-activations; h, c [B, H]; keep [B] (or
// a default, 0-d Mask for none): rows that do not step (past their sequence's end) keep (h, c).
//   y = [h'; c'] [B, 2H] with c' = s(f) c + s(i) tanh(g), h' = s(o) tanh(c')
//   dc' total = dc' + dh' s(o) (1 - tanh^2 c');  dpre_o = dh' tanh(c') s'(o);
//   dpre_i = dc' tanh(g) s'(i);  dpre_f = dc' c s'(f);  dpre_g = dc' s(i) (1 - tanh^2 g);
//   dc += dc' s(f);  kept rows: dh += dh', dc += dc'
template <class T>
Var<T> lstm_gates(const Var<T>& pre, const Var<T>& h, const Var<T>& c, const Mask& keep = {});

template <class T>
class LSTMCell {
 public:
  // Parameters "<prefix>.weight_ih<suffix>" [4H, I], "weight_hh" [4H, H],
  // "bias_ih" [4H], "bias_hh" [4H], uniform in +-1/sqrt(H) as nn.LSTM.
  LSTMCell(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng,
           const std::string& suffix = "");

  std::size_t input_size() const { return weight_ih.value.shape()[1]; }
  std::size_t hidden_size() const { return weight_hh.value.shape()[1]; }

  // x: [B, I], state [B, H] -> state [B, H]; rows where keep is true keep theirs.
  LSTMState<T> forward(Tape<T>& tape, const Var<T>& x, const LSTMState<T>& s,
                       const Mask& keep = {});
  // The same from primitive ops: the equations as written above.
  LSTMState<T> forward_composed(Tape<T>& tape, const Var<T>& x, const LSTMState<T>& s,
                                const Mask& keep = {});
  // pre_x = x W_ih^T + b_ih [B, 4H] already computed (for all steps at once).
  LSTMState<T> step(Tape<T>& tape, const Var<T>& pre_x, const LSTMState<T>& s,
                    const Mask& keep = {});
  LSTMState<T> zero_state(Tape<T>& tape, std::size_t batch) const;

  std::vector<Parameter<T>*> parameters() { return {&weight_ih, &weight_hh, &bias_ih, &bias_hh}; }

  Parameter<T> weight_ih, weight_hh, bias_ih, bias_hh;
};

template <class T>
struct LSTMOutput {
  Var<T> outputs;      // [B, T, H], zero at padded positions
  LSTMState<T> final;  // each sequence's state at its last real token
};

// One direction over a padded batch with packed-sequence semantics: sequence
// b steps only through its first lengths[b] positions; a reverse LSTM starts
// at each sequence's own last real token.
template <class T>
class LSTM {
 public:
  // Parameters named as nn.LSTM's layer 0: "<prefix>.weight_ih_l0[_reverse]" ...
  LSTM(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng,
       bool reverse = false);

  // x: [B, T, I], lengths: B values in [1, T] -> outputs [B, T, H]
  LSTMOutput<T> forward(Tape<T>& tape, const Var<T>& x, const std::vector<std::size_t>& lengths);
  std::vector<Parameter<T>*> parameters() { return cell.parameters(); }

  LSTMCell<T> cell;
  bool reverse;
  bool fused = true;  // false: the composed cell at every step
};

// Forward and reverse LSTMs side by side.
template <class T>
class BiLSTM {
 public:
  BiLSTM(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng);

  struct Output {
    Var<T> outputs;         // [B, T, 2H] = [forward; backward] at each position
    LSTMState<T> fwd, bwd;  // final states of each direction
  };
  // x: [B, T, I], lengths: B values in [1, T]
  Output forward(Tape<T>& tape, const Var<T>& x, const std::vector<std::size_t>& lengths);
  std::vector<Parameter<T>*> parameters();
  void set_fused(bool on) { fwd.fused = bwd.fused = on; }

  LSTM<T> fwd, bwd;
};

// [B, T] mask, true at padded positions (t >= lengths[b]); checks lengths.
Mask padding_mask(const std::vector<std::size_t>& lengths, std::size_t steps, const char* who);

}  // namespace attnlab
