// smx gen --shared-persons (issue 14): people who are patients of several facilities, each
// facility with its own local ID and its own way of recording them. The variance kinds follow
// what national linkage studies found breaking hashed keys (privacy.md §1.2): width of digits
// and kana, spaces, kanji variants (渡邊/渡辺), marriage, moves, insurer changes (~11 % a year),
// typing errors, and same-sex twins who share an insurance card.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include "gen/internal.hpp"
#include "smx/error.hpp"

namespace smx::gen::detail {

namespace {

constexpr std::uint64_t kSharedStream = 0x5348415245ULL;    // "SHARE"
constexpr std::uint64_t kInsuranceStream = 0x494E5331ULL;   // "INS1"

// Variant kanji a register may hold instead of the common form (each folds back in
// mappings/link/kanji-variants.yaml). `jis0208`: writable in ISO-2022-JP.
struct KanjiSwap {
  std::string_view common, variant;
  bool jis0208;
};
constexpr KanjiSwap kanji_swaps[] = {
    {"辺", "邊", true}, {"辺", "邉", true}, {"斎", "齋", true}, {"島", "嶋", true}, {"恵", "惠", true},
    {"真", "眞", true}, {"高", "髙", false}, {"崎", "﨑", false},
};

// Kana a typist may hit instead (a neighbouring kana of the same row or column).
constexpr std::string_view typo_kana[] = {"ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ", "シ",
                                          "ス", "セ", "ソ", "タ", "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ",
                                          "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ラ",
                                          "リ", "ル", "レ", "ロ"};

std::string street(Rng& rng) {
  std::string s(rng.pick(towns));
  const auto chome = rng.between(1, 9);
  const auto block = rng.between(1, 30);
  const auto house = rng.between(1, 20);
  return s + std::to_string(chome) + "-" + std::to_string(block) + "-" + std::to_string(house);
}

void draw_address(Rng& rng, RecordedIdentity& id) {
  const Place& place = rng.pick(places);
  const auto four = rng.between(1000, 9999);
  id.postal = std::string(place.postal_prefix) + "-" + std::to_string(four);
  id.address = std::string(place.prefecture_city) + street(rng);
}

std::string digits(Rng& rng, int count) {
  std::string s;
  for (int i = 0; i < count; ++i) s.push_back(static_cast<char>('0' + rng.below(10)));
  return s;
}

void draw_card(Rng& rng, RecordedIdentity& id) {
  // 保険者番号: 8 digits (法別番号 01 協会けんぽ, 06 健保組合, 31 共済...) or 6 (国保); 記号 and 番号.
  static const char* const houbetsu[] = {"01", "06", "31", "39"};
  const bool kokuho = rng.chance(0.3);
  const char* const kind = rng.pick(houbetsu);
  const std::string tail = digits(rng, 6);
  id.insurer = kokuho ? digits(rng, 6) : std::string(kind) + tail;
  id.symbol = digits(rng, 4 + static_cast<int>(rng.below(4)));
  id.number = std::to_string(1 + rng.below(99999));
}

std::string katakana_to_hiragana(std::string_view kana) {
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(kana.data(), static_cast<int32_t>(kana.size())));
  for (int32_t i = 0; i < s.length(); ++i) {
    const char16_t c = s.charAt(i);
    if (c >= 0x30A1 && c <= 0x30F6) s.setCharAt(i, static_cast<char16_t>(c - 0x60));
  }
  std::string out;
  s.toUTF8String(out);
  return out;
}

std::string halfwidth(std::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  thread_local std::unique_ptr<icu::Transliterator> t(
      icu::Transliterator::createInstance("Fullwidth-Halfwidth", UTRANS_FORWARD, status));
  if (!t) throw config_error("ICU has no Fullwidth-Halfwidth transliterator");
  icu::UnicodeString s = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  t->transliterate(s);
  std::string out;
  s.toUTF8String(out);
  return out;
}

// Replaces one katakana (3 UTF-8 bytes each in our catalogue) of `kana` by another.
void kana_typo(Rng& rng, std::string& kana) {
  const std::size_t letters = kana.size() / 3;
  if (letters == 0) return;
  const std::size_t at = rng.below(letters) * 3;
  std::string_view replacement = rng.pick(typo_kana);
  if (kana.compare(at, 3, replacement) == 0) replacement = replacement == "ア" ? "カ" : "ア";
  kana.replace(at, 3, replacement);
}

// A one-digit error in YYYYMMDD that still is a valid date: the day's last digit, the day's
// tens digit, the month's last digit or the year's last digit moves by one.
std::int64_t birth_digit_error(Rng& rng, std::int64_t birth) {
  using namespace std::chrono;
  const year_month_day born{sys_days{days{birth}}};
  const int year = static_cast<int>(born.year());
  const int month = static_cast<int>(static_cast<unsigned>(born.month()));
  const int day = static_cast<int>(static_cast<unsigned>(born.day()));
  for (int attempt = 0; attempt < 8; ++attempt) {
    int y = year, m = month, d = day;
    const int step = rng.chance(0.5) ? 1 : -1;
    switch (rng.below(4)) {
      case 0: d = (d % 10 == 9 && step > 0) || (d % 10 == 0 && step < 0) ? d : d + step; break;
      case 1: d += 10 * step; break;
      case 2: m = (m % 10 == 9 && step > 0) || (m % 10 == 0 && step < 0) ? m : m + step; break;
      default: y = (y % 10 == 9 && step > 0) || (y % 10 == 0 && step < 0) ? y : y + step; break;
    }
    if (m < 1 || m > 12 || d < 1 || d > 31) continue;
    const year_month_day wrong{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                               std::chrono::day{static_cast<unsigned>(d)}};
    if (!wrong.ok()) continue;  // the date must exist (<chrono>, proleptic Gregorian)
    const std::int64_t wrong_days = sys_days{wrong}.time_since_epoch().count();
    if (wrong_days != birth) return wrong_days;
  }
  return birth + 1;
}

RecordedIdentity draw_person(Rng& rng, std::int64_t first_care_day) {
  RecordedIdentity id;
  id.shared = true;
  id.sex = rng.chance(0.5) ? 'M' : 'F';
  const std::int64_t age_years = rng.between(1, 95);
  const std::int64_t age_days = rng.between(0, 364);
  id.birth = first_care_day - 365 * age_years - age_days;
  const NamePart& family = rng.pick(family_names);
  const NamePart& given = id.sex == 'M' ? rng.pick(male_names) : rng.pick(female_names);
  id.family_kanji = family.kanji;
  id.family_kana = family.kana;
  id.given_kanji = given.kanji;
  id.given_kana = given.kana;
  draw_address(rng, id);
  draw_card(rng, id);
  return id;
}

// This facility's record of `person` (not the first facility's: that one is as drawn).
RecordedIdentity vary(const RecordedIdentity& person, Rng& rng, const FacilityProfile& facility,
                      std::int64_t first_care_day) {
  RecordedIdentity r = person;
  const bool jis = facility.charset == Charset::iso2022jp;
  // Kanji variant: the register keeps the old or variant form of a character.
  if (rng.chance(0.3)) {
    for (const KanjiSwap& swap : kanji_swaps) {
      if (!swap.jis0208 && jis) continue;
      for (std::string* text : {&r.family_kanji, &r.given_kanji}) {
        const std::size_t at = text->find(swap.common);
        if (at == std::string::npos) continue;
        text->replace(at, swap.common.size(), swap.variant);
        r.variance.push_back("kanji-variant");
        goto kanji_done;
      }
    }
  }
kanji_done:
  if (rng.chance(0.04) && r.sex == 'F' && first_care_day - r.birth > 365 * 20) {
    // Married: a new family name (kanji and kana) in this register.
    for (int attempt = 0; attempt < 4; ++attempt) {
      const NamePart& family = rng.pick(family_names);
      if (family.kanji == person.family_kanji) continue;
      r.family_kanji = family.kanji;
      r.family_kana = family.kana;
      r.variance.push_back("married-name");
      break;
    }
  }
  if (rng.chance(0.05)) {
    kana_typo(rng, rng.chance(0.5) ? r.given_kana : r.family_kana);
    r.variance.push_back("kana-typo");
  }
  if (rng.chance(0.2)) {
    // Width and script: hiragana, half-width katakana (not in ISO-2022-JP), or the whole kana
    // name in the family component with a full-width space.
    const auto kind = rng.below(jis ? 2 : 3);
    if (kind == 0) {
      r.family_kana = katakana_to_hiragana(r.family_kana);
      r.given_kana = katakana_to_hiragana(r.given_kana);
      r.variance.push_back("hiragana");
    } else if (kind == 1) {
      r.family_kana += "　" + r.given_kana;
      r.given_kana.clear();
      r.variance.push_back("one-field-name");
    } else {
      r.family_kana = halfwidth(r.family_kana);
      r.given_kana = halfwidth(r.given_kana);
      r.variance.push_back("halfwidth-kana");
    }
  }
  if (rng.chance(0.1)) {
    draw_address(rng, r);
    r.variance.push_back("moved");
  }
  if (rng.chance(0.11)) {
    draw_card(rng, r);
    r.variance.push_back("insurer-change");
  } else if (rng.chance(0.2)) {
    // The Okamoto failure: the same card, digits written full-width.
    r.insurer = fullwidth(r.insurer);
    r.symbol = fullwidth(r.symbol);
    r.number = fullwidth(r.number);
    r.variance.push_back("fullwidth-digits");
  }
  if (rng.chance(0.02)) {
    r.birth = birth_digit_error(rng, r.birth);
    r.variance.push_back("birth-digit");
  }
  return r;
}

}  // namespace

void draw_insurance(std::uint64_t seed, int facility, std::uint64_t index, RecordedIdentity& out) {
  Rng rng(mix(mix(seed, kInsuranceStream + static_cast<std::uint64_t>(facility)), index));
  draw_card(rng, out);
}

SharedPlan::SharedPlan(const Options& options, const std::vector<std::uint64_t>& counts,
                       const std::vector<FacilityProfile>& profiles, std::int64_t first_care_day) {
  const int facilities = static_cast<int>(counts.size());
  slot_.resize(counts.size());
  for (std::size_t f = 0; f < counts.size(); ++f) slot_[f].assign(counts[f], -1);
  if (options.shared_persons <= 0) return;
  if (facilities < 2) throw usage_error("--shared-persons needs --facilities 2 or more");
  Rng rng(mix(options.seed, kSharedStream));
  std::vector<std::uint64_t> next(counts.size(), 0);  // next free local index per facility
  std::uint64_t slots = 0, extra = 0;                  // slots in total; extra = Σ(k - 1)
  for (std::uint64_t c : counts) slots += c;
  std::vector<int> chosen;
  std::uint64_t person = 0;
  std::optional<RecordedIdentity> twin_of;  // the first twin, while its sibling is pending
  std::vector<int> twin_facilities;
  // Persons = slots - extra; add shared persons until they are the asked share of persons.
  while (static_cast<double>(shared_) < options.shared_persons * static_cast<double>(slots - extra)) {
    // Facilities with a free slot.
    std::vector<int> open;
    for (int f = 0; f < facilities; ++f)
      if (next[static_cast<std::size_t>(f)] < counts[static_cast<std::size_t>(f)]) open.push_back(f);
    if (open.size() < 2) break;
    const bool twin = twin_of.has_value();
    const int k = std::min<int>(static_cast<int>(open.size()), rng.between(2, 4));
    chosen.clear();
    if (twin) {
      for (int f : twin_facilities)
        if (next[static_cast<std::size_t>(f)] < counts[static_cast<std::size_t>(f)]) chosen.push_back(f);
    }
    while (static_cast<int>(chosen.size()) < std::max(2, twin ? 0 : k)) {
      const int f = open[rng.below(open.size())];
      if (std::find(chosen.begin(), chosen.end(), f) == chosen.end()) chosen.push_back(f);
      if (chosen.size() >= open.size()) break;
    }
    if (chosen.size() < 2) break;
    Rng person_rng(mix(mix(options.seed, kSharedStream + 1), person));
    RecordedIdentity base = draw_person(person_rng, first_care_day);
    if (twin) {
      // The twin: same family, birth date, address and insurance card (a dependant of the same
      // insured person; cards before 2021 had no 枝番), another given name.
      const char sex = person_rng.chance(0.5) ? twin_of->sex : base.sex;
      base.family_kanji = twin_of->family_kanji;
      base.family_kana = twin_of->family_kana;
      base.birth = twin_of->birth;
      base.postal = twin_of->postal;
      base.address = twin_of->address;
      base.insurer = twin_of->insurer;
      base.symbol = twin_of->symbol;
      base.number = twin_of->number;
      base.sex = sex;
      for (int attempt = 0; attempt < 8; ++attempt) {
        const NamePart& given = sex == 'M' ? person_rng.pick(male_names) : person_rng.pick(female_names);
        if (given.kanji == twin_of->given_kanji) continue;
        base.given_kanji = given.kanji;
        base.given_kana = given.kana;
        break;
      }
      base.variance.push_back("twin");
    }
    char name[16];
    std::snprintf(name, sizeof name, "P%08llu", static_cast<unsigned long long>(person + 1));
    base.person = name;
    std::sort(chosen.begin(), chosen.end());
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      const auto f = static_cast<std::size_t>(chosen[i]);
      RecordedIdentity recorded = base;
      if (i > 0) {
        Rng vary_rng(mix(mix(options.seed, kSharedStream + 2 + i), person));
        recorded = vary(base, vary_rng, profiles[f], first_care_day);
      }
      slot_[f][next[f]++] = static_cast<std::int64_t>(identities_.size());
      identities_.push_back(std::move(recorded));
    }
    extra += chosen.size() - 1;
    ++shared_;
    ++person;
    // About 2 % of shared persons get a twin who is shared at the same facilities.
    if (twin) {
      twin_of.reset();
    } else if (rng.chance(0.02)) {
      twin_of = base;
      twin_facilities = chosen;
    }
  }
}

const RecordedIdentity* SharedPlan::find(int facility, std::uint64_t index) const {
  const auto f = static_cast<std::size_t>(facility);
  if (f >= slot_.size() || index >= slot_[f].size() || slot_[f][index] < 0) return nullptr;
  return &identities_[static_cast<std::size_t>(slot_[f][index])];
}

}  // namespace smx::gen::detail
