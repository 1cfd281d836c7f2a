// Date shifting and truncation of HL7 v2.5 DT/DTM values and SS-MIX2 names (<chrono> calendar).
#include "smx/deid.hpp"

#include <chrono>

namespace smx::deid {
namespace {

using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Moves the date part (4, 6 or 8 digits) by `by` days; see shift_date_time for the rule of
// partial dates. False when the digits are not a real date.
bool shift_date_part(std::string_view digits, int by, std::string& out) {
  const int y = number(digits.substr(0, 4));
  year_month_day date{year{y}, month{1}, day{1}};
  if (digits.size() == 4) {
    // The middle of the year: 2 July (day 183 of 365, 184 of 366).
    date = year_month_day{year{y}, month{7}, day{2}};
  } else {
    const unsigned m = static_cast<unsigned>(number(digits.substr(4, 2)));
    if (m < 1 || m > 12) return false;
    if (digits.size() == 6) {
      const auto last = std::chrono::year_month_day_last{year{y}, std::chrono::month_day_last{month{m}}};
      date = year_month_day{year{y}, month{m}, day{(static_cast<unsigned>(last.day()) + 1) / 2}};
    } else {
      date = year_month_day{year{y}, month{m}, day{static_cast<unsigned>(number(digits.substr(6, 2)))}};
      if (!date.ok()) return false;
    }
  }
  const year_month_day moved{sys_days{date} + days{by}};
  return hl7::append_dt(out, moved, digits.size());
}

}  // namespace

std::optional<std::string> shift_date_time(std::string_view value, int by) {
  // Split off the offset (+/-ZZZZ) and the fraction (.S to .SSSS after seconds).
  std::string_view rest = value;
  std::string_view offset;
  if (const auto sign = rest.find_first_of("+-"); sign != std::string_view::npos) {
    offset = rest.substr(sign);
    rest = rest.substr(0, sign);
    if (offset.size() != 5 || !all_digits(offset.substr(1))) return std::nullopt;
  }
  std::string_view fraction;
  if (const auto dot = rest.find('.'); dot != std::string_view::npos) {
    fraction = rest.substr(dot);
    rest = rest.substr(0, dot);
    if (rest.size() != 14 || fraction.size() < 2 || fraction.size() > 5 || !all_digits(fraction.substr(1)))
      return std::nullopt;
  }
  const std::size_t n = rest.size();
  if (!all_digits(rest) || (n != 4 && n != 6 && n != 8 && n != 10 && n != 12 && n != 14)) return std::nullopt;
  std::string out;
  out.reserve(value.size());
  if (!shift_date_part(rest.substr(0, n < 8 ? n : 8), by, out)) return std::nullopt;
  // The time of day is not interpreted (24-47 hours stay as sent), only required to be digits.
  out.append(rest.substr(n < 8 ? n : 8));
  out.append(fraction);
  out.append(offset);
  return out;
}

std::string_view truncate_date_time(std::string_view value, DatePrecision precision) {
  std::size_t keep = value.size();
  switch (precision) {
    case DatePrecision::year: keep = 4; break;
    case DatePrecision::month: keep = 6; break;
    case DatePrecision::day: keep = 8; break;
    case DatePrecision::full: break;
  }
  return value.substr(0, std::min(keep, value.size()));
}

std::optional<std::string> shift_care_date(std::string_view yyyymmdd, int by) {
  if (yyyymmdd == "-") return std::string("-");
  if (yyyymmdd.size() != 8 || !all_digits(yyyymmdd)) return std::nullopt;
  return shift_date_time(yyyymmdd, by);
}

std::optional<std::string> shift_file_timestamp(std::string_view timestamp, int by) {
  // 17 digits YYYYMMDDHHMMSSFFF (reference §3); 14 and 15 digits are seen in the field.
  if (timestamp.size() < 14 || timestamp.size() > 17 || !all_digits(timestamp)) return std::nullopt;
  std::string out;
  out.reserve(timestamp.size());
  if (!shift_date_part(timestamp.substr(0, 8), by, out)) return std::nullopt;
  out.append(timestamp.substr(8));
  return out;
}

std::optional<int> age_at(std::string_view birth, std::string_view reference) {
  const auto parse = [](std::string_view text, int& y, int& m, int& d) {
    if (text.size() < 4 || !all_digits(text.substr(0, std::min<std::size_t>(text.size(), 8)))) return false;
    y = number(text.substr(0, 4));
    m = text.size() >= 6 ? number(text.substr(4, 2)) : 1;
    d = text.size() >= 8 ? number(text.substr(6, 2)) : 1;
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
  };
  int by = 0, bm = 0, bd = 0, ry = 0, rm = 0, rd = 0;
  if (!parse(birth, by, bm, bd) || !parse(reference, ry, rm, rd)) return std::nullopt;
  int age = ry - by;
  if (rm < bm || (rm == bm && rd < bd)) --age;
  return age;
}

}  // namespace smx::deid
