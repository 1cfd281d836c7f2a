// Generalizations of single values: postal code, insurer number, lab-result text.
#include "smx/deid.hpp"

namespace smx::deid {
namespace {

// Reads one UTF-8 code point at `i` (advancing it); U+FFFD for a bad byte.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int extra = b < 0x80 ? 0 : (b >> 5) == 0x6 ? 1 : (b >> 4) == 0xE ? 2 : (b >> 3) == 0x1E ? 3 : -1;
  if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size() + (extra == 0 ? 1 : 0)) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = extra == 0 ? b : b & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Full-width ASCII (U+FF01-FF5E) and the ideographic space as ASCII; the dashes, wave dashes and
// comparison signs Japanese systems type as their ASCII forms; everything else unchanged.
std::string normalize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = next_code_point(text, i);
    if (cp >= 0xFF01 && cp <= 0xFF5E) out += static_cast<char>(cp - 0xFEE0);
    else if (cp == 0x3000) out += ' ';
    else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014 || cp == 0x2015 ||
             cp == 0x2212 || cp == 0x30FC || cp == 0xFF70 || cp == 0xFE63)
      out += '-';
    else if (cp == 0x301C || cp == 0x223C) out += '~';
    else if (cp == 0x2266 || cp == 0x2264) out += "<=";
    else if (cp == 0x2267 || cp == 0x2265) out += ">=";
    else if (cp == 0x00B1) out += "+-";
    else append_utf8(cp, out);
  }
  return out;
}

std::string digits_only(std::string_view decoded, bool& clean) {
  const std::string n = normalize(decoded);
  std::string out;
  clean = true;
  for (char c : n) {
    if (c >= '0' && c <= '9') out += c;
    else if (c != '-' && c != ' ') clean = false;
  }
  return out;
}

// A tiny recursive-descent matcher over the normalized, space-free text.
struct LabMatcher {
  std::string_view s;
  std::size_t i = 0;

  bool eat(std::string_view token) {
    if (s.substr(i, token.size()) != token) return false;
    i += token.size();
    return true;
  }
  bool digits(std::size_t min, std::size_t max) {
    std::size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < max + 1) ++i, ++n;
    return n >= min && n <= max;
  }
  bool number() {
    const std::size_t start = i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits(1, 5)) return (i = start), false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      if (!digits(1, 6)) return (i = start), false;
    }
    eat("%");
    for (std::string_view suffix : {"以上", "以下", "未満", "超"})
      if (eat(suffix)) break;
    return true;
  }
  bool quantity() {
    const std::size_t start = i;
    for (std::string_view c : {"<=", ">=", "<", ">", "="})
      if (eat(c)) break;
    if (!number()) return (i = start), false;
    const std::size_t before_range = i;
    if (eat("~") || eat("-")) {
      if (!number()) i = before_range;
    }
    return true;
  }
  bool titre() {
    const std::size_t start = i;
    if (eat("1:") && digits(1, 6)) return true;
    return (i = start), false;
  }
  bool grade() {
    const std::size_t start = i;
    if (i < s.size() && s[i] >= '1' && s[i] <= '4' && i + 1 < s.size() && s[i + 1] == '+') return (i += 2), true;
    if (eat("+-") || eat("-+")) return true;
    std::size_t plus = 0;
    while (i < s.size() && s[i] == '+' && plus < 4) ++i, ++plus;
    if (plus > 0) return true;
    if (eat("-")) return true;
    return (i = start), false;
  }
  // A term, whole or in parentheses.
  bool term() {
    const std::size_t start = i;
    if (eat("(")) {
      if (simple() && eat(")")) return true;
      return (i = start), false;
    }
    return simple();
  }
  bool simple() {
    // Longest alternative that leaves a valid continuation: titre, quantity, grade.
    const std::size_t start = i;
    for (auto alternative : {&LabMatcher::titre, &LabMatcher::quantity, &LabMatcher::grade}) {
      i = start;
      if ((this->*alternative)() && (i == s.size() || s[i] == '(' || s[i] == ')')) return true;
    }
    return (i = start), false;
  }
  bool whole() {
    if (!term()) return false;
    if (i < s.size() && s[i] == '(') {
      if (!term()) return false;
    }
    return i == s.size();
  }
};

std::string without_spaces(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '^') out += c;
  return out;
}

}  // namespace

std::optional<std::string> postal_prefix(std::string_view decoded) {
  bool clean = false;
  const std::string digits = digits_only(decoded, clean);
  if (!clean || (digits.size() != 7 && digits.size() != 3)) return std::nullopt;
  return digits.substr(0, 3);
}

std::optional<std::string> insurer_houbetsu(std::string_view decoded) {
  bool clean = false;
  const std::string digits = digits_only(decoded, clean);
  if (!clean || digits.size() != 8) return std::nullopt;
  return digits.substr(0, 2);
}

bool is_lab_text(std::string_view decoded, const std::vector<std::string>& words) {
  const std::string text = without_spaces(normalize(decoded));
  if (text.empty()) return true;
  for (const std::string& word : words)
    if (without_spaces(normalize(word)) == text) return true;
  LabMatcher matcher{text};
  return matcher.whole();
}

}  // namespace smx::deid
