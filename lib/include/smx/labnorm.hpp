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
#include "smx/stream.hpp"
#include "smx/tables.hpp"

namespace smx::lab {

struct NormalizeOptions {
  std::string site;   // "" none, "auto" (from MSH-4), or a site name
  bool jccls = false; // add the JCCLS common reference interval to the record
};

// One change: which OBX (1-based occurrence in the message), which field, from, to, and the
// table row or rule that made it.
struct Change {
  std::size_t obx = 0;
  std::string field;  // "OBX-3", "OBX-5", "OBX-6", "OBX-7"
  std::string from;
  std::string to;
  std::string rule;
};

struct Coverage {
  std::uint64_t messages = 0;
  std::uint64_t obx = 0;
  std::uint64_t codes_mapped = 0;
  std::uint64_t units_mapped = 0;
  std::uint64_t units_converted = 0;
  std::uint64_t values_parsed = 0;
  std::map<std::string, std::uint64_t> unmapped_codes;  // local code (with OBX-3.2 text)
  std::map<std::string, std::uint64_t> unmapped_units;  // normalized spelling
  std::map<std::string, std::uint64_t> unparsed_values_by_code;
};

struct Normalized {
  bool changed = false;       // `hl7` differs from the input message
  std::string hl7;            // the edited message (valid when changed)
  std::vector<Change> changes;
  bool unmapped = false;      // a code or unit could not be mapped (--strict rejects these)
  std::string jccls_json;     // with options.jccls: a JSON array, one object per lab OBX
};

class Normalizer {
 public:
  Normalizer(const tables::Tables& tables, NormalizeOptions options);
  // Normalizes one message. Diagnostics (no patient data) go to `diagnostics`.
  Normalized normalize(const Record& record, DiagnosticSink& diagnostics);
  // Counts per site name ("" = no site).
  const std::map<std::string, Coverage>& coverage() const { return coverage_; }

 private:
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

// JSON helpers for the change records.
std::string changes_json(const std::vector<Change>& changes);  // [{"obx":..,"field":..,...}]
std::string coverage_json(const std::string& site, const Coverage& coverage);

// True when the message carries lab results (OUL^R22 = OML-11, ORU^R01).
bool is_lab_message(const hl7::Message& message);

// The JLAC10 code and the local code of an OBX-3 (decoded components): JLAC10 is the
// identifier whose coding system is JC10 and that has the JLAC10 shape.
struct ObservationCode {
  std::string jlac10;
  std::string local;
  std::string local_system;
  std::string name;
};
ObservationCode observation_code(const hl7::Message& message, std::size_t segment_index);

}  // namespace smx::lab
