// The tape, its nodes and handles, and backward().
#include "autograd/tape.hpp"

#include <algorithm>
#include <stdexcept>
#include <xtensor/xreducer.hpp>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <xtensor/xview.hpp>

namespace attnlab {

namespace {

// Every training step allocates and frees the same large arrays. By default
// glibc maps each block over 128 KiB fresh from the kernel and hands freed
// memory back, so every step faults all its pages in again; on virtual
// machines that was two thirds of a step (BENCHMARKS.md). The library keeps
// freed memory in the process instead, so steady-state steps fault nothing.
// This runs once, when the library is loaded (tape.cpp is always linked).
[[maybe_unused]] const bool allocator_keeps_memory = [] {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's ceiling: larger is refused
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // one arena: a thread's own arena frees whole 64 MiB heaps back to the kernel
  mallopt(M_ARENA_MAX, 1);
#endif
  return true;
}();

}  // namespace

template <class T>
Parameter<T>::Parameter(std::string n, Array<T> v)
    : name(std::move(n)), value(std::move(v)), grad(xt::zeros<T>(value.shape())) {}

template <class T>
void Parameter<T>::zero_grad() {
  if (grad.shape() != value.shape()) grad = xt::zeros<T>(value.shape());
  grad.fill(T(0));
}

namespace detail {

std::size_t normalize_axis(const char* op, int axis, std::size_t ndim) {
  const long n = static_cast<long>(ndim);
  const long a = axis < 0 ? axis + n : axis;
  if (a < 0 || a >= n)
    throw std::invalid_argument(std::string(op) + ": axis " + std::to_string(axis) +
                                " is out of range for a " + std::to_string(ndim) + "-D value");
  return static_cast<std::size_t>(a);
}

template <class T>
Array<T> unbroadcast(const Array<T>& g, const typename Array<T>::shape_type& shape) {
  if (g.shape() == shape) return g;
  const std::size_t lead = g.dimension() - shape.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < g.dimension(); ++i)
    if (i < lead || (shape[i - lead] == 1 && g.shape()[i] != 1)) axes.push_back(i);
  Array<T> r = xt::sum(g, axes, xt::evaluation_strategy::immediate);
  r.reshape(shape);
  return r;
}

template <class T>
Array<T>& Node<T>::grad_buffer() {
  if (!grad_ready_) {
    grad_->resize(value().shape());
    std::fill(grad_->begin(), grad_->end(), T(0));
    grad_ready_ = true;
  }
  return *grad_;
}

template <class T>
template <class G>
void Node<T>::add_to_grad(G&& g) {
  if (!requires_grad) return;
  if (g.shape() != value().shape()) return add_to_grad(unbroadcast(g, value().shape()));
  if (grad_ready_) {
    *grad_ += g;
  } else {
    *grad_ = std::forward<G>(g);  // a copy of a const&, a move of a temporary
    grad_ready_ = true;
  }
}

template <class T>
void Node<T>::reset_grad() {
  if (grad_ != &own_grad_) return;
  own_grad_ = Array<T>();
  grad_ready_ = false;
}

template <class T>
void Node<T>::bind_parameter(Parameter<T>& p) {
  if (p.grad.shape() != p.value.shape()) p.grad = xt::zeros<T>(p.value.shape());
  value_ = &p.value;
  grad_ = &p.grad;
  grad_ready_ = true;
  requires_grad = p.requires_grad;
  op = "parameter";
}

template <class T>
void check_same_tape(const char* op, const std::vector<Var<T>>& vars) {
  const TapeState<T>* tape = nullptr;
  for (const Var<T>& v : vars) {
    if (!v.defined()) throw std::invalid_argument(std::string(op) + ": an operand is an empty Var");
    const TapeState<T>* t = v.node().tape.get();  // node() throws if stale
    if (tape && t != tape)
      throw std::invalid_argument(std::string(op) + ": operands come from different tapes");
    tape = t;
  }
}

template <class T>
Var<T> record(const char* op, Array<T>&& y, std::vector<Var<T>> inputs,
              std::function<void(Node<T>&)> backward) {
  check_same_tape(op, inputs);
  auto node = std::make_shared<Node<T>>();
  const auto& tape = inputs.front().node().tape;
  node->tape = tape;
  node->generation = tape->generation;
  node->op = op;
  node->set_value(std::move(y));
  bool needs_grad = false;
  for (const Var<T>& v : inputs) needs_grad = needs_grad || v.requires_grad();
  if (needs_grad && tape->recording) {
    node->requires_grad = true;
    node->backward = std::move(backward);
    node->inputs.reserve(inputs.size());
    for (const Var<T>& v : inputs) node->inputs.push_back(v.node_ptr());
    node->index = tape->nodes.size();
    tape->nodes.push_back(node);
  }
  return Var<T>(std::move(node));
}

}  // namespace detail

// ---- Var ----

template <class T>
detail::Node<T>& Var<T>::node() const {
  if (!node_) throw std::logic_error("attnlab: use of an empty Var (default-constructed)");
  if (node_->generation != node_->tape->generation)
    throw std::logic_error(std::string("attnlab: stale Var (made by '") + node_->op +
                           "'): its tape was cleared or destroyed since");
  return *node_;
}

template <class T>
Array<T> Var<T>::grad() const {
  const detail::Node<T>& n = node();
  return n.has_grad() ? n.grad() : Array<T>(xt::zeros<T>(n.value().shape()));
}

template <class T>
std::size_t Var<T>::size(int axis) const {
  return shape()[detail::normalize_axis("size", axis, dim())];
}

template <class T>
T Var<T>::item() const {
  const Array<T>& v = value();
  if (v.size() != 1)
    throw std::invalid_argument("item: value has shape " + shape_str(v.shape()) +
                                ", not a single element");
  return *v.data();
}

// ---- Tape ----

template <class T>
Tape<T>::Tape() : state_(std::make_shared<detail::TapeState<T>>()) {}

template <class T>
Tape<T>::~Tape() {
  clear();  // also breaks the node -> state -> node cycle
}

template <class T>
void Tape<T>::clear() {
  ++state_->generation;
  // Unlink first: freeing a long chain node by node through its inputs would
  // recurse once per node.
  for (auto& n : state_->nodes) n->inputs.clear();
  state_->nodes.clear();
  state_->params.clear();
}

template <class T>
Var<T> Tape<T>::make_leaf(Array<T> value, bool requires_grad) {
  auto node = std::make_shared<detail::Node<T>>();
  node->tape = state_;
  node->generation = state_->generation;
  node->set_value(std::move(value));
  node->requires_grad = requires_grad;
  return Var<T>(std::move(node));
}

template <class T>
Var<T> Tape<T>::constant(Array<T> value) {
  return make_leaf(std::move(value), false);
}

template <class T>
Var<T> Tape<T>::variable(Array<T> value) {
  return make_leaf(std::move(value), true);
}

template <class T>
Var<T> Tape<T>::param(Parameter<T>& p) {
  auto it = state_->params.find(&p);
  if (it != state_->params.end() && it->second->value().shape() == p.value.shape())
    return Var<T>(it->second);
  auto node = std::make_shared<detail::Node<T>>();
  node->tape = state_;
  node->generation = state_->generation;
  node->bind_parameter(p);
  state_->params[&p] = node;
  return Var<T>(std::move(node));
}

// ---- backward ----

template <class T>
void backward(const Var<T>& loss) {
  detail::Node<T>& root = loss.node();
  if (root.value().size() != 1)
    throw std::invalid_argument("backward: the loss must be a single number, got shape " +
                                shape_str(root.value().shape()));
  if (!root.requires_grad || root.index == detail::Node<T>::npos)
    throw std::logic_error(
        "backward: nothing to differentiate: the loss depends on no parameter or variable, "
        "or was computed in inference mode");
  auto& nodes = root.tape->nodes;
  // Intermediate gradients start from zero on every call, so a second
  // backward adds its share to the leaves once, not compounded.
  for (std::size_t i = 0; i <= root.index; ++i) nodes[i]->reset_grad();
  root.accumulate(Array<T>(xt::ones<T>(root.value().shape())));
  for (std::size_t i = root.index + 1; i-- > 0;) {
    detail::Node<T>& n = *nodes[i];
    if (n.has_grad() && n.backward) n.backward(n);
  }
}

#define ATTNLAB_INSTANTIATE(T)                                                         \
  template struct Parameter<T>;                                                        \
  template struct detail::Node<T>;                                                     \
  template void detail::Node<T>::add_to_grad(const Array<T>&);                         \
  template void detail::Node<T>::add_to_grad(Array<T>&&);                              \
  template class Var<T>;                                                               \
  template class Tape<T>;                                                              \
  template void backward(const Var<T>&);                                               \
  template Array<T> detail::unbroadcast(const Array<T>&, const Array<T>::shape_type&); \
  template void detail::check_same_tape(const char*, const std::vector<Var<T>>&);      \
  template Var<T> detail::record(const char*, Array<T>&&, std::vector<Var<T>>,         \
                                 std::function<void(detail::Node<T>&)>);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
