// Value checkers for HL7 v2.5 data types (DTM, NM, shapes) and field positions of profiles.
#include <charconv>

#include "smx/hl7.hpp"
#include "smx/ascii.hpp"
#include "smx/validate.hpp"

namespace smx::validate {
namespace {

using ascii::is_digit;

}  // namespace

// HL7 v2.5 §2.A.22 DTM, read by hl7::parse_dtm.
DtmResult check_dtm(std::string_view value, std::size_t max_digits) {
  switch (hl7::parse_dtm(value, max_digits).status) {
    case hl7::DtmStatus::ok: return DtmResult::ok;
    case hl7::DtmStatus::bad_format: return DtmResult::bad_format;
    case hl7::DtmStatus::bad_value: return DtmResult::bad_value;
    case hl7::DtmStatus::hour_24_47: return DtmResult::hour_24_47;
  }
  return DtmResult::bad_format;
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
