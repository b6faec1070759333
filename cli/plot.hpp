// What the pictures of `attnlab plot` and `attnlab compare` share.
#pragma once

#include <string>

#include "report/svg.hpp"

namespace attnlab::cli {

// A training metrics log (CHECKPOINT.metrics.jsonl) as series over steps,
// accuracies in percent. Throws naming the file (and line) when it cannot be
// read or holds nothing to plot.
struct Metrics {
  svg::Series train_loss, valid_loss, token_accuracy, exact_accuracy;
};
Metrics read_metrics(const std::string& path);

}  // namespace attnlab::cli
