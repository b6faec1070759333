// The pages of `attnlab compare`, made from its results.json alone: every
// number a page shows is one of that file's, so the two cannot disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace attnlab::cli {

// The summary table and the by-length table as Markdown (also what the
// terminal shows), after the findings.
std::string compare_markdown(const nlohmann::json& results);

// One self-contained HTML page: inline CSS and SVG, no script, no network.
// Each figure in a table carries data-json, the JSON pointer of the value it
// shows, and data-scale, the factor it was shown with (100 for percentages).
std::string compare_html(const nlohmann::json& results);

}  // namespace attnlab::cli
