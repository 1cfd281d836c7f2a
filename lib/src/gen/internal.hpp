// Internals of smx gen shared by its sources (not public API).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "smx/gen.hpp"
#include "smx/json.hpp"
#include "smx/tables.hpp"
#include "smx/units.hpp"

namespace smx::gen::detail {

// ---- randomness -----------------------------------------------------------------------------
// splitmix64 (Steele, Lea, Flood 2014) to derive seeds, xoshiro256** (Blackman, Vigna 2018) to
// draw. Integers and doubles only through our own arithmetic, so every platform gives the same
// sequence.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t state = a ^ (b * 0xD1B54A32D192ED03ULL);
  splitmix64(state);
  return splitmix64(state);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) by multiply-shift (Lemire): the high word of next() * n; n > 0.
  std::uint64_t below(std::uint64_t n) { return multiply_high(next(), n); }
  int between(int low, int high) {  // inclusive
    return low + static_cast<int>(below(static_cast<std::uint64_t>(high - low + 1)));
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool chance(double p) { return unit() < p; }
  // Approximately standard normal: Irwin-Hall sum of four uniforms, scaled to variance 1
  // (sum of 4 has variance 1/3). Only + and *, so identical everywhere; tails end at +-3.46.
  double normal() {
    double sum = unit() + unit() + unit() + unit();
    return (sum - 2.0) * 1.7320508075688772;
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  template <typename T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t multiply_high(std::uint64_t a, std::uint64_t b) {
    const std::uint64_t a_low = a & 0xFFFFFFFFu, a_high = a >> 32, b_low = b & 0xFFFFFFFFu, b_high = b >> 32;
    const std::uint64_t low_low = a_low * b_low, high_low = a_high * b_low, low_high = a_low * b_high;
    const std::uint64_t cross = (low_low >> 32) + (high_low & 0xFFFFFFFFu) + low_high;
    return a_high * b_high + (high_low >> 32) + (cross >> 32);
  }
  std::uint64_t s_[4];
};

// ---- dates (proleptic Gregorian, days since 1970-01-01; <chrono> sys_days) --------------------
std::int64_t days_from_yyyymmdd(std::string_view yyyymmdd);  // checked by parse_date
void append_yyyymmdd(std::string& out, std::int64_t days);

// ---- catalogue ------------------------------------------------------------------------------
struct NamePart {
  std::string_view kanji;
  std::string_view kana;
};
extern const std::vector<NamePart> family_names;
extern const std::vector<NamePart> male_names;
extern const std::vector<NamePart> female_names;
struct Place {
  std::string_view prefecture_city;
  std::string_view postal_prefix;  // 3 digits
};
extern const std::vector<Place> places;
extern const std::vector<std::string_view> towns;
// Town and block number of an invented address ("桜台7-8-11"), from `towns`.
std::string random_street(Rng& rng);
struct Department {
  std::string_view code2;
  std::string_view name;
};
extern const std::vector<Department> departments;
struct Drug {
  std::string_view code;  // HOT9-shaped, invented
  std::string_view name;
  std::string_view unit_code;
  std::string_view unit_name;
  int dose_min, dose_max;
};
extern const std::vector<Drug> drugs;
struct Usage {
  std::string_view code;
  std::string_view text;
};
extern const std::vector<Usage> usages;
struct Diagnosis {
  std::string_view icd10;
  std::string_view name;
};
extern const std::vector<Diagnosis> diagnoses;
extern const std::vector<std::string_view> hospital_words;
// --phi (phi.cpp): katakana (the name tables' kana) in Hepburn romaji, upper case, and in
// half-width forms.
std::string katakana_romaji(std::string_view kana);
std::string katakana_halfwidth(std::string_view kana);
extern const std::vector<std::string_view> doctor_family;
extern const std::vector<std::string_view> doctor_given;

// A lab item gen can report: the JLAC10 code pieces and how its values look.
enum class Specimen : std::uint8_t { serum, plasma, whole_blood, urine };
struct LabItem {
  std::string_view analyte;    // 5 characters, must be in mappings/analytes.yaml
  std::string_view rest;       // identification + material + method + result id (12)
  Specimen specimen;
  bool qualitative = false;    // urine dipstick / infection: 陰性, (2+)...
  double detection_limit = 0;  // below: "<X" forms (CRP)
  double report_limit = 0;     // above: "X<" forms
  std::string_view conventional_unit;  // unit_system conventional (Japanese habit), "" = canonical
  std::string_view si_unit;            // unit_system si, "" = canonical
};
extern const std::vector<LabItem> lab_items;
std::string_view specimen_code(Specimen specimen);
std::string_view specimen_name(Specimen specimen);

// ---- facility model: the profile plus what it implies per lab item --------------------------
struct ItemModel {
  const LabItem* item = nullptr;
  std::string jlac10;
  std::string local_code;
  std::string display_name;     // OBX-3.2 as this facility writes it
  const tables::Analyte* analyte = nullptr;
  std::string canonical_unit;   // UCUM
  std::string reported_unit;    // UCUM of what the facility sends
  std::string unit_spelling;    // OBX-6 text as sent (UTF-8, not escaped)
  std::string unit_system_name; // OBX-6.3
  double to_canonical = 1.0;    // linear factor reported -> canonical (all lab items are linear)
  // Intervals in canonical units: the JCCLS one and the facility's own (by sex).
  double jccls_low[2] = {0, 0}, jccls_high[2] = {0, 0};    // [male, female]
  double site_low[2] = {0, 0}, site_high[2] = {0, 0};
  bool sex_specific = false;
  int canonical_decimals = 1;
  // "" or what no table covers for this item at this facility (Options::gap_rate): "code" (the
  // local code is not in the site table) or "unit" (the spelling is in no table, not UCUM).
  std::string gap;
  // Options::variance_rate (variance.cpp): the kind of real-world variance the unit spelling
  // carries ("" none; unit-case, unit-trap, unit-decoration, unit-typo, unit-gap,
  // unit-alternative) and what a
  // normalizer must do with it, from lab::resolve_unit over the loaded tables: "right" (the
  // tables map it to reported_unit) or "reported" (then `gap` is "unit").
  std::string unit_variance;
  std::string unit_expect;
  bool variance_item = false;  // one of the items only --variance-rate adds (variance.cpp)
  bool mixed = false;          // qualitative or quantitative per result under one code
};

struct FacilityModel {
  FacilityProfile profile;
  std::vector<ItemModel> items;  // lab_items order, those the tables know; then variance items
  std::size_t regular_items = 0; // items[0, regular_items): the lab panel draws from these
  bool variance = false;         // Options::variance_rate applies to this facility
  double variance_rate = 0;
  int index = 0;                 // facility number (0 = H01)
  std::string wave_dash;         // 〜 (ISO-2022-JP) or ～ (CP932, UTF-8) for ranges
};

// One lab OBX as written and the answer a perfect normalizer gives (a --truth row).
struct TruthObx {
  int obx = 0;
  const ItemModel* item = nullptr;
  std::string code;         // OBX-3.1 as sent
  bool has_value = false;
  double value = 0;         // canonical unit
  std::string comparator;   // "", "<", ">"
  std::string qualitative;  // NEG, EQV, 1+, 2+, 3+, POS
  bool has_range = false;
  double low = 0, high = 0;  // canonical unit
  std::string flag;          // N, L, H, A, "" (undecidable)
  std::string sent_value, sent_unit, sent_range, sent_flag;
  // What result_value drew, in the unit sent: the number, the range row of the patient's sex.
  double sent_number = 0, sent_low = 0, sent_high = 0;
  // Per row (variance.cpp may change them): the unit a correct normalizer writes (the item's
  // canonical one unless the row says otherwise), OBX-6.3 as sent, the gap, the variance kind,
  // the expected outcome ("right" / "reported") and the OBX-5 text that must be kept as sent.
  std::string unit, sent_system, gap, variance, expect, kept;
};

// Builds the model; throws config_error when the tables lack what gen needs.
FacilityModel build_facility(const Options& options, const tables::Tables& tables,
                             units::Ucum& ucum, int facility_index);
FacilityProfile draw_profile(const Options& options, int facility_index);

// ---- real-world variance (variance.cpp; Options::variance_rate) -----------------------------
// Sets model.regular_items; with a variance rate, for facilities other than H01: variant unit
// spellings on some items and the variance-only items appended. Called by build_facility.
void add_variance(FacilityModel& model, const Options& options, const tables::Tables& tables, units::Ucum& ucum);
// Adds some variance-only items to a lab panel (indices into model.items).
void extend_panel(const FacilityModel& model, Rng& rng, std::vector<std::size_t>& pick);
// A row's variance: marks rows of items with a variant spelling, gives variance-only items their
// row forms (mixed qualitative/quantitative, value ranges), and turns some quantitative rows into
// a compound value, a value range or a unit mislabel. `rng` is the row-variance stream.
void vary_row(const FacilityModel& model, const tables::Tables& tables, units::Ucum& ucum, TruthObx& t, Rng& rng);
// The truth row's variance members ("variance", "expect" [, "kept"]) when it has one.
void write_variance_members(json::Writer& w, const TruthObx& t);
// Unit-spelling variants of `spelling` (the unit `ucum`) of each kind, sorted and distinct.
struct SpellingVariants {
  std::vector<std::string> case_variants;  // letter case changed (UCUM readings or not)
  std::vector<std::string> decorations;    // display suffixes, blanks, full-width forms
  std::vector<std::string> typos;          // NHO's production typos for this unit
};
SpellingVariants spelling_variants(std::string_view spelling, std::string_view ucum);

// Text helpers.
std::string fullwidth(std::string_view ascii);
void append_fixed(std::string& out, double value, int decimals);
int shortest_decimals(double value);

}  // namespace smx::gen::detail

// ---- people at several facilities (shared.cpp; Options::shared_persons) ---------------------
namespace smx::gen::detail {

// What one facility recorded of a person (the person's identity plus this facility's
// recording variance), and who the person is (the truth).
struct RecordedIdentity {
  std::string person;  // "P00000042" (shared) or "U-H01-17" (seen at one facility only)
  bool shared = false;
  char sex = 'M';
  std::int64_t birth = 0;
  std::string family_kanji, family_kana, given_kanji, given_kana;
  std::string postal, address;
  std::string insurer, symbol, number;  // IN1-3, IN1-10, IN1-11
  std::vector<std::string> variance;    // kinds applied at this facility, in a fixed order
};

// Which local patients are the same person. Built once per run from the options and the
// facility profiles (charsets decide which variant characters can be written).
class SharedPlan {
 public:
  SharedPlan(const Options& options, const std::vector<std::uint64_t>& counts,
             const std::vector<FacilityProfile>& profiles, std::int64_t first_care_day);
  // The identity of local patient `index` of `facility`, or nullptr when not shared.
  const RecordedIdentity* find(int facility, std::uint64_t index) const;
  std::uint64_t shared_persons() const { return shared_; }

 private:
  std::vector<std::vector<std::int64_t>> slot_;  // [facility][index] -> identities_ index or -1
  std::vector<RecordedIdentity> identities_;
  std::uint64_t shared_ = 0;
};

// Insurance of a patient seen at one facility only (a separate random stream: the patient's
// own stream, and so the tree without --shared-persons, stays as it was).
void draw_insurance(std::uint64_t seed, int facility, std::uint64_t index, RecordedIdentity& out);

}  // namespace smx::gen::detail
