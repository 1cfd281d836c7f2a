// Loaders of NHO's unit facts: units/iso-plus.yaml (NHO ASCII unit -> UCUM) and
// mappings/jlac10-units.yaml (JLAC10 result code -> the unit NHO mandates). Schema: man page
// smx-tables(5), "ISO+ UNITS" and "CODE UNITS". Same rules as the other loaders: every error
// names FILE:LINE:COL, unknown keys and duplicates are refused, every UCUM code must parse.
#include <smx/error.hpp>
#include <smx/tables.hpp>

#include "tables/yaml_tree.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace smx::tables {

using detail::Document;
using detail::YamlNode;

namespace {

// What NHO writes for a result that carries no unit (doc/jlac10_units.md, second table).
constexpr std::string_view no_unit = "単位なし";

// `sources`: key -> description. Returns the keys.
std::set<std::string> read_sources(const Document& doc, const YamlNode& root) {
  const YamlNode& sources = *doc.find(root, "sources");
  doc.expect_map(sources, "sources");
  doc.check_unique_keys(sources, "source");
  std::set<std::string> keys;
  for (std::size_t i = 0; i < sources.map_size(); ++i) {
    if (doc.string(sources.value(i), "source").empty())
      doc.fail(sources.value(i), "source '" + sources.key(i).text + "' is empty");
    keys.insert(sources.key(i).text);
  }
  return keys;
}

// A row's `source`: "KEY:LINE" references, ", "-separated, each KEY one of `sources`.
void check_source(const Document& doc, const YamlNode& node, const std::set<std::string>& keys) {
  const std::string& s = doc.string(node, "source");
  if (s.empty()) doc.fail(node, "source is empty");
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(", ", start);
    if (end == std::string::npos) end = s.size();
    const std::string_view ref(s.data() + start, end - start);
    const std::size_t colon = ref.find(':');
    const std::string key(ref.substr(0, colon));
    if (colon == std::string_view::npos || colon + 1 == ref.size() || !keys.count(key))
      doc.fail(node, "source '" + std::string(ref) + "' is not KEY:WHERE with a KEY of 'sources'");
    start = end + 2;
  }
}

// `ucum`: a UCUM code the engine accepts, or null. Returns "" for null.
std::string read_ucum(const Document& doc, const YamlNode& map, units::Ucum& ucum) {
  const YamlNode& node = *doc.find(map, "ucum");
  if (node.kind == YamlNode::Kind::null) return {};
  const std::string& code = doc.string(node, "ucum");
  if (code.empty()) doc.fail(node, "ucum is empty (write null when there is no UCUM code)");
  const units::ParseResult& parsed = ucum.lookup(code);
  if (!parsed.ok())
    doc.fail(node, "ucum '" + code + "' is not valid UCUM: " + parsed.error().message);
  return code;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ascii_folded(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

}  // namespace

// ---- ISO+ -------------------------------------------------------------------------------

const IsoPlusUnit* IsoPlus::find(std::string_view code) const {
  const auto it = index_.find(code);
  return it == index_.end() ? nullptr : &items_[it->second];
}

struct IsoPlusBuilder {
  static IsoPlus read(const Document& doc, units::Ucum& ucum) {
    const YamlNode& root = doc.root();
    doc.expect_map(root, "the ISO+ unit table");
    doc.check_keys(root, {"format", "sources", "units"}, {"format", "sources", "units"});
    doc.expect_format(root, "smx-iso-plus/1");
    const std::set<std::string> sources = read_sources(doc, root);
    const YamlNode& units = *doc.find(root, "units");
    doc.expect_map(units, "units");
    doc.check_unique_keys(units, "ISO+ unit");
    IsoPlus out;
    out.items_.reserve(units.map_size());
    // ISO+ is case-insensitive: two keys equal but for case would be one unit read twice.
    detail::StringMap<const YamlNode*> folded;
    for (std::size_t i = 0; i < units.map_size(); ++i) {
      const YamlNode& key = units.key(i);
      const YamlNode& row = units.value(i);
      if (doc.string(key, "ISO+ unit").empty()) doc.fail(key, "empty ISO+ unit");
      const auto [it, fresh] = folded.emplace(ascii_folded(key.text), &key);
      if (!fresh)
        doc.fail(key, "ISO+ unit '" + key.text + "' differs from '" + it->second->text +
                          "' (line " + std::to_string(it->second->line) +
                          ") only by case; ISO+ is case-insensitive");
      doc.expect_map(row, "an ISO+ unit");
      doc.check_keys(row, {"ucum", "why", "note", "source"}, {"ucum", "source"});
      IsoPlusUnit u;
      u.code = key.text;
      u.ucum = read_ucum(doc, row, ucum);
      u.why = doc.optional_string(row, "why");
      u.note = doc.optional_string(row, "note");
      if (u.ucum.empty() && u.why.empty())
        doc.fail(*doc.find(row, "ucum"), "ucum null needs a 'why'");
      if (!u.ucum.empty() && !u.why.empty())
        doc.fail(*doc.find(row, "why"), "'why' is for null ucum; use 'note'");
      check_source(doc, *doc.find(row, "source"), sources);
      u.rule = doc.rule(key);
      out.index_.emplace(u.code, out.items_.size());
      out.items_.push_back(std::move(u));
    }
    return out;
  }
};

IsoPlus iso_plus_from_string(std::string_view text, std::string_view name, units::Ucum& ucum) {
  const Document doc(text, std::string(name));
  return IsoPlusBuilder::read(doc, ucum);
}

IsoPlus load_iso_plus(const std::filesystem::path& path, units::Ucum& ucum) {
  return iso_plus_from_string(detail::read_table_file(path), path.string(), ucum);
}

// ---- JLAC10 code units --------------------------------------------------------------------

bool is_jlac10_pattern(std::string_view p) {
  if (p.size() != 17) return false;
  std::string probe(p);
  // Replace each '?' by a character valid at its position; the result must be a JLAC10 code.
  for (std::size_t i = 0; i < probe.size(); ++i)
    if (probe[i] == '?') probe[i] = i == 0 ? '1' : i == 1 ? 'A' : '0';
  return is_jlac10_code(probe);
}

bool jlac10_pattern_matches(std::string_view pattern, std::string_view code) {
  if (pattern.size() != code.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i)
    if (pattern[i] != '?' && pattern[i] != code[i]) return false;
  return true;
}

const CodeUnit* CodeUnits::find(std::string_view code) const {
  if (code.size() != 17) return nullptr;
  if (const auto it = index_.find(code); it != index_.end()) return &items_[it->second];
  for (const Pattern& p : patterns_) {
    if (!jlac10_pattern_matches(p.unit.code, code)) continue;
    const bool excepted = std::any_of(p.except.begin(), p.except.end(), [&](const std::string& e) {
      return jlac10_pattern_matches(e, code);
    });
    if (!excepted) return &p.unit;
  }
  return nullptr;
}

struct CodeUnitsBuilder {
  // The fields common to code rows and pattern rows.
  static void read_row(const Document& doc, const YamlNode& row, const std::set<std::string>& sources,
                       units::Ucum& ucum, CodeUnit& u) {
    const YamlNode& name = *doc.find(row, "name");
    u.name = doc.string(name, "name");
    if (u.name.empty()) doc.fail(name, "name is empty");
    const YamlNode& nho = *doc.find(row, "nho_unit");
    u.nho_unit = doc.string(nho, "nho_unit");
    if (u.nho_unit.empty()) doc.fail(nho, "nho_unit is empty (NHO writes 単位なし for no unit)");
    u.ucum = read_ucum(doc, row, ucum);
    u.why = doc.optional_string(row, "why");
    u.doubt = doc.optional_string(row, "doubt");
    u.note = doc.optional_string(row, "note");
    const YamlNode& ucum_node = *doc.find(row, "ucum");
    if (u.ucum.empty() && u.why.empty() && u.doubt.empty())
      doc.fail(ucum_node, "ucum null needs a 'why' or a 'doubt'");
    if (!u.ucum.empty() && (!u.why.empty() || !u.doubt.empty()))
      doc.fail(ucum_node, "'why' and 'doubt' are for null ucum; use 'note'");
    if (u.nho_unit == no_unit && !u.ucum.empty())
      doc.fail(ucum_node, "NHO gives this code no unit (単位なし) but ucum is '" + u.ucum + "'");
    check_source(doc, *doc.find(row, "source"), sources);
  }

  static CodeUnits read(const Document& doc, units::Ucum& ucum) {
    const YamlNode& root = doc.root();
    doc.expect_map(root, "the code unit table");
    doc.check_keys(root, {"format", "sources", "codes", "patterns"}, {"format", "sources", "codes"});
    doc.expect_format(root, "smx-code-units/1");
    const std::set<std::string> sources = read_sources(doc, root);
    CodeUnits out;
    const YamlNode& codes = *doc.find(root, "codes");
    doc.expect_map(codes, "codes");
    doc.check_unique_keys(codes, "code");
    out.items_.reserve(codes.map_size());
    for (std::size_t i = 0; i < codes.map_size(); ++i) {
      const YamlNode& key = codes.key(i);
      const YamlNode& row = codes.value(i);
      const std::string& code = doc.string(key, "code");
      if (!is_jlac10_code(code))
        doc.fail(key, "code '" + code + "' is not a 17-character JLAC10 code (analyte 5 + 12 digits)");
      doc.expect_map(row, "a code unit");
      doc.check_keys(row, {"name", "nho_unit", "ucum", "why", "doubt", "note", "source"},
                     {"name", "nho_unit", "ucum", "source"});
      CodeUnit u;
      u.code = code;
      read_row(doc, row, sources, ucum, u);
      u.rule = doc.rule(key);
      out.index_.emplace(u.code, out.items_.size());
      out.items_.push_back(std::move(u));
    }
    if (const YamlNode* patterns = doc.find(root, "patterns")) read_patterns(doc, *patterns, sources, ucum, out);
    return out;
  }

  static void read_patterns(const Document& doc, const YamlNode& list, const std::set<std::string>& sources,
                            units::Ucum& ucum, CodeUnits& out) {
    doc.expect_sequence(list, "patterns");
    if (list.children.size() > max_code_unit_patterns)
      doc.fail(list, "more than " + std::to_string(max_code_unit_patterns) + " patterns");
    std::set<std::string> seen;
    for (const YamlNode& row : list.children) {
      doc.expect_map(row, "a pattern");
      doc.check_keys(row, {"pattern", "except", "name", "nho_unit", "ucum", "why", "doubt", "note", "source"},
                     {"pattern", "name", "nho_unit", "ucum", "source"});
      CodeUnits::Pattern p;
      const YamlNode& pattern = *doc.find(row, "pattern");
      p.unit.code = doc.string(pattern, "pattern");
      if (!is_jlac10_pattern(p.unit.code))
        doc.fail(pattern, "pattern '" + p.unit.code + "' is not 17 characters of a JLAC10 code or '?'");
      if (!seen.insert(p.unit.code).second) doc.fail(pattern, "duplicate pattern '" + p.unit.code + "'");
      if (const YamlNode* except = doc.find(row, "except")) {
        p.except = doc.string_list(*except, "except");
        for (std::size_t k = 0; k < p.except.size(); ++k)
          if (!is_jlac10_pattern(p.except[k]))
            doc.fail(except->children[k], "except '" + p.except[k] + "' is not a JLAC10 code pattern");
      }
      read_row(doc, row, sources, ucum, p.unit);
      p.unit.rule = doc.rule(row);
      out.patterns_.push_back(std::move(p));
    }
  }
};

CodeUnits code_units_from_string(std::string_view text, std::string_view name, units::Ucum& ucum) {
  const Document doc(text, std::string(name));
  return CodeUnitsBuilder::read(doc, ucum);
}

CodeUnits load_code_units(const std::filesystem::path& path, units::Ucum& ucum) {
  return code_units_from_string(detail::read_table_file(path), path.string(), ucum);
}

}  // namespace smx::tables
