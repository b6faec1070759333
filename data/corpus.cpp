// The source<TAB>target reader and atomic writer, encoding, length filtering,
// and length-grouped batching.
#include "data/corpus.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <numeric>

#include "data/tokenizer.hpp"
#include "io/text_io.hpp"

namespace attnlab {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw DataError(path + ": " + what);
}

bool all_space(const std::string& s) {
  for (char ch : s)
    if (!(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'))
      return false;
  return true;
}

// One position of a link: decimal digits only, no sign, no overflow.
bool parse_position(const std::string& s, std::size_t& v) {
  if (s.empty() || s.size() > 9) return false;  // 9 digits: far beyond any line's tokens
  v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    v = 10 * v + static_cast<std::size_t>(ch - '0');
  }
  return true;
}

// The third column, "i-j i?j ...", into pair.alignment (none if the column is
// empty); what is wrong with it, or "".
std::string parse_links(const std::string& column, TextPair& pair) {
  Alignment a;
  std::istringstream words(column);
  bool any = false;
  for (std::string w; words >> w;) {
    any = true;
    const std::size_t sep = w.find_first_of("-?");
    Link l;
    if (sep == std::string::npos || !parse_position(w.substr(0, sep), l.src) ||
        !parse_position(w.substr(sep + 1), l.tgt)) {
      if (w.size() > 40) w = w.substr(0, 40) + "...";
      return "the third column must be alignment links such as '0-0 1-2' (source-target, "
             "0-based; i?j for a possible link): got '" +
             w + "'";
    }
    (w[sep] == '-' ? a.sure : a.possible).push_back(l);
  }
  if (!any) return "";
  a.possible.insert(a.possible.end(), a.sure.begin(), a.sure.end());  // S within P
  for (std::vector<Link>* v : {&a.sure, &a.possible}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  pair.alignment = std::move(a);
  return "";
}

// What is wrong with a (non-blank) line, or "" if it holds a pair; `offset` is
// where the line starts in the file's line (a stripped BOM), for byte numbers.
std::string check_line(const std::string& line, std::size_t offset, TextPair& pair) {
  const std::size_t nul = line.find('\0');
  if (nul != std::string::npos)
    return "NUL byte at byte " + std::to_string(offset + nul + 1) + " (is this a binary file?)";
  const std::size_t bad = invalid_utf8_offset(line);
  if (bad != std::string::npos) return "invalid UTF-8 at byte " + std::to_string(offset + bad + 1);
  // found by fuzzing: write_tsv could not write such a pair back
  const std::size_t cr = line.find('\r');
  if (cr != std::string::npos)
    return "a carriage return at byte " + std::to_string(offset + cr + 1) +
           ", inside the line (lines end with \\n or \\r\\n)";
  const std::size_t tab = line.find('\t');
  if (tab == std::string::npos) return "no tab (want source<TAB>target)";
  std::size_t end = line.find('\t', tab + 1);
  if (end == std::string::npos) end = line.size();
  pair.src = line.substr(0, tab);
  pair.tgt = line.substr(tab + 1, end - tab - 1);
  if (pair.src.empty()) return "empty source (the line starts with a tab)";
  // found by fuzzing: at the start of a file a reader takes it for the file's own
  if (pair.src.compare(0, 3, "\xEF\xBB\xBF") == 0)
    return "a byte-order mark at the start of the source (two files joined?)";
  if (pair.tgt.empty()) return "empty target (nothing after the tab)";
  // found by fuzzing: written back, such a line would be skipped as blank
  if (all_space(pair.src)) return "the source is only whitespace";
  if (all_space(pair.tgt)) return "the target is only whitespace";
  if (end == line.size()) return "";
  std::size_t third_end = line.find('\t', end + 1);
  if (third_end == std::string::npos) third_end = line.size();
  return parse_links(line.substr(end + 1, third_end - end - 1), pair);
}

// Why a field cannot be written as a column, or "".
std::string field_problem(const std::string& field) {
  if (field.empty()) return "is empty";
  if (field.find('\t') != std::string::npos) return "holds a tab";
  if (field.find('\n') != std::string::npos) return "holds a newline";
  if (field.find('\r') != std::string::npos) return "holds a carriage return";
  return "";
}

std::string pair_name(std::size_t i, const TextPair& p) {
  std::string s = "pair " + std::to_string(i + 1);
  if (p.line != 0) s += " (line " + std::to_string(p.line) + ")";
  return s;
}

std::vector<std::vector<std::size_t>> cut(const std::vector<std::size_t>& order,
                                          std::size_t batch_size) {
  std::vector<std::vector<std::size_t>> batches;
  for (std::size_t i = 0; i < order.size(); i += batch_size) {
    const std::size_t end = std::min(order.size(), i + batch_size);
    batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(i),
                         order.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return batches;
}

void check_batch_size(std::size_t batch_size) {
  if (batch_size == 0) throw std::invalid_argument("batch size must be at least 1");
}

}  // namespace

ReadResult read_tsv(const std::string& path, const ReadOptions& opts) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path, "is a directory, not a source<TAB>target file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");

  ReadResult result;
  std::string line;
  std::size_t number = 0, bytes = 0;
  for (;;) {
    try {
      if (!getline_bounded(in, line, path, number + 1)) break;
    } catch (const std::length_error& e) {
      throw DataError(e.what());
    }
    ++number;
    bytes += line.size() + 1;
    std::size_t offset = 0;
    if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) {
      line.erase(0, 3);
      offset = 3;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (all_space(line)) continue;

    TextPair pair;
    pair.line = number;
    const std::string what = check_line(line, offset, pair);
    if (what.empty()) {
      result.pairs.push_back(std::move(pair));
    } else if (opts.skip_bad_lines) {
      ++result.skipped;
    } else {
      fail(path + ":" + std::to_string(number), what);
    }
  }
  if (in.bad()) fail(path, std::string("read failed (") + std::strerror(errno) + ")");

  if (result.pairs.empty()) {
    std::string why;
    if (result.skipped > 0)
      why = " (all " + std::to_string(result.skipped) +
            " non-blank lines were malformed and skipped)";
    else if (bytes == 0)
      why = " (the file is empty)";
    else
      why = " (only blank lines)";
    fail(path, "no source<TAB>target pairs" + why);
  }
  return result;
}

void write_tsv(const std::string& path, const std::vector<TextPair>& pairs) {
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    for (const bool source : {true, false}) {
      const std::string problem = field_problem(source ? pairs[i].src : pairs[i].tgt);
      if (!problem.empty())
        fail(path, "cannot write " + pair_name(i, pairs[i]) + ": its " +
                       (source ? "source " : "target ") + problem);
    }
  }
  // read_tsv drops a byte-order mark at the start of the file
  if (!pairs.empty() && pairs[0].src.compare(0, 3, "\xEF\xBB\xBF") == 0)
    fail(path, "cannot write " + pair_name(0, pairs[0]) +
                   ": its source starts with a byte-order mark, which a reader drops");
  std::string text;
  for (const auto& p : pairs) {
    text += p.src;
    text += '\t';
    text += p.tgt;
    text += '\n';
  }

  if (path == "-") {
    std::cout.write(text.data(), static_cast<std::streamsize>(text.size()));
    std::cout.flush();
    if (!std::cout) fail(path, "write to standard output failed");
    return;
  }
  write_file_atomically(path, text);
}

void write_file_atomically(const std::string& path, const std::string& text) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail(path, "is a directory, cannot write a file there");
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, std::string("cannot write (") + std::strerror(errno) + ")");
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      const int err = errno;
      std::remove(tmp.c_str());
      fail(path, std::string("write failed (") + std::strerror(err) + ")");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    fail(path, std::string("cannot replace (") + std::strerror(err) + ")");
  }
}

std::vector<Example> encode_pairs(const std::vector<TextPair>& pairs,
                                  const Tokenizer& src_tokenizer, const Tokenizer& tgt_tokenizer,
                                  const Vocab& src, const Vocab& tgt) {
  std::vector<Example> out;
  out.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const TextPair& p = pairs[i];
    Example ex;
    try {
      ex.src = src.encode(src_tokenizer.tokenize(p.src));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(pair_name(i, p) + ": source: " + e.what());
    }
    try {
      ex.tgt_tokens = tgt_tokenizer.tokenize(p.tgt);
      ex.tgt_text = p.tgt;
      ex.tgt = tgt.encode(ex.tgt_tokens);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(pair_name(i, p) + ": target: " + e.what());
    }
    if (p.alignment) {
      for (const auto* links : {&p.alignment->sure, &p.alignment->possible})
        for (const Link& l : *links)
          if (l.src >= ex.src.size() || l.tgt >= ex.tgt.size())
            throw std::invalid_argument(
                pair_name(i, p) + ": alignment link " + std::to_string(l.src) + "-" +
                std::to_string(l.tgt) + " is beyond the pair's " + std::to_string(ex.src.size()) +
                " source and " + std::to_string(ex.tgt.size()) + " target tokens (" +
                src_tokenizer.name() + " and " + tgt_tokenizer.name() + " tokenizers, 0-based)");
      ex.alignment = p.alignment;
    }
    out.push_back(std::move(ex));
  }
  return out;
}

std::vector<std::vector<std::string>> tokenize_all(const std::vector<TextPair>& pairs, bool source,
                                                   const Tokenizer& tokenizer) {
  std::vector<std::vector<std::string>> out;
  out.reserve(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    try {
      out.push_back(tokenizer.tokenize(source ? pairs[i].src : pairs[i].tgt));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(pair_name(i, pairs[i]) + (source ? ": source: " : ": target: ") +
                                  e.what());
    }
  }
  return out;
}

std::size_t filter_by_length(std::vector<Example>& data, std::size_t max_src, std::size_t max_tgt) {
  const std::size_t before = data.size();
  data.erase(std::remove_if(data.begin(), data.end(),
                            [&](const Example& ex) {
                              return ex.src.empty() || ex.tgt.empty() ||
                                     (max_src != 0 && ex.src.size() > max_src) ||
                                     (max_tgt != 0 && ex.tgt.size() > max_tgt);
                            }),
             data.end());
  return before - data.size();
}

std::vector<std::vector<std::size_t>> make_batches(const std::vector<Example>& data,
                                                   std::size_t batch_size, std::uint64_t seed) {
  check_batch_size(batch_size);
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  shuffle_with(order, rng);

  // Sorting only within windows keeps batches varied from epoch to epoch while
  // neighbours in a batch have similar lengths.
  const std::size_t window = 50 * batch_size;
  const auto shorter = [&](std::size_t a, std::size_t b) {
    const Example &x = data[a], &y = data[b];
    if (x.src.size() != y.src.size()) return x.src.size() < y.src.size();
    return x.tgt.size() < y.tgt.size();
  };
  for (std::size_t i = 0; i < order.size(); i += window) {
    const std::size_t end = std::min(order.size(), i + window);
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(i),
                     order.begin() + static_cast<std::ptrdiff_t>(end), shorter);
  }
  auto batches = cut(order, batch_size);
  shuffle_with(batches, rng);
  return batches;
}

std::vector<std::vector<std::size_t>> make_sorted_batches(const std::vector<Example>& data,
                                                          std::size_t batch_size) {
  check_batch_size(batch_size);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return data[a].src.size() < data[b].src.size();
  });
  return cut(order, batch_size);
}

}  // namespace attnlab
