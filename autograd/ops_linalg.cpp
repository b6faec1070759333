// Matrix products, on OpenBLAS's sgemm/dgemm. Backward calls gemm with
// transposed operands and beta = 1, accumulating straight into the gradient
// buffers instead of materialising transposes or temporaries.
#include <cblas.h>

#include <atomic>

#include "autograd/ops_detail.hpp"

namespace attnlab {

namespace {
std::atomic<std::uint64_t> flops{0};
}

std::uint64_t gemm_flops() { return flops.load(std::memory_order_relaxed); }

namespace detail {

inline void count(int m, int n, int k) {
  flops.fetch_add(2ull * m * n * k, std::memory_order_relaxed);
}

// C = alpha * op(A) op(B) + beta * C, row-major; op(X) is X or X^T.
inline void gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* A, const float* B,
                 float beta, float* C) {
  count(m, n, k);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, alpha, A, ta ? m : k, B, tb ? k : n, beta, C, n);
}
inline void gemm(bool ta, bool tb, int m, int n, int k, double alpha, const double* A,
                 const double* B, double beta, double* C) {
  count(m, n, k);
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, alpha, A, ta ? m : k, B, tb ? k : n, beta, C, n);
}

}  // namespace detail

void set_blas_threads(int n) { openblas_set_num_threads(n > 0 ? n : 1); }

template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b) {
  const auto& as = a.shape();
  const auto& bs = b.shape();
  const std::size_t nd = as.size();
  const bool ok = nd == bs.size() && (nd == 2 || nd == 3) && as[nd - 1] == bs[nd - 2] &&
                  (nd == 2 || as[0] == bs[0]);
  if (!ok)
    detail::shape_error("matmul", "shapes " + shape_str(as) + " and " + shape_str(bs) +
                                      " do not multiply (want [M, K] x [K, N] or "
                                      "[B, M, K] x [B, K, N])");
  const std::size_t batch = nd == 3 ? as[0] : 1;
  const int M = static_cast<int>(as[nd - 2]);
  const int K = static_cast<int>(as[nd - 1]);
  const int N = static_cast<int>(bs[nd - 1]);
  Shape ys(as.begin(), as.end());
  ys[nd - 1] = static_cast<std::size_t>(N);
  Array<T> y = Array<T>::from_shape(ys);
  // BLAS rejects zero leading dimensions: an empty product is all zeros.
  const bool empty = M == 0 || N == 0 || K == 0;
  if (empty) y.fill(T(0));
  for (std::size_t i = 0; i < batch && !empty; ++i)
    detail::gemm(false, false, M, N, K, T(1), a.value().data() + i * M * K,
                 b.value().data() + i * K * N, T(0), y.data() + i * M * N);
  return detail::record<T>("matmul", std::move(y), {a, b}, [=](detail::Node<T>& y) {
    detail::Node<T>& a = *y.inputs[0];
    detail::Node<T>& b = *y.inputs[1];
    if (empty) return;
    const T* dy = y.grad().data();
    if (a.requires_grad) {  // da[M,K] += dy[M,N] b^T
      T* da = a.grad_buffer().data();
      for (std::size_t i = 0; i < batch; ++i)
        detail::gemm(false, true, M, K, N, T(1), dy + i * M * N, b.value().data() + i * K * N, T(1),
                     da + i * M * K);
    }
    if (b.requires_grad) {  // db[K,N] += a^T dy[M,N]
      T* db = b.grad_buffer().data();
      for (std::size_t i = 0; i < batch; ++i)
        detail::gemm(true, false, K, N, M, T(1), a.value().data() + i * M * K, dy + i * M * N, T(1),
                     db + i * K * N);
    }
  });
}

namespace {

template <class T>
Var<T> linear_impl(const Var<T>& x, const Var<T>& W, const Var<T>* b) {
  const auto& xs = x.shape();
  const auto& ws = W.shape();
  const bool ok = !xs.empty() && ws.size() == 2 && xs.back() == ws[1] &&
                  (!b || (b->dim() == 1 && b->shape()[0] == ws[0]));
  if (!ok)
    detail::shape_error("linear", "input " + shape_str(xs) + ", weight " + shape_str(ws) +
                                      (b ? ", bias " + shape_str(b->shape()) : std::string()) +
                                      " do not fit (want [..., I], [O, I], [O])");
  const int I = static_cast<int>(ws[1]);
  const int O = static_cast<int>(ws[0]);
  const int N = static_cast<int>(x.value().size() / std::max<std::size_t>(ws[1], 1));
  Shape ys(xs.begin(), xs.end());
  ys.back() = ws[0];
  Array<T> y = Array<T>::from_shape(ys);
  if (b)
    for (int n = 0; n < N; ++n) std::copy_n(b->value().data(), O, y.data() + n * O);
  else
    y.fill(T(0));
  const bool empty = N == 0 || O == 0 || I == 0;
  if (!empty)
    detail::gemm(false, true, N, O, I, T(1), x.value().data(), W.value().data(), T(1), y.data());
  std::vector<Var<T>> inputs{x, W};
  if (b) inputs.push_back(*b);
  return detail::record<T>("linear", std::move(y), inputs, [=](detail::Node<T>& y) {
    detail::Node<T>& x = *y.inputs[0];
    detail::Node<T>& W = *y.inputs[1];
    const T* dy = y.grad().data();
    if (y.inputs.size() == 3 && y.inputs[2]->requires_grad) {
      T* db = y.inputs[2]->grad_buffer().data();
      for (int n = 0; n < N; ++n)
        for (int o = 0; o < O; ++o) db[o] += dy[n * O + o];
    }
    if (empty) return;
    if (x.requires_grad)  // dx[N,I] += dy[N,O] W[O,I]
      detail::gemm(false, false, N, I, O, T(1), dy, W.value().data(), T(1), x.grad_buffer().data());
    if (W.requires_grad)  // dW[O,I] += dy^T x
      detail::gemm(true, false, O, I, N, T(1), dy, x.value().data(), T(1), W.grad_buffer().data());
  });
}

}  // namespace

template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& W, const Var<T>& b) {
  return linear_impl(x, W, &b);
}

template <class T>
Var<T> linear(const Var<T>& x, const Var<T>& W) {
  return linear_impl<T>(x, W, nullptr);
}

#define ATTNLAB_INSTANTIATE(T)                                         \
  template Var<T> matmul(const Var<T>&, const Var<T>&);                \
  template Var<T> linear(const Var<T>&, const Var<T>&, const Var<T>&); \
  template Var<T> linear(const Var<T>&, const Var<T>&);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
