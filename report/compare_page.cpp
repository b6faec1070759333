// report.md and report.html of `attnlab compare`, from results.json.
#include "report/compare_page.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "report/svg.hpp"

namespace attnlab {

namespace {

using nlohmann::json;

// A column of the summary: results.json's key, its heading, the factor and
// digits it is shown with.
struct Column {
  const char* key;
  const char* heading;
  double scale;
  int digits;
};
const Column kSummary[] = {{"parameters", "parameters", 1, 0},
                           {"seconds", "training time (s)", 1, 0},
                           {"tokens_per_s", "tokens/s", 1, 0},
                           {"steps", "steps", 1, 0},
                           {"judged_step", "judged at step", 1, 0},
                           {"valid_loss", "validation loss", 1, 4},
                           {"test_loss", "test loss", 1, 4},
                           {"perplexity", "test perplexity", 1, 3},
                           {"token_accuracy", "token acc. (%)", 100, 1},
                           {"exact_accuracy", "exact acc. (%)", 100, 1},
                           {"bleu", "BLEU", 1, 1},
                           {"sacrebleu", "BLEU (13a)", 1, 1},
                           {"aer", "AER", 1, 3},
                           {"gold_mass", "gold mass", 1, 3}};

// sacreBLEU's figure only for text (not a task's characters, where a
// one-word output has no 4-gram).
bool shows_sacrebleu(const json& r) { return r.contains("sacrebleu_signature"); }
std::vector<Column> summary_columns(const json& r) {
  std::vector<Column> out;
  for (const Column& c : kSummary)
    if (std::string(c.key) != "sacrebleu" || shows_sacrebleu(r)) out.push_back(c);
  return out;
}

std::string fixed(double x, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << x;
  return os.str();
}

std::string esc(const std::string& s) { return svg::escape(s); }

// Whether any model's attention was judged against gold links.
bool any_aligned(const json& r) {
  for (const json& m : r["models"])
    if (m["summary"]["aer"]["mean"].is_number()) return true;
  return false;
}

std::string seeds_text(const json& r) {
  const std::size_t k = r["seeds"].get<std::size_t>();
  return k == 1 ? "one seed" : "mean ± standard deviation over " + std::to_string(k) + " seeds";
}

// ---- the pictures ----

svg::Series series(const json& model, std::size_t k, const std::vector<double>& x,
                   const std::vector<json>& values, double scale) {
  svg::Series s{model["name"].get<std::string>(), svg::colour(k), {}, {}};
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!values[i]["mean"].is_number()) continue;
    s.points.emplace_back(x[i], scale * values[i]["mean"].get<double>());
    s.spread.push_back(values[i]["sd"].is_number() ? scale * values[i]["sd"].get<double>() : 0.0);
  }
  return s;
}

// Exact accuracy, BLEU, AER and gold mass against source length.
std::string length_charts(const json& r) {
  std::vector<double> mid;
  for (const json& b : r["buckets"])
    mid.push_back((b["min_length"].get<double>() + b["max_length"].get<double>()) / 2);
  struct Panel {
    const char* key;
    const char* title;
    double scale, ymax;
  };
  const Panel panels[] = {
      {"exact_accuracy", "exact-sequence accuracy (%)", 100, 100},
      shows_sacrebleu(r) ? Panel{"sacrebleu", "BLEU (13a)", 1, 100} : Panel{"bleu", "BLEU", 1, 100},
      {"aer", "alignment error rate (attention)", 1, 1},
      {"gold_mass", "attention mass on gold positions", 1, 1}};
  std::string body;
  const std::size_t shown = any_aligned(r) ? 4 : 2;  // no gold links: no alignment panels
  for (std::size_t p = 0; p < shown; ++p) {
    svg::Chart c;
    c.x = 60 + (p % 2) * 480;
    c.y = 30 + (p / 2) * 340;
    c.title = panels[p].title;
    c.x_label = "source length (tokens, bucket middle)";
    c.xmin = r["buckets"].empty() ? 0 : r["buckets"][0]["min_length"].get<double>();
    c.ymax = panels[p].ymax;
    c.legend = false;
    if (r["data"]["train_lengths"].is_array() &&
        r["data"]["test_lengths"] != r["data"]["train_lengths"]) {
      c.mark_x = r["data"]["train_lengths"][1].get<double>();
      c.mark_label = "longest in training";
    }
    std::vector<svg::Series> all;
    for (std::size_t m = 0; m < r["models"].size(); ++m) {
      const json& model = r["models"][m];
      std::vector<json> v;
      for (const json& b : model["by_length"]) v.push_back(b[panels[p].key]);
      all.push_back(series(model, m, mid, v, panels[p].scale));
    }
    body += svg::line_chart(c, all);
  }
  return svg::document(960, shown == 4 ? 680 : 340, body);
}

// Training and validation loss against steps and against seconds.
std::string curve_charts(const json& r) {
  std::string body;
  std::vector<svg::Series> all[4];
  for (std::size_t m = 0; m < r["models"].size(); ++m) {
    const json& model = r["models"][m];
    for (int p = 0; p < 4; ++p) {
      const json& curve = model["curves"][p % 2 ? "valid" : "train"];
      std::vector<double> x;
      std::vector<json> v;
      for (const json& pt : curve) {
        x.push_back(pt[p < 2 ? "step" : "seconds"].get<double>());
        v.push_back(pt["loss"]);
      }
      all[p].push_back(series(model, m, x, v, 1));
    }
  }
  const char* titles[] = {"training loss (log scale)", "validation loss (log scale)",
                          "training loss (log scale)", "validation loss (log scale)"};
  // without validation (a file and --test only) the validation charts would be empty
  bool validated = false;
  for (const json& model : r["models"]) validated = validated || !model["curves"]["valid"].empty();
  for (int p = 0; p < 4; ++p) {
    if (!validated && p % 2) continue;
    svg::Chart c;
    c.x = 60 + (validated ? (p % 2) * 480 : (p / 2) * 480);
    c.y = 30 + (validated ? (p / 2) * 340 : 0);
    c.title = titles[p];
    c.x_label = p < 2 ? "step" : "seconds of training";
    c.legend = false;
    std::vector<const svg::Series*> fit;
    for (const auto& s : all[p % 2]) fit.push_back(&s);
    for (const auto& s : all[2 + p % 2]) fit.push_back(&s);
    svg::fit_log_y(c, fit);
    body += svg::line_chart(c, all[p]);
  }
  return svg::document(960, validated ? 680 : 340, body);
}

std::string heatmap_svg(const json& h) {
  svg::Heatmap m;
  m.source = h["source"].get<std::vector<std::string>>();
  m.output = h["output"].get<std::vector<std::string>>();
  m.weights = h["weights"].get<std::vector<std::vector<double>>>();
  for (const json& l : h["gold"]["sure"]) m.gold.sure.push_back({l[0], l[1]});
  for (const json& l : h["gold"]["possible"]) m.gold.possible.push_back({l[0], l[1]});
  m.title = std::to_string(m.source.size()) + " source tokens: " +
            (h["right"].get<bool>() ? "output = reference (gold ringed)" : "output ≠ reference");
  const auto [w, ht] = svg::heatmap_size(m);
  return svg::document(w, ht, svg::heatmap(m, 0, 0));
}

const char* const kStyle = R"(
body { font-family: sans-serif; max-width: 1120px; margin: 1.5em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.5em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 3px 6px; } td { text-align: right; white-space: nowrap; }
td.name, th { text-align: left; } th { background: #f4f4f4; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: 14px; height: 4px; margin-right: 4px; vertical-align: middle; }
.scroll { overflow-x: auto; } .note { color: #555; font-size: 0.9em; }
pre { background: #f6f6f6; padding: 0.5em; white-space: pre-wrap; }
)";

std::string legend(const json& r) {
  std::string out = "<p class=\"legend\">";
  for (std::size_t m = 0; m < r["models"].size(); ++m)
    out += "<span><i style=\"background:" + svg::colour(m) + "\"></i>" +
           esc(r["models"][m]["name"].get<std::string>()) + "</span>";
  return out + "</p>\n";
}

// A figure of results.json at `pointer` (a {"mean", "sd"} object).
std::string cell(const json& r, const std::string& pointer, double scale, int digits) {
  return "<td data-json=\"" + esc(pointer) + "\" data-scale=\"" + fixed(scale, 0) + "\">" +
         esc(mean_sd(r[json::json_pointer(pointer)], scale, digits)) + "</td>";
}

// Rows: length buckets; columns: models (those with a value).
std::string by_length_table(const json& r, const char* key, double scale, int digits) {
  std::string out = "<table><tr><th>source length</th><th>pairs</th>";
  std::vector<std::size_t> shown;
  for (std::size_t m = 0; m < r["models"].size(); ++m)
    if (r["models"][m]["summary"][key]["mean"].is_number()) {
      shown.push_back(m);
      out += "<th>" + esc(r["models"][m]["name"].get<std::string>()) + "</th>";
    }
  out += "</tr>\n";
  for (std::size_t k = 0; k < r["buckets"].size(); ++k) {
    out += "<tr><td class=\"name\">" + length_range(r["buckets"][k]) +
           "</td><td data-json=\"/buckets/" + std::to_string(k) + "/sentences\" data-scale=\"1\">" +
           std::to_string(r["buckets"][k]["sentences"].get<std::size_t>()) + "</td>";
    for (std::size_t m : shown)
      out += cell(r, "/models/" + std::to_string(m) + "/by_length/" + std::to_string(k) + "/" + key,
                  scale, digits);
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

std::string mean_sd(const json& s, double scale, int digits) {
  if (!s["mean"].is_number()) return "–";
  std::string t = fixed(scale * s["mean"].get<double>(), digits);
  // no "± 0" where every seed gave the same figure (parameters, steps)
  if (s["sd"].is_number() && s["sd"].get<double>() != 0)
    t += " ± " + fixed(scale * s["sd"].get<double>(), digits);
  return t;
}

std::string length_range(const json& b) {
  const std::size_t lo = b["min_length"], hi = b["max_length"];
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

std::string compare_markdown(const json& r) {
  std::ostringstream md;
  md << "# " << r["title"].get<std::string>() << "\n\n";
  for (const json& f : r["findings"]) md << "- " << f.get<std::string>() << "\n";
  md << "\nFigures: " << seeds_text(r) << "; each run judged at its lowest validation loss on "
     << r["data"]["test_pairs"]
     << " held-out pairs (greedy decoding). BLEU: " << r["bleu_signature"].get<std::string>()
     << (shows_sacrebleu(r)
             ? "; BLEU (13a): " + r["sacrebleu_signature"].get<std::string>() + " (detokenized)"
             : std::string())
     << ".\n\n| model |";
  const std::vector<Column> columns = summary_columns(r);
  for (const Column& c : columns) md << " " << c.heading << " |";
  md << "\n|---|";
  for (std::size_t i = 0; i < columns.size(); ++i) md << "---|";
  md << "\n";
  for (const json& m : r["models"]) {
    md << "| " << m["name"].get<std::string>() << " |";
    for (const Column& c : columns)
      md << " " << mean_sd(m["summary"][c.key], c.scale, c.digits) << " |";
    md << "\n";
  }
  md << "\nExact accuracy (%) by source length:\n\n| source length | pairs |";
  for (const json& m : r["models"]) md << " " << m["name"].get<std::string>() << " |";
  md << "\n|---|---|";
  for (std::size_t i = 0; i < r["models"].size(); ++i) md << "---|";
  md << "\n";
  for (std::size_t k = 0; k < r["buckets"].size(); ++k) {
    md << "| " << length_range(r["buckets"][k]) << " | " << r["buckets"][k]["sentences"] << " |";
    for (const json& m : r["models"])
      md << " " << mean_sd(m["by_length"][k]["exact_accuracy"], 100, 1) << " |";
    md << "\n";
  }
  md << "\nCommand: `" << r["command"].get<std::string>() << "`\n";
  return md.str();
}

std::string compare_html(const json& r) {
  const std::string title = r["title"].get<std::string>();
  std::ostringstream h;
  h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n<title>" << esc(title)
    << "</title>\n<style>" << kStyle << "</style></head>\n<body>\n<h1>" << esc(title) << "</h1>\n";
  const json& d = r["data"];
  h << "<p>" << r["models"].size() << " models, " << seeds_text(r) << ", trained on the same "
    << d["train_pairs"] << " pairs in the same batches with the same budget, each judged at its "
    << "lowest validation loss on the same " << d["test_pairs"]
    << " held-out pairs by greedy decoding.</p>\n<h2 id=\"findings\">Findings</h2>\n<ul>\n";
  for (const json& f : r["findings"]) h << "<li>" << esc(f.get<std::string>()) << "</li>\n";
  h << "</ul>\n<h2 id=\"summary\">Summary</h2>\n";
  // two tables, training and judging, each narrow enough for the page
  const std::size_t split = 6;  // kSummary's columns from test_loss on: the held-out figures
  const std::vector<Column> columns = summary_columns(r);
  for (const char* part : {"Training", "On the held-out pairs"}) {
    const bool training = part[0] == 'T';
    h << "<h3>" << part << "</h3>\n<div class=\"scroll\"><table>\n<tr><th>model</th>";
    for (std::size_t k = training ? 0 : split; k < (training ? split : columns.size()); ++k)
      h << "<th>" << esc(columns[k].heading) << "</th>";
    h << "</tr>\n";
    for (std::size_t m = 0; m < r["models"].size(); ++m) {
      h << "<tr><td class=\"name\">" << esc(r["models"][m]["name"].get<std::string>()) << "</td>";
      for (std::size_t k = training ? 0 : split; k < (training ? split : columns.size()); ++k)
        h << cell(r, "/models/" + std::to_string(m) + "/summary/" + columns[k].key,
                  columns[k].scale, columns[k].digits);
      h << "</tr>\n";
    }
    h << "</table></div>\n";
  }
  h << "<p class=\"note\">" << seeds_text(r)
    << " (none shown where every seed gave the same figure). Perplexity is exp(test loss). AER: "
       "alignment error rate of the attention's argmax "
       "alignment against the gold links (Och &amp; Ney; 0 is perfect), read while the model "
       "is forced along the reference; gold mass: the attention's weight on gold positions. "
       "tokens/s counts source and target tokens. BLEU: <code>"
    << esc(r["bleu_signature"].get<std::string>()) << "</code></p>\n";
  h << "<h2 id=\"by-length\">By source length</h2>\n"
    << legend(r) << "<div class=\"scroll\">" << length_charts(r)
    << "</div>\n<p class=\"note\">Bands: one standard deviation over seeds."
    << (r["data"]["train_lengths"].is_array() &&
                r["data"]["test_lengths"] != r["data"]["train_lengths"]
            ? " The dashed line marks the longest training input."
            : "")
    << "</p>\n<h3>Exact accuracy (%)</h3>\n"
    << by_length_table(r, "exact_accuracy", 100, 1) << "<h3>BLEU</h3>\n"
    << by_length_table(r, "bleu", 1, 1);
  if (shows_sacrebleu(r))
    h << "<h3>BLEU (13a)</h3>\n<p class=\"note\">The detokenized output against the targets as "
         "written, as sacreBLEU computes it: <code>"
      << esc(r["sacrebleu_signature"].get<std::string>()) << "</code></p>\n"
      << by_length_table(r, "sacrebleu", 1, 1);
  if (any_aligned(r)) h << "<h3>Alignment error rate</h3>\n" << by_length_table(r, "aer", 1, 3);
  h << "<h2 id=\"curves\">Learning curves</h2>\n"
    << legend(r) << "<div class=\"scroll\">" << curve_charts(r) << "</div>\n";
  h << "<h2 id=\"attention\">Attention</h2>\n<p class=\"note\">The first seed's model on the same "
       "held-out inputs "
       "(short, middle, longest): source across, its own output down; darker is more weight. "
       "Where the output is the reference, gold links are ringed (solid sure, dashed "
       "possible).</p>\n";
  for (const json& m : r["models"]) {
    if (!m["attends"].get<bool>() || m["heatmaps"].empty()) continue;
    h << "<h3>" << esc(m["name"].get<std::string>()) << "</h3>\n";
    for (const json& hm : m["heatmaps"])
      h << "<div class=\"scroll\">" << heatmap_svg(hm) << "</div>\n";
  }
  h << "<h2 id=\"provenance\">How this was made</h2>\n<pre>" << esc(r["command"].get<std::string>())
    << "</pre>\n<p class=\"note\">attnlab " << esc(r["version"].get<std::string>()) << " on "
    << esc(r["machine"].get<std::string>()) << ", " << esc(r["date"].get<std::string>())
    << ". Every number here is in results.json beside this page.</p>\n</body></html>\n";
  return h.str();
}

}  // namespace attnlab
