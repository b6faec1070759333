// Adding a decoder variant attnlab does not ship, then training it beside one
// that it does.
//
// The variant below is Luong's attention *without* input feeding: the decoder
// reads only emb(y_{t-1}); its new state s_t attends; the output layer reads
// h~_t = tanh(W_c [context_t; s_t]). attnlab's `luong` also feeds h~_{t-1}
// back into the decoder, so training both on the same data shows what input
// feeding buys. Both build that attention from the library's LuongAttention
// (models/decoders/luong.hpp), so they differ only in what the decoder cell
// reads. The whole extension is the class and the ATTNLAB_REGISTER_DECODER
// line; from then on "luong_nofeed" is a model name like "seq2seq" or "luong"
// (make_model, checkpoints, beam search).
//
//   custom_decoder [--steps N] [--model NAME]   (default: luong_nofeed, then luong)
#include <attnlab.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "reverse_task.hpp"

namespace attnlab {

template <class T>
class LuongNoFeed : public EncoderDecoder<T> {
 public:
  // The base builds the shared layers; it needs the decoder cell's input
  // size: emb(y_{t-1}) alone, E (luong's cell reads E + D).
  explicit LuongNoFeed(const ModelConfig& c)
      : EncoderDecoder<T>(c, c.embed), luong(c, this->init_rng_) {}

  // The library's Luong attention, as luong uses it: s_t attends and
  // h~_t = tanh(W_c [context_t; s_t]); decoder.attention.*, decoder.combine.weight.
  LuongAttention<T> luong;

 protected:
  // Before the first step: the encoder's final state (or zeros), and the
  // attention's per-batch work.
  DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) override {
    luong.prepare(tape, enc);
    return this->initial_state(tape, enc, this->config_.decoder_init == "encoder");
  }
  // One step. The base does everything else: teacher forcing, the loss,
  // padding, greedy and beam search (it reorders every Var of the state).
  DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) override {
    DecoderState<T> n;
    n.cell = this->decoder->forward(tape, y_emb, s.cell);  // s_t from emb(y_{t-1}) alone
    typename LuongAttention<T>::Result a = luong.forward(tape, n.cell.h);  // s_t attends
    n.output = a.output;    // h~_t, for the output layer
    n.weights = a.weights;  // shown by translate --attention
    return n;
  }
  std::vector<Parameter<T>*> extra_parameters() override { return luong.parameters(); }
};

}  // namespace attnlab

// name, class, whether it reads --score, its default decoder_init, help text
ATTNLAB_REGISTER_DECODER(luong_nofeed, attnlab::LuongNoFeed, true, "encoder",
                         "Luong without input feeding (examples/custom_decoder.cpp)")

// ---- training it beside luong on a small task: reverse a sequence ----

using namespace attnlab;

int main(int argc, char** argv) {
  const examples::Options opt = examples::parse(argc, argv, "custom_decoder", "--model");
  const int steps = opt.steps;
  std::vector<std::string> models{"luong_nofeed", "luong"};
  if (!opt.value.empty()) models = {opt.value};
  Rng rng(7);
  std::vector<std::vector<Index>> train_x, train_y, test_x, test_y;
  examples::make_reverse_pairs(rng, 2000, train_x, train_y, 3, 12);
  examples::make_reverse_pairs(rng, 200, test_x, test_y, 3, 12);
  for (const std::string& name : models) {
    ModelConfig c;
    c.model = name;
    c.score = "general";
    c.embed = 16;
    c.hidden = 32;  // D = 2H = 64: the decoder starts from the encoder's final state
    c.src_vocab = c.tgt_vocab = 12;
    std::unique_ptr<EncoderDecoder<float>> model;
    try {
      model = make_model<float>(c);
    } catch (const std::exception& e) {
      examples::usage("custom_decoder", "--model", e.what());
    }
    std::printf("training '%s' (%s) to reverse sequences of 3 to 12 symbols\n", name.c_str(),
                decoder_variant(name).description.c_str());
    examples::train(*model, train_x, train_y, steps);
    std::printf("%s: exact-sequence accuracy on %zu held-out sequences: %.1f%%\n\n", name.c_str(),
                test_x.size(), 100.0 * examples::exact_accuracy(*model, test_x, test_y));
  }
  return 0;
}
