// The extension point for attention: a score function turns the decoder
// state and the encoder states into raw energies; the Attention module alone
// masks, normalises and mixes them. Adding one is a class in one file plus
// the line ATTNLAB_REGISTER_SCORE(name, Class, needs); --score name then
// selects it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/ops.hpp"

namespace attnlab {

// The sizes a score may need (docs/MODEL_SPEC.md's notation).
struct ScoreSizes {
  std::size_t decoder_hidden = 0;     // D
  std::size_t encoder_output = 0;     // 2H
  std::size_t attention_hidden = 0;   // A
  std::size_t max_source_length = 0;  // Lmax
};

// What a score needs of the model's sizes, declared where it is registered:
// model construction, the command line and the tests read it from there.
enum ScoreNeeds : unsigned {
  kNoNeeds = 0,
  kNeedsDEquals2H = 1,        // it multiplies s with h: D = 2H
  kNeedsMaxSourceLength = 2,  // one parameter per source position: Lmax > 0, Tx <= Lmax
};

template <class T>
class ScoreFunction {
 public:
  virtual ~ScoreFunction() = default;
  // Once per batch, before the decoder's first step: keep the encoder states
  // h [B, Tx, 2H] and precompute whatever depends on them alone.
  virtual void prepare(Tape<T>& tape, const Var<T>& h) = 0;
  // Raw energies e [B, Tx] for the decoder state s [B, D].
  virtual Var<T> score(Tape<T>& tape, const Var<T>& s) = 0;
  // Parameters, named "<prefix>.<name>" as in docs/MODEL_SPEC.md.
  virtual std::vector<Parameter<T>*> parameters() { return {}; }
};

// Builds a score; throws std::invalid_argument naming the sizes that do not fit.
template <class T>
using ScoreFactory = std::function<std::unique_ptr<ScoreFunction<T>>(
    const std::string& prefix, const ScoreSizes& sizes, Rng& rng)>;

template <class T>
void register_score(const std::string& name, ScoreFactory<T> factory, unsigned needs);

// The score registered as `name`, once its needs are met; an unknown name
// throws, listing the known ones, and unmet needs throw naming the sizes.
template <class T>
std::unique_ptr<ScoreFunction<T>> make_score(const std::string& name, const std::string& prefix,
                                             const ScoreSizes& sizes, Rng& rng);

// Every registered name, sorted.
std::vector<std::string> score_names();
// What the score registered as `name` needs (ScoreNeeds bits); unknown: throws.
unsigned score_needs(const std::string& name);
// Throws std::invalid_argument "<score> score: ..." when sizes do not meet its needs.
void check_score_needs(const std::string& name, const ScoreSizes& sizes);

// Registers a class template S<T> (constructible from prefix, sizes, rng)
// for float and double under `name`.
template <template <class> class S>
bool register_score_class(const std::string& name, unsigned needs) {
  register_score<float>(
      name,
      [](const std::string& p, const ScoreSizes& s, Rng& r) {
        return std::unique_ptr<ScoreFunction<float>>(new S<float>(p, s, r));
      },
      needs);
  register_score<double>(
      name,
      [](const std::string& p, const ScoreSizes& s, Rng& r) {
        return std::unique_ptr<ScoreFunction<double>>(new S<double>(p, s, r));
      },
      needs);
  return true;
}

// e[b, t] = h[b, t, :] . s[b, :] for h [B, Tx, K], s [B, K]: one batched matmul.
template <class T>
Var<T> dot_each(const Var<T>& h, const Var<T>& s) {
  const long B = static_cast<long>(h.size(0)), Tx = static_cast<long>(h.size(1));
  const long K = static_cast<long>(h.size(2));
  return reshape(matmul(h, reshape(s, {B, K, 1})), {B, Tx});
}

// Throws std::invalid_argument "<score> score: <what>" naming the sizes.
[[noreturn]] void score_size_error(const std::string& score, const std::string& what);

}  // namespace attnlab

// Registers class template CLASS as score NAME (an identifier), at file scope,
// with what it needs (ScoreNeeds bits: attnlab::kNoNeeds, kNeedsDEquals2H,
// kNeedsMaxSourceLength). The anchor function lets the build keep a built-in
// score's object file in the static library (see CMakeLists.txt); elsewhere
// it is unused.
#define ATTNLAB_REGISTER_SCORE(NAME, CLASS, NEEDS)                     \
  extern "C" void attnlab_score_anchor_##NAME() {}                     \
  static const bool attnlab_score_registered_##NAME [[maybe_unused]] = \
      ::attnlab::register_score_class<CLASS>(#NAME, NEEDS);

// Registers NAME as another name for a score class.
#define ATTNLAB_REGISTER_SCORE_ALIAS(NAME, CLASS, NEEDS)          \
  static const bool attnlab_score_alias_##NAME [[maybe_unused]] = \
      ::attnlab::register_score_class<CLASS>(#NAME, NEEDS);
