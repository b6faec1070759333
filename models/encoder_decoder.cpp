// The shared encoder-decoder machinery: encoding, the loss, forced
// attention, greedy and beam search, and make_model.
#include "models/encoder_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xview.hpp>

#include "autograd/fast_math.hpp"
#include "data/vocab.hpp"
#include "models/variants.hpp"

namespace attnlab {

namespace {

// docs/MODEL_SPEC.md, "Tokens"
constexpr Index kPad = Vocab::pad, kSos = Vocab::sos, kEos = Vocab::eos;

// The config checked, with the variant's own name ("bahdanau" -> "attention")
// and its default start where decoder_init is left empty.
ModelConfig validated(const ModelConfig& c) {
  c.validate();
  ModelConfig v = c;
  const DecoderVariant& d = decoder_variant(c.model);
  v.model = d.name;
  if (v.decoder_init.empty()) v.decoder_init = d.decoder_init;
  return v;
}

// The index of each row's largest value (the first of equals), [B, V] -> [B].
template <class T>
IndexArray argmax_rows(const Array<T>& x) {
  const std::size_t B = x.shape()[0], V = x.shape()[1];
  IndexArray y = IndexArray::from_shape({B});
  for (std::size_t b = 0; b < B; ++b)
    y(b) = std::max_element(x.data() + b * V, x.data() + (b + 1) * V) - (x.data() + b * V);
  return y;
}

// Each row's argmax (the first of equals) and its log-probability under the
// softmax, from logits [B, V]: what greedy decoding needs, without a whole
// log-softmax over [B, V] (one fast_exp an element, nothing stored).
template <class T>
IndexArray greedy_pick(const Array<T>& logits, std::vector<double>& log_prob) {
  const std::size_t B = logits.shape()[0], V = logits.shape()[1];
  IndexArray y = argmax_rows(logits);
  log_prob.resize(B);
  for (std::size_t b = 0; b < B; ++b) {
    const T* r = logits.data() + b * V;
    const T m = r[y(b)];
    double part[8] = {};  // eight running sums, so the sum runs in SIMD lanes
    std::size_t j = 0;
    for (; j + 8 <= V; j += 8)
      for (std::size_t k = 0; k < 8; ++k) part[k] += detail::fast_exp(r[j + k] - m);
    double sum = 0.0;
    for (; j < V; ++j) sum += detail::fast_exp(r[j] - m);
    for (double p : part) sum += p;
    log_prob[b] = -std::log(sum);  // log softmax at the maximum: m - (m + log sum)
  }
  return y;
}

// Column t of a [B, T] id array.
IndexArray column(const IndexArray& ids, std::size_t t) { return xt::view(ids, xt::all(), t); }

// Rows `rows` of a value, as a new constant (beam search reorders states);
// an undefined Var stays undefined.
template <class T>
Var<T> gather_rows(Tape<T>& tape, const Var<T>& x, const std::vector<std::size_t>& rows) {
  if (!x.defined()) return x;
  const std::size_t row = x.value().size() / x.size(0);
  Shape s(x.shape().begin(), x.shape().end());
  s[0] = rows.size();
  Array<T> y = Array<T>::from_shape(s);
  for (std::size_t i = 0; i < rows.size(); ++i)
    std::copy_n(x.value().data() + rows[i] * row, row, y.data() + i * row);
  return tape.constant(std::move(y));
}

template <class T>
Var<T> maybe_dropout(const Var<T>& x, const LossOptions& o) {
  if (o.dropout <= 0.0) return x;
  if (!o.rng) throw std::invalid_argument("loss: dropout needs an Rng in LossOptions");
  return dropout(x, o.dropout, *o.rng);
}

}  // namespace

template <class T>
EncoderDecoder<T>::EncoderDecoder(const ModelConfig& c, std::size_t decoder_input)
    : config_(validated(c)),
      init_rng_(c.seed),
      src_embedding("encoder.embedding", c.src_vocab, c.embed, init_rng_),
      encoder(c.cell, "encoder." + c.cell, c.embed, c.hidden, init_rng_),
      tgt_embedding("decoder.embedding", c.tgt_vocab, c.embed, init_rng_),
      decoder(make_cell<T>(c.cell, "decoder." + c.cell, decoder_input, c.D(), init_rng_)),
      out("decoder.out", c.D(), c.tgt_vocab, init_rng_) {}

template <class T>
std::vector<Parameter<T>*> EncoderDecoder<T>::parameters() {
  std::vector<Parameter<T>*> ps = src_embedding.parameters();
  for (auto* p : encoder.parameters()) ps.push_back(p);
  for (auto* p : tgt_embedding.parameters()) ps.push_back(p);
  for (auto* p : decoder->parameters()) ps.push_back(p);
  for (auto* p : extra_parameters()) ps.push_back(p);
  for (auto* p : out.parameters()) ps.push_back(p);
  return ps;
}

template <class T>
void EncoderDecoder<T>::require_decoder_is_encoder_sized(const std::string& why) const {
  if (config_.D() != config_.encoded())
    throw std::invalid_argument("model config: " + why + " needs decoder_hidden D = 2H = " +
                                std::to_string(config_.encoded()) + ", got " +
                                std::to_string(config_.D()));
}

template <class T>
DecoderState<T> EncoderDecoder<T>::initial_state(Tape<T>& tape, const Encoded<T>& enc,
                                                 bool from_encoder) const {
  DecoderState<T> s;
  s.cell = from_encoder ? enc.final : decoder->zero_state(tape, enc.h.size(0));
  return s;
}

template <class T>
DecoderState<T> EncoderDecoder<T>::select(Tape<T>& tape, const DecoderState<T>& s,
                                          const std::vector<std::size_t>& rows) {
  DecoderState<T> r;
  r.cell = {gather_rows(tape, s.cell.h, rows), gather_rows(tape, s.cell.c, rows)};
  r.output = gather_rows(tape, s.output, rows);  // weights: the next step makes its own
  for (const Var<T>& v : s.extra) r.extra.push_back(gather_rows(tape, v, rows));
  return r;
}

template <class T>
Encoded<T> EncoderDecoder<T>::encode(Tape<T>& tape, const IndexArray& src,
                                     const std::vector<std::size_t>& len, const LossOptions& opts) {
  Var<T> x = maybe_dropout(src_embedding.forward(tape, src), opts);  // [B, Tx, E]
  typename BiRNN<T>::Output o = encoder.forward(tape, x, len);
  CellState<T> final;
  final.h = concat<T>({o.fwd.h, o.bwd.h}, 1);
  if (o.fwd.c.defined()) final.c = concat<T>({o.fwd.c, o.bwd.c}, 1);
  return {o.outputs, final, padding_mask(len, src.shape()[1], "encoder")};
}

template <class T>
Var<T> EncoderDecoder<T>::loss(Tape<T>& tape, const Batch& batch, const LossOptions& opts) {
  if (batch.tgt_in.dimension() != 2 || batch.tgt_in.shape()[0] != batch.size())
    throw std::invalid_argument("loss: the batch has no targets");
  if (opts.teacher_forcing < 1.0 && !opts.rng)
    throw std::invalid_argument("loss: a teacher-forcing ratio below 1 needs an Rng");
  const std::size_t B = batch.size(), Ty = batch.tgt_in.shape()[1];
  const long D = static_cast<long>(config_.D());
  Encoded<T> enc = encode(tape, batch.src, batch.src_len, opts);
  DecoderState<T> s = start(tape, enc);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<Var<T>> hs(Ty);
  IndexArray y = column(batch.tgt_in, 0);
  for (std::size_t t = 0; t < Ty; ++t) {
    if (t > 0) {
      if (opts.teacher_forcing >= 1.0 || coin(*opts.rng) < opts.teacher_forcing) {
        y = column(batch.tgt_in, t);
      } else {  // feed the model's own previous prediction, as a constant
        InferenceMode<T> no_record(tape);
        y = argmax_rows(out.forward(tape, s.output).value());
      }
    }
    s = step(tape, maybe_dropout(tgt_embedding.forward(tape, y), opts), s);
    hs[t] = reshape(s.output, {long(B), 1, D});
  }
  // One GEMM for the output layer over every step.
  Var<T> logits = out.forward(tape, maybe_dropout(concat(hs, 1), opts));  // [B, Ty, Vt]
  return cross_entropy(logits, batch.tgt_out, kPad);
}

template <class T>
std::vector<Array<float>> EncoderDecoder<T>::forced_attention(const Batch& batch) {
  if (batch.tgt_in.dimension() != 2 || batch.tgt_in.shape()[0] != batch.size())
    throw std::invalid_argument("forced attention: the batch has no targets");
  Tape<T> tape;
  InferenceMode<T> no_record(tape);
  const std::size_t B = batch.size(), Ty = batch.tgt_in.shape()[1];
  Encoded<T> enc = encode(tape, batch.src, batch.src_len);
  DecoderState<T> s = start(tape, enc);
  // [0, 0] until filled: a default Array is a 0-d scalar, whose size is 1
  std::vector<Array<float>> att(B, Array<float>::from_shape({0, 0}));
  for (std::size_t t = 0; t < Ty; ++t) {
    s = step(tape, tgt_embedding.forward(tape, column(batch.tgt_in, t)), s);
    if (!s.weights.defined()) return att;   // a variant without attention
    const Array<T>& w = s.weights.value();  // [B, Tx]
    for (std::size_t b = 0; b < B; ++b) {
      if (t == 0) {
        std::size_t rows = 0;  // the reference's tokens and <eos>: tgt_out up to padding
        while (rows < Ty && batch.tgt_out(b, rows) != kPad) ++rows;
        att[b] = Array<float>::from_shape({rows, batch.src_len[b]});
      }
      if (t >= att[b].shape()[0]) continue;
      for (std::size_t j = 0; j < batch.src_len[b]; ++j) att[b](t, j) = static_cast<float>(w(b, j));
    }
  }
  return att;
}

template <class T>
std::vector<Hypothesis> EncoderDecoder<T>::greedy(const Batch& batch, std::size_t max_len) {
  Tape<T> tape;
  InferenceMode<T> no_record(tape);
  const std::size_t B = batch.size();
  Encoded<T> enc = encode(tape, batch.src, batch.src_len);
  DecoderState<T> s = start(tape, enc);
  std::vector<Hypothesis> hyps(B);
  std::vector<std::vector<float>> attn(B);
  IndexArray y = xt::full_like(IndexArray::from_shape({B}), kSos);
  std::size_t alive = B;
  std::vector<double> logp;  // of each row's chosen token
  for (std::size_t t = 0; t < max_len && alive > 0; ++t) {
    s = step(tape, tgt_embedding.forward(tape, y), s);
    y = greedy_pick(out.forward(tape, s.output).value(), logp);
    for (std::size_t b = 0; b < B; ++b) {
      Hypothesis& h = hyps[b];
      if (h.finished) continue;
      h.log_prob += logp[b];
      if (s.weights.defined())
        for (std::size_t j = 0; j < batch.src_len[b]; ++j)
          attn[b].push_back(static_cast<float>(s.weights.value()(b, j)));
      if (y(b) == kEos) {
        h.finished = true;
        --alive;
      } else {
        h.tokens.push_back(y(b));
      }
    }
  }
  for (std::size_t b = 0; b < B; ++b) {
    Hypothesis& h = hyps[b];
    const std::size_t steps = h.tokens.size() + (h.finished ? 1 : 0);
    h.score = steps ? h.log_prob / steps : 0.0;
    if (!attn[b].empty()) {
      h.attention = Array<float>::from_shape({steps, batch.src_len[b]});
      std::copy(attn[b].begin(), attn[b].end(), h.attention.begin());
    }
  }
  return hyps;
}

namespace {

// Beam search keeps K rows at every step; a row whose log-probability is
// -inf is an empty slot.
constexpr double kEmptySlot = -std::numeric_limits<double>::infinity();

// A row of beam search: a hypothesis under way, its tokens so far (without
// <eos>), one attention row per step, and their log-probability.
struct Beam {
  std::vector<Index> tokens;
  std::vector<std::vector<float>> attn;
  double log_prob = 0.0;
};

// (score, hypothesis) of one that ended with <eos>.
using FinishedBeam = std::pair<double, Beam>;

// (log-probability, k * V + v): row k's hypothesis extended by token v.
using Candidate = std::pair<double, std::size_t>;

// log_prob / steps, <eos> a step of a finished one; at least one step, so a
// hypothesis with no step yet scores 0.
double length_normalised(const Beam& b, bool finished) {
  return b.log_prob /
         static_cast<double>(std::max<std::size_t>(b.tokens.size() + (finished ? 1 : 0), 1));
}

// K copies of one sentence's encoding ([1, L, 2H] -> [K, L, 2H]), one per row.
template <class T>
Encoded<T> copies(Tape<T>& tape, const Encoded<T>& one, std::size_t K, std::size_t L) {
  const std::vector<std::size_t> zeros(K, 0);
  return {gather_rows(tape, one.h, zeros),
          {gather_rows(tape, one.final.h, zeros), gather_rows(tape, one.final.c, zeros)},
          Mask(xt::zeros<bool>({K, L}))};
}

// The first step's rows: one hypothesis with no token yet, K - 1 empty slots.
std::vector<Beam> first_rows(std::size_t K) {
  std::vector<Beam> beams(K);
  for (std::size_t k = 1; k < K; ++k) beams[k].log_prob = kEmptySlot;
  return beams;
}

// Each row's last token, <sos> before the first: the next step's input, [K].
IndexArray last_tokens(const std::vector<Beam>& beams) {
  IndexArray y = IndexArray::from_shape({beams.size()});
  for (std::size_t k = 0; k < beams.size(); ++k)
    y(k) = beams[k].tokens.empty() ? kSos : beams[k].tokens.back();
  return y;
}

// The one-token extensions of the rows that are not empty slots, scored by
// log-probability (logp: [K, V]), the 2K most likely first and the rest
// dropped. Candidates come in (row, token) order; ties keep the first, as
// argmax does.
template <class T>
std::vector<Candidate> best_extensions(const std::vector<Beam>& beams, const Array<T>& logp) {
  const std::size_t K = beams.size(), V = logp.shape()[1];
  std::vector<Candidate> cand;
  for (std::size_t i = 0; i < K * V; ++i)
    if (beams[i / V].log_prob != kEmptySlot)
      cand.emplace_back(beams[i / V].log_prob + logp.data()[i], i);
  const std::size_t keep = std::min(cand.size(), 2 * K);
  std::partial_sort(cand.begin(), cand.begin() + keep, cand.end(),
                    [](const auto& a, const auto& c) {
                      return a.first > c.first || (a.first == c.first && a.second < c.second);
                    });
  cand.resize(keep);
  return cand;
}

// What a step keeps: the hypotheses that run on, at most K, with the row
// each extends; and, for a trace, every candidate taken (BeamTrace).
struct Kept {
  std::vector<Beam> rows;
  std::vector<std::size_t> origin;
  std::vector<Hypothesis> taken;
};

// Takes the candidates most likely first until K run on. Each is its row's
// hypothesis with the token added (or, for <eos>, set aside in `finished`)
// and the row's attention (weights [K, L], if the model attends).
template <class T>
Kept take_candidates(const std::vector<Beam>& beams, const std::vector<Candidate>& cand,
                     std::size_t V, const Var<T>& weights, std::size_t L, bool trace,
                     std::vector<FinishedBeam>& finished) {
  const std::size_t K = beams.size();
  Kept kept;
  for (std::size_t c = 0; c < cand.size() && kept.rows.size() < K; ++c) {
    const std::size_t k = cand[c].second / V;
    const Index v = static_cast<Index>(cand[c].second % V);
    Beam nb = beams[k];
    nb.log_prob = cand[c].first;
    if (weights.defined()) {
      const T* w = weights.value().data() + k * L;
      nb.attn.emplace_back(w, w + L);
    }
    const bool done = v == kEos;
    if (done) {
      finished.emplace_back(length_normalised(nb, true), nb);
    } else {
      nb.tokens.push_back(v);
    }
    if (trace) {
      Hypothesis h;
      h.tokens = nb.tokens;
      h.log_prob = nb.log_prob;
      h.score = length_normalised(nb, done);
      h.finished = done;
      kept.taken.push_back(std::move(h));
    }
    if (!done) {
      kept.rows.push_back(std::move(nb));
      kept.origin.push_back(k);
    }
  }
  return kept;
}

// The best finished hypothesis or, if none finished within max_len, the best
// of those still running, with its attention [steps, L].
Hypothesis best_hypothesis(const std::vector<FinishedBeam>& finished,
                           const std::vector<Beam>& running, std::size_t L) {
  Hypothesis best;
  best.score = -std::numeric_limits<double>::infinity();
  auto consider = [&](double score, const Beam& bm, bool done) {
    if (score <= best.score) return;
    best.score = score;
    best.tokens = bm.tokens;
    best.log_prob = bm.log_prob;
    best.finished = done;
    best.attention = Array<float>();
    if (!bm.attn.empty()) {
      best.attention = Array<float>::from_shape({bm.attn.size(), L});
      for (std::size_t r = 0; r < bm.attn.size(); ++r)
        std::copy(bm.attn[r].begin(), bm.attn[r].end(), &best.attention(r, 0));
    }
  };
  for (const auto& f : finished) consider(f.first, f.second, true);
  if (finished.empty())  // nothing reached <eos> within max_len
    for (const Beam& bm : running)
      if (bm.log_prob != kEmptySlot) consider(length_normalised(bm, false), bm, false);
  return best;
}

}  // namespace

template <class T>
std::vector<Hypothesis> EncoderDecoder<T>::beam_search(const Batch& batch, std::size_t K,
                                                       std::size_t max_len,
                                                       const BeamTrace& trace) {
  if (K == 0) throw std::invalid_argument("beam search: beam size must be at least 1");
  std::vector<Hypothesis> results;
  for (std::size_t b = 0; b < batch.size(); ++b) {
    Tape<T> tape;
    InferenceMode<T> no_record(tape);
    const std::size_t L = batch.src_len[b];
    IndexArray src = xt::view(batch.src, xt::range(b, b + 1), xt::range(0, L));
    Encoded<T> one = encode(tape, src, {L});
    Encoded<T> enc = copies(tape, one, K, L);
    DecoderState<T> s = start(tape, enc);
    std::vector<Beam> beams = first_rows(K);
    std::vector<FinishedBeam> finished;
    for (std::size_t t = 0; t < max_len; ++t) {
      const DecoderState<T> st = step(tape, tgt_embedding.forward(tape, last_tokens(beams)), s);
      const Array<T> logp = log_softmax(out.forward(tape, st.output), 1).value();  // [K, V]
      const std::size_t V = logp.shape()[1];
      const std::vector<Candidate> cand = best_extensions(beams, logp);
      Kept kept = take_candidates(beams, cand, V, st.weights, L, bool(trace), finished);
      if (trace) trace(b, t, kept.taken);
      // Stop once the most likely candidate ends with <eos> (the top beam has
      // finished: OpenNMT's rule) or nothing is left to extend; else max_len
      // ends it. Less likely <eos> candidates are set aside without stopping
      // the search (counting them towards K let unlikely early ones end it
      // while the best hypothesis was still running). Stopping once the best
      // finished score beats every running one would not be safe either: a
      // running hypothesis's score, log_prob / steps, can still rise.
      if (static_cast<Index>(cand[0].second % V) == kEos || kept.rows.empty()) {
        beams.clear();
        break;
      }
      while (kept.rows.size() < K) {  // fill empty slots
        kept.rows.push_back(Beam{{}, {}, kEmptySlot});
        kept.origin.push_back(0);
      }
      beams = std::move(kept.rows);
      s = select(tape, st, kept.origin);
    }
    results.push_back(best_hypothesis(finished, beams, L));
  }
  return results;
}

template <class T>
std::unique_ptr<EncoderDecoder<T>> make_model(const ModelConfig& config) {
  config.validate();
  const DecoderVariant& v = decoder_variant(config.model);
  if constexpr (std::is_same_v<T, float>)
    return v.make_float(config);
  else
    return v.make_double(config);
}

#define ATTNLAB_INSTANTIATE(T)      \
  template class EncoderDecoder<T>; \
  template std::unique_ptr<EncoderDecoder<T>> make_model(const ModelConfig&);
ATTNLAB_INSTANTIATE(float)
ATTNLAB_INSTANTIATE(double)

}  // namespace attnlab
