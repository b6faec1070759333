// The "char", "space" and "word" tokenizers and the strict UTF-8 decoder
// behind them.
#include "data/tokenizer.hpp"

#include <cctype>
#include <map>
#include <stdexcept>

#include "data/subwords.hpp"

namespace attnlab {

namespace {

// Decodes the sequence starting at text[pos] into cp; returns its length in
// bytes, or 0 if no valid sequence starts there.
std::size_t decode_at(const std::string& text, std::size_t pos, char32_t& cp) {
  const std::size_t n = text.size();
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(pos);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len;
  // The range allowed for the second byte excludes overlong forms (E0, F0),
  // surrogates (ED) and code points above U+10FFFF (F4).
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (pos + len > n) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const unsigned char b = byte(pos + k);
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  return len;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

[[noreturn]] void throw_invalid_utf8(std::size_t offset) {
  throw std::invalid_argument("invalid UTF-8 at byte " + std::to_string(offset + 1));
}

bool is_ascii_space(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_ascii_punct(char32_t c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
         (c >= 0x7B && c <= 0x7E);
}

// The word tokenizer's whitespace: ASCII plus the no-break spaces of French.
bool is_word_space(char32_t c) { return is_ascii_space(c) || c == 0x00A0 || c == 0x202F; }

bool is_apostrophe(char32_t c) { return c == '\'' || c == 0x2019; }

bool is_punct(char32_t c) {
  if (c < 0x80) return is_ascii_punct(c);
  switch (c) {
    case 0x00AB:  // «
    case 0x00BB:  // »
    case 0x2039:  // ‹
    case 0x203A:  // ›
    case 0x201C:  // “
    case 0x201D:  // ”
    case 0x201E:  // „
    case 0x2018:  // ‘
    case 0x2019:  // ’
    case 0x2026:  // …
    case 0x2014:  // —
    case 0x2013:  // –
    case 0x00A1:  // ¡
    case 0x00BF:  // ¿
      return true;
    default:
      return false;
  }
}

bool is_word_char(char32_t c) { return !is_word_space(c) && !is_punct(c); }

char32_t to_lower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c < 0xC0) return c;
  if (c <= 0xDE) return c == 0xD7 ? c : c + 0x20;
  if (c == 0x130) return 'i';
  if (c == 0x178) return 0xFF;
  // Latin Extended-A pairs: upper case on the even code point in
  // U+0100..U+0137 and U+014A..U+0177, on the odd one in U+0139..U+0148 and
  // U+0179..U+017E (U+0138 ĸ and U+0149 ŉ have no upper case).
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return (c % 2 == 0) ? c + 1 : c;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c % 2 == 1) ? c + 1 : c;
  return c;
}

std::vector<char32_t> decode_all(const std::string& text) {
  std::vector<char32_t> cps;
  cps.reserve(text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp;
    const std::size_t len = decode_at(text, pos, cp);
    if (len == 0) throw_invalid_utf8(pos);
    cps.push_back(cp);
    pos += len;
  }
  return cps;
}

Tokens tokenize_space(const std::string& text) {
  Tokens out;
  std::string cur;
  for (char ch : text) {
    if (is_ascii_space(static_cast<unsigned char>(ch))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Tokens tokenize_char(const std::string& text) {
  Tokens out;
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp;
    const std::size_t len = decode_at(text, pos, cp);
    if (len == 0) throw_invalid_utf8(pos);
    out.push_back(text.substr(pos, len));
    pos += len;
  }
  return out;
}

Tokens tokenize_word(const std::string& text) {
  std::vector<char32_t> cps = decode_all(text);
  for (char32_t& c : cps) c = to_lower(c);

  Tokens out;
  std::string cur;
  std::size_t cur_len = 0;  // code points in cur
  const auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
    cur_len = 0;
  };
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    if (is_apostrophe(c) && cur_len > 0 && i + 1 < cps.size() && is_word_char(cps[i + 1])) {
      // Inside a word: French elision (l', qu') ends the token, else it stays.
      const bool elision =
          cur_len == 1 || (cur.size() >= 2 && cur.compare(cur.size() - 2, 2, "qu") == 0);
      append_utf8(cur, c);
      ++cur_len;
      if (elision) flush();
    } else if (is_word_space(c)) {
      flush();
    } else if (is_punct(c)) {
      flush();
      std::string p;
      append_utf8(p, c);
      out.push_back(std::move(p));
    } else {
      append_utf8(cur, c);
      ++cur_len;
    }
  }
  flush();
  return out;
}

std::string join(const Tokens& tokens, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += sep;
    out += tokens[i];
  }
  return out;
}

[[noreturn]] void throw_unknown(const std::string& name) {
  throw std::invalid_argument("unknown tokenizer '" + name +
                              "' (known: char, sentencepiece, space, word)");
}

// One code point that the word tokenizer splits off as a mark of its own.
bool is_mark(const std::string& token) {
  std::vector<char32_t> cps;
  try {
    cps = decode_all(token);
  } catch (const std::invalid_argument&) {
    return false;
  }
  return cps.size() == 1 && is_punct(cps[0]);
}

// "l'", "qu'", "jusqu'": a word the apostrophe rule ended (see tokenize_word).
bool is_elision(const std::string& token) {
  if (token.size() < 2 || is_mark(token)) return false;
  return token.back() == '\'' ||
         (token.size() >= 4 && token.compare(token.size() - 3, 3, "\u2019") == 0);
}

bool starts_digit(const std::string& w) { return !w.empty() && std::isdigit((unsigned char)w[0]); }
bool ends_digit(const std::string& w) {
  return !w.empty() && std::isdigit((unsigned char)w.back());
}

std::string detokenize_word(const Tokens& tokens, const WordSpacing& s) {
  const std::size_t n = tokens.size();
  std::vector<char> mark(n), word(n);
  for (std::size_t k = 0; k < n; ++k) {
    mark[k] = is_mark(tokens[k]);
    word[k] = !mark[k] && !tokens[k].empty();
  }
  // tokens[k] is "-" between two words ("fais" "-" "toi"), or "." or ","
  // between digits ("3" "." "5"): glued on both sides
  std::vector<char> joins(n);
  for (std::size_t k = 1; k + 1 < n; ++k)
    joins[k] = (tokens[k] == "-" && word[k - 1] && word[k + 1]) ||
               ((tokens[k] == "." || tokens[k] == ",") && ends_digit(tokens[k - 1]) &&
                starts_digit(tokens[k + 1]));
  const auto in = [](const std::string& set, const std::string& m) {
    return set.find(m) != std::string::npos;
  };
  std::string out;
  bool quote_open = false;  // '"' opens and closes in turn
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& t = tokens[i];
    if (i > 0) {
      const std::string& prev = tokens[i - 1];
      bool space = !is_elision(prev) && !joins[i] && !joins[i - 1];
      if (t == "\"")
        space = space && !quote_open;
      else if (mark[i])
        space = space && in(s.space_before, t);
      if (prev == "\"")
        space = space && !quote_open;
      else if (mark[i - 1])
        space = space && !in(s.glued_after, prev);
      if (space) out += ' ';
    }
    if (t == "\"") quote_open = !quote_open;
    out += t;
  }
  return out;
}

}  // namespace

WordSpacing learn_word_spacing(const std::vector<std::string>& texts) {
  struct Count {
    std::size_t before = 0, spaced = 0;  // marks with something before them; spaced among them
    std::size_t after = 0, glued = 0;    // marks with something after them; glued among them
  };
  std::map<std::string, Count> counts;
  for (const std::string& text : texts) {
    std::vector<char32_t> cps;
    try {
      cps = decode_all(text);
    } catch (const std::invalid_argument&) {
      continue;
    }
    for (std::size_t i = 0; i < cps.size(); ++i) {
      const char32_t c = cps[i];
      if (!is_punct(c) || c == '"' || is_apostrophe(c)) continue;
      std::string mark;
      append_utf8(mark, c);
      Count& n = counts[mark];
      if (i > 0) ++n.before, n.spaced += is_word_space(cps[i - 1]);
      if (i + 1 < cps.size()) ++n.after, n.glued += !is_word_space(cps[i + 1]);
    }
  }
  WordSpacing s;
  const auto set = [](std::string& marks, const std::string& mark, bool in) {
    const std::size_t at = marks.find(mark);
    if (at != std::string::npos && !in) marks.erase(at, mark.size());
    if (at == std::string::npos && in) marks += mark;
  };
  for (const auto& [mark, n] : counts) {  // marks never seen keep the default
    if (n.before) set(s.space_before, mark, 2 * n.spaced > n.before);
    if (n.after) set(s.glued_after, mark, 2 * n.glued > n.after);
  }
  return s;
}

Tokenizer::Tokenizer(const std::string& name) : name_(name) {
  if (name == "sentencepiece")
    throw std::invalid_argument(
        "the sentencepiece tokenizer needs its model (attnlab train learns it; a checkpoint keeps "
        "it)");
  if (name != "char" && name != "space" && name != "word") throw_unknown(name);
}

Tokenizer::Tokenizer(std::shared_ptr<const SentencePiece> model)
    : name_("sentencepiece"), subwords_(std::move(model)) {
  if (!subwords_) throw std::invalid_argument("a sentencepiece tokenizer without its model");
}

Tokenizer::Tokenizer(const std::string& name, const WordSpacing& spacing) : Tokenizer(name) {
  spacing_ = spacing;
}

Tokens Tokenizer::tokenize(const std::string& text) const {
  if (name_ == "space") return tokenize_space(text);
  if (name_ == "char") return tokenize_char(text);
  if (name_ == "word") return tokenize_word(text);
  const std::size_t bad = invalid_utf8_offset(text);
  if (bad != std::string::npos) throw_invalid_utf8(bad);
  return subwords_->encode(text);
}

std::string Tokenizer::detokenize(const Tokens& tokens) const {
  if (name_ == "space") return join(tokens, " ");
  if (name_ == "char") return join(tokens, "");
  if (name_ == "word") return detokenize_word(tokens, spacing_);
  return subwords_->decode(tokens);
}

Tokens tokenize(const std::string& tokenizer, const std::string& text) {
  return Tokenizer(tokenizer).tokenize(text);
}

std::string detokenize(const std::string& tokenizer, const Tokens& tokens) {
  return Tokenizer(tokenizer).detokenize(tokens);
}

std::vector<std::string> tokenizer_names() { return {"char", "sentencepiece", "space", "word"}; }

std::size_t invalid_utf8_offset(const std::string& text) {
  for (std::size_t pos = 0; pos < text.size();) {
    char32_t cp;
    const std::size_t len = decode_at(text, pos, cp);
    if (len == 0) return pos;
    pos += len;
  }
  return std::string::npos;
}

bool valid_utf8(const std::string& text) { return invalid_utf8_offset(text) == std::string::npos; }

}  // namespace attnlab
