// The cell table, and RNN / BiRNN over padded batches.
#include "layers/recurrent.hpp"

#include <stdexcept>
#include <xtensor/xview.hpp>

#include "layers/gru.hpp"
#include "layers/lstm.hpp"

namespace attnlab {

namespace {

// The one list of cell kinds: a new cell is its file and a line here.
template <class T>
struct CellKind {
  const char* name;
  std::unique_ptr<RecurrentCell<T>> (*make)(const std::string&, std::size_t, std::size_t, Rng&,
                                            const std::string&);
};
template <class T, template <class> class C>
std::unique_ptr<RecurrentCell<T>> make_as(const std::string& prefix, std::size_t input,
                                          std::size_t hidden, Rng& rng, const std::string& suffix) {
  return std::make_unique<C<T>>(prefix, input, hidden, rng, suffix);
}
template <class T>
const CellKind<T> kCells[] = {
    {"gru", make_as<T, GRUCell>},
    {"lstm", make_as<T, LSTMCell>},
};

}  // namespace

std::vector<std::string> cell_names() {
  std::vector<std::string> names;
  for (const auto& k : kCells<float>) names.push_back(k.name);
  return names;
}

template <class T>
std::unique_ptr<RecurrentCell<T>> make_cell(const std::string& kind, const std::string& prefix,
                                            std::size_t input, std::size_t hidden, Rng& rng,
                                            const std::string& suffix) {
  for (const auto& k : kCells<T>)
    if (kind == k.name) return k.make(prefix, input, hidden, rng, suffix);
  std::string known;
  for (const std::string& n : cell_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown cell '" + kind + "' (known: " + known + ")");
}

Mask padding_mask(const std::vector<std::size_t>& lengths, std::size_t steps, const char* who) {
  Mask m = xt::zeros<bool>({lengths.size(), steps});
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    if (lengths[b] == 0 || lengths[b] > steps)
      throw std::invalid_argument(std::string(who) + ": length " + std::to_string(lengths[b]) +
                                  " of sequence " + std::to_string(b) + " is outside [1, " +
                                  std::to_string(steps) + "]");
    for (std::size_t t = lengths[b]; t < steps; ++t) m(b, t) = true;
  }
  return m;
}

// ---- RNN ----

template <class T>
RNN<T>::RNN(const std::string& kind, const std::string& prefix, std::size_t input,
            std::size_t hidden, Rng& rng, bool reverse_)
    : cell(make_cell<T>(kind, prefix, input, hidden, rng, reverse_ ? "_l0_reverse" : "_l0")),
      reverse(reverse_) {}

template <class T>
RNNOutput<T> RNN<T>::forward(Tape<T>& tape, const Var<T>& x,
                             const std::vector<std::size_t>& lengths) {
  const std::size_t I_ = cell->input_size();
  if (x.dim() != 3 || x.shape()[2] != I_ || x.shape()[0] != lengths.size())
    throw std::invalid_argument("rnn: input " + shape_str(x.shape()) + " with " +
                                std::to_string(lengths.size()) + " lengths does not fit (want [" +
                                std::to_string(lengths.size()) + ", T, " + std::to_string(I_) +
                                "])");
  const std::size_t B = x.shape()[0], T_ = x.shape()[1], H = cell->hidden_size();
  const Mask pad = padding_mask(lengths, T_, "rnn");
  const bool ragged = xt::any(pad);
  const long I = static_cast<long>(I_);
  Var<T> xproj;  // [B, T, G H]: the input projection of every step in one GEMM
  if (fused) xproj = cell->project(tape, x);
  const long G = fused ? static_cast<long>(xproj.size(2)) : 0;
  CellState<T> s = cell->zero_state(tape, B);
  std::vector<Var<T>> hs(T_);
  for (std::size_t k = 0; k < T_; ++k) {
    const std::size_t t = reverse ? T_ - 1 - k : k;
    const long lt = static_cast<long>(t);
    const Mask keep = ragged ? Mask(xt::view(pad, xt::all(), t)) : Mask();
    if (fused)
      s = cell->step(tape, reshape(slice(xproj, 1, lt, lt + 1), {long(B), G}), s, keep);
    else
      s = cell->forward_composed(tape, reshape(slice(x, 1, lt, lt + 1), {long(B), I}), s, keep);
    hs[t] = reshape(s.h, {long(B), 1, long(H)});
  }
  Var<T> out = concat(hs, 1);
  if (ragged) {
    Mask m = pad;
    m.reshape({B, T_, 1});
    out = masked_fill(out, m, T(0));
  }
  return {out, s};
}

// ---- BiRNN ----

template <class T>
BiRNN<T>::BiRNN(const std::string& kind, const std::string& prefix, std::size_t input,
                std::size_t hidden, Rng& rng)
    : fwd(kind, prefix, input, hidden, rng, false), bwd(kind, prefix, input, hidden, rng, true) {}

template <class T>
typename BiRNN<T>::Output BiRNN<T>::forward(Tape<T>& tape, const Var<T>& x,
                                            const std::vector<std::size_t>& lengths) {
  RNNOutput<T> f = fwd.forward(tape, x, lengths);
  RNNOutput<T> b = bwd.forward(tape, x, lengths);
  return {concat<T>({f.outputs, b.outputs}, 2), f.final, b.final};
}

template <class T>
std::vector<Parameter<T>*> BiRNN<T>::parameters() {
  std::vector<Parameter<T>*> ps = fwd.parameters();
  for (Parameter<T>* p : bwd.parameters()) ps.push_back(p);
  return ps;
}

#define ATTNLAB_INSTANTIATE(T)                                                                     \
  template std::unique_ptr<RecurrentCell<T>> make_cell(                                            \
      const std::string&, const std::string&, std::size_t, std::size_t, Rng&, const std::string&); \
  template class RNN<T>;                                                                           \
  template class BiRNN<T>;
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
