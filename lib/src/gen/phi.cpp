// smx gen --phi: identifying fields planted for de-identification tests (smx deid, issue 13).
// Every value is invented: names from the built-in lists, phone numbers and insurer numbers
// from the patient's own --phi stream (so the rest of the tree does not change with --phi).
#include <string>
#include <string_view>
#include <utility>

#include "gen/messages.hpp"

namespace smx::gen::detail {

namespace {

constexpr std::uint64_t kPhiStream = 0x504849ULL;  // "PHI"

// Full-width katakana -> half-width forms (pairs from Unicode NFKC of U+FF66-U+FF9F).
constexpr std::pair<std::string_view, std::string_view> kHalfwidth[] = {
    {"ァ", "ｧ"}, {"ア", "ｱ"}, {"ィ", "ｨ"}, {"イ", "ｲ"}, {"ゥ", "ｩ"}, {"ウ", "ｳ"}, {"ェ", "ｪ"}, {"エ", "ｴ"},
    {"ォ", "ｫ"}, {"オ", "ｵ"}, {"カ", "ｶ"}, {"ガ", "ｶﾞ"}, {"キ", "ｷ"}, {"ギ", "ｷﾞ"}, {"ク", "ｸ"},
    {"グ", "ｸﾞ"}, {"ケ", "ｹ"}, {"ゲ", "ｹﾞ"}, {"コ", "ｺ"}, {"ゴ", "ｺﾞ"}, {"サ", "ｻ"}, {"ザ", "ｻﾞ"},
    {"シ", "ｼ"}, {"ジ", "ｼﾞ"}, {"ス", "ｽ"}, {"ズ", "ｽﾞ"}, {"セ", "ｾ"}, {"ゼ", "ｾﾞ"}, {"ソ", "ｿ"},
    {"ゾ", "ｿﾞ"}, {"タ", "ﾀ"}, {"ダ", "ﾀﾞ"}, {"チ", "ﾁ"}, {"ヂ", "ﾁﾞ"}, {"ッ", "ｯ"}, {"ツ", "ﾂ"},
    {"ヅ", "ﾂﾞ"}, {"テ", "ﾃ"}, {"デ", "ﾃﾞ"}, {"ト", "ﾄ"}, {"ド", "ﾄﾞ"}, {"ナ", "ﾅ"}, {"ニ", "ﾆ"},
    {"ヌ", "ﾇ"}, {"ネ", "ﾈ"}, {"ノ", "ﾉ"}, {"ハ", "ﾊ"}, {"バ", "ﾊﾞ"}, {"パ", "ﾊﾟ"}, {"ヒ", "ﾋ"},
    {"ビ", "ﾋﾞ"}, {"ピ", "ﾋﾟ"}, {"フ", "ﾌ"}, {"ブ", "ﾌﾞ"}, {"プ", "ﾌﾟ"}, {"ヘ", "ﾍ"}, {"ベ", "ﾍﾞ"},
    {"ペ", "ﾍﾟ"}, {"ホ", "ﾎ"}, {"ボ", "ﾎﾞ"}, {"ポ", "ﾎﾟ"}, {"マ", "ﾏ"}, {"ミ", "ﾐ"}, {"ム", "ﾑ"},
    {"メ", "ﾒ"}, {"モ", "ﾓ"}, {"ャ", "ｬ"}, {"ヤ", "ﾔ"}, {"ュ", "ｭ"}, {"ユ", "ﾕ"}, {"ョ", "ｮ"}, {"ヨ", "ﾖ"},
    {"ラ", "ﾗ"}, {"リ", "ﾘ"}, {"ル", "ﾙ"}, {"レ", "ﾚ"}, {"ロ", "ﾛ"}, {"ワ", "ﾜ"}, {"ヲ", "ｦ"}, {"ン", "ﾝ"},
    {"ヴ", "ｳﾞ"}, {"ヷ", "ﾜﾞ"}, {"ヺ", "ｦﾞ"}, {"ー", "ｰ"},
};
// Katakana -> Hepburn syllables; small ャュョ and ッ are handled by katakana_romaji.
constexpr std::pair<std::string_view, std::string_view> kRomaji[] = {
    {"ァ", "A"}, {"ア", "A"}, {"ィ", "I"}, {"イ", "I"}, {"ゥ", "U"}, {"ウ", "U"}, {"ェ", "E"}, {"エ", "E"},
    {"ォ", "O"}, {"オ", "O"}, {"カ", "KA"}, {"ガ", "GA"}, {"キ", "KI"}, {"ギ", "GI"}, {"ク", "KU"},
    {"グ", "GU"}, {"ケ", "KE"}, {"ゲ", "GE"}, {"コ", "KO"}, {"ゴ", "GO"}, {"サ", "SA"}, {"ザ", "ZA"},
    {"シ", "SHI"}, {"ジ", "JI"}, {"ス", "SU"}, {"ズ", "ZU"}, {"セ", "SE"}, {"ゼ", "ZE"}, {"ソ", "SO"},
    {"ゾ", "ZO"}, {"タ", "TA"}, {"ダ", "DA"}, {"チ", "CHI"}, {"ヂ", "JI"}, {"ツ", "TSU"}, {"ヅ", "ZU"},
    {"テ", "TE"}, {"デ", "DE"}, {"ト", "TO"}, {"ド", "DO"}, {"ナ", "NA"}, {"ニ", "NI"}, {"ヌ", "NU"},
    {"ネ", "NE"}, {"ノ", "NO"}, {"ハ", "HA"}, {"バ", "BA"}, {"パ", "PA"}, {"ヒ", "HI"}, {"ビ", "BI"},
    {"ピ", "PI"}, {"フ", "FU"}, {"ブ", "BU"}, {"プ", "PU"}, {"ヘ", "HE"}, {"ベ", "BE"}, {"ペ", "PE"},
    {"ホ", "HO"}, {"ボ", "BO"}, {"ポ", "PO"}, {"マ", "MA"}, {"ミ", "MI"}, {"ム", "MU"}, {"メ", "ME"},
    {"モ", "MO"}, {"ヤ", "YA"}, {"ユ", "YU"}, {"ヨ", "YO"}, {"ラ", "RA"}, {"リ", "RI"}, {"ル", "RU"},
    {"レ", "RE"}, {"ロ", "RO"}, {"ワ", "WA"}, {"ヲ", "O"}, {"ン", "N"}, {"ヴ", "VU"},
};

// One UTF-8 character of `text` from `at` (the name tables hold katakana, 3 bytes each).
std::string_view next_char(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t size = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return text.substr(at, size);
}

template <std::size_t N>
std::string_view lookup(const std::pair<std::string_view, std::string_view> (&table)[N], std::string_view key) {
  for (const auto& [from, to] : table)
    if (from == key) return to;
  return {};
}

// "06-1234-5678" in full-width digits; the dash as U+2212 (JIS X 0208 1-29, so ISO-2022-JP holds
// it) or U+FF0D (the CP932 habit).
std::string fullwidth_digits(std::string_view text, bool jis_minus) {
  std::string out;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      out += "\xEF\xBC";  // U+FF10 + digit: EF BC 90..99
      out.push_back(static_cast<char>(0x90 + (c - '0')));
    } else if (c == '-') {
      out += jis_minus ? "\xE2\x88\x92" : "\xEF\xBC\x8D";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string digits(Rng& rng, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out.push_back(static_cast<char>('0' + rng.below(10)));
  return out;
}

std::string phone(Rng& rng) {
  static constexpr std::string_view kAreas[] = {"03", "06", "052", "011", "092", "090", "080"};
  const std::string_view area = kAreas[rng.below(std::size(kAreas))];
  return std::string(area) + "-" + digits(rng, area.size() == 2 ? 4 : 3) + "-" + digits(rng, 4);
}

}  // namespace

std::string katakana_halfwidth(std::string_view kana) {
  std::string out;
  for (std::size_t i = 0; i < kana.size();) {
    const std::string_view c = next_char(kana, i);
    const std::string_view half = lookup(kHalfwidth, c);
    out += half.empty() ? c : half;
    i += c.size();
  }
  return out;
}

std::string katakana_romaji(std::string_view kana) {
  std::string out;
  bool double_next = false;  // after ッ: the next consonant is doubled (T before CH)
  for (std::size_t i = 0; i < kana.size();) {
    const std::string_view c = next_char(kana, i);
    i += c.size();
    if (c == "ッ") {
      double_next = true;
      continue;
    }
    if (c == "ー") continue;  // long vowel mark: left out, as passports do
    if (c == "ャ" || c == "ュ" || c == "ョ") {
      const char vowel = c == "ャ" ? 'A' : c == "ュ" ? 'U' : 'O';
      // KI+ャ -> KYA; SHI/CHI/JI+ャ -> SHA/CHA/JA.
      if (!out.empty() && out.back() == 'I') {
        out.pop_back();
        const bool palatal = !out.empty() && (out.back() == 'H' || out.back() == 'J');
        if (!palatal) out.push_back('Y');
      }
      out.push_back(vowel);
      continue;
    }
    std::string_view syllable = lookup(kRomaji, c);
    if (syllable.empty()) syllable = c;  // not katakana: as written
    if (double_next && !syllable.empty()) out.push_back(syllable.substr(0, 2) == "CH" ? 'T' : syllable[0]);
    double_next = false;
    out += syllable;
  }
  return out;
}

void draw_phi(Patient& p, std::uint64_t seed, bool halfwidth, bool jis_minus) {
  Rng rng(mix(seed, kPhiStream));
  p.romaji = katakana_romaji(p.family.kana) + "^" + katakana_romaji(p.given.kana);
  if (halfwidth) p.halfwidth_kana = katakana_halfwidth(p.family.kana) + "^" + katakana_halfwidth(p.given.kana);
  p.phone = phone(rng);
  p.phone_fullwidth = fullwidth_digits(phone(rng), jis_minus);
  // Insurer number: 法別番号 (06 組合管掌, 01 協会けんぽ, 31 共済, 39 後期高齢者) and 6 digits.
  static constexpr std::string_view kLaws[] = {"06", "01", "31", "39"};
  p.insurer = std::string(kLaws[rng.below(std::size(kLaws))]) + digits(rng, 6);
  // Next of kin: same family name, a given name of the other list.
  const NamePart& kin = p.sex == 'M' ? rng.pick(female_names) : rng.pick(male_names);
  p.kin_kanji = std::string(p.family.kanji) + "^" + std::string(kin.kanji);
  p.kin_kana = std::string(p.family.kana) + "^" + std::string(kin.kana);
  p.kin_phone = phone(rng);
}

}  // namespace smx::gen::detail
