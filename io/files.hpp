// Whole files read and written with errors that say which file and why.
#pragma once

#include <cstddef>
#include <string>

#include "io/error.hpp"

namespace attnlab {

// A whole file of at most `most` bytes; `what` names what it should be, for
// the messages ("config", ".npy file"). Only regular files: a FIFO, a device
// (/dev/zero) or a directory is named as such, never read without end.
// Throws CheckpointError naming path.
std::string read_file(const std::string& path, const std::string& what, std::size_t most);

// Creates or truncates path and writes bytes to it, with POSIX calls so that
// the reason of a failure (a full disk: "No space left on device") reaches
// the CheckpointError's message.
void write_file(const std::string& path, const std::string& bytes);

}  // namespace attnlab
