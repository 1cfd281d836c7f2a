// Data tables (design.md "Data tables"; schema in smx-tables(5)): unit spellings -> UCUM,
// JLAC10 analyte facts, JCCLS common reference intervals, per-site code and unit maps.
//
// Every loader validates as it reads and throws smx::config_error whose message starts with
// "FILE:LINE:COL: " (1-based) pointing at the offending node: unknown keys, wrong types,
// duplicate keys or entries, JLAC10 codes of the wrong shape, UCUM codes the engine refuses,
// molar mass <= 0, low > high. Documents larger than max_table_bytes, with more than
// max_table_nodes nodes, nested deeper than max_table_depth, or using anchors/aliases
// (`&a` / `*a`: yaml-cpp would expand them, the "billion laughs" bomb) are refused.
//
// Look-ups are const, allocation-free and thread-safe once loaded (the normalizer calls them
// for every OBX). Every row carries `rule`, "FILE:LINE" of the entry, for change records.
#pragma once

#include <smx/units.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smx::tables {

inline constexpr std::size_t max_table_bytes = 16u << 20;  // 16 MiB
inline constexpr std::size_t max_table_nodes = 500000;
inline constexpr int max_table_depth = 32;

namespace detail {
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
template <typename T>
using StringMap = std::unordered_map<std::string, T, StringHash, std::equal_to<>>;
}  // namespace detail

// ---- JLAC10 code shape (SS-MIX2 reference §6.4) -------------------------------------------
// 17 characters: analyte 5 + identification 4 + material 3 + method 3 + result id 2.
// Analyte: a digit 1-9 (大分類), an upper-case letter (中分類), three digits.
bool is_jlac10_analyte(std::string_view code);
// Analyte followed by 12 digits.
bool is_jlac10_code(std::string_view code);
inline std::string_view jlac10_analyte(std::string_view code) { return code.substr(0, 5); }
inline std::string_view jlac10_material(std::string_view code) {
  return code.size() >= 12 ? code.substr(9, 3) : std::string_view{};
}
inline std::string_view jlac10_method(std::string_view code) {
  return code.size() >= 15 ? code.substr(12, 3) : std::string_view{};
}
inline std::string_view jlac10_result_id(std::string_view code) {
  return code.size() >= 17 ? code.substr(15, 2) : std::string_view{};
}

// ---- units/aliases.yaml -------------------------------------------------------------------
enum class AliasScope : std::uint8_t { code, analyte, global };
std::string_view scope_name(AliasScope scope);

struct UnitAlias {
  std::string ucum;  // UCUM c/s code, validated with Ucum::valid at load
  std::string rule;  // "units/aliases.yaml:123" (file as named when loaded)
  AliasScope scope = AliasScope::global;
};

// Spelling -> UCUM. Keys are spellings after the unit pre-normalization (HL7 unescape,
// superscript digits -> 10*n, ICU NFKC, U+03BC/U+00B5 -> 'u', outer spaces trimmed); the
// loader refuses keys that are not in that form, since they could never match.
class Aliases {
 public:
  // Precedence: `code` (a local code or a full 17-char JLAC10 code) > analyte (the first
  // five characters of `analyte`, so a full JLAC10 code may be passed) > global.
  // Empty `analyte` / `code` skip their scope. nullptr when nothing matches.
  const UnitAlias* find(std::string_view spelling, std::string_view analyte,
                        std::string_view code) const;
  const UnitAlias* find_global(std::string_view spelling) const;
  const UnitAlias* find_analyte(std::string_view spelling, std::string_view analyte) const;
  const UnitAlias* find_code(std::string_view spelling, std::string_view code) const;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Every entry: scope key ("" for global, the analyte or the code), spelling, alias.
  void for_each(const std::function<void(std::string_view key, std::string_view spelling,
                                         const UnitAlias&)>& visit) const;

 private:
  friend struct AliasesBuilder;
  using Map = detail::StringMap<UnitAlias>;
  Map global_;
  detail::StringMap<Map> by_analyte_;
  detail::StringMap<Map> by_code_;
  std::size_t size_ = 0;
};

// ---- mappings/analytes.yaml ---------------------------------------------------------------
struct MolarMass {
  double grams_per_mole = 0.0;  // > 0
  std::string source;           // where the value comes from
};

// A change of method or reporting standard that is NOT a unit conversion (units-fhir.md §4.4):
// results on either side are never converted into each other.
struct MethodChange {
  std::string kind;                       // "JDS->NGSP", "JSCC->IFCC"
  std::string successor;                  // analyte code of the new standard, if it has its own
  std::vector<std::string> from_methods;  // JLAC10 method codes (chars 13-15) before the change
  std::vector<std::string> to_methods;    // ... after it
  std::string note;
};

// The values a result of the analyte can take in its canonical unit, in blood (serum, plasma,
// whole blood: JLAC10 material codes 018-023): wider than anything survivable, so that a value
// outside is a unit error, not a patient (labnorm keeps such results as sent, LAB-IMPLAUSIBLE).
struct Plausible {
  double low = 0.0;
  double high = 0.0;
  std::string source;  // why these limits
};
// JLAC10 material codes 018-023 (whole blood, plasma, serum): where `plausible` applies.
bool is_blood_material(std::string_view jlac10);

struct Analyte {
  std::string code;  // 5 characters
  std::string name_ja;
  std::string name_en;
  std::string abbreviation;
  // Canonical UCUM unit; empty for qualitative analytes (blood group, dipstick grades).
  std::string unit;
  // Some analytes report different quantities under different result-identification codes
  // (JLAC10 chars 16-17): PT seconds/%/ratio/INR, urine albumin as A/C ratio.
  std::vector<std::pair<std::string, std::string>> units_by_result;
  // Units a result may arrive in and be converted from (each converts to `unit`, by UCUM
  // alone or through molar_mass / charge).
  std::vector<std::string> alternative_units;
  std::optional<MolarMass> molar_mass;
  int charge = 0;  // ion charge for meq <-> mmol; 0 = not an ion
  // Units that look convertible to UCUM but are a different scale for this analyte
  // (HbA1c IFCC mmol/mol vs NGSP %): never converted.
  std::vector<std::string> never_convert_units;
  std::optional<MethodChange> method_change;
  std::optional<Plausible> plausible;
  std::string source;  // where the code and name come from
  std::string rule;    // "mappings/analytes.yaml:LINE"

  // The canonical unit for a full JLAC10 code (units_by_result first, then `unit`).
  const std::string& unit_for(std::string_view jlac10) const;
  bool never_converts_from(std::string_view ucum) const;
};

class Analytes {
 public:
  // By analyte code or a full JLAC10 code (first five characters are used).
  const Analyte* find(std::string_view code) const;
  std::size_t size() const { return items_.size(); }
  const std::vector<Analyte>& items() const { return items_; }  // file order

 private:
  friend struct AnalytesBuilder;
  std::vector<Analyte> items_;
  detail::StringMap<std::size_t> index_;
};

// ---- mappings/reference-intervals/jccls.yaml ----------------------------------------------
enum class Sex : std::uint8_t { male, female, both };
std::string_view sex_name(Sex sex);

struct ReferenceInterval {
  std::string analyte;  // 5 characters
  std::string name;
  Sex sex = Sex::both;
  double low = 0.0;
  double high = 0.0;  // low <= high; both inclusive
  std::string unit;   // UCUM
  // JLAC10 method codes the interval is restricted to (ALP/LD IFCC); empty = any method.
  std::vector<std::string> methods;
  std::vector<std::string> sources;  // keys of the file's `sources` map
  std::string note;
  std::string rule;
};

class ReferenceIntervals {
 public:
  // The row for the analyte of `code` (5-char analyte or full JLAC10 code) and the patient's
  // sex: the sex-specific row, else the row for both. Unknown sex (Sex::both) only matches a
  // row for both. Rows restricted to methods match only a full code with one of them.
  const ReferenceInterval* find(std::string_view code, Sex sex) const;
  std::size_t size() const { return items_.size(); }
  const std::vector<ReferenceInterval>& items() const { return items_; }
  const std::vector<std::pair<std::string, std::string>>& sources() const { return sources_; }
  const std::string& title() const { return title_; }

 private:
  friend struct IntervalsBuilder;
  std::vector<ReferenceInterval> items_;
  detail::StringMap<std::vector<std::size_t>> index_;  // analyte -> rows
  std::vector<std::pair<std::string, std::string>> sources_;
  std::string title_;
};

// ---- mappings/split-values.yaml (schema: smx-tables(5) SPLIT VALUES) ---------------------
// NHO's split rules for compound OBX-5 values (doc/split_value.md): per JLAC10 code, the form
// of the value and the two result codes its parts go to. NHO: after the split the unit and the
// reference range go with the numeric part (SplitRule::numeric_part). Loaded by load_tables
// when DIR/mappings/split-values.yaml exists (absent: empty).

// NHO's 検査値のパターン, named by what is written, in order.
enum class SplitForm : std::uint8_t {
  labelled_symbols,  // Hb(記号1)Tr(記号2), A(記号1)B(記号2): Hb＋Tr＋, A(+)B(-)
  symbol_number,     // (記号)数値: (+)2, (-)<32, + 640
  number_symbol,     // 数値(記号)[文字列]: >1000(＋), 5.0(+)以上, 64.5 +
  number_class,      // 数値(クラス値): 0.13(0), 8.42:4
  symbol_symbol,     // (記号1)(記号2): (-)(-)
  text_number,       // 文字列(数値): 陰性（6%)
  number_unit,       // 数値単位, every code: 50-99/HPF (the unit goes to OBX-6)
  label_number,      // 文字列数値, every code: ph7.8, クラス 3 (the label is dropped)
};
std::string_view split_form_name(SplitForm form);  // "labelled_symbols", ...

// What one result gets (NHO's 検査結果1/2).
enum class SplitGets : std::uint8_t {
  number,           // 数値
  number_and_text,  // 数値[＋文字列]: the number with the text after the sign (5.0以上)
  symbol,           // 記号
  class_value,      // クラス値 (written `class`)
  text,             // 文字列
};
std::string_view split_gets_name(SplitGets gets);  // "number", ..., "class", "text"

struct SplitPart {
  bool present = false;  // false: NHO's なし (no such result)
  std::string code;      // 17 characters; '?' = the OBX-3 code's character at that place
  SplitGets gets = SplitGets::number;
  bool numeric() const {
    return present && (gets == SplitGets::number || gets == SplitGets::number_and_text);
  }
  // The result code for a concrete 17-character OBX-3 code the rule matched.
  std::string code_for(std::string_view jlac10) const;
};

struct SplitRule {
  std::string code;  // 17 characters, '?' = any character
  SplitForm form = SplitForm::number_symbol;
  std::vector<std::string> labels;  // labelled_symbols: the two labels ("Hb", "Tr")
  SplitPart first;                  // the part written first
  SplitPart second;
  std::string test;     // NHO's item name (reference only)
  std::string example;  // NHO's example value
  std::string note;
  std::string source;           // key of SplitValues::sources()
  int row = 0;                  // table row at the source (0 when `section` is given)
  std::vector<int> also_rows;   // rows the source repeats word for word
  std::string section;          // where in a source without a table
  std::string rule;             // "mappings/split-values.yaml:LINE"
  int wildcards = 0;            // number of '?' in `code`

  bool matches(std::string_view jlac10) const;
  bool applies_to_every_code() const { return wildcards == 17; }
  // The part that takes the OBX-6 unit and the OBX-7 range after the split (NHO: 単位・基準値
  // は数値側); nullptr when neither part is a number (two signs).
  const SplitPart* numeric_part() const;
};

struct SplitSource {
  std::string key;
  std::string repository;
  std::string path;
  std::string commit;  // 40 hex digits
  std::string note;
};

class SplitValues {
 public:
  // Rules matching a 17-character code, most specific first: the exact code, then fewer '?',
  // then file order. Empty when `jlac10` is not 17 characters long.
  std::vector<const SplitRule*> matching(std::string_view jlac10) const;
  // The most specific rule for the code with this form; nullptr when none.
  const SplitRule* find(std::string_view jlac10, SplitForm form) const;
  // The most specific rule for the code, not counting the rules for every code.
  const SplitRule* find(std::string_view jlac10) const;
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<SplitRule>& items() const { return items_; }  // file order
  const std::vector<SplitSource>& sources() const { return sources_; }

 private:
  friend struct SplitValuesBuilder;
  std::vector<SplitRule> items_;
  detail::StringMap<std::vector<std::size_t>> exact_;  // code -> rules (file order)
  std::vector<std::size_t> patterns_;                  // by wildcards, then file order
  std::vector<SplitSource> sources_;
};

// Loaders (lib/src/tables/split_values.cpp); errors as for every table (FILE:LINE:COL).
SplitValues split_values_from_string(std::string_view text, std::string_view name);
SplitValues load_split_values(const std::filesystem::path& path);

// ---- mappings/sites/<name>.yaml -----------------------------------------------------------
struct SiteCode {
  std::string jlac10;  // 17 characters
  std::string name;
  std::string unit;  // the site's unit for this code (UCUM), optional
  std::string rule;
};

struct RangeConventions {
  bool inclusive = true;  // "a-b" includes both ends
  std::vector<std::string> separators;  // besides '-', '~', '～'
  std::vector<std::string> male_labels;    // "M", "男"
  std::vector<std::string> female_labels;  // "F", "女"
};

struct Site {
  std::string name;  // equals the file stem
  std::string description;
  std::vector<std::string> sending_facilities;  // MSH-4 values for --site auto
  std::vector<std::string> unit_systems;        // OBX-6.3 coding systems this site uses
  detail::StringMap<SiteCode> codes;            // OBX-3.1 (local code) -> JLAC10
  Aliases units;                                // the site's own spellings, same precedence
  RangeConventions ranges;
  std::string file;

  const SiteCode* find_code(std::string_view local_code) const;
  // MSH-4 as received: the whole value or its first component (HD.1) must be listed.
  bool matches_sending_facility(std::string_view msh4) const;
};

// ---- units/iso-plus.yaml and mappings/jlac10-units.yaml (NHO unit facts) -----------------
// NHO's ASCII units (ISO+, HL7 v2.5 table 7-9 style) and the unit NHO mandates per JLAC10
// result code; schema in smx-tables(5) "ISO+ UNITS" and "CODE UNITS".

// One NHO ASCII unit and its UCUM reading.
struct IsoPlusUnit {
  std::string code;  // as NHO writes it: "u/L", ".10*4/uL", "mg/g(creat)"
  std::string ucum;  // UCUM c/s code; empty when no UCUM code carries the meaning
  std::string why;   // why `ucum` is empty
  std::string note;  // why this reading (annotations, prefixes)
  std::string rule;  // "units/iso-plus.yaml:LINE"
};

class IsoPlus {
 public:
  // Exact NHO spelling (ISO+ is case-insensitive, but the table holds no two codes that
  // differ only by case, so an exact look-up is unambiguous). nullptr when unknown.
  const IsoPlusUnit* find(std::string_view code) const;
  std::size_t size() const { return items_.size(); }
  const std::vector<IsoPlusUnit>& items() const { return items_; }  // file order

 private:
  friend struct IsoPlusBuilder;
  std::vector<IsoPlusUnit> items_;
  detail::StringMap<std::size_t> index_;
};

// The unit NHO mandates for one JLAC10 result code (or for a wildcard pattern of codes).
struct CodeUnit {
  std::string code;      // 17 characters; for pattern rows the pattern ('?' = any character)
  std::string name;      // NHO's item name (reference only)
  std::string nho_unit;  // NHO's ASCII unit as written; "単位なし" = the result carries no unit
  std::string ucum;      // canonical UCUM unit; empty when there is none (see why / doubt)
  std::string why;       // ucum empty: NHO's unit has no UCUM code, or there is no unit
  std::string doubt;     // ucum empty: NHO's unit contradicts the item (kept, never used)
  std::string note;      // ucum chosen other than through iso-plus: why
  std::string rule;      // "mappings/jlac10-units.yaml:LINE"
};

inline constexpr std::size_t max_code_unit_patterns = 64;  // find() scans them linearly

class CodeUnits {
 public:
  // By full 17-character JLAC10 code: its own row, else the first pattern that matches the
  // code and none of the pattern's exceptions. nullptr when none (or `code` is not 17 long).
  const CodeUnit* find(std::string_view code) const;
  std::size_t size() const { return items_.size(); }  // code rows (patterns not counted)
  bool empty() const { return items_.empty() && patterns_.empty(); }
  const std::vector<CodeUnit>& items() const { return items_; }  // file order
  struct Pattern {
    CodeUnit unit;                    // unit.code holds the pattern
    std::vector<std::string> except;  // patterns of codes the row does not apply to
  };
  const std::vector<Pattern>& patterns() const { return patterns_; }

 private:
  friend struct CodeUnitsBuilder;
  std::vector<CodeUnit> items_;
  detail::StringMap<std::size_t> index_;
  std::vector<Pattern> patterns_;
};

// A JLAC10 code pattern: 17 characters, each a '?' or what is_jlac10_code allows there.
bool is_jlac10_pattern(std::string_view pattern);
bool jlac10_pattern_matches(std::string_view pattern, std::string_view code);

// ---- loaders ------------------------------------------------------------------------------
// `name` is how the file is named in messages and rules (loaders from a path use the path
// as given). `ucum` validates every unit; its cache is warmed as a side effect.
Aliases aliases_from_string(std::string_view text, std::string_view name, units::Ucum& ucum);
Analytes analytes_from_string(std::string_view text, std::string_view name, units::Ucum& ucum);
ReferenceIntervals reference_intervals_from_string(std::string_view text, std::string_view name,
                                                   units::Ucum& ucum);
// The site name is the stem of `name` ("mappings/sites/H1.yaml" -> "H1"); the file's `site:`
// must equal it.
Site site_from_string(std::string_view text, std::string_view name, units::Ucum& ucum);
IsoPlus iso_plus_from_string(std::string_view text, std::string_view name, units::Ucum& ucum);
CodeUnits code_units_from_string(std::string_view text, std::string_view name, units::Ucum& ucum);

// Read the file (smx::io_error when unreadable, config_error when larger than
// max_table_bytes) and load it.
Aliases load_aliases(const std::filesystem::path& path, units::Ucum& ucum);
Analytes load_analytes(const std::filesystem::path& path, units::Ucum& ucum);
ReferenceIntervals load_reference_intervals(const std::filesystem::path& path,
                                            units::Ucum& ucum);
Site load_site(const std::filesystem::path& path, units::Ucum& ucum);
IsoPlus load_iso_plus(const std::filesystem::path& path, units::Ucum& ucum);
CodeUnits load_code_units(const std::filesystem::path& path, units::Ucum& ucum);

// ---- the bundle ---------------------------------------------------------------------------
// The folder the tables are loaded from is found by smx::data_root (data_root.hpp).

struct Tables {
  std::filesystem::path dir;
  std::shared_ptr<const units::Essence> essence;  // DIR/units/ucum-essence.xml
  Aliases aliases;
  Analytes analytes;
  SplitValues split_values;  // DIR/mappings/split-values.yaml; empty when the file is absent
  ReferenceIntervals jccls;
  std::vector<Site> sites;  // the named site, or every site for "auto"
  CodeUnits code_units;     // DIR/mappings/jlac10-units.yaml (empty when the file is absent)

  units::Ucum make_ucum() const { return units::Ucum(essence); }
  const Site* site_named(std::string_view name) const;
  // --site auto: the first site (in file-name order) whose sending_facilities lists MSH-4.
  const Site* site_for_sending_facility(std::string_view msh4) const;
  // Unit look-up with the site first: site code (local code, then JLAC10) > site analyte >
  // site-wide > shipped code (local, then JLAC10) > shipped analyte > shipped global.
  // `site` may be null.
  const UnitAlias* find_unit(std::string_view spelling, std::string_view jlac10,
                             std::string_view local_code, const Site* site) const;
};

// Loads DIR/units/ucum-essence.xml, DIR/units/aliases.yaml, DIR/mappings/analytes.yaml,
// DIR/mappings/reference-intervals/jccls.yaml, DIR/mappings/jlac10-units.yaml when present
// (older --tables directories without it load with an empty table), and the sites: none for "", every
// DIR/mappings/sites/*.yaml for "auto", else DIR/mappings/sites/SITE.yaml (SITE: letters,
// digits, '_', '-', '.'; not starting with '.'). Cross-check: every interval's analyte is in
// the analyte table and its unit converts to the analyte's canonical unit (else config_error
// at the interval). Site codes may name analytes the shipped table does not know.
Tables load_tables(const std::filesystem::path& dir, std::string_view site = {});

}  // namespace smx::tables
