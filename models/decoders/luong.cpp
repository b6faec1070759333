// luong: global attention with input feeding (Luong, Pham & Manning 2015).
// The decoder steps first; its new state s_t attends, and the attentional
// state h~_t = tanh(W_c [context_t; s_t]) feeds the output layer and, at the
// next step, the decoder's input beside emb(y_t).
#include "layers/dense.hpp"
#include "models/attention.hpp"
#include "models/encoder_decoder.hpp"
#include "models/variants.hpp"

namespace attnlab {

template <class T>
class LuongSeq2Seq : public EncoderDecoder<T> {
 public:
  explicit LuongSeq2Seq(const ModelConfig& c)
      : EncoderDecoder<T>(c, c.embed + c.D()),
        attention(c.score, "decoder.attention", score_sizes(c), this->init_rng_),
        combine("decoder.combine", 2 * c.hidden + c.D(), c.D(), this->init_rng_, false) {
    if (this->config_.decoder_init == "encoder")
      this->require_decoder_is_encoder_sized("decoder_init 'encoder'");
  }

  Attention<T> attention;  // decoder.attention
  Dense<T> combine;        // decoder.combine: W_c, (D, 2H + D), no bias

 protected:
  DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) override {
    attention.prepare(tape, enc.h, enc.pad);
    DecoderState<T> s = this->initial_state(tape, enc, this->config_.decoder_init == "encoder");
    s.output = tape.constant(xt::zeros<T>({enc.h.size(0), this->config_.D()}));  // h~_0 = 0
    return s;
  }
  DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) override {
    DecoderState<T> n;
    n.cell = this->decoder->forward(tape, concat<T>({y_emb, s.output}, 1), s.cell);
    typename Attention<T>::Result a = attention.attend(tape, n.cell.h);  // scores use s_t
    n.output = tanh(combine.forward(tape, concat<T>({a.context, n.cell.h}, 1)));
    n.weights = a.weights;
    return n;
  }
  std::vector<Parameter<T>*> extra_parameters() override {
    std::vector<Parameter<T>*> ps = attention.parameters();
    ps.push_back(&combine.weight);
    return ps;
  }
};

}  // namespace attnlab

ATTNLAB_REGISTER_DECODER(luong, attnlab::LuongSeq2Seq, true, "encoder",
                         "Luong: s_t attends, h~_t = tanh(W_c [context; s_t]) is fed back")
