// The attnlab program as a user runs it: each command's output, exact
// resume, and one clear message with a non-zero exit for every bad input.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "report/svg.hpp"
#include "training/parallel.hpp"
#include "support/check.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace attnlab;
using namespace attnlab::test;

namespace {

struct Result {
  int status = -1;
  std::string out, err;
};

// A scratch directory per test case, from which attnlab runs.
struct Scratch : TempDir {
  std::string write(const std::string& name, const std::string& text) const {
    write_bytes(file(name), text);
    return file(name);
  }

  // Runs `attnlab ARGS` with `input` on standard input, from this directory.
  Result run(const std::string& args, const std::string& input = "") const {
    write("stdin.txt", input);
    const std::string cmd = "cd '" + path.string() + "' && '" ATTNLAB_CLI "' " + args +
                            " < stdin.txt > stdout.txt 2> stderr.txt";
    Result r;
    const int raw = std::system(cmd.c_str());
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_bytes(file("stdout.txt"));
    r.err = read_bytes(file("stderr.txt"));
    return r;
  }
};

// `times` copies of `text`: a small training file a model can learn by heart.
std::string repeated(const std::string& text, int times) {
  std::string out;
  for (int k = 0; k < times; ++k) out += text;
  return out;
}

// A small, fast model configuration for the task "reverse".
const std::string kTiny =
    "--task reverse --n 200 --max-len 6 --embed 8 --hidden 8 --attention-hidden 8 "
    "--batch-size 16 --quiet ";

}  // namespace

#define CHECK_FAILS_WITH(result, code, text) \
  do {                                       \
    const Result r_ = (result);              \
    INFO("stderr: " << r_.err);              \
    CHECK(r_.status == (code));              \
    CHECK(contains(r_.err, text));           \
  } while (0)

TEST_CASE("cli data: writes a task's pairs, the same for the same seed") {
  Scratch s;
  Result a = s.run("data dates --n 5 --seed 3");
  Result b = s.run("data dates --n 5 --seed 3");
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
  CHECK(std::count(a.out.begin(), a.out.end(), '\n') == 5);
  CHECK(std::count(a.out.begin(), a.out.end(), '\t') == 5);
  CHECK(s.run("data dates --n 5 --seed 4").out != a.out);
  CHECK(s.run("data --list").out.find("reverse") != std::string::npos);
  CHECK(s.run("data reverse --n 3 --out pairs.tsv").status == 0);
  CHECK(read_bytes(s / "pairs.tsv").size() > 0);
}

TEST_CASE("cli: an unknown command, option or task is refused with exit status 2") {
  Scratch s;
  CHECK_FAILS_WITH(s.run("fly"), 2, "fly");
  CHECK_FAILS_WITH(s.run("train --task reverse --save m --frobnicate 3"), 2, "--frobnicate");
  CHECK_FAILS_WITH(s.run("train --task nosuch --save m"), 2, "unknown task 'nosuch'");
  CHECK_FAILS_WITH(s.run("data nosuch"), 2, "unknown task 'nosuch'");
  CHECK_FAILS_WITH(s.run("train --task reverse --save m --lr -1"), 2, "--lr");
  CHECK_FAILS_WITH(s.run("train --task reverse --save m --dropout 2"), 2, "--dropout");
  CHECK_FAILS_WITH(s.run("train --task reverse --save m --optimizer adamw"), 2, "--optimizer");
  CHECK_FAILS_WITH(s.run("train --task reverse --save m --score telepathy --max-steps 0"), 2,
                   "--score: telepathy not in {additive,");
  CHECK_FAILS_WITH(s.run("train --task reverse"), 2, "--save");
  CHECK_FAILS_WITH(s.run("train --save m"), 2, "--train FILE and --task NAME");
  CHECK_FAILS_WITH(s.run("train --task reverse --save m --model seq2seq --decoder-hidden 7"), 2,
                   "2H");
}

TEST_CASE("cli train: a malformed or empty data file is refused naming file and line") {
  Scratch s;
  s.write("bad.tsv", "hello\tbonjour\nno tab here\nbye\tsalut\n");
  CHECK_FAILS_WITH(s.run("train --train bad.tsv --save m"), 1, "bad.tsv:2:");
  CHECK(!fs::exists(s / "m"));
  s.write("empty.tsv", "");
  CHECK_FAILS_WITH(s.run("train --train empty.tsv --save m"), 1, "empty.tsv");
  CHECK_FAILS_WITH(s.run("train --train missing.tsv --save m"), 2, "missing.tsv");
  Result ok = s.run("train --train bad.tsv --skip-bad-lines --save m --max-steps 0");
  CHECK(ok.status == 0);
  CHECK(contains(ok.err, "skipped 1 malformed line"));
}

TEST_CASE("cli train: --max-steps 0 saves the freshly initialised model, which eval reads") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 0").status == 0);
  for (const char* f : {"config.json", "src_vocab.txt", "tgt_vocab.txt", "decoder.out.weight.npy",
                        "optimizer/state.json"})
    CHECK(fs::exists(fs::path(s / "m") / f));
  Result e = s.run("eval --checkpoint m --task reverse --n 20 --max-len 6 --json");
  REQUIRE(e.status == 0);
  const auto j = nlohmann::json::parse(e.out);
  for (const char* k : {"loss", "token_accuracy", "exact_accuracy", "bleu"}) CHECK(j.contains(k));
}

TEST_CASE("cli train: k steps then --resume for N - k gives the same weights as N at once") {
  Scratch s;
  const std::string opts = kTiny + "--dropout 0.2 --teacher-forcing 0.6 --valid-every 4 ";
  REQUIRE(s.run("train " + opts + "--save whole --max-steps 10").status == 0);
  REQUIRE(s.run("train " + opts + "--save part --max-steps 4").status == 0);
  Result r = s.run("train " + opts + "--resume part --max-steps 10");
  INFO(r.err);
  REQUIRE(r.status == 0);
  std::size_t compared = 0;
  for (const auto& f : fs::directory_iterator(s / "whole")) {
    if (f.path().extension() != ".npy") continue;
    INFO(f.path().filename());
    CHECK(read_bytes(f.path()) == read_bytes(fs::path(s / "part") / f.path().filename()));
    ++compared;
  }
  CHECK(compared > 10);
  // a resume with different batches would not continue exactly: refused
  CHECK_FAILS_WITH(s.run("train " + opts + "--resume part --max-steps 12 --batch-size 8"), 2,
                   "--batch-size");
}

TEST_CASE(
    "cli train --resume: what shapes the run comes from the checkpoint, a change is refused") {
  Scratch s;
  const std::string opts = kTiny + "--lr 0.01 --dropout 0.2 --data-seed 3 --threads 1 ";
  REQUIRE(s.run("train " + opts + "--save whole --max-steps 8").status == 0);
  REQUIRE(s.run("train " + opts + "--save part --max-steps 4").status == 0);
  // nothing but the stopping point: the checkpoint's own options, exactly
  Result r = s.run("train --resume part --max-steps 8 --quiet");
  INFO(r.err);
  REQUIRE(r.status == 0);
  for (const char* f : {"decoder.out.weight.npy", "encoder.lstm.weight_ih_l0.npy"})
    CHECK(read_bytes(fs::path(s / "whole") / f) == read_bytes(fs::path(s / "part") / f));
  // Before, --lr was silently ignored and another task, --n, --data-seed,
  // --train file or --dropout silently accepted.
  s.write("pairs.tsv", "abc\tcba\n");
  for (const std::string flag :
       {"--lr 0.5", "--task sort", "--n 300", "--data-seed 4", "--dropout 0.3", "--train pairs.tsv",
        "--threads 2", "--clip 1", "--max-vocab 5"}) {
    INFO(flag);
    CHECK_FAILS_WITH(s.run("train --resume part --max-steps 12 " + flag), 2,
                     flag.substr(0, flag.find(' ')) + " ");
  }
  // the same value again, and the stopping point, are fine
  CHECK(s.run("train " + opts + "--resume part --max-steps 9").status == 0);
}

TEST_CASE("cli train --resume: a damaged train_state is refused naming the key") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 3").status == 0);
  const std::string path = fs::path(s / "m") / "config.json";
  const nlohmann::json good = nlohmann::json::parse(read_bytes(path));
  const std::vector<std::pair<std::string, nlohmann::json>> damage = {
      {"/train_state/step", -5},
      {"/train_state/step", 1e15},
      {"/train_state/epoch", 1000000},
      {"/train_state/elapsed", -1.0},
      {"/train_state/schedule/lr", -0.1}};
  for (const auto& [pointer, value] : damage) {
    INFO(pointer << " = " << value);
    nlohmann::json j = good;
    j[nlohmann::json::json_pointer(pointer)] = value;
    write_bytes(path, j.dump());
    const std::string key = pointer.substr(pointer.rfind('/') + 1);
    CHECK_FAILS_WITH(s.run("train --resume m --max-steps 5"), 1, key);
  }
}

TEST_CASE("cli train: with sgd, no clipping, dropout or sampling a step is w -= lr * grad") {
  // docs/MODEL_SPEC.md's contract, checked against a gradient computed here
  // from the initial checkpoint over the same pairs (one batch holds them all).
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m0 --max-steps 0").status == 0);
  const double lr = 0.5;
  REQUIRE(s.run("train " + kTiny + "--init m0 --save m1 --optimizer sgd --lr 0.5 --clip 0 " +
                "--batch-size 1000 --max-steps 1")
              .status == 0);
  LoadedModel<float> l = load_model<float>(s / "m0");
  const ModelConfig& c = l.model->config();
  std::vector<std::vector<Index>> xs, ys;
  for (const Example& e : encode_pairs(make_task("reverse", 200, 1, {0, 6}), c.src_tokenizer,
                                       c.tgt_tokenizer, l.src_vocab, l.tgt_vocab))
    xs.push_back(e.src), ys.push_back(e.tgt);
  Tape<float> tape;
  backward(l.model->loss(tape, make_batch(xs, ys)));
  const LoadedModel<float> after = load_model<float>(s / "m1");
  const auto p0 = l.model->parameters(), p1 = after.model->parameters();
  REQUIRE(p0.size() == p1.size());
  for (std::size_t k = 0; k < p0.size(); ++k) {
    INFO(p0[k]->name);
    const Array<float> expected = p0[k]->value - static_cast<float>(lr) * p0[k]->grad;
    CHECK(xt::allclose(p1[k]->value, expected, 1e-4, 1e-6));
    // every parameter moved but the additive score's b_2: softmax ignores a shift
    if (p0[k]->name != "decoder.attention.out.bias")
      CHECK(!xt::allclose(p1[k]->value, p0[k]->value, 0.0, 0.0));
  }
}

TEST_CASE("cli train: model flags beside --init must agree with the checkpoint") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 0").status == 0);
  CHECK(s.run("train " + kTiny + "--init m --save m2 --max-steps 1").status == 0);
  CHECK_FAILS_WITH(s.run("train " + kTiny + "--init m --hidden 16 --save m3 --max-steps 1"), 2,
                   "--hidden 16 disagrees");
  // from a plain seq2seq checkpoint: attention flags the user did not give are not compared,
  // and one given is called what it is
  REQUIRE(s.run("train --task reverse --n 50 --model seq2seq --save p --max-steps 0").status == 0);
  CHECK(s.run("train --task reverse --n 50 --init p --save p2 --max-steps 1").status == 0);
  CHECK_FAILS_WITH(s.run("train --task reverse --n 50 --init p --save p3 --score dot"), 2,
                   "--score applies to attention models only, and p is a seq2seq model");
}

TEST_CASE("cli train: writes a metrics log and a best checkpoint") {
  Scratch s;
  Result r = s.run("train " + kTiny + "--save m --epochs 2");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(fs::exists(fs::path(s / "m") / "best" / "config.json"));
  std::ifstream log(s / "m.metrics.jsonl");
  std::string line;
  bool valid = false;
  while (std::getline(log, line))
    valid = valid || nlohmann::json::parse(line).contains("valid_loss");
  CHECK(valid);
  // a new run into the same directory starts its own log, and a run shorter
  // than the logging interval (100 steps) still logs its last step
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 3").status == 0);
  const std::string text = read_bytes(s / "m.metrics.jsonl");
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 1);
  const auto j = nlohmann::json::parse(text);
  CHECK(j["step"] == 3);
  CHECK(j["loss"].get<double>() > 0);
  CHECK(j["tokens_per_s"].get<double>() > 0);
}

TEST_CASE("cli train: a diverging run stops with a clear message and keeps the last checkpoint") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 0").status == 0);
  const std::string before = read_bytes(fs::path(s / "m") / "decoder.out.weight.npy");
  // steps of 1e38 * grad push the weights past float's range: an infinite loss
  Result r = s.run("train " + kTiny +
                   "--init m --save m --optimizer sgd --lr 1e38 --clip 0 --max-steps 50");
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(contains(r.err, "training stopped"));
  CHECK(read_bytes(fs::path(s / "m") / "decoder.out.weight.npy") == before);
}

TEST_CASE("cli train: an update that overflows the weights stops at that step, saves nothing") {
  // Adam's first step at lr 1e38 is 1e39 per weight: infinite in float32,
  // while the loss and gradients were finite. Before, --save-every 1 wrote the
  // infinite weights over the good checkpoint and then said it was kept.
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save g --max-steps 0").status == 0);
  std::map<std::string, std::string> before;
  for (const auto& f : fs::directory_iterator(s / "g"))
    if (f.is_regular_file()) before[f.path().filename()] = read_bytes(f.path());
  Result r = s.run("train " + kTiny + "--init g --save g --lr 1e38 --clip 0 --save-every 1");
  INFO(r.err);
  CHECK(r.status == 1);
  CHECK(contains(r.err, "training stopped: the update of step 1 made"));
  CHECK(contains(r.err, "g still holds the checkpoint that was there before this run, untouched"));
  for (const auto& [name, bytes] : before) {
    INFO(name);
    if (name != "config.json") CHECK(read_bytes(fs::path(s / "g") / name) == bytes);
  }
  CHECK(s.run("eval --checkpoint g " + std::string("--task reverse --n 5")).status == 0);
}

TEST_CASE("cli eval: NaN weights are refused naming the file, a NaN loss is never a result") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 0").status == 0);
  Array<float> w = load_npy(s / "m/decoder.out.bias.npy");
  w(0) = std::numeric_limits<float>::quiet_NaN();
  save_npy(s / "m/decoder.out.bias.npy", w);
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --task reverse --n 5"), 1,
                   "decoder.out.bias.npy: 1 of");
  CHECK_FAILS_WITH(s.run("translate --checkpoint m", "abc\n"), 1, "NaN or infinite");
  // translate --allow-nonfinite loads it anyway, to look at what it does
  CHECK(s.run("translate --checkpoint m --allow-nonfinite", "abc\n").status == 0);
  // weights that are finite but overflow float32 in the loss: an error, not "loss inf"
  w.fill(-3e38f);
  w(3) = 3e38f;  // <eos>: every other target costs 6e38, beyond float32
  save_npy(s / "m/decoder.out.bias.npy", w);
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --task reverse --n 5"), 1,
                   "the loss on task reverse is");
}

TEST_CASE("cli train: an unusable --save target is refused before training starts") {
  Scratch s;  // before: refused at the first save, after an epoch of training
  s.write("file", "x");
  fs::create_directories(s / "notes");
  s.write("notes/todo.txt", "keep me");
  for (const std::string target : {".", "/", "file", "notes", "file/m"}) {
    INFO(target);
    const Result r = s.run("train " + kTiny + "--save " + target + " --max-steps 5");
    CHECK(r.status == 1);
    CHECK(contains(r.err, target + ": "));
    CHECK(!contains(r.err, "attnlab train: step"));  // no training happened
  }
  CHECK(read_bytes(s / "notes/todo.txt") == "keep me");
  CHECK(!fs::exists(s / "notes.metrics.jsonl"));
  CHECK_FAILS_WITH(s.run("compare --n 50 --max-steps 2 --out file"), 1, "not a directory");
}

TEST_CASE("cli train: temporary directories of saves that were killed are removed by the next") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 1").status == 0);
  // as a save killed midway leaves it: a full copy under a dead process's id
  fs::create_directories(s / "m.tmp-999999999-0");
  s.write("m.tmp-999999999-0/config.json", "{}");
  fs::create_directories(s / "m.tmp-1-0");  // init is alive: not ours to remove
  REQUIRE(s.run("train " + kTiny + "--resume m --max-steps 2").status == 0);
  CHECK(!fs::exists(s / "m.tmp-999999999-0"));
  CHECK(fs::exists(s / "m.tmp-1-0"));
  CHECK(fs::exists(s / "m/config.json"));
}

TEST_CASE("cli: a negative value for a counting option is refused, not wrapped to 2^64 - 1") {
  Scratch s;
  // --seed has no range of its own: before, it took -1 as 18446744073709551615
  for (const std::string args :
       {"train --task reverse --save m --seed -1", "train --task reverse --save m --save-every -1",
        "train --task reverse --save m --patience -1", "compare --seed -1",
        "eval --checkpoint . --task reverse --data-seed -1"}) {
    INFO(args);
    CHECK_FAILS_WITH(s.run(args), 2, "-1 is negative");
  }
  // and those with a range keep refusing it with theirs
  for (const std::string args : {"train --task reverse --save m --valid-n -1",
                                 "train --task reverse --save m --threads -1"}) {
    INFO(args);
    CHECK_FAILS_WITH(s.run(args), 2, "Value -1 not in range");
  }
  CHECK(!fs::exists(s / "m"));
}

namespace {

// Starts `attnlab ARGS` in the background in s, waits until it has written
// `ready` (at most a minute), then runs `then` in a shell with $pid set; the
// background run's exit status goes to status.txt, its stderr to bg.err.
void run_and_then(const Scratch& s, const std::string& args, const std::string& ready,
                  const std::string& then) {
  const std::string cmd = "cd '" + s.path.string() + "' && ('" ATTNLAB_CLI "' " + args +
                          " >/dev/null 2>bg.err & pid=$!; i=0; while [ ! -e " + ready +
                          " ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; " + then +
                          "; wait $pid; echo $? > status.txt)";
  std::system(cmd.c_str());
}

}  // namespace

TEST_CASE("cli train: Ctrl-C or SIGTERM stops after the step, saves, says so, exits 130 or 143") {
  for (const auto& [signal, status] : {std::pair{"INT", 130}, {"TERM", 143}}) {
    INFO(signal);
    Scratch s;
    run_and_then(s, "train " + kTiny + "--save m --max-steps 1000000 --save-every 1000000",
                 "m.lock", "sleep 1; kill -" + std::string(signal) + " $pid");
    CHECK(std::stoi(read_bytes(s / "status.txt")) == status);
    const std::string err = read_bytes(s / "bg.err");
    CHECK(contains(err, "interrupted (signal"));
    CHECK(contains(err, "continue it with: attnlab train --resume m"));
    // saved where it stopped, whole, and it resumes
    const auto j = nlohmann::json::parse(read_bytes(s / "m/config.json"));
    CHECK(j["train_state"]["step"].get<long>() > 0);
    const long step = j["train_state"]["step"];
    CHECK(s.run("train --resume m --max-steps " + std::to_string(step + 2)).status == 0);
  }
}

TEST_CASE("cli train: SIGKILL at any moment leaves a whole checkpoint, old or new, and no debris") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 1").status == 0);
  const char* delays[] = {"0.05", "0.3", "0.11", "0.7", "0.2", "0.45", "0.02", "0.9", "0.16"};
  long last_step = 1;
  for (const char* delay : delays) {
    INFO("killed after " << delay << " s");
    // --save-every 1: a save is under way most of the time
    run_and_then(s, "train --resume m --max-steps 1000000 --save-every 1", "m.lock",
                 std::string("sleep ") + delay + "; kill -9 $pid");
    CHECK(read_bytes(s / "status.txt") == "137\n");
    const LoadedModel<float> l = load_model<float>(s / "m");  // whole: every parameter, loadable
    const long step = l.config_json["train_state"]["step"];
    CHECK(step >= last_step);  // the previous checkpoint or a newer one, never an older
    last_step = step;
  }
  // the next run removes what the killed saves left behind
  REQUIRE(s.run("train --resume m --max-steps " + std::to_string(last_step + 1)).status == 0);
  for (const auto& f : fs::directory_iterator(s.path)) {
    INFO(f.path());
    CHECK(f.path().filename().string().find(".tmp-") == std::string::npos);
  }
}

TEST_CASE("cli compare: Ctrl-C stops both models after their step, saves them, writes no report") {
  Scratch s;
  run_and_then(s, "compare --n 2000 --max-steps 1000000 --out cmp",
               "cmp/attention-additive/seed1.lock", "sleep 1; kill -INT $pid");
  CHECK(read_bytes(s / "status.txt") == "130\n");
  CHECK(contains(read_bytes(s / "bg.err"), "interrupted: no report written"));
  CHECK(!fs::exists(s / "cmp/report.md"));
  for (const char* model : {"seq2seq", "attention-additive"}) {
    INFO(model);
    const LoadedModel<float> l =
        load_model<float>((fs::path(s / "cmp") / model / "seed1").string());
    CHECK(l.config_json["train_state"]["step"].get<long>() > 0);
  }
}

TEST_CASE("cli train: a second run on the same checkpoint directory is refused, naming the first") {
  Scratch s;  // before: both reported success, one's work was lost, the log interleaved
  run_and_then(s, "train " + kTiny + "--save m --max-steps 1000000", "m.metrics.jsonl",
               "'" ATTNLAB_CLI "' train " + kTiny +
                   "--save m --max-steps 5 2> second.err; echo $? > second.txt; kill $pid");
  CHECK(read_bytes(s / "second.txt") == "1\n");
  const std::string err = read_bytes(s / "second.err");
  CHECK(contains(err, "m: another training run is writing this checkpoint (process "));
  CHECK(contains(err, "m.lock"));
  // once it is gone, the directory is free again
  CHECK(s.run("train " + kTiny + "--save m --max-steps 2").status == 0);
}

TEST_CASE("cli eval and translate: messages that name what is wrong") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 1 --src-tokenizer space").status == 0);
  // a source that is all spaces: named by file and line, not "sequence 0"
  s.write("test.tsv", "ab\tba\n   \tabc\n");
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --data test.tsv"), 1,
                   "test.tsv:2: the source is only whitespace");
  // --attention at a directory: refused up front, no raw filesystem error, no temporary file
  fs::create_directories(s / "att");
  CHECK_FAILS_WITH(s.run("translate --checkpoint m --attention att", "abc\n"), 2,
                   "--attention att: a directory");
  for (const auto& f : fs::directory_iterator(s.path))
    CHECK(f.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("cli train: a run that would not fit in memory is refused up front, with the estimate") {
  Scratch s;  // before: more than 9.7 GB, then a bare std::bad_alloc
  s.write("long.tsv", std::string(10000, 'a') + "\t" + std::string(10000, 'b') + "\n");
  CHECK_FAILS_WITH(s.run("train --train long.tsv --src-tokenizer char --tgt-tokenizer char "
                         "--save m --epochs 1"),
                   1, "sources of up to 10000 tokens and targets of up to 10000");
  CHECK_FAILS_WITH(s.run("train --task reverse --hidden 100000 --save m --epochs 1"), 1,
                   "hidden 100000) would need about");
  CHECK_FAILS_WITH(s.run("train " + kTiny + "--save m --max-steps 1 --max-memory 0.00001"), 1,
                   "more than the limit of 10.0 KB");
  CHECK_FAILS_WITH(s.run("train --task reverse --valid-n 100000000000 --save m"), 2, "--valid-n");
  CHECK(!fs::exists(s / "m"));
  // a checkpoint whose config.json claims sizes its weights do not have
  REQUIRE(s.run("train " + kTiny + "--save c --max-steps 0").status == 0);
  nlohmann::json j = nlohmann::json::parse(read_bytes(s / "c/config.json"));
  j["hidden"] = 1000000000;
  write_bytes(s / "c/config.json", j.dump());
  CHECK_FAILS_WITH(s.run("eval --checkpoint c --task reverse --n 5"), 1,
                   "parameters, but its .npy files hold");
}

TEST_CASE("cli: the library's settings are named by their flags in its messages") {
  Scratch s;  // the library says min_len, momentum...; the program says --min-len, --nesterov
  CHECK_FAILS_WITH(s.run("train --task reverse --min-len 9 --max-len 5 --save m"), 2,
                   "attnlab train: --min-len 9 is above the longest length, 5");
  CHECK_FAILS_WITH(s.run("train --task reverse --nesterov --save m"), 2,
                   "--nesterov applies only to the momentum optimizer");
  CHECK_FAILS_WITH(s.run("data dates --min-len 3"), 2, "--min-len does not apply to task 'dates'");
}

TEST_CASE(
    "cli: /dev/zero as a metrics log, or zeros on standard input, refused after a bounded read") {
  Scratch s;  // before: read until memory ran out
  CHECK_FAILS_WITH(s.run("plot --metrics /dev/zero --out x.svg"), 1,
                   "/dev/zero:1: a line longer than 1048576 bytes");
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 1").status == 0);
  const Result r = s.run("translate --checkpoint m", std::string(2 << 20, '\0'));
  CHECK(r.status == 1);
  CHECK(contains(r.err, "standard input:1: a line longer than 1048576 bytes"));
}

TEST_CASE("cli train: an unwritable checkpoint path is refused") {
  Scratch s;
  s.write("file", "x");
  CHECK_FAILS_WITH(s.run("train " + kTiny + "--save file/m --max-steps 0"), 1, "file/m");
}

TEST_CASE("cli translate: one line out per line in, empty lines kept, attention as JSON") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --epochs 1").status == 0);
  Result t = s.run("translate --checkpoint m --attention att.json", "abc\n\ndcba\n");
  INFO(t.err);
  REQUIRE(t.status == 0);
  CHECK(std::count(t.out.begin(), t.out.end(), '\n') == 3);
  const auto j = nlohmann::json::parse(read_bytes(s / "att.json"));
  REQUIRE(j.size() == 3);
  CHECK(j[1]["attention"].empty());
  for (int i : {0, 2}) {
    const auto& rows = j[i]["attention"];
    CHECK(rows.size() >= 1);
    for (const auto& row : rows) CHECK(row.size() == j[i]["source"].size());
  }
  Result beam = s.run("translate --checkpoint m --beam 3", "abc\ndcba\n");
  CHECK(beam.status == 0);
  CHECK(std::count(beam.out.begin(), beam.out.end(), '\n') == 2);
  Result show = s.run("translate --checkpoint m --show-attention", "abc\n");
  CHECK(show.status == 0);
  CHECK(contains(show.err, "weight"));
  CHECK_FAILS_WITH(s.run("translate --checkpoint m", "abc\nab\xff\n"), 1, "stdin:2: invalid UTF-8");
}

TEST_CASE(
    "cli: every variant and cell trains, evaluates and translates by name, and --init keeps the "
    "cell") {
  Scratch s;
  for (const char* model : {"seq2seq", "attention", "bahdanau", "luong"})
    for (const char* cell : {"lstm", "gru"}) {
      const std::string ckpt = std::string(model) + "_" + cell;
      INFO(ckpt);
      Result t = s.run("train " + kTiny + "--model " + model + " --cell " + cell +
                       " --score general --save " + ckpt + " --max-steps 2");
      INFO(t.err);
      REQUIRE(t.status == 0);
      const auto config = nlohmann::json::parse(read_bytes(s.path / ckpt / "config.json"));
      CHECK(config["model"] == (std::string(model) == "bahdanau" ? "attention" : model));
      CHECK(config["cell"] == cell);
      CHECK(fs::exists(s.path / ckpt / (std::string("decoder.") + cell + ".weight_hh.npy")));
      Result e = s.run("eval --checkpoint " + ckpt + " --task reverse --n 20 --json");
      CHECK(e.status == 0);
      CHECK(nlohmann::json::parse(e.out)["cell"] == cell);
      const bool attends = std::string(model) != "seq2seq";
      Result tr = s.run(
          "translate --checkpoint " + ckpt + " --beam 2" + (attends ? " --attention a.json" : ""),
          "abc\n");
      CHECK(tr.status == 0);
      CHECK(std::count(tr.out.begin(), tr.out.end(), '\n') == 1);
    }
  CHECK_FAILS_WITH(s.run("train " + kTiny + "--init luong_gru --cell lstm --save x"), 2,
                   "--cell lstm disagrees with luong_gru/config.json, which has cell gru");
  CHECK(s.run("train " + kTiny + "--init luong_gru --save y --max-steps 1").status == 0);
  CHECK_FAILS_WITH(s.run("train " + kTiny + "--cell rnn --save z"), 2, "--cell: rnn not in");
  CHECK_FAILS_WITH(s.run("train " + kTiny + "--model transformer --save z"), 2,
                   "--model: transformer not in");
}

TEST_CASE("cli translate: attention from a plain seq2seq model is refused") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--model seq2seq --save m --max-steps 0").status == 0);
  CHECK_FAILS_WITH(s.run("translate --checkpoint m --show-attention", "abc\n"), 2, "no attention");
}

TEST_CASE("cli eval: text, --json and --by-length, a damaged checkpoint is refused by name") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 3").status == 0);
  s.run("data reverse --n 30 --max-len 6 --seed 9 --out test.tsv");
  Result e = s.run("eval --checkpoint m --data test.tsv --by-length --bucket-width 2");
  INFO(e.err);
  REQUIRE(e.status == 0);
  CHECK(contains(e.out, "exact acc"));
  CHECK(contains(e.out, "source length"));
  Result j = s.run("eval --checkpoint m --data test.tsv --json --by-length");
  CHECK(nlohmann::json::parse(j.out)["by_length"].size() >= 1);
  fs::resize_file(fs::path(s / "m") / "decoder.out.bias.npy", 10);
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --data test.tsv"), 1, "decoder.out.bias.npy");
  CHECK_FAILS_WITH(s.run("eval --checkpoint nowhere --data test.tsv"), 2, "nowhere");
}

TEST_CASE("cli: a location score refuses a source longer than its maximum, naming the line") {
  Scratch s;
  s.write("train.tsv", "a b\tx\nc d e\ty\n");
  s.write("long.tsv", "a b\tx\na b c d e f\ty\n");
  REQUIRE(s.run("train --train train.tsv --model attention --score location --save m "
                "--max-steps 1 --quiet")
              .status == 0);
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --data long.tsv"), 2, "long.tsv:2");
  CHECK_FAILS_WITH(s.run("translate --checkpoint m", "a b c d e f g\n"), 2, "stdin:1");
  CHECK_FAILS_WITH(s.run("train --train long.tsv --score location --max-source-length 3 --save m2"),
                   2, "long.tsv:2");
}

TEST_CASE("cli plot: learning curves and attention heatmaps as SVG, bad input named") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --epochs 2").status == 0);
  REQUIRE(s.run("plot --metrics m.metrics.jsonl --out curves.svg").status == 0);
  const std::string curves = read_bytes(s / "curves.svg");
  CHECK(contains(curves, "<svg"));
  CHECK(contains(curves, "validation loss"));
  CHECK(contains(curves, "</svg>"));

  REQUIRE(s.run("translate --checkpoint m --attention att.json", "abc\n\nde\n").status == 0);
  REQUIRE(s.run("plot --attention att.json --out att.svg").status == 0);
  const std::string att = read_bytes(s / "att.svg");
  const auto att_json = nlohmann::json::parse(read_bytes(s / "att.json"));
  std::size_t cells = 0;  // one shaded cell per weight
  for (const auto& sentence : att_json)
    for (const auto& row : sentence["attention"]) cells += row.size();
  std::size_t rects = 0;
  for (std::size_t at = att.find("fill-opacity"); at != std::string::npos;
       at = att.find("fill-opacity", at + 1))
    ++rects;
  CHECK(cells > 0);
  CHECK(rects == cells);

  CHECK_FAILS_WITH(s.run("plot --out x.svg"), 2, "--metrics");
  s.write("bad.jsonl", "{\"step\": 1, \"loss\": 2}\nnot json\n");
  CHECK_FAILS_WITH(s.run("plot --metrics bad.jsonl --out x.svg"), 1, "bad.jsonl:2");
  CHECK_FAILS_WITH(s.run("plot --attention m.metrics.jsonl --out x.svg"), 1, "m.metrics.jsonl");
  CHECK(!fs::exists(s / "x.svg"));
}

TEST_CASE("cli bleu: sacreBLEU's README example from files and standard input, as text or JSON") {
  Scratch s;
  s.write("ref1.txt", "The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n");
  s.write("ref2.txt",
          "The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.\n");
  const std::string hyp =
      "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n";
  s.write("hyp.txt", hyp);
  const std::string expected =
      "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)\n"
      "signature: nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:attnlab-";
  const Result r = s.run("bleu --ref ref1.txt --ref ref2.txt --hyp hyp.txt");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.rfind(expected, 0) == 0);
  CHECK(s.run("bleu --ref ref1.txt --ref ref2.txt", hyp).out == r.out);
  const Result j = s.run("bleu --ref ref1.txt --ref ref2.txt --hyp hyp.txt --json");
  REQUIRE(j.status == 0);
  const auto js = nlohmann::json::parse(j.out);
  CHECK(js["score"].get<double>() == doctest::Approx(48.53).epsilon(1e-4));
  CHECK(js["precisions"].size() == 4);
  CHECK(js["bp"].get<double>() == doctest::Approx(std::exp(1.0 - 18.0 / 17)));
  CHECK(js["ratio"].get<double>() == doctest::Approx(17.0 / 18));
  CHECK(js["hyp_len"] == 17);
  CHECK(js["ref_len"] == 18);
  CHECK(contains(js["signature"].get<std::string>(), "nrefs:2|case:mixed|eff:no|tok:13a|"));
  // one reference stream, CRLF line ends (the '\r' is trailing whitespace)
  s.write("crlf.txt",
          "The dog bit the man.\r\nIt was not unexpected.\r\nThe man bit him first.\r\n");
  CHECK(s.run("bleu --ref crlf.txt --hyp hyp.txt").out ==
        s.run("bleu --ref ref1.txt --hyp hyp.txt").out);
}

TEST_CASE("cli bleu: line counts that differ, invalid UTF-8 and missing files are refused") {
  Scratch s;
  s.write("ref1.txt", "a b c\nd e f\ng h i\n");
  s.write("ref2.txt", "a b c\nd e f\n");
  s.write("hyp.txt", "a b c\nd e f\ng h i\n");
  CHECK_FAILS_WITH(s.run("bleu --ref ref1.txt --ref ref2.txt --hyp hyp.txt"), 1,
                   "hyp.txt has 3 lines but ref2.txt has 2");
  CHECK_FAILS_WITH(s.run("bleu --ref ref2.txt", "x\n"), 1,
                   "standard input has 1 line but ref2.txt has 2");
  s.write("bad.txt", "a b c\nd \xff f\ng h i\n");
  CHECK_FAILS_WITH(s.run("bleu --ref ref1.txt --hyp bad.txt"), 1, "bad.txt:2: invalid UTF-8");
  CHECK_FAILS_WITH(s.run("bleu --ref bad.txt --hyp hyp.txt"), 1, "bad.txt:2: invalid UTF-8");
  CHECK_FAILS_WITH(s.run("bleu --ref missing.txt --hyp hyp.txt"), 2, "missing.txt");
  CHECK_FAILS_WITH(s.run("bleu --ref ref1.txt --hyp missing.txt"), 2, "missing.txt");
  CHECK_FAILS_WITH(s.run("bleu --hyp hyp.txt"), 2, "--ref");
  s.write("empty.txt", "");
  CHECK_FAILS_WITH(s.run("bleu --ref empty.txt --hyp empty.txt"), 1, "no lines to score");
}

TEST_CASE("cli compare: both models on the same data, a report by source length") {
  Scratch s;
  Result r = s.run(
      "compare --n 200 --min-len 2 --max-len 9 --embed 8 --hidden 8 --attention-hidden 8 "
      "--batch-size 16 --epochs 1 --test-n 60 --bucket-width 4 --out cmp");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(contains(r.out, "| source length |"));
  CHECK(contains(r.err, "cmp/report.html"));
  const auto j = nlohmann::json::parse(read_bytes(s / "cmp/results.json"));
  REQUIRE(j["models"].size() == 2);
  CHECK(j["models"][0]["name"] == "seq2seq");
  CHECK(j["models"][1]["name"] == "attention:additive");
  CHECK(j["data"]["test_pairs"] == 60);
  CHECK(j["buckets"][0]["min_length"] == 1);
  CHECK(j["buckets"][0]["max_length"] == 4);
  std::size_t pairs = 0;
  for (const auto& b : j["buckets"]) pairs += b["sentences"].get<std::size_t>();
  CHECK(pairs == 60);
  for (const auto& m : j["models"]) {
    REQUIRE(m["runs"].size() == 1);
    const auto& run = m["runs"][0]["metrics"];
    CHECK(run["steps"] == 13);        // the same budget: ceil(200 / 16) steps each
    CHECK(run["judged_step"] == 13);  // one epoch, one validation: the last step is the best
    CHECK(m["by_length"].size() == j["buckets"].size());
    CHECK(m["summary"]["exact_accuracy"]["n"] == 1);
    CHECK(m["summary"]["exact_accuracy"]["sd"].is_null());  // one seed: no spread
  }
  CHECK(j["models"][0]["summary"]["aer"]["mean"].is_null());  // no attention to align
  CHECK(j["models"][1]["summary"]["aer"]["mean"].is_number());
  CHECK(j["models"][1]["heatmaps"].size() == 3);
  CHECK(contains(read_bytes(s / "cmp/report.md"), "| source length | pairs |"));
  CHECK(contains(read_bytes(s / "cmp/report.html"), "</html>"));
  // each model is an ordinary checkpoint
  CHECK(s.run("eval --checkpoint cmp/seq2seq/seed1 --task reverse --n 5 --max-len 9").status == 0);
  CHECK(s.run("eval --checkpoint cmp/attention-additive/seed1 --task reverse --n 5 --max-len 9")
            .status == 0);

  // tasks without letter lengths keep their own defaults
  Result dates = s.run(
      "compare --task dates --n 60 --embed 8 --hidden 8 --attention-hidden 8 "
      "--epochs 1 --test-n 20 --valid-n 20 --out dates");
  INFO(dates.err);
  CHECK(dates.status == 0);

  s.write("pairs.tsv", "a b\tb a\nc d\td c\n");
  CHECK_FAILS_WITH(s.run("compare --train pairs.tsv --out c2"), 2, "held-out");
  CHECK_FAILS_WITH(s.run("compare --model seq2seq --out c2"), 2, "--model");
  CHECK_FAILS_WITH(s.run("compare --max-steps 0 --out c2"), 2, "untrained");
}

TEST_CASE("cli compare: a run shorter than the logging interval still reports both models") {
  Scratch s;  // before: "no training or validation metrics to plot", exit 1
  Result r = s.run(
      "compare --n 200 --max-len 9 --embed 8 --hidden 8 --attention-hidden 8 --batch-size 16 "
      "--max-steps 3 --test-n 20 --out cmp");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(read_bytes(s / "cmp/results.json"));
  REQUIRE(j["models"].size() == 2);
  for (const auto& m : j["models"]) CHECK(m["runs"][0]["metrics"]["steps"] == 3);
  CHECK(contains(read_bytes(s / "cmp/report.html"), "</svg>"));
}

TEST_CASE("cli compare: --model sets any attending variant, by name, against plain seq2seq") {
  Scratch s;
  Result r = s.run(
      "compare --n 200 --max-len 9 --embed 8 --hidden 8 --batch-size 16 --max-steps 3 "
      "--test-n 20 --model luong --score general --cell gru --out cmp");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(read_bytes(s / "cmp/results.json"));
  REQUIRE(j["models"].size() == 2);
  CHECK(j["models"][1]["name"] == "luong:general@gru");
  CHECK(fs::exists(s.path / "cmp/luong-general-gru/seed1/decoder.combine.weight.npy"));
  CHECK_FAILS_WITH(s.run("compare --model seq2seq --max-steps 1 --out c2"), 2,
                   "--model seq2seq does not attend");
}

namespace {

// The elements of an HTML page nest properly (void elements and "/>" aside):
// an empty string, or what is wrong and where.
std::string html_nesting_error(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> open;
  for (std::size_t i = html.find('<'); i != std::string::npos; i = html.find('<', i + 1)) {
    const std::size_t end = html.find('>', i);
    if (end == std::string::npos) return "an unclosed '<' at " + std::to_string(i);
    const std::string tag = html.substr(i + 1, end - i - 1);
    if (tag.empty() || tag[0] == '!' || tag[0] == '?') continue;
    const bool closing = tag[0] == '/';
    std::string name = tag.substr(closing, tag.find_first_of(" \t\n/>", closing) - closing);
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> at " + std::to_string(i) + " closes <" +
               (open.empty() ? "nothing" : open.back()) + ">";
      open.pop_back();
    } else if (!kVoid.count(name) && tag.back() != '/') {
      open.push_back(name);
    }
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

}  // namespace

TEST_CASE(
    "cli compare: three models over two seeds, and a report page whose numbers are "
    "results.json's") {
  Scratch s;
  Result r = s.run(
      "compare --n 200 --min-len 2 --max-len 7 --embed 8 --hidden 8 --attention-hidden 8 "
      "--batch-size 16 --max-steps 6 --valid-every 3 --test-n 40 "
      "--test-max-len 10 --models seq2seq,attention:dot,luong:general@gru --seeds 2 --out cmp");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(read_bytes(s / "cmp/results.json"));
  REQUIRE(j["models"].size() == 3);
  CHECK(j["seeds"] == 2);
  CHECK(j["data"]["train_lengths"] == nlohmann::json({2, 7}));
  CHECK(j["data"]["test_lengths"] == nlohmann::json({2, 10}));
  // the buckets cover the test set exactly, beyond the training lengths
  std::size_t pairs = 0, next = 1;
  for (const auto& b : j["buckets"]) {
    CHECK(b["min_length"].get<std::size_t>() >= next);
    next = b["max_length"].get<std::size_t>() + 1;
    pairs += b["sentences"].get<std::size_t>();
  }
  CHECK(pairs == 40);
  CHECK(next > 8);  // some held-out inputs are longer than any in training
  std::size_t heatmaps = 0;
  for (const auto& m : j["models"]) {
    INFO(m["name"]);
    REQUIRE(m["runs"].size() == 2);
    CHECK(m["runs"][0]["seed"] != m["runs"][1]["seed"]);
    // the summary is the mean and spread of the runs' own figures
    const double a = m["runs"][0]["metrics"]["test_loss"], b = m["runs"][1]["metrics"]["test_loss"];
    CHECK(m["summary"]["test_loss"]["mean"].get<double>() == doctest::Approx((a + b) / 2));
    CHECK(m["summary"]["test_loss"]["sd"].get<double>() ==
          doctest::Approx(std::abs(a - b) / std::sqrt(2.0)));
    CHECK(m["curves"]["train"].size() == 6);  // a point a step: about 50 over a run
    CHECK(m["curves"]["valid"].size() == 2);  // steps 3, 6
    for (const auto& run : m["runs"])         // each run is an ordinary checkpoint
      CHECK(fs::exists(s.path / run["checkpoint"].get<std::string>() / "config.json"));
    heatmaps += m["heatmaps"].size();
  }
  CHECK(heatmaps == 6);  // three inputs for each of the two attending models

  const std::string html = read_bytes(s / "cmp/report.html");
  CHECK(html_nesting_error(html) == "");
  CHECK(!contains(html, "<script"));
  for (std::size_t at = html.find("http"); at != std::string::npos; at = html.find("http", at + 1))
    CHECK(html.compare(at, 26, "http://www.w3.org/2000/svg") == 0);  // no address but SVG's
  // every SVG is there and draws something: 2 chart panels and the heatmaps
  std::size_t svgs = 0;
  for (std::size_t at = html.find("<svg"); at != std::string::npos;
       at = html.find("<svg", at + 1)) {
    const std::string one = html.substr(at, html.find("</svg>", at) - at);
    CHECK((contains(one, "<polyline") || contains(one, "fill-opacity")));
    ++svgs;
  }
  CHECK(svgs == 2 + heatmaps);
  // every figure in a table is the results.json value it names
  std::size_t figures = 0;
  const std::string key = "<td data-json=\"";
  for (std::size_t at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
    const std::size_t p = at + key.size(), q = html.find('"', p);
    const std::string pointer = html.substr(p, q - p);
    const std::size_t sc = html.find("data-scale=\"", q) + 12;
    const double scale = std::stod(html.substr(sc, html.find('"', sc) - sc));
    const std::size_t t = html.find('>', sc) + 1;
    const std::string text = html.substr(t, html.find("</td>", t) - t);
    INFO(pointer << " shows '" << text << "'");
    const auto& v = j[nlohmann::json::json_pointer(pointer)];
    ++figures;
    if (v.is_number()) {
      CHECK(std::stod(text) == v.get<double>());
      continue;
    }
    if (!v["mean"].is_number()) {
      CHECK(text == "–");
      continue;
    }
    const std::size_t pm = text.find(" ± ");
    const std::string mean = text.substr(0, pm);  // its digits say how it was rounded
    const std::size_t dot = mean.find('.');
    const double half_unit =
        0.5 * std::pow(10.0, dot == std::string::npos ? 0.0 : -double(mean.size() - dot - 1));
    CHECK(std::abs(std::stod(text) - scale * v["mean"].get<double>()) <= half_unit + 1e-9);
    if (pm == std::string::npos) {  // two seeds: a spread, unless they agree exactly
      CHECK(v["sd"].get<double>() == 0);
      continue;
    }
    CHECK(std::abs(std::stod(text.substr(pm + 4)) - scale * v["sd"].get<double>()) <=
          half_unit + 1e-9);
  }
  CHECK(figures >= 3 * 13);  // at least the summary table
  for (const auto& f : j["findings"]) CHECK(contains(html, svg::escape(f.get<std::string>())));
  CHECK(contains(html, svg::escape(j["command"].get<std::string>())));
  CHECK(contains(read_bytes(s / "cmp/report.md"), "luong:general@gru"));

  CHECK_FAILS_WITH(s.run("compare --models attention:nope --out c2"), 2, "nope");
  CHECK_FAILS_WITH(s.run("compare --models seq2seq:dot --out c2"), 2, "no attention");
  CHECK_FAILS_WITH(s.run("compare --models attention@rnn --out c2"), 2, "rnn");
  CHECK_FAILS_WITH(s.run("compare --models seq2seq,seq2seq --out c2"), 2, "twice");
  CHECK_FAILS_WITH(s.run("compare --models fly --out c2"), 2, "fly");
  CHECK_FAILS_WITH(s.run("compare --models seq2seq --model luong --out c2"), 2, "--models");
  CHECK_FAILS_WITH(s.run("compare --test-min-len 9 --test-max-len 4 --out c2"), 2, "exceeds");
}

TEST_CASE("cli compare: on files, with the held-out file's third column as gold alignment") {
  Scratch s;
  std::string train, test;
  for (const std::string w : {"ab", "abc", "bca", "cab", "ba", "cba", "acb", "bac", "ca", "bc"})
    train += w + "\t" + std::string(w.rbegin(), w.rend()) + "\n";
  s.write("train.tsv", train);
  s.write("test.tsv", "abc\tcba\t2-0 1-1 0-2\nba\tab\t1-0 0-1\ncab\tbac\n");  // the last: no gold
  Result r = s.run(
      "compare --train train.tsv --valid train.tsv --test test.tsv --models seq2seq,attention "
      "--seeds 2 --src-tokenizer char --tgt-tokenizer char --embed 8 --hidden 8 "
      "--attention-hidden 8 --max-steps 2 --out cmp");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(read_bytes(s / "cmp/results.json"));
  CHECK(j["data"]["test_pairs"] == 3);
  CHECK(j["data"]["train_lengths"].is_null());
  const auto& attention = j["models"][1];
  CHECK(attention["name"] == "attention:additive");
  for (const auto& run : attention["runs"]) CHECK(run["metrics"]["aer"].is_number());
  CHECK(attention["summary"]["aer"]["n"] == 2);
  CHECK(j["models"][0]["summary"]["aer"]["mean"].is_null());
  CHECK(contains(read_bytes(s / "cmp/report.html"), "alignment error rate (attention)"));
  // without gold links anywhere: no alignment figures, no empty charts for them
  REQUIRE(s.run("compare --train train.tsv --valid train.tsv --test train.tsv --src-tokenizer "
                "char --tgt-tokenizer char --embed 8 --hidden 8 --attention-hidden 8 "
                "--max-steps 2 --out plain")
              .status == 0);
  const std::string html = read_bytes(s / "plain/report.html");
  CHECK(contains(html, "exact-sequence accuracy"));
  CHECK(!contains(html, "alignment error rate (attention)"));
  CHECK(!contains(html, "<h3>Alignment error rate</h3>"));
  // a link beyond the pair's tokens names the file and line
  s.write("bad.tsv", "abc\tcba\t2-0 1-1 0-3\n");
  CHECK_FAILS_WITH(s.run("compare --train train.tsv --valid train.tsv --test bad.tsv "
                         "--src-tokenizer char --tgt-tokenizer char --max-steps 1 --out c2"),
                   1, "bad.tsv");
}

TEST_CASE("cli compare: a killed run never leaves the last run's report beside new checkpoints") {
  Scratch s;
  fs::create_directories(s / "cmp");
  for (const char* f : {"report.md", "results.json", "report.html"})
    s.write(std::string("cmp/") + f, "the last run's report");
  // killed while training: its own report is never written
  const std::string cmd =
      "cd '" + s.path.string() +
      "' && ('" ATTNLAB_CLI
      "' compare --n 2000 --max-steps 100000 --out cmp >/dev/null 2>&1 & "
      "pid=$!; i=0; while [ ! -e cmp/seq2seq/seed1.metrics.jsonl ] && [ $i -lt 600 ]; "
      "do sleep 0.1; i=$((i+1)); done; kill -9 $pid; wait $pid)";
  std::system(cmd.c_str());
  CHECK(fs::exists(s / "cmp/seq2seq/seed1.metrics.jsonl"));  // it did start training
  for (const char* f : {"report.md", "results.json", "report.html"}) {
    INFO(f);
    CHECK(!fs::exists(fs::path(s / "cmp") / f));
  }
  // killed again, at other moments: what is saved loads whole, and the next
  // run leaves no temporary directory behind
  for (const char* delay : {"0.3", "0.8", "1.5"}) {
    INFO("killed after " << delay << " s");
    run_and_then(s, "compare --n 2000 --max-steps 100000 --valid-every 1 --out cmp",
                 "cmp/seq2seq/seed1.lock", std::string("sleep ") + delay + "; kill -9 $pid");
    for (const char* model : {"seq2seq/seed1", "attention-additive/seed1"})
      if (fs::exists(fs::path(s / "cmp") / model / "config.json"))
        CHECK(load_model<float>((fs::path(s / "cmp") / model).string()).model);
  }
  REQUIRE(s.run("compare --n 200 --max-len 9 --embed 8 --hidden 8 --attention-hidden 8 "
                "--max-steps 2 --test-n 10 --out cmp")
              .status == 0);
  for (const auto& f : fs::recursive_directory_iterator(s / "cmp")) {
    INFO(f.path());
    CHECK(f.path().filename().string().find(".tmp-") == std::string::npos);
  }
}

TEST_CASE(
    "cli eval: perplexity, BLEU's signature, and AER with gold from a task or a third column") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--save m --max-steps 3").status == 0);  // attention
  Result e = s.run("eval --checkpoint m --task reverse --n 20 --max-len 6 --by-length");
  INFO(e.err);
  REQUIRE(e.status == 0);
  CHECK(contains(e.out, "perplexity   "));
  CHECK(contains(e.out, "(nrefs:1|case:mixed|eff:no|tok:char|smooth:none|version:attnlab-"));
  CHECK(contains(e.out, "AER          "));
  CHECK(contains(e.out, "20 pairs with gold links"));
  CHECK(contains(e.out, "gold mass    "));
  CHECK(contains(e.out, "BLEU  BLEU 13a       AER   gold mass"));
  CHECK(contains(e.out, "BLEU (13a)   "));
  CHECK(contains(e.out, "(nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:attnlab-"));

  Result j = s.run("eval --checkpoint m --task reverse --n 20 --max-len 6 --json --by-length");
  REQUIRE(j.status == 0);
  const auto js = nlohmann::json::parse(j.out);
  CHECK(js["perplexity"].get<double>() ==
        doctest::Approx(std::exp(js["loss"].get<double>())).epsilon(1e-9));
  CHECK(js["bleu_signature"].get<std::string>().find("tok:char|") != std::string::npos);
  CHECK(js["sacrebleu"].is_number());
  CHECK(js["sacrebleu_signature"].get<std::string>().find("tok:13a|smooth:exp|") !=
        std::string::npos);
  CHECK(js["aer"].is_number());
  CHECK(js["aer"].get<double>() >= 0.0);
  CHECK(js["aer"].get<double>() <= 1.0);
  CHECK(js["gold_attention_mass"].is_number());
  CHECK(js["aligned"] == 20);
  std::size_t aligned = 0;
  for (const auto& b : js["by_length"]) {
    for (const char* k : {"aer", "gold_attention_mass", "aligned"}) CHECK(b.contains(k));
    aligned += b["aligned"].get<std::size_t>();
  }
  CHECK(aligned == 20);

  // another task's gold
  Result a = s.run("eval --checkpoint m --task copy --n 5 --max-len 6 --json");
  REQUIRE(a.status == 0);
  CHECK(nlohmann::json::parse(a.out)["aligned"] == 5);

  // a file: the third column, where present, is the gold; lines without it are not judged
  s.write("gold.tsv", "abc\tcba\t0-2 1-1 2-0\nab\tba\t1-0 0?1 0-1\nabcd\tdcba\n");
  Result f = s.run("eval --checkpoint m --data gold.tsv --json");
  INFO(f.err);
  REQUIRE(f.status == 0);
  const auto jf = nlohmann::json::parse(f.out);
  CHECK(jf["aligned"] == 2);
  CHECK(jf["aer"].is_number());
  Result ft = s.run("eval --checkpoint m --data gold.tsv");
  CHECK(contains(ft.out, "2 pairs with gold links"));
  // without any gold: no AER line, and null in JSON
  s.write("plain.tsv", "abc\tcba\nab\tba\n");
  Result p = s.run("eval --checkpoint m --data plain.tsv");
  REQUIRE(p.status == 0);
  CHECK(contains(p.out, "perplexity"));
  CHECK_FALSE(contains(p.out, "AER"));
  const auto jp = nlohmann::json::parse(s.run("eval --checkpoint m --data plain.tsv --json").out);
  CHECK(jp["aer"].is_null());
  CHECK(jp["gold_attention_mass"].is_null());
  CHECK(jp["aligned"] == 0);

  // a task's gold counts characters: a model tokenizing words is not judged by it
  REQUIRE(s.run("train " + kTiny + "--save w --max-steps 0 --src-tokenizer space").status == 0);
  Result w = s.run("eval --checkpoint w --task reverse --n 5 --max-len 6 --json");
  INFO(w.err);
  REQUIRE(w.status == 0);
  CHECK(nlohmann::json::parse(w.out)["aligned"] == 0);

  // bad gold: named by file and line
  s.write("bad.tsv", "abc\tcba\t0-2\nab\tba\t0-x\n");
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --data bad.tsv"), 1,
                   "bad.tsv:2: the third column must be alignment links");
  s.write("far.tsv", "abc\tcba\t0-2\nab\tba\t0-5\n");
  CHECK_FAILS_WITH(s.run("eval --checkpoint m --data far.tsv"), 1,
                   "far.tsv: pair 2 (line 2): alignment link 0-5 is beyond");
}

TEST_CASE("cli eval: plain seq2seq gets perplexity and the signature but no AER") {
  Scratch s;
  REQUIRE(s.run("train " + kTiny + "--model seq2seq --save m --max-steps 1").status == 0);
  Result e = s.run("eval --checkpoint m --task reverse --n 10 --max-len 6 --by-length");
  REQUIRE(e.status == 0);
  CHECK(contains(e.out, "perplexity"));
  CHECK(contains(e.out, "tok:char"));
  CHECK_FALSE(contains(e.out, "AER"));
  const auto j = nlohmann::json::parse(
      s.run("eval --checkpoint m --task reverse --n 10 --max-len 6 --json").out);
  CHECK(j["aer"].is_null());
  CHECK(j["aligned"] == 0);
}

TEST_CASE("cli train on a file: sentencepiece by default, kept in the checkpoint, exact output") {
  Scratch s;
  std::string pairs;
  const std::vector<std::pair<std::string, std::string>> words = {
      {"cat", "chat"}, {"dog", "chien"}, {"bird", "oiseau"}, {"mouse", "souris"}};
  for (const auto& [a, b] : words)
    for (const auto& [c, d] : words)
      for (int k = 0; k < 4; ++k)
        pairs += "The " + a + " sees the " + c + "!\tLe " + b + " voit le " + d + " !\n";
  s.write("pairs.tsv", pairs);
  Result r = s.run("train --train pairs.tsv --save m --max-steps 20 --quiet");
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto config = nlohmann::json::parse(read_bytes(s / "m/config.json"));
  CHECK(config["src_tokenizer"] == "sentencepiece");
  CHECK(config["tgt_tokenizer"] == "sentencepiece");
  CHECK(config["embed"] == 64);  // a small file: 64, see the README's rule
  CHECK(fs::exists(s / "m/src_sentencepiece.model"));
  CHECK(fs::exists(s / "m/tgt_sentencepiece.model"));
  // text never seen, characters never seen: translated, no <unk> and no " ⁇ "
  Result t = s.run("translate --checkpoint m", "The cat sees the dog!\nZoë 漢字 🙂\n");
  INFO(t.err);
  REQUIRE(t.status == 0);
  CHECK(std::count(t.out.begin(), t.out.end(), '\n') == 2);
  CHECK_FALSE(contains(t.out, "<unk>"));
  CHECK_FALSE(contains(t.out, "\xE2\x81\x87"));
  Result tokens = s.run("translate --checkpoint m --tokens", "The cat sees the dog!\n");
  REQUIRE(tokens.status == 0);
  CHECK(contains(tokens.out, "\xE2\x96\x81"));  // pieces carry SentencePiece's "▁"
  // the checkpoint's tokenizer is used again by eval, --init and --resume
  CHECK(s.run("eval --checkpoint m --data pairs.tsv").status == 0);
  CHECK(s.run("train --train pairs.tsv --init m --save m2 --max-steps 2 --quiet").status == 0);
  CHECK(read_bytes(s / "m2/src_sentencepiece.model") ==
        read_bytes(s / "m/src_sentencepiece.model"));
  // a damaged or missing model is refused, naming the file
  s.write("m2/tgt_sentencepiece.model", "damaged");
  CHECK_FAILS_WITH(s.run("translate --checkpoint m2", "The cat\n"), 1, "tgt_sentencepiece.model");
  fs::remove(s / "m2/tgt_sentencepiece.model");
  CHECK_FAILS_WITH(s.run("translate --checkpoint m2", "The cat\n"), 1, "tgt_sentencepiece.model");
  // --vocab-size: refused without sentencepiece, and too small for the bytes
  CHECK_FAILS_WITH(s.run("train --train pairs.tsv --save m3 --src-tokenizer word "
                         "--tgt-tokenizer word --vocab-size 500 --max-steps 0"),
                   2, "--vocab-size");
  CHECK_FAILS_WITH(s.run("train --train pairs.tsv --save m3 --vocab-size 40 --max-steps 0"), 2,
                   "--vocab-size");
}

TEST_CASE("cli translate: word tokens rejoined as the training targets write them") {
  Scratch s;
  s.write("pairs.tsv", repeated("Be nice!\tFais-toi plaisir !\nIt's nice.\tC'est gentil !\n", 30));
  REQUIRE(s.run("train --train pairs.tsv --src-tokenizer word --tgt-tokenizer word --embed 16 "
                "--hidden 16 --batch-size 8 --save m --max-steps 200 --quiet")
              .status == 0);
  Result t = s.run("translate --checkpoint m", "Be nice!\nIt's nice.\n");
  INFO(t.err);
  CHECK(t.out == "fais-toi plaisir !\nc'est gentil !\n");
  Result tokens = s.run("translate --checkpoint m --tokens", "It's nice.\n");
  CHECK(tokens.out == "c' est gentil !\n");
}

TEST_CASE("cli eval and compare: sacreBLEU's 13a BLEU of the detokenized output, by length too") {
  Scratch s;
  s.write("pairs.tsv",
          repeated("Hello, my friend.\tBonjour, mon ami.\nGood night!\tBonne nuit !\n", 20));
  REQUIRE(s.run("train --train pairs.tsv --save m --batch-size 8 --max-steps 150 --quiet").status ==
          0);
  Result j = s.run("eval --checkpoint m --data pairs.tsv --json --by-length");
  INFO(j.err);
  REQUIRE(j.status == 0);
  const auto js = nlohmann::json::parse(j.out);
  // the model has learnt the two sentences: its text is the references', word for word
  CHECK(js["exact_accuracy"].get<double>() == 1.0);
  CHECK(js["sacrebleu"].get<double>() == doctest::Approx(100.0));
  // "Bonne nuit !" alone has no 4-gram: 0, as sacreBLEU gives it; the other bucket 100
  double best = 0;
  for (const auto& b : js["by_length"]) best = std::max(best, b["sacrebleu"].get<double>());
  CHECK(best == doctest::Approx(100.0));
  // the same figure as `attnlab bleu` on translate's output
  s.write("src.txt", "Hello, my friend.\nGood night!\n");
  s.write("ref.txt", "Bonjour, mon ami.\nBonne nuit !\n");
  Result t = s.run("translate --checkpoint m", read_bytes(s / "src.txt"));
  CHECK(t.out == read_bytes(s / "ref.txt"));
  s.write("out.txt", t.out);
  Result bleu = s.run("bleu --ref ref.txt --hyp out.txt --json");
  REQUIRE(bleu.status == 0);
  CHECK(nlohmann::json::parse(bleu.out)["score"].get<double>() ==
        doctest::Approx(js["sacrebleu"].get<double>()));
  Result c = s.run(
      "compare --train pairs.tsv --test pairs.tsv --batch-size 8 --max-steps 20 "
      "--heatmaps 1 --out cmp");
  INFO(c.err);
  REQUIRE(c.status == 0);
  const auto r = nlohmann::json::parse(read_bytes(s / "cmp/results.json"));
  CHECK(r["sacrebleu_signature"].get<std::string>().find("tok:13a") != std::string::npos);
  for (const auto& m : r["models"]) CHECK(m["summary"]["sacrebleu"]["mean"].is_number());
  CHECK(contains(read_bytes(s / "cmp/report.html"), "BLEU (13a)"));
}

TEST_CASE("cli: every command's help is word for word what it was before the run layer") {
  // tests/cli/golden holds the help of the program before its options came
  // from the schema (run/options.cpp); --threads' default is this machine's.
  const Scratch s;
  for (const std::string command :
       {"", "train", "eval", "translate", "data", "plot", "compare", "bleu"}) {
    INFO("attnlab " << command << " --help");
    const Result r = s.run(command + " --help");
    CHECK(r.status == 0);
    std::string want = read_bytes(std::string(ATTNLAB_GOLDEN_DIR "/help_") +
                                  (command.empty() ? "main" : command) + ".txt");
    const std::string threads = "--threads UINT:INT in [1 - 256]=";
    if (const auto at = want.find(threads); at != std::string::npos) {
      const auto end = want.find_first_not_of("0123456789", at + threads.size());
      want.replace(at + threads.size(), end - at - threads.size(),
                   std::to_string(default_threads()));
    }
    CHECK(r.out + r.err == want);
  }
}
