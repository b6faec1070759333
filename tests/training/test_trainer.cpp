// The training loop's promises about divergence: it stops at the step where
// something first became NaN or infinite, saves nothing from then on, and says
// truly which checkpoint is on disk. Its progress goes to the callbacks.
#include <cmath>
#include <filesystem>
#include <type_traits>

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
  o.optim.lr = 1e-6;
  const Vocab v = letters();
  Trainer t(*m, v, v, o);
  return t.run(train, valid);
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

static_assert(!std::is_copy_constructible_v<Trainer> && !std::is_copy_assignable_v<Trainer>,
              "a copy would share, then free twice, its implementation");
static_assert(std::is_nothrow_move_constructible_v<Trainer> &&
              std::is_nothrow_move_assignable_v<Trainer>);

TEST_CASE(
    "trainer: progress goes to the callbacks: each step, each metrics line, each validation") {
  TempDir tmp;
  auto m = make_model<float>(tiny());
  const std::vector<Example> train{{{4, 5}, {4, 5}}, {{5}, {5}}, {{4}, {4, 4}}};
  const std::vector<Example> valid{{{4}, {4}}};
  TrainOptions o;
  o.batch_size = 3;  // one batch an epoch
  o.max_steps = 7;
  o.log_every = 3;
  o.valid_every = 4;
  o.save = tmp / "m";
  std::vector<TrainProgress> steps, logs;
  std::vector<std::size_t> validations;
  o.on_step = [&](const TrainProgress& p) { steps.push_back(p); };
  o.on_log = [&](const TrainProgress& p) { logs.push_back(p); };
  o.on_validation = [&](std::size_t step, const EvalResult& r, bool best) {
    CHECK(std::isfinite(r.loss));
    CHECK(best);  // the first validation is the best so far
    validations.push_back(step);
  };
  const Vocab v = letters();
  Trainer first(*m, v, v, o);
  Trainer t = std::move(first);  // the moved-to trainer is the one that runs
  const TrainResult r = t.run(train, valid);
  REQUIRE(steps.size() == 7);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    CHECK(steps[i].step == i + 1);
    CHECK(steps[i].planned == 7);
    CHECK(steps[i].epoch == i);
  }
  CHECK(steps.back().loss == r.last_loss);
  REQUIRE(logs.size() == 3);  // steps 3 and 6, and the last
  CHECK(logs[0].step == 3);
  CHECK(logs[1].step == 6);
  CHECK(logs[2].step == 7);
  CHECK(logs[2].loss == doctest::Approx(r.last_loss));  // the mean of one step
  CHECK(validations == std::vector<std::size_t>{4});
}

TEST_CASE("trainer: without a save directory it trains in memory and writes nothing") {
  TempDir tmp;
  const fs::path was = fs::current_path();
  fs::current_path(tmp.path);  // where a relative lock or metrics log would land
  auto m = make_model<float>(tiny());
  const Array<float> before = m->out.weight.value;
  TrainOptions o;
  o.batch_size = 3;
  o.max_steps = 4;
  o.valid_every = 2;
  std::size_t logs = 0, validations = 0;
  o.on_log = [&](const TrainProgress&) { ++logs; };
  o.on_validation = [&](std::size_t, const EvalResult&, bool) { ++validations; };
  const Vocab v = letters();
  const std::vector<Example> train{{{4, 5}, {4, 5}}, {{5}, {5}}, {{4}, {4, 4}}};
  const TrainResult r = Trainer(*m, v, v, o).run(train, {{{4}, {4}}});
  fs::current_path(was);
  CHECK(r.state.step == 4);
  CHECK(r.message == "done: 4 steps, 4 epochs, 0s");
  CHECK(logs == 1);
  CHECK(validations == 2);
  CHECK(m->out.weight.value != before);
  CHECK(fs::is_empty(tmp.path));
}
