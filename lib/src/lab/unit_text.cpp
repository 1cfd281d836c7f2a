// Unit spelling pre-normalization: UF §3.3 steps 3-5 (superscript pre-pass, NFKC, μ -> u,
// spaces). The alias lookup (steps 6-8) belongs to lib/tables.
#include <smx/lab.hpp>

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>

#include <cstdint>

namespace smx::lab {

namespace {

// UTF-8 bytes of the superscripts that may follow "10" and their ASCII meaning.
struct Superscript {
  std::string_view utf8;
  char ascii;
};
constexpr Superscript kSuperscripts[] = {
    {"\u2070", '0'}, {"\u00B9", '1'}, {"\u00B2", '2'}, {"\u00B3", '3'}, {"\u2074", '4'},
    {"\u2075", '5'}, {"\u2076", '6'}, {"\u2077", '7'}, {"\u2078", '8'}, {"\u2079", '9'},
    {"\u207A", '+'}, {"\u207B", '-'},
};

char superscript_at(std::string_view s, std::size_t i, std::size_t& len) {
  for (const auto& sup : kSuperscripts) {
    if (s.substr(i, sup.utf8.size()) == sup.utf8) {
      len = sup.utf8.size();
      return sup.ascii;
    }
  }
  return 0;
}

// UF §3.2: NFKC turns 10⁴ into 104 and destroys the meaning, so `10` (ASCII or full-width
// １０) directly followed by superscripts becomes `10*n` first. Other superscripts (m², mm³)
// are left to NFKC, which gives m2 / mm3: the UCUM meaning.
bool superscript_prepass(std::string_view in, std::string& out) {
  constexpr std::string_view fw_ten = "\uFF11\uFF10";  // １０
  bool changed = false;
  out.clear();
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    std::size_t ten_len = 0;
    if (in.substr(i, 2) == "10") {
      ten_len = 2;
    } else if (in.substr(i, fw_ten.size()) == fw_ten) {
      ten_len = fw_ten.size();
    }
    if (ten_len != 0) {
      std::size_t k = i + ten_len;
      std::size_t len = 0;
      if (superscript_at(in, k, len) != 0) {
        out += "10*";
        while (k < in.size()) {
          const char c = superscript_at(in, k, len);
          if (c == 0) break;
          if (c != '+') out.push_back(c);  // 10⁺³ = 10*3
          k += len;
        }
        i = k;
        changed = true;
        continue;
      }
    }
    out.push_back(in[i]);
    ++i;
  }
  return changed;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// ICU NFKC in place; true when it changed the text. ASCII is already NFKC.
bool apply_nfkc(std::string& text) {
  if (is_ascii(text)) return false;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || nfkc == nullptr) return false;
  const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  const icu::UnicodeString normalized = nfkc->normalize(source, status);
  if (U_FAILURE(status)) return false;
  std::string utf8;
  normalized.toUTF8String(utf8);
  if (utf8 == text) return false;
  text = std::move(utf8);
  return true;
}

}  // namespace

UnitText normalize_unit_text_detailed(std::string_view raw_unit) {
  UnitText result;
  std::string text;
  result.superscript_exponent = superscript_prepass(raw_unit, text);

  result.nfkc = apply_nfkc(text);

  // μ (U+03BC, what NFKC makes of µ U+00B5) -> u (UF §3.3 step 7, done here because every
  // spelling needs it). `u` can compose with a following combining mark where μ could not
  // (μ̆ -> ŭ), so NFKC runs again when that may happen: the result stays idempotent.
  std::string replaced;
  replaced.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::string_view rest(text.data() + i, text.size() - i);
    if (rest.substr(0, 2) == "\u03BC" || rest.substr(0, 2) == "\u00B5") {
      replaced.push_back('u');
      result.micro = true;
      i += 2;
    } else {
      replaced.push_back(text[i]);
      ++i;
    }
  }
  if (result.micro && apply_nfkc(replaced)) result.nfkc = true;

  // Trim, and collapse runs of whitespace to one space (UF §3.3 step 5).
  std::string out;
  out.reserve(replaced.size());
  bool pending_space = false;
  for (const char c : replaced) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (pending_space || out.empty() || c != ' ') result.spaces = true;
      pending_space = true;
      continue;
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  if (pending_space) result.spaces = true;  // trailing
  result.text = std::move(out);
  return result;
}

std::string normalize_unit_text(std::string_view raw_unit) {
  return normalize_unit_text_detailed(raw_unit).text;
}

}  // namespace smx::lab
