// Standalone SVG pictures, written by hand: line charts and the pieces of
// markup the plots share. No plotting library, nothing to install.
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "data/alignment.hpp"

namespace attnlab::svg {

// Text made safe for XML.
std::string escape(const std::string& s);
// A number, 4 significant digits.
std::string num(double x);
// A <text> element at (x, y), with extra attributes as given.
std::string text(double x, double y, const std::string& s, const std::string& attrs = "");
// A whole SVG document of the given size, white background.
std::string document(double width, double height, const std::string& body);

struct Series {
  std::string name, colour;
  std::vector<std::pair<double, double>> points;  // (x, y)
  // Optional, one per point: a band from y - spread to y + spread (say, a
  // standard deviation over seeds); NaN or 0 where there is none.
  std::vector<double> spread = {};
};

// Where a chart goes and what its axes show. x runs from xmin to the largest
// x of any point; y from ymin to ymax, on a log10 scale when log_y.
struct Chart {
  double x = 0, y = 0, width = 400, height = 260;
  std::string title, x_label;
  double xmin = 0, ymin = 0, ymax = 1;
  bool log_y = false;
  bool legend = true;  // false: the caller draws one legend for several charts
  // A dashed vertical line at x = mark_x, labelled, when mark_x is finite
  // (say, where the training lengths end).
  double mark_x = std::numeric_limits<double>::quiet_NaN();
  std::string mark_label = {};
};

// Distinct line colours for series k = 0, 1, ... (they repeat after 12).
std::string colour(std::size_t k);

// Makes chart a log-scale one whose y range, whole decades, holds every
// positive value of the series (1 to 10 when there is none).
void fit_log_y(Chart& chart, const std::vector<const Series*>& series);

// Line plots of the series in one framed chart, with ticks, and a legend in
// a row 50 units under the chart.
std::string line_chart(const Chart& chart, const std::vector<Series>& series);

// An attention heatmap: source tokens across (written upwards), output
// tokens down, one cell per weight (darker = more; the weight on hover), and
// the gold alignment's links ringed: solid when sure, dashed when possible.
struct Heatmap {
  std::string title;
  std::vector<std::string> source, output;
  std::vector<std::vector<double>> weights;  // [output row][source position]
  Alignment gold;                            // no links: nothing ringed
};
// Its markup with the top-left corner at (x, y), and its width and height.
// Rows beyond the output tokens (the <eos> step) are labelled "<eos>".
// Throws std::invalid_argument when a row's length is not the source's.
std::string heatmap(const Heatmap& h, double x, double y);
std::pair<double, double> heatmap_size(const Heatmap& h);

}  // namespace attnlab::svg
