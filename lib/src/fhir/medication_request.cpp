// MedicationRequest from ORC + RXE [TQ1] [RXR] [RXC] (OMP-01 prescriptions, OMP-02 injections;
// RDE^O11), one per RXE segment.
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

// The segments of one RXE: the ORC above it and the TQ1, RXR and RXC rows up to the next ORC or RXE.
struct Drug {
  std::size_t orc = hl7::Message::npos, rxe = hl7::Message::npos;
  std::size_t tq1 = hl7::Message::npos, rxr = hl7::Message::npos;
  std::vector<std::size_t> rxc;
};

Drug drug_at(const View& v, std::size_t orc, std::size_t rxe) {
  Drug d;
  d.orc = orc;
  d.rxe = rxe;
  for (std::size_t k = rxe + 1; k < v.m.segment_count(); ++k) {
    std::string_view s = v.m.segment_id(k);
    if (s == "ORC" || s == "RXE") break;
    if (s == "TQ1" && d.tq1 == hl7::Message::npos) d.tq1 = k;
    if (s == "RXR" && d.rxr == hl7::Message::npos) d.rxr = k;
    if (s == "RXC") d.rxc.push_back(k);
  }
  return d;
}

void duration(JsonWriter& w, std::string_view key, const std::string& value, const std::string& unit) {
  // drt-1: a Duration with a value needs a UCUM time code.
  static const char* units[] = {"s", "min", "h", "d", "wk", "mo", "a"};
  if (!is_json_number(value)) return;
  for (const char* u : units) {
    if (unit != u) continue;
    w.begin_object(key);
    w.number("value", value);
    w.string("unit", unit);
    w.string("system", kUcum);
    w.string("code", unit);
    w.end_object();
    return;
  }
}

void quantity_with_code(Host& host, JsonWriter& w, std::string_view key, const std::string& value, const Cwe& unit) {
  if (!is_json_number(value)) return;
  w.begin_object(key);
  w.number("value", value);
  w.string("unit", !unit.display.empty() ? unit.display : unit.code);
  std::string system = unit.code.empty() ? std::string() : code_system_uri(unit.system, host.conversion_options().jp_core);
  if (!system.empty() && is_code(unit.code)) {
    w.string("system", system);
    w.string("code", unit.code);
  }
  w.end_object();
}

// Injections (OMP-02) list the mixed drugs in RXC (B base, A additive) and put the injection kind
// in RXE-2: the drugs become a contained Medication with ingredients [V2F RXC ->
// Medication.ingredient].
void contained_medication(Host& host, const View& v, JsonWriter& w, const std::vector<std::size_t>& rxc) {
  w.begin_array("contained");
  w.begin_object();
  w.string("resourceType", "Medication");
  w.string("id", "medication");
  w.begin_array("ingredient");
  for (std::size_t k : rxc) {
    w.begin_object();
    Cwe item = read_cwe(v, k, 2);
    if (item.empty()) item.original_text = "unknown";
    host.write_codeable_concept(w, "itemCodeableConcept", item, true);
    w.boolean("isActive", true);
    std::string amount = v.c(k, 3, 1);
    if (is_json_number(amount)) {
      w.begin_object("strength");
      quantity_with_code(host, w, "numerator", amount, read_cwe(v, k, 4));
      w.begin_object("denominator");
      w.number("value", "1");
      w.end_object();
      w.end_object();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.end_array();
}

// RXE-2 drug: medicationCodeableConcept, or for an injection the category, with the contained
// Medication as medicationReference.
void medication(Host& host, JsonWriter& w, Cwe drug, bool injection) {
  if (injection) {
    w.begin_array("category");
    w.begin_object();
    host.write_codeable_concept_members(w, drug);
    w.end_object();
    w.end_array();
    w.begin_object("medicationReference");
    w.string("reference", "#medication");
    w.end_object();
  } else {
    if (drug.empty()) drug.original_text = "unknown";
    host.write_codeable_concept(w, "medicationCodeableConcept", drug, true);
  }
}

// TQ1-3 usage and TQ1-7 start, RXR-1 route, RXE-3 and RXE-5 dose.
void dosage_instruction(Host& host, const View& v, JsonWriter& w, const Drug& d) {
  w.begin_array("dosageInstruction");
  w.begin_object();
  // TQ1-3 repeat pattern (RPT): RPT.1 is a CWE, in subcomponents.
  std::string_view pattern = v.rep(v.field(d.tq1, 3), 0);
  Cwe usage = v.comp(pattern, 2).empty() && v.comp(pattern, 1).find(v.d.subcomponent) != std::string_view::npos
                  ? read_cwe_subcomponents(v, v.comp(pattern, 1))
                  : read_cwe(v, pattern);
  w.string("text", usage.display);
  w.begin_object("timing");
  w.begin_object("repeat");
  w.begin_object("boundsPeriod");
  host.write_date_time(w, "start", v.c(d.tq1, 7, 1), "TQ1-7");
  w.end_object();
  w.end_object();
  host.write_codeable_concept(w, "code", usage, false);
  w.end_object();
  host.write_codeable_concept(w, "route", read_cwe(v, d.rxr, 1), false);
  w.begin_array("doseAndRate");
  w.begin_object();
  quantity_with_code(host, w, "doseQuantity", v.c(d.rxe, 3, 1), read_cwe(v, d.rxe, 5));
  w.end_object();
  w.end_array();
  w.end_object();
  w.end_array();
}

void medication_request(Host& host, const View& v, const Drug& d, std::size_t n) {
  std::string placer = v.c(d.orc, 2, 1);
  if (placer.empty()) placer = host.order_number();
  // Key: order number + position of the RXE in the message (an RDE^O11 carries the whole order).
  JsonWriter w = host.begin_resource("MedicationRequest",
                                     host.resource_id("MedicationRequest", {placer, std::to_string(n)}));
  identifier(w, placer, "PLAC");
  // ORC-1 order control (table 0119)
  std::string control = v.c(d.orc, 1, 1);
  std::string_view status = (control == "CA" || control == "OC" || control == "CR") ? "cancelled"
                            : (control == "DC" || control == "OD" || control == "DR") ? "stopped" : "active";
  if (!d.rxc.empty()) contained_medication(host, v, w, d.rxc);
  w.string("status", status);
  w.string("intent", "order");
  medication(host, w, read_cwe(v, d.rxe, 2), !d.rxc.empty());
  reference(w, "subject", "Patient", host.patient_id());
  host.write_date_time(w, "authoredOn", v.c(d.orc, 9, 1), "ORC-9");
  std::string requester = person_name(v, v.field(d.orc, 12), true);
  if (!requester.empty()) display_reference(w, "requester", requester);
  dosage_instruction(host, v, w, d);
  w.begin_object("dispenseRequest");
  quantity_with_code(host, w, "quantity", v.c(d.rxe, 10, 1), read_cwe(v, d.rxe, 11));
  // TQ1-6 service duration (CQ: quantity^units)
  duration(w, "expectedSupplyDuration", v.c(d.tq1, 6, 1), v.c(d.tq1, 6, 2));
  w.end_object();
  w.end_object();
}

}  // namespace

void write_medication_requests(Host& host, const View& v) {
  std::size_t orc = hl7::Message::npos;
  std::size_t n = 0;
  for (std::size_t i = 0; i < v.m.segment_count(); ++i) {
    std::string_view sid = v.m.segment_id(i);
    if (sid == "ORC") orc = i;
    if (sid == "RXE") medication_request(host, v, drug_at(v, orc, i), ++n);
  }
}

}  // namespace smx::fhir::detail
