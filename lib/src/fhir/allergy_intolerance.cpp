// AllergyIntolerance from IAM (ADT-61, ADT^A60), one per IAM segment.
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

void write_allergies(Host& host, const View& v) {
  std::unordered_map<std::string, int> seen;
  for (std::size_t i = 0; i < v.m.segment_count(); ++i) {
    if (v.m.segment_id(i) != "IAM") continue;
    Cwe allergen = read_cwe(v, i, 3);
    std::string uid = v.c(i, 7, 1);
    std::string key = !uid.empty() ? "IAM-7:" + uid : "IAM-3:" + (!allergen.code.empty() ? allergen.code : allergen.display);
    key += "#" + std::to_string(seen[key]++);
    JsonWriter w = host.begin_resource("AllergyIntolerance", host.resource_id("AllergyIntolerance", {key}));
    // IAM-6 allergy action code (table 0323): D = delete.
    if (v.c(i, 6, 1) == "D") host.mark_deleted();
    identifier(w, uid);
    // ait-1: clinicalStatus is required unless entered-in-error; an SS-MIX2 allergy record
    // is current while its file is current.
    coding_concept(w, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active");
    // IAM-2 allergen type (table 0127)
    std::string type = v.c(i, 2, 1);
    std::string_view category = type == "DA" ? "medication" : type == "FA" ? "food"
                                : (type == "EA" || type == "LA" || type == "AA" || type == "PA") ? "environment" : "";
    if (type.size() == 2 && type[1] == 'A') w.string("type", "allergy");
    w.begin_array("category");
    w.string_element(category);
    w.end_array();
    host.write_codeable_concept(w, "code", allergen, true);
    reference(w, "patient", "Patient", host.patient_id());
    host.write_date_time(w, "onsetDateTime", v.c(i, 11, 1), "IAM-11");
    // IAM-5 reaction + IAM-4 severity (table 0128); manifestation is 1..1 in a reaction.
    std::string reaction = v.whole(i, 5);
    if (!reaction.empty()) {
      w.begin_array("reaction");
      w.begin_object();
      w.begin_array("manifestation");
      w.begin_object();
      w.string("text", reaction);
      w.end_object();
      w.end_array();
      std::string severity = v.c(i, 4, 1);
      w.string("severity", severity == "SV" ? "severe" : severity == "MO" ? "moderate" : severity == "MI" ? "mild" : "");
      w.end_object();
      w.end_array();
    }
    w.end_object();
  }
}

}  // namespace smx::fhir::detail
