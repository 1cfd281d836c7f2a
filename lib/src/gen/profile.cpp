// Vendor profiles of smx gen: what differs between facilities (SS-MIX2 reference §5, §8;
// units-fhir.md §3, §3.5, §4.2) and what it implies for each lab item: code, display name,
// reported unit and its spelling, reference intervals.
#include <algorithm>
#include <cstdio>

#include "gen/internal.hpp"
#include "smx/error.hpp"
#include "smx/lab.hpp"
#include "smx/labnorm.hpp"

namespace smx::gen::detail {
namespace {

// Seeds of the independent streams of one run (facility profiles, patients).
constexpr std::uint64_t kProfileStream = 0x50524F46494C45ULL;  // "PROFILE"

bool all_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool has_upper_l_litre(std::string_view s) {
  return s.find("dl") != std::string_view::npos || s.find("ul") != std::string_view::npos ||
         s.find("/l") != std::string_view::npos || s.find("ml") != std::string_view::npos;
}

// The micro sign as Japanese reports print it (units-fhir.md §3.1: ×10^4/μl, μg/dl, μmol/l):
// 'u' standing for micro before a litre, gram or mole becomes μ (U+03BC, JIS X 0208 0x264C).
std::string with_micro_sign(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool micro = false;
    if (s[i] == 'u') {
      bool before_unit = i + 1 < s.size() && (s[i + 1] == 'l' || s[i + 1] == 'L' || s[i + 1] == 'g' ||
                                              s.substr(i + 1, 3) == "mol");
      bool after_boundary = i == 0 || s[i - 1] == '/' || (s[i - 1] >= '0' && s[i - 1] <= '9');
      micro = before_unit && after_boundary;
    }
    if (micro)
      out.append("\xCE\xBC");  // μ
    else
      out.push_back(s[i]);
  }
  return out;
}

}  // namespace

FacilityProfile draw_profile(const Options& options, int facility_index) {
  FacilityProfile p;
  char id[16];
  std::snprintf(id, sizeof id, "H%02d", facility_index + 1);
  p.id = id;
  Rng rng(mix(mix(options.seed, kProfileStream), static_cast<std::uint64_t>(facility_index)));
  p.name_ja = std::string(rng.pick(hospital_words));
  p.name_ja += rng.chance(0.5) ? "総合病院" : "病院";  // a draw per statement (operand order is unspecified)
  if (facility_index == 0) {
    // The conformant facility (reference §5 and §6 as the guideline samples write them).
    p.charset = Charset::iso2022jp;
    p.terminator = "\r";
    p.trailing_fs = false;
    p.msh18 = "~ISO IR87";
    p.msh20 = "ISO 2022-1994";
    p.msh21 = "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO";
    p.msh7_fraction_digits = 3;
    p.update_flag = 2;
    p.code_style = "jlac10";
    p.local_system = "99L01";
    p.unit_style = "iso";
    p.unit_system = "jccls";
    p.range_style = "dash";
    p.sex_range_style = "patient";
    p.flag_style = "HL";
    p.own_ranges = false;
    p.alp_jscc = false;
    p.less_style = "<X";
    p.greater_style = ">X";
    p.negative_text = "(-)";
    p.deviations = false;
    return p;
  }
  // ISO-2022-JP mostly; UTF-8 and CP932 for some (reference §5 "Encoding reality", §8 item 1).
  double charset_draw = rng.unit();
  p.charset = charset_draw < 0.7 ? Charset::iso2022jp : charset_draw < 0.85 ? Charset::utf8 : Charset::shift_jis;
  if (p.charset == Charset::iso2022jp) {
    p.msh18 = rng.chance(0.7) ? "~ISO IR87" : "~ISOIR87";
    static const char* const msh20[] = {"ISO 2022-1994", "ISO2022-1994", " ISO 2022-1994"};
    p.msh20 = rng.pick(msh20);
  } else if (p.charset == Charset::utf8) {
    p.msh18 = "UNICODE UTF-8";
    p.msh20 = "";
  } else {
    // CP932 senders often keep the ISO IR87 label they were configured with (§8 item 1).
    p.msh18 = rng.chance(0.5) ? "SJIS" : "~ISO IR87";
    p.msh20 = "";
  }
  static const char* const msh21[] = {
      "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO",
      "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO",
      "SS-MIX2_1.20_h^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO",
      "",
  };
  p.msh21 = rng.pick(msh21);
  double terminator_draw = rng.unit();
  p.terminator = terminator_draw < 0.7 ? "\r" : terminator_draw < 0.85 ? "\r\n" : "\n";
  p.trailing_fs = rng.chance(0.3);
  static const int fraction_digits[] = {0, 3, 3, 4};
  p.msh7_fraction_digits = rng.pick(fraction_digits);
  p.update_flag = rng.chance(0.15) ? 0 : 2;  // reference §3.1: a VB.NET writer renames to _0
  static const char* const code_styles[] = {"jlac10", "local", "jlac10+local", "local+jlac10"};
  p.code_style = rng.pick(code_styles);
  char system[16];
  std::snprintf(system, sizeof system, "99L%02d", (facility_index + 1) % 100);
  p.local_system = system;
  static const char* const unit_styles[] = {"ucum", "iso", "lower", "fullwidth", "japanese", "mixed"};
  p.unit_style = rng.pick(unit_styles);
  double system_draw = rng.unit();
  p.unit_system = system_draw < 0.55 ? "conventional" : system_draw < 0.85 ? "jccls" : "si";
  static const char* const range_styles[] = {"dash", "spaced", "wave"};
  p.range_style = rng.pick(range_styles);
  static const char* const sex_styles[] = {"patient", "mf", "kanji"};
  p.sex_range_style = rng.pick(sex_styles);
  static const char* const flag_styles[] = {"HL", "HL", "HLN", "none"};
  p.flag_style = rng.pick(flag_styles);
  p.own_ranges = rng.chance(0.6);
  p.alp_jscc = rng.chance(0.25);
  static const char* const less[] = {"<X", "X未満", "< X"};
  static const char* const greater[] = {"X<", ">X", "X超"};
  p.less_style = rng.pick(less);
  p.greater_style = rng.pick(greater);
  static const char* const negative[] = {"陰性", "(-)", "-"};
  p.negative_text = rng.pick(negative);
  static const int id_digits[] = {7, 8, 9, 10};
  p.patient_id_digits = rng.pick(id_digits);
  p.deviations = true;
  return p;
}

namespace {

// Spellings of `ucum` the shipped alias table knows for this analyte (global and by analyte),
// sorted (the table is a hash map: its order must not leak into the output).
std::vector<std::string> known_spellings(const tables::Tables& tables, std::string_view analyte,
                                         std::string_view ucum) {
  std::vector<std::string> out;
  tables.aliases.for_each([&](std::string_view key, std::string_view spelling, const tables::UnitAlias& alias) {
    if (alias.ucum != ucum) return;
    if (alias.scope == tables::AliasScope::global || (alias.scope == tables::AliasScope::analyte && key == analyte))
      out.emplace_back(spelling);
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// What smx labnorm reading `raw` finds (lab::resolve_unit): the UCUM code, or "" when the
// spelling is unknown or refused.
std::string resolve(const tables::Tables& tables, units::Ucum& ucum, std::string_view raw,
                    std::string_view jlac10, std::string_view local) {
  lab::UnitResolution r = lab::resolve_unit(tables, ucum, raw, jlac10, local, nullptr);
  return r.status == lab::UnitStatus::mapped ? r.ucum : std::string();
}

std::string pick_spelling(Rng& rng, const std::vector<std::string>& candidates, const std::string& ucum,
                          std::string_view style) {
  std::vector<std::string> chosen;
  if (style == "ucum") return ucum;
  if (style == "iso") {
    // HL7 table 7-9 ISO+ writes powers as .10*n (units-fhir.md §3.4).
    for (const auto& c : candidates)
      if (!c.empty() && c[0] == '.') chosen.push_back(c);
    if (chosen.empty()) return ucum;
    return rng.pick(chosen);
  }
  if (style == "japanese") {
    for (const auto& c : candidates)
      if (c.find("万") != std::string::npos) chosen.push_back(c);
    if (!chosen.empty()) return rng.pick(chosen);
    style = "lower";
  }
  // lower / fullwidth: the lower-case litre habit (mg/dl, ×10^4/μl, U/l)
  for (const auto& c : candidates) {
    bool usable = c.find(' ') == std::string::npos && (all_ascii(c) || c.rfind("×", 0) == 0) &&
                  c.find('%') == std::string::npos;
    if (usable && has_upper_l_litre(c)) chosen.push_back(c);
  }
  std::string base = chosen.empty() ? ucum : rng.pick(chosen);
  base = with_micro_sign(base);
  if (style == "fullwidth") return fullwidth(base);
  return base;
}

// Unit spellings no table has, made the way they reach a lab interface: a trailing period
// (abbreviation habit), blanks around the slash, "per" written out. Used only when the
// normalizer really cannot resolve them.
std::vector<std::string> unknown_spellings(std::string_view spelling) {
  std::vector<std::string> out;
  out.push_back(std::string(spelling) + ".");
  if (std::size_t slash = spelling.find('/'); slash != std::string_view::npos) {
    std::string spaced(spelling.substr(0, slash));
    spaced.append(" / ").append(spelling.substr(slash + 1));
    out.push_back(spaced);
    std::string per(spelling.substr(0, slash));
    per.append(" per ").append(spelling.substr(slash + 1));
    out.push_back(per);
  }
  return out;
}

// Options::gap_rate: whether this item is one the tables do not cover at this facility.
void draw_gap(Rng& rng, const Options& options, const FacilityProfile& p, const tables::Tables& tables,
              units::Ucum& ucum, ItemModel& m, const std::string& local_for_lookup) {
  if (!p.deviations || !rng.chance(options.gap_rate)) return;
  bool local_codes = p.code_style == "local";  // OBX-3 holds the local code only, no JLAC10
  bool has_unit = !m.unit_spelling.empty();
  if (local_codes && (!has_unit || rng.chance(0.5))) {
    m.gap = "code";
    return;
  }
  if (!has_unit) return;
  auto candidates = unknown_spellings(m.unit_spelling);
  std::string spelling = rng.pick(candidates);
  std::string encoded;
  if (!resolve(tables, ucum, spelling, m.jlac10, local_for_lookup).empty() || !from_utf8(spelling, p.charset, encoded))
    return;
  m.unit_spelling = spelling;
  m.gap = "unit";
}

// The JCCLS intervals of the item by sex in its canonical unit; false when the tables give none
// (or none that converts), and the item is left out.
bool draw_intervals(ItemModel& m, bool jscc_alp, const tables::Tables& tables, units::Ucum& ucum) {
  // Intervals: JCCLS by sex (jccls.yaml); ALP by the JSCC method uses the JSCC-era interval
  // 106-322 U/L (units-fhir.md §4.1 source C), which the shipped table leaves out on purpose.
  if (jscc_alp) {
    m.jccls_low[0] = m.jccls_low[1] = 106;
    m.jccls_high[0] = m.jccls_high[1] = 322;
  } else {
    const tables::ReferenceInterval* male = tables.jccls.find(m.jlac10, tables::Sex::male);
    const tables::ReferenceInterval* female = tables.jccls.find(m.jlac10, tables::Sex::female);
    if (male == nullptr || female == nullptr) return false;
    double factor_male = 1.0, factor_female = 1.0;
    if (male->unit != m.canonical_unit) {
      auto c = ucum.convert(1.0, male->unit, m.canonical_unit);
      if (!c.ok()) return false;
      factor_male = c.value;
    }
    if (female->unit != m.canonical_unit) {
      auto c = ucum.convert(1.0, female->unit, m.canonical_unit);
      if (!c.ok()) return false;
      factor_female = c.value;
    }
    m.jccls_low[0] = male->low * factor_male;
    m.jccls_high[0] = male->high * factor_male;
    m.jccls_low[1] = female->low * factor_female;
    m.jccls_high[1] = female->high * factor_female;
    m.sex_specific = male != female;
  }
  return true;
}

// The decimals of the canonical intervals, and the facility's own intervals (profile own_ranges).
void draw_site_ranges(ItemModel& m, bool own_ranges, Rng& rng) {
  m.canonical_decimals = std::max({shortest_decimals(m.jccls_low[0]), shortest_decimals(m.jccls_high[0]),
                                   shortest_decimals(m.jccls_low[1]), shortest_decimals(m.jccls_high[1])});
  for (int sex = 0; sex < 2; ++sex) {
    m.site_low[sex] = m.jccls_low[sex];
    m.site_high[sex] = m.jccls_high[sex];
  }
  if (own_ranges) {
    // The facility's own intervals: each bound moved by up to +-5 %, at the same precision.
    double scale = 1.0;
    for (int i = 0; i < m.canonical_decimals; ++i) scale *= 10.0;
    for (int sex = 0; sex < 2; ++sex) {
      if (sex == 1 && !m.sex_specific) {
        m.site_low[1] = m.site_low[0];
        m.site_high[1] = m.site_high[0];
        break;
      }
      double low = m.jccls_low[sex] * (1.0 + 0.1 * (rng.unit() - 0.5));
      double high = m.jccls_high[sex] * (1.0 + 0.1 * (rng.unit() - 0.5));
      low = static_cast<double>(static_cast<long long>(low * scale + 0.5)) / scale;
      high = static_cast<double>(static_cast<long long>(high * scale + 0.5)) / scale;
      if (high > low) {
        m.site_low[sex] = low;
        m.site_high[sex] = high;
      }
    }
  }
}

// The unit the facility reports the item in and its spelling; `local_for_lookup` is the local
// code the tables would resolve a spelling with.
void draw_reported_unit(ItemModel& m, const FacilityProfile& p, const tables::Tables& tables, units::Ucum& ucum,
                        const std::string& local_for_lookup, Rng& rng) {
  const LabItem& item = *m.item;
  const tables::Analyte* analyte = m.analyte;
  // Reported unit: the facility's unit system (units-fhir.md §3.1: RBC/PLT ×10^4/μL, WBC /μL,
  // electrolytes mEq/L in Japanese habit; SI for some).
  m.reported_unit = m.canonical_unit;
  std::string_view wanted;
  if (p.unit_system == "conventional") wanted = item.conventional_unit;
  if (p.unit_system == "si") wanted = item.si_unit;
  if (!wanted.empty()) {
    double mass = analyte->molar_mass ? analyte->molar_mass->grams_per_mole : 0.0;
    auto c = mass > 0 ? ucum.convert_with_molar_mass(1.0, std::string(wanted), m.canonical_unit, mass, analyte->charge)
                      : ucum.convert(1.0, wanted, m.canonical_unit);
    if (c.ok()) {
      m.reported_unit = std::string(wanted);
      m.to_canonical = c.value;
    }
  }
  std::string style = p.unit_style;
  if (style == "mixed") {
    static const char* const styles[] = {"ucum", "iso", "lower", "fullwidth", "japanese"};
    style = rng.pick(styles);
  }
  auto candidates = known_spellings(tables, item.analyte, m.reported_unit);
  std::string spelling = pick_spelling(rng, candidates, m.reported_unit, style);
  // Only spellings the shipped tables resolve to the unit meant, in the facility's charset.
  std::string encoded;
  if (resolve(tables, ucum, spelling, m.jlac10, local_for_lookup) != m.reported_unit ||
      !from_utf8(spelling, p.charset, encoded))
    spelling = m.reported_unit;
  m.unit_spelling = spelling;
  m.unit_system_name = style == "iso" ? "ISO+" : style == "ucum" ? "UCUM" : p.local_system;
}

}  // namespace

FacilityModel build_facility(const Options& options, const tables::Tables& tables, units::Ucum& ucum,
                             int facility_index) {
  FacilityModel model;
  model.profile = draw_profile(options, facility_index);
  model.index = facility_index;
  const FacilityProfile& p = model.profile;
  model.wave_dash = p.charset == Charset::iso2022jp ? "\xE3\x80\x9C" : "\xEF\xBD\x9E";  // 〜 / ～
  Rng rng(mix(mix(options.seed, kProfileStream + 1), static_cast<std::uint64_t>(facility_index)));
  int local_base = rng.between(1, 8) * 10000;
  bool local_letter = rng.chance(0.4);
  static const char* const name_styles[] = {"ja", "abbreviation", "fullwidth"};
  std::string name_style = facility_index == 0 ? "ja" : rng.pick(name_styles);
  int serial = 0;
  // Gaps have a stream of their own: --gap-rate changes only the items it hits.
  Rng gap_rng(mix(mix(options.seed, kProfileStream + 2), static_cast<std::uint64_t>(facility_index)));
  for (const LabItem& item : lab_items) {
    ++serial;
    const tables::Analyte* analyte = tables.analytes.find(item.analyte);
    if (analyte == nullptr) continue;  // the tables are authoritative; skip what they lack
    ItemModel m;
    m.item = &item;
    m.analyte = analyte;
    m.jlac10 = std::string(item.analyte) + std::string(item.rest);
    bool jscc_alp = item.analyte == "3B070" && p.alp_jscc;
    if (jscc_alp) m.jlac10 = "3B070000002327701";  // JSCC method (analytes.yaml method_change)
    char local[16];
    if (local_letter)
      std::snprintf(local, sizeof local, "L%04d", serial * 7 % 10000);
    else
      std::snprintf(local, sizeof local, "%05d", local_base + serial * 3);
    m.local_code = local;
    if (name_style == "ja" || analyte->abbreviation.empty())
      m.display_name = analyte->name_ja;
    else if (name_style == "abbreviation")
      m.display_name = analyte->abbreviation;
    else
      m.display_name = fullwidth(analyte->abbreviation);

    if (item.qualitative) {
      m.canonical_unit.clear();
      m.reported_unit.clear();
      draw_gap(gap_rng, options, p, tables, ucum, m, {});
      model.items.push_back(std::move(m));
      continue;
    }
    m.canonical_unit = analyte->unit_for(m.jlac10);
    if (m.canonical_unit.empty()) continue;
    if (!draw_intervals(m, jscc_alp, tables, ucum)) continue;
    draw_site_ranges(m, p.own_ranges, rng);
    const std::string local_for_lookup = p.code_style.rfind("jlac10", 0) == 0 ? std::string() : m.local_code;
    draw_reported_unit(m, p, tables, ucum, local_for_lookup, rng);
    draw_gap(gap_rng, options, p, tables, ucum, m, local_for_lookup);
    model.items.push_back(std::move(m));
  }
  add_variance(model, options, tables, ucum);
  if (model.regular_items < 10)
    throw config_error("smx gen needs at least 10 lab items from mappings/analytes.yaml and the JCCLS table; found " +
                       std::to_string(model.items.size()));
  return model;
}

}  // namespace smx::gen::detail

namespace smx::gen {

std::vector<FacilityProfile> facility_profiles(const Options& options) {
  std::vector<FacilityProfile> out;
  for (int f = 0; f < options.facilities; ++f) out.push_back(detail::draw_profile(options, f));
  return out;
}

namespace {
void append_yaml_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}
}  // namespace

std::string site_yaml(const Options& options, const tables::Tables& tables, int facility,
                      std::string_view site_name) {
  units::Ucum ucum = tables.make_ucum();
  detail::FacilityModel model = detail::build_facility(options, tables, ucum, facility);
  const FacilityProfile& p = model.profile;
  std::string y;
  y += "# Site table written by smx gen (synthetic facility; schema smx-tables(5) SITES).\n";
  y += "# Vendor profile: charset " + std::string(charset_name(p.charset)) + ", codes " + p.code_style +
       ", units " + p.unit_style + "/" + p.unit_system + ", ranges " + p.range_style + "/" + p.sex_range_style +
       (p.own_ranges ? " (own)" : " (JCCLS)") + ", flags " + p.flag_style + ".\n";
  y += "format: smx-site/1\nsite: ";
  append_yaml_string(y, site_name);
  y += "\ndescription: ";
  append_yaml_string(y, p.name_ja + " (smx gen, seed " + std::to_string(options.seed) + ")");
  y += "\nsending_facilities: [";
  append_yaml_string(y, p.id);
  y += "]\nunit_systems: [";
  append_yaml_string(y, p.local_system);
  y += "]\ncodes:\n";
  for (const auto& item : model.items) {
    if (item.gap == "code") continue;  // --gap-rate: the site table misses this code
    y += "  ";
    // OBX-3.1 as sent: the first triplet of OBX-3.
    append_yaml_string(y, p.code_style.rfind("jlac10", 0) == 0 ? item.jlac10 : item.local_code);
    y += ": {jlac10: ";
    append_yaml_string(y, item.jlac10);
    y += ", name: ";
    append_yaml_string(y, item.analyte ? item.analyte->name_ja : item.display_name);
    if (!item.reported_unit.empty()) {
      y += ", unit: ";
      append_yaml_string(y, item.reported_unit);
    }
    y += "}\n";
  }
  y += "ranges:\n  inclusive: true\n  separators: [\"-\", ";
  append_yaml_string(y, model.wave_dash);
  y += "]\n  male_labels: [M, 男]\n  female_labels: [F, 女]\n";
  return y;
}

}  // namespace smx::gen
