// What the fuzz targets share: the input as a file, since the readers take
// paths, and the rule that a refusal (a documented exception) is a pass.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace attnlab::fuzz {

// The input written to a file of this process's own, returned by path.
inline std::string as_file(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/attnlab-fuzz-" + std::to_string(::getpid());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace attnlab::fuzz
