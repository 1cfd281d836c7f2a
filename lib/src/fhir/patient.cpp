// Patient from PID (ADT-00 patient master: ADT^A08, A28, A31). [V2F PID-n] rows of the v2-to-FHIR
// PID map; SS-MIX2 conventions cited as [SS §n] (../shared/reference/ssmix2.md).
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

// [V2F PID-5] name; SS-MIX2 repeats kanji (XPN.8 I) and kana (P) (SS §5); JP Core marks them
// with the iso21090-EN-representation extension (IDE / SYL).
void names(JsonWriter& w, const View& v, std::size_t pid) {
  std::string_view names = v.field(pid, 5);
  w.begin_array("name");
  for (std::size_t k = 0; k < hl7::count_pieces(names, v.d.repetition); ++k) {
    std::string_view r = v.rep(names, k);
    std::string family = v.text(v.sub(v.comp(r, 1), 1)), given = v.text(v.comp(r, 2));
    std::string middle = v.text(v.comp(r, 3));
    std::string type = v.text(v.comp(r, 7)), representation = v.text(v.comp(r, 8));
    w.begin_object();
    std::string_view rep_code = representation == "I" ? "IDE" : representation == "P" ? "SYL" : representation == "A" ? "ABC" : "";
    if (!rep_code.empty()) {
      w.begin_array("extension");
      w.begin_object();
      w.string("url", "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation");
      w.string("valueCode", rep_code);
      w.end_object();
      w.end_array();
    }
    if (!family.empty() || !given.empty()) w.string("use", type == "L" || type.empty() ? "official" : "usual");
    std::string text = family;
    if (!given.empty()) text += (text.empty() ? "" : " ") + given;
    w.string("text", text);
    w.string("family", family);
    w.begin_array("given");
    w.string_element(given);
    w.string_element(middle);
    w.end_array();
    w.end_object();
  }
  w.end_array();
}

// [V2F PID-13/14] telecom
void telecom(JsonWriter& w, const View& v, std::size_t pid) {
  w.begin_array("telecom");
  for (int f : {13, 14}) {
    std::string_view raw = v.field(pid, static_cast<std::size_t>(f));
    for (std::size_t k = 0; k < hl7::count_pieces(raw, v.d.repetition); ++k) {
      std::string_view r = v.rep(raw, k);
      std::string value = v.text(v.comp(r, 12));
      if (value.empty()) value = v.text(v.comp(r, 1));
      std::string use = v.text(v.comp(r, 2)), equipment = v.text(v.comp(r, 3));
      if (equipment == "Internet" || use == "NET") {
        value = v.text(v.comp(r, 4));
        equipment = "Internet";
      }
      if (value.empty()) continue;
      w.begin_object();
      std::string_view system = equipment == "FX" ? "fax" : equipment == "Internet" ? "email" : equipment == "BP" ? "pager" : "phone";
      w.string("system", system);
      w.string("value", value);
      std::string_view u = equipment == "CP" ? "mobile" : use == "PRN" || use == "ORN" ? "home" : use == "WPN" ? "work" : f == 14 ? "work" : "";
      w.string("use", u);
      w.end_object();
    }
  }
  w.end_array();
}

// [V2F PID-11] address; SS-MIX2 puts the whole address text in XAD.8 (SS §6.5 samples).
void addresses(JsonWriter& w, const View& v, std::size_t pid) {
  std::string_view addresses = v.field(pid, 11);
  w.begin_array("address");
  for (std::size_t k = 0; k < hl7::count_pieces(addresses, v.d.repetition); ++k) {
    std::string_view r = v.rep(addresses, k);
    w.begin_object();
    std::string type = v.text(v.comp(r, 7));
    if (!v.text(r).empty()) w.string("use", type == "H" ? "home" : type == "B" || type == "O" ? "work" : "");
    w.string("text", v.text(v.comp(r, 8)));
    w.begin_array("line");
    w.string_element(v.text(v.sub(v.comp(r, 1), 1)));
    w.string_element(v.text(v.comp(r, 2)));
    w.end_array();
    w.string("city", v.text(v.comp(r, 3)));
    w.string("state", v.text(v.comp(r, 4)));
    w.string("postalCode", v.text(v.comp(r, 5)));
    w.string("country", v.text(v.comp(r, 6)));
    w.end_object();
  }
  w.end_array();
}

}  // namespace

void write_patient(Host& host, const View& v, std::size_t pid) {
  JsonWriter w = host.begin_resource("Patient", host.patient_id());
  // [V2F PID-3] identifier; JP Core patient-ID namespace when MSH-4 is a 10-digit
  // medical-institution code (urn:oid:1.2.392.100495.20.3.51.1 + code).
  const std::string& facility = host.facility();
  w.begin_array("identifier");
  w.begin_object();
  if (facility.size() == 10 && ascii::all_digits(facility))
    w.string("system", "urn:oid:1.2.392.100495.20.3.51.1" + facility);
  w.string("value", host.patient_identifier());
  w.end_object();
  w.end_array();
  names(w, v, pid);
  telecom(w, v, pid);
  // [V2F PID-8] administrative gender (table 0001)
  std::string sex_code = v.c(pid, 8, 1);
  w.string("gender", sex_code == "M" ? "male" : sex_code == "F" ? "female" : sex_code == "O" || sex_code == "A" ? "other" : sex_code == "U" ? "unknown" : "");
  std::string birth = v.c(pid, 7, 1);
  if (!birth.empty()) {
    if (auto d = dtm_to_date(birth)) w.string("birthDate", *d);
    else host.report("FHIR-DATE", "PID-7", "not an HL7 date; birthDate left out", Severity::warning);
  }
  // [V2F PID-29/30] deceased
  std::string death = v.c(pid, 29, 1);
  if (!death.empty()) host.write_date_time(w, "deceasedDateTime", death, "PID-29");
  else if (v.c(pid, 30, 1) == "Y") w.boolean("deceasedBoolean", true);
  addresses(w, v, pid);
  w.end_object();
}

}  // namespace smx::fhir::detail
