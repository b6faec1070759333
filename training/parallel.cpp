// Shards of a batch on threads, each with its own model replica and tape.
#include "training/parallel.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>
#include <xtensor/xview.hpp>

namespace attnlab {

Batch batch_rows(const Batch& batch, std::size_t begin, std::size_t end) {
  Batch b;
  b.src_len.assign(batch.src_len.begin() + begin, batch.src_len.begin() + end);
  const std::size_t tx = *std::max_element(b.src_len.begin(), b.src_len.end());
  b.src = xt::view(batch.src, xt::range(begin, end), xt::range(0, tx));
  if (batch.tgt_out.dimension() != 2) return b;
  std::size_t ty = 1;  // the longest target, <eos> included
  for (std::size_t i = begin; i < end; ++i)
    for (std::size_t t = batch.tgt_out.shape()[1]; t > ty; --t)
      if (batch.tgt_out(i, t - 1) != 0) {
        ty = t;
        break;
      }
  b.tgt_in = xt::view(batch.tgt_in, xt::range(begin, end), xt::range(0, ty));
  b.tgt_out = xt::view(batch.tgt_out, xt::range(begin, end), xt::range(0, ty));
  return b;
}

std::size_t default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

namespace {

// Runs f(s) for s = 0..n-1, s = 0 on this thread and the rest on their own;
// rethrows the first shard's exception, in shard order.
template <class F>
void run_shards(std::size_t n, F f) {
  std::vector<std::exception_ptr> errors(n);
  std::vector<std::thread> workers;
  for (std::size_t s = 1; s < n; ++s)
    workers.emplace_back([&, s] {
      try {
        f(s);
      } catch (...) {
        errors[s] = std::current_exception();
      }
    });
  try {
    f(0);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (std::thread& w : workers) w.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

// The batch cut into n shards of consecutive rows, as even as can be.
std::vector<Batch> split_rows(const Batch& batch, std::size_t n) {
  std::vector<Batch> parts;
  for (std::size_t s = 0; s < n; ++s)
    parts.push_back(batch_rows(batch, s * batch.size() / n, (s + 1) * batch.size() / n));
  return parts;
}

std::size_t count_targets(const Batch& b) {
  return static_cast<std::size_t>(
      std::count_if(b.tgt_out.begin(), b.tgt_out.end(), [](Index y) { return y != 0; }));
}

}  // namespace

template <class T>
DataParallel<T>::DataParallel(EncoderDecoder<T>& model, std::size_t shards) : model_(model) {
  for (std::size_t s = 1; s < shards; ++s) replicas_.push_back(make_model<T>(model.config()));
}

template <class T>
DataParallel<T>::~DataParallel() = default;

template <class T>
void DataParallel<T>::sync_values() {
  const auto main = model_.parameters();
  for (auto& r : replicas_) {
    const auto ps = r->parameters();
    for (std::size_t i = 0; i < ps.size(); ++i) {
      std::copy(main[i]->value.begin(), main[i]->value.end(), ps[i]->value.begin());
      ps[i]->requires_grad = main[i]->requires_grad;
    }
  }
}

template <class T>
double DataParallel<T>::loss_and_backward(const Batch& batch, const LossOptions& opts) {
  const std::size_t B = batch.size(), n = std::min(shards(), B);
  if (n <= 1) {  // exactly the single-threaded step
    Tape<T> tape;
    Var<T> loss = model_.loss(tape, batch, opts);
    const double l = loss.item();
    if (std::isfinite(l)) backward(loss);
    return l;
  }
  sync_values();
  const std::vector<Batch> parts = split_rows(batch, n);
  const double total = static_cast<double>(count_targets(batch));
  const std::uint64_t base = opts.rng ? (*opts.rng)() : 0;
  std::vector<double> losses(n);
  run_shards(n, [&](std::size_t s) {
    EncoderDecoder<T>& m = s == 0 ? model_ : *replicas_[s - 1];
    if (s > 0)
      for (Parameter<T>* p : m.parameters()) p->zero_grad();
    Rng rng(base + 0x9E3779B97F4A7C15ull * s);
    LossOptions o = opts;
    if (opts.rng) o.rng = &rng;
    Tape<T> tape;
    // each shard's mean, weighted by its share of the batch's target tokens
    const double w = static_cast<double>(count_targets(parts[s])) / total;
    Var<T> loss = affine(m.loss(tape, parts[s], o), static_cast<T>(w), T(0));
    losses[s] = loss.item();
    if (std::isfinite(losses[s])) backward(loss);
  });
  const auto main = model_.parameters();
  for (std::size_t s = 1; s < n; ++s) {  // in shard order: the sum does not depend on timing
    const auto ps = replicas_[s - 1]->parameters();  // (idle replicas hold older gradients)
    for (std::size_t i = 0; i < ps.size(); ++i) main[i]->grad += ps[i]->grad;
  }
  double l = 0;
  for (double x : losses) l += x;
  return l;
}

template <class T>
std::vector<Hypothesis> DataParallel<T>::greedy(const Batch& batch, std::size_t max_len) {
  const std::size_t B = batch.size(), n = std::min(shards(), B);
  if (n <= 1) return model_.greedy(batch, max_len);
  sync_values();
  const std::vector<Batch> parts = split_rows(batch, n);
  std::vector<std::vector<Hypothesis>> out(n);
  run_shards(n, [&](std::size_t s) {
    EncoderDecoder<T>& m = s == 0 ? model_ : *replicas_[s - 1];
    out[s] = m.greedy(parts[s], max_len);
  });
  std::vector<Hypothesis> all;
  for (auto& p : out)
    for (auto& h : p) all.push_back(std::move(h));
  return all;
}

template class DataParallel<float>;
template class DataParallel<double>;

}  // namespace attnlab
