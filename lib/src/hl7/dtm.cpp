// HL7 v2.5 DTM (§2.A.22): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], the one reader of it.
#include <chrono>

#include "smx/ascii.hpp"
#include "smx/hl7.hpp"

namespace smx::hl7 {
namespace {

using ascii::is_digit;

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Proleptic Gregorian (<chrono>); `month` is 1-12.
bool is_date(int year, int month, int day) {
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  return date.ok();
}

}  // namespace

Dtm parse_dtm(std::string_view value, std::size_t max_digits) {
  Dtm d;
  std::size_t i = 0;
  while (i < value.size() && is_digit(value[i])) ++i;
  const std::string_view digits = value.substr(0, i);
  d.status = DtmStatus::bad_format;
  if (digits.size() < 4 || digits.size() > max_digits || digits.size() % 2 != 0) return d;
  d.digits = static_cast<int>(digits.size());
  d.text = digits;
  if (i < value.size() && value[i] == '.') {
    if (digits.size() != 14) return d;
    const std::size_t begin = ++i;
    while (i < value.size() && is_digit(value[i])) ++i;
    if (i == begin || i - begin > 4) return d;
    d.fraction = value.substr(begin, i - begin);
  }
  if (i < value.size() && (value[i] == '+' || value[i] == '-')) {
    const std::string_view zone = value.substr(i + 1);
    if (zone.size() != 4 || !is_digit(zone[0]) || !is_digit(zone[1]) || !is_digit(zone[2]) || !is_digit(zone[3]))
      return d;
    const int hh = number(zone.substr(0, 2)), mm = number(zone.substr(2, 2));
    // UTC offsets run from -12:00 to +14:00 (ISO 8601 allows no more; HL7 says nothing narrower).
    d.status = DtmStatus::bad_value;
    if (hh > 14 || mm > 59 || (hh == 14 && mm != 0)) return d;
    d.has_offset = true;
    d.offset_minutes = (value[i] == '-' ? -1 : 1) * (hh * 60 + mm);
    d.offset = value.substr(i, 5);
    i = value.size();
  }
  if (i != value.size()) return d;
  d.status = DtmStatus::bad_value;
  d.year = number(digits.substr(0, 4));
  if (d.year < 1) return d;
  if (digits.size() >= 6) {
    d.month = number(digits.substr(4, 2));
    if (d.month < 1 || d.month > 12) return d;
  }
  if (digits.size() >= 8) {
    d.day = number(digits.substr(6, 2));
    if (!is_date(d.year, d.month, d.day)) return d;
  }
  if (digits.size() >= 10) {
    d.hour = number(digits.substr(8, 2));
    if (d.hour > 47) return d;
  }
  if (digits.size() >= 12) {
    d.minute = number(digits.substr(10, 2));
    if (d.minute > 59) return d;
  }
  if (digits.size() >= 14) {
    d.second = number(digits.substr(12, 2));
    if (d.second > 59) return d;
  }
  // Hours 24-47 occur in SS-MIX2 data (the next day's early hours written on the care date);
  // whether that is acceptable is the caller's decision.
  d.status = d.hour > 23 ? DtmStatus::hour_24_47 : DtmStatus::ok;
  return d;
}

bool append_dt(std::string& out, const std::chrono::year_month_day& date, std::size_t width) {
  const int y = static_cast<int>(date.year());
  if (y < 0 || y > 9999) return false;
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  const char digits[8] = {static_cast<char>('0' + y / 1000),     static_cast<char>('0' + y / 100 % 10),
                          static_cast<char>('0' + y / 10 % 10),  static_cast<char>('0' + y % 10),
                          static_cast<char>('0' + m / 10),       static_cast<char>('0' + m % 10),
                          static_cast<char>('0' + d / 10),       static_cast<char>('0' + d % 10)};
  out.append(digits, width < 8 ? width : 8);
  return true;
}

}  // namespace smx::hl7
