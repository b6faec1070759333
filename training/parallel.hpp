// Data parallelism on one machine: a batch is cut into row shards, each
// shard runs forward and backward on its own thread with its own replica of
// the model and its own tape, and the replicas' gradients are added into the
// model's in shard order. The result is deterministic for a given number of
// shards; one shard is exactly the plain single-threaded step.
#pragma once

#include <memory>
#include <vector>

#include "models/encoder_decoder.hpp"

namespace attnlab {

// Rows [begin, end) of a batch, trimmed to their own longest source and target.
Batch batch_rows(const Batch& batch, std::size_t begin, std::size_t end);

// The number of threads `attnlab train` uses by default: the machine's cores.
std::size_t default_threads();

template <class T>
class DataParallel {
 public:
  // `model` must outlive this; shards >= 1 (more shards than rows in a batch
  // simply leaves some idle).
  DataParallel(EncoderDecoder<T>& model, std::size_t shards);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  std::size_t shards() const { return replicas_.size() + 1; }

  // The batch's mean loss over its target tokens (as model.loss), and its
  // gradient added into the model's parameter grads. With one shard this is
  // loss + backward on one tape. With more, opts.rng (if set) seeds each
  // shard's own generator, so dropout and teacher forcing stay reproducible.
  // A non-finite shard loss skips backward: the caller stops on the loss.
  double loss_and_backward(const Batch& batch, const LossOptions& opts = {});

  // Greedy decoding of the batch, its rows spread over the shards.
  std::vector<Hypothesis> greedy(const Batch& batch, std::size_t max_len);

 private:
  void sync_values();

  EncoderDecoder<T>& model_;
  std::vector<std::unique_ptr<EncoderDecoder<T>>> replicas_;  // shards 1..n-1
};

}  // namespace attnlab
