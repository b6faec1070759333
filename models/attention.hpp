// The attention module: a score function's raw energies, masked so padded
// source positions get exactly zero weight, normalised by softmax, and used
// to mix the encoder states into a context vector.
#pragma once

#include <memory>
#include <string>

#include "models/config.hpp"
#include "models/score.hpp"

namespace attnlab {

// The sizes a model's score sees: D, 2H, A and Lmax from its config.
inline ScoreSizes score_sizes(const ModelConfig& c) {
  return ScoreSizes{c.D(), c.encoded(), c.attention_hidden, c.max_source_length};
}

template <class T>
class Attention {
 public:
  // score: a registered name; parameters are named "<prefix>.<...>".
  Attention(const std::string& score, const std::string& prefix, const ScoreSizes& sizes, Rng& rng);

  // Once per batch: h [B, Tx, 2H], pad [B, Tx] true at padded positions.
  void prepare(Tape<T>& tape, const Var<T>& h, const Mask& pad);

  struct Result {
    Var<T> context;  // [B, 2H]
    Var<T> weights;  // [B, Tx], zero at padded positions, rows sum to 1
  };
  // s: the decoder state [B, D]
  Result attend(Tape<T>& tape, const Var<T>& s);

  std::vector<Parameter<T>*> parameters() { return score_->parameters(); }

 private:
  std::unique_ptr<ScoreFunction<T>> score_;
  Var<T> h_;
  Mask pad_;
};

}  // namespace attnlab
