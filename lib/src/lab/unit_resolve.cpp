// OBX-6 spelling -> UCUM (labnorm.hpp resolve_unit). The tables decide first; a spelling the
// tables do not know is taken as UCUM only when that reading is what a laboratory means.
//
// Why the second rule exists (issue 11): UCUM is case-sensitive, and spellings that differ from
// a lab unit only by letter case are often valid UCUM with another meaning: `U/ML` is units per
// megalitre, `Pg/mL` petagrams, `EU/mL` exa-units, `aU/ml` atto-units, `Meq/mL` mega-equivalents,
// `u/L` atomic mass units per litre, `Eu/dL` exa-atomic-mass-units, `G/L` gauss per litre.
// Read as UCUM they turned lab values wrong by 10^3 to 10^21 without a word. A laboratory
// result is never reported in such units, so a spelling whose UCUM reading uses a prefix or an
// atom outside the sets below is refused (reported, kept as sent); the alias tables map the
// spellings whose lab meaning is known.
#include <smx/labnorm.hpp>

#include "lab/cache.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>

namespace smx::lab {
namespace {

// Prefixes seen in laboratory units: kilo, deci, centi, milli, micro, nano, pico, femto (and
// hecto for hPa). Refused everywhere: mega, giga, tera, peta, exa, zetta, yotta (no lab quantity
// is that large and every one of them is a capital letter that a case variant of a lab spelling
// produces), deka, atto, zepto, yocto and the binary prefixes.
//
// Atoms seen in laboratory and vital-sign units (UCUM c/s codes), each with the prefixes a
// laboratory puts on it: `us` (microsecond), `km` or `ng` per metre are valid UCUM that no
// laboratory reports, and arrive as truncations (`ng/m` for ng/mL) or misreadings (NHO lists
// `μs` as "no unit"). Notably absent atoms: u (unified atomic mass unit), G (gauss), K (kelvin),
// S (siemens), H (henry), P (poise), a (year: `pa`, `ma` are not lab units), t (tonne), B (bel),
// R (roentgen), Ci, Bq, Gy: each is a case variant or a misreading of something a laboratory
// writes. Arbitrary units ([IU], [arb'U], [knk'U], [CFU], ...) take the lab prefixes.
struct LabAtom {
  std::string_view atom;
  std::string_view prefixes;  // allowed prefix codes, space separated; "" = none
};
constexpr LabAtom kLabAtoms[] = {
    {"g", "k m u n p f"}, {"L", "d c m u n p f"}, {"l", "d c m u n p f"}, {"mol", "m u n p f"},
    {"eq", "m u n"},      {"osm", "m"},           {"U", "k m u"},         {"kat", "m u n"},
    {"10*", ""},          {"10^", ""},            {"%", ""},              {"[ppth]", ""},
    {"[ppm]", ""},        {"[ppb]", ""},          {"[pptr]", ""},         {"s", "m"},
    {"min", ""},          {"h", ""},              {"d", ""},              {"wk", ""},
    {"mo", ""},           {"m", "c m u n"},       {"[in_i]", ""},         {"[ft_i]", ""},
    {"[lb_av]", ""},      {"[oz_av]", ""},        {"Pa", "k h"},          {"m[Hg]", "m"},
    {"m[H2O]", "c m"},    {"Cel", ""},            {"[degF]", ""},         {"[pH]", ""},
    {"cal", "k"},         {"[Cal]", ""},          {"[drp]", ""},          {"[HPF]", ""},
    {"[LPF]", ""},
};
constexpr std::string_view kArbitraryPrefixes = "k m u n";

bool listed(std::string_view list, std::string_view prefix) {
  if (prefix.empty()) return true;
  for (std::size_t at = 0; at < list.size();) {
    std::size_t end = list.find(' ', at);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(at, end - at) == prefix) return true;
    at = end + 1;
  }
  return false;
}

// "" when prefix + atom is a laboratory unit, else why not.
std::string judge(const units::Symbol& s, const units::Essence& essence) {
  std::string_view prefixes;
  bool known = false;
  for (const LabAtom& a : kLabAtoms)
    if (a.atom == s.atom) {
      prefixes = a.prefixes;
      known = true;
      break;
    }
  // Arbitrary units are bracketed, named after a procedure or standard, and never arise from a
  // case change: `[arb'U]`, `[knk'U]`, `[CFU]`, `[IU]`, ...
  if (!known && s.atom.size() > 2 && s.atom.front() == '[' && s.atom.back() == ']') {
    const units::ParseResult r = units::parse(essence, s.atom);
    known = r.ok() && r.canonical().is_arbitrary();
    prefixes = kArbitraryPrefixes;
  }
  if (!known)
    return "read as UCUM, '" + s.prefix + s.atom + "' would be the unit '" + s.atom + "' (not a laboratory unit)";
  if (!listed(prefixes, s.prefix))
    return "read as UCUM, '" + s.prefix + s.atom + "' would be the prefix '" + s.prefix + "' on '" + s.atom +
           "' (not a laboratory unit)";
  return {};
}

}  // namespace

std::string_view unit_status_name(UnitStatus s) {
  switch (s) {
    case UnitStatus::empty: return "empty";
    case UnitStatus::mapped: return "mapped";
    case UnitStatus::unmapped: return "unmapped";
    case UnitStatus::refused: return "refused";
  }
  return "unmapped";
}

namespace {
std::string canonical_unit_of(const tables::Tables& tables, units::Ucum& ucum, std::string_view jlac10);
}  // namespace

std::string canonical_unit(const tables::Tables& tables, units::Ucum& ucum, std::string_view jlac10) {
  if (jlac10.empty()) return {};
  // Once per code and thread for the tables in use (asked for every OBX).
  struct Memo {
    const tables::Tables* tables = nullptr;
    std::unordered_map<std::string, std::string> answers;
  };
  thread_local Memo memo;
  if (memo.tables != &tables || memo.answers.size() > 65536) {
    memo.tables = &tables;
    memo.answers.clear();
  }
  std::string key(jlac10);
  if (auto it = memo.answers.find(key); it != memo.answers.end()) return it->second;
  return memo.answers.emplace(std::move(key), canonical_unit_of(tables, ucum, jlac10)).first->second;
}

namespace {
std::string canonical_unit_of(const tables::Tables& tables, units::Ucum& ucum, std::string_view jlac10) {
  const tables::Analyte* analyte = tables.analytes.find(jlac10);
  const std::string analyte_unit = analyte ? analyte->unit_for(jlac10) : std::string();
  const tables::CodeUnit* row = tables.code_units.find(jlac10);
  if (!row || row->ucum.empty() || row->ucum == analyte_unit) return analyte_unit;
  if (analyte_unit.empty()) return row->ucum;
  // The analyte's unit where the code's own unit is the same quantity (K meq/L = mmol/L), so one
  // analyte comes out in one unit; the code's unit where it differs (urine albumin mg/L, 24-hour
  // urine creatinine g/d against serum mg/dL): a full code is more specific than its analyte.
  const ConversionFactor f = conversion_factor(ucum, analyte, row->ucum, analyte_unit);
  return f.ok && f.value == 1.0 ? analyte_unit : row->ucum;
}
}  // namespace

namespace {
std::string refusal_of(const units::Essence& essence, std::string_view ucum);
}  // namespace

std::string lab_ucum_refusal(const units::Essence& essence, std::string_view ucum) {
  // Once per spelling and thread: the answer depends only on the expression and the essence.
  return detail::per_expression<refusal_of>(essence, ucum);
}

namespace {
std::string refusal_of(const units::Essence& essence, std::string_view ucum) {
  bool unit_atom = false;
  for (const units::Symbol& s : units::symbols(essence, ucum)) {
    std::string why = judge(s, essence);
    if (!why.empty()) return why;
    unit_atom = unit_atom || (s.atom != "10*" && s.atom != "10^");
  }
  // A number (`53`, `/100`, `10^6`) is valid UCUM but no unit: NHO lists bare numbers as "no
  // unit" spellings. An annotation alone (`{COI}`) is a dimensionless lab unit.
  if (!unit_atom && ucum.find('{') == std::string_view::npos)
    return "read as UCUM, '" + std::string(ucum) + "' is a number, not a unit";
  return {};
}
}  // namespace

UnitResolution resolve_unit(const tables::Tables& tables, units::Ucum& ucum, std::string_view raw_unit,
                            std::string_view jlac10, std::string_view local_code, const tables::Site* site,
                            bool labelled_ucum) {
  UnitResolution r;
  r.spelling = normalize_unit_text(raw_unit);
  if (r.spelling.empty()) return r;
  if (const tables::UnitAlias* alias = tables.find_unit(r.spelling, jlac10, local_code, site)) {
    r.status = UnitStatus::mapped;
    r.ucum = alias->ucum;
    r.rule = alias->rule;
    return r;
  }
  if (!ucum.valid(r.spelling)) {
    r.status = UnitStatus::unmapped;
    r.why = "unit spelling not in the tables and not UCUM";
    return r;
  }
  r.why = lab_ucum_refusal(ucum.essence(), r.spelling);
  if (!r.why.empty()) {
    r.status = UnitStatus::refused;
    return r;
  }
  // A valid lab unit that does not convert to the analyte's unit is not what the sender
  // meant either: `mg/d` is valid UCUM (per day), but for serum creatinine it is a truncated
  // `mg/dL` (NHO ascii_units.md 特記事項). Unknown analytes take the UCUM reading as sent.
  // A spelling the sender labelled UCUM (OBX-6.3), and labnorm's own output, is taken at its word
  // here: kept in its unit, not converted, like a table spelling that does not convert.
  if (!jlac10.empty() && !labelled_ucum) {
    const std::string canonical = canonical_unit(tables, ucum, jlac10);
    if (!canonical.empty() && canonical != r.spelling) {
      const tables::Analyte* analyte = tables.analytes.find(jlac10);
      if (!conversion_factor(ucum, analyte, r.spelling, canonical).ok) {
        r.status = UnitStatus::refused;
        r.why = "valid UCUM, but it does not convert to " + canonical + ", the unit of this analyte";
        return r;
      }
    }
  }
  r.status = UnitStatus::mapped;
  r.ucum = r.spelling;
  r.rule = "UCUM";
  return r;
}

}  // namespace smx::lab
