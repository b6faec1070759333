// The error of reading or writing a checkpoint's files (.npy arrays,
// config.json, optimizer and schedule state, the directory itself).
#pragma once

#include <stdexcept>

namespace attnlab {

// Any checkpoint read or write failure; the message names the offending file.
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace attnlab
