// The fused LSTM gate op and the LSTM cell (fused and composed).
#include "layers/lstm.hpp"

#include <cmath>
#include <stdexcept>
#include <xtensor/xmath.hpp>

#include "autograd/fast_math.hpp"

namespace attnlab {

namespace {

// One row of the gates. The pointers never alias: saying so (__restrict) is
// what lets the compiler vectorise these loops; with the run-time alias
// checks it would need instead, it gave up and ran them one float at a time.
// a holds s(i), s(f), tanh(g), s(o) and tanh(c') for the backward pass.
template <class T>
void gates_forward(const T* __restrict p, const T* __restrict cp, T* __restrict a, T* __restrict hy,
                   T* __restrict cy, std::size_t H) {
  for (std::size_t j = 0; j < H; ++j) a[2 * H + j] = detail::fast_tanh(p[2 * H + j]);
  for (std::size_t j = 0; j < H; ++j)
    a[j] = detail::fast_sigmoid(p[j]), a[H + j] = detail::fast_sigmoid(p[H + j]),
    a[3 * H + j] = detail::fast_sigmoid(p[3 * H + j]);
  for (std::size_t j = 0; j < H; ++j) cy[j] = a[H + j] * cp[j] + a[j] * a[2 * H + j];
  for (std::size_t j = 0; j < H; ++j) a[4 * H + j] = detail::fast_tanh(cy[j]);
  for (std::size_t j = 0; j < H; ++j) hy[j] = a[3 * H + j] * a[4 * H + j];
}

template <class T>
void gates_backward(const T* __restrict a, const T* __restrict cp, const T* __restrict dhy,
                    const T* __restrict dcy, T* __restrict dpre, T* __restrict dc, std::size_t H) {
  const T* __restrict i = a, * __restrict f = a + H, * __restrict g = a + 2 * H;
  const T* __restrict o = a + 3 * H, * __restrict tc = a + 4 * H;
  if (dpre) {
    T* __restrict di = dpre, * __restrict df = dpre + H, * __restrict dg = dpre + 2 * H;
    T* __restrict dout = dpre + 3 * H;
    for (std::size_t j = 0; j < H; ++j) {
      const T d = dcy[j] + dhy[j] * o[j] * (T(1) - tc[j] * tc[j]);
      di[j] += d * g[j] * i[j] * (T(1) - i[j]);
      df[j] += d * cp[j] * f[j] * (T(1) - f[j]);
      dg[j] += d * i[j] * (T(1) - g[j] * g[j]);
      dout[j] += dhy[j] * tc[j] * o[j] * (T(1) - o[j]);
    }
  }
  if (dc)
    for (std::size_t j = 0; j < H; ++j)
      dc[j] += (dcy[j] + dhy[j] * o[j] * (T(1) - tc[j] * tc[j])) * f[j];
}

}  // namespace

template <class T>
Var<T> lstm_gates(const Var<T>& pre, const Var<T>& h, const Var<T>& c, const Mask& keep) {
  const auto& ps = pre.shape();
  const bool ok = ps.size() == 2 && ps[1] % 4 == 0 && h.shape() == c.shape() && h.dim() == 2 &&
                  h.shape()[0] == ps[0] && h.shape()[1] * 4 == ps[1] &&
                  (keep.dimension() == 0 || (keep.dimension() == 1 && keep.size() == ps[0]));
  if (!ok)
    throw std::invalid_argument("lstm_gates: pre-activations " + shape_str(ps) + ", h " +
                                shape_str(h.shape()) + ", c " + shape_str(c.shape()) + ", keep " +
                                shape_str(keep.shape()) +
                                " do not fit (want [B, 4H], [B, H], [B, H], [B] or [])");
  const std::size_t B = ps[0], H = ps[1] / 4;
  const bool has_keep = keep.dimension() == 1;  // a default Mask is 0-d: no row kept
  // s(i), s(f), tanh(g), s(o), and tanh(c') for the backward pass
  Array<T> act = Array<T>::from_shape({B, 5 * H});
  Array<T> y = Array<T>::from_shape({B, 2 * H});
  for (std::size_t b = 0; b < B; ++b) {
    const T* p = pre.value().data() + b * 4 * H;
    const T* hp = h.value().data() + b * H;
    const T* cp = c.value().data() + b * H;
    T* a = act.data() + b * 5 * H;
    T* hy = y.data() + b * 2 * H;
    T* cy = hy + H;
    if (has_keep && keep(b)) {
      std::copy_n(hp, H, hy);
      std::copy_n(cp, H, cy);
      continue;
    }
    gates_forward(p, cp, a, hy, cy, H);
  }
  return detail::record<T>("lstm_gates", std::move(y), {pre, h, c},
                           [act = std::move(act), keep, has_keep, B, H](detail::Node<T>& y) {
                             detail::Node<T>& pre = *y.inputs[0];
                             detail::Node<T>& h = *y.inputs[1];
                             detail::Node<T>& c = *y.inputs[2];
                             T* dpre = pre.requires_grad ? pre.grad_buffer().data() : nullptr;
                             T* dh = h.requires_grad ? h.grad_buffer().data() : nullptr;
                             T* dc = c.requires_grad ? c.grad_buffer().data() : nullptr;
                             for (std::size_t b = 0; b < B; ++b) {
                               const T* dhy = y.grad().data() + b * 2 * H;
                               const T* dcy = dhy + H;
                               if (has_keep && keep(b)) {  // the state passed through unchanged
                                 for (std::size_t j = 0; j < H && dh; ++j) dh[b * H + j] += dhy[j];
                                 for (std::size_t j = 0; j < H && dc; ++j) dc[b * H + j] += dcy[j];
                                 continue;
                               }
                               gates_backward(act.data() + b * 5 * H, c.value().data() + b * H, dhy,
                                              dcy, dpre ? dpre + b * 4 * H : nullptr,
                                              dc ? dc + b * H : nullptr, H);
                             }
                           });
}

// ---- LSTMCell ----

template <class T>
LSTMCell<T>::LSTMCell(const std::string& prefix, std::size_t input, std::size_t hidden, Rng& rng,
                      const std::string& suffix)
    : RecurrentCell<T>(prefix, input, hidden, 4, rng, suffix) {}

template <class T>
CellState<T> LSTMCell<T>::zero_state(Tape<T>& tape, std::size_t batch) const {
  const std::size_t H = this->hidden_size();
  return {tape.constant(xt::zeros<T>({batch, H})), tape.constant(xt::zeros<T>({batch, H}))};
}

template <class T>
CellState<T> LSTMCell<T>::step(Tape<T>& tape, const Var<T>& pre_x, const CellState<T>& s,
                               const Mask& keep) {
  // pre = x W_ih^T + b_ih + h W_hh^T + b_hh: the four gates in one GEMM
  Var<T> pre = pre_x + linear(s.h, tape.param(this->weight_hh), tape.param(this->bias_hh));
  Var<T> hc = lstm_gates(pre, s.h, s.c, keep);
  const long H = static_cast<long>(this->hidden_size());
  return {slice(hc, 1, 0, H), slice(hc, 1, H, 2 * H)};
}

template <class T>
CellState<T> LSTMCell<T>::forward_composed(Tape<T>& tape, const Var<T>& x, const CellState<T>& s,
                                           const Mask& keep) {
  const std::size_t H = this->hidden_size();
  Var<T> pre = linear(x, tape.param(this->weight_ih), tape.param(this->bias_ih)) +
               linear(s.h, tape.param(this->weight_hh), tape.param(this->bias_hh));
  std::vector<Var<T>> z = split(pre, 1, {H, H, H, H});
  Var<T> i = sigmoid(z[0]), f = sigmoid(z[1]), g = tanh(z[2]), o = sigmoid(z[3]);
  Var<T> c = f * s.c + i * g;
  Var<T> h = o * tanh(c);
  return {keep_rows(keep, s.h, h), keep_rows(keep, s.c, c)};
}

#define ATTNLAB_INSTANTIATE(T)                                                          \
  template Var<T> lstm_gates(const Var<T>&, const Var<T>&, const Var<T>&, const Mask&); \
  template class LSTMCell<T>;
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
