// Sentences to token ids, a batch decoded, ids back to tokens and text.
#include "run/translate.hpp"

#include <stdexcept>

#include "run/data.hpp"

namespace attnlab {

Translator::Translator(const std::string& checkpoint, std::size_t threads, bool allow_nonfinite)
    : loaded_(load_model<float>(checkpoint, allow_nonfinite)),
      model_(loaded_.model.get()),
      parallel_(std::make_unique<DataParallel<float>>(*model_, threads)),
      source_(model_->config().source_tokenizer()),
      target_(model_->config().target_tokenizer()) {}

Translator::~Translator() = default;

std::vector<Translation> Translator::translate(std::vector<std::string> sentences, std::size_t beam,
                                               std::size_t max_len, const std::string& where,
                                               std::size_t first_line) {
  std::vector<Translation> out(sentences.size());
  std::vector<std::vector<Index>> src;
  std::vector<std::size_t> which;  // the non-empty sentences
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    std::string& s = sentences[i];
    if (!s.empty() && s.back() == '\r') s.pop_back();
    const std::string line = where + ":" + std::to_string(first_line + i);
    try {
      out[i].source = source_.tokenize(s);
    } catch (const std::invalid_argument& e) {  // invalid UTF-8: bad data, not usage
      throw std::runtime_error(line + ": " + e.what());
    }
    if (out[i].source.empty()) continue;
    check_source_length(config(), out[i].source.size(), line);
    src.push_back(loaded_.src_vocab.encode(out[i].source));
    which.push_back(i);
  }
  if (src.empty()) return out;
  std::size_t longest = 0;
  for (const auto& s : src) longest = std::max(longest, s.size());
  if (!max_len) max_len = 2 * longest + 10;
  const Batch b = make_batch(src);
  std::vector<Hypothesis> hyps =
      beam > 1 ? model_->beam_search(b, beam, max_len) : parallel_->greedy(b, max_len);
  for (std::size_t k = 0; k < which.size(); ++k) {
    Translation& t = out[which[k]];
    t.output = loaded_.tgt_vocab.decode(hyps[k].tokens);
    t.log_prob = hyps[k].log_prob;
    t.finished = hyps[k].finished;
    t.attention = std::move(hyps[k].attention);
  }
  for (Translation& t : out) t.text = target_.detokenize(t.output);
  return out;
}

}  // namespace attnlab
