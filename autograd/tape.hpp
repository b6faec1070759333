// The tape: an append-only list of the nodes a forward pass made, walked in
// reverse by backward(). Var is the cheap handle ops take and return;
// Parameter is a named weight that outlives tapes and accumulates gradients.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "autograd/array.hpp"

namespace attnlab {

template <class T>
class Tape;

// A trainable weight: value, accumulated gradient, and the name it is saved
// under. Owned by its layer; bound to a tape once per forward pass.
template <class T>
struct Parameter {
  std::string name;
  Array<T> value;
  Array<T> grad;  // same shape as value; += on every backward until zero_grad()
  bool requires_grad = true;

  Parameter() = default;
  Parameter(std::string name, Array<T> value);
  void zero_grad();
};

namespace detail {

template <class T>
struct TapeState;

// One recorded value. A backward closure reads this node's grad and adds
// (never assigns) into its inputs' grads.
template <class T>
struct Node {
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  std::shared_ptr<TapeState<T>> tape;
  std::uint64_t generation = 0;  // the tape's generation when made
  std::size_t index = npos;      // position on the tape; npos = not recorded
  const char* op = "leaf";
  bool requires_grad = false;
  std::vector<std::shared_ptr<Node>> inputs;
  std::function<void(Node&)> backward;

  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  const Array<T>& value() const { return *value_; }
  bool has_grad() const { return grad_ready_; }
  const Array<T>& grad() const { return *grad_; }
  // The gradient buffer, zero-filled on first use, for ops that accumulate in
  // place (matmul's beta = 1, embedding's scatter-add).
  Array<T>& grad_buffer();
  // grad += g, first summing away the axes along which this node's value was
  // broadcast to g's shape. The one unbroadcast mechanism of the engine.
  // A no-op on a node that needs no gradient. A node's first gradient is
  // copied from g, or moved when g is a temporary.
  void accumulate(const Array<T>& g) { add_to_grad(g); }
  void accumulate(Array<T>&& g) { add_to_grad(std::move(g)); }
  // Forgets this node's own gradient (parameters keep theirs).
  void reset_grad();

  void set_value(Array<T>&& v) {
    own_value_ = std::move(v);
    value_ = &own_value_;
  }
  void bind_parameter(Parameter<T>& p);

 private:
  // accumulate's one body, for G = const Array<T>& and G = Array<T>.
  template <class G>
  void add_to_grad(G&& g);

  Array<T> own_value_;
  const Array<T>* value_ = &own_value_;
  Array<T> own_grad_;
  Array<T>* grad_ = &own_grad_;
  bool grad_ready_ = false;
};

template <class T>
struct TapeState {
  std::vector<std::shared_ptr<Node<T>>> nodes;
  std::unordered_map<const Parameter<T>*, std::shared_ptr<Node<T>>> params;
  std::uint64_t generation = 1;
  bool recording = true;
};

// Sums g over the axes along which an array of `shape` was broadcast to g.
template <class T>
Array<T> unbroadcast(const Array<T>& g, const typename Array<T>::shape_type& shape);

}  // namespace detail

// A handle to a value on a tape. Copying it is cheap; using it after its tape
// was cleared or destroyed throws.
template <class T>
class Var {
 public:
  Var() = default;
  explicit Var(std::shared_ptr<detail::Node<T>> node) : node_(std::move(node)) {}

  const Array<T>& value() const { return node().value(); }
  // The gradient backward() left here (zeros where none reached).
  Array<T> grad() const;
  const typename Array<T>::shape_type& shape() const { return value().shape(); }
  std::size_t dim() const { return value().dimension(); }
  // Size along axis (negative counts from the end).
  std::size_t size(int axis) const;
  // The value of a one-element Var.
  T item() const;
  bool requires_grad() const { return node().requires_grad; }
  bool defined() const { return node_ != nullptr; }

  // Checked access: throws if undefined or stale.
  detail::Node<T>& node() const;
  const std::shared_ptr<detail::Node<T>>& node_ptr() const {
    node();
    return node_;
  }

 private:
  std::shared_ptr<detail::Node<T>> node_;
};

template <class T>
class Tape {
 public:
  Tape();
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  // Data: never gets a gradient.
  Var<T> constant(Array<T> value);
  // A leaf that gets a gradient of its own (read it with Var::grad()).
  Var<T> variable(Array<T> value);
  // A parameter's value; backward adds into p.grad. Binding the same
  // parameter again on this tape returns the same Var.
  Var<T> param(Parameter<T>& p);

  // Drops every node; every Var made on this tape becomes stale.
  void clear();
  // Nodes recorded for backward.
  std::size_t size() const { return state_->nodes.size(); }
  // The i-th of them, in the order they were made; backward visits them in
  // reverse. For showing what a tape holds (examples/autodiff_by_hand.cpp).
  const detail::Node<T>& node(std::size_t i) const { return *state_->nodes.at(i); }
  bool recording() const { return state_->recording; }
  void set_recording(bool on) { state_->recording = on; }

 private:
  Var<T> make_leaf(Array<T> value, bool requires_grad);
  std::shared_ptr<detail::TapeState<T>> state_;
};

// Within its scope the tape records nothing: ops compute values only, and
// memory is freed as soon as the Vars holding it go.
template <class T>
class InferenceMode {
 public:
  explicit InferenceMode(Tape<T>& tape) : tape_(tape), was_(tape.recording()) {
    tape.set_recording(false);
  }
  ~InferenceMode() { tape_.set_recording(was_); }
  InferenceMode(const InferenceMode&) = delete;
  InferenceMode& operator=(const InferenceMode&) = delete;

 private:
  Tape<T>& tape_;
  bool was_;
};

// d loss / d x for every x the loss depends on, added into existing grads.
// Walks the tape in reverse creation order from the loss; no recursion.
template <class T>
void backward(const Var<T>& loss);

namespace detail {

// Records an op's result. `backward` runs only if the result needs a gradient
// (some input does); it reads y.grad() and calls accumulate on y.inputs.
template <class T>
Var<T> record(const char* op, Array<T>&& y, std::vector<Var<T>> inputs,
              std::function<void(Node<T>&)> backward);

// Throws unless all vars are defined, fresh and on one tape.
template <class T>
void check_same_tape(const char* op, const std::vector<Var<T>>& vars);

// Maps a possibly negative axis into [0, ndim), or throws naming the op.
std::size_t normalize_axis(const char* op, int axis, std::size_t ndim);

}  // namespace detail

// Writing an op of your own: compute its value, then record it with its
// inputs and a backward that reads y.grad() and accumulates into
// y.inputs[k] (examples/autodiff_by_hand.cpp writes softplus this way).
template <class T>
using Node = detail::Node<T>;
using detail::record;

}  // namespace attnlab
