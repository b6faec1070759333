// Matrix products, on OpenBLAS's sgemm/dgemm. Backward calls gemm with
// transposed operands and beta = 1, accumulating straight into the gradient
// buffers instead of materialising transposes or temporaries.
#include <cblas.h>

#include "autograd/ops_detail.hpp"

namespace attnlab {

namespace detail {

// C = alpha * op(A) op(B) + beta * C, row-major; op(X) is X or X^T.
inline void gemm(bool ta, bool tb, int m, int n, int k, float alpha, const float* A, const float* B,
                 float beta, float* C) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, alpha, A, ta ? m : k, B, tb ? k : n, beta, C, n);
}
inline void gemm(bool ta, bool tb, int m, int n, int k, double alpha, const double* A,
                 const double* B, double beta, double* C) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, alpha, A, ta ? m : k, B, tb ? k : n, beta, C, n);
}

}  // namespace detail

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

template Var<float> matmul(const Var<float>&, const Var<float>&);
template Var<double> matmul(const Var<double>&, const Var<double>&);

}  // namespace attnlab
