// Adding a decoder variant attnlab does not ship, then training it beside one
// that it does.
//
// The variant below is Luong's attention *without* input feeding: the decoder
// reads only emb(y_{t-1}); its new state s_t attends; the output layer reads
// h~_t = tanh(W_c [context_t; s_t]). attnlab's `luong` also feeds h~_{t-1}
// back into the decoder, so training both on the same data shows what input
// feeding buys. The whole extension is the class and the
// ATTNLAB_REGISTER_DECODER line; from then on "luong_nofeed" is a model name
// like "seq2seq" or "luong" (make_model, checkpoints, beam search).
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
  // The base builds the shared layers; it needs the decoder cell's input size.
  explicit LuongNoFeed(const ModelConfig& c)
      : EncoderDecoder<T>(c, c.embed),
        attention(c.score, "decoder.attention", score_sizes(c), this->init_rng_),
        combine("decoder.combine", 2 * c.hidden + c.D(), c.D(), this->init_rng_, false) {}

  Attention<T> attention;  // decoder.attention.*
  Dense<T> combine;        // decoder.combine.weight: W_c, no bias

 protected:
  // Before the first step: the encoder's final state (or zeros), and the
  // attention's per-batch work.
  DecoderState<T> start(Tape<T>& tape, const Encoded<T>& enc) override {
    attention.prepare(tape, enc.h, enc.pad);
    return this->initial_state(tape, enc, this->config_.decoder_init == "encoder");
  }
  // One step. The base does everything else: teacher forcing, the loss,
  // padding, greedy and beam search (it reorders every Var of the state).
  DecoderState<T> step(Tape<T>& tape, const Var<T>& y_emb, const DecoderState<T>& s) override {
    DecoderState<T> n;
    n.cell = this->decoder->forward(tape, y_emb, s.cell);                // s_t from emb(y_{t-1})
    typename Attention<T>::Result a = attention.attend(tape, n.cell.h);  // s_t attends
    n.output = tanh(combine.forward(tape, concat<T>({a.context, n.cell.h}, 1)));  // h~_t
    n.weights = a.weights;  // shown by translate --attention
    return n;
  }
  std::vector<Parameter<T>*> extra_parameters() override {
    std::vector<Parameter<T>*> ps = attention.parameters();
    ps.push_back(&combine.weight);
    return ps;
  }
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
