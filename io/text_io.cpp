#include "io/text_io.hpp"

#include <stdexcept>
#include <streambuf>

namespace attnlab {

bool getline_bounded(std::istream& in, std::string& line, const std::string& where,
                     std::size_t line_no, std::size_t max_bytes) {
  line.clear();
  std::streambuf* buf = in.rdbuf();
  if (!in.good() || !buf) return false;
  using Traits = std::streambuf::traits_type;
  for (;;) {
    const Traits::int_type c = buf->sbumpc();
    if (Traits::eq_int_type(c, Traits::eof())) {
      in.setstate(std::ios::eofbit);
      return !line.empty();
    }
    if (Traits::to_char_type(c) == '\n') return true;
    if (line.size() == max_bytes)
      throw std::length_error(where + ":" + std::to_string(line_no) + ": a line longer than " +
                              std::to_string(max_bytes) + " bytes; not a text file?");
    line.push_back(Traits::to_char_type(c));
  }
}

bool read_at_most(std::istream& in, std::size_t max_bytes, std::string& text) {
  text.clear();
  char chunk[1 << 16];
  while (text.size() <= max_bytes && in.read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
  if (text.size() <= max_bytes) return true;
  text.resize(max_bytes + 1);
  return false;
}

}  // namespace attnlab
