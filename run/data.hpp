// A run's data: pairs from a file or a built-in task with a held-out set,
// the tokenizers trained or taken from a checkpoint, vocabularies, a file's
// fitted defaults, and the pairs encoded and checked.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "data/corpus.hpp"
#include "data/vocab.hpp"
#include "run/options.hpp"

namespace attnlab {

// Where a run says what a user should know but need not act on (lines
// skipped by --skip-bad-lines); nothing is printed by the run layer itself.
using Notify = std::function<void(const std::string&)>;

struct RunData {
  std::vector<TextPair> train_pairs, valid_pairs;
  std::vector<Example> train, valid;
  Vocab src_vocab, tgt_vocab;
  std::string train_name, valid_name;
  std::size_t dropped = 0;  // training pairs dropped by --max-src-len / --max-tgt-len
};

// Pairs from a source<TAB>target file; the lines skipped (with
// --skip-bad-lines) are told to note.
std::vector<TextPair> read_pairs(const std::string& path, bool skip_bad_lines, const Notify& note);

// Training and validation pairs as the options say: a file, or a task with a
// held-out set from another seed.
RunData load_pairs(const RunSettings& s, const Notify& note);

// Vocabularies from the training pairs; sets s.model's tokenizers (learning sentencepiece models
// and word spacing) and vocabulary sizes.
void build_vocabularies(RunSettings& s, RunData& d);

// Encodes the pairs with d's vocabularies and drops long ones; for a new
// model (new_model), sets a location score's Lmax to the longest source
// unless given. Refuses a source longer than Lmax, naming file and line.
void encode_data(RunSettings& s, RunData& d, bool new_model);

// Refuses a source of n tokens that c's location score cannot attend over,
// naming where it is (FILE:LINE) and adding hint to the message.
void check_source_length(const ModelConfig& c, std::size_t n, const std::string& where,
                         const std::string& hint = "");

// A task's gold alignments count the task's own tokens (characters): where c
// tokenizes otherwise they mean nothing, and are dropped from its pairs.
void fit_task_alignments(std::vector<TextPair>& pairs, const std::string& task,
                         const ModelConfig& c);

// encode_pairs with c's tokenizers; a pair it refuses (a gold link beyond the
// pair's tokens) becomes a DataError naming `name` (the file) and the line.
std::vector<Example> encode_named(const std::vector<TextPair>& pairs, const std::string& name,
                                  const ModelConfig& c, const Vocab& src, const Vocab& tgt);

}  // namespace attnlab
