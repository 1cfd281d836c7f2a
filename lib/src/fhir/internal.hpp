// lib/fhir internals shared by convert.cpp (the converter), vitals.cpp (ORU^R30 vital signs) and
// microbiology.cpp (culture results grouped by OBX-4): field access over one message, and the
// converter's per-message services (ids, resources, codings, OBX values) as an interface, so the
// mapping files do not depend on the converter's layout.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "smx/error.hpp"
#include "smx/fhir.hpp"
#include "smx/hl7.hpp"
#include "smx/lab.hpp"

namespace smx::fhir::detail {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

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
};

struct Cwe {
  std::string code, display, system, alt_code, alt_display, alt_system, original_text;
  bool empty() const { return code.empty() && display.empty() && alt_code.empty() && alt_display.empty() && original_text.empty(); }
};

Cwe read_cwe(const View& v, std::string_view raw_rep);
// A CWE sent inside one component as subcomponents (TQ1-3 RPT.1, OBR-26 PRL.1).
Cwe read_cwe_subcomponents(const View& v, std::string_view component);

inline bool is_jlac(std::string_view system) { return system == "JC10" || system == "JC11"; }

// OBX-11 (table 0085) -> Observation.status; "" when not in the table.
std::string_view observation_status(std::string_view obx11);
// {"coding":[{"system","code","display"}]}: a member named `key`, or an array element when `key`
// is empty.
void coding_concept(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
                    std::string_view display = {});

// The unit of a value: display text and UCUM code ("" when not UCUM).
struct Unit {
  std::string text, code;
};

// ---------------------------------------------------------------------------------------------
// What the mapping files may ask of the converter, for the message being converted. Converter::Impl
// implements it (convert.cpp) by forwarding to its own members.

class Host {
 public:
  virtual const Options& conversion_options() const = 0;
  // Id of the message's Patient (subject of every resource).
  virtual const std::string& patient_id() const = 0;
  // The message's order number (ORC-2, else OBR-2, the file name's, MSH-10).
  virtual const std::string& order_number() const = 0;
  // Deterministic id (ids.cpp) over type, facility, patient and `parts`.
  virtual std::string resource_id(std::string_view type, const std::vector<std::string_view>& parts) = 0;
  // Starts a resource of the message (resourceType and id written); close it with end_object().
  virtual JsonWriter begin_resource(std::string_view type, const std::string& id) = 0;
  virtual void report(std::string code, std::string hl7_path, std::string text, Severity severity) = 0;
  // CWE -> CodeableConcept / Coding as everywhere else (coding-system URIs, local tables).
  virtual void write_codeable_concept(JsonWriter& w, std::string_view key, const Cwe& c, bool require_text) = 0;
  virtual void write_coding(JsonWriter& w, std::string_view code, std::string_view display,
                            std::string_view system_name) = 0;
  virtual void write_date_time(JsonWriter& w, std::string_view key, std::string_view dtm, std::string_view where) = 0;
  // OBX-5 with OBX-6 -> value[x] (and dataAbsentReason) in the open object, as for lab results; it
  // also sets the unit and number the next two calls use.
  virtual void write_obx_value(const View& v, JsonWriter& w, std::size_t obx, std::string_view status) = 0;
  // For a caller that writes the value itself: the unit and number (nullptr: none) the next two
  // calls use.
  virtual void use_value_unit(const Unit& unit, const lab::Value* number) = 0;
  // OBX-8 -> interpretation (and --compute-flags), OBX-7 -> referenceRange, in the open object.
  virtual void write_obx_interpretation(const View& v, JsonWriter& w, std::size_t obx) = 0;
  virtual void write_obx_reference_range(const View& v, JsonWriter& w, std::size_t obx) = 0;
  // NTE-3 after each of `rows` -> note.
  virtual void write_obx_notes(const View& v, JsonWriter& w, const std::vector<std::size_t>& rows) = 0;

 protected:
  ~Host() = default;
};

// ---------------------------------------------------------------------------------------------
// ORU^R30 (SS-MIX2 extended storage, NHO vital signs): Observations for every OBX (vitals.cpp).

void vital_signs(Host& host, const View& v);

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
