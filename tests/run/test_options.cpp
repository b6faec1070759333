// The option schema: one declaration per option, and what is derived from it.
#include <set>

#include "io/error.hpp"
#include "run/options.hpp"
#include "support/check.hpp"

using namespace attnlab;

TEST_CASE("run options: every flag and every key is declared once") {
  std::set<std::string> flags, keys;
  for (const Option& o : options()) {
    INFO(o.flag);
    CHECK(o.flag.rfind("--", 0) == 0);
    CHECK(flags.insert(o.flag).second);
    CHECK(keys.insert(o.key).second);
    CHECK(find_option(o.flag) == &o);
    CHECK(find_option(o.key) == &o);
    CHECK_FALSE(o.help.empty());
    CHECK(o.faces != 0);
  }
  CHECK(find_option("--no-such-flag") == nullptr);
}

TEST_CASE("run options: run_options records what checkpoints have always recorded") {
  // The keys of config.json's run_options in every checkpoint written so far:
  // a change here would make --resume refuse or misread them.
  const std::set<std::string> recorded = {
      "--train",           "--task",        "--n",        "--min-len",        "--max-len",
      "--data-seed",       "--valid-n",     "--valid",    "--valid-fraction", "--skip-bad-lines",
      "--max-src-len",     "--max-tgt-len", "--min-freq", "--max-vocab",      "--vocab-size",
      "--subword-model",   "--optimizer",   "--lr",       "--momentum",       "--nesterov",
      "--weight-decay",    "--schedule",    "--lr-step",  "--lr-gamma",       "--lr-patience",
      "--lr-factor",       "--batch-size",  "--clip",     "--seed",           "--dropout",
      "--teacher-forcing", "--valid-every", "--patience", "--threads"};
  RunSettings s = RunSettings::for_training();
  const nlohmann::json recorded_now = run_options(s);
  std::set<std::string> keys;
  for (const auto& [flag, value] : recorded_now.items()) keys.insert(flag);
  CHECK(keys == recorded);
  CHECK(run_options(s)["--lr"] == 2e-3);
  CHECK(run_options(s)["--nesterov"] == false);
}

TEST_CASE("run options: a library field finds its option, a value round-trips as JSON") {
  CHECK(find_option("step_size")->flag == "--lr-step");
  CHECK(find_option("gamma")->flag == "--lr-gamma");
  CHECK(find_option("weight_decay")->flag == "--weight-decay");
  RunSettings s;
  const Option& lr = *find_option("--lr");
  set_option_value(lr, s, 0.5);
  CHECK(s.train.optim.lr == 0.5);
  CHECK(option_value(lr, s) == 0.5);
  CHECK_THROWS_WITH_AS(set_option_value(lr, s, "fast"),
                       "--lr: \"fast\" is not a value of that option", std::invalid_argument);
  set_option_value(*find_option("hidden"), s, 7);
  CHECK(s.model.hidden == 7);
}

TEST_CASE("run options: --resume takes the recorded options and refuses a changed one") {
  RunSettings s = RunSettings::for_training();
  RunSettings then = RunSettings::for_training();
  then.train.batch_size = 17;
  then.data.task = "sort";
  const nlohmann::json saved = run_options(then);
  resume_run_options(s, saved, "ckpt");
  CHECK(s.train.batch_size == 17);
  CHECK(s.data.task == "sort");
  RunSettings given = RunSettings::for_training();
  given.train.batch_size = 32;
  given.given.insert("batch_size");
  CHECK_THROWS_AS(resume_run_options(given, saved, "ckpt"), UsageError);
  nlohmann::json bad = saved;
  bad["--batch-size"] = "many";
  RunSettings fresh = RunSettings::for_training();
  CHECK_THROWS_AS(resume_run_options(fresh, bad, "ckpt"), CheckpointError);
}

TEST_CASE("run options: a file's fitted defaults replace only what was not given") {
  RunSettings s = RunSettings::for_training();
  s.model.embed = 5;
  s.given.insert("hidden");
  s.model.hidden = 9;
  fit_file_defaults(s, 10000, true);
  CHECK(s.model.embed == 128);
  CHECK(s.model.hidden == 9);
  CHECK(s.model.attention_hidden == 128);
  CHECK(s.train.epochs == 10);  // 200,000 / 10,000 pairs = 20, within 3..10
  RunSettings loaded = RunSettings::for_training();
  loaded.model.embed = 5;
  fit_file_defaults(loaded, 100000, false);  // not a new model: its sizes stay
  CHECK(loaded.model.embed == 5);
  CHECK(loaded.train.epochs == 3);
  RunSettings steps = RunSettings::for_training();
  steps.train.max_steps = 10;
  steps.train.epochs = 0;
  fit_file_defaults(steps, 100000, true);
  CHECK(steps.train.epochs == 0);  // --max-steps decides
  CHECK(default_file_epochs(1) == 10);
  CHECK(default_file_epochs(50000) == 4);
}

TEST_CASE("run options: --init's model options must agree with the checkpoint") {
  RunSettings s = RunSettings::for_training();
  ModelConfig loaded;
  loaded.model = "seq2seq";
  loaded.hidden = 64;
  s.model.hidden = 64;
  s.given.insert("hidden");
  CHECK_NOTHROW(check_agreement(s, loaded, "ckpt"));
  s.model.hidden = 32;
  CHECK_THROWS_WITH_AS(check_agreement(s, loaded, "ckpt"),
                       "--hidden 32 disagrees with ckpt/config.json, which has hidden 64",
                       UsageError);
  RunSettings score = RunSettings::for_training();
  score.given.insert("score");
  CHECK_THROWS_WITH_AS(check_agreement(score, loaded, "ckpt"),
                       doctest::Contains("--score applies to attention models only"), UsageError);
}
