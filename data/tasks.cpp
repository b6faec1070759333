// The synthetic tasks' generators: letter strings (copy, reverse, sort),
// addition, and dates in many formats, all drawn with draw_below.
#include "data/tasks.hpp"

#include <algorithm>
#include <random>
#include <stdexcept>

namespace attnlab {

namespace {

constexpr std::size_t max_allowed_len = 10000;  // keeps a typo from exhausting memory

const std::vector<TaskInfo>& tasks() {
  static const std::vector<TaskInfo> list = {
      {"addition", "\"A+B\" -> the decimal sum; A and B have min_len..max_len digits", "char",
       "char", 1, 4},
      {"copy", "letters a..t, min_len..max_len of them -> the same letters", "char", "char", 3, 15},
      {"dates", "a date in one of 15 human-readable formats -> ISO YYYY-MM-DD", "char", "char", 0,
       0},
      {"reverse", "letters a..t, min_len..max_len of them -> the letters reversed", "char", "char",
       3, 15},
      {"sort", "letters a..t, min_len..max_len of them -> the letters sorted", "char", "char", 3,
       15},
  };
  return list;
}

std::size_t uniform_in(std::mt19937_64& rng, std::size_t lo, std::size_t hi) {
  return lo + static_cast<std::size_t>(draw_below(rng, hi - lo + 1));
}

std::string letters(std::mt19937_64& rng, std::size_t min_len, std::size_t max_len) {
  std::string s(uniform_in(rng, min_len, max_len), ' ');
  for (char& c : s) c = static_cast<char>('a' + draw_below(rng, 20));
  return s;
}

// A number with `digits` digits, uniform among those, without leading zeros.
std::string number(std::mt19937_64& rng, std::size_t digits) {
  if (digits == 1) return std::string(1, static_cast<char>('0' + draw_below(rng, 10)));
  std::string s(1, static_cast<char>('1' + draw_below(rng, 9)));
  for (std::size_t i = 1; i < digits; ++i) s += static_cast<char>('0' + draw_below(rng, 10));
  return s;
}

// Schoolbook addition of decimal strings, so any number of digits works.
std::string add_decimal(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (std::size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out += static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// ---- dates: days since 1970-01-01 <-> civil date (H. Hinnant's algorithms) ----

struct Date {
  int year;
  unsigned month, day;  // 1-based
  unsigned weekday;     // 0 = Sunday
};

long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

Date civil_from_days(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  Date date;
  date.day = doy - (153 * mp + 2) / 5 + 1;
  date.month = mp < 10 ? mp + 3 : mp - 9;
  date.year = static_cast<int>(yoe + era * 400 + (date.month <= 2));
  return date;
}

Date random_date(std::mt19937_64& rng) {
  static const long first = days_from_civil(1950, 1, 1), last = days_from_civil(2049, 12, 31);
  const long z =
      first + static_cast<long>(draw_below(rng, static_cast<std::uint64_t>(last - first + 1)));
  Date date = civil_from_days(z);
  date.weekday = static_cast<unsigned>(((z % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
  return date;
}

const char* const month_names[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
const char* const weekday_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                     "Thursday", "Friday", "Saturday"};

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string ordinal(unsigned d) {
  const char* suffix = "th";
  if (d % 100 < 11 || d % 100 > 13) {
    if (d % 10 == 1) suffix = "st";
    if (d % 10 == 2) suffix = "nd";
    if (d % 10 == 3) suffix = "rd";
  }
  return std::to_string(d) + suffix;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

constexpr std::uint64_t num_date_formats = 15;

std::string format_date(const Date& dt, std::uint64_t format) {
  const std::string month = month_names[dt.month - 1];
  const std::string mon = month.substr(0, 3);
  const std::string weekday = weekday_names[dt.weekday];
  const std::string d = std::to_string(dt.day), dd = two(dt.day), mm = two(dt.month);
  const std::string y = std::to_string(dt.year);
  switch (format) {
    case 0:
      return d + " " + month + " " + y;  // 3 May 1998
    case 1:
      return dd + " " + month + " " + y;  // 03 May 1998
    case 2:
      return month + " " + d + ", " + y;  // May 3, 1998
    case 3:
      return month + " " + dd + " " + y;  // May 03 1998
    case 4:
      return d + " " + lower(month) + " " + y;  // 3 may 1998
    case 5:
      return upper(month) + " " + d + ", " + y;  // MAY 3, 1998
    case 6:
      return d + " " + mon + " " + y;  // 3 Sep 1998
    case 7:
      return mon + " " + d + ", " + y;  // Sep 3, 1998
    case 8:
      return weekday + ", " + month + " " + d + ", " + y;  // Sunday, May 3, 1998
    case 9:
      return weekday.substr(0, 3) + " " + d + " " + month + " " + y;  // Sun 3 May 1998
    case 10:
      return ordinal(dt.day) + " of " + month + " " + y;  // 3rd of May 1998
    case 11:
      return month + " " + ordinal(dt.day) + ", " + y;  // May 3rd, 1998
    case 12:
      return y + "/" + mm + "/" + dd;  // 1998/05/03
    case 13:
      return dd + "." + mm + "." + y;  // 03.05.1998
    default:
      return y + " " + month + " " + d;  // 1998 May 3
  }
}

TextPair make_date(std::mt19937_64& rng) {
  const Date dt = random_date(rng);
  const std::uint64_t format = draw_below(rng, num_date_formats);
  TextPair p;
  p.src = format_date(dt, format);
  p.tgt = std::to_string(dt.year) + "-" + two(dt.month) + "-" + two(dt.day);
  return p;
}

}  // namespace

const std::vector<TaskInfo>& task_list() { return tasks(); }

const TaskInfo& task_info(const std::string& name) {
  for (const auto& t : tasks())
    if (t.name == name) return t;
  throw std::invalid_argument("unknown task '" + name +
                              "' (known: addition, copy, dates, reverse, sort)");
}

std::vector<TextPair> make_task(const std::string& name, std::size_t n, std::uint64_t seed,
                                const TaskOptions& opts) {
  const TaskInfo& info = task_info(name);
  if (n == 0) throw OptionError("n", "must be at least 1 (task '" + name + "')");
  std::mt19937_64 rng(seed);
  std::vector<TextPair> out;
  out.reserve(n);

  if (name == "dates") {
    if (opts.min_len != 0 || opts.max_len != 0)
      throw OptionError(opts.min_len ? "min_len" : "max_len", "does not apply to task 'dates'");
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(make_date(rng));
      out.back().alignment = task_alignment(name, out.back());
    }
    return out;
  }

  const std::size_t min_len = opts.min_len ? opts.min_len : info.default_min_len;
  const std::size_t max_len = opts.max_len ? opts.max_len : info.default_max_len;
  if (max_len > max_allowed_len)
    throw OptionError("max_len", std::to_string(max_len) + " is above the limit of " +
                                     std::to_string(max_allowed_len) + " (task '" + name + "')");
  if (min_len > max_len)
    throw OptionError("min_len", std::to_string(min_len) + " is above the longest length, " +
                                     std::to_string(max_len) + " (task '" + name + "'; defaults " +
                                     std::to_string(info.default_min_len) + ".." +
                                     std::to_string(info.default_max_len) + ")");

  for (std::size_t i = 0; i < n; ++i) {
    TextPair p;
    if (name == "addition") {
      const std::string a = number(rng, uniform_in(rng, min_len, max_len));
      const std::string b = number(rng, uniform_in(rng, min_len, max_len));
      p.src = a + "+" + b;
      p.tgt = add_decimal(a, b);
    } else {
      p.src = letters(rng, min_len, max_len);
      p.tgt = p.src;
      if (name == "reverse") std::reverse(p.tgt.begin(), p.tgt.end());
      if (name == "sort") std::sort(p.tgt.begin(), p.tgt.end());
    }
    p.alignment = task_alignment(name, p);  // none for addition
    out.push_back(std::move(p));
  }
  return out;
}

// ---- gold alignments ----

namespace {

[[noreturn]] void not_a_pair(const std::string& task, const TextPair& p) {
  throw std::invalid_argument("task '" + task + "' does not make the pair '" + p.src + "' -> '" +
                              p.tgt + "': no gold alignment");
}

// Sorts links and drops repeats, and makes every sure link possible too.
Alignment finish(Alignment a) {
  a.possible.insert(a.possible.end(), a.sure.begin(), a.sure.end());
  for (std::vector<Link>* v : {&a.sure, &a.possible}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return a;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

struct Run {
  std::size_t start, size;
};
// Maximal runs of characters for which `in` holds.
template <class Pred>
std::vector<Run> runs(const std::string& s, Pred in) {
  std::vector<Run> out;
  for (std::size_t i = 0; i < s.size();) {
    if (!in(s[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && in(s[j])) ++j;
    out.push_back({i, j - i});
    i = j;
  }
  return out;
}

// Target "YYYY-MM-DD": the year is the source's one four-digit run; two other
// digit runs are month and day in the order of formats 12 (Y/M/D) and 13
// (D.M.Y); one other run is the day, and the month is a word.
Alignment date_alignment(const TextPair& p) {
  const auto digits = runs(p.src, is_digit);
  std::vector<Run> other;
  const Run* year = nullptr;
  for (const Run& r : digits)
    if (r.size == 4 && !year)
      year = &r;
    else
      other.push_back(r);
  if (p.tgt.size() != 10 || p.tgt[4] != '-' || p.tgt[7] != '-' || !year || other.empty() ||
      other.size() > 2 || p.tgt.compare(0, 4, p.src, year->start, 4) != 0)
    not_a_pair("dates", p);
  Alignment a;
  for (std::size_t i = 0; i < 4; ++i) a.sure.push_back({year->start + i, i});
  const bool year_first = year->start < other.front().start;
  const Run day = other.size() == 2 && year_first ? other[1] : other[0];
  if (day.size > 2) not_a_pair("dates", p);
  a.sure.push_back({day.start + day.size - 1, 9});
  (day.size == 2 ? a.sure : a.possible).push_back({day.start, 8});
  if (other.size() == 2) {
    const Run month = year_first ? other[0] : other[1];
    if (month.size != 2) not_a_pair("dates", p);
    a.sure.push_back({month.start, 5});
    a.sure.push_back({month.start + 1, 6});
  } else {
    for (const Run& w : runs(p.src, is_letter)) {
      const std::string first3 = lower(p.src.substr(w.start, std::min<std::size_t>(w.size, 3)));
      const bool month =
          std::any_of(std::begin(month_names), std::end(month_names),
                      [&](const char* m) { return lower(m).substr(0, 3) == first3; });
      for (std::size_t k = 0; month && k < w.size; ++k)
        for (std::size_t t : {5, 6}) a.possible.push_back({w.start + k, t});
    }
  }
  for (const Link& l : a.sure)  // every sure link copies its character
    if (p.src[l.src] != p.tgt[l.tgt]) not_a_pair("dates", p);
  return a;
}

}  // namespace

std::optional<Alignment> task_alignment(const std::string& name, const TextPair& p) {
  task_info(name);  // an unknown task throws, listing the known ones
  if (name == "addition") return std::nullopt;
  if (name == "dates") return finish(date_alignment(p));
  const std::size_t n = p.src.size();
  std::string expected = p.src;
  if (name == "reverse") std::reverse(expected.begin(), expected.end());
  if (name == "sort") std::sort(expected.begin(), expected.end());
  if (p.tgt != expected) not_a_pair(name, p);
  Alignment a;
  for (std::size_t i = 0; i < n; ++i) {
    if (name == "sort") {
      std::vector<Link> from;
      for (std::size_t j = 0; j < n; ++j)
        if (p.src[j] == p.tgt[i]) from.push_back({j, i});
      std::vector<Link>& to = from.size() == 1 ? a.sure : a.possible;
      to.insert(to.end(), from.begin(), from.end());
    } else {
      a.sure.push_back({name == "copy" ? i : n - 1 - i, i});
    }
  }
  return finish(a);
}

}  // namespace attnlab
