// Encounter from PV1 (ADT-12 A04 registration, ADT-22 A01/A11 admission, ADT-52 A03/A13
// discharge). [V2F PV1-n] rows of the v2-to-FHIR PV1 map.
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

constexpr std::string_view kActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

// [V2F PV1-2] class (table 0004 -> v3 ActCode)
void encounter_class(JsonWriter& w, std::string_view patient_class) {
  if (patient_class == "I" || patient_class == "B") coding(w, "class", kActCode, "IMP", "inpatient encounter");
  else if (patient_class == "O" || patient_class == "R") coding(w, "class", kActCode, "AMB", "ambulatory");
  else if (patient_class == "E") coding(w, "class", kActCode, "EMER", "emergency");
  else if (patient_class == "P") coding(w, "class", kActCode, "PRENC", "pre-admission");
  else coding(w, "class", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor", "UNK");
}

// [V2F PV1-3] assigned location as display text: point of care, room, bed.
std::string location_text(const View& v, std::size_t pv1) {
  std::string_view loc = v.rep(v.field(pv1, 3), 0);
  std::string location;
  for (std::size_t c : {1, 2, 3}) {
    std::string part = v.text(v.sub(v.comp(loc, c), 1));
    if (part.empty()) continue;
    if (!location.empty()) location += "-";
    location += part;
  }
  return location;
}

}  // namespace

void write_encounter(Host& host, const View& v, std::string_view event) {
  std::size_t pv1 = v.m.find_segment("PV1");
  if (pv1 == hl7::Message::npos) return;
  // Key: visit number PV1-19; else admit time PV1-44 (the same in admission and discharge
  // messages); else this message's SS-MIX2 key.
  std::string visit = v.c(pv1, 19, 1), admit = v.c(pv1, 44, 1);
  std::string key = !visit.empty() ? "PV1-19:" + visit : !admit.empty() ? "PV1-44:" + admit : "order:" + host.order_number();
  JsonWriter w = host.begin_resource("Encounter", host.resource_id("Encounter", {key}));
  identifier(w, visit, "VN");
  // Departure: the ADT message maps give status by trigger event; SS-MIX2 types are
  // registration (A04 arrived), admission (A01 in-progress), discharge (A03 finished) and their
  // cancels (A11 cancelled, A13 back to in-progress).
  std::string_view status = event == "A04" ? "arrived" : event == "A01" ? "in-progress" : event == "A03" ? "finished"
                            : event == "A11" ? "cancelled" : "in-progress";
  w.string("status", status);
  encounter_class(w, v.c(pv1, 2, 1));
  reference(w, "subject", "Patient", host.patient_id());
  // [V2F PV1-7] attending doctor as participant (display only: no Practitioner resources)
  std::string doctor = person_name(v, v.field(pv1, 7), true);
  if (!doctor.empty()) {
    w.begin_array("participant");
    w.begin_object();
    coding_concepts(w, "type", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND");
    display_reference(w, "individual", doctor);
    w.end_object();
    w.end_array();
  }
  // [V2F PV1-44/45] period
  w.begin_object("period");
  host.write_date_time(w, "start", admit, "PV1-44");
  host.write_date_time(w, "end", v.c(pv1, 45, 1), "PV1-45");
  w.end_object();
  std::string location = location_text(v, pv1);
  if (!location.empty()) {
    w.begin_array("location");
    w.begin_object();
    display_reference(w, "location", location);
    w.end_object();
    w.end_array();
  }
  w.end_object();
}

}  // namespace smx::fhir::detail
