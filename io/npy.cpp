// The .npy codec: numpy's exact header bytes on writing, a strict parser of
// the header's Python dict literal on reading.
#include "io/npy.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string_view>

#include "io/files.hpp"

namespace attnlab {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

constexpr char npy_magic[] = "\x93NUMPY";
constexpr std::size_t npy_magic_len = 6;
constexpr std::size_t npy_align = 64;
constexpr std::size_t npy_growth_digits = 21;  // numpy's GROWTH_AXIS_MAX_DIGITS

void put_le(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint64_t get_le(const std::string& s, std::size_t pos, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[pos + i])) << (8 * i);
  return v;
}

// numpy's _write_array_header: sorted keys, repr'd values, a trailing ", ",
// and spare spaces after it so the first axis can grow in place.
std::string npy_dict(const Shape& shape) {
  std::string d = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) d += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) d += ',';
  d += "), }";
  if (!shape.empty()) d += std::string(npy_growth_digits - std::to_string(shape[0]).size(), ' ');
  return d;
}

// numpy's _wrap_header: pad with spaces and a final '\n' so the data starts
// at a multiple of 64 (a full 64 spaces when already aligned, as numpy does).
std::string npy_wrap(const std::string& dict) {
  for (int version = 1; version <= 2; ++version) {
    const std::size_t len_bytes = version == 1 ? 2 : 4;
    const std::size_t hlen = dict.size() + 1;
    const std::size_t pad = npy_align - (npy_magic_len + 2 + len_bytes + hlen) % npy_align;
    if (version == 1 && hlen + pad > 0xffff) continue;
    std::string out(npy_magic, npy_magic_len);
    out += static_cast<char>(version);
    out += '\0';
    put_le(out, hlen + pad, static_cast<int>(len_bytes));
    return out + dict + std::string(pad, ' ') + '\n';
  }
  throw std::logic_error("unreachable");
}

// A strict reader of the header's Python dict literal: string keys; values
// that are strings, True/False or tuples of non-negative integers.
class NpyHeaderParser {
 public:
  struct Value {
    enum Kind { str, boolean, tuple } kind = str;
    std::string s;
    bool b = false;
    Shape t;
  };

  NpyHeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  std::map<std::string, Value> parse() {
    std::map<std::string, Value> dict;
    ws();
    expect('{');
    for (;;) {
      ws();
      if (peek() == '}') break;
      const std::string key = string_literal();
      ws();
      expect(':');
      ws();
      Value v = value();
      if (!dict.emplace(key, std::move(v)).second) bad("duplicate key '" + key + "'");
      ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != '}') bad("expected ',' or '}'");
    }
    ++pos_;
    ws();
    if (pos_ != text_.size()) bad("unexpected text after the closing '}'");
    return dict;
  }

 private:
  [[noreturn]] void bad(const std::string& what) const {
    fail(path_, "unparseable .npy header (" + what + " at offset " + std::to_string(pos_) +
                    "): " + printable(text_));
  }
  static std::string printable(std::string_view s) {
    std::string out;
    for (char c : s.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r'))
      ++pos_;
  }
  void expect(char c) {
    if (peek() != c) bad(std::string("expected '") + c + "'");
    ++pos_;
  }
  std::string string_literal() {
    const char q = peek();
    if (q != '\'' && q != '"') bad("expected a quoted string");
    const std::size_t end = text_.find(q, pos_ + 1);
    if (end == std::string_view::npos) bad("unterminated string");
    std::string s(text_.substr(pos_ + 1, end - pos_ - 1));
    if (s.find('\\') != std::string::npos) bad("escapes in strings are not supported");
    pos_ = end + 1;
    return s;
  }
  std::size_t integer() {
    if (!(peek() >= '0' && peek() <= '9')) bad("expected a non-negative integer");
    std::size_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const std::size_t digit = static_cast<std::size_t>(peek() - '0');
      if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10) bad("integer too large");
      v = v * 10 + digit;
      ++pos_;
    }
    if (peek() == 'L') ++pos_;  // Python 2 longs, as old numpy files have
    return v;
  }
  bool keyword(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  Value value() {
    Value v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = Value::str;
      v.s = string_literal();
    } else if (keyword("True")) {
      v.kind = Value::boolean;
      v.b = true;
    } else if (keyword("False")) {
      v.kind = Value::boolean;
      v.b = false;
    } else if (c == '(') {
      // (), (3,), (2, 5), (2, 5,): a trailing comma is optional except for one
      // element, where Python requires it.
      v.kind = Value::tuple;
      ++pos_;
      ws();
      bool comma_after_last = false;
      while (peek() != ')') {
        v.t.push_back(integer());
        ws();
        comma_after_last = false;
        if (peek() == ',') {
          ++pos_;
          ws();
          comma_after_last = true;
        } else if (peek() != ')') {
          bad("expected ',' or ')' in the shape");
        }
      }
      if (v.t.size() == 1 && !comma_after_last) bad("(n) is not a tuple; want (n,)");
      ++pos_;
    } else {
      bad("unsupported value");
    }
    return v;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  const std::string& path_;
};

}  // namespace

void save_npy(const std::string& path, const Array<float>& a) {
  const Shape shape(a.shape().begin(), a.shape().end());
  std::string bytes = npy_wrap(npy_dict(shape));
  bytes.reserve(bytes.size() + 4 * a.size());
  for (float x : a) {  // row-major traversal = C order
    std::uint32_t u;
    std::memcpy(&u, &x, 4);
    put_le(bytes, u, 4);
  }
  write_file(path, bytes);
}

Array<float> load_npy(const std::string& path) {
  const std::string bytes =
      read_file(path, ".npy file", std::size_t(1) << 36);  // regular files only
  if (bytes.size() < npy_magic_len + 2 || bytes.compare(0, npy_magic_len, npy_magic) != 0)
    fail(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]),
            minor = static_cast<unsigned char>(bytes[7]);
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    fail(path, "unsupported .npy version " + std::to_string(major) + "." + std::to_string(minor));
  const int len_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = 8 + static_cast<std::size_t>(len_bytes);
  if (bytes.size() < prefix) fail(path, "truncated .npy header");
  const std::size_t header_len = get_le(bytes, 8, len_bytes);
  if (header_len > bytes.size() - prefix) fail(path, "truncated .npy header");

  const auto dict =
      NpyHeaderParser(std::string_view(bytes).substr(prefix, header_len), path).parse();
  for (const char* key : {"descr", "fortran_order", "shape"})
    if (!dict.count(key)) fail(path, std::string(".npy header lacks the key '") + key + "'");
  if (dict.size() != 3) fail(path, ".npy header has keys besides descr, fortran_order, shape");
  const auto& descr = dict.at("descr");
  const auto& fortran = dict.at("fortran_order");
  const auto& shape_v = dict.at("shape");
  if (descr.kind != descr.str) fail(path, ".npy descr is not a dtype string");
  if (descr.s != "<f4")
    fail(path, "unsupported dtype '" + descr.s + "' (want '<f4', little-endian float32)");
  if (fortran.kind != fortran.boolean) fail(path, ".npy fortran_order is not True or False");
  if (fortran.b) fail(path, "fortran_order is True; only C-order arrays are supported");
  if (shape_v.kind != shape_v.tuple) fail(path, ".npy shape is not a tuple");

  const Shape& shape = shape_v.t;
  std::size_t n = 1;
  for (std::size_t d : shape) {
    if (d != 0 && n > std::numeric_limits<std::size_t>::max() / 4 / d)
      fail(path, "shape " + shape_str(shape) + " is too large");
    n *= d;
  }
  const std::size_t have = bytes.size() - prefix - header_len;
  if (have < 4 * n)
    fail(path, "truncated: shape " + shape_str(shape) + " needs " + std::to_string(4 * n) +
                   " data bytes, the file holds " + std::to_string(have));
  if (have > 4 * n)
    fail(path, "shape " + shape_str(shape) + " needs " + std::to_string(4 * n) +
                   " data bytes, the file holds " + std::to_string(have) + " (trailing data)");

  Array<float> a = Array<float>::from_shape(shape);
  std::size_t pos = prefix + header_len;
  for (float& x : a) {
    const auto u = static_cast<std::uint32_t>(get_le(bytes, pos, 4));
    std::memcpy(&x, &u, 4);
    pos += 4;
  }
  return a;
}

}  // namespace attnlab
