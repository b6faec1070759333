// The training loop's promises about divergence: it stops at the step where
// something first became NaN or infinite, saves nothing from then on, and says
// truly which checkpoint is on disk.
#include <filesystem>
#include <sstream>

#include "support/check.hpp"
#include "support/temp_dir.hpp"

using namespace attnlab;
using namespace attnlab::test;
namespace fs = std::filesystem;

namespace {

Vocab letters() {
  Vocab v;
  for (const char* t : {"a", "b", "c", "d"}) v.add(t);  // ids 4..7
  return v;
}

ModelConfig tiny() {
  ModelConfig c;
  c.model = "seq2seq";
  c.embed = 4;
  c.hidden = 4;
  c.src_vocab = c.tgt_vocab = 8;
  return c;
}

// Trains tiny() with o on pairs whose training loss stays finite while the
// validation loss is infinite: validation wants d, whose logit is -3e38
// while <eos>'s is 3e38, a cost of 6e38 a token, beyond float32.
TrainResult run_to_infinite_validation(TrainOptions o, const std::string& save) {
  auto m = make_model<float>(tiny());
  m->out.bias.value.fill(0.0f);
  m->out.bias.value(3) = 3e38f;
  m->out.bias.value(7) = -3e38f;
  const std::vector<Example> train{{{4, 5}, {4, 5}}, {{5}, {5}}, {{4}, {4, 4}}};
  const std::vector<Example> valid{{{4}, {7, 7, 7}}};  // mean cost 4.5e38: infinite in float32
  o.batch_size = 3;
  o.save = save;
  o.quiet = true;
  o.optim.lr = 1e-6;
  std::ostringstream log;
  const Vocab v = letters();
  Trainer t(*m, v, v, o);
  return t.run(train, valid, log);
}

}  // namespace

TEST_CASE("trainer: an infinite validation loss stops training, unsaved, naming the step") {
  TempDir tmp;
  TrainOptions o;
  o.max_steps = 4;
  o.valid_every = 2;
  const TrainResult r = run_to_infinite_validation(o, tmp / "m");
  CHECK(r.diverged);
  CHECK(r.state.step == 2);
  CHECK(r.message ==
        "training stopped: the validation loss became infinite at step 2 (epoch 2). "
        "Nothing was saved. Try a lower learning rate or gradient clipping.");
  CHECK(!fs::exists(tmp / "m"));
}

TEST_CASE("trainer: after a save, a divergence names the step whose checkpoint is on disk") {
  TempDir tmp;
  TrainOptions o;
  o.max_steps = 6;
  o.save_every = 2;
  o.valid_every = 3;
  const TrainResult r = run_to_infinite_validation(o, tmp / "m");
  CHECK(r.diverged);
  CHECK(contains(r.message, "infinite at step 3"));
  CHECK(contains(r.message,
                 "The checkpoint in " + (tmp / "m") + " is the one saved at step 2, before that."));
  const LoadedModel<float> l = load_model<float>(tmp / "m");
  CHECK(l.config_json["train_state"]["step"] == 2);
}
