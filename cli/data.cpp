// attnlab data: writes a built-in task's pairs as a source<TAB>target file.
#include <cstdio>
#include <iostream>

#include "cli/common.hpp"
#include "data/tasks.hpp"

namespace attnlab::cli {

namespace {

struct DataArgs {
  std::string task, out = "-";
  std::size_t n = 1000, min_len = 0, max_len = 0;
  std::uint64_t seed = 1;
  bool list = false;
};

int run_data(const DataArgs& a) {
  if (a.list || a.task.empty()) {
    for (const TaskInfo& t : task_list())
      std::printf("%-10s %s\n", t.name.c_str(), t.description.c_str());
    if (!a.list) throw UsageError("name a task (listed above)");
    return 0;
  }
  write_tsv(a.out, make_task(a.task, a.n, a.seed, {a.min_len, a.max_len}));
  return 0;
}

}  // namespace

void add_subcommand_data(CLI::App& app) {
  auto a = std::make_shared<DataArgs>();
  CLI::App* d =
      app.add_subcommand("data", "Write a built-in task's pairs as source<TAB>target lines");
  d->add_option("task", a->task, join(task_names()));
  d->add_option("--n", a->n, "Number of pairs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000000));
  d->add_option("--seed", a->seed, "Seed: the same seed gives the same pairs")
      ->capture_default_str();
  d->add_option("--min-len", a->min_len, "Shortest sequence (0: the task's default)");
  d->add_option("--max-len", a->max_len, "Longest sequence (0: the task's default)");
  d->add_option("--out", a->out, "Output file ('-': standard output)")->capture_default_str();
  d->add_flag("--list", a->list, "List the tasks");
  on_run(d, [a] { return run_data(*a); });
}

}  // namespace attnlab::cli
