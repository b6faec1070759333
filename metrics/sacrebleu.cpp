// sacreBLEU's 13a tokeniser and corpus BLEU, without Python and without
// std::regex (slow, and its ECMAScript semantics are not Python's).
#include "metrics/sacrebleu.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "version.hpp"

namespace attnlab {

namespace {

// The byte length of the whitespace code point (Python's str.isspace) that
// starts at s[i], or 0. Every multi-byte one starts with a lead byte, which
// never continues another sequence: in valid UTF-8 a match is a whole code point.
std::size_t space_at(const std::string& s, std::size_t i) {
  const auto at = [&](std::size_t k) {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const unsigned c = at(0);
  if ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) return 1;
  if (c == 0xC2) return at(1) == 0x85 || at(1) == 0xA0 ? 2 : 0;  // U+0085, U+00A0
  if (c == 0xE1) return at(1) == 0x9A && at(2) == 0x80 ? 3 : 0;  // U+1680
  if (c == 0xE3) return at(1) == 0x80 && at(2) == 0x80 ? 3 : 0;  // U+3000
  if (c != 0xE2) return 0;
  if (at(1) == 0x81) return at(2) == 0x9F ? 3 : 0;  // U+205F
  if (at(1) != 0x80) return 0;
  const unsigned d = at(2);  // U+2000..U+202F
  return (d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF ? 3 : 0;
}

// Python's s.rstrip().
std::string rstrip(const std::string& s) {
  std::size_t end = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = space_at(s, i);
    if (n == 0)
      end = ++i;
    else
      i += n;
  }
  return s.substr(0, end);
}

// Python's ' '.join(s.split()).
std::string single_spaced(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  bool gap = false;
  for (std::size_t i = 0; i < s.size();) {
    if (const std::size_t n = space_at(s, i)) {
      gap = true;
      i += n;
      continue;
    }
    if (gap && !out.empty()) out += ' ';
    gap = false;
    out += s[i++];
  }
  return out;
}

// Python's s.replace(from, to): left to right, without overlaps.
void replace_all(std::string& s, const std::string& from, const std::string& to) {
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size())
    out.append(s, pos, hit - pos).append(to);
  s = out.append(s, pos);
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool not_digit(char c) { return !is_digit(c); }
bool is_period_or_comma(char c) { return c == '.' || c == ','; }
bool is_hyphen(char c) { return c == '-'; }

// The class [\{-\~\[-\` -\&\(-\+\:-\@\/]: ASCII punctuation and the space,
// but for ' , - and . (which the other rules, or none, handle).
bool is_spaced_symbol(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&') ||
         (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
}

// re.sub(r'(A)(B)', pre + r'\1' + mid + r'\2' + post, s) where A and B match one
// character each: a match takes two characters and the scan resumes after
// them, so in "a.b.c" the second "." is matched only if the first match did
// not take it. On UTF-8 bytes this gives what Python gives on code points:
// A or B is always ASCII or [^0-9], and a byte of a multi-byte character is
// never ASCII, so a match cannot start or end inside one, and [^0-9] only
// echoes the byte it took.
std::string sub_pairs(const std::string& s, bool (*a)(char), bool (*b)(char), const char* pre,
                      const char* mid, const char* post) {
  std::string out;
  out.reserve(s.size() + s.size() / 4);
  for (std::size_t i = 0; i < s.size();) {
    if (i + 1 < s.size() && a(s[i]) && b(s[i + 1])) {
      out.append(pre).append(1, s[i]).append(mid).append(1, s[i + 1]).append(post);
      i += 2;
    } else {
      out += s[i++];
    }
  }
  return out;
}

// A line as sacreBLEU scores it: right-stripped, 13a-tokenised, so its tokens
// are single-spaced and each n-gram is a substring of the text.
struct Segment {
  std::string text;
  std::vector<std::size_t> starts;  // where each token begins

  explicit Segment(const std::string& line) : text(tokenize_13a(rstrip(line))) {
    for (std::size_t i = 0; i < text.size(); ++i)
      if (i == 0 || text[i - 1] == ' ') starts.push_back(i);
  }
  std::size_t length() const { return starts.size(); }
  // tokens i .. i + n - 1, with their spaces
  std::string_view ngram(std::size_t i, std::size_t n) const {
    const std::size_t end = i + n < starts.size() ? starts[i + n] - 1 : text.size();
    return std::string_view(text).substr(starts[i], end - starts[i]);
  }
};

constexpr std::size_t kOrders = 4;
using Counts = std::unordered_map<std::string_view, std::size_t>;

// How often each n-gram of order n occurs in s.
Counts count_ngrams(const Segment& s, std::size_t n) {
  Counts c;
  for (std::size_t i = 0; i + n <= s.length(); ++i) ++c[s.ngram(i, n)];
  return c;
}

// The reference length closest to hyp_len, the shorter on a tie.
std::size_t closest_length(std::size_t hyp_len, const std::vector<Segment>& refs) {
  const auto distance = [hyp_len](std::size_t r) {
    return r > hyp_len ? r - hyp_len : hyp_len - r;
  };
  std::size_t best = refs.front().length();
  for (const Segment& r : refs) {
    const std::size_t len = r.length();
    if (distance(len) < distance(best) || (distance(len) == distance(best) && len < best))
      best = len;
  }
  return best;
}

}  // namespace

std::string tokenize_13a(const std::string& input) {
  std::string line = input;
  replace_all(line, "<skipped>", "");
  replace_all(line, "-\n", "");
  replace_all(line, "\n", " ");
  if (line.find('&') != std::string::npos) {
    replace_all(line, "&quot;", "\"");
    replace_all(line, "&amp;", "&");
    replace_all(line, "&lt;", "<");
    replace_all(line, "&gt;", ">");
  }
  std::string spaced = " ";
  spaced.reserve(line.size() * 2 + 2);
  for (char c : line) {
    if (is_spaced_symbol(c))
      spaced.append(1, ' ').append(1, c).append(1, ' ');
    else
      spaced += c;
  }
  spaced += ' ';
  spaced = sub_pairs(spaced, not_digit, is_period_or_comma, "", " ", " ");
  spaced = sub_pairs(spaced, is_period_or_comma, not_digit, " ", " ", "");
  spaced = sub_pairs(spaced, is_digit, is_hyphen, "", " ", " ");
  return single_spaced(spaced);
}

SacreBleu sacrebleu_corpus(const std::vector<std::string>& hypotheses,
                           const std::vector<std::vector<std::string>>& refs) {
  if (refs.empty()) throw std::invalid_argument("sacreBLEU: no reference stream");
  for (std::size_t k = 0; k < refs.size(); ++k)
    if (refs[k].size() != hypotheses.size())
      throw std::invalid_argument("sacreBLEU: " + std::to_string(hypotheses.size()) +
                                  " hypotheses but " + std::to_string(refs[k].size()) +
                                  " references in reference stream " + std::to_string(k + 1));
  SacreBleu b;
  b.signature = sacrebleu_signature(refs.size());
  for (std::size_t i = 0; i < hypotheses.size(); ++i) {
    const Segment hyp(hypotheses[i]);
    std::vector<Segment> ref_segments;
    for (const auto& stream : refs) ref_segments.emplace_back(stream[i]);
    b.sys_len += hyp.length();
    b.ref_len += closest_length(hyp.length(), ref_segments);
    for (std::size_t n = 1; n <= kOrders; ++n) {
      Counts most;  // each n-gram's largest count in any one reference
      for (const Segment& r : ref_segments)
        for (const auto& [gram, count] : count_ngrams(r, n))
          most[gram] = std::max(most[gram], count);
      for (const auto& [gram, count] : count_ngrams(hyp, n)) {
        const auto it = most.find(gram);
        if (it != most.end()) b.correct[n - 1] += std::min(count, it->second);
        b.total[n - 1] += count;
      }
    }
  }
  const auto sys = static_cast<double>(b.sys_len), ref = static_cast<double>(b.ref_len);
  b.bp = b.sys_len >= b.ref_len ? 1.0 : b.sys_len > 0 ? std::exp(1.0 - ref / sys) : 0.0;
  b.ratio = b.ref_len > 0 ? sys / ref : 0.0;
  if (std::all_of(b.correct.begin(), b.correct.end(), [](std::size_t c) { return c == 0; }))
    return b;  // sacreBLEU's early exit: score and precisions 0
  // In sacreBLEU's order of operations, so that the doubles agree to the bit.
  double smooth = 1.0, log_sum = 0.0;
  for (std::size_t n = 0; n < kOrders && b.total[n] > 0; ++n) {
    const auto total = static_cast<double>(b.total[n]);
    if (b.correct[n] == 0) {
      smooth *= 2;
      b.precisions[n] = 100.0 / (smooth * total);
    } else {
      b.precisions[n] = 100.0 * static_cast<double>(b.correct[n]) / total;
    }
  }
  for (double p : b.precisions) log_sum += p == 0.0 ? -9999999999.0 : std::log(p);
  b.score = b.bp * std::exp(log_sum / static_cast<double>(kOrders));
  return b;
}

SacreBleu sacrebleu_corpus(const std::vector<std::string>& hypotheses,
                           const std::vector<std::string>& refs) {
  return sacrebleu_corpus(hypotheses, std::vector<std::vector<std::string>>{refs});
}

std::string sacrebleu_signature(std::size_t nrefs) {
  return "nrefs:" + std::to_string(nrefs) +
         "|case:mixed|eff:no|tok:13a|smooth:exp|version:attnlab-" + kVersion;
}

std::string sacrebleu_summary(const SacreBleu& b) {
  // printf rounds the exact binary value to nearest, ties to even, as Python's
  // format does
  char text[256];
  std::snprintf(text, sizeof text,
                "BLEU = %.2f %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %zu "
                "ref_len = %zu)",
                b.score, b.precisions[0], b.precisions[1], b.precisions[2], b.precisions[3], b.bp,
                b.ratio, b.sys_len, b.ref_len);
  return text;
}

}  // namespace attnlab
