// read_tsv on any bytes: pairs or DataError, nothing else; what it accepts
// survives write_tsv and a second read unchanged.
#include "data/corpus.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace attnlab;
  ReadResult r;
  try {
    r = read_tsv(fuzz::as_file(data, size));
  } catch (const DataError&) {
    return 0;
  }
  const std::string again = fuzz::as_file(data, 0) + ".out";
  write_tsv(again, r.pairs);
  const ReadResult back = read_tsv(again);
  if (back.pairs.size() != r.pairs.size()) __builtin_trap();
  for (std::size_t i = 0; i < r.pairs.size(); ++i)
    if (back.pairs[i].src != r.pairs[i].src || back.pairs[i].tgt != r.pairs[i].tgt)
      __builtin_trap();
  return 0;
}
