// A training run from its options: --resume's recorded options, the data,
// a new or loaded model, the trainer.
#include "run/train.hpp"

#include <filesystem>
#include <fstream>

#include "io/atomic_dir.hpp"
#include "models/memory.hpp"
#include "models/model_io.hpp"

namespace attnlab {

namespace {

// config.json of a checkpoint, or null when it cannot be read (load_model
// then says why).
nlohmann::json read_config(const std::string& dir) {
  const std::filesystem::path path = std::filesystem::path(dir) / "config.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
  std::ifstream in(path);
  try {
    return in ? nlohmann::json::parse(in) : nlohmann::json();
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

void check_training_options(RunSettings& s) {
  if (!s.resume.empty()) {
    const nlohmann::json config = read_config(s.resume);
    if (config.is_object() && config.contains("run_options"))
      resume_run_options(s, config["run_options"], s.resume);
  }
  s.train.threads = s.threads;  // as the checkpoint has it, with --resume
  TrainOptions& o = s.train;
  if (o.save.empty()) o.save = s.resume;
  if (o.save.empty()) throw UsageError("--save CHECKPOINT is required");
  if (!s.init.empty() && !s.resume.empty())
    throw UsageError("give at most one of --init and --resume");
  if (o.max_steps < 0 && o.epochs == 0) throw UsageError("--epochs 0 needs a --max-steps limit");
  check_save_target(o.save);  // before any work, not at the first save
}

// The model, vocabularies and tokenizers of --init or --resume's checkpoint.
std::unique_ptr<EncoderDecoder<float>> load_for_training(RunSettings& s, RunData& d,
                                                         const std::string& from) {
  for (const char* key : {"vocab_size", "subword_model"})  // not silently ignored
    if (s.was_given(key))
      throw UsageError(find_option(key)->flag + " shapes a new vocabulary; " + from +
                       " keeps its own (train without --init or --resume for another)");
  LoadedModel<float> l = load_model<float>(from);
  check_agreement(s, l.model->config(), from);
  s.model = l.model->config();
  d.src_vocab = std::move(l.src_vocab);
  d.tgt_vocab = std::move(l.tgt_vocab);
  return std::move(l.model);
}

}  // namespace

std::unique_ptr<TrainingRun> prepare_training(RunSettings& s, const Notify& note) {
  check_training_options(s);
  auto r = std::make_unique<TrainingRun>();
  RunData& d = r->data;
  d = load_pairs(s, note);
  const std::string from = s.resume.empty() ? s.init : s.resume;
  if (s.data.task.empty()) fit_file_defaults(s, d.train_pairs.size(), from.empty());
  if (!from.empty()) {
    r->model = load_for_training(s, d, from);
  } else {
    build_vocabularies(s, d);
  }
  encode_data(s, d, from.empty());
  if (!r->model) {
    // the weights alone, before making them
    check_training_memory(s.model, 1, 1, 1, s.train.max_memory);
    r->model = make_model<float>(s.model);
  }
  nlohmann::json extra;
  if (!s.data.task.empty()) extra["task"] = s.data.task;
  extra["train_data"] = d.train_name;
  extra["run_options"] = run_options(s);
  r->trainer = std::make_unique<Trainer>(*r->model, d.src_vocab, d.tgt_vocab, s.train, extra);
  if (!s.resume.empty()) r->trainer->resume_from(s.resume);
  r->parameters = parameter_count(*r->model);
  return r;
}

std::size_t parameter_count(EncoderDecoder<float>& model) {
  std::size_t n = 0;
  for (auto* p : model.parameters()) n += p->value.size();
  return n;
}

}  // namespace attnlab
