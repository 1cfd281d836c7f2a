// Folding, number scanning and qualitative words: the byte-level pieces of the lab parsers.
#include "lab/scan.hpp"

#include <unicode/utf8.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace smx::lab::detail {

namespace {

// Decodes one UTF-8 sequence at s[i] with ICU's U8_NEXT (RFC 3629: overlong forms, surrogates
// and code points past U+10FFFF are malformed); returns the code point (or -1 for a malformed
// sequence) and its length in `len` (1 for malformed, so the caller marks every stray byte).
long decode_utf8(std::string_view s, std::size_t i, std::size_t& len) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
  auto next = static_cast<std::int64_t>(i);
  UChar32 cp = 0;
  U8_NEXT(bytes, next, static_cast<std::int64_t>(s.size()), cp);
  len = cp < 0 ? 1 : static_cast<std::size_t>(next) - i;
  return cp < 0 ? -1 : static_cast<long>(cp);
}

// Superscript digits and signs -> ASCII, or 0 when `cp` is not one.
char superscript_ascii(long cp) {
  switch (cp) {
    case 0x2070: return '0';
    case 0x00B9: return '1';
    case 0x00B2: return '2';
    case 0x00B3: return '3';
    case 0x2074: return '4';
    case 0x2075: return '5';
    case 0x2076: return '6';
    case 0x2077: return '7';
    case 0x2078: return '8';
    case 0x2079: return '9';
    case 0x207A: return '+';
    case 0x207B: return '-';
    default: return 0;
  }
}

// The single byte a code point folds to, or 0 when it is copied as it is.
char fold_code_point(long cp) {
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<char>(cp - 0xFEE0);  // full-width ASCII
  switch (cp) {
    case 0x3000:  // ideographic space
    case 0x00A0:  // no-break space
      return ' ';
    case 0x2212:  // minus sign (glibc ISO-2022-JP decoding of JIS 0x215D, UF §3.2)
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x30FC:  // katakana prolonged sound mark, typed for minus in （ー）
    case 0xFF70:  // half-width prolonged sound mark
    case 0xFE63:  // small hyphen-minus
      return '-';
    case 0x301C:  // wave dash (glibc ISO-2022-JP decoding of JIS 0x2141)
    case 0x223C:  // tilde operator
      return '~';
    case 0x3008: return '<';  // 〈 (NHO: 100〈 = >100)
    case 0x3009: return '>';
    case 0x2264: case 0x2266: return kLessEqual;
    case 0x2265: case 0x2267: return kGreaterEqual;
    case 0x00B1: return kPlusMinus;
    case 0x2191: return kUpArrow;
    case 0x2193: return kDownArrow;
    case 0x00D7: case 0x2715: case 0x2716: return 'x';
    case 0x3001: case 0xFF64: return ';';
    default: return 0;
  }
}

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

struct QualitativeWord {
  std::string_view word;  // folded spelling; ASCII letters compared case-insensitively
  Qualitative code;
};

// Spellings seen in NHO convert_to_sn (UF §3.5, SS §8.18) and JAHIS samples, in folded form
// (full-width and ー/－/− minus are already ASCII here). Half-width katakana are listed
// explicitly because folding does not do NFKC's kana mapping.
constexpr QualitativeWord kQualitativeWords[] = {
    {"-", Qualitative::negative},
    {"陰性", Qualitative::negative},
    {"陰", Qualitative::negative},
    {"インセイ", Qualitative::negative},
    {"ｲﾝｾｲ", Qualitative::negative},
    {"neg", Qualitative::negative},
    {"negative", Qualitative::negative},
    {"検出せず", Qualitative::not_detected},
    {"検出されず", Qualitative::not_detected},
    {"未検出", Qualitative::not_detected},
    {"不検出", Qualitative::not_detected},
    {"nd", Qualitative::not_detected},
    {"n.d.", Qualitative::not_detected},
    {"not detected", Qualitative::not_detected},
    {"微量", Qualitative::trace},
    {"trace", Qualitative::trace},
    {"tr", Qualitative::trace},
    {"\x03", Qualitative::equivocal},  // ±
    {"+-", Qualitative::equivocal},
    {"+/-", Qualitative::equivocal},
    {"疑陽性", Qualitative::equivocal},
    {"擬陽性", Qualitative::equivocal},
    {"ギヨウセイ", Qualitative::equivocal},
    {"eqv", Qualitative::equivocal},
    {"equivocal", Qualitative::equivocal},
    {"弱陽性", Qualitative::weak_positive},
    {"ジャクヨウセイ", Qualitative::weak_positive},
    {"wpos", Qualitative::weak_positive},
    {"weakly positive", Qualitative::weak_positive},
    {"+", Qualitative::positive},
    {"陽性", Qualitative::positive},
    {"陽", Qualitative::positive},
    {"ヨウセイ", Qualitative::positive},
    {"ﾖｳｾｲ", Qualitative::positive},
    {"pos", Qualitative::positive},
    {"positive", Qualitative::positive},
    {"1+", Qualitative::plus1},
    {"2+", Qualitative::plus2},
    {"++", Qualitative::plus2},
    {"3+", Qualitative::plus3},
    {"+++", Qualitative::plus3},
    {"4+", Qualitative::plus4},
    {"++++", Qualitative::plus4},
    {"検出", Qualitative::detected},
    {"det", Qualitative::detected},
    {"detected", Qualitative::detected},
    {"判定保留", Qualitative::indeterminate},
    {"保留", Qualitative::indeterminate},
    {"判定不能", Qualitative::indeterminate},
    {"ind", Qualitative::indeterminate},
    {"indeterminate", Qualitative::indeterminate},
    {"少量", Qualitative::small_amount},
    {"small", Qualitative::small_amount},
    {"中等量", Qualitative::moderate_amount},
    {"mod", Qualitative::moderate_amount},
    {"moderate", Qualitative::moderate_amount},
    {"多量", Qualitative::large_amount},
    {"large", Qualitative::large_amount},
    // NHO convert_to_sn §5 (read as not detected, like 検出せず) and §7.
    {"検出セズ", Qualitative::not_detected},
    {"ケンシュツセズ", Qualitative::not_detected},
    {"ケンシユツセズ", Qualitative::not_detected},
    {"フケンシュツ", Qualitative::not_detected},
    {"フケンシユツ", Qualitative::not_detected},
    {"ミケンシュツ", Qualitative::not_detected},
    {"ミケンシユツ", Qualitative::not_detected},
    {"-/+", Qualitative::equivocal},
    // `1+↓` is filed with ± (NHO §7: weaker than 1+); folded ↓ is kDownArrow.
    {"1+\x05", Qualitative::equivocal},
    {"ﾊﾝﾃｲﾎﾘｭｳ", Qualitative::indeterminate},
    {"ｹﾝｼｭﾂｾｽﾞ", Qualitative::not_detected},
    {"ｹﾝｼｭﾂ", Qualitative::detected},
};

bool is_exponent_sign_digit(std::string_view s, std::size_t i) {
  if (i < s.size() && is_digit(s[i])) return true;
  return i + 1 < s.size() && (s[i] == '+' || s[i] == '-') && is_digit(s[i + 1]);
}

// Signed integer exponent at s[i] (1-3 digits); advances i. False when none.
bool scan_exponent(std::string_view s, std::size_t& i, int& exponent) {
  std::size_t k = i;
  bool negative = false;
  if (k < s.size() && (s[k] == '+' || s[k] == '-')) {
    negative = s[k] == '-';
    ++k;
  }
  int value = 0;
  std::size_t digits = 0;
  while (k < s.size() && is_digit(s[k]) && digits < 4) {
    value = value * 10 + (s[k] - '0');
    ++k;
    ++digits;
  }
  if (digits == 0 || digits > 3 || (k < s.size() && is_digit(s[k]))) return false;
  exponent = negative ? -value : value;
  i = k;
  return true;
}

// `^n`, `**n`, `En` after a written "10"; advances i.
bool scan_power_of_ten_tail(std::string_view s, std::size_t& i, int& exponent) {
  std::size_t k = i;
  if (k < s.size() && s[k] == '^') {
    ++k;
  } else if (k + 1 < s.size() && s[k] == '*' && s[k + 1] == '*') {
    k += 2;
  } else if (k < s.size() && (s[k] == 'E' || s[k] == 'e')) {
    ++k;
  } else {
    return false;
  }
  if (!scan_exponent(s, k, exponent)) return false;
  i = k;
  return true;
}

// Exponent written after a mantissa ending at i ([NHO-EXP]): `E+2`, ` x10^3`, `×10³` (folded
// to x10^3), `*10^3`, `X10E4`, `x10**2`. Advances i when one is found.
bool scan_exponent_suffix(std::string_view s, std::size_t& i, int& exponent) {
  std::size_t k = i;
  if (k < s.size() && (s[k] == 'E' || s[k] == 'e') && is_exponent_sign_digit(s, k + 1)) {
    ++k;
    if (!scan_exponent(s, k, exponent)) return false;
    i = k;
    return true;
  }
  while (k < s.size() && is_space(s[k])) ++k;
  if (k >= s.size() || (s[k] != 'x' && s[k] != 'X' && s[k] != '*')) return false;
  ++k;
  while (k < s.size() && is_space(s[k])) ++k;
  if (k + 1 >= s.size() || s[k] != '1' || s[k + 1] != '0') return false;
  k += 2;
  if (!scan_power_of_ten_tail(s, k, exponent)) return false;
  i = k;
  return true;
}

struct SuffixWord {
  std::string_view word;
  Comparator comparator;
};
// Comparator written after the number, read "number <op> value" (UF §3.5, NHO convert_to_sn):
// 100< = >100, 300> = <300, 200≦ = >=200, 400≧ = <=400, plus the words.
constexpr SuffixWord kSuffixWords[] = {
    {"超過", Comparator::gt},
    {"超", Comparator::gt},
    {"チョウカ", Comparator::gt},
    {"未満", Comparator::lt},
    {"ミマン", Comparator::lt},
    {"以上", Comparator::ge},
    {"イジョウ", Comparator::ge},
    {"以下", Comparator::le},
    {"イカ", Comparator::le},
    {"<=", Comparator::ge},
    {"\x01", Comparator::ge},
    {">=", Comparator::le},
    {"\x02", Comparator::le},
    {"<", Comparator::gt},
    {">", Comparator::lt},
    {"~", Comparator::ge},  // 200～ = >=200 (UF §3.5)
    // 200↑ = >=200, 400↓ = <=400: NHO files the arrow with 以上/以下 (convert_to_sn §2, §4).
    {"\x04", Comparator::ge},
    {"\x05", Comparator::le},
    {"=<", Comparator::ge},
};

}  // namespace

void fold(std::string_view in, Folded& out) {
  out.size = 0;
  out.overflow = false;
  bool in_superscript = false;
  std::size_t i = 0;
  auto put = [&out](char c) {
    if (out.size >= kMaxNormalized) {
      out.overflow = true;
      return;
    }
    out.data[out.size++] = c;
  };
  while (i < in.size() && !out.overflow) {
    const auto byte = static_cast<unsigned char>(in[i]);
    if (byte < 0x80) {
      in_superscript = false;
      if (byte == '\t' || byte == '\r' || byte == '\n') {
        put(' ');
      } else if (byte < 0x20 || byte == 0x7f) {
        put(kJunk);
      } else {
        put(static_cast<char>(byte));
      }
      ++i;
      continue;
    }
    std::size_t len = 1;
    const long cp = decode_utf8(in, i, len);
    if (const char sup = superscript_ascii(cp)) {
      if (!in_superscript) put('^');
      put(sup);
      in_superscript = true;
      i += len;
      continue;
    }
    in_superscript = false;
    if (const char folded = cp < 0 ? 0 : fold_code_point(cp)) {
      put(folded);
    } else if (cp < 0) {
      put(kJunk);
    } else {
      for (std::size_t k = 0; k < len; ++k) put(in[i + k]);
    }
    i += len;
  }
}

std::string_view trim_original(std::string_view s) {
  constexpr std::string_view ideographic_space = "\xE3\x80\x80";
  for (;;) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                       s.front() == '\n')) {
      s.remove_prefix(1);
    } else if (s.substr(0, 3) == ideographic_space) {
      s.remove_prefix(3);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() &&
        (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == ideographic_space) {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

double to_double(std::string_view text) {
  double value = 0.0;
  const char* first = text.data();
  if (!text.empty() && text.front() == '+') ++first;
  std::from_chars(first, text.data() + text.size(), value);
  return value;
}

NumberToken scan_number(std::string_view s, std::size_t pos, bool allow_sign) {
  NumberToken t;
  std::size_t i = pos;
  bool negative = false;
  if (allow_sign && i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    t.has_sign = true;
    ++i;
  }
  constexpr std::size_t kMaxDigits = 64;
  char digits[kMaxDigits + 8];
  std::size_t n = 0;
  if (negative) digits[n++] = '-';
  // Integer part, with thousands groups: `1,234,567` (exactly three digits per group).
  const std::size_t int_start = i;
  while (i < s.size() && is_digit(s[i]) && n < kMaxDigits) digits[n++] = s[i++];
  const std::size_t first_group = i - int_start;
  if (i < s.size() && is_digit(s[i])) return t;  // too long
  if (first_group >= 1 && first_group <= 3) {
    while (i + 3 < s.size() && s[i] == ',' && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
           is_digit(s[i + 3]) && !(i + 4 < s.size() && is_digit(s[i + 4]))) {
      if (n + 3 > kMaxDigits) return t;
      digits[n++] = s[i + 1];
      digits[n++] = s[i + 2];
      digits[n++] = s[i + 3];
      i += 4;
    }
  }
  const bool had_integer = i > int_start;
  if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
    t.has_point = true;
    if (!had_integer) digits[n++] = '0';
    digits[n++] = '.';
    ++i;
    while (i < s.size() && is_digit(s[i]) && n < kMaxDigits) digits[n++] = s[i++];
    if (i < s.size() && is_digit(s[i])) return t;
  } else if (!had_integer) {
    return t;
  }
  std::memcpy(t.text, digits, n);
  t.text_size = n;
  t.value = to_double(t.text_view());
  if (t.value == 0.0 && negative) {
    // "-0" and "-0.0": keep the text as written but never a negative zero double.
    t.value = 0.0;
  }
  t.end = i;
  t.ok = true;
  return t;
}

Qualitative match_qualitative(std::string_view s) {
  s = trim_spaces(s);
  // `(-)`, and `[-]` / `[＋]` (NHO convert_to_sn §5-6 examples).
  if (s.size() >= 2 && ((s.front() == '(' && s.back() == ')') || (s.front() == '[' && s.back() == ']')))
    s = trim_spaces(s.substr(1, s.size() - 2));
  if (s.empty()) return Qualitative::none;
  for (const auto& w : kQualitativeWords) {
    if (iequals_ascii(s, w.word)) return w.code;
  }
  return Qualitative::none;
}

bool parse_atom(std::string_view s, Value& out) {
  s = trim_spaces(s);
  if (s.empty()) return false;
  if (const Qualitative q = match_qualitative(s); q != Qualitative::none) {
    out.kind = ValueKind::qualitative;
    out.qualitative = q;
    return true;
  }
  std::size_t i = 0;
  Comparator prefix = Comparator::none;
  // Comparator before the number (UF §3.5).
  if (s.substr(0, 2) == "<=" || s.substr(0, 2) == "=<") {
    prefix = Comparator::le;
    i = 2;
  } else if (s.substr(0, 2) == ">=" || s.substr(0, 2) == "=>") {
    prefix = Comparator::ge;
    i = 2;
  } else if (s[0] == kLessEqual || s[0] == kDownArrow) {
    prefix = Comparator::le;  // ≦x, ↓5 (NHO: ↓400 = <=400)
    i = 1;
  } else if (s[0] == kGreaterEqual || s[0] == kUpArrow) {
    prefix = Comparator::ge;  // ≧x, ↑200 (NHO: ↑200 = >=200)
    i = 1;
  } else if (s[0] == '<') {
    prefix = Comparator::lt;
    i = 1;
  } else if (s[0] == '>') {
    prefix = Comparator::gt;
    i = 1;
  } else if ((s[0] == 'U' || s[0] == 'L') && s.size() > 1 && (is_digit(s[1]) || s[1] == '.')) {
    // NHO convert_to_sn: U100 = upper (above the measurable range) = >100; L300 = <300.
    prefix = s[0] == 'U' ? Comparator::gt : Comparator::lt;
    i = 1;
  }
  if (prefix != Comparator::none && !(s[0] == 'U' || s[0] == 'L')) {
    while (i < s.size() && is_space(s[i])) ++i;
  }
  const NumberToken number = scan_number(s, i, true);
  if (!number.ok) return false;
  i = number.end;
  int exponent = 0;
  std::string_view mantissa = number.text_view();
  bool pure_power = false;
  // `10^3` / `10**2` alone: the power of ten is the whole value (mantissa 1).
  if (mantissa == "10" && !number.has_sign) {
    std::size_t k = i;
    if (k < s.size() && (s[k] == '^' || s[k] == '*') && scan_power_of_ten_tail(s, k, exponent)) {
      i = k;
      pure_power = true;
    }
  }
  if (!pure_power) scan_exponent_suffix(s, i, exponent);
  // Comparator after the number.
  Comparator suffix = Comparator::none;
  std::size_t k = i;
  while (k < s.size() && is_space(s[k])) ++k;
  if (k < s.size()) {
    const std::string_view rest = trim_spaces(s.substr(k));
    for (const auto& w : kSuffixWords) {
      if (rest == w.word) {
        suffix = w.comparator;
        k = s.size();
        break;
      }
    }
    if (suffix == Comparator::none) return false;
  }
  if (prefix != Comparator::none && suffix != Comparator::none) return false;
  out.kind = (prefix != Comparator::none || suffix != Comparator::none) ? ValueKind::inequality
                                                                        : ValueKind::numeric;
  out.comparator = prefix != Comparator::none ? prefix : suffix;
  out.has_number = true;
  if (pure_power) {
    out.number = 1.0;
    out.number_text = "1";
  } else {
    out.number = number.value;
    out.number_text.assign(mantissa);
  }
  out.exponent = exponent;
  return true;
}

void shift_decimal(std::string_view text, int exponent, std::string& out) {
  out.clear();
  bool negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  std::string digits;
  std::size_t point = text.find('.');
  long int_digits = static_cast<long>(point == std::string_view::npos ? text.size() : point);
  for (char c : text)
    if (c != '.') digits.push_back(c);
  const bool had_point = point != std::string_view::npos;
  long new_point = int_digits + exponent;
  std::string result;
  if (new_point <= 0) {
    result = "0.";
    result.append(static_cast<std::size_t>(-new_point), '0');
    result += digits;
  } else if (static_cast<std::size_t>(new_point) >= digits.size()) {
    result = digits;
    result.append(static_cast<std::size_t>(new_point) - digits.size(), '0');
  } else {
    result = digits.substr(0, static_cast<std::size_t>(new_point));
    result += '.';
    result += digits.substr(static_cast<std::size_t>(new_point));
  }
  (void)had_point;
  // Drop leading zeros of the integer part ("0050" -> "50"), keep one before '.'.
  std::size_t lead = 0;
  while (lead + 1 < result.size() && result[lead] == '0' && result[lead + 1] != '.') ++lead;
  result.erase(0, lead);
  if (negative) out.push_back('-');
  out += result;
}

}  // namespace smx::lab::detail
