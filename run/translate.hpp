// Translating sentences with a trained model: text in; tokens, text,
// log-probability and attention out, greedy (over threads) or by beam search.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "autograd/array.hpp"
#include "data/tokenizer.hpp"
#include "models/model_io.hpp"
#include "training/parallel.hpp"

namespace attnlab {

struct Translation {
  std::vector<std::string> source;  // the source's tokens
  std::vector<std::string> output;  // the output's tokens, without <eos>
  std::string text;                 // the output detokenized
  double log_prob = 0.0;
  bool finished = false;   // ended with <eos> (not cut at the maximum length)
  Array<float> attention;  // [output tokens + <eos>, source tokens]; empty for an empty source
};

class Translator {
 public:
  // The checkpoint's model and tokenizers; greedy decoding shares each batch
  // over `threads`. allow_nonfinite: load a model with NaN or infinite
  // weights, to inspect it.
  Translator(const std::string& checkpoint, std::size_t threads, bool allow_nonfinite = false);
  ~Translator();

  const ModelConfig& config() const { return model_->config(); }

  // One translation per sentence (an empty one for an empty sentence);
  // beam 1 is greedy; max_len 0: twice the longest source, plus 10. A
  // sentence is named in errors as `where`:line, from first_line on.
  std::vector<Translation> translate(std::vector<std::string> sentences, std::size_t beam = 1,
                                     std::size_t max_len = 0, const std::string& where = "input",
                                     std::size_t first_line = 1);

 private:
  LoadedModel<float> loaded_;
  EncoderDecoder<float>* model_;
  std::unique_ptr<DataParallel<float>> parallel_;
  Tokenizer source_, target_;
};

}  // namespace attnlab
