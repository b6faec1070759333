// attnlab bleu: sacreBLEU's corpus BLEU (13a tokens, exp smoothing) of
// hypotheses against one or more reference files, printed as sacreBLEU
// prints it: a figure comparable with published ones.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/common.hpp"
#include "data/corpus.hpp"
#include "data/tokenizer.hpp"
#include "io/text_io.hpp"
#include "metrics/sacrebleu.hpp"

namespace attnlab::cli {

namespace {

struct BleuArgs {
  std::vector<std::string> refs;
  std::string hyp;  // empty: standard input
  bool json = false;
};

// Every line of in, without its '\n' ('\r' and other trailing whitespace are
// kept: BLEU strips them, as sacreBLEU does); invalid UTF-8 is refused naming
// name and the line, as sacreBLEU could not decode it either.
std::vector<std::string> read_lines(std::istream& in, const std::string& name) {
  std::vector<std::string> lines;
  std::string line;
  while (getline_bounded(in, line, name, lines.size() + 1)) {
    if (const std::size_t bad = invalid_utf8_offset(line); bad != std::string::npos)
      throw DataError(name + ":" + std::to_string(lines.size() + 1) + ": invalid UTF-8 at byte " +
                      std::to_string(bad + 1));
    lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open");
  return read_lines(in, path);
}

int run_bleu(const BleuArgs& a) {
  const std::string hyp_name = a.hyp.empty() ? "standard input" : a.hyp;
  const std::vector<std::string> hyps =
      a.hyp.empty() ? read_lines(std::cin, hyp_name) : read_lines(a.hyp);
  const auto lines = [](std::size_t n) {
    return std::to_string(n) + (n == 1 ? " line" : " lines");
  };
  std::vector<std::vector<std::string>> refs;
  for (const std::string& path : a.refs) {
    refs.push_back(read_lines(path));
    if (refs.back().size() != hyps.size())
      throw DataError(hyp_name + " has " + lines(hyps.size()) + " but " + path + " has " +
                      std::to_string(refs.back().size()) + " (one hypothesis per reference line)");
  }
  if (hyps.empty()) throw DataError(hyp_name + ": no lines to score");
  const SacreBleu b = sacrebleu_corpus(hyps, refs);
  if (a.json) {
    const nlohmann::json j{
        {"score", b.score},        {"precisions", b.precisions}, {"bp", b.bp},
        {"ratio", b.ratio},        {"hyp_len", b.sys_len},       {"ref_len", b.ref_len},
        {"signature", b.signature}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << sacrebleu_summary(b) << "\nsignature: " << b.signature << "\n";
  }
  return 0;
}

}  // namespace

void add_subcommand_bleu(CLI::App& app) {
  auto a = std::make_shared<BleuArgs>();
  CLI::App* b = app.add_subcommand(
      "bleu", "sacreBLEU's corpus BLEU (13a tokens) of hypotheses against reference files");
  b->add_option("--ref", a->refs,
                "A reference file, one sentence a line; repeat --ref for several references")
      ->required()
      ->check(CLI::ExistingFile)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  b->add_option("--hyp", a->hyp, "The hypotheses, one a line (default: standard input)")
      ->check(CLI::ExistingFile);
  b->add_flag("--json", a->json,
              "Print one JSON object: score, precisions, bp, ratio, hyp_len, ref_len, signature");
  on_run(b, [a] { return run_bleu(*a); });
}

}  // namespace attnlab::cli
