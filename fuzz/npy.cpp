// load_npy on any bytes: an array or CheckpointError; an array it accepts
// saves and loads back bit for bit.
#include "io/npy.hpp"

#include <cstring>

#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnlab;
  Array<float> a;
  try {
    a = load_npy(fuzz::as_file(data, size));
  } catch (const CheckpointError&) {
    return 0;
  }
  const std::string again = fuzz::as_file(data, 0) + ".npy";
  save_npy(again, a);
  const Array<float> b = load_npy(again);
  if (a.shape() != b.shape() ||
      (a.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) != 0))
    __builtin_trap();
  return 0;
}
