// Field readers shared by the FHIR mapping files (internal.hpp).
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

Cwe read_cwe(const View& v, std::string_view raw_rep) {
  Cwe c;
  auto t = [&](std::size_t n) { return v.text(v.sub(v.comp(raw_rep, n), 1)); };
  c.code = t(1);
  c.display = t(2);
  c.system = t(3);
  c.alt_code = t(4);
  c.alt_display = t(5);
  c.alt_system = t(6);
  c.original_text = t(9);
  return c;
}

// SS-MIX2 samples send TQ1-3 RPT.1 as `1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01`;
// OBR-26 PRL.1 is a CWE in subcomponents too (NHO bacteria_test.md).
Cwe read_cwe_subcomponents(const View& v, std::string_view component) {
  Cwe c;
  c.code = v.text(v.sub(component, 1));
  c.display = v.text(v.sub(component, 2));
  c.system = v.text(v.sub(component, 3));
  c.alt_code = v.text(v.sub(component, 4));
  c.alt_display = v.text(v.sub(component, 5));
  c.alt_system = v.text(v.sub(component, 6));
  return c;
}

void coding_concept(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
                    std::string_view display) {
  if (key.empty()) w.begin_object();
  else w.begin_object(key);
  w.begin_array("coding");
  w.begin_object();
  w.string("system", system);
  w.string("code", code);
  w.string("display", display);
  w.end_object();
  w.end_array();
  w.end_object();
}

std::string_view observation_status(std::string_view obx11) {
  // [CM 0085]; departure for codes the map leaves unmapped (status is 1..1 in FHIR):
  // I, O registered; R, S preliminary; U, V final; B amended; N cancelled; empty unknown.
  if (obx11 == "F") return "final";
  if (obx11 == "P") return "preliminary";
  if (obx11 == "C") return "corrected";
  if (obx11 == "A") return "amended";
  if (obx11 == "D" || obx11 == "W") return "entered-in-error";
  if (obx11 == "X" || obx11 == "N") return "cancelled";
  if (obx11 == "I" || obx11 == "O") return "registered";
  if (obx11 == "R" || obx11 == "S") return "preliminary";
  if (obx11 == "U" || obx11 == "V") return "final";
  if (obx11 == "B") return "amended";
  return "";
}

}  // namespace smx::fhir::detail
