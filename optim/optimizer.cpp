// The optimizers' updates, elementwise over each parameter.
#include "optim/optimizer.hpp"

#include <cmath>
#include <xtensor/xbuilder.hpp>

namespace attnlab {

template <class T>
SGD<T>::SGD(std::vector<Parameter<T>*> params, double lr) : Optimizer<T>(std::move(params)) {
  this->lr = lr;
}

template <class T>
void SGD<T>::step() {
  const T lr = static_cast<T>(this->lr);
  for (Parameter<T>* p : this->params_) p->value -= lr * p->grad;
}

template <class T>
Adam<T>::Adam(std::vector<Parameter<T>*> params, const AdamOptions& o)
    : Optimizer<T>(std::move(params)), o_(o) {
  this->lr = o.lr;
  for (Parameter<T>* p : this->params_) {
    m_.push_back(xt::zeros<T>(p->value.shape()));
    v_.push_back(xt::zeros<T>(p->value.shape()));
  }
}

template <class T>
void Adam<T>::step() {
  ++t_;
  const double c1 = 1.0 - std::pow(o_.beta1, static_cast<double>(t_));
  const double c2 = 1.0 - std::pow(o_.beta2, static_cast<double>(t_));
  for (std::size_t k = 0; k < this->params_.size(); ++k) {
    T* w = this->params_[k]->value.data();
    const T* g = this->params_[k]->grad.data();
    T* m = m_[k].data();
    T* v = v_[k].data();
    for (std::size_t i = 0; i < m_[k].size(); ++i) {
      m[i] = static_cast<T>(o_.beta1 * m[i] + (1 - o_.beta1) * g[i]);
      v[i] = static_cast<T>(o_.beta2 * v[i] + (1 - o_.beta2) * g[i] * g[i]);
      w[i] -= static_cast<T>(this->lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + o_.eps));
    }
  }
}

template class SGD<float>;
template class SGD<double>;
template class Adam<float>;
template class Adam<double>;

}  // namespace attnlab
