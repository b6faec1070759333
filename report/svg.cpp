// Standalone SVG, written by hand.
#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace attnlab::svg {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string num(double x) {
  std::ostringstream os;
  os << std::setprecision(4) << x;
  return os.str();
}

std::string text(double x, double y, const std::string& s, const std::string& attrs) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + attrs + ">" + escape(s) + "</text>\n";
}

std::string document(double w, double h, const std::string& body) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w) + "\" height=\"" + num(h) +
         "\" viewBox=\"0 0 " + num(w) + " " + num(h) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"white\"/>\n" +
         body + "</svg>\n";
}

std::string line_chart(const Chart& c, const std::vector<Series>& series) {
  const double x0 = c.x, y0 = c.y, w = c.width, h = c.height, ymin = c.ymin, ymax = c.ymax;
  const bool log_y = c.log_y;
  double xmin = c.xmin, xmax = xmin + 1;
  for (const Series& s : series)
    for (const auto& p : s.points) xmax = std::max(xmax, p.first);
  if (std::isfinite(c.mark_x)) xmax = std::max(xmax, c.mark_x);
  auto fy = [&](double v) { return log_y ? std::log10(std::max(v, 1e-12)) : v; };
  const double lo = fy(ymin), hi = fy(ymax) > fy(ymin) ? fy(ymax) : fy(ymin) + 1;
  auto px = [&](double x) { return x0 + w * (x - xmin) / (xmax - xmin); };
  auto py = [&](double v) { return y0 + h - h * (fy(v) - lo) / (hi - lo); };
  std::string out = "<rect x=\"" + num(x0) + "\" y=\"" + num(y0) + "\" width=\"" + num(w) +
                    "\" height=\"" + num(h) + "\" fill=\"none\" stroke=\"#888\"/>\n";
  out += text(x0 + w / 2, y0 - 8, c.title, "text-anchor=\"middle\" font-weight=\"bold\"");
  // y ticks: powers of ten on a log axis, five steps on a linear one
  std::vector<double> ticks;
  if (log_y)
    for (double e = std::ceil(lo); e <= hi + 1e-9; ++e) ticks.push_back(std::pow(10.0, e));
  else
    for (int k = 0; k <= 4; ++k) ticks.push_back(ymin + (ymax - ymin) * k / 4);
  for (double t : ticks) {
    out += "<line x1=\"" + num(x0) + "\" x2=\"" + num(x0 + w) + "\" y1=\"" + num(py(t)) +
           "\" y2=\"" + num(py(t)) + "\" stroke=\"#eee\"/>\n";
    out += text(x0 - 4, py(t) + 4, num(t), "text-anchor=\"end\"");
  }
  for (int k = 0; k <= 4; ++k) {
    const double x = std::round(xmin + (xmax - xmin) * k / 4);
    out += text(px(x), y0 + h + 16, num(x), "text-anchor=\"middle\"");
  }
  out += text(x0 + w / 2, y0 + h + 32, c.x_label, "text-anchor=\"middle\"");
  if (std::isfinite(c.mark_x) && c.mark_x >= xmin) {
    out += "<line x1=\"" + num(px(c.mark_x)) + "\" x2=\"" + num(px(c.mark_x)) + "\" y1=\"" +
           num(y0) + "\" y2=\"" + num(y0 + h) + "\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>\n";
    out += text(px(c.mark_x) + 4, y0 + 14, c.mark_label, "font-size=\"11\" fill=\"#555\"");
  }
  // the bands first, under every line, kept inside the frame
  auto band_y = [&](double v) { return std::clamp(py(v), y0, y0 + h); };
  for (const Series& s : series) {
    if (s.spread.size() != s.points.size() || s.points.empty()) continue;
    std::string upper, lower;
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const double d = std::isfinite(s.spread[i]) ? s.spread[i] : 0.0;
      upper += num(px(s.points[i].first)) + "," + num(band_y(s.points[i].second + d)) + " ";
      const std::size_t j = s.points.size() - 1 - i;
      const double e = std::isfinite(s.spread[j]) ? s.spread[j] : 0.0;
      lower += num(px(s.points[j].first)) + "," + num(band_y(s.points[j].second - e)) + " ";
    }
    out += "<polygon fill=\"" + s.colour + "\" fill-opacity=\"0.18\" stroke=\"none\" points=\"" +
           upper + lower + "\"/>\n";
  }
  double legend_x = x0;  // one row under the axis label, clear of every line
  for (const Series& s : series) {
    if (s.points.empty()) continue;
    std::string pts;
    for (const auto& p : s.points) pts += num(px(p.first)) + "," + num(py(p.second)) + " ";
    out += "<polyline fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"2\" points=\"" +
           pts + "\"/>\n";
    if (s.points.size() == 1)
      out += "<circle cx=\"" + num(px(s.points[0].first)) + "\" cy=\"" +
             num(py(s.points[0].second)) + "\" r=\"3\" fill=\"" + s.colour + "\"/>\n";
    if (!c.legend) continue;
    out += "<rect x=\"" + num(legend_x) + "\" y=\"" + num(y0 + h + 44) +
           "\" width=\"14\" height=\"4\" fill=\"" + s.colour + "\"/>\n";
    out += text(legend_x + 20, y0 + h + 50, s.name);
    legend_x += 40 + 7.0 * s.name.size();
  }
  return out;
}

std::string colour(std::size_t k) {
  static const char* const palette[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e",
                                        "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                        "#bcbd22", "#17becf", "#393b79", "#637939"};
  return palette[k % 12];
}

void fit_log_y(Chart& chart, const std::vector<const Series*>& series) {
  double lo = INFINITY, hi = 0;
  for (const Series* s : series)
    for (const auto& p : s->points)
      if (p.second > 0) lo = std::min(lo, p.second), hi = std::max(hi, p.second);
  if (!(lo < INFINITY)) lo = hi = 1;
  chart.log_y = true;
  chart.ymin = std::pow(10.0, std::floor(std::log10(lo)));
  chart.ymax = std::pow(10.0, std::ceil(std::log10(hi)));
  if (chart.ymax <= chart.ymin) chart.ymax = 10 * chart.ymin;
}

namespace {
constexpr double cell = 22, label = 90, header = 70;  // heatmap cell, row labels, title + columns
}

std::pair<double, double> heatmap_size(const Heatmap& h) {
  return {std::max(300.0, label + h.source.size() * cell + 20), header + h.weights.size() * cell};
}

std::string heatmap(const Heatmap& h, double x, double y) {
  for (const auto& row : h.weights)
    if (row.size() != h.source.size())
      throw std::invalid_argument("heatmap '" + h.title + "': a row of " +
                                  std::to_string(row.size()) + " weights for " +
                                  std::to_string(h.source.size()) + " source tokens");
  std::string out = text(x + 10, y + 12, h.title, "font-weight=\"bold\" xml:space=\"preserve\"");
  const double top = y + header, left = x + label;
  for (std::size_t j = 0; j < h.source.size(); ++j) {
    const double cx = left + j * cell + cell / 2 + 4;
    out += text(cx, top - 6, h.source[j] == " " ? "␣" : h.source[j],
                "transform=\"rotate(-60 " + num(cx) + " " + num(top - 6) + ")\"");
  }
  for (std::size_t i = 0; i < h.weights.size(); ++i) {
    out += text(left - 6, top + i * cell + 15, i < h.output.size() ? h.output[i] : "<eos>",
                "text-anchor=\"end\"");
    for (std::size_t j = 0; j < h.source.size(); ++j)
      out += "<rect x=\"" + num(left + j * cell) + "\" y=\"" + num(top + i * cell) + "\" width=\"" +
             num(cell) + "\" height=\"" + num(cell) + "\" fill=\"#08306b\" fill-opacity=\"" +
             num(std::clamp(h.weights[i][j], 0.0, 1.0)) + "\" stroke=\"#ddd\"><title>" +
             num(h.weights[i][j]) + "</title></rect>\n";
  }
  auto ring = [&](const Link& l, const char* dash) {
    if (l.tgt >= h.weights.size() || l.src >= h.source.size()) return std::string();
    return "<circle cx=\"" + num(left + l.src * cell + cell / 2) + "\" cy=\"" +
           num(top + l.tgt * cell + cell / 2) +
           "\" r=\"6\" fill=\"none\" stroke=\"#fd8d3c\" stroke-width=\"2\"" + dash + "/>\n";
  };
  for (const Link& l : h.gold.possible)
    out += ring(l, std::binary_search(h.gold.sure.begin(), h.gold.sure.end(), l)
                       ? ""
                       : " stroke-dasharray=\"2 2\"");
  return out;
}

}  // namespace attnlab::svg
