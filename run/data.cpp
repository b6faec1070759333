// A run's data, from the options to encoded pairs.
#include "run/data.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "data/subwords.hpp"
#include "data/tasks.hpp"
#include "data/tokenizer.hpp"
#include "io/error.hpp"
#include "models/score.hpp"
#include "models/variants.hpp"

namespace attnlab {

namespace {

// Refuses a source longer than a location score can attend over, naming it.
void check_source_lengths(const std::vector<TextPair>& pairs, const std::string& where,
                          const ModelConfig& c) {
  if (!attends(c) || !(score_needs(c.score) & kNeedsMaxSourceLength))
    return;  // no need to tokenize
  const Tokenizer tokenizer = c.source_tokenizer();
  for (const TextPair& p : pairs)
    check_source_length(c, tokenizer.tokenize(p.src).size(),
                        where + (p.line ? ":" + std::to_string(p.line) : std::string()),
                        " (raise --max-source-length, or drop long pairs with --max-src-len)");
}

// Sentencepiece vocabulary entries per side by default: a sixth of the
// side's distinct space-separated words, within 1,000..8,000.
std::size_t default_vocab_size(const std::vector<std::string>& texts) {
  std::unordered_set<std::string> words;
  for (const std::string& t : texts)
    for (const std::string& w : tokenize("space", t)) words.insert(w);
  return std::clamp<std::size_t>(words.size() / 6, 1000, 8000);
}

// One side's vocabulary: counted tokens, or a sentencepiece model's pieces
// (the vocabulary adds <pad>, <sos> and <eos> to them).
Vocab side_vocabulary(const RunSettings& s, const RunData& d, bool source,
                      const std::string& tokenizer, std::shared_ptr<const SentencePiece>& model) {
  if (tokenizer != "sentencepiece")
    return Vocab::build(tokenize_all(d.train_pairs, source, tokenizer), s.data.min_freq,
                        s.data.max_vocab);
  std::vector<std::string> texts;
  texts.reserve(d.train_pairs.size());
  for (const TextPair& p : d.train_pairs) texts.push_back(source ? p.src : p.tgt);
  const std::size_t entries = s.data.vocab_size ? s.data.vocab_size : default_vocab_size(texts);
  try {
    model = SentencePiece::train(texts, {s.data.subword_model, entries - 3});
  } catch (const SubwordError& e) {
    throw UsageError(std::string(source ? "source" : "target") + " sentencepiece model with " +
                     std::to_string(entries) + " entries (--vocab-size): " + e.what());
  }
  return Vocab::of(model->pieces());
}

}  // namespace

std::vector<TextPair> read_pairs(const std::string& path, bool skip_bad_lines, const Notify& note) {
  ReadResult r = read_tsv(path, ReadOptions{skip_bad_lines});
  if (r.skipped && note)
    note(path + ": skipped " + std::to_string(r.skipped) + " malformed line" +
         (r.skipped == 1 ? "" : "s") + " (--skip-bad-lines)");
  return std::move(r.pairs);
}

RunData load_pairs(const RunSettings& s, const Notify& note) {
  const DataOptions& o = s.data;
  RunData d;
  std::vector<TextPair>& train = d.train_pairs;
  std::vector<TextPair>& valid = d.valid_pairs;
  if (o.train_file.empty() == o.task.empty())
    throw UsageError("give exactly one of --train FILE and --task NAME");
  if (!o.valid_file.empty() && o.valid_fraction > 0)
    throw UsageError("give at most one of --valid FILE and --valid-fraction F");
  if (!o.task.empty()) {
    const TaskOptions to{o.min_len, o.max_len};
    train = make_task(o.task, o.n, o.data_seed, to);
    if (o.valid_file.empty() && o.valid_fraction == 0) {
      // A held-out set from another seed, without any source seen in training.
      std::set<std::string> seen;
      for (const TextPair& p : train) seen.insert(p.src);
      const std::size_t want = o.valid_n ? o.valid_n : std::clamp<std::size_t>(o.n / 10, 100, 2000);
      for (const TextPair& p : make_task(o.task, 2 * want + 100, o.data_seed + 7777, to))
        if (valid.size() < want && !seen.count(p.src)) valid.push_back(p);
    }
  } else {
    train = read_pairs(o.train_file, o.skip_bad_lines, note);
  }
  if (!o.valid_file.empty()) valid = read_pairs(o.valid_file, o.skip_bad_lines, note);
  if (o.valid_fraction > 0) {
    auto split = split_fraction(std::move(train), o.valid_fraction, o.data_seed);
    train = std::move(split.first);
    valid = std::move(split.second);
  }
  d.train_name = o.task.empty() ? o.train_file : "task " + o.task;
  d.valid_name = o.valid_file.empty() ? "validation split" : o.valid_file;
  return d;
}

void build_vocabularies(RunSettings& s, RunData& d) {
  ModelConfig& c = s.model;
  if (!s.data.task.empty()) {
    const TaskInfo& t = task_info(s.data.task);
    if (!s.was_given("src_tokenizer")) c.src_tokenizer = t.src_tokenizer;
    if (!s.was_given("tgt_tokenizer")) c.tgt_tokenizer = t.tgt_tokenizer;
  }
  if (s.data.vocab_size && c.src_tokenizer != "sentencepiece" && c.tgt_tokenizer != "sentencepiece")
    throw UsageError(
        "--vocab-size sizes sentencepiece vocabularies, and neither side uses one "
        "(--src-tokenizer " +
        c.src_tokenizer + ", --tgt-tokenizer " + c.tgt_tokenizer + ")");
  d.src_vocab = side_vocabulary(s, d, true, c.src_tokenizer, c.src_subwords);
  d.tgt_vocab = side_vocabulary(s, d, false, c.tgt_tokenizer, c.tgt_subwords);
  if (c.tgt_tokenizer == "word") {
    std::vector<std::string> targets;
    for (const TextPair& p : d.train_pairs) targets.push_back(p.tgt);
    c.tgt_spacing = learn_word_spacing(targets);
  }
  c.src_vocab = d.src_vocab.size();
  c.tgt_vocab = d.tgt_vocab.size();
}

void encode_data(RunSettings& s, RunData& d, bool new_model) {
  ModelConfig& c = s.model;
  const DataOptions& o = s.data;
  if (!o.task.empty()) {
    fit_task_alignments(d.train_pairs, o.task, c);
    if (o.valid_file.empty()) fit_task_alignments(d.valid_pairs, o.task, c);
  }
  d.train = encode_named(d.train_pairs, d.train_name, c, d.src_vocab, d.tgt_vocab);
  // a split's lines are the training file's
  d.valid = encode_named(d.valid_pairs, o.valid_file.empty() ? d.train_name : d.valid_name, c,
                         d.src_vocab, d.tgt_vocab);
  d.dropped = filter_by_length(d.train, o.max_src_len, o.max_tgt_len);
  filter_by_length(d.valid, o.max_src_len, o.max_tgt_len);
  if (d.train.empty())
    throw UsageError(d.train_name + ": no training pairs left after length filtering");
  if (new_model && attends(c) && (score_needs(c.score) & kNeedsMaxSourceLength) &&
      !s.was_given("max_source_length")) {  // Lmax: the longest source there is
    c.max_source_length = 1;
    for (const auto* set : {&d.train, &d.valid})
      for (const Example& e : *set)
        c.max_source_length = std::max(c.max_source_length, e.src.size());
  }
  if (o.max_src_len == 0) {
    check_source_lengths(d.train_pairs, o.task.empty() ? o.train_file : d.train_name, c);
    check_source_lengths(d.valid_pairs, d.valid_name, c);
  }
}

void check_source_length(const ModelConfig& c, std::size_t n, const std::string& where,
                         const std::string& hint) {
  if (!attends(c) || !(score_needs(c.score) & kNeedsMaxSourceLength) || n <= c.max_source_length)
    return;
  throw UsageError(where + ": a source of " + std::to_string(n) + " tokens is longer than the " +
                   c.score + " score's maximum of " + std::to_string(c.max_source_length) + hint);
}

void fit_task_alignments(std::vector<TextPair>& pairs, const std::string& task,
                         const ModelConfig& c) {
  const TaskInfo& t = task_info(task);
  if (c.src_tokenizer == t.src_tokenizer && c.tgt_tokenizer == t.tgt_tokenizer) return;
  for (TextPair& p : pairs) p.alignment.reset();
}

std::vector<Example> encode_named(const std::vector<TextPair>& pairs, const std::string& name,
                                  const ModelConfig& c, const Vocab& src, const Vocab& tgt) {
  try {
    return encode_pairs(pairs, c.source_tokenizer(), c.target_tokenizer(), src, tgt);
  } catch (const std::invalid_argument& e) {  // "pair N (line L): ..."
    throw DataError(name + ": " + e.what());
  }
}

}  // namespace attnlab
