// The pages of `attnlab compare`, made from its results.json alone: every
// number a page shows is one of that file's, so the two cannot disagree.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace attnlab {

// The summary table and the by-length table as Markdown (also what the
// terminal shows), after the findings.
std::string compare_markdown(const nlohmann::json& results);

// A figure over seeds, {"mean", "sd"}, shown times `scale` with `digits`
// decimals: "97.3 ± 0.4"; "97.3" where every seed gave the same (sd 0) or
// there was one; "–" when there is none.
std::string mean_sd(const nlohmann::json& spread, double scale, int digits);

// A length bucket {"min_length", "max_length"}: "11-15", or "3" when one wide.
std::string length_range(const nlohmann::json& bucket);

// One self-contained HTML page: inline CSS and SVG, no script, no network.
// Each figure in a table carries data-json, the JSON pointer of the value it
// shows, and data-scale, the factor it was shown with (100 for percentages).
std::string compare_html(const nlohmann::json& results);

}  // namespace attnlab
