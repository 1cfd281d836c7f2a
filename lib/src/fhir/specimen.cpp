// Specimen from SPM (OUL^R22 lab results; written by lab.cpp when it meets the SPM).
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

void write_specimen(Host& host, const View& v, const LabSpecimen& s) {
  JsonWriter w = host.begin_resource("Specimen", s.specimen_id);
  // [V2F SPM-2] identifier (placer / filler assigned)
  w.begin_array("identifier");
  for (std::size_t c : {1, 2}) identifier_element(w, v.c(s.spm, 2, c));
  w.end_array();
  host.write_codeable_concept(w, "type", read_cwe(v, s.spm, 4), false);  // [V2F SPM-4]
  reference(w, "subject", "Patient", host.patient_id());
  host.write_date_time(w, "receivedTime", v.c(s.spm, 18, 1), "SPM-18");  // [V2F SPM-18]
  // [V2F SPM-17] collectedDateTime, or collectedPeriod when SPM-17.2 is valued
  w.begin_object("collection");
  host.write_date_time_or_period(w, "collected", v.c(s.spm, 17, 1), v.c(s.spm, 17, 2), "SPM-17", "SPM-17.1", "SPM-17.2");
  host.write_codeable_concept(w, "bodySite", read_cwe(v, s.spm, 8), false);  // [V2F SPM-8]
  w.end_object();
  w.end_object();
}

}  // namespace smx::fhir::detail
