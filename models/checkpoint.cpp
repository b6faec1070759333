// Checkpoint reading and writing: the .npy codec, the config.json mapping, and
// the atomic directory swap (write a sibling temp dir, fsync, renameat2).
#include "models/checkpoint.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>  // renameat2, RENAME_EXCHANGE (glibc, with _GNU_SOURCE)
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <string_view>
#include <system_error>

#include "data/text_io.hpp"

namespace attnlab {

namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------- files

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

// A whole file of at most `most` bytes. Only regular files: a FIFO, a device
// (/dev/zero) or a directory is named as such, never read without end.
std::string read_file(const std::string& path, const std::string& what, std::size_t most) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::exists(st) && !fs::is_regular_file(st))
    fail(path, std::string(fs::is_directory(st) ? "a directory" : "not a regular file") +
                   ", not a " + what);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open " + what + ": " + std::strerror(errno));
  std::string text;
  if (!read_at_most(in, most, text))
    fail(path, "larger than " + std::to_string(most >> 20) + " MiB; not a " + what);
  if (in.bad()) fail(path, "read failed");
  return text;
}

// POSIX calls, so that the reason of a failure (a full disk: "No space left
// on device") reaches the message.
void write_file(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, std::string("cannot open for writing: ") + std::strerror(errno));
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      fail(path, std::string("write failed: ") + std::strerror(err));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail(path, std::string("write failed: ") + std::strerror(errno));
}

// fsync on a read-only descriptor is enough on Linux, for files and dirs.
// EINVAL means the filesystem has nothing to sync (e.g. tmpfs-like ones).
void fsync_path(const fs::path& p, bool directory) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0));
  if (fd < 0) fail(p.string(), std::string("cannot open to sync: ") + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL)
    fail(p.string(), std::string("fsync failed: ") + std::strerror(err));
}

void fsync_tree(const fs::path& root) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status();
    if (fs::is_directory(st))
      fsync_path(it->path(), true);
    else if (fs::is_regular_file(st))
      fsync_path(it->path(), false);
  }
  if (ec) fail(root.string(), "cannot list for syncing: " + ec.message());
  fsync_path(root, true);
}

// ---------------------------------------------------------------- npy

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

// ---------------------------------------------------------------- config

const nlohmann::json* find_key(const nlohmann::json& j, const char* key, bool required,
                               const std::string& path) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) fail(path, std::string("missing key '") + key + "'");
    return nullptr;
  }
  return &*it;
}

void read_string(const nlohmann::json& j, const char* key, bool required, const std::string& path,
                 std::string& out) {
  const nlohmann::json* v = find_key(j, key, required, path);
  if (!v) return;
  if (!v->is_string())
    fail(path, std::string("key '") + key + "' must be a string, got " + v->dump());
  out = v->get<std::string>();
}

template <class U>
void read_unsigned(const nlohmann::json& j, const char* key, bool required, const std::string& path,
                   U& out) {
  const nlohmann::json* v = find_key(j, key, required, path);
  if (!v) return;
  // A json built in code holds 32 as a signed integer; a parsed one, unsigned.
  const bool ok =
      v->is_number_unsigned() || (v->is_number_integer() && v->get<std::int64_t>() >= 0);
  if (!ok || v->get<std::uint64_t>() > std::numeric_limits<U>::max())
    fail(path, std::string("key '") + key + "' must be a non-negative integer, got " + v->dump());
  out = static_cast<U>(v->get<std::uint64_t>());
}

// ---------------------------------------------------------------- save

// "ckpt/" and "ckpt" name the same directory; its last component is what the
// temporary sibling is named after.
fs::path checkpoint_path(const std::string& dir) {
  fs::path p = fs::path(dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  const std::string name = p.filename().string();
  if (name.empty() || name == "." || name == "..")
    fail(dir, "not a usable checkpoint directory name");
  return p;
}

std::atomic<unsigned long> tmp_counter{0};

// What is at dir now must be safe to replace: nothing, an empty directory,
// or a checkpoint. A symlink to a directory is followed, keeping the link.
// Returns the path the checkpoint goes to.
fs::path usable_target(const std::string& dir) {
  fs::path target = checkpoint_path(dir);
  std::error_code ec;
  fs::file_status st = fs::symlink_status(target, ec);
  if (fs::is_symlink(st)) {
    const fs::path real = fs::canonical(target, ec);
    if (ec || !fs::is_directory(real))
      fail(dir, "is a symlink that does not lead to a directory; refusing to replace it");
    target = real;
    st = fs::symlink_status(target, ec);
  }
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) fail(dir, "exists and is not a directory; refusing to replace it");
    const bool empty = fs::is_empty(target, ec);
    if (ec) fail(dir, "cannot read the existing directory: " + ec.message());
    if (!empty && !fs::is_regular_file(target / "config.json"))
      fail(dir,
           "exists and is not a checkpoint directory (no config.json); refusing to replace it");
  }
  return target;
}

// "TARGET.tmp-PID-N" directories whose process is gone: saves it never
// finished (killed, power lost). Another live process's are left alone.
void remove_stale_temporaries(const fs::path& target) {
  std::error_code ec;
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  const std::string prefix = target.filename().string() + ".tmp-";
  for (fs::directory_iterator it(parent, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos ||
        rest.find_first_not_of("0123456789-") != std::string::npos)
      continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
}

// Removes `path` on scope exit: the temporary directory of an unfinished save
// or, once the swap is done, the old copy it now holds.
struct RemoveOnExit {
  fs::path path;
  ~RemoveOnExit() {
    if (path.empty()) return;
    std::error_code ec;
    fs::remove_all(path, ec);  // best effort: nothing useful to do on failure
  }
};

void check_param_name(const std::string& dir, const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    fail(dir, "parameter name '" + name + "' cannot be a file name");
}

// Puts tmp in place of target. Returns the path now holding the old copy (to
// delete), or empty if there was none.
fs::path install(const fs::path& tmp, const fs::path& target, const std::string& dir) {
  std::error_code ec;
  const bool replacing = fs::exists(fs::symlink_status(target, ec));
  if (!replacing) {
    if (::rename(tmp.c_str(), target.c_str()) != 0)
      fail(dir, std::string("cannot move the new checkpoint into place: ") + std::strerror(errno));
    return {};
  }
#ifdef RENAME_EXCHANGE
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0)
    return tmp;
  if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
    fail(dir, std::string("cannot swap the new checkpoint into place: ") + std::strerror(errno));
#endif
  // No atomic exchange here: move the old copy aside, then the new one in.
  // Between the two renames dir is briefly absent, but never half-written.
  fs::path old = tmp;
  old += ".old";
  if (::rename(target.c_str(), old.c_str()) != 0)
    fail(dir, std::string("cannot move the old checkpoint aside: ") + std::strerror(errno));
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    const int err = errno;
    (void)::rename(old.c_str(), target.c_str());  // put the old one back
    fail(dir, std::string("cannot move the new checkpoint into place: ") + std::strerror(err));
  }
  return old;
}

}  // namespace

// ---------------------------------------------------------------- npy API

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

// ---------------------------------------------------------------- config API

nlohmann::json config_to_json(const ModelConfig& c) {
  return nlohmann::json{{"model", c.model},
                        {"cell", c.cell},
                        {"score", c.score},
                        {"src_tokenizer", c.src_tokenizer},
                        {"tgt_tokenizer", c.tgt_tokenizer},
                        {"embed", c.embed},
                        {"hidden", c.hidden},
                        {"decoder_hidden", c.D()},
                        {"attention_hidden", c.attention_hidden},
                        {"decoder_init", c.decoder_init},
                        {"max_source_length", c.max_source_length},
                        {"src_vocab", c.src_vocab},
                        {"tgt_vocab", c.tgt_vocab},
                        {"seed", c.seed}};
}

ModelConfig config_from_json(const nlohmann::json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "must hold a JSON object, got " + std::string(j.type_name()));
  ModelConfig c;
  read_string(j, "model", true, path, c.model);
  read_string(j, "cell", false, path, c.cell);  // checkpoints before GRU: lstm
  read_string(j, "score", true, path, c.score);
  read_string(j, "src_tokenizer", true, path, c.src_tokenizer);
  read_string(j, "tgt_tokenizer", true, path, c.tgt_tokenizer);
  read_unsigned(j, "embed", true, path, c.embed);
  read_unsigned(j, "hidden", true, path, c.hidden);
  read_unsigned(j, "decoder_hidden", true, path, c.decoder_hidden);
  read_unsigned(j, "attention_hidden", true, path, c.attention_hidden);
  read_string(j, "decoder_init", true, path, c.decoder_init);
  read_unsigned(j, "max_source_length", false, path, c.max_source_length);
  read_unsigned(j, "src_vocab", false, path, c.src_vocab);
  read_unsigned(j, "tgt_vocab", false, path, c.tgt_vocab);
  read_unsigned(j, "seed", false, path, c.seed);
  return c;
}

// ---------------------------------------------------------------- checkpoints

void check_save_target(const std::string& dir) {
  const fs::path target = usable_target(dir);
  // the nearest directory that exists must let us create the checkpoint in it
  fs::path p = target.parent_path();
  std::error_code ec;
  while (!p.empty() && !fs::exists(p, ec)) p = p.parent_path();
  if (p.empty()) p = ".";
  if (!fs::is_directory(p, ec))
    fail(dir, "cannot be created: '" + p.string() + "' is not a directory");
  if (::access(p.c_str(), W_OK | X_OK) != 0)
    fail(dir,
         "cannot be created: '" + p.string() + "' is not writable (" + std::strerror(errno) + ")");
}

std::size_t count_nonfinite(const Array<float>& a) {
  std::size_t n = 0;
  for (float x : a) n += !std::isfinite(x);
  return n;
}

void save_checkpoint(const std::string& dir, const ModelConfig& config, const Vocab& src,
                     const Vocab& tgt,
                     const std::vector<std::pair<std::string, const Array<float>*>>& params,
                     const nlohmann::json& extra_config,
                     const std::function<void(const std::string& tmp_dir)>& write_extra) {
  // A diverged model must never replace a good checkpoint.
  for (const auto& [name, value] : params)
    if (const std::size_t bad = count_nonfinite(*value))
      fail(dir, "not saved: parameter " + name + " holds " + std::to_string(bad) + " of " +
                    std::to_string(value->size()) +
                    " values that are NaN or infinite; what was there is untouched");
  const fs::path target = usable_target(dir);
  std::error_code ec;
  remove_stale_temporaries(target);

  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  fs::create_directories(parent, ec);
  if (ec || !fs::is_directory(parent))
    fail(dir, "cannot create the parent directory '" + parent.string() +
                  "': " + (ec ? ec.message() : std::string("not a directory")));

  // A fresh sibling: same filesystem, so the final rename is atomic.
  RemoveOnExit guard;
  for (int attempt = 0; guard.path.empty(); ++attempt) {
    fs::path tmp = target;
    tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(tmp_counter++);
    if (fs::create_directory(tmp, ec)) {
      guard.path = tmp;
    } else if (ec || attempt > 1000) {
      fail(dir, "cannot create the temporary directory '" + tmp.string() +
                    "': " + (ec ? ec.message() : std::string("exists")));
    }
  }
  const fs::path tmp = guard.path;

  try {
    if (!extra_config.is_null() && !extra_config.is_object())
      fail(dir, "extra config must be a JSON object");
    nlohmann::json j = extra_config.is_object() ? extra_config : nlohmann::json::object();
    const nlohmann::json model_keys = config_to_json(config);
    for (auto& [key, value] : model_keys.items()) j[key] = value;
    write_file((tmp / "config.json").string(), j.dump(2) + "\n");

    auto save_vocab = [&](const Vocab& vocab, const char* name) {
      try {
        vocab.save((tmp / name).string());
      } catch (const VocabError& e) {
        fail((target / name).string(), std::string("cannot save: ") + e.what());
      }
    };
    save_vocab(src, "src_vocab.txt");
    save_vocab(tgt, "tgt_vocab.txt");

    std::set<std::string> seen;
    for (const auto& [name, value] : params) {
      check_param_name(dir, name);
      if (!seen.insert(name).second) fail(dir, "parameter '" + name + "' given twice");
      if (!value) fail(dir, "parameter '" + name + "' has no value");
      save_npy((tmp / (name + ".npy")).string(), *value);
    }

    if (write_extra) write_extra(tmp.string());

    fsync_tree(tmp);
    const fs::path old = install(tmp, target, dir);
    guard.path = old;  // now deletes the old copy, if any
    fsync_path(parent, true);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& e) {
    fail(dir, std::string("save failed: ") + e.what());
  }
}

CheckpointData load_checkpoint(const std::string& dir) {
  const fs::path d(dir);
  std::error_code ec;
  const fs::file_status st = fs::status(d, ec);
  if (!fs::exists(st)) fail(dir, "no such checkpoint directory");
  if (!fs::is_directory(st)) fail(dir, "is not a directory (a checkpoint is a directory)");

  CheckpointData data;
  const std::string config_path = (d / "config.json").string();
  if (!fs::exists(d / "config.json")) fail(config_path, "missing (every checkpoint has one)");
  const std::string text = read_file(config_path, "config", std::size_t(64) << 20);
  try {
    data.config_json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail(config_path, std::string("invalid JSON: ") + e.what());
  }
  data.config = config_from_json(data.config_json, config_path);

  // The vocabulary files decide the vocabulary sizes; config.json must agree.
  auto load_vocab = [&](const char* file, const char* key, std::size_t& size) {
    const std::string path = (d / file).string();
    if (!fs::exists(d / file)) fail(path, "missing (every checkpoint has one)");
    Vocab v;
    try {
      v = Vocab::load(path);
    } catch (const VocabError& e) {
      throw CheckpointError(e.what());  // already names the file and line
    }
    if (data.config_json.contains(key) && size != v.size())
      fail(config_path, std::string("key '") + key + "' is " + std::to_string(size) + " but " +
                            path + " holds " + std::to_string(v.size()) + " tokens");
    size = v.size();
    return v;
  };
  data.src_vocab = load_vocab("src_vocab.txt", "src_vocab", data.config.src_vocab);
  data.tgt_vocab = load_vocab("tgt_vocab.txt", "tgt_vocab", data.config.tgt_vocab);

  for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    const std::string suffix = ".npy";
    if (file.size() <= suffix.size() || file.compare(file.size() - 4, 4, suffix) != 0) continue;
    // not skipped when it is not a regular file: load_npy says what it is
    data.params[file.substr(0, file.size() - suffix.size())] = load_npy(it->path().string());
  }
  if (ec) fail(dir, "cannot list the checkpoint directory: " + ec.message());
  return data;
}

}  // namespace attnlab
