// DiagnosticReport from OBR (OUL^R22 lab results; one per OBR group, written by lab.cpp after the
// group's Observations).
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

// [V2F OBR-25] status (table 0123). Departure: SS-MIX2 senders often leave OBR-25 empty; then
// the status comes from the OBX-11 of the group (all final -> final, any preliminary ->
// preliminary, no results -> registered, else unknown).
std::string_view report_status(const View& v, const ObservationGroup& g) {
  std::string obr25 = v.c(g.obr, 25, 1);
  if (obr25 == "F") return "final";
  if (obr25 == "P") return "preliminary";
  if (obr25 == "C") return "corrected";
  if (obr25 == "A" || obr25 == "R") return "partial";
  if (obr25 == "X") return "cancelled";
  if (obr25 == "O" || obr25 == "I" || obr25 == "S") return "registered";
  bool all_final = !g.obx.empty(), any_preliminary = false;
  for (std::size_t obx : g.obx) {
    std::string_view s = observation_status(v.c(obx, 11, 1));
    if (s != "final" && s != "corrected" && s != "amended") all_final = false;
    if (s == "preliminary") any_preliminary = true;
  }
  return g.obx.empty() ? "registered" : all_final ? "final" : any_preliminary ? "preliminary" : "unknown";
}

}  // namespace

void write_diagnostic_report(Host& host, const View& v, const ObservationGroup& g) {
  JsonWriter w = host.begin_resource("DiagnosticReport", g.report_id);
  // [V2F OBR-2/OBR-3] placer / filler identifiers
  w.begin_array("identifier");
  for (auto [f, type] : {std::pair<std::size_t, std::string_view>{2, "PLAC"}, {3, "FILL"}}) {
    std::string value = v.c(g.obr, f, 1);
    if (value.empty()) value = v.c(g.orc, f, 1);
    identifier_element(w, value, type);
  }
  w.end_array();
  w.string("status", report_status(v, g));
  // [V2F OBR-24] category; LAB (table 0074) for OUL^R22 when OBR-24 is empty.
  std::string section = v.c(g.obr, 24, 1);
  coding_concepts(w, "category", "http://terminology.hl7.org/CodeSystem/v2-0074",
                  section.empty() || !is_code(section) ? "LAB" : section);
  Cwe code = read_cwe(v, g.obr, 4);
  if (code.empty()) code.original_text = "unknown";
  host.write_codeable_concept(w, "code", code, true);  // [V2F OBR-4]
  reference(w, "subject", "Patient", host.patient_id());
  // [V2F OBR-7/OBR-8] effectiveDateTime, or effectivePeriod when OBR-8 is valued
  host.write_date_time_or_period(w, "effective", v.c(g.obr, 7, 1), v.c(g.obr, 8, 1), "OBR-7", "OBR-7", "OBR-8");
  // [V2F OBR-22] issued (instant: seconds zero-filled; day precision is left out)
  std::string issued = v.c(g.obr, 22, 1);
  if (!issued.empty()) {
    if (auto t = dtm_to_instant(issued)) w.string("issued", *t);
    else host.report("FHIR-DATE", "OBR-22", "OBR-22 is not an HL7 DTM to the minute; issued left out", Severity::warning);
  }
  if (!g.specimen.specimen_id.empty()) {
    w.begin_array("specimen");
    reference(w, {}, "Specimen", g.specimen.specimen_id);
    w.end_array();
  }
  w.begin_array("result");
  for (const std::string& id : g.observation_ids) reference(w, {}, "Observation", id);
  w.end_array();
  w.end_object();
}

}  // namespace smx::fhir::detail
