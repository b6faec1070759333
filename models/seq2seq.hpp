// The two reference models of MODEL_SPEC.md. Both share the encoder (an
// embedding and a BiLSTM), the decoder LSTM, the output layer, the loss and
// the decoders (greedy, beam search); they differ only in the decoder's
// initial state and in what it reads at each step:
//   Seq2Seq:          s_0 = encoder's final state, input emb(y_{t-1})
//   AttentionSeq2Seq: s_0 = 0 (or the encoder's), input [context_t; emb(y_{t-1})]
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/lstm.hpp"
#include "models/attention.hpp"
#include "models/config.hpp"

namespace attnlab {

// A padded, batch-major batch of token ids (pad = 0).
struct Batch {
  IndexArray src;                    // [B, Tx]
  std::vector<std::size_t> src_len;  // B real lengths, each >= 1
  IndexArray tgt_in;                 // [B, Ty]: <sos> y_1 .. y_m, then pad
  IndexArray tgt_out;                // [B, Ty]: y_1 .. y_m <eos>, then pad
  std::size_t size() const { return src_len.size(); }
};

// Pads sources and targets into a Batch (targets may be empty: decoding only).
// An empty source sequence is refused.
Batch make_batch(const std::vector<std::vector<Index>>& src,
                 const std::vector<std::vector<Index>>& tgt = {});

struct LossOptions {
  double teacher_forcing = 1.0;  // chance, drawn per step, of feeding the true previous token
  double dropout = 0.0;          // on embeddings and decoder outputs
  Rng* rng = nullptr;            // needed when teacher_forcing < 1 or dropout > 0
};

// One decoded sentence.
struct Hypothesis {
  std::vector<Index> tokens;  // without <eos>
  Array<float> attention;     // [steps, Tx]: one row per emitted token (<eos> included)
  double log_prob = 0.0;      // sum of the emitted tokens' log-probabilities
  double score = 0.0;         // log_prob / steps (length-normalised)
  bool finished = false;      // ended with <eos> (not cut at the maximum length)
};

template <class T>
struct Encoded {
  Var<T> h;            // [B, Tx, 2H]
  LSTMState<T> final;  // [fwd_final; bwd_final], [B, 2H] each
  Mask pad;            // [B, Tx], true at padded positions
};

template <class T>
class EncoderDecoder {
 public:
  virtual ~EncoderDecoder() = default;

  const ModelConfig& config() const { return config_; }
  // Every parameter, named as in MODEL_SPEC.md.
  std::vector<Parameter<T>*> parameters();

  // Mean cross-entropy over the non-pad target tokens (<eos> included).
  Var<T> loss(Tape<T>& tape, const Batch& batch, const LossOptions& opts = {});
  // One hypothesis per source, greedy, at most max_len tokens each.
  std::vector<Hypothesis> greedy(const Batch& batch, std::size_t max_len);
  // The best of `beam` hypotheses per source, by length-normalised log-probability.
  std::vector<Hypothesis> beam_search(const Batch& batch, std::size_t beam, std::size_t max_len);

  // x: the batch's sources -> encoder states and final state
  Encoded<T> encode(Tape<T>& tape, const IndexArray& src, const std::vector<std::size_t>& len,
                    const LossOptions& opts = {});

 protected:
  explicit EncoderDecoder(const ModelConfig& config);

  struct Step {
    LSTMState<T> state;  // s_t, c_t
    Var<T> weights;      // attention weights [B, Tx] (attention model only)
  };
  // Sets up decoding for an encoded batch (attention: prepares the scores).
  virtual LSTMState<T> start(Tape<T>& tape, const Encoded<T>& enc) = 0;
  // One decoder step from emb(y_{t-1}) [B, E] and the previous state.
  virtual Step step(Tape<T>& tape, const Var<T>& y_emb, const LSTMState<T>& s) = 0;
  virtual std::vector<Parameter<T>*> extra_parameters() { return {}; }

  ModelConfig config_;
  Rng init_rng_;  // declared before the layers: they draw from it in order

 public:
  Embedding<T> src_embedding;  // encoder.embedding
  BiLSTM<T> encoder;           // encoder.lstm
  Embedding<T> tgt_embedding;  // decoder.embedding
  LSTMCell<T> decoder;         // decoder.lstm
  Dense<T> out;                // decoder.out
};

template <class T>
class Seq2Seq : public EncoderDecoder<T> {
 public:
  explicit Seq2Seq(const ModelConfig& config);

 protected:
  LSTMState<T> start(Tape<T>& tape, const Encoded<T>& enc) override;
  typename EncoderDecoder<T>::Step step(Tape<T>& tape, const Var<T>& y_emb,
                                        const LSTMState<T>& s) override;
};

template <class T>
class AttentionSeq2Seq : public EncoderDecoder<T> {
 public:
  explicit AttentionSeq2Seq(const ModelConfig& config);

  Attention<T> attention;  // decoder.attention

 protected:
  LSTMState<T> start(Tape<T>& tape, const Encoded<T>& enc) override;
  typename EncoderDecoder<T>::Step step(Tape<T>& tape, const Var<T>& y_emb,
                                        const LSTMState<T>& s) override;
  std::vector<Parameter<T>*> extra_parameters() override { return attention.parameters(); }
};

// Seq2Seq or AttentionSeq2Seq as config.model says; validates the config.
template <class T>
std::unique_ptr<EncoderDecoder<T>> make_model(const ModelConfig& config);

}  // namespace attnlab
