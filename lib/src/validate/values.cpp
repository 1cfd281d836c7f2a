// Value checkers for HL7 v2.5 data types (DTM, NM, shapes) and field positions of profiles.
#include <charconv>
#include <chrono>

#include "smx/ascii.hpp"
#include "smx/validate.hpp"

namespace smx::validate {
namespace {

using ascii::is_digit;

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// Proleptic Gregorian (<chrono>); `month` is 1-12.
int days_in_month(int year, int month) {
  const std::chrono::year_month_day_last last{std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
                                              std::chrono::last};
  return static_cast<int>(static_cast<unsigned>(last.day()));
}

}  // namespace

// HL7 v2.5 §2.A.22 DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ].
DtmResult check_dtm(std::string_view value, std::size_t max_digits) {
  std::size_t i = 0;
  while (i < value.size() && is_digit(value[i])) ++i;
  std::string_view digits = value.substr(0, i);
  if (digits.size() < 4 || digits.size() > max_digits || digits.size() % 2 != 0) return DtmResult::bad_format;
  if (i < value.size() && value[i] == '.') {
    if (digits.size() != 14) return DtmResult::bad_format;
    std::size_t begin = ++i;
    while (i < value.size() && is_digit(value[i])) ++i;
    if (i == begin || i - begin > 4) return DtmResult::bad_format;
  }
  if (i < value.size() && (value[i] == '+' || value[i] == '-')) {
    std::string_view zone = value.substr(i + 1);
    if (zone.size() != 4 || !is_digit(zone[0]) || !is_digit(zone[1]) || !is_digit(zone[2]) || !is_digit(zone[3]))
      return DtmResult::bad_format;
    if (number(zone.substr(0, 2)) > 14 || number(zone.substr(2, 2)) > 59) return DtmResult::bad_value;
    i = value.size();
  }
  if (i != value.size()) return DtmResult::bad_format;
  int year = number(digits.substr(0, 4));
  if (year < 1) return DtmResult::bad_value;
  if (digits.size() >= 6) {
    int month = number(digits.substr(4, 2));
    if (month < 1 || month > 12) return DtmResult::bad_value;
    if (digits.size() >= 8) {
      int day = number(digits.substr(6, 2));
      if (day < 1 || day > days_in_month(year, month)) return DtmResult::bad_value;
    }
  }
  bool late_hour = false;
  if (digits.size() >= 10) {
    int hour = number(digits.substr(8, 2));
    if (hour > 47) return DtmResult::bad_value;
    late_hour = hour > 23;
  }
  if (digits.size() >= 12 && number(digits.substr(10, 2)) > 59) return DtmResult::bad_value;
  if (digits.size() >= 14 && number(digits.substr(12, 2)) > 59) return DtmResult::bad_value;
  return late_hour ? DtmResult::hour_24_47 : DtmResult::ok;
}

// HL7 v2.5 §2.A.47 NM: optional sign, digits, optional decimal point. No exponent (reference §6.3,
// NHO-EXP): "1.3E+2" and "50x10^2" are not numbers.
bool check_nm(std::string_view value, bool* exponent) {
  if (exponent) *exponent = false;
  std::size_t i = 0;
  if (i < value.size() && (value[i] == '+' || value[i] == '-')) ++i;
  std::size_t digits = 0;
  bool point = false;
  for (; i < value.size(); ++i) {
    char c = value[i];
    if (is_digit(c)) {
      ++digits;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (i == value.size() && digits > 0) return true;
  if (exponent && digits > 0) {
    std::string_view rest = value.substr(i);
    *exponent = !rest.empty() && (rest[0] == 'E' || rest[0] == 'e' || rest.substr(0, 3) == "x10" ||
                                  rest.substr(0, 3) == "X10" || rest.substr(0, 3) == "*10" || rest[0] == '^' ||
                                  rest.substr(0, 2) == "\xC3\x97");  // ×
  }
  return false;
}

bool matches_shape(std::string_view value, std::string_view shape) {
  if (value.size() != shape.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    char v = value[i], s = shape[i];
    bool ok;
    switch (s) {
      case '9': ok = is_digit(v); break;
      case 'A': ok = v >= 'A' && v <= 'Z'; break;
      case 'X': ok = is_digit(v) || (v >= 'A' && v <= 'Z'); break;
      case '-': ok = is_digit(v) || v == '-'; break;
      default: ok = v == s;
    }
    if (!ok) return false;
  }
  return true;
}

FieldSpec parse_field_spec(std::string_view text) {
  FieldSpec spec;
  spec.text = std::string(text);
  auto fail = [&](std::size_t at) -> FieldSpec {
    throw parse_error("field '" + std::string(text) + "' is not SEG-N or SEG-N.C", at);
  };
  if (text.size() < 5 || text[3] != '-') return fail(0);
  for (std::size_t i = 0; i < 3; ++i)
    if (!((text[i] >= 'A' && text[i] <= 'Z') || is_digit(text[i]))) return fail(i);
  spec.segment = std::string(text.substr(0, 3));
  std::string_view rest = text.substr(4);
  std::size_t dot = rest.find('.');
  std::string_view field = rest.substr(0, dot);
  auto parse_number = [&](std::string_view s, int& out, std::size_t at) {
    if (s.empty()) fail(at);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size() || out < 1) fail(at);
  };
  parse_number(field, spec.field, 4);
  if (dot != std::string_view::npos) parse_number(rest.substr(dot + 1), spec.component, 5 + dot);
  return spec;
}

}  // namespace smx::validate
