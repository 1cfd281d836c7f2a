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

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>

namespace smx::lab {
namespace {

// Prefixes seen in laboratory units: kilo, deci, centi, milli, micro, nano, pico, femto.
// Refused: mega, giga, tera, peta, exa, zetta, yotta (no lab quantity is that large and every
// one of them is a capital letter that a case variant of a lab spelling produces), hecto, deka,
// atto, zepto, yocto and the binary prefixes.
constexpr std::array<std::string_view, 8> kLabPrefixes = {"k", "d", "c", "m", "u", "n", "p", "f"};

// Atoms seen in laboratory and vital-sign units (UCUM c/s codes). Arbitrary units ([IU],
// [arb'U], [knk'U], [CFU], [HPF], ...) are allowed as a class. Notably absent: u (unified atomic
// mass unit), G (gauss), K (kelvin), S (siemens), H (henry), P (poise), a (year: `pa`, `ma` are
// not lab units), t (tonne), B (bel), R (roentgen), Ci, Bq, Gy: each is a case variant or a
// misreading of something a laboratory writes.
constexpr std::array<std::string_view, 37> kLabAtoms = {
    "g",      "L",    "l",     "mol", "eq",    "osm",    "U",      "kat",  "10*",   "10^",
    "%",      "[ppth]", "[ppm]", "[ppb]", "[pptr]", "s",   "min",    "h",    "d",     "wk",
    "mo",     "m",    "[in_i]", "[ft_i]", "[lb_av]", "[oz_av]", "Pa", "m[Hg]", "m[H2O]", "Cel",
    "[degF]", "[pH]", "cal",   "[Cal]", "[drp]", "[iU]",   "[IU]"};

bool lab_prefix(std::string_view p) {
  return p.empty() || std::find(kLabPrefixes.begin(), kLabPrefixes.end(), p) != kLabPrefixes.end();
}
bool lab_atom(std::string_view a, const units::Essence& essence) {
  if (std::find(kLabAtoms.begin(), kLabAtoms.end(), a) != kLabAtoms.end()) return true;
  // Arbitrary units are bracketed, named after a procedure or standard, and never arise from a
  // case change: `[arb'U]`, `[knk'U]`, `[CFU]`, `[HPF]`, ...
  if (a.size() > 2 && a.front() == '[' && a.back() == ']') {
    const units::ParseResult r = units::parse(essence, a);
    return r.ok() && r.canonical().is_arbitrary();
  }
  return false;
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

const std::string& canonical_unit(const tables::Tables& tables, std::string_view jlac10) {
  static const std::string none;
  if (jlac10.empty()) return none;
  const tables::Analyte* analyte = tables.analytes.find(jlac10);
  return analyte ? analyte->unit_for(jlac10) : none;
}

namespace {
std::string refusal_of(const units::Essence& essence, std::string_view ucum);
}  // namespace

std::string lab_ucum_refusal(const units::Essence& essence, std::string_view ucum) {
  // Once per spelling and thread: the answer depends only on the expression and the essence.
  struct Cache {
    const units::Essence* essence = nullptr;
    std::unordered_map<std::string, std::string> answers;
  };
  thread_local Cache cache;
  if (cache.essence != &essence || cache.answers.size() > 65536) {
    cache.essence = &essence;
    cache.answers.clear();
  }
  const std::string key(ucum);
  if (auto it = cache.answers.find(key); it != cache.answers.end()) return it->second;
  return cache.answers.emplace(key, refusal_of(essence, ucum)).first->second;
}

namespace {
std::string refusal_of(const units::Essence& essence, std::string_view ucum) {
  for (const units::Symbol& s : units::symbols(essence, ucum)) {
    if (!lab_prefix(s.prefix))
      return "read as UCUM, '" + s.prefix + s.atom + "' would be the prefix '" + s.prefix +
             "' on '" + s.atom + "' (not a laboratory unit)";
    if (!lab_atom(s.atom, essence))
      return "read as UCUM, '" + s.prefix + s.atom + "' would be the unit '" + s.atom +
             "' (not a laboratory unit)";
  }
  return {};
}
}  // namespace

UnitResolution resolve_unit(const tables::Tables& tables, units::Ucum& ucum, std::string_view raw_unit,
                            std::string_view jlac10, std::string_view local_code, const tables::Site* site) {
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
  if (!jlac10.empty()) {
    const std::string& canonical = canonical_unit(tables, jlac10);
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
