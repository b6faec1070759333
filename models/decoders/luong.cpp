// luong: global attention with input feeding (Luong, Pham & Manning 2015).
// The decoder steps first; its new state s_t attends, and the attentional
// state h~_t = tanh(W_c [context_t; s_t]) feeds the output layer and, at the
// next step, the decoder's input beside emb(y_t).
#include "models/decoders/luong.hpp"

#include "models/encoder_decoder.hpp"
#include "models/variants.hpp"

namespace attnlab {

template <class T>
LuongAttention<T>::LuongAttention(const ModelConfig& c, Rng& rng)
    : attention(c.score, "decoder.attention", score_sizes(c), rng),
      combine("decoder.combine", c.encoded() + c.D(), c.D(), rng, false) {}

template <class T>
void LuongAttention<T>::prepare(Tape<T>& tape, const Encoded<T>& enc) {
  attention.prepare(tape, enc.h, enc.pad);
}

template <class T>
typename LuongAttention<T>::Result LuongAttention<T>::forward(Tape<T>& tape, const Var<T>& s) {
  typename Attention<T>::Result a = attention.attend(tape, s);  // scores use s_t
  return {tanh(combine.forward(tape, concat<T>({a.context, s}, 1))), a.weights};
}

template <class T>
std::vector<Parameter<T>*> LuongAttention<T>::parameters() {
  std::vector<Parameter<T>*> ps = attention.parameters();
  ps.push_back(&combine.weight);
  return ps;
}

template class LuongAttention<float>;
template class LuongAttention<double>;

template <class T>
class LuongSeq2Seq : public EncoderDecoder<T> {
 public:
  explicit LuongSeq2Seq(const ModelConfig& c)
      : EncoderDecoder<T>(c, c.embed + c.D()), luong(c, this->init_rng_) {
    if (this->config_.decoder_init == "encoder")
      this->require_decoder_is_encoder_sized("decoder_init 'encoder'");
  }

  LuongAttention<T> luong;  // decoder.attention, decoder.combine

 protected:
  DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) override {
    luong.prepare(tape, enc);
    DecoderState<T> s = this->initial_state(tape, enc, this->config_.decoder_init == "encoder");
    s.output = tape.constant(xt::zeros<T>({enc.h.size(0), this->config_.D()}));  // h~_0 = 0
    return s;
  }
  DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) override {
    DecoderState<T> n;
    n.cell = this->decoder->forward(tape, concat<T>({y_emb, s.output}, 1), s.cell);
    typename LuongAttention<T>::Result a = luong.forward(tape, n.cell.h);
    n.output = a.output;
    n.weights = a.weights;
    return n;
  }
  std::vector<Parameter<T>*> extra_parameters() override { return luong.parameters(); }
};

}  // namespace attnlab

ATTNLAB_REGISTER_DECODER(luong, attnlab::LuongSeq2Seq, true, "encoder",
                         "Luong: s_t attends, h~_t = tanh(W_c [context; s_t]) is fed back")
