// lib/fhir internals shared by the mapping files, one per resource (patient.cpp, encounter.cpp,
// allergy_intolerance.cpp, condition.cpp, medication_request.cpp, lab.cpp with specimen.cpp,
// diagnostic_report.cpp and observation.cpp, vitals.cpp, microbiology.cpp): field access over one
// message, the JSON shapes every mapping writes (codings, references, identifiers), and the
// converter's per-message services as an interface (Host), so the mapping files do not depend on
// the converter's layout (convert.cpp).
#pragma once
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "smx/ascii.hpp"
#include "smx/error.hpp"
#include "smx/fhir.hpp"
#include "smx/hl7.hpp"
#include "smx/lab.hpp"

namespace smx::fhir::detail {

using ascii::trim;

// FHIR code type: no leading/trailing whitespace, single inner spaces.
inline bool is_code(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\t' || c == '\r' || c == '\n') return false;
    if (c == ' ' && i + 1 < s.size() && s[i + 1] == ' ') return false;
  }
  return true;
}

inline constexpr std::string_view kUcum = "http://unitsofmeasure.org";
inline constexpr std::string_view kIdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";

// ---------------------------------------------------------------------------------------------
// Field access over one message.

struct View {
  const hl7::Message& m;
  const hl7::Delimiters& d;

  std::string_view field(std::size_t seg, std::size_t f) const {
    if (seg == hl7::Message::npos) return {};
    return m.field(seg, f);
  }
  std::string_view rep(std::string_view raw, std::size_t r) const { return hl7::nth_piece(raw, d.repetition, r); }
  std::string_view comp(std::string_view raw, std::size_t c) const {  // 1-based
    return hl7::nth_piece(raw, d.component, c - 1);
  }
  std::string_view sub(std::string_view raw, std::size_t s) const { return hl7::nth_piece(raw, d.subcomponent, s - 1); }
  // Decoded text: escapes undone, spaces trimmed, HL7 null "" -> empty.
  std::string text(std::string_view raw) const {
    raw = trim(raw);
    if (raw == "\"\"") return {};
    if (!hl7::has_escape(raw, d)) return std::string(raw);
    std::string out;
    hl7::unescape(raw, d, out);
    return std::string(trim(out));
  }
  // First subcomponent of component c of the first repetition, decoded.
  std::string c(std::size_t seg, std::size_t f, std::size_t component) const {
    return text(sub(comp(rep(field(seg, f), 0), component), 1));
  }
  std::string whole(std::size_t seg, std::size_t f) const { return text(rep(field(seg, f), 0)); }
  // Every non-empty repetition of a raw field, decoded, one a line (ST/TX/FT values, NTE-3).
  std::string lines(std::string_view raw) const;
};

struct Cwe {
  std::string code, display, system, alt_code, alt_display, alt_system, original_text;
  bool empty() const { return code.empty() && display.empty() && alt_code.empty() && alt_display.empty() && original_text.empty(); }
};

Cwe read_cwe(const View& v, std::string_view raw_rep);
// The first repetition of field f of a segment as a CWE.
inline Cwe read_cwe(const View& v, std::size_t seg, std::size_t f) { return read_cwe(v, v.rep(v.field(seg, f), 0)); }
// A CWE sent inside one component as subcomponents (TQ1-3 RPT.1, OBR-26 PRL.1).
Cwe read_cwe_subcomponents(const View& v, std::string_view component);

inline bool is_jlac(std::string_view system) { return system == "JC10" || system == "JC11"; }

// OBX-11 (table 0085) -> Observation.status; "" when not in the table.
std::string_view observation_status(std::string_view obx11);

// The code an Observation id is keyed on: the local code (the triplet not named JC10/JC11), else
// the JLAC10 code. labnorm moves a local code from CWE.1 to CWE.4 and puts JLAC10 first; keying on
// the local code keeps the same id before and after labnorm.
std::string observation_key_code(const Cwe& code);

// ---------------------------------------------------------------------------------------------
// JSON shapes. A member named `key`, or an array element when `key` is empty. Empty strings are
// left out by JsonWriter (and an object or array left empty goes with its key).

// {"system","code","display"}: a Coding.
void coding(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
            std::string_view display = {});
// {"coding":[Coding],"text"}: a CodeableConcept of one Coding.
void coding_concept(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
                    std::string_view display = {}, std::string_view text = {});
// "key":[{"coding":[Coding]}]: an array of one such CodeableConcept (category, type, appliesTo).
void coding_concepts(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code);
// {"reference":"Type/id"}.
void reference(JsonWriter& w, std::string_view key, std::string_view type, std::string_view id);
// {"display": text}: a reference by name only (smx writes no Practitioner or Location resources).
void display_reference(JsonWriter& w, std::string_view key, std::string_view display);
// "identifier":[{"type":{v2-0203 type_code},"value"}], nothing when `value` is empty; `type_code`
// may be empty. identifier_element writes one element of an open "identifier" array.
void identifier(JsonWriter& w, std::string_view value, std::string_view type_code = {});
void identifier_element(JsonWriter& w, std::string_view value, std::string_view type_code = {});

// The unit of a value: display text and UCUM code ("" when not UCUM).
struct Unit {
  std::string text, code;
};
// The members of a Quantity in the open object: value, comparator, unit, and the UCUM system and
// code when the unit has one [V2F CWE(Quantity)].
void quantity_members(JsonWriter& w, std::string_view number, lab::Comparator comparator, const Unit& unit);

// XCN / XPN person name as one display text: family, given (SS-MIX2 writes kanji names).
std::string person_name(const View& v, std::string_view raw, bool xcn);

// ---------------------------------------------------------------------------------------------
// What the mapping files may ask of the converter, for the message being converted. Converter::Impl
// implements it (convert.cpp).

class Host {
 public:
  virtual const Options& conversion_options() const = 0;
  // Id of the message's Patient resource (subject of every resource).
  virtual const std::string& patient_id() const = 0;
  // The patient's identifier as sent (PID-3, else the SS-MIX2 file name's), its sex (PID-8, 0 when
  // not one letter) and the sending facility (MSH-4).
  virtual const std::string& patient_identifier() const = 0;
  virtual char patient_sex() const = 0;
  virtual const std::string& facility() const = 0;
  // The message's order number (ORC-2, else OBR-2, the file name's, MSH-10).
  virtual const std::string& order_number() const = 0;
  // Deterministic id (ids.cpp) over type, facility, patient and `parts`.
  virtual std::string resource_id(std::string_view type, const std::vector<std::string_view>& parts) = 0;
  // Starts a resource of the message (resourceType and id written); close it with end_object().
  virtual JsonWriter begin_resource(std::string_view type, const std::string& id) = 0;
  // The resource begun last is deleted by the message (PRB-1 DE, IAM-6 D): it goes to the delete
  // list, not to the output.
  virtual void mark_deleted() = 0;
  virtual void report(std::string code, std::string hl7_path, std::string text, Severity severity) = 0;
  // CWE -> CodeableConcept / Coding as everywhere else (coding-system URIs, local tables).
  virtual void write_codeable_concept(JsonWriter& w, std::string_view key, const Cwe& c, bool require_text) = 0;
  // The members of such a CodeableConcept, inside an object the caller opened (array elements).
  virtual void write_codeable_concept_members(JsonWriter& w, const Cwe& c) = 0;
  virtual void write_coding(JsonWriter& w, std::string_view code, std::string_view display,
                            std::string_view system_name) = 0;
  // HL7 DTM -> FHIR dateTime as member `key`; a value that is not a DTM is left out with
  // FHIR-DATE at `where`.
  virtual void write_date_time(JsonWriter& w, std::string_view key, std::string_view dtm, std::string_view where) = 0;
  // "<name>DateTime" from `start` (FHIR-DATE at `where`), or "<name>Period" {start, end} when `end`
  // is valued (at where_start, where_end).
  void write_date_time_or_period(JsonWriter& w, std::string_view name, std::string_view start, std::string_view end,
                                 std::string_view where, std::string_view where_start, std::string_view where_end);

 protected:
  ~Host() = default;
};

// ---------------------------------------------------------------------------------------------
// One resource (or one kind) per file, for the message being converted.

void write_patient(Host& host, const View& v, std::size_t pid);        // patient.cpp (PID)
void write_encounter(Host& host, const View& v, std::string_view event);  // encounter.cpp (PV1)
void write_allergies(Host& host, const View& v);                         // allergy_intolerance.cpp (IAM)
void write_conditions(Host& host, const View& v);                        // condition.cpp (PRB)
void write_medication_requests(Host& host, const View& v);               // medication_request.cpp (RXE)
// OUL^R22: Specimen (SPM), Observation (OBX), DiagnosticReport (OBR) (lab.cpp).
void write_lab_results(Host& host, const View& v);
// ORU^R30 (SS-MIX2 extended storage, NHO vital signs): Observations for every OBX (vitals.cpp).
void write_vital_signs(Host& host, const View& v);

// ---------------------------------------------------------------------------------------------
// OBX -> Observation members shared by lab results, vital signs and culture components
// (observation.cpp).

// What value[x] leaves to the interpretation and referenceRange of the same OBX: the unit of
// OBX-6, and the number when value[x] is a valueQuantity.
struct ObxValue {
  Unit unit;
  std::optional<lab::Value> number;
};
// OBX-5 with OBX-6 -> value[x] (and dataAbsentReason) in the open object.
ObxValue write_obx_value(Host& host, const View& v, JsonWriter& w, std::size_t obx, std::string_view status);
// OBX-8 -> interpretation (and Options::compute_flags from the value and OBX-7).
void write_obx_interpretation(Host& host, const View& v, JsonWriter& w, std::size_t obx, const ObxValue& value);
// OBX-7 -> referenceRange in the unit of the value.
void write_obx_reference_range(const View& v, JsonWriter& w, std::size_t obx, const Unit& unit);
// NTE-3 after each of `rows` -> note.
void write_obx_notes(const View& v, JsonWriter& w, const std::vector<std::size_t>& rows);
// OBX-11 -> status; FHIR-STATUS and "unknown" when it is not in table 0085.
std::string_view write_obx_status(Host& host, const View& v, JsonWriter& w, std::size_t obx);

// ---------------------------------------------------------------------------------------------
// OUL^R22 lab results: the groups lab.cpp finds and the resources written from them.

struct LabSpecimen {
  std::size_t spm = hl7::Message::npos;
  std::string specimen_id;   // "" when no SPM
  std::string specimen_key;  // SPM-2 or position
};

struct ObservationGroup {
  std::size_t obr = hl7::Message::npos;
  std::size_t orc = hl7::Message::npos;
  LabSpecimen specimen;
  std::string report_id;
  std::string order;        // ORC-2, else OBR-2, else the message's order number
  std::string report_code;  // OBR-4.1
  std::vector<std::size_t> obx;
  std::vector<std::string> observation_ids;  // of the Observations written
};

struct MicrobiologyPlan;

void write_specimen(Host& host, const View& v, const LabSpecimen& s);                  // specimen.cpp
void write_diagnostic_report(Host& host, const View& v, const ObservationGroup& g);    // diagnostic_report.cpp
// observation.cpp; `seen` counts keys for the running number of duplicates.
std::string lab_observation_id(Host& host, const View& v, const ObservationGroup& g, std::size_t obx,
                               std::unordered_map<std::string, int>& seen);
void write_lab_observation(Host& host, const View& v, const ObservationGroup& g, std::size_t obx,
                           const std::string& id, const MicrobiologyPlan& plan);

// ---------------------------------------------------------------------------------------------
// Microbiology in OUL^R22 (microbiology.cpp). The lab mapping hands over its OBR groups and the id
// of every OBX (computed before anything is written, so links can point forward).

struct ObxGroup {
  std::size_t obr = hl7::Message::npos;
  std::vector<std::size_t> obx;
};

struct MicrobiologyPlan {
  std::unordered_set<std::size_t> absorbed;                      // OBX written as a component of another
  std::map<std::size_t, std::vector<std::size_t>> components;    // head OBX -> its component OBX rows
  std::map<std::size_t, std::vector<std::string>> members;       // OBX -> hasMember Observation ids
  bool empty() const { return absorbed.empty() && members.empty(); }
  const std::vector<std::size_t>& components_of(std::size_t obx) const;
};

// `ids[segment index]` = the Observation id of that OBX.
MicrobiologyPlan plan_microbiology(Host& host, const View& v, const std::vector<ObxGroup>& groups,
                                   const std::vector<std::string>& ids);
// component (the head's OBX-4 partners) and hasMember (OBR-26 children), in the open Observation.
void write_microbiology_members(Host& host, const View& v, JsonWriter& w, const MicrobiologyPlan& plan,
                                std::size_t obx);

}  // namespace smx::fhir::detail
