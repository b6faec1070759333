// NumPy's .npy format for float32 arrays: what a checkpoint's parameters and
// optimizer buffers are stored as.
#pragma once

#include <string>

#include "autograd/array.hpp"
#include "io/error.hpp"

namespace attnlab {

// NumPy .npy, version 1.0 (2.0 if the header needs it), '<f4', C order,
// byte-for-byte what numpy.save writes for a float32 array.
void save_npy(const std::string& path, const Array<float>& a);
// Reads .npy versions 1.0, 2.0 and 3.0 holding '<f4' in C order; anything
// else, and data shorter or longer than the shape, is refused
// (CheckpointError naming path).
Array<float> load_npy(const std::string& path);

}  // namespace attnlab
