// Global-norm gradient clipping: one pass to measure, one to scale.
#include "optim/clip.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace attnlab {

template <class T>
double clip_grad_norm(const std::vector<Parameter<T>*>& params, double max_norm) {
  if (!(max_norm >= 0)) {
    std::ostringstream os;
    os << "must be >= 0, 0 turning clipping off (got " << max_norm << ")";
    throw OptionError("clip", os.str());
  }
  double sum = 0.0;
  for (const Parameter<T>* p : params) {
    if (!p->requires_grad) continue;
    for (const T g : p->grad) sum += static_cast<double>(g) * static_cast<double>(g);
  }
  const double total = std::sqrt(sum);
  if (max_norm > 0 && std::isfinite(total) && total > max_norm) {
    const T scale = static_cast<T>(max_norm / (total + 1e-6));
    for (Parameter<T>* p : params)
      if (p->requires_grad) p->grad *= scale;
  }
  return total;
}

template double clip_grad_norm(const std::vector<Parameter<float>*>&, double);
template double clip_grad_norm(const std::vector<Parameter<double>*>&, double);

}  // namespace attnlab
