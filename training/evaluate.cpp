// Loss over a data set in sorted batches, then greedy (or beam) decoding for
// the accuracies and BLEU, and attention under teacher forcing for alignment.
#include "training/evaluate.hpp"

#include <algorithm>
#include <cmath>

#include "metrics/alignment.hpp"
#include "metrics/bleu.hpp"
#include "metrics/sacrebleu.hpp"
#include "training/parallel.hpp"

namespace attnlab {

namespace {

// <unk> never counts as a match: in the output, the model did not produce the
// word; in a reference made by hand (no tgt_tokens), the word is unknown.
// These strings match no real token: tokens read from a file hold no tab.
const std::string kUnkOutput = "<unk>\t(output)", kUnkReference = "<unk>\t(reference)";

std::vector<std::string> tokens_of(const Vocab& v, const std::vector<Index>& ids,
                                   const std::string& unk) {
  std::vector<std::string> t = v.decode(ids);
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] == Vocab::unk) t[i] = unk;
  return t;
}

std::vector<std::string> output_tokens(const Vocab& v, const std::vector<Index>& ids) {
  return tokens_of(v, ids, kUnkOutput);
}

// The reference as text: its own tokens, so that a word outside the
// vocabulary is that word, which no output can match.
std::vector<std::string> reference_tokens(const Vocab& v, const Example& e) {
  return e.tgt_tokens.size() == e.tgt.size() && !e.tgt_tokens.empty()
             ? e.tgt_tokens
             : tokens_of(v, e.tgt, kUnkReference);
}

bool has_links(const std::optional<Alignment>& gold) {
  return gold && !(gold->sure.empty() && gold->possible.empty());
}

// The aligned sentences of a corpus or bucket, summed up as EvalResult's aer,
// gold_mass and aligned.
struct AlignmentTally {
  std::vector<Alignment> gold;
  std::vector<std::vector<Link>> hyp;
  double mass_sum = 0;
  std::size_t mass_n = 0, links = 0;

  void add(const Alignment& g, const std::vector<Link>& h, double mass) {
    gold.push_back(g);
    hyp.push_back(h);
    links += h.size() + g.sure.size();
    if (std::isfinite(mass)) mass_sum += mass, ++mass_n;  // NaN: no link inside the attention
  }
  template <class R>
  void into(R& r) const {
    r.aligned = gold.size();
    if (links > 0) r.aer = alignment_error_rate(gold, hyp);  // else it would refuse
    if (mass_n > 0) r.gold_mass = mass_sum / static_cast<double>(mass_n);
  }
};

std::vector<std::string> reference_texts(const std::vector<Example>& data) {
  std::vector<std::string> out;
  out.reserve(data.size());
  for (const Example& e : data) out.push_back(e.tgt_text);
  return out;
}

// What evaluate adds up over its batches; the tokens and texts per sentence,
// in the data's order, since BLEU is a corpus's.
struct EvalTotals {
  double loss_sum = 0;
  std::size_t loss_tokens = 0, correct = 0, exact = 0;
  std::vector<std::vector<std::string>> hyps, refs;
  std::vector<std::string> texts;  // the outputs detokenized, given a detokenizer
  AlignmentTally tally;
};

// The batch's loss summed over its target tokens (<eos> included), without
// recording a tape.
template <class T>
void add_loss(EncoderDecoder<T>& model, const Batch& b, const std::vector<std::vector<Index>>& ref,
              EvalTotals& tot) {
  Tape<T> tape;
  InferenceMode<T> no_record(tape);
  std::size_t n = 0;
  for (const auto& y : ref) n += y.size() + 1;  // <eos> counts
  tot.loss_sum += static_cast<double>(model.loss(tape, b).item()) * n;
  tot.loss_tokens += n;
}

// Each output of the batch (data[idx[k]]'s is out[k]) against its reference:
// the tokens right at their position, <eos> included, whether all are, and
// the tokens and text kept for BLEU.
void score_outputs(const std::vector<Hypothesis>& out, const std::vector<std::size_t>& idx,
                   const std::vector<Example>& data, const Vocab& tgt, const EvalOptions& opts,
                   EvalTotals& tot, std::vector<SentenceResult>* per_sentence) {
  for (std::size_t k = 0; k < idx.size(); ++k) {
    std::vector<std::string> h = output_tokens(tgt, out[k].tokens);
    std::vector<std::string> y = reference_tokens(tgt, data[idx[k]]);
    std::size_t ok = 0;  // reference tokens, then <eos>, matched at their position
    for (std::size_t t = 0; t < y.size(); ++t) ok += t < h.size() && h[t] == y[t];
    ok += h.size() == y.size() && out[k].finished;
    tot.correct += ok;
    const bool same = h == y && out[k].finished;
    tot.exact += same;
    if (opts.detokenizer)
      tot.texts[idx[k]] = opts.detokenizer->detokenize(tgt.decode(out[k].tokens));
    if (per_sentence) {
      SentenceResult& sr = (*per_sentence)[idx[k]];
      sr.source_length = data[idx[k]].src.size();
      sr.output = out[k].tokens;
      if (opts.detokenizer) sr.text = tot.texts[idx[k]];
      sr.exact = same;
      sr.tokens = y.size() + 1;
      sr.correct = ok;
    }
    tot.hyps[idx[k]] = std::move(h);
    tot.refs[idx[k]] = std::move(y);
  }
}

// The argmax alignment and gold attention mass of each sentence of the batch
// that has gold links. Gold links index the reference, so attention is read
// while the decoder is fed the reference, not its own output.
template <class T>
void judge_alignments(EncoderDecoder<T>& model, const Batch& b, const std::vector<std::size_t>& idx,
                      const std::vector<Example>& data, AlignmentTally& tally,
                      std::vector<SentenceResult>* per_sentence) {
  if (std::none_of(idx.begin(), idx.end(),
                   [&](std::size_t i) { return has_links(data[i].alignment); }))
    return;
  const std::vector<Array<float>> att = model.forced_attention(b);
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const Example& ex = data[idx[k]];
    if (!has_links(ex.alignment) || att[k].size() == 0) continue;
    const std::vector<Link> links = argmax_alignment(att[k], ex.tgt.size());
    const double mass = gold_attention_mass(*ex.alignment, att[k]);
    tally.add(*ex.alignment, links, mass);
    if (per_sentence) {
      SentenceResult& sr = (*per_sentence)[idx[k]];
      sr.alignment = links;
      sr.gold_mass = mass;
      sr.aligned = true;
    }
  }
}

}  // namespace

template <class T>
EvalResult evaluate(EncoderDecoder<T>& model, const std::vector<Example>& data, const Vocab& tgt,
                    const EvalOptions& opts, std::vector<SentenceResult>* per_sentence) {
  EvalResult r;
  r.sentences = data.size();
  if (data.empty()) return r;
  if (per_sentence) per_sentence->assign(data.size(), SentenceResult{});
  EvalTotals tot;
  tot.hyps.resize(data.size());
  tot.refs.resize(data.size());
  tot.texts.resize(opts.detokenizer ? data.size() : 0);
  DataParallel<T> parallel(model, opts.decode ? opts.threads : 1);
  const bool judge_alignment = opts.decode && attends(model.config());
  for (const std::vector<std::size_t>& idx : make_sorted_batches(data, opts.batch_size)) {
    std::vector<std::vector<Index>> src, ref;
    std::size_t longest = 0;
    for (std::size_t i : idx) {
      src.push_back(data[i].src);
      ref.push_back(data[i].tgt);
      longest = std::max(longest, data[i].tgt.size());
    }
    const Batch b = make_batch(src, ref);
    add_loss(model, b, ref, tot);
    if (!opts.decode) continue;
    const std::size_t max_len = opts.max_len ? opts.max_len : 2 * longest + 10;
    const std::vector<Hypothesis> out = opts.beam > 1
                                            ? model.beam_search(make_batch(src), opts.beam, max_len)
                                            : parallel.greedy(make_batch(src), max_len);
    score_outputs(out, idx, data, tgt, opts, tot, per_sentence);
    if (judge_alignment) judge_alignments(model, b, idx, data, tot.tally, per_sentence);
  }
  r.loss = tot.loss_tokens ? tot.loss_sum / tot.loss_tokens : 0.0;
  r.tokens = tot.loss_tokens;
  if (opts.decode) {
    r.token_accuracy = static_cast<double>(tot.correct) / tot.loss_tokens;
    r.exact_accuracy = static_cast<double>(tot.exact) / data.size();
    r.bleu = corpus_bleu(tot.hyps, tot.refs);
    if (opts.detokenizer) r.sacrebleu = sacrebleu_corpus(tot.texts, reference_texts(data)).score;
    tot.tally.into(r);
  }
  return r;
}

std::vector<LengthBucket> by_source_length(const std::vector<SentenceResult>& each,
                                           const std::vector<Example>& data, const Vocab& tgt,
                                           std::size_t width) {
  if (width == 0) throw std::invalid_argument("by_source_length: the bucket width must be >= 1");
  std::size_t longest = 0;
  for (const SentenceResult& r : each) longest = std::max(longest, r.source_length);
  std::vector<LengthBucket> out;
  for (std::size_t lo = 1; lo <= longest; lo += width) {
    LengthBucket b;
    b.min_length = lo;
    b.max_length = lo + width - 1;
    std::vector<std::vector<std::string>> hyps, refs;
    std::vector<std::string> texts, ref_texts;
    std::size_t exact = 0, tokens = 0, correct = 0;
    AlignmentTally tally;
    for (std::size_t i = 0; i < each.size(); ++i) {
      if (each[i].source_length < b.min_length || each[i].source_length > b.max_length) continue;
      ++b.sentences;
      exact += each[i].exact;
      tokens += each[i].tokens;
      correct += each[i].correct;
      hyps.push_back(output_tokens(tgt, each[i].output));
      refs.push_back(reference_tokens(tgt, data[i]));
      if (each[i].text) texts.push_back(*each[i].text), ref_texts.push_back(data[i].tgt_text);
      if (each[i].aligned && data[i].alignment)
        tally.add(*data[i].alignment, each[i].alignment, each[i].gold_mass);
    }
    if (b.sentences == 0) continue;
    b.token_accuracy = static_cast<double>(correct) / tokens;
    b.exact_accuracy = static_cast<double>(exact) / b.sentences;
    b.bleu = corpus_bleu(hyps, refs);
    if (texts.size() == b.sentences) b.sacrebleu = sacrebleu_corpus(texts, ref_texts).score;
    tally.into(b);
    out.push_back(b);
  }
  return out;
}

template EvalResult evaluate(EncoderDecoder<float>&, const std::vector<Example>&, const Vocab&,
                             const EvalOptions&, std::vector<SentenceResult>*);
template EvalResult evaluate(EncoderDecoder<double>&, const std::vector<Example>&, const Vocab&,
                             const EvalOptions&, std::vector<SentenceResult>*);

}  // namespace attnlab
