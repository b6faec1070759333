// How big a model is and how much memory training it takes, estimated from
// its config alone, term by term as the model and its variants make their
// parameters (models/encoder_decoder, models/decoders/, models/scores/).
#pragma once

#include <cstddef>

#include "models/config.hpp"

namespace attnlab {

// Estimates in doubles, so that absurd sizes cannot overflow; what lets
// training and loading refuse up front what would not fit in memory.

// The number of parameters (at least; the score's own are counted as the
// largest built-in score's).
double parameter_count_estimate(const ModelConfig& c);
// Bytes one training step keeps alive at once for a batch of `batch` pairs
// with sources of tx and targets of ty tokens: the parameters with their
// gradients and two optimizer moments, the activations the tape holds for
// backward and their gradients. A lower estimate, not a bound: a run it
// refuses would surely not fit.
double training_bytes_estimate(const ModelConfig& c, std::size_t batch, std::size_t tx,
                               std::size_t ty);

// Throws std::runtime_error, with the sizes and the estimate, when training
// a batch of `batch` pairs with sources of tx and targets of ty tokens would
// need more than `limit` bytes (0: what the machine has available).
void check_training_memory(const ModelConfig& c, std::size_t batch, std::size_t tx, std::size_t ty,
                           double limit = 0);

}  // namespace attnlab
