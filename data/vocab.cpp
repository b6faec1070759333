// Vocab: building from counts, encoding/decoding, and the strict reader and
// writer of the one-token-per-line vocabulary file.
#include "data/vocab.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <utility>

#include "io/text_io.hpp"

namespace attnlab {

namespace {

// Far beyond any real vocabulary (a million tokens of 60 bytes).
constexpr std::size_t kMaxVocabBytes = std::size_t(64) << 20;

const char* const specials[] = {"<pad>", "<unk>", "<sos>", "<eos>"};
constexpr std::size_t num_specials = 4;

// A token as it appears in a message: quoted, with control bytes escaped so a
// " " or "\r" token stays visible.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (unsigned char ch : s) {
    if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\\' || ch == '\'') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[ch >> 4];
      out += hex[ch & 15];
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "'";
}

[[noreturn]] void fail_at(const std::string& path, std::size_t line, const std::string& what) {
  throw VocabError(path + ":" + std::to_string(line) + ": " + what);
}

}  // namespace

Vocab::Vocab() {
  for (const char* s : specials) add(s);
}

Index Vocab::add(const std::string& token) {
  auto it = ids_.find(token);
  if (it != ids_.end()) return it->second;
  const Index id = static_cast<Index>(tokens_.size());
  tokens_.push_back(token);
  ids_.emplace(token, id);
  return id;
}

Index Vocab::id(const std::string& token) const {
  auto it = ids_.find(token);
  return it == ids_.end() ? unk : it->second;
}

const std::string& Vocab::token(Index id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= tokens_.size())
    throw std::out_of_range("vocab: id " + std::to_string(id) + " is out of range for size " +
                            std::to_string(tokens_.size()));
  return tokens_[static_cast<std::size_t>(id)];
}

std::vector<Index> Vocab::encode(const std::vector<std::string>& tokens) const {
  std::vector<Index> ids;
  ids.reserve(tokens.size());
  for (const auto& t : tokens) ids.push_back(id(t));
  return ids;
}

std::vector<std::string> Vocab::decode(const std::vector<Index>& ids) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (Index i : ids) tokens.push_back(token(i));
  return tokens;
}

Vocab Vocab::of(const std::vector<std::string>& tokens) {
  Vocab v;
  for (const std::string& t : tokens) v.add(t);
  return v;
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sequences, std::size_t min_freq,
                   std::size_t max_vocab) {
  if (max_vocab != 0 && max_vocab < num_specials)
    throw std::invalid_argument("vocab: max_vocab " + std::to_string(max_vocab) +
                                " leaves no room for the 4 special tokens");
  Vocab v;
  // std::map iterates in byte-wise order (std::string compares as unsigned
  // char), which the stable sort below keeps for equal counts.
  std::map<std::string, std::size_t> counts;
  for (const auto& seq : sequences)
    for (const auto& t : seq)
      if (!v.contains(t)) ++counts[t];  // specials in the data stay where they are

  std::vector<std::pair<std::string, std::size_t>> kept;
  for (auto& [t, n] : counts)
    if (n >= min_freq) kept.emplace_back(t, n);
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [t, n] : kept) {
    if (max_vocab != 0 && v.size() >= max_vocab) break;
    v.add(t);
  }
  return v;
}

void Vocab::save(const std::string& path) const {
  std::string text;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const std::string& t = tokens_[i];
    if (t.empty())
      throw VocabError(path + ": cannot save the empty token (id " + std::to_string(i) +
                       "): a vocabulary line cannot be empty");
    if (t.find_first_of("\n\r") != std::string::npos)
      throw VocabError(path + ": cannot save token " + quoted(t) + " (id " + std::to_string(i) +
                       "): a vocabulary line cannot hold a line break");
    text += t;
    text += '\n';
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw VocabError(path + ": cannot open for writing: " + std::strerror(errno));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw VocabError(path + ": write failed: " + std::strerror(errno));
}

Vocab Vocab::load(const std::string& path) {
  std::error_code ec;  // a FIFO would be waited on, a device read without end
  const std::filesystem::file_status st = std::filesystem::status(path, ec);
  if (std::filesystem::exists(st) && !std::filesystem::is_regular_file(st))
    throw VocabError(path + ": not a regular file, not a vocabulary");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw VocabError(path + ": cannot open vocabulary file: " + std::strerror(errno));
  std::string text;
  if (!read_at_most(in, kMaxVocabBytes, text))
    throw VocabError(path + ": larger than " + std::to_string(kMaxVocabBytes >> 20) +
                     " MiB; not a vocabulary file");
  if (in.bad()) throw VocabError(path + ": read failed");
  if (text.empty())
    fail_at(path, 1, "empty vocabulary file (want at least <pad>, <unk>, <sos>, <eos>)");

  // Lines are separated by '\n'; one final '\n' ends the last line rather
  // than starting an empty one.
  if (text.back() == '\n') text.pop_back();
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }

  Vocab v;
  v.tokens_.clear();
  v.ids_.clear();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& t = lines[i];
    const std::size_t line = i + 1;
    if (t.find('\r') != std::string::npos)
      fail_at(path, line, "token " + quoted(t) + " holds a '\\r' (CRLF line ends?)");
    if (i < num_specials && t != specials[i]) {
      std::string what = "expected special token " + quoted(specials[i]) + ", found " + quoted(t);
      if (i == 0 && t.rfind("\xEF\xBB\xBF", 0) == 0) what += " (the file starts with a UTF-8 BOM)";
      fail_at(path, line, what + "; a vocabulary starts with <pad>, <unk>, <sos>, <eos>");
    }
    if (t.empty()) fail_at(path, line, "empty token");
    auto it = v.ids_.find(t);
    if (it != v.ids_.end())
      fail_at(path, line,
              "duplicate token " + quoted(t) + " (first on line " + std::to_string(it->second + 1) +
                  ")");
    v.add(t);
  }
  if (v.size() < num_specials)
    fail_at(path, v.size() + 1,
            "file ends after " + std::to_string(v.size()) +
                " tokens; a vocabulary starts with <pad>, <unk>, <sos>, <eos>");
  return v;
}

}  // namespace attnlab
