// attnlab translate: one output line per input line, greedy or beam search;
// the attention of each sentence as JSON (--attention) or drawn as a shaded
// grid on the terminal (--show-attention).
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/common.hpp"
#include "data/tokenizer.hpp"
#include "io/text_io.hpp"
#include "models/model_io.hpp"
#include "training/parallel.hpp"

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

int run_translate(const TranslateArgs& a) {
  LoadedModel<float> l = load_model<float>(a.checkpoint, a.allow_nonfinite);
  EncoderDecoder<float>& model = *l.model;
  DataParallel<float> parallel(model, a.threads);
  const ModelConfig& c = model.config();
  const Tokenizer source = c.source_tokenizer(), target = c.target_tokenizer();
  const bool want_attention = a.show || !a.attention_file.empty();
  if (want_attention && !attends(c))
    throw UsageError(a.checkpoint + " is a " + model_label(c) +
                     " model: it has no attention to show");
  if (!a.attention_file.empty()) {  // fail now, not after translating everything
    std::error_code ec;
    if (std::filesystem::is_directory(a.attention_file, ec))
      throw UsageError("--attention " + a.attention_file + ": a directory; give a file name");
    const std::string probe = a.attention_file + ".tmp-" + std::to_string(::getpid());
    if (!std::ofstream(probe))
      throw std::runtime_error(a.attention_file + ": cannot write (" + std::strerror(errno) + ")");
    std::filesystem::remove(probe, ec);
  }
  nlohmann::json all = nlohmann::json::array();
  const bool interactive = ::isatty(STDIN_FILENO) == 1;

  std::vector<std::string> lines;
  std::size_t line_no = 0;
  auto flush = [&] {
    std::vector<std::vector<Index>> src;
    std::vector<std::size_t> which;  // non-empty lines, by position in `lines`
    std::vector<std::vector<std::string>> src_tokens(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!lines[i].empty() && lines[i].back() == '\r') lines[i].pop_back();
      const std::string where = "stdin:" + std::to_string(line_no - lines.size() + i + 1);
      try {
        src_tokens[i] = source.tokenize(lines[i]);
      } catch (const std::invalid_argument& e) {  // invalid UTF-8: bad data, not usage
        throw std::runtime_error(where + ": " + e.what());
      }
      if (src_tokens[i].empty()) continue;
      check_source_length(c, src_tokens[i].size(), where);
      src.push_back(l.src_vocab.encode(src_tokens[i]));
      which.push_back(i);
    }
    std::vector<Hypothesis> hyps;
    if (!src.empty()) {
      std::size_t longest = 0;
      for (const auto& s : src) longest = std::max(longest, s.size());
      const std::size_t max_len = a.max_len ? a.max_len : 2 * longest + 10;
      const Batch b = make_batch(src);
      hyps = a.beam > 1 ? model.beam_search(b, a.beam, max_len) : parallel.greedy(b, max_len);
    }
    std::size_t k = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const bool has = k < which.size() && which[k] == i;
      const std::vector<std::string> out =
          has ? l.tgt_vocab.decode(hyps[k].tokens) : std::vector<std::string>{};
      const std::string translation = target.detokenize(out);
      // --tokens: the tokens as the model wrote them, one space between
      std::cout << (a.tokens ? detokenize("space", out) : translation) << '\n';
      if (want_attention) {
        nlohmann::json j{{"source_text", lines[i]},
                         {"output_text", translation},
                         {"source", src_tokens[i]},
                         {"output", out},
                         {"attention", nlohmann::json::array()}};
        if (has) {
          if (hyps[k].finished) j["output"].push_back("<eos>");
          const Array<float>& w = hyps[k].attention;
          for (std::size_t r = 0; r < w.shape()[0]; ++r)
            j["attention"].push_back(std::vector<float>(&w(r, 0), &w(r, 0) + w.shape()[1]));
          if (a.show) {
            std::cout << std::flush;
            draw(std::cerr, src_tokens[i], out, w);
          }
        }
        if (!a.attention_file.empty()) all.push_back(j);
      }
      k += has;
    }
    std::cout << std::flush;
    lines.clear();
  };
  std::string line;
  while (getline_bounded(std::cin, line, "standard input", line_no + 1)) {
    ++line_no;
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
