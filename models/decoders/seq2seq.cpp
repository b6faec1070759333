// seq2seq: the plain encoder-decoder (Sutskever et al. 2014, with a
// bidirectional encoder). The decoder starts from the encoder's final state,
// so D = 2H, and reads only emb(y_{t-1}): the whole source must fit in that
// one state.
#include "models/encoder_decoder.hpp"
#include "models/variants.hpp"

namespace attnlab {

template <class T>
class Seq2Seq : public EncoderDecoder<T> {
 public:
  explicit Seq2Seq(const ModelConfig& c) : EncoderDecoder<T>(c, c.embed) {
    this->require_decoder_is_encoder_sized("plain seq2seq");
  }

 protected:
  DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) override {
    return this->initial_state(tape, enc, true);  // s_0 = [fwd_final; bwd_final], c_0 likewise
  }
  DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) override {
    DecoderState<T> n;
    n.cell = this->decoder->forward(tape, y_emb, s.cell);
    n.output = n.cell.h;  // logits_t = W_out s_t + b_out
    return n;
  }
};

}  // namespace attnlab

ATTNLAB_REGISTER_DECODER(seq2seq, attnlab::Seq2Seq, false, "encoder",
                         "no attention, the decoder starts from the encoder's final state")
