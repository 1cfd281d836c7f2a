// Internal scanning helpers shared by the value, range and flag parsers (smx::lab::detail).
// Everything works on a fixed-size stack buffer: no allocation on the hot path.
#pragma once

#include <smx/ascii.hpp>
#include <smx/lab.hpp>

#include <cstddef>
#include <string_view>

namespace smx::lab::detail {

// Single-byte stand-ins the normalizer writes for symbols that have no ASCII form. Raw control
// bytes in the input become `kJunk`, so they can never be mistaken for one of these.
inline constexpr char kLessEqual = '\x01';     // ≦ ≤
inline constexpr char kGreaterEqual = '\x02';  // ≧ ≥
inline constexpr char kPlusMinus = '\x03';     // ±
inline constexpr char kUpArrow = '\x04';       // ↑
inline constexpr char kDownArrow = '\x05';     // ↓
inline constexpr char kJunk = '\x7f';

// Longest normalized value we parse; longer inputs are text (no lab value is that long).
inline constexpr std::size_t kMaxNormalized = 256;

// A value or range folded to a form the parsers can read byte by byte (UF §3.2: the same
// folding NFKC does for these characters, plus the symbols NFKC leaves alone):
// - full-width ASCII U+FF01..U+FF5E -> ASCII (１２．５ ＜ （ ） ＋ － ： ～ ＾)
// - U+3000, NBSP, tab -> space
// - minus/dash family U+2212 U+2010..U+2015 U+30FC(ー) U+FF70(ｰ) U+FE63 -> '-'
//   (ISO-2022-JP decoders give U+2212 for the JIS minus, CP932 gives U+FF0D: UF §3.2)
// - wave dash U+301C, U+223C -> '~' (U+FF5E is covered by the full-width rule)
// - 〈 〉 -> < >  (NHO writes `100〈`, UF §3.5)
// - ≦ ≤ -> kLessEqual; ≧ ≥ -> kGreaterEqual; ± -> kPlusMinus; ↑ ↓ -> arrows
// - × ✕ ✖ -> 'x'
// - superscript digits/signs -> '^' followed by their ASCII form (2.3×10³ -> 2.3x10^3)
// - 、 (U+3001, U+FF64) -> ';'
// - everything else is copied (UTF-8 bytes as they are).
struct Folded {
  char data[kMaxNormalized];
  std::size_t size = 0;
  bool overflow = false;
  std::string_view view() const { return {data, size}; }
};
void fold(std::string_view in, Folded& out);

using ascii::is_digit;
inline bool is_space(char c) { return c == ' '; }
// Trims ASCII spaces (the folded text has no other blanks).
inline std::string_view trim_spaces(std::string_view s) { return ascii::trim(s, " "); }
// Trims ASCII whitespace and U+3000 from the original text (for Value::text / Range::text).
std::string_view trim_original(std::string_view s);

// A number as written, scanned from the folded text.
struct NumberToken {
  bool ok = false;
  double value = 0.0;
  char text[72];  // canonical ASCII ("-0.50")
  std::size_t text_size = 0;
  std::size_t end = 0;  // index just past the number in the scanned text
  bool has_sign = false;
  bool has_point = false;
  std::string_view text_view() const { return {text, text_size}; }
};
// Scans a number at `pos`: optional sign (if allow_sign), digits with optional `,` thousands
// groups of exactly three digits, optional `.digits`, or `.digits`.
NumberToken scan_number(std::string_view s, std::size_t pos, bool allow_sign);

// Qualitative word or sign (the whole of `s`, optionally in parentheses); none if not one.
Qualitative match_qualitative(std::string_view s);

// Parses `s` (already folded and trimmed) as one atom: a qualitative result, or
// [prefix comparator] number [exponent] [suffix comparator]. Returns false (and leaves `out`
// unspecified) when anything is left over.
bool parse_atom(std::string_view s, Value& out);

// Decimal point shift on a canonical number text ("2.3", 3 -> "2300"; "5", -2 -> "0.05").
void shift_decimal(std::string_view text, int exponent, std::string& out);

double to_double(std::string_view canonical_number_text);

}  // namespace smx::lab::detail
