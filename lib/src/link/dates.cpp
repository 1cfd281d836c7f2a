// Birth dates for smx link: Gregorian and 和暦 (Japanese era) dates -> "YYYYMMDD".
//
// Eras (first day, last day; Wikipedia 元号一覧 (日本) and odayakana.net/?p=1278, read
// 2026-05; 大正 and 昭和 began on the day their predecessor ended, so that day has two names):
//   明治 M 1868-01-25 .. 1912-07-30   (year 1 = 1868)
//   大正 T 1912-07-30 .. 1926-12-25   (year 1 = 1912)
//   昭和 S 1926-12-25 .. 1989-01-07   (year 1 = 1926)
//   平成 H 1989-01-08 .. 2019-04-30   (year 1 = 1989)
//   令和 R 2019-05-01 ..              (year 1 = 2019)
// Japan kept the lunisolar calendar until 明治5年12月2日; 明治6年1月1日 is 1873-01-01, so a
// 明治 date before 明治6年 is not a Gregorian date and is refused (LINK-DATE-LUNAR).
// Calendar arithmetic is <chrono> (design.md).
#include "link/internal.hpp"

#include <smx/link.hpp>

#include <array>
#include <chrono>
#include <cstdio>

namespace smx::link {

namespace {

using namespace std::chrono;

struct Era {
  std::string_view name;    // 昭和
  std::string_view short_;  // 昭
  char letter;              // S
  int first_year;           // Gregorian year of 元年
  year_month_day first, last;
};

constexpr year_month_day open_end = year{9999} / December / 31;

const std::array<Era, 5> eras = {{
    {"明治", "明", 'M', 1868, year{1868} / January / 25, year{1912} / July / 30},
    {"大正", "大", 'T', 1912, year{1912} / July / 30, year{1926} / December / 25},
    {"昭和", "昭", 'S', 1926, year{1926} / December / 25, year{1989} / January / 7},
    {"平成", "平", 'H', 1989, year{1989} / January / 8, year{2019} / April / 30},
    {"令和", "令", 'R', 2019, year{2019} / May / 1, open_end},
}};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}
  bool done() const { return pos_ == s_.size(); }
  bool take(std::string_view prefix) {
    if (s_.substr(pos_, prefix.size()) != prefix) return false;
    pos_ += prefix.size();
    return true;
  }
  // 1..max digits (at least min); -1 when there are none.
  int digits(std::size_t min, std::size_t max) {
    std::size_t n = 0;
    int value = 0;
    while (pos_ + n < s_.size() && n < max && s_[pos_ + n] >= '0' && s_[pos_ + n] <= '9') {
      value = value * 10 + (s_[pos_ + n] - '0');
      ++n;
    }
    if (n < min) return -1;
    pos_ += n;
    return value;
  }
  std::size_t digit_run() const {
    std::size_t n = 0;
    while (pos_ + n < s_.size() && s_[pos_ + n] >= '0' && s_[pos_ + n] <= '9') ++n;
    return n;
  }
  std::string_view rest() const { return s_.substr(pos_); }
  std::size_t pos() const { return pos_; }
  void reset(std::size_t pos) { pos_ = pos; }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

bool separator(Scanner& in, std::string_view kanji) {
  return in.take(kanji) || in.take("-") || in.take("/") || in.take(".");
}

// Y[年 or sep]M[月 or sep]D[日]: the year already read.
bool month_day(Scanner& in, int& month, int& day) {
  if (!separator(in, "年")) return false;
  month = in.digits(1, 2);
  if (month < 0 || !separator(in, "月")) return false;
  day = in.digits(1, 2);
  if (day < 0) return false;
  in.take("日");
  return in.done();
}

const Era* read_era(Scanner& in) {
  for (const Era& era : eras) {
    if (in.take(era.name) || in.take(era.short_)) return &era;
    const char letter[2] = {era.letter, 0};
    const char lower[2] = {static_cast<char>(era.letter - 'A' + 'a'), 0};
    if (in.take(letter) || in.take(lower)) return &era;
  }
  return nullptr;
}

DateResult checked(int y, int m, int d, const Era* era) {
  DateResult result;
  result.from_era = era != nullptr;
  const year_month_day date{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) {
    result.problem = DateProblem::invalid;
    return result;
  }
  if (era != nullptr) {
    if (era->letter == 'M' && y < 1873) {
      result.problem = DateProblem::before_1873;
      return result;
    }
    if (sys_days(date) < sys_days(era->first) || sys_days(date) > sys_days(era->last)) {
      result.problem = DateProblem::outside_era;
      return result;
    }
  }
  char buffer[9];
  std::snprintf(buffer, sizeof buffer, "%04d%02d%02d", y, m, d);
  result.value = buffer;
  return result;
}

DateResult unrecognized() {
  DateResult result;
  result.problem = DateProblem::unrecognized;
  return result;
}

DateResult era_date(Scanner& in, const Era& era) {
  int era_year = 0, month = 0, day = 0;
  if (in.digit_run() == 6) {  // S450312
    era_year = in.digits(2, 2);
    month = in.digits(2, 2);
    day = in.digits(2, 2);
    if (!in.done()) return unrecognized();
  } else {
    era_year = in.take("元") ? 1 : in.digits(1, 2);
    if (era_year < 1 || !month_day(in, month, day)) return unrecognized();
  }
  if (era_year < 1) return unrecognized();
  return checked(era.first_year + era_year - 1, month, day, &era);
}

// HL7 TS: YYYYMMDD[HHMM[SS[.S…]]][+/-ZZZZ]; only the date is kept.
bool hl7_timestamp_tail(std::string_view rest) {
  std::size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
  if (i != 0 && i != 2 && i != 4 && i != 6) return false;
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    const std::size_t start = i;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == start || i - start > 4) return false;
  }
  if (i < rest.size() && (rest[i] == '+' || rest[i] == '-')) {
    ++i;
    const std::size_t start = i;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i - start != 4) return false;
  }
  return i == rest.size();
}

DateResult gregorian(Scanner& in) {
  if (in.digit_run() >= 8) {
    const int y = in.digits(4, 4), m = in.digits(2, 2), d = in.digits(2, 2);
    if (!hl7_timestamp_tail(in.rest())) return unrecognized();
    return checked(y, m, d, nullptr);
  }
  if (in.digit_run() != 4) return unrecognized();
  const int y = in.digits(4, 4);
  int month = 0, day = 0;
  if (!month_day(in, month, day)) return unrecognized();
  return checked(y, month, day, nullptr);
}

std::string trimmed(std::string text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::size_t b = 0, e = text.size();
  while (b < e && space(text[b])) ++b;
  while (e > b && space(text[e - 1])) --e;
  return text.substr(b, e - b);
}

}  // namespace

std::string_view date_problem_code(DateProblem problem) {
  switch (problem) {
    case DateProblem::none: return "";
    case DateProblem::empty: return "LINK-DATE-EMPTY";
    case DateProblem::unrecognized: return "LINK-DATE-UNRECOGNIZED";
    case DateProblem::invalid: return "LINK-DATE-INVALID";
    case DateProblem::outside_era: return "LINK-DATE-ERA-RANGE";
    case DateProblem::before_1873: return "LINK-DATE-LUNAR";
  }
  return "";
}

DateResult Normalizer::birth_date(std::string_view text) const {
  // NFKC: full-width digits and letters, ideographic space; 年月日 and era names stay.
  const std::string s = trimmed(detail::nfkc(text));
  if (s.empty()) {
    DateResult result;
    result.problem = DateProblem::empty;
    return result;
  }
  Scanner in(s);
  if (const Era* era = read_era(in)) return era_date(in, *era);
  return gregorian(in);
}

}  // namespace smx::link
