// The encoder-decoder machinery every model variant shares. EncoderDecoder
// owns the encoder (an embedding and a bidirectional RNN), the target
// embedding, the decoder cell, the output layer, the loss (teacher forcing,
// padding), greedy and beam search. A variant (models/decoders/NAME.cpp, one
// class each, registered in models/variants.hpp) says only how its decoder
// starts from the encoding and takes one step; docs/MODEL_SPEC.md fixes the
// three shipped ones:
//   seq2seq:   s_0 = encoder's final state, input emb(y_{t-1})
//   attention: s_0 = 0 (or the encoder's), input [context_t; emb(y_{t-1})] (Bahdanau)
//   luong:     s_0 = encoder's (or 0), input [emb(y_{t-1}); h~_{t-1}],
//              attention from s_t, output h~_t = tanh(W_c [context_t; s_t])
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.hpp"
#include "layers/dense.hpp"
#include "layers/embedding.hpp"
#include "layers/recurrent.hpp"
#include "models/config.hpp"

namespace attnlab {

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

// Called by beam_search once per step t (0-based: token t + 1 was just
// chosen) of source `source`, with the candidates that step took, highest
// log-probability first: each either ended with <eos> now (finished) or is
// kept for the next step (at most `beam` of those). log_prob and score are as
// in the result; attention is left empty. The last step is the first whose
// most likely candidate finished, or one that kept none, or step max_len - 1.
// The result is the best score among all finished ones or, if none finished
// within max_len, among the last step's kept ones.
using BeamTrace =
    std::function<void(std::size_t source, std::size_t step, const std::vector<Hypothesis>& taken)>;

template <class T>
struct Encoded {
  Var<T> h;            // [B, Tx, 2H]
  CellState<T> final;  // [fwd_final; bwd_final], [B, 2H] each (c undefined for a GRU)
  Mask pad;            // [B, Tx], true at padded positions
};

// What a decoder carries from one step to the next. Every Var is batch-major
// ([B, ...]), so the base can reorder hypotheses in beam search without
// knowing what they mean (EncoderDecoder::select).
template <class T>
struct DecoderState {
  CellState<T> cell;          // s_t, and c_t for an LSTM
  Var<T> output;              // what the output layer reads, [B, D]
  Var<T> weights;             // this step's attention weights [B, Tx]; undefined without attention
  std::vector<Var<T>> extra;  // anything else a variant carries
};

template <class T>
class EncoderDecoder {
 public:
  virtual ~EncoderDecoder() = default;

  const ModelConfig& config() const { return config_; }
  // Every parameter, named as in docs/MODEL_SPEC.md.
  std::vector<Parameter<T>*> parameters();

  // Mean cross-entropy over the non-pad target tokens (<eos> included).
  Var<T> loss(Tape<T>& tape, const Batch& batch, const LossOptions& opts = {});
  // One hypothesis per source, greedy, at most max_len tokens each.
  std::vector<Hypothesis> greedy(const Batch& batch, std::size_t max_len);
  // The best of `beam` hypotheses per source, by length-normalised
  // log-probability (score = log_prob / steps, <eos> included). Each step
  // takes the one-token extensions most likely first until `beam` unfinished
  // ones are kept, setting aside those that end with <eos> as finished. It
  // stops once the most likely one of a step ends with <eos> (so an unlikely
  // early <eos> does not), or after max_len steps. The result is the best
  // finished one or, if none finished, the best still running. beam = 1 is greedy.
  // `trace`, if given, sees each step of each source's search (BeamTrace).
  std::vector<Hypothesis> beam_search(const Batch& batch, std::size_t beam, std::size_t max_len,
                                      const BeamTrace& trace = nullptr);

  // The attention weights while the decoder is fed the reference (teacher
  // forcing, as loss does, without recording a tape): per sentence a
  // [target length + 1, source length] array, one row per reference token and
  // one for <eos>, padding cut off. Empty ([0, 0]) arrays for a variant that
  // does not attend. Gold alignments index the reference, so this is what they judge
  // (Luong et al. 2015 read AER the same way). The batch needs targets.
  std::vector<Array<float>> forced_attention(const Batch& batch);

  // x: the batch's sources -> encoder states and final state
  Encoded<T> encode(Tape<T>& tape, const IndexArray& src, const std::vector<std::size_t>& len,
                    const LossOptions& opts = {});

 protected:
  // decoder_input: the size of what the variant feeds its decoder cell.
  EncoderDecoder(const ModelConfig& config, std::size_t decoder_input);

  // ---- what a variant provides ----
  // The state before the first step, for an encoded batch.
  virtual DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) = 0;
  // One step from emb(y_{t-1}) [B, E] and the previous state.
  virtual DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) = 0;
  // Its parameters beyond the shared ones.
  virtual std::vector<Parameter<T>*> extra_parameters() { return {}; }
  // Rows `rows` of a state (beam search); by default every Var's rows.
  virtual DecoderState<T> select(Tape<T>& tape, const DecoderState<T>& s,
                                 const std::vector<std::size_t>& rows);

  // ---- helpers for variants ----
  // Throws std::invalid_argument unless D = 2H, saying `why` it is needed.
  void require_decoder_is_encoder_sized(const std::string& why) const;
  // A start from the encoder's final state (config decoder_init "encoder"
  // or always, as `from_encoder` says) or from zeros; output undefined.
  DecoderState<T> initial_state(Tape<T>& tape, const Encoded<T>& enc, bool from_encoder) const;

  ModelConfig config_;
  Rng init_rng_;  // declared before the layers: they draw from it in order

 public:
  Embedding<T> src_embedding;                 // encoder.embedding
  BiRNN<T> encoder;                           // encoder.lstm or encoder.gru
  Embedding<T> tgt_embedding;                 // decoder.embedding
  std::unique_ptr<RecurrentCell<T>> decoder;  // decoder.lstm or decoder.gru
  Dense<T> out;                               // decoder.out
};

// The variant config.model names (models/variants.hpp); validates the config.
template <class T>
std::unique_ptr<EncoderDecoder<T>> make_model(const ModelConfig& config);

}  // namespace attnlab
