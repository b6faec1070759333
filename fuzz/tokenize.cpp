// Every tokenizer on any bytes: tokens or std::invalid_argument (invalid
// UTF-8); no token is ever empty.
#include <stdexcept>

#include "data/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const std::string& name : attnlab::tokenizer_names()) {
    try {
      for (const std::string& t : attnlab::tokenize(name, text))
        if (t.empty()) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
