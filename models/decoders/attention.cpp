// attention: Bahdanau et al. (2014), as the seeds teach it. Before each step
// the previous decoder state s_{t-1} scores every encoder state; the context
// (their softmax-weighted mix) is fed to the decoder beside emb(y_{t-1}).
#include "models/attention.hpp"

#include "models/encoder_decoder.hpp"
#include "models/variants.hpp"

namespace attnlab {

template <class T>
class BahdanauSeq2Seq : public EncoderDecoder<T> {
 public:
  explicit BahdanauSeq2Seq(const ModelConfig& c)
      : EncoderDecoder<T>(c, c.encoded() + c.embed),
        attention(c.score, "decoder.attention", score_sizes(c), this->init_rng_) {
    if (this->config_.decoder_init == "encoder")
      this->require_decoder_is_encoder_sized("decoder_init 'encoder'");
  }

  Attention<T> attention;  // decoder.attention

 protected:
  DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) override {
    attention.prepare(tape, enc.h, enc.pad);
    return this->initial_state(tape, enc, this->config_.decoder_init == "encoder");
  }
  DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) override {
    typename Attention<T>::Result a = attention.attend(tape, s.cell.h);  // scores use s_{t-1}
    DecoderState<T> n;
    n.cell = this->decoder->forward(tape, concat<T>({a.context, y_emb}, 1), s.cell);
    n.output = n.cell.h;
    n.weights = a.weights;
    return n;
  }
  std::vector<Parameter<T>*> extra_parameters() override { return attention.parameters(); }
};

}  // namespace attnlab

ATTNLAB_REGISTER_DECODER(attention, attnlab::BahdanauSeq2Seq, true, "zero",
                         "Bahdanau: s_{t-1} attends, the context is fed to the decoder", "bahdanau")
