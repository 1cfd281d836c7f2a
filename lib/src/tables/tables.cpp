// Loaders and look-ups of the data tables; the schema is in man/smx-tables.5.md.
#include <smx/ascii.hpp>
#include <smx/error.hpp>
#include <smx/tables.hpp>

#include "tables/yaml_tree.hpp"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

namespace smx::tables {

using detail::Document;
using detail::YamlNode;

namespace {

using ascii::is_digit;

void check_ucum(const Document& doc, const YamlNode& node, units::Ucum& ucum,
                std::string_view what) {
  const std::string& code = doc.string(node, what);
  const units::ParseResult& parsed = ucum.lookup(code);
  if (!parsed.ok())
    doc.fail(node, std::string(what) + " '" + code + "' is not valid UCUM: " +
                       parsed.error().message);
}

void check_analyte_code(const Document& doc, const YamlNode& node, std::string_view what) {
  const std::string& code = doc.string(node, what);
  if (!is_jlac10_analyte(code))
    doc.fail(node, std::string(what) + " '" + code +
                       "' is not a JLAC10 analyte code (digit 1-9, letter A-Z, three digits)");
}

void check_jlac10(const Document& doc, const YamlNode& node, std::string_view what) {
  const std::string& code = doc.string(node, what);
  if (!is_jlac10_code(code))
    doc.fail(node, std::string(what) + " '" + code +
                       "' is not a 17-character JLAC10 code (analyte 5 + 12 digits)");
}

void check_method_codes(const Document& doc, const YamlNode& list, std::string_view what,
                        std::vector<std::string>& out) {
  doc.expect_sequence(list, what);
  for (const YamlNode& item : list.children) {
    const std::string& m = doc.string(item, what);
    if (m.size() != 3 || !std::all_of(m.begin(), m.end(), is_digit))
      doc.fail(item, std::string(what) + " '" + m + "' is not a 3-digit JLAC10 method code");
    out.push_back(m);
  }
}

// Spelling keys must already be in the form the normalizer produces (see Aliases), otherwise
// they would never match.
void check_spelling(const Document& doc, const YamlNode& key) {
  const std::string& s = doc.string(key, "spelling");
  if (s.empty()) doc.fail(key, "empty unit spelling");
  if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t')
    doc.fail(key, "unit spelling '" + s + "' has outer blanks: spellings are trimmed first");
  if (s.find("\xCE\xBC") != std::string::npos || s.find("\xC2\xB5") != std::string::npos)
    doc.fail(key, "unit spelling '" + s + "' contains a micro sign: spellings have mu -> 'u' first");
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status)) return;  // ICU data missing: nothing to check against
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  if (!nfkc->isNormalized(u, status) || U_FAILURE(status)) {
    std::string normalized;
    UErrorCode st2 = U_ZERO_ERROR;
    nfkc->normalize(u, st2).toUTF8String(normalized);
    doc.fail(key, "unit spelling '" + s + "' is not in NFKC form (NFKC gives '" + normalized +
                      "'): it could never match");
  }
}

void require_two_digits(const Document& doc, const YamlNode& node, std::string_view what) {
  const std::string& s = doc.string(node, what);
  if (s.size() != 2 || !is_digit(s[0]) || !is_digit(s[1]))
    doc.fail(node, std::string(what) + " '" + s + "' is not a 2-digit JLAC10 result id");
}

std::string stem_of(std::string_view name) {
  std::string_view base = name;
  if (const auto slash = base.find_last_of('/'); slash != std::string_view::npos)
    base.remove_prefix(slash + 1);
  if (const auto dot = base.rfind('.'); dot != std::string_view::npos && dot > 0)
    base = base.substr(0, dot);
  return std::string(base);
}

bool safe_site_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '-' || c == '.';
  });
}

}  // namespace

// ---- JLAC10 -------------------------------------------------------------------------------

bool is_jlac10_analyte(std::string_view code) {
  return code.size() == 5 && code[0] >= '1' && code[0] <= '9' && code[1] >= 'A' &&
         code[1] <= 'Z' && is_digit(code[2]) && is_digit(code[3]) && is_digit(code[4]);
}

bool is_jlac10_code(std::string_view code) {
  return code.size() == 17 && is_jlac10_analyte(code.substr(0, 5)) &&
         std::all_of(code.begin() + 5, code.end(), is_digit);
}

bool is_blood_material(std::string_view code) {
  const std::string_view m = jlac10_material(code);
  return m.size() == 3 && m >= "018" && m <= "023";
}

// ---- Aliases ------------------------------------------------------------------------------

std::string_view scope_name(AliasScope scope) {
  switch (scope) {
    case AliasScope::code: return "code";
    case AliasScope::analyte: return "analyte";
    case AliasScope::global: return "global";
  }
  return "?";
}

const UnitAlias* Aliases::find_global(std::string_view spelling) const {
  const auto it = global_.find(spelling);
  return it == global_.end() ? nullptr : &it->second;
}

const UnitAlias* Aliases::find_analyte(std::string_view spelling,
                                       std::string_view analyte) const {
  if (analyte.size() < 5 || by_analyte_.empty()) return nullptr;
  const auto outer = by_analyte_.find(analyte.substr(0, 5));
  if (outer == by_analyte_.end()) return nullptr;
  const auto it = outer->second.find(spelling);
  return it == outer->second.end() ? nullptr : &it->second;
}

const UnitAlias* Aliases::find_code(std::string_view spelling, std::string_view code) const {
  if (code.empty() || by_code_.empty()) return nullptr;
  const auto outer = by_code_.find(code);
  if (outer == by_code_.end()) return nullptr;
  const auto it = outer->second.find(spelling);
  return it == outer->second.end() ? nullptr : &it->second;
}

const UnitAlias* Aliases::find(std::string_view spelling, std::string_view analyte,
                               std::string_view code) const {
  if (const UnitAlias* hit = find_code(spelling, code)) return hit;
  if (const UnitAlias* hit = find_analyte(spelling, analyte)) return hit;
  return find_global(spelling);
}

void Aliases::for_each(const std::function<void(std::string_view, std::string_view,
                                                const UnitAlias&)>& visit) const {
  for (const auto& [spelling, alias] : global_) visit({}, spelling, alias);
  for (const auto& [key, map] : by_analyte_)
    for (const auto& [spelling, alias] : map) visit(key, spelling, alias);
  for (const auto& [key, map] : by_code_)
    for (const auto& [spelling, alias] : map) visit(key, spelling, alias);
}

struct AliasesBuilder {
  static void read_map(const Document& doc, const YamlNode& map, AliasScope scope,
                       Aliases::Map& out, std::size_t& count, units::Ucum& ucum) {
    doc.expect_map(map, "a spelling map");
    doc.check_unique_keys(map, "spelling");
    out.reserve(out.size() + map.map_size());
    for (std::size_t i = 0; i < map.map_size(); ++i) {
      const YamlNode& key = map.key(i);
      const YamlNode& value = map.value(i);
      check_spelling(doc, key);
      check_ucum(doc, value, ucum, "UCUM code");
      out.emplace(key.text, UnitAlias{value.text, doc.rule(key), scope});
      ++count;
    }
  }

  static void read_keyed(const Document& doc, const YamlNode& node, AliasScope scope,
                         detail::StringMap<Aliases::Map>& out, std::size_t& count,
                         units::Ucum& ucum) {
    const char* what = scope == AliasScope::analyte ? "by_analyte" : "by_code";
    doc.expect_map(node, what);
    doc.check_unique_keys(node, scope == AliasScope::analyte ? "analyte" : "code");
    for (std::size_t i = 0; i < node.map_size(); ++i) {
      const YamlNode& key = node.key(i);
      if (scope == AliasScope::analyte) {
        check_analyte_code(doc, key, "analyte");
      } else if (doc.string(key, "code").empty()) {
        doc.fail(key, "empty code");
      }
      read_map(doc, node.value(i), scope, out[key.text], count, ucum);
    }
  }

  // `sections` of the root map (global / by_analyte / by_code) into `aliases`.
  static void read_sections(const Document& doc, const YamlNode& root, Aliases& aliases,
                            units::Ucum& ucum) {
    if (const YamlNode* g = doc.find(root, "global"))
      read_map(doc, *g, AliasScope::global, aliases.global_, aliases.size_, ucum);
    if (const YamlNode* a = doc.find(root, "by_analyte"))
      read_keyed(doc, *a, AliasScope::analyte, aliases.by_analyte_, aliases.size_, ucum);
    if (const YamlNode* c = doc.find(root, "by_code"))
      read_keyed(doc, *c, AliasScope::code, aliases.by_code_, aliases.size_, ucum);
  }
};

Aliases aliases_from_string(std::string_view text, std::string_view name, units::Ucum& ucum) {
  const Document doc(text, std::string(name));
  const YamlNode& root = doc.root();
  doc.expect_map(root, "the unit alias table");
  doc.check_keys(root, {"format", "global", "by_analyte", "by_code"}, {"format"});
  doc.expect_format(root, "smx-unit-aliases/1");
  Aliases aliases;
  AliasesBuilder::read_sections(doc, root, aliases, ucum);
  return aliases;
}

// ---- Analytes -----------------------------------------------------------------------------

const std::string& Analyte::unit_for(std::string_view jlac10) const {
  const std::string_view result = jlac10_result_id(jlac10);
  if (!result.empty())
    for (const auto& [id, u] : units_by_result)
      if (id == result) return u;
  return unit;
}

bool Analyte::never_converts_from(std::string_view ucum) const {
  return std::find(never_convert_units.begin(), never_convert_units.end(), ucum) !=
         never_convert_units.end();
}

const Analyte* Analytes::find(std::string_view code) const {
  if (code.size() < 5) return nullptr;
  const auto it = index_.find(code.substr(0, 5));
  return it == index_.end() ? nullptr : &items_[it->second];
}

struct AnalytesBuilder {
  static MolarMass read_molar_mass(const Document& doc, const YamlNode* m) {
    doc.expect_map(*m, "molar_mass");
    doc.check_keys(*m, {"value", "source"}, {"value", "source"});
    const YamlNode& value = *doc.find(*m, "value");
    MolarMass mm;
    mm.grams_per_mole = doc.number(value, "molar_mass value");
    if (!(mm.grams_per_mole > 0.0)) doc.fail(value, "molar mass must be > 0 g/mol");
    mm.source = doc.string(*doc.find(*m, "source"), "molar_mass source");
    if (mm.source.empty()) doc.fail(*doc.find(*m, "source"), "molar_mass source is empty");
    return mm;
  }

  static Plausible read_plausible(const Document& doc, const YamlNode* p, const std::string& unit) {
    doc.expect_map(*p, "plausible");
    doc.check_keys(*p, {"low", "high", "source"}, {"low", "high", "source"});
    if (unit.empty()) doc.fail(*p, "plausible without a canonical unit");
    Plausible range;
    range.low = doc.number(*doc.find(*p, "low"), "plausible low");
    range.high = doc.number(*doc.find(*p, "high"), "plausible high");
    if (!(range.low >= 0.0) || !(range.high > range.low)) doc.fail(*p, "plausible needs 0 <= low < high");
    range.source = doc.string(*doc.find(*p, "source"), "plausible source");
    if (range.source.empty()) doc.fail(*doc.find(*p, "source"), "plausible source is empty");
    return range;
  }

  static MethodChange read_method_change(const Document& doc, const YamlNode* mc) {
    doc.expect_map(*mc, "method_change");
    doc.check_keys(*mc, {"kind", "successor", "from_methods", "to_methods", "note"},
                   {"kind", "note"});
    MethodChange change;
    change.kind = doc.string(*doc.find(*mc, "kind"), "kind");
    change.note = doc.string(*doc.find(*mc, "note"), "note");
    if (const YamlNode* s = doc.find(*mc, "successor")) {
      check_analyte_code(doc, *s, "successor");
      change.successor = s->text;
    }
    if (const YamlNode* f = doc.find(*mc, "from_methods"))
      check_method_codes(doc, *f, "from_methods", change.from_methods);
    if (const YamlNode* t = doc.find(*mc, "to_methods"))
      check_method_codes(doc, *t, "to_methods", change.to_methods);
    return change;
  }

  static Analyte read(const Document& doc, const YamlNode& key, const YamlNode& node,
                      units::Ucum& ucum) {
    Analyte a;
    check_analyte_code(doc, key, "analyte");
    a.code = key.text;
    a.rule = doc.rule(key);
    doc.expect_map(node, "an analyte");
    doc.check_keys(node,
                   {"name_ja", "name_en", "abbreviation", "unit", "units_by_result",
                    "alternative_units", "molar_mass", "charge", "never_convert_units",
                    "method_change", "plausible", "source", "note"},
                   {"name_ja", "name_en", "source"});
    a.name_ja = doc.optional_string(node, "name_ja");
    a.name_en = doc.optional_string(node, "name_en");
    a.abbreviation = doc.optional_string(node, "abbreviation");
    a.source = doc.optional_string(node, "source");
    if (a.name_ja.empty()) doc.fail(*doc.find(node, "name_ja"), "name_ja is empty");
    if (a.name_en.empty()) doc.fail(*doc.find(node, "name_en"), "name_en is empty");
    if (a.source.empty()) doc.fail(*doc.find(node, "source"), "source is empty");
    if (const YamlNode* u = doc.find(node, "unit")) {
      check_ucum(doc, *u, ucum, "unit");
      a.unit = u->text;
    }
    if (const YamlNode* m = doc.find(node, "molar_mass")) a.molar_mass = read_molar_mass(doc, m);
    if (const YamlNode* c = doc.find(node, "charge")) {
      const long long charge = doc.integer(*c, "charge");
      if (charge < 1 || charge > 9) doc.fail(*c, "charge must be 1..9");
      a.charge = static_cast<int>(charge);
    }
    if (const YamlNode* r = doc.find(node, "units_by_result")) {
      doc.expect_map(*r, "units_by_result");
      doc.check_unique_keys(*r, "result id");
      for (std::size_t i = 0; i < r->map_size(); ++i) {
        require_two_digits(doc, r->key(i), "result id");
        const YamlNode& v = r->value(i);
        // "" = this result id reports no unit (a ratio, a grade).
        if (!(v.kind == YamlNode::Kind::scalar && v.text.empty()))
          check_ucum(doc, v, ucum, "unit");
        a.units_by_result.emplace_back(r->key(i).text, v.text);
      }
    }
    if (const YamlNode* alts = doc.find(node, "alternative_units")) {
      doc.expect_sequence(*alts, "alternative_units");
      if (a.unit.empty()) doc.fail(*alts, "alternative_units without a canonical unit");
      std::set<std::string> seen;
      for (const YamlNode& alt : alts->children) {
        check_ucum(doc, alt, ucum, "alternative unit");
        if (!seen.insert(alt.text).second)
          doc.fail(alt, "duplicate alternative unit '" + alt.text + "'");
        const units::Conversion conv =
            (a.molar_mass || a.charge != 0)
                ? ucum.convert_with_molar_mass(1.0, alt.text, a.unit,
                                               a.molar_mass ? a.molar_mass->grams_per_mole : 1.0,
                                               a.charge)
                : ucum.convert(1.0, alt.text, a.unit);
        if (!conv.ok())
          doc.fail(alt, "alternative unit '" + alt.text + "' does not convert to '" + a.unit +
                            "' (" + std::string(units::status_name(conv.status)) + ")");
        a.alternative_units.push_back(alt.text);
      }
    }
    if (const YamlNode* p = doc.find(node, "plausible")) a.plausible = read_plausible(doc, p, a.unit);
    if (const YamlNode* n = doc.find(node, "never_convert_units")) {
      doc.expect_sequence(*n, "never_convert_units");
      for (const YamlNode& u : n->children) {
        check_ucum(doc, u, ucum, "unit");
        if (std::find(a.alternative_units.begin(), a.alternative_units.end(), u.text) !=
            a.alternative_units.end())
          doc.fail(u, "'" + u.text + "' is both an alternative and a never-convert unit");
        a.never_convert_units.push_back(u.text);
      }
    }
    if (const YamlNode* mc = doc.find(node, "method_change")) a.method_change = read_method_change(doc, mc);
    return a;
  }

  static Analytes read_all(const Document& doc, const YamlNode& list, units::Ucum& ucum) {
    Analytes out;
    out.items_.reserve(list.map_size());
    for (std::size_t i = 0; i < list.map_size(); ++i) {
      out.items_.push_back(read(doc, list.key(i), list.value(i), ucum));
      out.index_.emplace(out.items_.back().code, out.items_.size() - 1);
    }
    return out;
  }
};

Analytes analytes_from_string(std::string_view text, std::string_view name,
                              units::Ucum& ucum) {
  const Document doc(text, std::string(name));
  const YamlNode& root = doc.root();
  doc.expect_map(root, "the analyte table");
  doc.check_keys(root, {"format", "analytes"}, {"format", "analytes"});
  doc.expect_format(root, "smx-analytes/1");
  const YamlNode& list = *doc.find(root, "analytes");
  doc.expect_map(list, "analytes");
  doc.check_unique_keys(list, "analyte");
  Analytes out = AnalytesBuilder::read_all(doc, list, ucum);
  // A successor must be in the same table.
  for (std::size_t i = 0; i < list.map_size(); ++i) {
    const Analyte& a = out.items()[i];
    if (a.method_change && !a.method_change->successor.empty() &&
        !out.find(a.method_change->successor))
      doc.fail(*doc.find(*doc.find(list.value(i), "method_change"), "successor"),
               "successor '" + a.method_change->successor + "' is not in this table");
  }
  return out;
}

// ---- Reference intervals ------------------------------------------------------------------

std::string_view sex_name(Sex sex) {
  switch (sex) {
    case Sex::male: return "M";
    case Sex::female: return "F";
    case Sex::both: return "both";
  }
  return "?";
}

const ReferenceInterval* ReferenceIntervals::find(std::string_view code, Sex sex) const {
  if (code.size() < 5) return nullptr;
  const auto it = index_.find(code.substr(0, 5));
  if (it == index_.end()) return nullptr;
  const std::string_view method = jlac10_method(code);
  const ReferenceInterval* for_both = nullptr;
  for (const std::size_t i : it->second) {
    const ReferenceInterval& row = items_[i];
    if (!row.methods.empty() &&
        std::find(row.methods.begin(), row.methods.end(), method) == row.methods.end())
      continue;
    if (row.sex == sex && sex != Sex::both) return &row;
    if (row.sex == Sex::both && !for_both) for_both = &row;
  }
  return for_both;
}

struct IntervalsBuilder {
  static ReferenceIntervals read(const Document& doc, units::Ucum& ucum) {
    const YamlNode& root = doc.root();
    doc.expect_map(root, "the reference interval table");
    doc.check_keys(root, {"format", "title", "sources", "intervals"},
                   {"format", "sources", "intervals"});
    doc.expect_format(root, "smx-reference-intervals/1");
    ReferenceIntervals out;
    out.title_ = doc.optional_string(root, "title");
    const YamlNode& sources = *doc.find(root, "sources");
    doc.expect_map(sources, "sources");
    doc.check_unique_keys(sources, "source");
    for (std::size_t i = 0; i < sources.map_size(); ++i)
      out.sources_.emplace_back(sources.key(i).text, doc.string(sources.value(i), "source"));
    const YamlNode& rows = *doc.find(root, "intervals");
    doc.expect_sequence(rows, "intervals");
    out.items_.reserve(rows.children.size());
    // (analyte, methods) -> which sexes are present, to refuse duplicates and M/F + both mixes.
    std::map<std::string, std::pair<unsigned, const YamlNode*>> present;
    for (const YamlNode& row : rows.children) {
      doc.expect_map(row, "an interval");
      doc.check_keys(row, {"analyte", "name", "sex", "low", "high", "unit", "methods", "source",
                           "note"},
                     {"analyte", "sex", "low", "high", "unit", "source"});
      ReferenceInterval ri;
      ri.rule = doc.rule(row);
      const YamlNode& analyte = *doc.find(row, "analyte");
      check_analyte_code(doc, analyte, "analyte");
      ri.analyte = analyte.text;
      ri.name = doc.optional_string(row, "name");
      ri.note = doc.optional_string(row, "note");
      const YamlNode& sex = *doc.find(row, "sex");
      const std::string& s = doc.string(sex, "sex");
      if (s == "M") ri.sex = Sex::male;
      else if (s == "F") ri.sex = Sex::female;
      else if (s == "both") ri.sex = Sex::both;
      else doc.fail(sex, "sex '" + s + "' is not M, F or both");
      const YamlNode& low = *doc.find(row, "low");
      const YamlNode& high = *doc.find(row, "high");
      ri.low = doc.number(low, "low");
      ri.high = doc.number(high, "high");
      if (ri.low > ri.high)
        doc.fail(low, "low " + low.text + " is greater than high " + high.text);
      const YamlNode& unit = *doc.find(row, "unit");
      check_ucum(doc, unit, ucum, "unit");
      ri.unit = unit.text;
      if (const YamlNode* m = doc.find(row, "methods"))
        check_method_codes(doc, *m, "methods", ri.methods);
      const YamlNode& src = *doc.find(row, "source");
      ri.sources = doc.string_list(src, "source");
      if (ri.sources.empty()) doc.fail(src, "source is empty");
      for (std::size_t k = 0; k < ri.sources.size(); ++k) {
        const bool known = std::any_of(out.sources_.begin(), out.sources_.end(),
                                       [&](const auto& p) { return p.first == ri.sources[k]; });
        if (!known)
          doc.fail(src.children[k], "source '" + ri.sources[k] + "' is not in 'sources'");
      }
      std::string key = ri.analyte;
      for (const std::string& m : ri.methods) key += "/" + m;
      auto& [mask, first] = present[key];
      const unsigned bit = ri.sex == Sex::male ? 1u : ri.sex == Sex::female ? 2u : 4u;
      if (mask & bit)
        doc.fail(row, "duplicate interval for " + ri.analyte + " sex " +
                          std::string(sex_name(ri.sex)) + " (first at line " +
                          std::to_string(first->line) + ")");
      if ((bit == 4u && mask != 0) || (bit != 4u && (mask & 4u)))
        doc.fail(row, "interval for " + ri.analyte + " mixes a 'both' row with M/F rows (first at line " +
                          std::to_string(first->line) + ")");
      if (mask == 0) first = &row;
      mask |= bit;
      out.index_[ri.analyte].push_back(out.items_.size());
      out.items_.push_back(std::move(ri));
    }
    return out;
  }
};

ReferenceIntervals reference_intervals_from_string(std::string_view text, std::string_view name,
                                                   units::Ucum& ucum) {
  const Document doc(text, std::string(name));
  return IntervalsBuilder::read(doc, ucum);
}

// ---- Sites --------------------------------------------------------------------------------

const SiteCode* Site::find_code(std::string_view local_code) const {
  const auto it = codes.find(local_code);
  return it == codes.end() ? nullptr : &it->second;
}

bool Site::matches_sending_facility(std::string_view msh4) const {
  const std::string_view first = msh4.substr(0, msh4.find('^'));
  for (const std::string& f : sending_facilities)
    if (f == msh4 || f == first) return true;
  return false;
}

Site site_from_string(std::string_view text, std::string_view name, units::Ucum& ucum) {
  const Document doc(text, std::string(name));
  const YamlNode& root = doc.root();
  doc.expect_map(root, "a site table");
  doc.check_keys(root,
                 {"format", "site", "description", "sending_facilities", "unit_systems", "codes",
                  "units", "ranges"},
                 {"format", "site"});
  doc.expect_format(root, "smx-site/1");
  Site site;
  site.file = std::string(name);
  const YamlNode& site_name = *doc.find(root, "site");
  site.name = doc.string(site_name, "site");
  if (!safe_site_name(site.name))
    doc.fail(site_name, "site name '" + site.name + "' may hold only letters, digits, '_', '-', '.'");
  if (const std::string stem = stem_of(name); stem != site.name)
    doc.fail(site_name, "site '" + site.name + "' must match its file name ('" + stem + "')");
  site.description = doc.optional_string(root, "description");
  if (const YamlNode* f = doc.find(root, "sending_facilities"))
    site.sending_facilities = doc.string_list(*f, "sending_facilities");
  if (const YamlNode* u = doc.find(root, "unit_systems"))
    site.unit_systems = doc.string_list(*u, "unit_systems");
  if (const YamlNode* codes = doc.find(root, "codes")) {
    doc.expect_map(*codes, "codes");
    doc.check_unique_keys(*codes, "local code");
    site.codes.reserve(codes->map_size());
    for (std::size_t i = 0; i < codes->map_size(); ++i) {
      const YamlNode& key = codes->key(i);
      if (doc.string(key, "local code").empty()) doc.fail(key, "empty local code");
      const YamlNode& entry = codes->value(i);
      doc.expect_map(entry, "a local code entry");
      doc.check_keys(entry, {"jlac10", "name", "unit", "note"}, {"jlac10"});
      SiteCode code;
      const YamlNode& jlac10 = *doc.find(entry, "jlac10");
      check_jlac10(doc, jlac10, "jlac10");
      code.jlac10 = jlac10.text;
      code.name = doc.optional_string(entry, "name");
      if (const YamlNode* u = doc.find(entry, "unit")) {
        check_ucum(doc, *u, ucum, "unit");
        code.unit = u->text;
      }
      code.rule = doc.rule(key);
      site.codes.emplace(key.text, std::move(code));
    }
  }
  if (const YamlNode* units = doc.find(root, "units")) {
    doc.expect_map(*units, "units");
    doc.check_keys(*units, {"global", "by_analyte", "by_code"});
    AliasesBuilder::read_sections(doc, *units, site.units, ucum);
  }
  if (const YamlNode* ranges = doc.find(root, "ranges")) {
    doc.expect_map(*ranges, "ranges");
    doc.check_keys(*ranges, {"inclusive", "separators", "male_labels", "female_labels"});
    if (const YamlNode* i = doc.find(*ranges, "inclusive"))
      site.ranges.inclusive = doc.boolean(*i, "inclusive");
    if (const YamlNode* s = doc.find(*ranges, "separators"))
      site.ranges.separators = doc.string_list(*s, "separators");
    if (const YamlNode* m = doc.find(*ranges, "male_labels"))
      site.ranges.male_labels = doc.string_list(*m, "male_labels");
    if (const YamlNode* f = doc.find(*ranges, "female_labels"))
      site.ranges.female_labels = doc.string_list(*f, "female_labels");
    for (const std::string& s : site.ranges.separators)
      if (s.empty()) doc.fail(*doc.find(*ranges, "separators"), "empty range separator");
  }
  return site;
}

// ---- files --------------------------------------------------------------------------------

Aliases load_aliases(const std::filesystem::path& path, units::Ucum& ucum) {
  return aliases_from_string(detail::read_table_file(path), path.string(), ucum);
}
Analytes load_analytes(const std::filesystem::path& path, units::Ucum& ucum) {
  return analytes_from_string(detail::read_table_file(path), path.string(), ucum);
}
ReferenceIntervals load_reference_intervals(const std::filesystem::path& path,
                                            units::Ucum& ucum) {
  return reference_intervals_from_string(detail::read_table_file(path), path.string(), ucum);
}
Site load_site(const std::filesystem::path& path, units::Ucum& ucum) {
  return site_from_string(detail::read_table_file(path), path.string(), ucum);
}

// ---- the bundle ---------------------------------------------------------------------------

const Site* Tables::site_named(std::string_view name) const {
  for (const Site& s : sites)
    if (s.name == name) return &s;
  return nullptr;
}

const Site* Tables::site_for_sending_facility(std::string_view msh4) const {
  for (const Site& s : sites)
    if (s.matches_sending_facility(msh4)) return &s;
  return nullptr;
}

const UnitAlias* Tables::find_unit(std::string_view spelling, std::string_view jlac10,
                                   std::string_view local_code, const Site* site) const {
  const auto search = [&](const Aliases& a) -> const UnitAlias* {
    if (a.empty()) return nullptr;
    if (const UnitAlias* hit = a.find_code(spelling, local_code)) return hit;
    if (jlac10.size() == 17)
      if (const UnitAlias* hit = a.find_code(spelling, jlac10)) return hit;
    if (const UnitAlias* hit = a.find_analyte(spelling, jlac10)) return hit;
    return a.find_global(spelling);
  };
  if (site)
    if (const UnitAlias* hit = search(site->units)) return hit;
  return search(aliases);
}

Tables load_tables(const std::filesystem::path& dir, std::string_view site) {
  Tables t;
  t.dir = dir;
  t.essence = units::Essence::load_file(dir / "units" / "ucum-essence.xml");
  units::Ucum ucum(t.essence);
  t.aliases = load_aliases(dir / "units" / "aliases.yaml", ucum);
  t.analytes = load_analytes(dir / "mappings" / "analytes.yaml", ucum);
  const auto jccls_path = dir / "mappings" / "reference-intervals" / "jccls.yaml";
  t.jccls = load_reference_intervals(jccls_path, ucum);
  for (const ReferenceInterval& ri : t.jccls.items()) {
    const Analyte* a = t.analytes.find(ri.analyte);
    if (!a)
      throw config_error(ri.rule + ": analyte " + ri.analyte + " is not in " +
                         (dir / "mappings" / "analytes.yaml").string());
    if (a->unit.empty() || !ucum.convert_with_molar_mass(1.0, ri.unit, a->unit,
                                                          a->molar_mass ? a->molar_mass->grams_per_mole : 1.0,
                                                          a->charge)
                                .ok())
      throw config_error(ri.rule + ": unit '" + ri.unit + "' does not convert to the canonical unit '" +
                         a->unit + "' of " + ri.analyte);
  }
  // NHO's unit per JLAC10 code: optional, so that a --tables DIR made before it existed loads.
  {
    const auto code_units = dir / "mappings" / "jlac10-units.yaml";
    std::error_code ec;
    if (std::filesystem::exists(code_units, ec)) t.code_units = load_code_units(code_units, ucum);
  }
  const auto sites_dir = dir / "mappings" / "sites";
  if (site == "auto") {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(sites_dir, ec))
      if (entry.path().extension() == ".yaml" && entry.is_regular_file())
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) t.sites.push_back(load_site(f, ucum));
  } else if (!site.empty()) {
    if (!safe_site_name(site))
      throw config_error("site name '" + std::string(site) +
                         "' may hold only letters, digits, '_', '-', '.'");
    const auto path = sites_dir / (std::string(site) + ".yaml");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw config_error("no site table " + path.string());
    t.sites.push_back(load_site(path, ucum));
  }
  // NHO's split rules: optional, so that a --tables DIR made before the file existed loads.
  // A path that cannot even be looked at is read anyway, so that the error names it.
  const auto split = dir / "mappings" / "split-values.yaml";
  if (std::error_code ec; std::filesystem::exists(split, ec) || ec)
    t.split_values = load_split_values(split);
  return t;
}

}  // namespace smx::tables
