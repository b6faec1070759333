// Parallel corpora: the source<TAB>target file format (strict reader, atomic
// writer), encoding to token ids, length filtering, and the seeded,
// machine-independent shuffles, splits and length-grouped batches of training.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "autograd/array.hpp"
#include "data/alignment.hpp"
#include "data/tokenizer.hpp"
#include "data/vocab.hpp"

namespace attnlab {

// A corpus file that cannot be read or written; the message is
// "FILE:LINE: what" or "FILE: what".
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TextPair {
  std::string src, tgt;
  std::size_t line = 0;  // 1-based line in its file (0 when generated)
  // Gold links between the tokens the model sees (0-based positions; characters
  // for the "char" tokenizer); none when the file or task gives none.
  std::optional<Alignment> alignment;
};

struct ReadOptions {
  bool skip_bad_lines = false;  // count malformed lines instead of refusing the file
};

struct ReadResult {
  std::vector<TextPair> pairs;
  std::size_t skipped = 0;  // malformed lines skipped (skip_bad_lines only)
};

// Reads one source<TAB>target pair per line, both fields kept byte for byte.
// An optional third column holds the pair's gold alignment as space-separated
// links in Pharaoh / fast_align order: "i-j" a sure link from source token i
// to target token j, "i?j" a possible one (0-based token positions); possible
// = sure + the "?" links, both sorted without repeats. An empty third column
// means no alignment; columns after the third are ignored. Accepts a UTF-8 BOM at the
// start, CRLF line ends and a last line without a newline; skips lines that are
// empty or all ASCII whitespace. A malformed line (no tab, an empty source or
// target, invalid UTF-8, a NUL byte, a carriage return inside the line, a
// line over kMaxLineBytes, a third column that is not links) throws DataError "FILE:LINE: what"
// unless opts.skip_bad_lines. Also refused, as "FILE: what": a file that cannot be opened or read,
// a directory, and a file without a single pair.
ReadResult read_tsv(const std::string& path, const ReadOptions& opts = {});

// Writes pairs in read_tsv's format ("\n" line ends, no BOM) to
// "<path>.tmp-<pid>", then renames it over path, so a reader never sees half a
// file. Path "-" writes to standard output. Refuses, before writing anything,
// a pair whose source or target is empty or holds a tab, '\n' or '\r' (which
// read_tsv could not read back); DataError names the path and the pair.
void write_tsv(const std::string& path, const std::vector<TextPair>& pairs);

// Writes text to "<path>.tmp-<pid>", then renames it over path: a reader sees
// the old file or the whole new one. DataError names the path on failure.
void write_file_atomically(const std::string& path, const std::string& text);

struct Example {
  std::vector<Index> src, tgt;  // token ids, without <sos>/<eos>
  // The target's tokens as the tokenizer gave them, before the vocabulary
  // mapped unknown ones to <unk>: what metrics compare the output with.
  // Empty for examples made by hand (then <unk> in tgt matches nothing).
  std::vector<std::string> tgt_tokens;
  std::optional<Alignment> alignment;  // TextPair::alignment, in range of src and tgt
  // The target as written (TextPair::tgt): what sacreBLEU's 13a BLEU
  // compares the detokenized output with. Empty for examples made by hand.
  std::string tgt_text;
};

// Tokenizes and encodes every pair; tokens not in a vocabulary become <unk>
// (tgt_tokens keeps the target's own tokens) and the alignment is copied.
// An unknown tokenizer, invalid UTF-8 or a link beyond the pair's source or
// target tokens throws std::invalid_argument (naming the pair's line for the
// latter two).
std::vector<Example> encode_pairs(const std::vector<TextPair>& pairs,
                                  const Tokenizer& src_tokenizer, const Tokenizer& tgt_tokenizer,
                                  const Vocab& src, const Vocab& tgt);

// The token sequences of one side (source if `source`, else target), as
// Vocab::build takes them.
std::vector<std::vector<std::string>> tokenize_all(const std::vector<TextPair>& pairs, bool source,
                                                   const Tokenizer& tokenizer);

// Drops (keeping the order of the rest) examples whose source has more than
// max_src tokens or target more than max_tgt (0 = no limit), and those with an
// empty source or target; returns how many were dropped.
std::size_t filter_by_length(std::vector<Example>& data, std::size_t max_src, std::size_t max_tgt);

// ---- seeded randomness, identical on every machine ----
// std::mt19937_64's output is fixed by the standard, but the distributions and
// std::shuffle are not; so the draws and the shuffle are our own.

// A uniform integer in [0, bound) from the generator's raw output, without
// modulo bias (rejection). bound 0: std::invalid_argument.
inline std::uint64_t draw_below(std::mt19937_64& rng, std::uint64_t bound) {
  if (bound == 0) throw std::invalid_argument("draw_below: bound must be at least 1");
  // 2^64 mod bound: the raw values below it are rejected, so the accepted
  // range holds a whole number of copies of [0, bound).
  const std::uint64_t reject = (0 - bound) % bound;
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= reject) return r % bound;
  }
}

// Fisher-Yates with draw_below, continuing rng's stream.
template <class X>
void shuffle_with(std::vector<X>& v, std::mt19937_64& rng) {
  for (std::size_t i = v.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(draw_below(rng, i));
    if (j != i - 1) std::swap(v[i - 1], v[j]);
  }
}

// The same seed gives the same order on every machine.
template <class X>
void seeded_shuffle(std::vector<X>& v, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  shuffle_with(v, rng);
}

// Returns {train, valid}: after a seeded shuffle of data, the last
// round(fraction * n) elements are the validation part (at least 1 if
// fraction > 0 and n > 1; never all of them, so with n == 1 it is empty).
// fraction outside [0, 1): std::invalid_argument.
template <class X>
std::pair<std::vector<X>, std::vector<X>> split_fraction(std::vector<X> data, double fraction,
                                                         std::uint64_t seed) {
  if (!(fraction >= 0.0 && fraction < 1.0)) {
    std::ostringstream msg;
    msg << "validation fraction " << fraction << " is not in [0, 1)";
    throw std::invalid_argument(msg.str());
  }
  seeded_shuffle(data, seed);
  const std::size_t n = data.size();
  std::size_t k = static_cast<std::size_t>(fraction * static_cast<double>(n) + 0.5);
  if (fraction > 0.0 && n > 1 && k == 0) k = 1;
  if (n > 0 && k >= n) k = n - 1;
  if (n == 0) k = 0;
  std::vector<X> valid(std::make_move_iterator(data.end() - static_cast<std::ptrdiff_t>(k)),
                       std::make_move_iterator(data.end()));
  data.resize(n - k);
  return {std::move(data), std::move(valid)};
}

// Training batches grouped by length to limit padding, as indices into data:
// a seeded shuffle of all indices; within each window of 50 batches
// (50 * batch_size indices) a stable sort by (source length, target length),
// cut into batches of batch_size (only the very last batch may be smaller);
// then a seeded shuffle of the batch order. The two shuffles share one
// std::mt19937_64(seed) stream, the first being exactly seeded_shuffle(iota,
// seed). The same (data, batch_size, seed) always gives the same batches.
// batch_size 0: std::invalid_argument.
std::vector<std::vector<std::size_t>> make_batches(const std::vector<Example>& data,
                                                   std::size_t batch_size, std::uint64_t seed);

// For evaluation: indices stably sorted by source length (shortest first, ties
// in data order), cut in order into batches of batch_size; no shuffling.
std::vector<std::vector<std::size_t>> make_sorted_batches(const std::vector<Example>& data,
                                                          std::size_t batch_size);

}  // namespace attnlab
