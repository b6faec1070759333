// Reading text with a bound: whatever a user points attnlab at (/dev/zero, a
// binary file, an endless pipe) is refused after a bounded amount, never read
// until memory runs out.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace attnlab {

// Longer than this is not a line of text (1 MiB).
constexpr std::size_t kMaxLineBytes = std::size_t(1) << 20;

// std::getline that stops at max_bytes: false at the end of input; true with
// the line (without its '\n') otherwise; throws std::length_error naming
// where:line_no when a line runs past max_bytes.
bool getline_bounded(std::istream& in, std::string& line, const std::string& where,
                     std::size_t line_no, std::size_t max_bytes = kMaxLineBytes);

// All of in into text, unless it holds more than max_bytes: then false, with
// text holding the first max_bytes + 1.
bool read_at_most(std::istream& in, std::size_t max_bytes, std::string& text);

}  // namespace attnlab
