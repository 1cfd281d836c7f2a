// lib/validate: a rule engine over HL7 v2.5 messages and SS-MIX2 tree facts.
//
// The mechanisms are code (segment-grammar matcher, required-field checker, data-type checkers,
// table look-ups, name <-> content comparisons, condition-flag lifecycle); the content (which
// segments, fields, tables, severities) is data: YAML profiles in mappings/profiles/.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smx/error.hpp"
#include "smx/stream.hpp"

namespace smx::validate {

// One rule of a profile: a stable code, its severity (possibly changed by a site config), a
// one-line description and the clause of the standard or reference section it comes from.
struct Rule {
  std::string code;
  Severity severity = Severity::error;
  bool enabled = true;       // "severity: off" in a profile or site config
  std::string description;
  std::string clause;
  std::string origin;        // "file:line" where the rule was defined
};

// ---------------------------------------------------------------------------------------------
// Segment grammar: HL7 abstract message syntax, e.g.
//   "MSH [{SFT}] [PID [PD1]] { SPM [{OBX}] { OBR [ORC] [{OBX [{NTE}]}] } } [DSC]"
// [x] optional, {x} one or more, [{x}] zero or more, <a | b> choice. Compiled to an NFA and
// matched over the segment IDs of a message without backtracking.
class Grammar {
 public:
  Grammar();
  ~Grammar();
  Grammar(const Grammar&);
  Grammar& operator=(const Grammar&);
  Grammar(Grammar&&) noexcept;
  Grammar& operator=(Grammar&&) noexcept;

  // Throws parse_error whose position is the offset in `text`.
  static Grammar compile(std::string_view text);

  struct Mismatch {
    std::size_t index = 0;  // segment index (0-based) where the message stops fitting; == count at the end
    std::string text;       // "OBX not allowed after ORC; expected one of ..." (segment IDs only)
  };
  std::optional<Mismatch> match(const std::vector<std::string_view>& segment_ids) const;
  const std::string& text() const;

  struct Nfa;  // implementation (grammar.cpp)

 private:
  std::unique_ptr<Nfa> nfa_;
};

// A field position in a profile: "PID-3", "OBX-3.1", "SPM-17.1" (component 0 = whole field).
struct FieldSpec {
  std::string segment;
  int field = 0;
  int component = 0;
  std::string text;
};
FieldSpec parse_field_spec(std::string_view text);  // throws parse_error

// Value checkers, usable on their own (unit tests, other commands).
enum class DtmResult { ok, bad_format, bad_value, hour_24_47 };
// HL7 v2.5 DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]. `max_digits` limits precision
// (8 for DT). hour_24_47: the hour is 24..47 (observed in SS-MIX2 data, reference §8 item 6).
DtmResult check_dtm(std::string_view value, std::size_t max_digits = 14);
// HL7 NM: [+|-]digits[.digits], no exponent, no spaces. Sets *exponent when the value uses
// scientific notation (1.3E+2, 50x10^2).
bool check_nm(std::string_view value, bool* exponent = nullptr);
// A shape such as "9A999XXXX999---XX": 9 digit, A capital letter, X digit or capital letter,
// - digit or '-', any other character itself.
bool matches_shape(std::string_view value, std::string_view shape);

// ---------------------------------------------------------------------------------------------
// A profile: rules plus the content they check.
enum class ValueType { st, nm, si, dtm, dt, ts, cwe, cx, xpn, id };

struct Profile {
  struct TypedField {
    FieldSpec where;
    ValueType type;
  };
  struct TableField {
    FieldSpec where;
    std::string table;  // "0078"
  };
  struct ExpectedValue {
    FieldSpec where;
    std::string expected;
    std::vector<std::string> variants;  // known misspellings, reported with variant_code
    std::string code;                    // anything else
    std::string variant_code;
    bool if_present = false;             // an optional field: no finding when empty
  };
  struct Required {
    std::string data_type;  // SS-MIX2 data type, or "*" for every message
    std::vector<FieldSpec> fields;
  };
  struct Limit {
    std::string item;  // patient, order, data_kind, timestamp, dept, file_name, directory
    std::size_t max = 0;
  };

  std::string name;
  std::string title;
  std::vector<std::string> files;  // profile files read, base first
  std::vector<Rule> rules;
  std::map<std::string, Grammar, std::less<>> structures;      // "OUL_R22" -> grammar
  std::map<std::string, std::string, std::less<>> structure_of;  // "ADT^A08" -> "ADT_A01"
  std::vector<Required> required;
  std::vector<TypedField> field_types;
  std::map<std::string, std::vector<std::string>, std::less<>> tables;
  std::vector<TableField> table_fields;
  std::vector<ExpectedValue> expected_values;
  std::map<std::string, std::vector<std::string>, std::less<>> obx2_allowed;  // data type -> OBX-2 values
  std::vector<FieldSpec> jlac10_fields;
  std::string jlac10_shape;
  std::vector<std::size_t> jlac10_short_lengths;  // lengths reported as SSMX-JLAC10-LENGTH (5, 15, 16)
  std::map<std::string, std::string, std::less<>> care_date_by_event;  // "ADT^A53" -> "PV2-47"
  std::vector<std::string> order_types;   // data types whose file name carries ORC-2
  std::vector<std::string> dept_sources;  // "ORC-17.1", "PV1-10.1": first non-empty wins
  std::vector<std::string> charsets;      // accepted charsets ("ISO-2022-JP", "US-ASCII")
  std::string hl7_version;                // MSH-12
  std::vector<Limit> limits;

  const Rule* rule(std::string_view code) const;
  Rule* rule(std::string_view code);
};

// Where profiles are looked for by name: DATA_ROOT/mappings/profiles, the data root being the
// folder smx::data_root finds (data_root.hpp); none for an empty root.
std::vector<std::string> profile_search_path(const std::filesystem::path& data_root);

// Loads a profile by name (ssmix2-1.2i) or file. "extends: NAME" loads the base first; later
// definitions replace earlier ones by key. Throws config_error "file:line:col: what".
Profile load_profile(const std::string& name_or_file, const std::vector<std::string>& search_path);
// Parses one profile text (and its bases through `search_path`) without reading `file_name`.
Profile parse_profile(std::string_view yaml, const std::string& file_name,
                      const std::vector<std::string>& search_path = {});
// Site overrides: "severities: {CODE: error|warning|note|off}". Unknown codes are errors.
void apply_config(Profile& profile, const std::string& file);
void apply_config_text(Profile& profile, std::string_view yaml, const std::string& file_name);

// ---------------------------------------------------------------------------------------------
// What a de-identification profile changes by design (smx validate --deidentified PROFILE). The
// cli layer fills it from an smx deid profile (smx-deid(1)), so this layer never reads one.
// A finding of exactly the shape such a profile writes becomes a note VAL-DEID-EXPECTED whose
// subject is the finding's own code; any other finding keeps its code and severity.
struct DeidentifiedExpectation {
  std::string profile;          // the deid profile's name, for the texts
  // Dates cut to 4 (the year) or 6 (year-month) digits, SS-MIX2 care dates and file-name
  // timestamps padded with 01 and zeros (deid: dates shift-year / shift-month); 0: full dates.
  std::size_t date_digits = 0;
  // PID-7 (birth date): removed for patients of this age or over (generalize birth-date,
  // over_age drop); -1 always removed (the profile does not keep PID-7); 0 never removed.
  int birth_removed_at_age = 0;
};
inline constexpr std::string_view kDeidExpectedCode = "VAL-DEID-EXPECTED";

// A care date (file name, 8 digits) is the padding deid writes for `message_date` cut to
// `date_digits` digits: YYYY -> YYYY0101, YYYYMM -> YYYYMM01. False for date_digits 0.
bool is_padded_date(std::string_view care_date, std::string_view message_date, std::size_t date_digits);

// ---------------------------------------------------------------------------------------------
// Per-message checks plus tree-wide state (condition-flag lifecycle). One Checker per thread.
class Checker {
 public:
  // With `deidentified`, the findings that profile produces by design become VAL-DEID-EXPECTED
  // notes (see DeidentifiedExpectation).
  Checker(const Profile& profile, bool show_phi,
          std::optional<DeidentifiedExpectation> deidentified = std::nullopt);
  ~Checker();
  // Checks one message; findings with the profile's severities go to `sink` (rules switched
  // off, and codes the profile does not define, are not reported by the checker).
  void check(const Record& record, DiagnosticSink& sink);
  // Reports what needs every file of a key: condition-flag lifecycle (reference §3.1).
  void finish(DiagnosticSink& sink);
  // Takes over the lifecycle facts another checker (another worker) collected.
  void merge(Checker& other);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------------
// A whole run: inputs read by `jobs` workers (each its own reader over a shard of the patients),
// findings merged in the order a single reader would give them, lifecycle findings last.

struct RunOptions {
  std::vector<std::string> inputs;
  ReaderOptions reader;
  int jobs = 1;
  bool show_phi = false;
  std::size_t examples_per_rule = 3;
  std::optional<DeidentifiedExpectation> deidentified;  // --deidentified PROFILE
};

struct RuleTally {
  std::string code;
  Severity severity = Severity::error;
  std::uint64_t count = 0;
  std::vector<Diagnostic> examples;
};

struct Summary {
  std::string profile;
  Counts counts;                                      // files, messages read, rejected
  std::map<std::string, std::uint64_t> files_by_type;  // data type ("" = unnamed) -> files
  std::map<std::string, RuleTally> by_rule;
  std::map<std::string, std::map<std::string, std::uint64_t>> by_type;  // type -> code -> count
  std::uint64_t errors = 0, warnings = 0, notes = 0;
  // --deidentified: VAL-DEID-EXPECTED notes counted by the code of the finding they stand for.
  std::string deidentified;                              // the deid profile ("" without the option)
  std::map<std::string, std::uint64_t> expected_by_code;
  bool input_error = false;
  bool clean() const { return errors == 0 && counts.rejected == 0; }
};

// Runs the checks; every finding (after severity overrides, rules switched off dropped) goes to
// `sink` in a deterministic order. Never prints.
Summary run(const Profile& profile, const RunOptions& options, DiagnosticSink& sink);

// A summary a vendor can hand to a hospital: verdict, files checked, counts per rule and per data
// type, first examples. format "md" or "html".
std::string render_report(const Summary& summary, const Profile& profile, std::string_view format);

// The report format a file name asks for: "md" for FILE.md, FILE.markdown and "-" (Markdown on
// standard output), "html" for FILE.html and FILE.htm, "" for anything else.
std::string report_format_for(std::string_view path);

// The closing line of a run: text "smx validate: PROFILE: files N, messages N, rejected N[,
// filtered N (M undetermined)]; N error(s), N warning(s), N note(s)[; expected by de-identification
// (PROFILE): CODE N, ...]", or a stats record (json).
std::string format_stats(const Summary& summary, bool json);

// `--list-rules`: one line per rule "CODE<TAB>severity<TAB>description<TAB>clause".
std::string list_rules(const Profile& profile);

}  // namespace smx::validate
