// The fused GRU gate op and the GRU cell (fused and composed).
#include "layers/gru.hpp"

#include <stdexcept>

#include "autograd/fast_math.hpp"

namespace attnlab {

namespace {

// One row of the gates; the pointers never alias (see lstm.cpp). act holds
// r, z, n and a = W_hn h + b_hn for the backward pass.
template <class T>
void gates_forward(const T* __restrict px, const T* __restrict ph, const T* __restrict h,
                   T* __restrict act, T* __restrict hy, std::size_t H) {
  T* __restrict r = act;
  T* __restrict z = act + H;
  T* __restrict n = act + 2 * H;
  T* __restrict a = act + 3 * H;
  for (std::size_t j = 0; j < H; ++j) {
    r[j] = detail::fast_sigmoid(px[j] + ph[j]);
    z[j] = detail::fast_sigmoid(px[H + j] + ph[H + j]);
    a[j] = ph[2 * H + j];
  }
  for (std::size_t j = 0; j < H; ++j) n[j] = detail::fast_tanh(px[2 * H + j] + r[j] * a[j]);
  for (std::size_t j = 0; j < H; ++j) hy[j] = (T(1) - z[j]) * n[j] + z[j] * h[j];
}

template <class T>
void gates_backward(const T* __restrict act, const T* __restrict h, const T* __restrict dhy,
                    T* __restrict dpx, T* __restrict dph, T* __restrict dh, std::size_t H) {
  const T* __restrict r = act;
  const T* __restrict z = act + H;
  const T* __restrict n = act + 2 * H;
  const T* __restrict a = act + 3 * H;
  for (std::size_t j = 0; j < H; ++j) {
    const T dn = dhy[j] * (T(1) - z[j]) * (T(1) - n[j] * n[j]);
    const T dz = dhy[j] * (h[j] - n[j]) * z[j] * (T(1) - z[j]);
    const T dr = dn * a[j] * r[j] * (T(1) - r[j]);
    if (dpx) dpx[j] += dr, dpx[H + j] += dz, dpx[2 * H + j] += dn;
    if (dph) dph[j] += dr, dph[H + j] += dz, dph[2 * H + j] += dn * r[j];
    if (dh) dh[j] += dhy[j] * z[j];
  }
}

}  // namespace

template <class T>
Var<T> gru_gates(const Var<T>& px, const Var<T>& ph, const Var<T>& h, const Mask& keep) {
  const auto& s = px.shape();
  const bool ok = s.size() == 2 && s[1] % 3 == 0 && ph.shape() == s && h.dim() == 2 &&
                  h.shape()[0] == s[0] && h.shape()[1] * 3 == s[1] &&
                  (keep.dimension() == 0 || (keep.dimension() == 1 && keep.size() == s[0]));
  if (!ok)
    throw std::invalid_argument("gru_gates: input part " + shape_str(s) + ", hidden part " +
                                shape_str(ph.shape()) + ", h " + shape_str(h.shape()) + ", keep " +
                                shape_str(keep.shape()) +
                                " do not fit (want [B, 3H], [B, 3H], [B, H], [B] or [])");
  const std::size_t B = s[0], H = s[1] / 3;
  const bool has_keep = keep.dimension() == 1;  // a default Mask is 0-d: no row kept
  Array<T> act = Array<T>::from_shape({B, 4 * H});
  Array<T> y = Array<T>::from_shape({B, H});
  for (std::size_t b = 0; b < B; ++b) {
    const T* hp = h.value().data() + b * H;
    if (has_keep && keep(b)) {
      std::copy_n(hp, H, y.data() + b * H);
      continue;
    }
    gates_forward(px.value().data() + b * 3 * H, ph.value().data() + b * 3 * H, hp,
                  act.data() + b * 4 * H, y.data() + b * H, H);
  }
  return detail::record<T>("gru_gates", std::move(y), {px, ph, h},
                           [act = std::move(act), keep, has_keep, B, H](detail::Node<T>& y) {
                             detail::Node<T>& px = *y.inputs[0];
                             detail::Node<T>& ph = *y.inputs[1];
                             detail::Node<T>& h = *y.inputs[2];
                             T* dpx = px.requires_grad ? px.grad_buffer().data() : nullptr;
                             T* dph = ph.requires_grad ? ph.grad_buffer().data() : nullptr;
                             T* dh = h.requires_grad ? h.grad_buffer().data() : nullptr;
                             for (std::size_t b = 0; b < B; ++b) {
                               const T* dhy = y.grad().data() + b * H;
                               if (has_keep && keep(b)) {  // the state passed through unchanged
                                 for (std::size_t j = 0; j < H && dh; ++j) dh[b * H + j] += dhy[j];
                                 continue;
                               }
                               gates_backward(act.data() + b * 4 * H, h.value().data() + b * H, dhy,
                                              dpx ? dpx + b * 3 * H : nullptr,
                                              dph ? dph + b * 3 * H : nullptr,
                                              dh ? dh + b * H : nullptr, H);
                             }
                           });
}

template <class T>
GRUCell<T>::GRUCell(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng,
                    const std::string& suffix)
    : RecurrentCell<T>(prefix, input, hidden, 3, rng, suffix) {}

template <class T>
CellState<T> GRUCell<T>::zero_state(Tape<T>& tape, std::size_t batch) const {
  return {tape.constant(xt::zeros<T>({batch, this->hidden_size()})), Var<T>()};
}

template <class T>
CellState<T> GRUCell<T>::step(Tape<T>& tape, const Var<T>& pre_x, const CellState<T>& s,
                              const Mask& keep) {
  Var<T> ph = linear(s.h, tape.param(this->weight_hh), tape.param(this->bias_hh));
  return {gru_gates(pre_x, ph, s.h, keep), Var<T>()};
}

template <class T>
CellState<T> GRUCell<T>::forward_composed(Tape<T>& tape, const Var<T>& x, const CellState<T>& s,
                                          const Mask& keep) {
  const std::size_t H = this->hidden_size();
  std::vector<Var<T>> gx = split(this->project(tape, x), 1, {H, H, H});
  std::vector<Var<T>> gh =
      split(linear(s.h, tape.param(this->weight_hh), tape.param(this->bias_hh)), 1, {H, H, H});
  Var<T> r = sigmoid(gx[0] + gh[0]), z = sigmoid(gx[1] + gh[1]);
  Var<T> n = tanh(gx[2] + r * gh[2]);
  Var<T> h = (T(1) - z) * n + z * s.h;
  return {keep_rows(keep, s.h, h), Var<T>()};
}

#define ATTNLAB_INSTANTIATE(T)                                                         \
  template Var<T> gru_gates(const Var<T>&, const Var<T>&, const Var<T>&, const Mask&); \
  template class GRUCell<T>;
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
