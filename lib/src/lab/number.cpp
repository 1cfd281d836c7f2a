// Number formatting and scaling: value and range converted with the same factor
// (UF §4.3 step 2; NHO convert_units "基準値も検査結果と同様に換算すること").
#include "lab/scan.hpp"

#include <smx/lab.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace smx::lab {

int significant_digits(std::string_view text) {
  int count = 0;
  bool started = false;
  bool any_digit = false;
  for (char c : text) {
    if (!detail::is_digit(c)) continue;
    any_digit = true;
    if (!started && c == '0') continue;
    started = true;
    ++count;
  }
  return started ? count : (any_digit ? 1 : 0);
}

namespace {

// Turns the output of to_chars(scientific) ("-7.20e+01") into plain decimal ("-72.0").
std::string scientific_to_plain(std::string_view sci, bool strip_trailing_zeros) {
  bool negative = false;
  if (!sci.empty() && sci.front() == '-') {
    negative = true;
    sci.remove_prefix(1);
  }
  const std::size_t e_at = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_at))
    if (c != '.') digits.push_back(c);
  int exponent = 0;
  if (e_at != std::string_view::npos) {
    std::string_view e = sci.substr(e_at + 1);
    if (!e.empty() && e.front() == '+') e.remove_prefix(1);
    std::from_chars(e.data(), e.data() + e.size(), exponent);
  }
  if (strip_trailing_zeros) {
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  }
  std::string out;
  if (negative) out.push_back('-');
  // value = d0.d1d2... x 10^exponent
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
  } else {
    const auto int_digits = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= int_digits) {
      out += digits;
      out.append(int_digits - digits.size(), '0');
    } else {
      out += digits.substr(0, int_digits);
      out += '.';
      out += digits.substr(int_digits);
    }
  }
  return out;
}

}  // namespace

std::string format_number(double x, int significant_digits_hint) {
  if (!std::isfinite(x)) return "";
  if (x == 0.0) return "0";
  const bool exact = significant_digits_hint <= 0;
  const int precision = exact ? 15 : std::min(significant_digits_hint, 17);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, precision - 1);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  const std::size_t e_at = sci.find('e');
  int exponent = 0;
  {
    std::string_view e = sci.substr(e_at + 1);
    if (!e.empty() && e.front() == '+') e.remove_prefix(1);
    std::from_chars(e.data(), e.data() + e.size(), exponent);
  }
  // Never round to the left of the decimal point: 7 mmol/L x 18.016 is 126, not 100.
  if (exponent + 1 > precision) {
    res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, 0);
    std::string out(buf, static_cast<std::size_t>(res.ptr - buf));
    if (out == "-0") out = "0";
    return out;
  }
  std::string out = scientific_to_plain(sci, exact);
  if (exact && out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

namespace {

void scale_number(double& number, std::string& text, double factor) {
  number *= factor;
  text = format_number(number, significant_digits(text));
  // The canonical text is what callers write: keep the double in step with it.
  number = detail::to_double(text);
}

int decimals_of(std::string_view text) {
  const std::size_t dot = text.find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

// A converted limit keeps at least the resolution the sender wrote it with (issue 11: 4.2-5.2
// mEq/L x 2.004 written by significant digits was 8.4-10 mg/dL, and 5.15 mEq/L = 10.3 mg/dL,
// normal in the sender's unit, read high against 10). The sender's step (one unit in the last
// written place) becomes `step x factor`; the limit is written to that step's decimal place, one
// place finer when the step is not a power of ten (0.2004 -> 2 decimals: 8.42-10.42), and never
// with fewer decimals than significant-digit rounding gives.
void scale_limit(Limit& limit, double factor) {
  if (!limit.present) return;
  const double step = std::pow(10.0, -decimals_of(limit.text)) * std::fabs(factor);
  std::string by_digits = limit.text;
  double by_digits_value = limit.value;
  scale_number(by_digits_value, by_digits, factor);
  if (!(step > 0) || !std::isfinite(step)) {
    limit.text = by_digits;
    limit.value = by_digits_value;
    return;
  }
  const double places = -std::log10(step);
  const double whole = std::round(places);
  int decimals = std::fabs(places - whole) < 1e-9 ? static_cast<int>(whole) : static_cast<int>(std::ceil(places)) + 1;
  decimals = std::clamp(decimals, 0, 15);
  if (decimals <= decimals_of(by_digits)) {
    limit.text = by_digits;
    limit.value = by_digits_value;
    return;
  }
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, limit.value * factor, std::chars_format::fixed, decimals);
  limit.text.assign(buf, static_cast<std::size_t>(res.ptr - buf));
  if (limit.text.front() == '-' && limit.text.find_first_not_of("-0.") == std::string::npos) limit.text.erase(0, 1);
  limit.value = detail::to_double(limit.text);
}

void scale_interval(Interval& in, double factor) {
  scale_limit(in.low, factor);
  scale_limit(in.high, factor);
  // A negative factor would swap the limits; no unit conversion has one.
  if (factor < 0 && in.kind == RangeKind::interval) std::swap(in.low, in.high);
}

}  // namespace

Value scaled(const Value& v, double factor) {
  Value out = v;
  switch (v.kind) {
    case ValueKind::numeric:
    case ValueKind::inequality:
    case ValueKind::fraction:
      if (v.has_number) scale_number(out.number, out.number_text, factor);
      break;
    case ValueKind::range:
      scale_number(out.number, out.number_text, factor);
      scale_number(out.upper, out.upper_text, factor);
      break;
    default: break;
  }
  return out;
}

Range scaled(const Range& r, double factor) {
  Range out = r;
  switch (r.kind) {
    case RangeKind::interval:
    case RangeKind::lower:
    case RangeKind::upper: scale_interval(out.all, factor); break;
    case RangeKind::sex_specific:
      scale_interval(out.male, factor);
      scale_interval(out.female, factor);
      break;
    default: break;
  }
  return out;
}

Value apply_exponent(const Value& v) {
  if (v.exponent == 0 || !v.has_number) return v;
  Value out = v;
  detail::shift_decimal(v.number_text, v.exponent, out.number_text);
  out.number = detail::to_double(out.number_text);
  out.exponent = 0;
  return out;
}

}  // namespace smx::lab
