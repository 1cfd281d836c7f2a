// smx gen --variance-rate: the real-world variance a generator built from our own tables could
// not show (issue 11). A normalizer tried on an outside generator's tree turned 6 % of the lab
// values wrong by 10^3-10^21: spellings that differ from a lab unit only by letter case are
// valid UCUM with another meaning (U/ML per megalitre, Pg/mL petagram, Meq/L mega-equivalent).
// smx gen only wrote spellings from our own alias table, so it could not see that.
//
// What varies here, each on truth rows that say their kind and what a normalizer must do:
// - the unit spelling of some items per facility (unit-case, unit-trap, unit-decoration,
//   unit-typo), or another unit the analyte declares (unit-alternative: Ca in mEq/L, where
//   rounding a converted range once flipped flags): the expectation comes from
//   lab::resolve_unit over the loaded tables, so it stays
//   true when the tables grow: "right" when the tables map the spelling to the unit meant, else
//   "reported" (truth gap "unit"). Never a silent conversion.
// - value forms (compound `3+(300)` / `0.13(0)`, value range `0.5～2`): kept as sent, the unit
//   never converted under them ("right" = the text and the sender's unit, normalized).
// - unit mislabels the plausibility gate must catch (creatinine 88 sent with mg/dL): "reported".
// - items only this option adds: one code with qualitative and quantitative results across
//   patients (NHO: result ids >= 50, 1A990000000191154 urine glucose as `(-)` or `100`), and
//   codes whose units carry the traps and typos (U/mL, pg/mL, ug/mL, IU/mL, /HPF, mOsm/L).
// Sources: ssmix2.md §8 items 12-15 and 19, units-fhir.md §3.1 (NHO-UNITS display variants and
// production typos); JLAC10 codes from nhoHQ/SSMIX2_support_documents doc/jlac10_units.md
// @1d8ad5a6d581df60fedd5a61de3563899d527c80 (facts only; the reference intervals are invented).
#include <algorithm>
#include <cstdio>

#include "gen/internal.hpp"
#include "smx/charset.hpp"
#include "smx/lab.hpp"
#include "smx/labnorm.hpp"
#include "smx/stream.hpp"

namespace smx::gen::detail {
namespace {

constexpr std::uint64_t kVarianceProfileStream = 0x5641524941424C45ULL;  // "VARIABLE"
constexpr double kVarianceItemInPanel = 0.5;    // each variance-only item, per lab panel
constexpr double kVarianceItemSpelling = 0.5;   // a variant spelling for a variance-only item
constexpr double kVarianceItemRowForm = 0.3;    // compound / value range / mislabel per row
constexpr double kMixedQuantitative = 0.5;      // a positive mixed result sent as a number
constexpr double kMixedCompound = 0.3;          // ... of which as grade(number)

// An item only --variance-rate adds. `unit` is the UCUM of what the facility means, `spelling`
// how the facility writes it; `low`-`high` the facility's interval (invented, typical); `trap`
// the case variant of issue 11 that one facility in three sends for it (U/ML, Pg/mL, μg/ML).
struct VarianceItem {
  LabItem item;
  std::string_view name;
  std::string_view unit;
  std::string_view spelling;
  double low, high;
  int decimals;
  std::string_view trap = {};
};

// Codes: doc/jlac10_units.md (see the file comment) gives each with the unit NHO mandates;
// where a spelling variance needs another unit to stand for, the comment says so.
const std::vector<VarianceItem> kVarianceItems = {
    // NHO: "result ids >= 50 may carry qualitative and quantitative results; 1A990000000191154
    // (urine glucose) is reported qualitatively by some hospitals and as mg/dL by others".
    {{"1A990", "000000191154", Specimen::urine, true, 0, 0, "", ""}, "尿糖（半定量）", "mg/dL", "mg/dl", 0, 0, 0},
    // Urine sediment, squamous epithelial cells: NHO's table gives no unit; reports print
    // /HPF, and NHO's exceptions list the typos /HPL and 個/HFP (ssmix2.md §8 item 15).
    {{"1A105", "000000192054", Specimen::urine, false, 0, 0, "", ""}, "扁平上皮細胞", "/[HPF]", "/HPF", 0, 4, 0},
    // Osmolality: NHO writes mosm/kg_h2o and files the spellings per litre under it (osmometers
    // measure osmolality); laboratories print mOsm/L, and NHO's typo of it is mOms/L.
    {{"3H045", "000002390201", Specimen::serum, false, 0, 0, "", ""}, "浸透圧", "mosm/kg{H2O}", "mOsm/L", 275, 290, 0},
    {{"2B140", "000002206201", Specimen::plasma, false, 0, 0, "", ""}, "Dダイマー", "ug/mL", "μg/mL", 0, 1.0, 1, "μg/ML"},
    {{"5D130", "000002305101", Specimen::serum, false, 0, 0, "", ""}, "CA19-9", "U/mL", "U/mL", 0, 37, 0, "U/ML"},
    {{"4A025", "000002205301", Specimen::plasma, false, 0, 0, "", ""}, "ACTH", "pg/mL", "pg/mL", 7.2, 63.3, 1, "Pg/mL"},
    {{"5C095", "000002305101", Specimen::serum, false, 0, 0, "", ""}, "フェリチン", "ng/mL", "ng/mL", 10, 250, 0},
    {{"5E035", "000002306201", Specimen::serum, false, 0, 0, "", ""}, "ASO", "[IU]/mL", "IU/mL", 0, 240, 0, "IU/ML"},
};

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char flip_case(char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c + 32); }

// Letter-case variants of `base`: all upper, all lower, the first letter upper, and every single
// letter flipped (U/mL -> U/ML, pg/mL -> Pg/mL, mEq/L -> Meq/L). Letters inside UCUM brackets
// and annotations ([IU], [HPF], {H2O}) are left alone: no sender types those, and [iU] is UCUM's
// own synonym of [IU].
void add_case_variants(std::string_view base, std::vector<std::string>& out) {
  std::string upper(base), lower(base), first(base);
  bool first_done = false;
  int bracket = 0;
  for (std::size_t i = 0; i < base.size(); ++i) {
    bracket += base[i] == '[' || base[i] == '{' ? 1 : base[i] == ']' || base[i] == '}' ? -1 : 0;
    if (!is_ascii_letter(base[i]) || bracket > 0) continue;
    if (base[i] >= 'a' && base[i] <= 'z') upper[i] = flip_case(base[i]);
    if (base[i] >= 'A' && base[i] <= 'Z') lower[i] = flip_case(base[i]);
    if (!first_done) {
      if (base[i] >= 'a' && base[i] <= 'z') first[i] = flip_case(base[i]);
      first_done = true;
    }
    std::string one(base);
    one[i] = flip_case(base[i]);
    out.push_back(std::move(one));
  }
  out.push_back(std::move(upper));
  out.push_back(std::move(lower));
  out.push_back(std::move(first));
}

void sort_unique_without(std::vector<std::string>& v, std::string_view a, std::string_view b) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  v.erase(std::remove_if(v.begin(), v.end(), [&](const std::string& s) { return s == a || s == b || s.empty(); }),
          v.end());
}

// How lab::resolve_unit reads `spelling` for this item at this facility (the local code is in
// OBX-3 unless the facility sends JLAC10 only): the UCUM code when it is the unit meant, itself
// or a synonym (um3 = fL: a proper unit by a factor of exactly 1), else "".
std::string resolves_to(const tables::Tables& tables, units::Ucum& ucum, const FacilityProfile& p,
                        const ItemModel& m, std::string_view spelling, std::string_view meant) {
  const std::string local = p.code_style == "jlac10" ? std::string() : m.local_code;
  const lab::UnitResolution r = lab::resolve_unit(tables, ucum, spelling, m.jlac10, local, nullptr);
  if (r.status != lab::UnitStatus::mapped) return {};
  if (r.ucum == meant) return r.ucum;
  const units::Conversion c = ucum.convert(1.0, r.ucum, meant);
  return c.ok() && c.value > 1.0 - 1e-12 && c.value < 1.0 + 1e-12 ? r.ucum : std::string();
}

// A spelling whose UCUM reading exists and is not the unit meant: the prefix traps of issue 11.
bool ucum_trap(units::Ucum& ucum, std::string_view spelling, std::string_view meant) {
  const std::string text = lab::normalize_unit_text(spelling);
  if (text == meant || !ucum.valid(text)) return false;
  const units::Conversion c = ucum.convert(1.0, text, meant);
  return !c.ok() || c.value < 1.0 - 1e-12 || c.value > 1.0 + 1e-12 ||
         !lab::lab_ucum_refusal(ucum.essence(), text).empty();
}

bool writable(std::string_view spelling, Charset charset) {
  std::string encoded;
  return from_utf8(spelling, charset, encoded);
}

// Gives `m` a variant spelling of one kind (or keeps it when none can be written), and sets
// what a normalizer must do with the spelling it ends up with.
void vary_spelling(Rng& rng, const FacilityModel& model, const tables::Tables& tables, units::Ucum& ucum,
                   ItemModel& m, bool change) {
  const FacilityProfile& p = model.profile;
  if (change) {
    SpellingVariants all = spelling_variants(m.unit_spelling, m.reported_unit);
    auto keep_writable = [&](std::vector<std::string>& v) {
      v.erase(std::remove_if(v.begin(), v.end(), [&](const std::string& s) { return !writable(s, p.charset); }),
              v.end());
    };
    keep_writable(all.case_variants);
    keep_writable(all.decorations);
    keep_writable(all.typos);
    std::vector<std::string> traps;
    for (const std::string& s : all.case_variants)
      if (ucum_trap(ucum, s, m.reported_unit)) traps.push_back(s);
    // Letter case (and its traps) weighs as much as the other two kinds together: it is what
    // turned values wrong by 10^3-10^21 in issue 11.
    std::vector<const std::vector<std::string>*> kinds;
    for (const auto* v : {&all.case_variants, &all.case_variants, &all.decorations, &all.typos})
      if (!v->empty()) kinds.push_back(v);
    if (!kinds.empty()) {
      const std::vector<std::string>* kind = rng.pick(kinds);
      const bool trap_first = kind == &all.case_variants && !traps.empty() && rng.chance(0.5);
      m.unit_spelling = trap_first ? rng.pick(traps) : rng.pick(*kind);
      m.unit_variance = kind == &all.decorations ? "unit-decoration" : kind == &all.typos ? "unit-typo" : "unit-case";
      if (m.unit_variance == "unit-case" && ucum_trap(ucum, m.unit_spelling, m.reported_unit))
        m.unit_variance = "unit-trap";
    }
  }
  if (const std::string read = resolves_to(tables, ucum, p, m, m.unit_spelling, m.reported_unit); !read.empty()) {
    if (!m.unit_variance.empty()) m.unit_expect = "right";
    // No canonical unit in the tables (a variance-only item): a normalizer writes the unit as
    // read, normalized and not converted.
    if (m.variance_item && lab::canonical_unit(tables, ucum, m.jlac10).empty()) m.canonical_unit = read;
    return;
  }
  // The tables do not read it as the unit meant: a normalizer must report it, never convert.
  if (m.unit_variance.empty()) m.unit_variance = ucum_trap(ucum, m.unit_spelling, m.reported_unit) ? "unit-trap" : "unit-gap";
  m.unit_expect = "reported";
  m.gap = "unit";
}

// Another unit the analyte declares (mappings/analytes.yaml alternative_units): calcium in
// mEq/L, creatinine in umol/L, AST in ukat/L. Converting such a result and its range rounds
// them, and a flag computed after rounding can flip (issue 11: Ca 5.15 mEq/L against 4.2-5.2 is
// N; rounded to 10.3 mg/dL against 8.4-10 it read H). Returns false when none converts.
bool alternative_unit(Rng& rng, const FacilityModel& model, units::Ucum& ucum, ItemModel& m) {
  const tables::Analyte* a = m.analyte;
  if (a == nullptr || a->unit.empty() || m.canonical_unit != a->unit) return false;
  std::vector<std::string> units = a->alternative_units;
  units.push_back(a->unit);
  std::vector<std::pair<std::string, double>> usable;
  for (const std::string& unit : units) {
    if (unit == m.reported_unit || a->never_converts_from(unit)) continue;
    const lab::ConversionFactor f = lab::conversion_factor(ucum, a, unit, a->unit);
    if (f.ok && writable(unit, model.profile.charset)) usable.emplace_back(unit, f.value);
  }
  if (usable.empty()) return false;
  const auto& [unit, factor] = rng.pick(usable);
  m.reported_unit = unit;
  m.to_canonical = factor;
  m.unit_spelling = unit;
  m.unit_system_name = model.profile.unit_style == "ucum" ? "UCUM" : model.profile.local_system;
  m.unit_variance = "unit-alternative";
  return true;
}

// A variance-only item as this facility sends it; false when the tables contradict its unit.
bool variance_item(const VarianceItem& v, const FacilityModel& model, const tables::Tables& tables, units::Ucum& ucum,
                   int serial, ItemModel& m) {
  const FacilityProfile& p = model.profile;
  m.item = &v.item;
  m.variance_item = true;
  m.jlac10 = std::string(v.item.analyte) + std::string(v.item.rest);
  char local[16];
  const bool letter = !model.items.empty() && !model.items.front().local_code.empty() &&
                      model.items.front().local_code[0] == 'L';
  std::snprintf(local, sizeof local, letter ? "L9%03d" : "99%03d", serial);
  m.local_code = local;
  m.display_name = std::string(v.name);
  m.analyte = tables.analytes.find(m.jlac10);
  // The tables' canonical unit decides; an item whose unit the tables contradict is left out
  // (its truth could not be derived from them).
  const std::string canonical = lab::canonical_unit(tables, ucum, m.jlac10);
  if (!v.item.qualitative && !canonical.empty() && canonical != v.unit) return false;
  m.reported_unit = std::string(v.unit);
  m.unit_spelling = std::string(v.spelling);
  m.unit_system_name = p.unit_style == "ucum" && v.spelling == v.unit ? "UCUM" : p.local_system;
  if (v.item.qualitative) {
    m.mixed = true;  // canonical_unit stays empty: qualitative rows carry no unit
    return true;
  }
  m.canonical_unit = std::string(v.unit);
  for (int sex = 0; sex < 2; ++sex) {
    m.jccls_low[sex] = m.site_low[sex] = v.low;
    m.jccls_high[sex] = m.site_high[sex] = v.high;
  }
  m.canonical_decimals = v.decimals;
  return true;
}

// Sent as value(class), as specific IgE reports write `0.13(0)`; or as a value range `a～b`.
// Both are kept as sent: the sender's unit (normalized, never converted), the range as sent.
void keep_as_sent(TruthObx& t, const ItemModel& m, std::string text, const char* kind) {
  t.sent_value = std::move(text);
  t.kept = t.sent_value;
  t.variance = kind;
  t.expect = "right";
  t.has_value = false;
  t.value = 0;
  // The sender's unit; when it is the canonical one by a factor of exactly 1 (meq/L of a
  // monovalent ion = mmol/L), writing the canonical unit relabels nothing.
  t.unit = m.to_canonical == 1.0 && !m.canonical_unit.empty() ? m.canonical_unit : m.reported_unit;
  t.low = t.sent_low;
  t.high = t.sent_high;
  t.flag.clear();  // no single quantity to place against the range
  t.sent_flag.clear();
}

std::string value_range_text(double low, double high, int digits, const std::string& wave_dash) {
  return lab::format_number(low, digits) + wave_dash + lab::format_number(high, digits);
}

// Urine sediment counts are reported as value ranges per high-power field.
void sediment_row(TruthObx& t, const FacilityModel& model, const ItemModel& m) {
  static const double bounds[][2] = {{1, 4}, {5, 9}, {10, 19}, {20, 29}, {30, 49}, {50, 99}};
  std::size_t k = 0;
  while (k + 1 < std::size(bounds) && t.sent_number > bounds[k][1]) ++k;
  keep_as_sent(t, m, value_range_text(bounds[k][0], bounds[k][1], 1, model.wave_dash), "value-range");
}

// A unit-alternative result whose value is written more finely than its range, as laboratories
// print them (issue 11: Ca 5.15 mEq/L against 4.2-5.2): the range one significant digit coarser.
// A normalizer that converts both and flags the rounded numbers can flip the flag (5.15 < 5.2 is
// N; 10.3 mg/dL against 8.4-10 read H); the truth flag is the sender's numbers' (as everywhere).
void coarser_range(TruthObx& t, const FacilityModel& model, const ItemModel& m) {
  const FacilityProfile& p = model.profile;
  if (!t.has_range || !t.comparator.empty() || (m.sex_specific && p.sex_range_style != "patient")) return;
  const int digits = lab::significant_digits(t.sent_value) - 1;
  if (digits < 2) return;
  const std::string low = lab::format_number(t.sent_low, digits), high = lab::format_number(t.sent_high, digits);
  const lab::Value low_read = lab::parse_value(low), high_read = lab::parse_value(high);
  if (low_read.kind != lab::ValueKind::numeric || high_read.kind != lab::ValueKind::numeric ||
      !(low_read.number < high_read.number))
    return;
  const std::string separator = p.range_style == "dash" ? "-" : p.range_style == "spaced" ? " - " : model.wave_dash;
  t.sent_range = low + separator + high;
  t.sent_low = low_read.number;
  t.sent_high = high_read.number;
  t.low = t.sent_low * m.to_canonical;
  t.high = t.sent_high * m.to_canonical;
  t.flag = t.sent_number < t.sent_low ? "L" : t.sent_number > t.sent_high ? "H" : "N";
  if (p.flag_style == "none")
    t.sent_flag.clear();
  else
    t.sent_flag = t.flag == "N" ? (p.flag_style == "HLN" ? "N" : "") : t.flag;
}

// One code, qualitative for some results and quantitative (mg/dL) for others (NHO).
// `compound`: false when the code has an NHO split rule (mappings/split-values.yaml), under which
// a normalizer splits `2+(250)` into two results: this truth describes one result kept as sent.
void mixed_row(TruthObx& t, const ItemModel& m, bool compound, Rng& rng) {
  t.variance = "mixed";
  t.expect = "right";
  static const std::pair<const char*, const char*> grades[] = {{"EQV", "50"}, {"1+", "100"}, {"2+", "250"}, {"3+", "500"}};
  const char* number = nullptr;
  const char* bare = nullptr;
  for (const auto& [code, value] : grades)
    if (t.qualitative == code) number = value, bare = code;
  if (number == nullptr || !rng.chance(kMixedQuantitative)) return;
  t.sent_unit = m.unit_spelling;
  t.sent_system = m.unit_system_name;
  t.qualitative.clear();
  t.sent_range.clear();
  t.has_range = false;
  if (rng.chance(kMixedCompound) && compound) {  // 2+(250): the grade and the quantity, NHO split_value form
    keep_as_sent(t, m, std::string(std::string_view(bare) == "EQV" ? "±" : bare) + "(" + number + ")", "compound");
    return;
  }
  t.sent_value = number;
  t.has_value = true;
  t.value = static_cast<double>(std::stoi(number));
  t.unit = m.reported_unit;
  t.flag.clear();
  t.sent_flag.clear();
}

// The value in another unit the analyte declares, labelled with the facility's unit, when the
// plausibility gate must catch it: read in the labelled unit, the canonical value is outside the
// analyte's plausible limits (mappings/analytes.yaml). Creatinine 88 (umol/L) sent as mg/dL.
bool mislabel(TruthObx& t, const ItemModel& m, const tables::Tables& tables, units::Ucum& ucum, Rng& rng) {
  const tables::Analyte* a = m.analyte;
  if (a == nullptr || !a->plausible || !tables::is_blood_material(m.jlac10)) return false;
  if (m.canonical_unit != a->unit || lab::canonical_unit(tables, ucum, m.jlac10) != a->unit) return false;
  const lab::ConversionFactor labelled = lab::conversion_factor(ucum, a, m.reported_unit, a->unit);
  if (!labelled.ok) return false;
  const int digits = std::max(2, lab::significant_digits(t.sent_value));
  std::vector<std::string> texts;
  std::vector<std::string> units = a->alternative_units;
  units.push_back(a->unit);
  for (const std::string& unit : units) {
    if (unit == m.reported_unit) continue;
    const lab::ConversionFactor f = lab::conversion_factor(ucum, a, unit, a->unit);
    if (!f.ok) continue;
    const std::string text = lab::format_number(t.value / f.value, digits);
    const lab::Value read = lab::parse_value(text);
    if (read.kind != lab::ValueKind::numeric) continue;
    const double as_labelled = read.number * labelled.value;
    if (as_labelled < a->plausible->low || as_labelled > a->plausible->high) texts.push_back(text);
  }
  if (texts.empty()) return false;
  t.sent_value = rng.pick(texts);
  t.variance = "mislabel";
  t.expect = "reported";
  t.gap = "unit";
  return true;
}

}  // namespace

SpellingVariants spelling_variants(std::string_view spelling, std::string_view ucum) {
  SpellingVariants v;
  add_case_variants(spelling, v.case_variants);
  if (ucum != spelling) add_case_variants(ucum, v.case_variants);
  const std::string s(spelling);
  // NHO-UNITS display forms (ssmix2.md §8 item 13, units-fhir.md §3.1): trailing blanks,
  // full-width letters, a trailing 以下 (ng/ml以下), the measuring temperature on enzyme units
  // (U/L/37℃, IU/L/37℃, IU/l37℃), the 15-minute mark of a retention rate (%(15min.).
  v.decorations.push_back(s + "  ");
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) v.decorations.push_back(fullwidth(s));
  v.decorations.push_back(s + "以下");
  if (ucum == "U/L") {
    v.decorations.push_back(s + "/37℃");
    v.decorations.push_back("IU/L/37℃");
    v.decorations.push_back("IU/l37℃");
  }
  if (ucum == "%") v.decorations.push_back("%(15min.");
  // NHO's production typos (ssmix2.md §8 items 13 and 15).
  if (ucum == "mg/dL") v.typos.push_back("md/dl");
  if (ucum == "U/L") v.typos.push_back("lU/Ｌ");  // a lower-case L for the I of IU/L
  if (spelling == "mOsm/L") v.typos.push_back("mOms/L");
  if (ucum == "/[HPF]") {
    v.typos.push_back("/HPL");
    v.typos.push_back("個/HFP");
  }
  sort_unique_without(v.case_variants, spelling, ucum);
  sort_unique_without(v.decorations, spelling, {});
  sort_unique_without(v.typos, spelling, {});
  return v;
}

void add_variance(FacilityModel& model, const Options& options, const tables::Tables& tables, units::Ucum& ucum) {
  model.regular_items = model.items.size();
  model.variance = options.variance_rate > 0 && model.profile.deviations;  // never H01
  if (!model.variance) return;
  model.variance_rate = options.variance_rate;
  Rng rng(mix(mix(options.seed, kVarianceProfileStream), static_cast<std::uint64_t>(model.index)));
  for (std::size_t i = 0; i < model.regular_items; ++i) {
    ItemModel& m = model.items[i];
    const bool change = rng.chance(options.variance_rate);  // drawn for every item: stable streams
    const bool alternative = rng.chance(options.variance_rate / 2);
    if (m.unit_spelling.empty() || !m.gap.empty()) continue;
    if (alternative && alternative_unit(rng, model, ucum, m))
      vary_spelling(rng, model, tables, ucum, m, false);  // sets the expectation
    else
      vary_spelling(rng, model, tables, ucum, m, change);
  }
  int serial = 0;
  for (const VarianceItem& v : kVarianceItems) {
    ItemModel m;
    const bool change = rng.chance(kVarianceItemSpelling);
    if (!variance_item(v, model, tables, ucum, ++serial, m)) continue;
    if (!v.trap.empty() && (serial + model.index) % 3 == 0 && writable(v.trap, model.profile.charset)) {
      m.unit_spelling = std::string(v.trap);
      m.unit_variance = ucum_trap(ucum, v.trap, m.reported_unit) ? "unit-trap" : "unit-case";
      vary_spelling(rng, model, tables, ucum, m, false);  // sets the expectation
    } else if (!m.mixed) {
      vary_spelling(rng, model, tables, ucum, m, change);
    }
    model.items.push_back(std::move(m));
  }
}

void extend_panel(const FacilityModel& model, Rng& rng, std::vector<std::size_t>& pick) {
  for (std::size_t k = model.regular_items; k < model.items.size(); ++k)
    if (rng.chance(kVarianceItemInPanel)) pick.push_back(k);
}

void vary_row(const FacilityModel& model, const tables::Tables& tables, units::Ucum& ucum, TruthObx& t, Rng& rng) {
  const ItemModel& m = *t.item;
  if (!m.unit_variance.empty()) {
    t.variance = m.unit_variance;
    t.expect = m.unit_expect;
  }
  if (m.mixed) {
    mixed_row(t, m, tables.split_values.find(m.jlac10) == nullptr, rng);
    return;
  }
  if (m.item->qualitative || !t.gap.empty() || !t.has_value || !t.comparator.empty()) return;
  if (m.unit_variance == "unit-alternative") coarser_range(t, model, m);
  if (m.reported_unit == "/[HPF]") {
    sediment_row(t, model, m);
    return;
  }
  if (!rng.chance(m.variance_item ? kVarianceItemRowForm : model.variance_rate / 2)) return;
  const int digits = std::max(1, lab::significant_digits(t.sent_value));
  switch (rng.below(3)) {
    case 0:  // not for codes with an NHO split rule (see mixed_row)
      if (tables.split_values.find(m.jlac10) == nullptr)
        keep_as_sent(t, m, t.sent_value + "(" + std::to_string(rng.between(0, 4)) + ")", "compound");
      break;
    case 1:
      if (t.sent_number > 0)
        keep_as_sent(t, m, value_range_text(t.sent_number, 2 * t.sent_number, digits, model.wave_dash), "value-range");
      break;
    default:
      mislabel(t, m, tables, ucum, rng);
      break;
  }
}

void write_variance_members(json::Writer& w, const TruthObx& t) {
  if (t.variance.empty()) return;
  w.string("variance", t.variance);
  w.string("expect", t.expect);
  if (!t.kept.empty()) w.string("kept", t.kept);
}

}  // namespace smx::gen::detail
