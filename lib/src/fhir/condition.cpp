// Condition from PRB (PPR-01 problem list, PPR^ZD1), one per PRB segment.
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

std::string icd10_with_dot(std::string code) {
  // http://hl7.org/fhir/sid/icd-10 codes carry the dot after the category (K29.7); SS-MIX2
  // writes K297 (SS §6.5).
  if (code.size() > 3 && code.find('.') == std::string::npos) code.insert(3, ".");
  return code;
}

// code: PRB-3 (MEDIS 病名管理番号, MDCDX2) and PRB-10 triplet 1 (ICD-10); PRB-10.4-6 is the
// diagnosis type (JHSD0004), not an alternate code.
void condition_code(Host& host, const View& v, JsonWriter& w, std::size_t prb, const Cwe& problem) {
  Cwe icd = read_cwe(v, prb, 10);
  w.begin_object("code");
  w.begin_array("coding");
  host.write_coding(w, problem.code, problem.display, problem.system);
  host.write_coding(w, problem.alt_code, problem.alt_display, problem.alt_system);
  if (!icd.code.empty())
    host.write_coding(w, icd.system == "I10" ? icd10_with_dot(icd.code) : icd.code, icd.display, icd.system);
  w.end_array();
  std::string text = !problem.display.empty() ? problem.display : v.whole(prb, 17);
  if (text.empty()) text = icd.display;
  w.string("text", text);
  w.end_object();
}

}  // namespace

void write_conditions(Host& host, const View& v) {
  std::unordered_map<std::string, int> seen;
  for (std::size_t i = 0; i < v.m.segment_count(); ++i) {
    if (v.m.segment_id(i) != "PRB") continue;
    Cwe problem = read_cwe(v, i, 3);
    std::string instance = v.c(i, 4, 1);
    std::string key = !instance.empty() ? "PRB-4:" + instance : "PRB-3:" + problem.code + "/" + v.c(i, 7, 1);
    key += "#" + std::to_string(seen[key]++);
    JsonWriter w = host.begin_resource("Condition", host.resource_id("Condition", {key}));
    // PRB-1 action code (table 0287): DE = delete.
    if (v.c(i, 1, 1) == "DE") host.mark_deleted();
    identifier(w, instance);
    // Departure: clinicalStatus from PRB-9 (resolution date) and PRB-14 (outcome, table 0241):
    // resolved when recovered (R), else inactive when a resolution date exists, else active.
    std::string resolved_at = v.c(i, 9, 1), outcome = v.c(i, 14, 1);
    std::string_view clinical = resolved_at.empty() ? "active" : outcome == "R" ? "resolved" : "inactive";
    coding_concept(w, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical", clinical);
    coding_concepts(w, "category", "http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item");
    condition_code(host, v, w, i, problem);
    reference(w, "subject", "Patient", host.patient_id());
    host.write_date_time(w, "onsetDateTime", v.c(i, 16, 1), "PRB-16");  // [V2F PRB-16]
    if (clinical != "active") host.write_date_time(w, "abatementDateTime", resolved_at, "PRB-9");  // con-4
    host.write_date_time(w, "recordedDate", v.c(i, 7, 1), "PRB-7");  // [V2F PRB-7]
    w.end_object();
  }
}

}  // namespace smx::fhir::detail
