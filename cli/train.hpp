// What `attnlab train` and `attnlab compare` share: the training options,
// and the data, vocabularies and checks they build from them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "data/vocab.hpp"
#include "models/config.hpp"
#include "training/trainer.hpp"

namespace attnlab::cli {

struct TrainArgs {
  std::string train_file, task, valid_file;
  double valid_fraction = 0.0;
  std::size_t n = 20000, min_len = 0, max_len = 0, valid_n = 0;
  std::uint64_t data_seed = 1;
  bool skip_bad_lines = false;
  std::size_t max_src_len = 0, max_tgt_len = 0, min_freq = 1, max_vocab = 0;
  std::size_t vocab_size = 0;             // sentencepiece: entries per side (0: by the data)
  std::string subword_model = "unigram";  // sentencepiece: unigram or bpe
  ModelConfig config;
  TrainOptions opts;
  bool tty = false;    // stderr is a terminal: a live progress bar
  bool quiet = false;  // --quiet: only the final line
  std::string init, resume;
  std::size_t threads = 1;
  std::size_t default_epochs = 10;
  CLI::App* cmd = nullptr;        // to tell which options were given
  CLI::Option* epochs = nullptr;  // to tell whether --epochs was given
  // the model options by config key, to tell which were given explicitly
  std::map<std::string, CLI::Option*> model_flags;
  bool given(const std::string& key) const { return model_flags.at(key)->count() > 0; }
};

// Registers the data, model and optimization options on cmd.
void add_training_options(CLI::App* cmd, TrainArgs& a);

// After parsing: the seed, the variant's own name for --model, the --epochs
// default, whether stderr is a terminal.
void finish_training_options(TrainArgs& a);

struct TrainingData {
  std::vector<TextPair> train_pairs, valid_pairs;
  std::vector<Example> train, valid;
  Vocab src_vocab, tgt_vocab;
  std::string train_name, valid_name;
  std::size_t dropped = 0;  // training pairs dropped by --max-src-len / --max-tgt-len
};

// Training and validation pairs as the options say: a file, or a task with a
// held-out set from another seed.
TrainingData load_training_pairs(const TrainArgs& a);

// The epochs `attnlab train` runs on a file of this many pairs by default:
// about 200,000 pairs' worth, within 3..10.
std::size_t default_file_epochs(std::size_t pairs);

// Vocabularies from the training pairs, with the defaults that fit the data
// (fit_defaults); sets a.config's tokenizers (learning sentencepiece models
// and word spacing) and vocabulary sizes.
void build_vocabularies(TrainArgs& a, TrainingData& d);

// Encodes the pairs with d's vocabularies and drops long ones; for a new
// model (new_model), sets a location score's Lmax to the longest source
// unless given. Refuses a source longer than Lmax, naming file and line.
void encode_training_data(TrainArgs& a, TrainingData& d, bool new_model);

// Every option that shapes a training run (data, vocabularies, optimizer,
// schedule, batches, seeds, regularisation, validation, threads) by flag, as
// saved in a checkpoint's config.json under "run_options".
nlohmann::json run_options(const TrainArgs& a);

// --resume: the run's options come from the checkpoint. A flag given again
// with another value is refused, naming it; only the stopping point
// (--epochs, --max-steps) and --save-every may change.
void resume_run_options(TrainArgs& a, const nlohmann::json& saved, const std::string& ckpt);

// "N parameters" of a model.
std::size_t parameter_count(EncoderDecoder<float>& model);

}  // namespace attnlab::cli
