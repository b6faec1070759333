// attnlab translate: one output line per input line, greedy or beam search;
// the attention of each sentence as JSON (--attention) or drawn as a shaded
// grid on the terminal (--show-attention).
#include "run/translate.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "data/tokenizer.hpp"
#include "io/atomic_dir.hpp"
#include "io/text_io.hpp"

namespace attnlab::cli {

namespace {

struct TranslateArgs {
  std::string checkpoint, attention_file;
  std::size_t beam = 1, max_len = 0, batch_size = 32;
  bool show = false, allow_nonfinite = false, tokens = false;
  std::size_t threads = 1;
};

// Source tokens across (written downwards), output tokens down; each cell
// shaded by its weight.
void draw(std::ostream& os, const std::vector<std::string>& src,
          const std::vector<std::string>& out, const Array<float>& w) {
  static const char* shade[] = {"  ", "░░", "▒▒", "▓▓", "██"};
  const std::size_t label = 12;
  std::vector<std::vector<std::string>> glyphs;  // each source token as code points
  std::size_t rows = 0;
  for (const std::string& t : src) {
    std::vector<std::string> g;
    for (const std::string& cp : tokenize("char", t)) g.push_back(cp == " " ? "␣" : cp);
    if (g.size() > 6) g.resize(6);
    rows = std::max(rows, g.size());
    glyphs.push_back(g);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    os << std::string(label, ' ');
    for (const auto& g : glyphs) os << (r < g.size() ? g[r] : " ") << ' ';
    os << '\n';
  }
  for (std::size_t i = 0; i < w.shape()[0]; ++i) {
    std::string name = i < out.size() ? out[i] : "<eos>";
    std::vector<std::string> cps = tokenize("char", name);
    if (cps.size() > label - 1) cps.resize(label - 1);
    std::string shown;
    for (const auto& cp : cps) shown += cp;
    os << shown << std::string(label - cps.size(), ' ');
    for (std::size_t j = 0; j < w.shape()[1]; ++j) {
      const float x = w(i, j);
      os << shade[x < 0.1f ? 0 : x < 0.3f ? 1 : x < 0.55f ? 2 : x < 0.8f ? 3 : 4];
    }
    os << '\n';
  }
  os << "(weight: ░░ 0.1  ▒▒ 0.3  ▓▓ 0.55  ██ 0.8 and more)\n\n";
}

// Refuses, before any translating, an --attention file that cannot be written.
void check_attention_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw UsageError("--attention " + path + ": a directory; give a file name");
  const std::string probe = path + ".tmp-" + std::to_string(::getpid());
  if (!std::ofstream(probe))
    throw std::runtime_error(path + ": cannot write (" + std::strerror(errno) + ")");
  std::filesystem::remove(probe, ec);
}

// One sentence's attention as JSON, drawn on the terminal with --show-attention.
nlohmann::json attention(const TranslateArgs& a, const std::string& line, const Translation& t) {
  nlohmann::json j{{"source_text", line},
                   {"output_text", t.text},
                   {"source", t.source},
                   {"output", t.output},
                   {"attention", nlohmann::json::array()}};
  if (t.source.empty()) return j;
  if (t.finished) j["output"].push_back("<eos>");
  const Array<float>& w = t.attention;
  for (std::size_t r = 0; r < w.shape()[0]; ++r)
    j["attention"].push_back(std::vector<float>(&w(r, 0), &w(r, 0) + w.shape()[1]));
  if (a.show) {
    std::cout << std::flush;
    draw(std::cerr, t.source, t.output, w);
  }
  return j;
}

int run_translate(const TranslateArgs& a) {
  Translator translator(a.checkpoint, a.threads, a.allow_nonfinite);
  const ModelConfig& c = translator.config();
  const bool want_attention = a.show || !a.attention_file.empty();
  if (want_attention && !attends(c))
    throw UsageError(a.checkpoint + " is a " + model_label(c) +
                     " model: it has no attention to show");
  if (!a.attention_file.empty()) check_attention_file(a.attention_file);  // now, not at the end
  nlohmann::json all = nlohmann::json::array();
  const bool interactive = ::isatty(STDIN_FILENO) == 1;
  std::vector<std::string> lines;
  std::size_t line_no = 0;
  const auto flush = [&] {
    const std::vector<Translation> done =
        translator.translate(lines, a.beam, a.max_len, "stdin", line_no - lines.size() + 1);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      // --tokens: the tokens as the model wrote them, one space between
      std::cout << (a.tokens ? detokenize("space", done[i].output) : done[i].text) << '\n';
      if (!want_attention) continue;
      const nlohmann::json j = attention(a, lines[i], done[i]);
      if (!a.attention_file.empty()) all.push_back(j);
    }
    std::cout << std::flush;
    lines.clear();
  };
  std::string line;
  while (getline_bounded(std::cin, line, "standard input", line_no + 1)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    if (interactive || lines.size() >= a.batch_size) flush();
  }
  flush();
  if (!a.attention_file.empty()) write_file_atomically(a.attention_file, all.dump(1) + "\n");
  return 0;
}

}  // namespace

void add_subcommand_translate(CLI::App& app) {
  auto a = std::make_shared<TranslateArgs>();
  CLI::App* t =
      app.add_subcommand("translate", "Translate standard input, one line out per line in");
  t->add_option("--checkpoint", a->checkpoint, "Checkpoint directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  t->add_option("--beam", a->beam, "Beam size (1: greedy)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  t->add_option("--max-len", a->max_len, "Longest output (0: twice the source, plus 10)")
      ->check(CLI::Range(0, 100000));
  t->add_option("--attention", a->attention_file,
                "Write each sentence's attention matrix (Ty rows of Tx weights) as JSON");
  t->add_flag("--show-attention", a->show,
              "Draw each sentence's attention as a shaded grid on standard error");
  t->add_option("--batch-size", a->batch_size,
                "Lines decoded together when reading from a file or pipe")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  t->add_flag("--tokens", a->tokens,
              "Print the output tokens, space-separated, instead of the text they make");
  t->add_flag("--allow-nonfinite", a->allow_nonfinite,
              "Load a checkpoint holding NaN or infinite weights (to inspect it)");
  add_threads_option(t, a->threads);
  on_run(t, [a] { return run_translate(*a); });
}

}  // namespace attnlab::cli
