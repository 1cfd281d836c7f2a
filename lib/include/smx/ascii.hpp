// ASCII character classes and trimming for every layer (it belongs to the lowest, io, and includes
// nothing of smx). Byte tests only: a byte of a UTF-8 sequence is never a digit, letter or blank.
#pragma once
#include <string_view>

namespace smx::ascii {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
constexpr bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

// True when `s` is not empty and every byte is a digit.
constexpr bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// Space and tab: the blanks around HL7 values.
inline constexpr std::string_view kBlanks = " \t";
// The C locale's isspace set.
inline constexpr std::string_view kWhitespace = " \t\r\n\v\f";

// `s` without the bytes of `blanks` at either end.
constexpr std::string_view trim(std::string_view s, std::string_view blanks = kBlanks) {
  const std::size_t first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

}  // namespace smx::ascii
