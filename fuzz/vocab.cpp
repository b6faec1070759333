// Vocab::load on any bytes: a vocabulary or VocabError; one it accepts saves
// and loads back the same, token for token.
#include "data/vocab.hpp"

#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnlab;
  Vocab v;
  try {
    v = Vocab::load(fuzz::as_file(data, size));
  } catch (const VocabError&) {
    return 0;
  }
  const std::string again = fuzz::as_file(data, 0) + ".vocab";
  v.save(again);
  const Vocab w = Vocab::load(again);
  if (w.size() != v.size()) __builtin_trap();
  for (std::size_t i = 0; i < v.size(); ++i)
    if (w.token(static_cast<Index>(i)) != v.token(static_cast<Index>(i))) __builtin_trap();
  return 0;
}
