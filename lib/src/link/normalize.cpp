// The Japanese normalizer of smx link (rules in man/smx-link.1.md NORMALIZER, in this order):
//  1. spacing voiced marks ゛゜ after kana become combining ones, so NFKC composes them;
//  2. ICU NFKC_Casefold: full-width ASCII -> ASCII, half-width katakana (ｶﾞ) -> katakana (ガ),
//     ideographic space -> space, compatibility ideographs with a decomposition -> unified,
//     Latin letters case-folded (lower case), default-ignorable characters removed;
//  3. spaces and name separators (・ ゠ · =) removed; hiragana -> katakana; iteration marks
//     (ヽ ヾ 々 〻) expanded, ヽ ヾ past a ー or dash; kanji variants folded
//     (mappings/link/kanji-variants.yaml);
//  4. ヴァ ヴィ ヴ ヴェ ヴォ -> バ ビ ブ ベ ボ (ヷヸヹヺ too), ヂ -> ジ, ヅ -> ズ, ヰ ヱ ヲ -> イ エ オ,
//     small kana -> large (ァ -> ア, ッ -> ツ, ャ -> ヤ, ヵ -> カ, ㇰ -> ク …);
//  5. long vowels folded: ー and dashes after katakana are dropped, and so is a vowel kana that
//     only lengthens the kana before it (サトウ, サトー -> サト; オオノ, オーノ -> オノ).
// Any change to a rule here must bump normalizer_code_version in smx/link.hpp.
#include "link/internal.hpp"

#include <smx/link.hpp>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace smx::link {

namespace detail {

std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(s, i, length, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size() * 3);
  for (char32_t c : text) {
    std::uint8_t buffer[4];
    std::int32_t n = 0;
    UBool error = false;
    U8_APPEND(buffer, n, 4, static_cast<UChar32>(c), error);
    if (error) {
      // A surrogate or an out-of-range value cannot be UTF-8: write U+FFFD.
      n = 0;
      U8_APPEND(buffer, n, 4, 0xFFFD, error);
    }
    out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(n));
  }
  return out;
}

std::string nfkc(std::string_view text, bool casefold) {
  bool ascii = true;
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80 || (casefold && c >= 'A' && c <= 'Z')) ascii = false;
  if (ascii) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = casefold ? icu::Normalizer2::getNFKCCasefoldInstance(status)
                                                : icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) throw std::runtime_error("ICU: no NFKC instance");
  const icu::UnicodeString source =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  const icu::UnicodeString normalized = normalizer->normalize(source, status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU: NFKC failed");
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

}  // namespace detail

namespace {

using detail::decode_utf8;
using detail::encode_utf8;

bool is_hiragana(char32_t c) { return c >= 0x3041 && c <= 0x3096; }
bool is_katakana(char32_t c) { return (c >= 0x30A1 && c <= 0x30FA) || (c >= 0x31F0 && c <= 0x31FF); }
bool is_kana(char32_t c) { return is_hiragana(c) || is_katakana(c) || c == 0x30FC || c == 0x309D || c == 0x309E; }
bool is_ideograph(char32_t c) {
  return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_IDEOGRAPHIC) != 0;
}

// Vowel of each katakana U+30A1..U+30FA ('-' for ン): the kana chart row by row.
constexpr std::string_view katakana_vowels =
    "aaiiuueeoo"       // ァア ィイ ゥウ ェエ ォオ
    "aaiiuueeoo"       // カガ キギ クグ ケゲ コゴ
    "aaiiuueeoo"       // サザ シジ スズ セゼ ソゾ
    "aaiiuuueeoo"      // タダ チヂ ッツヅ テデ トド
    "aiueo"            // ナニヌネノ
    "aaaiiiuuueeeooo"  // ハバパ ヒビピ フブプ ヘベペ ホボポ
    "aiueo"            // マミムメモ
    "aauuoo"           // ャヤ ュユ ョヨ
    "aiueo"            // ラリルレロ
    "aaieo"            // ヮワ ヰ ヱ ヲ
    "-u"               // ン ヴ
    "ae"               // ヵ ヶ
    "aieo";            // ヷヸヹヺ
static_assert(katakana_vowels.size() == 0x30FA - 0x30A1 + 1);

char vowel_of(char32_t c) {
  if (c < 0x30A1 || c > 0x30FA) return 0;
  const char v = katakana_vowels[c - 0x30A1];
  return v == '-' ? 0 : v;
}

// The vowel kana that a given vowel is lengthened with: a-row by ア, i by イ, u by ウ, e by
// イ or エ, o by ウ or オ (the readings Japanese spelling uses for long vowels).
bool lengthens(char previous_vowel, char32_t c) {
  switch (c) {
    case U'ア': return previous_vowel == 'a';
    case U'イ': return previous_vowel == 'i' || previous_vowel == 'e';
    case U'ウ': return previous_vowel == 'u' || previous_vowel == 'o';
    case U'エ': return previous_vowel == 'e';
    case U'オ': return previous_vowel == 'o';
    default: return false;
  }
}

bool is_long_vowel_mark(char32_t c) {
  switch (c) {
    case 0x30FC:  // ー (half-width ｰ is NFKC'd to it)
    case 0x002D: case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015:
    case 0x2212: case 0x007E: case 0x301C: case 0x2053:
      return true;
    default:
      return false;
  }
}

bool is_separator(char32_t c) {
  return c == 0x30FB || c == 0x00B7 || c == 0x30A0 || c == U'=' || c == 0x200B || c == 0xFEFF ||
         u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Voiced / unvoiced pairs for the iteration marks ヽ (repeat unvoiced) and ヾ (repeat voiced).
char32_t unvoiced(char32_t c) {
  if (c == U'ヴ') return U'ウ';
  if (c >= 0x30AC && c <= 0x30C2 && (c - 0x30AC) % 2 == 0) return c - 1;  // ガ..ヂ
  if (c == 0x30C5 || c == 0x30C7 || c == 0x30C9) return c - 1;           // ヅ デ ド
  if (c >= 0x30D0 && c <= 0x30DD) {                                      // バパ…ボポ
    const char32_t base = 0x30CF + (c - 0x30CF) / 3 * 3;
    return base;
  }
  return c;
}

char32_t voiced(char32_t c) {
  c = unvoiced(c);
  if (c == U'ウ') return U'ヴ';
  if (c >= 0x30AB && c <= 0x30C1 && (c - 0x30AB) % 2 == 0) return c + 1;  // カ..チ
  if (c == 0x30C4 || c == 0x30C6 || c == 0x30C8) return c + 1;           // ツ テ ト
  if (c >= 0x30CF && c <= 0x30DB && (c - 0x30CF) % 3 == 0) return c + 1;  // ハ ヒ フ ヘ ホ
  return c;
}

// Step 1: ゛ (U+309B) and ゜ (U+309C) after kana -> combining U+3099 / U+309A.
std::u32string combine_spacing_marks(std::u32string text) {
  for (std::size_t i = 1; i < text.size(); ++i) {
    if ((text[i] == 0x309B || text[i] == 0x309C) && is_kana(text[i - 1])) text[i] -= 2;
  }
  return text;
}

// Step 3.
std::u32string fold_script(std::u32string_view text, const KanjiVariants& variants) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (is_separator(c)) continue;
    if (is_hiragana(c)) c += 0x60;
    if (c == 0x309D) c = 0x30FD;  // ゝ -> ヽ
    if (c == 0x309E) c = 0x30FE;  // ゞ -> ヾ
    if (c == 0x30FD || c == 0x30FE) {
      // The kana a mark repeats is the one before any ー or dash: step 5 drops those after
      // katakana, and a mark left unexpanded here would then follow the kana and be expanded
      // on a second pass (fuzz_link_normalize: "か-ゞ" gave カヾ, then カガ).
      std::size_t k = out.size();
      while (k > 0 && is_long_vowel_mark(out[k - 1])) --k;
      if (k > 0 && is_katakana(out[k - 1])) {
        out.push_back(c == 0x30FD ? unvoiced(out[k - 1]) : voiced(out[k - 1]));
        continue;
      }
    }
    if ((c == 0x3005 || c == 0x303B) && !out.empty() && is_ideograph(out.back())) {  // 々 〻
      out.push_back(out.back());
      continue;
    }
    out.push_back(variants.map(c));
  }
  return out;
}

char32_t large_kana(char32_t c) {
  switch (c) {
    case U'ァ': case U'ィ': case U'ゥ': case U'ェ': case U'ォ':
    case U'ッ': case U'ャ': case U'ュ': case U'ョ': case U'ヮ':
      return c + 1;
    case U'ヵ': return U'カ';
    case U'ヶ': return U'ケ';
    default: break;
  }
  if (c >= 0x31F0 && c <= 0x31FF) {  // Katakana Phonetic Extensions: small ㇰ..ㇿ
    static constexpr char32_t large[16] = {U'ク', U'シ', U'ス', U'ト', U'ヌ', U'ハ', U'ヒ', U'フ',
                                           U'ヘ', U'ホ', U'ム', U'ラ', U'リ', U'ル', U'レ', U'ロ'};
    return large[c - 0x31F0];
  }
  return c;
}

// Step 4.
std::u32string fold_kana(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    if (c == U'ヴ') {
      const char32_t next = i + 1 < text.size() ? text[i + 1] : 0;
      switch (next) {
        case U'ァ': out.push_back(U'バ'); ++i; continue;
        case U'ィ': out.push_back(U'ビ'); ++i; continue;
        case U'ゥ': out.push_back(U'ブ'); ++i; continue;
        case U'ェ': out.push_back(U'ベ'); ++i; continue;
        case U'ォ': out.push_back(U'ボ'); ++i; continue;
        case U'ャ': case U'ュ': case U'ョ': out.push_back(U'ビ'); continue;  // ヴュ -> ビュ
        default: out.push_back(U'ブ'); continue;
      }
    }
    switch (c) {
      case U'ヷ': c = U'バ'; break;
      case U'ヸ': c = U'ビ'; break;
      case U'ヹ': c = U'ベ'; break;
      case U'ヺ': c = U'ボ'; break;
      case U'ヂ': c = U'ジ'; break;
      case U'ヅ': c = U'ズ'; break;
      case U'ヰ': c = U'イ'; break;
      case U'ヱ': c = U'エ'; break;
      case U'ヲ': c = U'オ'; break;
      default: c = large_kana(c); break;
    }
    out.push_back(c);
  }
  return out;
}

// Step 5.
std::u32string fold_long_vowels(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    if (!out.empty()) {
      const char previous = vowel_of(out.back());
      if (is_long_vowel_mark(c) && (previous != 0 || out.back() == U'ン')) continue;
      if (previous != 0 && lengthens(previous, c)) continue;
    }
    out.push_back(c);
  }
  return out;
}

bool is_dash(char32_t c) { return is_long_vowel_mark(c) || c == 0x2043 || c == 0xFE63; }

std::u32string without(std::u32string_view text, bool (*drop)(char32_t)) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text)
    if (!drop(c)) out.push_back(c);
  return out;
}

bool is_space(char32_t c) { return u_isUWhiteSpace(static_cast<UChar32>(c)) != 0; }

std::string make_version(const KanjiVariants& variants) {
  // A default (empty) table digests like an empty file would.
  const std::string table = variants.digest().empty() ? to_hex(sha256("")) : variants.digest();
  const std::string material = std::string(normalizer_code_version) + "\n" + table;
  const auto digest = sha256(material);
  return std::string(normalizer_code_version) + "+" + to_hex(digest).substr(0, 16);
}

}  // namespace

Normalizer::Normalizer(KanjiVariants variants)
    : variants_(std::move(variants)), version_(make_version(variants_)) {}

std::string Normalizer::name(std::string_view text) const {
  std::u32string s = combine_spacing_marks(decode_utf8(text));
  s = decode_utf8(detail::nfkc(encode_utf8(s), true));
  // A combining mark NFKC could not compose (a voiced mark after a space, a separator, a long
  // vowel or a kana that has no voiced form; a diaeresis after a space, as NFKC spells U+00A8)
  // says nothing about the name; kept, it would compose with whatever the later folds move in
  // front of it, and a second pass would give another name (fuzz_link_normalize: "ﾄｳ ﾞ" became
  // ト + U+3099, then ド; "a¨" became a + U+0308, then ä).
  s = without(s, [](char32_t c) {
    const std::int8_t type = u_charType(static_cast<UChar32>(c));
    return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
  });
  s = fold_script(s, variants_);
  s = fold_kana(s);
  s = fold_long_vowels(s);
  return encode_utf8(s);
}

std::string Normalizer::number(std::string_view text) const {
  return encode_utf8(without(decode_utf8(detail::nfkc(text, true)), [](char32_t c) { return is_space(c) || is_dash(c); }));
}

std::string Normalizer::symbol(std::string_view text) const {
  // Dashes inside a symbol ("12-3") are separators, not long vowels: drop them first.
  const std::string plain = encode_utf8(
      without(decode_utf8(detail::nfkc(text, true)), [](char32_t c) { return is_space(c) || is_dash(c); }));
  return name(plain);
}

std::string Normalizer::postal_code(std::string_view text) const {
  return encode_utf8(without(decode_utf8(detail::nfkc(text, true)),
                             [](char32_t c) { return is_space(c) || is_dash(c) || c == 0x3012 || c == 0x3020; }));
}

std::string Normalizer::sex(std::string_view text) const {
  std::string s = encode_utf8(without(decode_utf8(detail::nfkc(text, true)), is_space));
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  // HL7 v2.5 table 0001 (F M O U A N) and ISO/IEC 5218 (0 not known, 1 male, 2 female,
  // 9 not applicable); U, A, N, 0 and 9 say nothing we can compare on.
  if (s == "M" || s == "1" || s == "男" || s == "男性") return "M";
  if (s == "F" || s == "2" || s == "女" || s == "女性") return "F";
  if (s == "O") return "O";
  return "";
}

}  // namespace smx::link
