// smx labnorm's engine: rewrites each lab OBX of a message into one canonical form through the
// tables (code -> JLAC10, unit spelling -> UCUM, conversion to the analyte's canonical unit,
// value and reference range in that unit), and records every change. Flags are recomputed
// against the converted range and compared with the sender's OBX-8, which is kept.
// Pipeline order: units-fhir.md §3.3 and §4.3.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "smx/error.hpp"
#include "smx/lab.hpp"
#include "smx/lab_message.hpp"
#include "smx/stream.hpp"
#include "smx/tables.hpp"

namespace smx::lab {

struct NormalizeOptions {
  std::string site;   // "" none, "auto" (from MSH-4), or a site name
  bool jccls = false; // add the JCCLS common reference interval to the record
};

// One change: which OBX (1-based occurrence in the message), which field ("OBX-3", "OBX-5",
// "OBX-6", "OBX-7"; "OBX" for a segment added), from, to, and the table row or rule that made it.
// The stream's own type, so that changes travel typed from here to the record writer.
using Change = smx::Change;

struct Coverage {
  std::uint64_t messages = 0;
  std::uint64_t obx = 0;
  std::uint64_t codes_mapped = 0;
  std::uint64_t units_mapped = 0;
  std::uint64_t units_converted = 0;
  std::uint64_t values_parsed = 0;  // numbers, inequalities, qualitative results
  std::uint64_t values_kept = 0;    // compound, value range, fraction, ratio: kept as sent
  std::uint64_t values_split = 0;   // compound values split into two results (NHO split_value)
  std::map<std::string, std::uint64_t> unmapped_codes;  // local code (with OBX-3.2 text)
  std::map<std::string, std::uint64_t> unmapped_units;  // normalized spelling
  std::map<std::string, std::uint64_t> refused_units;   // valid UCUM, not a laboratory reading
  std::map<std::string, std::uint64_t> unparsed_values_by_code;
  std::map<std::string, std::uint64_t> implausible;     // by code: kept as sent (LAB-IMPLAUSIBLE)
  // Adds another run's counts (one Normalizer per worker thread, smx labnorm -j).
  void add(const Coverage& other);
};

struct Normalized {
  bool changed = false;       // `hl7` differs from the input message
  std::string hl7;            // the edited message (valid when changed)
  std::vector<Change> changes;
  bool unmapped = false;      // a code or unit could not be mapped (--strict rejects these)
  bool implausible = false;   // a result was kept as sent by the plausibility gate (--strict too)
  std::string jccls_json;     // with options.jccls: a JSON array, one object per lab OBX with an
                              // interval (json::Writer), or empty when none has one
};

class Normalizer {
 public:
  Normalizer(const tables::Tables& tables, NormalizeOptions options);
  // Normalizes one message. Diagnostics (no patient data) go to `diagnostics`.
  Normalized normalize(const Record& record, DiagnosticSink& diagnostics);
  // Counts per site name ("" = no site).
  const std::map<std::string, Coverage>& coverage() const { return coverage_; }

 private:
  void append_jccls(json::Writer& w, std::size_t obx_number, const std::string& jlac10, char sex) const;
  const tables::Tables& tables_;
  NormalizeOptions options_;
  units::Ucum ucum_;
  std::map<std::string, Coverage> coverage_;
};

// The factor labnorm multiplies a value and its range by to go from UCUM unit `from` to `to`
// (value_to = value * factor): UCUM alone first; when UCUM refuses and the analyte has a molar
// mass or a charge, mass <-> substance / eq <-> mol through them. Special units (offsets,
// logarithms) give no factor: such results are not converted. Public so that the ucum-lhc
// cross-check (tests/tools/list_conversions.cpp) goes through the same code.
struct ConversionFactor {
  bool ok = false;
  double value = 1.0;
  bool molar = false;  // went through the analyte's molar mass / charge
  std::string rule;    // "UCUM" or "<analyte rule> (molar mass)"
  std::string why;     // when !ok
};
ConversionFactor conversion_factor(units::Ucum& ucum, const tables::Analyte* analyte, std::string_view from,
                                   std::string_view to);

// ---- Unit resolution (OBX-6) ---------------------------------------------------------------
enum class UnitStatus : std::uint8_t {
  empty,     // no unit sent
  mapped,    // `ucum` holds the UCUM code
  unmapped,  // neither the tables nor UCUM know the spelling
  refused,   // valid UCUM, but not a laboratory reading (prefix/case trap) or not convertible to
             // the analyte's unit: kept as sent and reported
};
std::string_view unit_status_name(UnitStatus status);

struct UnitResolution {
  UnitStatus status = UnitStatus::empty;
  std::string ucum;      // when mapped
  std::string spelling;  // the spelling after pre-normalization (what was looked up)
  std::string rule;      // the table row ("units/aliases.yaml:123") or "UCUM"
  std::string why;       // unmapped / refused: the reason (no patient data)
};

// Resolves a unit spelling (decoded OBX-6.1, or OBX-6.2 when .1 is empty) for a result code:
//  1. pre-normalization (normalize_unit_text), then the tables (Tables::find_unit: site code >
//     site analyte > site-wide > shipped code > shipped analyte > shipped global);
//  2. else the spelling itself when it is valid UCUM AND a laboratory reading: every prefix is one
//     of k d c m u n p f and every atom a lab atom (lab_ucum_refusal), AND, when the code has a
//     canonical unit, it converts to that unit (`mg/d` for serum creatinine is a truncated mg/dL)
//     -- unless the sender labelled it UCUM (`labelled_ucum`, OBX-6.3): a labelled lab unit is taken
//     at its word and kept in its unit, as labnorm's own output is read back (idempotence);
//  3. else unmapped (not UCUM) or refused (UCUM with another meaning).
// `jlac10` and `local_code` may be empty; `site` may be null.
UnitResolution resolve_unit(const tables::Tables& tables, units::Ucum& ucum, std::string_view raw_unit,
                            std::string_view jlac10, std::string_view local_code, const tables::Site* site,
                            bool labelled_ucum = false);
// Why a valid UCUM expression is not a laboratory unit ("" when it is): names the prefix or
// atom that a case variant produced (`U/ML`: the prefix 'M' on 'L').
std::string lab_ucum_refusal(const units::Essence& essence, std::string_view ucum);
// The canonical UCUM unit of a result code ("" when the tables give none): the analyte's unit
// (mappings/analytes.yaml, by result id where it has units_by_result), or the code's own unit
// (mappings/jlac10-units.yaml, NHO) when the analyte has none or the code's unit is another
// quantity (urine albumin mg/L, 24-hour urine g/d); where both are the same quantity by a factor
// of 1 (K meq/L and mmol/L) the analyte's unit, so one analyte comes out in one unit.
std::string canonical_unit(const tables::Tables& tables, units::Ucum& ucum, std::string_view jlac10);

// The --coverage record of one site: {"smx":1,"kind":"coverage","site":..,...} and a newline.
std::string coverage_json(const std::string& site, const Coverage& coverage);

}  // namespace smx::lab
