// Built-in synthetic tasks (addition, copy, dates, reverse, sort): source ->
// target pairs generated on the spot, the same for the same seed everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "data/alignment.hpp"
#include "data/corpus.hpp"

namespace attnlab {

// The tasks, all "char"-tokenized on both sides, and what each one shows:
//
// "copy": a random string of the letters a..t (20 letters), length uniform in
//   [min_len, max_len] (default 3..15) -> the same string. The easiest task:
//   a baseline for the others.
// "reverse": the same inputs -> the letters in reverse order. Plain seq2seq
//   must squeeze the whole input into one vector and emit its start last, so
//   it degrades as inputs grow; attention can look at position Tx - t when
//   writing token t, and its weights show a clean anti-diagonal.
// "sort": the same inputs -> the letters sorted ("dbca" -> "abcd"). Output
//   position and input position are unrelated: attention must find the next
//   smallest letter by content, not by position. The output depends only on
//   the letter counts, which fit in one vector, so plain seq2seq degrades
//   far more gently here than on "reverse", and unevenly from run to run
//   (BENCHMARKS.md).
// "addition": "A+B" -> the decimal sum, where A and B each have a digit
//   count uniform in [min_len, max_len] (default 1..4), are uniform among the
//   numbers with that many digits, and have no leading zeros (except "0").
//   Needs carries, read right to left while the target is written left to
//   right: attention has to align digits of equal weight.
// "dates": a date in one of 15 human-readable formats -> ISO "YYYY-MM-DD".
//   Dates are uniform over 1950-01-01..2049-12-31 (every calendar day equally
//   likely), each pair's format uniform over these 15 (shown for 1998-05-03,
//   a Sunday; 6 and 7 use the month's first three letters, shown for
//   September):
//      0 "3 May 1998"        5 "MAY 3, 1998"          10 "3rd of May 1998"
//      1 "03 May 1998"       6 "3 Sep 1998"           11 "May 3rd, 1998"
//      2 "May 3, 1998"       7 "Sep 3, 1998"          12 "1998/05/03"
//      3 "May 03 1998"       8 "Sunday, May 3, 1998"  13 "03.05.1998"
//      4 "3 may 1998"        9 "Sun 3 May 1998"       14 "1998 May 3"
//   Every format is unambiguous (numeric ones are year-first or always
//   day.month.year); weekdays and ordinal suffixes (1st 2nd 3rd 4th 11th 12th
//   13th 21st 22nd 23rd 31st) are right. A model must learn to reorder fields
//   and map month names to numbers: attention aligns each output digit with
//   the field it comes from. min_len/max_len do not apply and are refused.

// 0 in a field means the task's default.
struct TaskOptions {
  std::size_t min_len = 0, max_len = 0;
};

struct TaskInfo {
  std::string name, description, src_tokenizer, tgt_tokenizer;
  std::size_t default_min_len, default_max_len;  // 0, 0 for "dates" (not applicable)
};

// All tasks, sorted by name.
const std::vector<TaskInfo>& task_list();

// std::invalid_argument "unknown task 'x' (known: addition, copy, dates,
// reverse, sort)" for an unknown name.
const TaskInfo& task_info(const std::string& name);

// n pairs of the task (line = 0, alignment = task_alignment), drawn from std::mt19937_64(seed) with
// our own integer draws (draw_below), so identical on every machine. Refuses with
// std::invalid_argument naming the option: n == 0 (--n), min_len > max_len
// after defaults (--min-len/--max-len), max_len above 10000 (--max-len), any
// length given for "dates" (--min-len/--max-len).
std::vector<TextPair> make_task(const std::string& name, std::size_t n, std::uint64_t seed,
                                const TaskOptions& opts = {});

// The gold alignment of a pair the task makes (src and tgt as make_task
// writes them; positions are characters, the tasks' tokens):
//   copy, reverse: target i comes from source i, or Tx - 1 - i (sure).
//   sort: target i may come from any source position holding its letter
//     (possible; sure when the letter occurs once).
//   dates: the characters the output copies are sure links: the year's
//     digits, the day's digits (right-aligned: "3" gives the day's second
//     digit) and, in the numeric formats, the month's. Possible beyond them:
//     the day's padding "0" with a one-digit day, and the month's digits with
//     every letter of a month name.
//   addition: none (std::nullopt): a sum's digits come from several places.
// A pair the task could not have made throws std::invalid_argument.
std::optional<Alignment> task_alignment(const std::string& name, const TextPair& pair);

}  // namespace attnlab
