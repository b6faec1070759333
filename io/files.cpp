// Whole-file reads and writes whose errors name the file and the reason.
#include "io/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/text_io.hpp"

namespace attnlab {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw CheckpointError(path + ": " + what);
}

}  // namespace

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

}  // namespace attnlab
