// attnlab plot: pictures as standalone SVG files, written without any
// plotting library: learning curves from a training metrics log, and
// attention heatmaps from `attnlab translate --attention`.
#include "cli/plot.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/common.hpp"
#include "io/text_io.hpp"

namespace attnlab::cli {

Metrics read_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  Metrics m{{"training loss", "#1f77b4", {}},
            {"validation loss", "#d62728", {}},
            {"token accuracy", "#2ca02c", {}},
            {"exact accuracy", "#9467bd", {}}};
  std::string line;
  std::size_t line_no = 0;
  while (getline_bounded(in, line, path, line_no + 1)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const nlohmann::json j = nlohmann::json::parse(line);
      const double step = j.at("step").get<double>();
      if (j.contains("loss")) m.train_loss.points.emplace_back(step, j["loss"].get<double>());
      if (j.contains("valid_loss")) {
        m.valid_loss.points.emplace_back(step, j["valid_loss"].get<double>());
        m.token_accuracy.points.emplace_back(step,
                                             100 * j.at("valid_token_accuracy").get<double>());
        m.exact_accuracy.points.emplace_back(step,
                                             100 * j.at("valid_exact_accuracy").get<double>());
      }
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(line_no) + ": not a metrics line (" +
                               e.what() + ")");
    }
  }
  if (m.train_loss.points.empty() && m.valid_loss.points.empty())
    throw std::runtime_error(path + ": no training or validation metrics to plot");
  return m;
}

namespace {

using nlohmann::json;
using svg::Chart;
using svg::num;
using svg::Series;
using svg::text;

json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": not valid JSON (" + e.what() + ")");
  }
}

// ---- learning curves ----

std::string curves_svg(const std::string& path) {
  const Metrics m = read_metrics(path);
  Chart loss;
  loss.x = 70;
  loss.y = 40;
  loss.title = "loss (log scale)";
  loss.x_label = "step";
  svg::fit_log_y(loss, {&m.train_loss, &m.valid_loss});
  Chart accuracy = loss;
  accuracy.x = 560;
  accuracy.title = "validation accuracy (%)";
  accuracy.log_y = false;
  accuracy.ymin = 0;
  accuracy.ymax = 100;
  std::string body = svg::line_chart(loss, {m.train_loss, m.valid_loss}) +
                     svg::line_chart(accuracy, {m.token_accuracy, m.exact_accuracy});
  body += text(20, 385, path, "fill=\"#666\"");
  return svg::document(1000, 395, body);
}

// ---- attention heatmaps ----

std::string attention_svg(const std::string& path) {
  const json all = read_json_file(path);
  if (!all.is_array()) throw std::runtime_error(path + ": expected a JSON array of sentences");
  std::string body;
  double y = 20, width = 300;
  for (std::size_t k = 0; k < all.size(); ++k) {
    svg::Heatmap h;
    try {
      h.source = all[k].at("source").get<std::vector<std::string>>();
      h.output = all[k].at("output").get<std::vector<std::string>>();
      h.weights = all[k].at("attention").get<std::vector<std::vector<double>>>();
    } catch (const json::exception& e) {
      throw std::runtime_error(path + ": sentence " + std::to_string(k + 1) +
                               ": expected source, output and attention (" + e.what() + ")");
    }
    if (h.weights.empty()) continue;  // an empty line has nothing to show
    h.title = all[k].value("source_text", std::string()) + "  →  " +
              all[k].value("output_text", std::string());
    try {
      body += svg::heatmap(h, 0, y);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(path + ": sentence " + std::to_string(k + 1) + ": " + e.what());
    }
    const auto [w, ht] = svg::heatmap_size(h);
    width = std::max(width, w);
    y += ht + 30;
  }
  if (body.empty()) throw std::runtime_error(path + ": no attention to draw");
  return svg::document(width, y, body);
}

struct PlotArgs {
  std::string metrics, attention, out;
};

int run_plot(const PlotArgs& a) {
  if (a.metrics.empty() == a.attention.empty())
    throw UsageError("give exactly one of --metrics FILE.jsonl and --attention FILE.json");
  write_file_atomically(a.out,
                        a.metrics.empty() ? attention_svg(a.attention) : curves_svg(a.metrics));
  return 0;
}

}  // namespace

void add_subcommand_plot(CLI::App& app) {
  auto a = std::make_shared<PlotArgs>();
  CLI::App* p = app.add_subcommand("plot", "Draw learning curves or attention heatmaps as SVG");
  p->add_option("--metrics", a->metrics, "A training metrics log (CHECKPOINT.metrics.jsonl)")
      ->check(CLI::ExistingFile);
  p->add_option("--attention", a->attention, "Attention written by 'attnlab translate --attention'")
      ->check(CLI::ExistingFile);
  p->add_option("--out", a->out, "The SVG file to write")->required();
  on_run(p, [a] { return run_plot(*a); });
}

}  // namespace attnlab::cli
