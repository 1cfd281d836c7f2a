// HL7 v2.5 / SS-MIX2 messages -> FHIR R4 resources. Map rows cited as [V2F SEG-n] are from the
// HL7 v2-to-FHIR IG segment maps (../shared/corpus/v2-to-fhir/); departures are marked
// "departure" and listed in smx-fhir(1).
#include <algorithm>
#include <deque>
#include <unordered_map>
#include <unordered_set>

#include "fhir/internal.hpp"
#include "smx/fhir.hpp"
#include "smx/hl7.hpp"
#include "smx/lab.hpp"

namespace smx::fhir {

namespace {

// Field access and the other helpers shared with vitals.cpp and microbiology.cpp (internal.hpp).
using detail::Cwe;
using detail::is_code;
using detail::is_jlac;
using detail::observation_status;
using detail::read_cwe;
using detail::read_cwe_subcomponents;
using detail::trim;
using detail::View;

constexpr std::string_view kUcum = "http://unitsofmeasure.org";
constexpr std::string_view kJpLabCategory = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS";
constexpr std::string_view kJpLabProfile = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_LabResult";
constexpr std::string_view kInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
constexpr std::string_view kIdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";

// Characters allowed in a URN piece we build from a v2 name.
std::string urn_piece(std::string_view s) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

struct Pending {
  std::string_view type;
  std::string id;
  std::string json;
  bool deleted = false;  // a deleting action code (PRB-1 DE, IAM-6 D)
};

struct Lab {
  std::size_t spm = hl7::Message::npos;
  std::string specimen_id;   // "" when no SPM
  std::string specimen_key;  // SPM-2 or position
};

}  // namespace

std::string_view jlac10_system(JpCoreVersion v) {
  return v == JpCoreVersion::v1_1 ? "urn:oid:1.2.392.200119.4.504"
                                  : "http://medis.or.jp/CodeSystem/master-JLAC10-17digits";
}

std::string code_system_uri(std::string_view name, JpCoreVersion v) {
  if (name == "JC10") return std::string(jlac10_system(v));
  if (name == "LN") return "http://loinc.org";
  if (name == "UCUM") return std::string(kUcum);
  if (name == "I10") return "http://hl7.org/fhir/sid/icd-10";
  if (name == "SCT") return "http://snomed.info/sct";
  // [JP-MED] JP Core medication terminology table.
  if (name == "HOT9") return "urn:oid:1.2.392.200119.4.403.1";
  if (name == "HOT7") return "urn:oid:1.2.392.200119.4.403.2";
  if (name == "HOT13") return "urn:oid:1.2.392.200119.4.402.1";
  if (name == "YJ") return "urn:oid:1.2.392.100495.20.1.73";
  if (name == "MR9P") return "urn:oid:1.2.392.100495.20.2.101";
  // HL7-defined tables: HL7nnnn -> terminology.hl7.org v2-nnnn.
  if (name.size() == 7 && name.substr(0, 3) == "HL7" &&
      std::all_of(name.begin() + 3, name.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return "http://terminology.hl7.org/CodeSystem/v2-" + std::string(name.substr(3));
  return {};
}

struct Converter::Impl final : detail::Host {
  std::optional<DeleteTracker> tracker;  // Options::track_deletes; before `sink`, which may be it
  Options options;
  ResourceSink& sink;
  DiagnosticSink& diagnostics;
  ConvertCounts& counts;

  // Per message.
  const Record* record = nullptr;
  const hl7::Message* message = nullptr;
  std::string facility, patient, patient_ref, order;
  char sex = 0;
  std::deque<Pending> pending;  // deque: writers keep references while others are added
  std::string scratch;

  Impl(Options o, ResourceSink& s, DiagnosticSink& d, ConvertCounts& c)
      : tracker(), options(o), sink(o.track_deletes ? tracker.emplace(s) : s), diagnostics(d), counts(c) {}

  void warn(std::string code, std::string hl7_path, std::string text, Severity severity = Severity::warning) {
    diagnostics.report(Diagnostic{severity, std::move(code), record->location(std::move(hl7_path)), std::move(text)});
  }

  // --- detail::Host: what vitals.cpp and microbiology.cpp use -----------------------------------

  const Options& conversion_options() const override { return options; }
  const std::string& patient_id() const override { return patient_ref; }
  const std::string& order_number() const override { return order; }
  std::string resource_id(std::string_view type, const std::vector<std::string_view>& parts) override {
    return id_for(type, parts);
  }
  JsonWriter begin_resource(std::string_view type, const std::string& id) override { return begin(type, id); }
  void report(std::string code, std::string hl7_path, std::string text, Severity severity) override {
    warn(std::move(code), std::move(hl7_path), std::move(text), severity);
  }
  void write_codeable_concept(JsonWriter& w, std::string_view key, const Cwe& c, bool require_text) override {
    codeable_concept(w, key, c, require_text);
  }
  void write_coding(JsonWriter& w, std::string_view code, std::string_view display, std::string_view system_name) override {
    coding(w, code, display, system_name);
  }
  void write_date_time(JsonWriter& w, std::string_view key, std::string_view dtm, std::string_view where) override {
    date_time(w, key, dtm, where);
  }
  void write_obx_value(const View& v, JsonWriter& w, std::size_t obx, std::string_view status) override {
    value(v, w, obx, status);
  }
  void use_value_unit(const detail::Unit& unit, const lab::Value* number) override {
    obx_unit = unit;
    has_numeric_value = number != nullptr;
    parsed_value = number ? *number : lab::Value{};
  }
  void write_obx_interpretation(const View& v, JsonWriter& w, std::size_t obx) override { interpretation(v, w, obx); }
  void write_obx_reference_range(const View& v, JsonWriter& w, std::size_t obx) override { reference_range(v, w, obx); }
  void write_obx_notes(const View& v, JsonWriter& w, const std::vector<std::size_t>& rows) override {
    notes(v, w, rows);
  }

  // --- coded values ---------------------------------------------------------------------------

  std::string system_for(std::string_view name, std::string_view code) const {
    // SPM-4 carries the 3-digit JLAC10 material code with "JC10" (SS §6.2): not a 17-digit
    // JLAC10 code, so it does not get the JLAC10 system (departure: no registered URI known).
    if (name == "JC10" && code.size() != 17) return "urn:smx:cs:JC10-" + std::to_string(code.size());
    std::string uri = code_system_uri(name, options.jp_core);
    if (!uri.empty()) return uri;
    if (name.empty()) return {};
    // Local tables (99zzz, HL7 v2 §2.A.8) belong to the sending facility; other names to
    // national tables without a known URI. Departure: v2-to-FHIR leaves the URI to the implementer.
    if (name.size() >= 2 && name.substr(0, 2) == "99") return "urn:smx:local:" + urn_piece(facility) + ":" + urn_piece(name);
    return "urn:smx:cs:" + urn_piece(name);
  }

  void coding(JsonWriter& w, std::string_view code, std::string_view display, std::string_view system_name) {
    if (code.empty() || !is_code(code)) return;
    w.begin_object();
    w.string("system", system_for(system_name, code));
    w.string("code", code);
    w.string("display", display);
    w.end_object();
  }

  // CWE -> CodeableConcept [V2F CWE]: triplets 1-3 and 4-6 become codings, CWE.9 (or the first
  // display) the text. `required_text` gives a text even when only a code was sent (JP-LAB code.text 1..).
  void codeable_concept(JsonWriter& w, std::string_view key, const Cwe& c, bool require_text = false) {
    if (c.empty()) return;
    w.begin_object(key);
    w.begin_array("coding");
    coding(w, c.code, c.display, c.system);
    coding(w, c.alt_code, c.alt_display, c.alt_system);
    w.end_array();
    std::string text = !c.original_text.empty() ? c.original_text : !c.display.empty() ? c.display : c.alt_display;
    if (text.empty() && require_text) text = !c.code.empty() ? c.code : c.alt_code;
    w.string("text", text);
    w.end_object();
  }

  // The members of a CodeableConcept, inside an object the caller opened (array elements).
  void codeable_concept_members(JsonWriter& w, const Cwe& c) {
    w.begin_array("coding");
    coding(w, c.code, c.display, c.system);
    coding(w, c.alt_code, c.alt_display, c.alt_system);
    w.end_array();
    w.string("text", !c.original_text.empty() ? c.original_text : !c.display.empty() ? c.display : c.alt_display);
  }

  void simple_coding_concept(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
                             std::string_view display = {}) {
    detail::coding_concept(w, key, system, code, display);
  }

  void reference(JsonWriter& w, std::string_view key, std::string_view type, std::string_view id) {
    w.begin_object(key);
    scratch.assign(type).append("/").append(id);
    w.string("reference", scratch);
    w.end_object();
  }

  void date_time(JsonWriter& w, std::string_view key, std::string_view dtm, std::string_view where) {
    if (dtm.empty()) return;
    auto t = dtm_to_date_time(dtm);
    if (!t) {
      warn("FHIR-DATE", std::string(where), "not an HL7 DTM; " + std::string(key) + " left out");
      return;
    }
    w.string(key, *t);
  }

  // XCN / XPN person name as one display text: family, given (SS-MIX2 writes kanji names).
  std::string person_name(const View& v, std::string_view raw, bool xcn) {
    std::string_view r = v.rep(raw, 0);
    std::string family = v.text(v.sub(v.comp(r, xcn ? 2 : 1), 1));
    std::string given = v.text(v.comp(r, xcn ? 3 : 2));
    if (!family.empty() && !given.empty()) return family + " " + given;
    return family.empty() ? given : family;
  }

  // --- emit -----------------------------------------------------------------------------------

  std::string id_for(std::string_view type, std::vector<std::string_view> parts) {
    std::vector<std::string_view> key{"smx-fhir/1", type, facility, patient};
    key.insert(key.end(), parts.begin(), parts.end());
    return make_id(key);
  }

  JsonWriter begin(std::string_view type, const std::string& id) {
    pending.push_back(Pending{type, id, {}, false});
    Pending& p = pending.back();
    p.json.reserve(1024);
    JsonWriter w(p.json);
    w.begin_object();
    w.string("resourceType", type);
    w.string("id", id);
    return w;
  }

  void flush_message() {
    int flag = record->ssmix2 ? record->ssmix2->flag : -1;
    // SS-MIX2 condition flag 0 = deleted, 2 = superseded history (SS §3.1): never written as
    // current data; their ids go to the delete list when asked.
    bool inactive = flag == 0 || flag == 2;
    if (inactive) ++counts.inactive;
    bool any = false;
    for (Pending& p : pending) {
      if (inactive || p.deleted) {
        sink.retired(p.type, p.id);
        continue;
      }
      sink.resource(p.type, p.id, p.json);
      any = true;
      ++counts.resources[std::string(p.type)];
    }
    if (any || (inactive && !pending.empty())) ++counts.messages;
    pending.clear();
  }

  // --- per message ----------------------------------------------------------------------------

  void convert(const Record& r) {
    record = &r;
    message = &r.message;
    const hl7::Message& m = r.message;
    View v{m, m.delimiters()};
    std::size_t msh = m.find_segment("MSH");
    std::string type = v.c(msh, 9, 1), event = v.c(msh, 9, 2);
    enum class Kind { none, patient_master, encounter, allergy, condition, medication, lab, vital_signs } kind = Kind::none;
    if (type == "ADT" && (event == "A08" || event == "A28" || event == "A31")) kind = Kind::patient_master;
    else if (type == "ADT" && (event == "A01" || event == "A03" || event == "A04" || event == "A11" || event == "A13"))
      kind = Kind::encounter;
    else if (type == "ADT" && event == "A60") kind = Kind::allergy;
    else if (type == "PPR") kind = Kind::condition;
    else if (type == "RDE" && event == "O11") kind = Kind::medication;
    else if (type == "OUL" && event == "R22") kind = Kind::lab;
    else if (type == "ORU" && event == "R30") kind = Kind::vital_signs;  // NHO extended-storage vitals (vitals.cpp)
    if (kind == Kind::none) {
      ++counts.unsupported;
      return;
    }
    // MSH-4 sending facility (HD.1, else HD.2) scopes every id.
    facility = v.c(msh, 4, 1);
    if (facility.empty()) facility = v.c(msh, 4, 2);
    std::size_t pid = m.find_segment("PID");
    patient = v.c(pid, 3, 1);
    if (patient.empty() && r.ssmix2) patient = r.ssmix2->patient;
    if (patient.empty()) {
      warn("FHIR-NO-PATIENT", "PID-3", "no patient ID in PID-3 or the SS-MIX2 file name; message not converted");
      return;
    }
    std::string sex_text = v.c(pid, 8, 1);
    sex = sex_text.size() == 1 ? sex_text[0] : 0;
    std::string patient_id = id_for("Patient", {});
    patient_ref = patient_id;
    // SS-MIX2 order number = ORC-2 (SS §3 field 4); OBR-2 when no ORC; the file name; MSH-10.
    std::size_t orc = m.find_segment("ORC");
    order = v.c(orc, 2, 1);
    if (order.empty()) order = v.c(m.find_segment("OBR"), 2, 1);
    if (order.empty() && r.ssmix2 && r.ssmix2->order != "999999999999999") order = r.ssmix2->order;
    if (order.empty()) order = "MSH-10:" + v.whole(msh, 10);

    switch (kind) {
      case Kind::patient_master: patient_resource(v, pid, patient_id); break;
      case Kind::encounter: encounter(v, event); break;
      case Kind::allergy: allergies(v); break;
      case Kind::condition: conditions(v); break;
      case Kind::medication: medications(v); break;
      case Kind::lab: lab(v); break;
      case Kind::vital_signs: detail::vital_signs(*this, v); break;
      case Kind::none: break;
    }
    flush_message();
  }

  // --- Patient (PID; ADT-00) ------------------------------------------------------------------

  void patient_resource(const View& v, std::size_t pid, const std::string& id) {
    JsonWriter w = begin("Patient", id);
    // [V2F PID-3] identifier; JP Core patient-ID namespace when MSH-4 is a 10-digit
    // medical-institution code (urn:oid:1.2.392.100495.20.3.51.1 + code).
    w.begin_array("identifier");
    w.begin_object();
    if (facility.size() == 10 && std::all_of(facility.begin(), facility.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
      w.string("system", "urn:oid:1.2.392.100495.20.3.51.1" + facility);
    w.string("value", patient);
    w.end_object();
    w.end_array();
    // [V2F PID-5] name; SS-MIX2 repeats kanji (XPN.8 I) and kana (P) (SS §5); JP Core marks them
    // with the iso21090-EN-representation extension (IDE / SYL).
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
    // [V2F PID-13/14] telecom
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
    // [V2F PID-8] administrative gender (table 0001)
    std::string sex_code = v.c(pid, 8, 1);
    w.string("gender", sex_code == "M" ? "male" : sex_code == "F" ? "female" : sex_code == "O" || sex_code == "A" ? "other" : sex_code == "U" ? "unknown" : "");
    std::string birth = v.c(pid, 7, 1);
    if (!birth.empty()) {
      if (auto d = dtm_to_date(birth)) w.string("birthDate", *d);
      else warn("FHIR-DATE", "PID-7", "not an HL7 date; birthDate left out");
    }
    // [V2F PID-29/30] deceased
    std::string death = v.c(pid, 29, 1);
    if (!death.empty()) date_time(w, "deceasedDateTime", death, "PID-29");
    else if (v.c(pid, 30, 1) == "Y") w.boolean("deceasedBoolean", true);
    // [V2F PID-11] address; SS-MIX2 puts the whole address text in XAD.8 (SS §6.5 samples).
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
    w.end_object();
  }

  // --- Encounter (PV1; ADT-12 A04, ADT-22 A01/A11, ADT-52 A03/A13) ------------------------------

  void encounter(const View& v, std::string_view event) {
    std::size_t pv1 = message->find_segment("PV1");
    if (pv1 == hl7::Message::npos) return;
    // Key: visit number PV1-19; else admit time PV1-44 (the same in admission and discharge
    // messages); else this message's SS-MIX2 key.
    std::string visit = v.c(pv1, 19, 1), admit = v.c(pv1, 44, 1);
    std::string key = !visit.empty() ? "PV1-19:" + visit : !admit.empty() ? "PV1-44:" + admit : "order:" + order;
    std::string id = id_for("Encounter", {key});
    JsonWriter w = begin("Encounter", id);
    if (!visit.empty()) {
      w.begin_array("identifier");
      w.begin_object();
      simple_coding_concept(w, "type", kIdentifierType, "VN");
      w.string("value", visit);
      w.end_object();
      w.end_array();
    }
    // Departure: the ADT message maps give status by trigger event; SS-MIX2 types are
    // registration (A04 arrived), admission (A01 in-progress), discharge (A03 finished) and their
    // cancels (A11 cancelled, A13 back to in-progress).
    std::string_view status = event == "A04" ? "arrived" : event == "A01" ? "in-progress" : event == "A03" ? "finished"
                              : event == "A11" ? "cancelled" : "in-progress";
    w.string("status", status);
    // [V2F PV1-2] class (table 0004 -> v3 ActCode)
    std::string pclass = v.c(pv1, 2, 1);
    w.begin_object("class");
    if (pclass == "I" || pclass == "B") {
      w.string("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
      w.string("code", "IMP");
      w.string("display", "inpatient encounter");
    } else if (pclass == "O" || pclass == "R") {
      w.string("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
      w.string("code", "AMB");
      w.string("display", "ambulatory");
    } else if (pclass == "E") {
      w.string("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
      w.string("code", "EMER");
      w.string("display", "emergency");
    } else if (pclass == "P") {
      w.string("system", "http://terminology.hl7.org/CodeSystem/v3-ActCode");
      w.string("code", "PRENC");
      w.string("display", "pre-admission");
    } else {
      w.string("system", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor");
      w.string("code", "UNK");
    }
    w.end_object();
    reference(w, "subject", "Patient", patient_ref);
    // [V2F PV1-7] attending doctor as participant (display only: no Practitioner resources)
    std::string doctor = person_name(v, v.field(pv1, 7), true);
    if (!doctor.empty()) {
      w.begin_array("participant");
      w.begin_object();
      w.begin_array("type");
      w.begin_object();
      w.begin_array("coding");
      w.begin_object();
      w.string("system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType");
      w.string("code", "ATND");
      w.end_object();
      w.end_array();
      w.end_object();
      w.end_array();
      w.begin_object("individual");
      w.string("display", doctor);
      w.end_object();
      w.end_object();
      w.end_array();
    }
    // [V2F PV1-44/45] period
    w.begin_object("period");
    date_time(w, "start", admit, "PV1-44");
    date_time(w, "end", v.c(pv1, 45, 1), "PV1-45");
    w.end_object();
    // [V2F PV1-3] assigned location as display text
    std::string_view loc = v.rep(v.field(pv1, 3), 0);
    std::string location;
    for (std::size_t c : {1, 2, 3}) {
      std::string part = v.text(v.sub(v.comp(loc, c), 1));
      if (part.empty()) continue;
      if (!location.empty()) location += "-";
      location += part;
    }
    if (!location.empty()) {
      w.begin_array("location");
      w.begin_object();
      w.begin_object("location");
      w.string("display", location);
      w.end_object();
      w.end_object();
      w.end_array();
    }
    w.end_object();
  }

  // --- AllergyIntolerance (IAM; ADT-61) -------------------------------------------------------

  void allergies(const View& v) {
    std::unordered_map<std::string, int> seen;
    for (std::size_t i = 0; i < message->segment_count(); ++i) {
      if (message->segment_id(i) != "IAM") continue;
      Cwe allergen = read_cwe(v, v.rep(v.field(i, 3), 0));
      std::string uid = v.c(i, 7, 1);
      std::string key = !uid.empty() ? "IAM-7:" + uid : "IAM-3:" + (!allergen.code.empty() ? allergen.code : allergen.display);
      key += "#" + std::to_string(seen[key]++);
      std::string id = id_for("AllergyIntolerance", {key});
      JsonWriter w = begin("AllergyIntolerance", id);
      // IAM-6 allergy action code (table 0323): D = delete.
      if (v.c(i, 6, 1) == "D") pending.back().deleted = true;
      if (!uid.empty()) {
        w.begin_array("identifier");
        w.begin_object();
        w.string("value", uid);
        w.end_object();
        w.end_array();
      }
      // ait-1: clinicalStatus is required unless entered-in-error; an SS-MIX2 allergy record
      // is current while its file is current.
      simple_coding_concept(w, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active");
      // IAM-2 allergen type (table 0127)
      std::string type = v.c(i, 2, 1);
      std::string_view category = type == "DA" ? "medication" : type == "FA" ? "food"
                                  : (type == "EA" || type == "LA" || type == "AA" || type == "PA") ? "environment" : "";
      if (type.size() == 2 && type[1] == 'A') w.string("type", "allergy");
      w.begin_array("category");
      w.string_element(category);
      w.end_array();
      codeable_concept(w, "code", allergen, true);
      reference(w, "patient", "Patient", patient_ref);
      std::string onset = v.c(i, 11, 1);
      date_time(w, "onsetDateTime", onset, "IAM-11");
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

  // --- Condition (PRB; PPR-01) ----------------------------------------------------------------

  static std::string icd10_with_dot(std::string code) {
    // http://hl7.org/fhir/sid/icd-10 codes carry the dot after the category (K29.7); SS-MIX2
    // writes K297 (SS §6.5).
    if (code.size() > 3 && code.find('.') == std::string::npos) code.insert(3, ".");
    return code;
  }

  void conditions(const View& v) {
    std::unordered_map<std::string, int> seen;
    for (std::size_t i = 0; i < message->segment_count(); ++i) {
      if (message->segment_id(i) != "PRB") continue;
      Cwe problem = read_cwe(v, v.rep(v.field(i, 3), 0));
      std::string instance = v.c(i, 4, 1);
      std::string key = !instance.empty() ? "PRB-4:" + instance : "PRB-3:" + problem.code + "/" + v.c(i, 7, 1);
      key += "#" + std::to_string(seen[key]++);
      JsonWriter w = begin("Condition", id_for("Condition", {key}));
      // PRB-1 action code (table 0287): DE = delete.
      if (v.c(i, 1, 1) == "DE") pending.back().deleted = true;
      if (!instance.empty()) {
        w.begin_array("identifier");
        w.begin_object();
        w.string("value", instance);
        w.end_object();
        w.end_array();
      }
      // Departure: clinicalStatus from PRB-9 (resolution date) and PRB-14 (outcome, table 0241):
      // resolved when recovered (R), else inactive when a resolution date exists, else active.
      std::string resolved_at = v.c(i, 9, 1), outcome = v.c(i, 14, 1);
      std::string_view clinical = resolved_at.empty() ? "active" : outcome == "R" ? "resolved" : "inactive";
      simple_coding_concept(w, "clinicalStatus", "http://terminology.hl7.org/CodeSystem/condition-clinical", clinical);
      w.begin_array("category");
      w.begin_object();
      w.begin_array("coding");
      w.begin_object();
      w.string("system", "http://terminology.hl7.org/CodeSystem/condition-category");
      w.string("code", "problem-list-item");
      w.end_object();
      w.end_array();
      w.end_object();
      w.end_array();
      // code: PRB-3 (MEDIS 病名管理番号, MDCDX2) and PRB-10 triplet 1 (ICD-10); PRB-10.4-6 is the
      // diagnosis type (JHSD0004), not an alternate code.
      Cwe icd = read_cwe(v, v.rep(v.field(i, 10), 0));
      w.begin_object("code");
      w.begin_array("coding");
      coding(w, problem.code, problem.display, problem.system);
      coding(w, problem.alt_code, problem.alt_display, problem.alt_system);
      if (!icd.code.empty()) coding(w, icd.system == "I10" ? icd10_with_dot(icd.code) : icd.code, icd.display, icd.system);
      w.end_array();
      std::string text = !problem.display.empty() ? problem.display : v.whole(i, 17);
      if (text.empty()) text = icd.display;
      w.string("text", text);
      w.end_object();
      reference(w, "subject", "Patient", patient_ref);
      date_time(w, "onsetDateTime", v.c(i, 16, 1), "PRB-16");  // [V2F PRB-16]
      if (clinical != "active") date_time(w, "abatementDateTime", resolved_at, "PRB-9");  // con-4
      date_time(w, "recordedDate", v.c(i, 7, 1), "PRB-7");  // [V2F PRB-7]
      w.end_object();
    }
  }

  // --- MedicationRequest (ORC + RXE [TQ1] [RXR]; OMP-01/02 RDE^O11) ---------------------------

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

  void quantity_with_code(JsonWriter& w, std::string_view key, const std::string& value, const Cwe& unit) {
    if (!is_json_number(value)) return;
    w.begin_object(key);
    w.number("value", value);
    w.string("unit", !unit.display.empty() ? unit.display : unit.code);
    std::string system = unit.code.empty() ? std::string() : code_system_uri(unit.system, options.jp_core);
    if (!system.empty() && is_code(unit.code)) {
      w.string("system", system);
      w.string("code", unit.code);
    }
    w.end_object();
  }

  void medications(const View& v) {
    std::size_t current_orc = hl7::Message::npos;
    std::size_t n = 0;
    for (std::size_t i = 0; i < message->segment_count(); ++i) {
      std::string_view sid = message->segment_id(i);
      if (sid == "ORC") current_orc = i;
      if (sid != "RXE") continue;
      ++n;
      std::size_t tq1 = hl7::Message::npos, rxr = hl7::Message::npos;
      std::vector<std::size_t> rxc;
      for (std::size_t k = i + 1; k < message->segment_count(); ++k) {
        std::string_view s = message->segment_id(k);
        if (s == "ORC" || s == "RXE") break;
        if (s == "TQ1" && tq1 == hl7::Message::npos) tq1 = k;
        if (s == "RXR" && rxr == hl7::Message::npos) rxr = k;
        if (s == "RXC") rxc.push_back(k);
      }
      std::string placer = v.c(current_orc, 2, 1);
      if (placer.empty()) placer = order;
      // Key: order number + position of the RXE in the message (an RDE^O11 carries the whole order).
      JsonWriter w = begin("MedicationRequest", id_for("MedicationRequest", {placer, std::to_string(n)}));
      w.begin_array("identifier");
      w.begin_object();
      simple_coding_concept(w, "type", kIdentifierType, "PLAC");
      w.string("value", placer);
      w.end_object();
      w.end_array();
      // ORC-1 order control (table 0119)
      std::string control = v.c(current_orc, 1, 1);
      std::string_view status = (control == "CA" || control == "OC" || control == "CR") ? "cancelled"
                                : (control == "DC" || control == "OD" || control == "DR") ? "stopped" : "active";
      // Injections (OMP-02) list the mixed drugs in RXC (B base, A additive) and put the
      // injection kind in RXE-2: the drugs become a contained Medication with ingredients
      // [V2F RXC -> Medication.ingredient]; RXE-2 stays as the category.
      if (!rxc.empty()) {
        w.begin_array("contained");
        w.begin_object();
        w.string("resourceType", "Medication");
        w.string("id", "medication");
        w.begin_array("ingredient");
        for (std::size_t k : rxc) {
          w.begin_object();
          Cwe item = read_cwe(v, v.rep(v.field(k, 2), 0));
          if (item.empty()) item.original_text = "unknown";
          codeable_concept(w, "itemCodeableConcept", item, true);
          w.boolean("isActive", true);
          std::string amount = v.c(k, 3, 1);
          if (is_json_number(amount)) {
            Cwe unit = read_cwe(v, v.rep(v.field(k, 4), 0));
            w.begin_object("strength");
            quantity_with_code(w, "numerator", amount, unit);
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
      w.string("status", status);
      w.string("intent", "order");
      Cwe drug = read_cwe(v, v.rep(v.field(i, 2), 0));
      if (!rxc.empty()) {
        w.begin_array("category");
        w.begin_object();
        codeable_concept_members(w, drug);
        w.end_object();
        w.end_array();
        w.begin_object("medicationReference");
        w.string("reference", "#medication");
        w.end_object();
      } else {
        if (drug.empty()) drug.original_text = "unknown";
        codeable_concept(w, "medicationCodeableConcept", drug, true);
      }
      reference(w, "subject", "Patient", patient_ref);
      date_time(w, "authoredOn", v.c(current_orc, 9, 1), "ORC-9");
      std::string requester = person_name(v, v.field(current_orc, 12), true);
      if (!requester.empty()) {
        w.begin_object("requester");
        w.string("display", requester);
        w.end_object();
      }
      w.begin_array("dosageInstruction");
      w.begin_object();
      // TQ1-3 repeat pattern (RPT): RPT.1 is a CWE, in subcomponents.
      std::string_view pattern = v.rep(v.field(tq1, 3), 0);
      Cwe usage = v.comp(pattern, 2).empty() && v.comp(pattern, 1).find(v.d.subcomponent) != std::string_view::npos
                      ? read_cwe_subcomponents(v, v.comp(pattern, 1))
                      : read_cwe(v, pattern);
      w.string("text", usage.display);
      w.begin_object("timing");
      w.begin_object("repeat");
      w.begin_object("boundsPeriod");
      date_time(w, "start", v.c(tq1, 7, 1), "TQ1-7");
      w.end_object();
      w.end_object();
      codeable_concept(w, "code", usage);
      w.end_object();
      codeable_concept(w, "route", read_cwe(v, v.rep(v.field(rxr, 1), 0)));
      Cwe give_unit = read_cwe(v, v.rep(v.field(i, 5), 0));
      w.begin_array("doseAndRate");
      w.begin_object();
      quantity_with_code(w, "doseQuantity", v.c(i, 3, 1), give_unit);
      w.end_object();
      w.end_array();
      w.end_object();
      w.end_array();
      w.begin_object("dispenseRequest");
      quantity_with_code(w, "quantity", v.c(i, 10, 1), read_cwe(v, v.rep(v.field(i, 11), 0)));
      // TQ1-6 service duration (CQ: quantity^units)
      duration(w, "expectedSupplyDuration", v.c(tq1, 6, 1), v.text(v.sub(v.comp(v.rep(v.field(tq1, 6), 0), 2), 1)));
      w.end_object();
      w.end_object();
    }
  }

  // --- OUL^R22 lab: Specimen (SPM), DiagnosticReport (OBR), Observation (OBX) -------------------

  struct ObservationGroup {
    std::size_t obr = hl7::Message::npos;
    std::size_t orc = hl7::Message::npos;
    Lab lab;
    std::string report_id;
    std::vector<std::size_t> obx;
    std::vector<std::string> observation_ids;
  };

  void lab(const View& v) {
    std::vector<ObservationGroup> groups;
    Lab current;
    std::size_t spm_count = 0;
    ObservationGroup* group = nullptr;
    std::size_t pending_orc = hl7::Message::npos;
    for (std::size_t i = 0; i < message->segment_count(); ++i) {
      std::string_view sid = message->segment_id(i);
      if (sid == "SPM") {
        ++spm_count;
        current = Lab{};
        current.spm = i;
        std::string spm_id = v.c(i, 2, 1);
        current.specimen_key = !spm_id.empty() ? "SPM-2:" + spm_id : "order:" + order + "#SPM" + std::to_string(spm_count);
        current.specimen_id = id_for("Specimen", {current.specimen_key});
        specimen(v, current);
        groups.push_back(ObservationGroup{});  // OBX directly under SPM (specimen observations)
        groups.back().lab = current;
        group = &groups.back();
      } else if (sid == "OBR") {
        groups.push_back(ObservationGroup{});
        group = &groups.back();
        group->obr = i;
        group->orc = pending_orc;
        group->lab = current;
        pending_orc = hl7::Message::npos;
      } else if (sid == "ORC") {
        // OUL_R22 puts ORC after OBR (SS §6.1); some senders put it before.
        if (group && group->obr != hl7::Message::npos && group->orc == hl7::Message::npos && group->obx.empty())
          group->orc = i;
        else
          pending_orc = i;
      } else if (sid == "OBX") {
        if (!group) {
          groups.push_back(ObservationGroup{});
          group = &groups.back();
        }
        group->obx.push_back(i);
      }
    }
    // Ids first, in message order (report ids; observation ids depend on the report code), so that
    // microbiology links can point forward; then observations, then reports.
    std::unordered_map<std::string, int> seen_reports, seen_observations;
    std::vector<std::string> group_orders, report_codes, observation_ids(message->segment_count());
    std::vector<detail::ObxGroup> obx_groups;
    for (ObservationGroup& g : groups) {
      std::string report_code = v.c(g.obr, 4, 1), report_alt = v.c(g.obr, 4, 4);
      std::string group_order = v.c(g.orc, 2, 1);
      if (group_order.empty()) group_order = v.c(g.obr, 2, 1);
      if (group_order.empty()) group_order = order;
      if (g.obr != hl7::Message::npos) {
        std::string key = group_order + "|" + report_code + "|" + report_alt + "|" + g.lab.specimen_key;
        key += "#" + std::to_string(seen_reports[key]++);
        g.report_id = id_for("DiagnosticReport", {key});
      }
      for (std::size_t obx : g.obx)
        observation_ids[obx] = observation_id(v, g, obx, group_order, report_code, seen_observations);
      group_orders.push_back(std::move(group_order));
      report_codes.push_back(std::move(report_code));
      obx_groups.push_back(detail::ObxGroup{g.obr, g.obx});
    }
    // Culture results: organism and quantity rows of one OBX-4 become one Observation, OBR-26
    // susceptibilities its hasMember (microbiology.cpp).
    detail::MicrobiologyPlan plan = detail::plan_microbiology(*this, v, obx_groups, observation_ids);
    for (std::size_t k = 0; k < groups.size(); ++k) {
      ObservationGroup& g = groups[k];
      for (std::size_t obx : g.obx) {
        if (plan.absorbed.count(obx)) continue;
        observation(v, g, obx, group_orders[k], report_codes[k], observation_ids[obx], plan);
        g.observation_ids.push_back(observation_ids[obx]);
      }
      if (g.obr != hl7::Message::npos) report(v, g);
    }
  }

  void specimen(const View& v, const Lab& s) {
    JsonWriter w = begin("Specimen", s.specimen_id);
    // [V2F SPM-2] identifier (placer / filler assigned)
    w.begin_array("identifier");
    for (std::size_t c : {1, 2}) {
      std::string value = v.text(v.sub(v.comp(v.rep(v.field(s.spm, 2), 0), c), 1));
      if (value.empty()) continue;
      w.begin_object();
      w.string("value", value);
      w.end_object();
    }
    w.end_array();
    codeable_concept(w, "type", read_cwe(v, v.rep(v.field(s.spm, 4), 0)));  // [V2F SPM-4]
    reference(w, "subject", "Patient", patient_ref);
    date_time(w, "receivedTime", v.c(s.spm, 18, 1), "SPM-18");  // [V2F SPM-18]
    // [V2F SPM-17] collectedDateTime, or collectedPeriod when SPM-17.2 is valued
    std::string start = v.c(s.spm, 17, 1), end = v.c(s.spm, 17, 2);
    w.begin_object("collection");
    if (end.empty()) {
      date_time(w, "collectedDateTime", start, "SPM-17");
    } else {
      w.begin_object("collectedPeriod");
      date_time(w, "start", start, "SPM-17.1");
      date_time(w, "end", end, "SPM-17.2");
      w.end_object();
    }
    codeable_concept(w, "bodySite", read_cwe(v, v.rep(v.field(s.spm, 8), 0)));  // [V2F SPM-8]
    w.end_object();
    w.end_object();
  }

  void report(const View& v, const ObservationGroup& g) {
    JsonWriter w = begin("DiagnosticReport", g.report_id);
    // [V2F OBR-2/OBR-3] placer / filler identifiers
    w.begin_array("identifier");
    for (auto [f, type] : {std::pair<std::size_t, std::string_view>{2, "PLAC"}, {3, "FILL"}}) {
      std::string value = v.c(g.obr, f, 1);
      if (value.empty()) value = v.c(g.orc, f, 1);
      if (value.empty()) continue;
      w.begin_object();
      simple_coding_concept(w, "type", kIdentifierType, type);
      w.string("value", value);
      w.end_object();
    }
    w.end_array();
    // [V2F OBR-25] status (table 0123). Departure: SS-MIX2 senders often leave OBR-25 empty; then
    // the status comes from the OBX-11 of the group (all final -> final, any preliminary ->
    // preliminary, no results -> registered, else unknown).
    std::string obr25 = v.c(g.obr, 25, 1);
    std::string_view status;
    if (obr25 == "F") status = "final";
    else if (obr25 == "P") status = "preliminary";
    else if (obr25 == "C") status = "corrected";
    else if (obr25 == "A" || obr25 == "R") status = "partial";
    else if (obr25 == "X") status = "cancelled";
    else if (obr25 == "O" || obr25 == "I" || obr25 == "S") status = "registered";
    else {
      bool all_final = !g.obx.empty(), any_preliminary = false;
      for (std::size_t obx : g.obx) {
        std::string_view s = observation_status(v.c(obx, 11, 1));
        if (s != "final" && s != "corrected" && s != "amended") all_final = false;
        if (s == "preliminary") any_preliminary = true;
      }
      status = g.obx.empty() ? "registered" : all_final ? "final" : any_preliminary ? "preliminary" : "unknown";
    }
    w.string("status", status);
    // [V2F OBR-24] category; LAB (table 0074) for OUL^R22 when OBR-24 is empty.
    std::string section = v.c(g.obr, 24, 1);
    w.begin_array("category");
    w.begin_object();
    w.begin_array("coding");
    w.begin_object();
    w.string("system", "http://terminology.hl7.org/CodeSystem/v2-0074");
    w.string("code", section.empty() || !is_code(section) ? "LAB" : section);
    w.end_object();
    w.end_array();
    w.end_object();
    w.end_array();
    Cwe code = read_cwe(v, v.rep(v.field(g.obr, 4), 0));
    if (code.empty()) code.original_text = "unknown";
    codeable_concept(w, "code", code, true);  // [V2F OBR-4]
    reference(w, "subject", "Patient", patient_ref);
    // [V2F OBR-7/OBR-8] effectiveDateTime, or effectivePeriod when OBR-8 is valued
    std::string start = v.c(g.obr, 7, 1), end = v.c(g.obr, 8, 1);
    if (end.empty()) {
      date_time(w, "effectiveDateTime", start, "OBR-7");
    } else {
      w.begin_object("effectivePeriod");
      date_time(w, "start", start, "OBR-7");
      date_time(w, "end", end, "OBR-8");
      w.end_object();
    }
    // [V2F OBR-22] issued (instant: seconds zero-filled; day precision is left out)
    std::string issued = v.c(g.obr, 22, 1);
    if (!issued.empty()) {
      if (auto t = dtm_to_instant(issued)) w.string("issued", *t);
      else warn("FHIR-DATE", "OBR-22", "OBR-22 is not an HL7 DTM to the minute; issued left out");
    }
    if (!g.lab.specimen_id.empty()) {
      w.begin_array("specimen");
      reference_element(w, "Specimen", g.lab.specimen_id);
      w.end_array();
    }
    w.begin_array("result");
    for (const std::string& id : g.observation_ids) reference_element(w, "Observation", id);
    w.end_array();
    w.end_object();
  }

  void reference_element(JsonWriter& w, std::string_view type, std::string_view id) {
    w.begin_object();
    scratch.assign(type).append("/").append(id);
    w.string("reference", scratch);
    w.end_object();
  }

  // Quantity parts shared by value and reference range (UF §5.3): unit = OBX-6 text; system and
  // code only when OBX-6 names UCUM (labnorm writes UCUM^text^UCUM) [V2F CWE(Quantity)].
  using Unit = detail::Unit;

  void quantity_body(JsonWriter& w, std::string_view number, lab::Comparator comparator, const Unit& unit) {
    w.number("value", number);
    w.string("comparator", lab::comparator_text(comparator));
    w.string("unit", unit.text);
    if (!unit.code.empty()) {
      w.string("system", kUcum);
      w.string("code", unit.code);
    }
  }

  static std::string number_text(const lab::Value& value) {
    lab::Value plain = lab::apply_exponent(value);
    return plain.number_text;
  }

  void limit(JsonWriter& w, std::string_view key, const lab::Limit& l, const Unit& unit) {
    // FHIR low/high are inclusive (UF §4.2): an exclusive limit (<x, x未満) stays in text only.
    if (!l.present || !l.inclusive || !is_json_number(l.text)) return;
    w.begin_object(key);
    quantity_body(w, l.text, lab::Comparator::none, unit);
    w.end_object();
  }

  void range_row(JsonWriter& w, const lab::Interval& in, const Unit& unit, std::string_view applies_to,
                 const std::string& text) {
    w.begin_object();
    if (in.kind == lab::RangeKind::interval || in.kind == lab::RangeKind::lower || in.kind == lab::RangeKind::upper) {
      limit(w, "low", in.low, unit);
      limit(w, "high", in.high, unit);
    }
    if (!applies_to.empty()) {
      w.begin_array("appliesTo");
      w.begin_object();
      w.begin_array("coding");
      w.begin_object();
      w.string("system", "http://hl7.org/fhir/administrative-gender");
      w.string("code", applies_to);
      w.end_object();
      w.end_array();
      w.end_object();
      w.end_array();
    }
    w.string("text", text);  // obs-3: low, high or text; the sender's text is always kept
    w.end_object();
  }

  std::string observation_id(const View& v, const ObservationGroup& g, std::size_t obx, const std::string& group_order,
                             const std::string& report_code, std::unordered_map<std::string, int>& seen) {
    Cwe code = read_cwe(v, v.rep(v.field(obx, 3), 0));
    // Id key code: the local code (the triplet not named JC10/JC11), else the JLAC10 code.
    // labnorm moves a local code from CWE.1 to CWE.4 and puts JLAC10 first; keying on the local
    // code keeps the same id before and after labnorm.
    std::string key_code;
    if (!code.code.empty() && !is_jlac(code.system)) key_code = code.system + ":" + code.code;
    else if (!code.alt_code.empty() && !is_jlac(code.alt_system)) key_code = code.alt_system + ":" + code.alt_code;
    else key_code = code.code.empty() ? code.alt_code : code.code;
    std::string key = group_order + "|" + report_code + "|" + g.lab.specimen_key + "|" + key_code + "|" + v.c(obx, 4, 1);
    key += "#" + std::to_string(seen[key]++);
    return id_for("Observation", {key});
  }

  void observation(const View& v, const ObservationGroup& g, std::size_t obx, const std::string& group_order,
                   const std::string& report_code, const std::string& id, const detail::MicrobiologyPlan& plan) {
    Cwe code = read_cwe(v, v.rep(v.field(obx, 3), 0));
    std::string sub_id = v.c(obx, 4, 1);
    JsonWriter w = begin("Observation", id);
    bool lab_profile = !g.lab.specimen_id.empty();
    if (lab_profile) {
      w.begin_object("meta");
      w.begin_array("profile");
      w.string_element(kJpLabProfile);
      w.end_array();
      w.end_object();
    }
    // [JP-LAB] identifier recommendation [ORC-2]_[OBR-4]_[SPM-4]_[OBX-3](_[OBX-4])
    std::string ident = group_order + "_" + report_code + "_" + v.c(g.lab.spm, 4, 1) + "_" +
                        (code.code.empty() ? code.alt_code : code.code);
    if (!sub_id.empty()) ident += "_" + sub_id;
    w.begin_array("identifier");
    w.begin_object();
    w.string("value", ident);
    w.end_object();
    w.end_array();
    // [V2F OBX-11] status
    std::string obx11 = v.c(obx, 11, 1);
    std::string_view status = observation_status(obx11);
    if (status.empty()) {
      warn("FHIR-STATUS", "OBX-11", obx11.empty() ? "OBX-11 empty; status unknown" : "OBX-11 not in table 0085; status unknown");
      status = "unknown";
    }
    w.string("status", status);
    // [JP-LAB] category[first] = JP_SimpleObservationCategory_CS#laboratory
    w.begin_array("category");
    w.begin_object();
    w.begin_array("coding");
    w.begin_object();
    w.string("system", kJpLabCategory);
    w.string("code", "laboratory");
    w.end_object();
    w.end_array();
    w.end_object();
    w.end_array();
    // [V2F OBX-3] code; [JP-LAB] JLAC10 + local codings, code.text 1..
    if (code.empty()) code.original_text = "unknown";
    codeable_concept(w, "code", code, true);
    reference(w, "subject", "Patient", patient_ref);
    // [V2F OBX-14] effective; [JP-LAB] specimen collection time: OBX-14, SPM-17, OBR-7.
    std::string effective = v.c(obx, 14, 1);
    std::string where = "OBX-14";
    if (effective.empty()) effective = v.c(g.lab.spm, 17, 1), where = "SPM-17";
    if (effective.empty()) effective = v.c(g.obr, 7, 1), where = "OBR-7";
    date_time(w, "effectiveDateTime", effective, where);
    value(v, w, obx, status);
    tail_members(v, w, obx, g, plan.components_of(obx));
    detail::write_microbiology_members(*this, v, w, plan, obx);  // component, hasMember
    w.end_object();
  }

  // value[x], dataAbsentReason (written inside the open object)
  Unit obx_unit;
  lab::Value parsed_value;
  bool has_numeric_value = false;

  void value(const View& v, JsonWriter& w, std::size_t obx, std::string_view status) {
    std::string type = v.c(obx, 2, 1);
    std::string_view raw5 = v.field(obx, 5);
    std::string_view first = v.rep(raw5, 0);
    has_numeric_value = false;
    parsed_value = lab::Value{};
    // OBX-6 units [V2F CWE(Quantity)]: CWE.2 (or CWE.1) -> unit; UCUM code when CWE.3 (or CWE.6) is UCUM.
    Cwe unit = read_cwe(v, v.rep(v.field(obx, 6), 0));
    obx_unit.text = !unit.display.empty() ? unit.display : unit.code;
    obx_unit.code.clear();
    if (unit.system == "UCUM" && is_code(unit.code)) obx_unit.code = unit.code;
    else if (unit.alt_system == "UCUM" && is_code(unit.alt_code)) obx_unit.code = unit.alt_code;
    if (obx_unit.text.empty()) obx_unit.text = obx_unit.code;

    auto quantity = [&](const lab::Value& val) {
      std::string number = number_text(val);
      if (!is_json_number(number)) return false;
      w.begin_object("valueQuantity");
      quantity_body(w, number, val.comparator, obx_unit);
      w.end_object();
      has_numeric_value = true;
      return true;
    };
    if (type == "CWE" || type == "CE" || type == "CNE" || type == "CF") {
      codeable_concept(w, "valueCodeableConcept", read_cwe(v, first));  // [V2F OBX-5 CWE]
    } else if (type == "SN") {
      // [V2F OBX-5 SN]: comparator + number -> valueQuantity. Departure: ranges and ratios
      // (SN.3 '-', ':', '/') are valueString, since JP-LAB allows Quantity, CodeableConcept, string.
      std::string comparator = v.text(v.comp(first, 1)), number = v.text(v.comp(first, 2));
      std::string separator = v.text(v.comp(first, 3)), second = v.text(v.comp(first, 4));
      lab::Value val = lab::parse_value((comparator == "=" ? "" : comparator) + number);
      bool done = false;
      if (separator.empty() && second.empty() &&
          (val.kind == lab::ValueKind::numeric || val.kind == lab::ValueKind::inequality)) {
        parsed_value = val;
        done = quantity(val);
      }
      if (!done) {
        std::string text = comparator + number + separator + second;
        w.string("valueString", text);
      }
    } else if (type == "NM" || type.empty()) {
      // [V2F OBX-5 NM] valueQuantity. Japanese senders also write `<0.5`, `1.3E+2` in NM
      // (SS §8); lab::parse_value reads them; anything else stays text.
      std::string text = v.text(first);
      if (!text.empty()) {
        lab::Value val = lab::parse_value(text);
        bool done = false;
        if (val.kind == lab::ValueKind::numeric || val.kind == lab::ValueKind::inequality) {
          parsed_value = val;
          done = quantity(val);
        } else {
          parsed_value = val;
        }
        if (!done) {
          if (type == "NM") warn("FHIR-VALUE-TEXT", "OBX-5", "OBX-2 is NM but OBX-5 is not a number; written as valueString", Severity::note);
          w.string("valueString", text);
        }
      }
    } else {
      // ST, TX, FT and everything else: valueString, repetitions joined by line breaks [V2F OBX-5 ST].
      std::string text;
      for (std::size_t k = 0; k < hl7::count_pieces(raw5, v.d.repetition); ++k) {
        std::string piece = v.text(v.rep(raw5, k));
        if (piece.empty()) continue;
        if (!text.empty()) text.push_back('\n');
        text += piece;
      }
      if (type == "ST") parsed_value = lab::parse_value(text);
      w.string("valueString", text);
    }
    // [V2F OBX-11] X, N: dataAbsentReason when there is no value (obs-6).
    if (trim(raw5).empty() && status == "cancelled") {
      std::string obx11 = v.c(obx, 11, 1);
      simple_coding_concept(w, "dataAbsentReason", "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                            obx11 == "N" ? "not-asked" : "error");
    }
  }

  // interpretation, note, specimen, referenceRange; `note_rows`: further OBX whose NTE belong here
  // (the component rows of a microbiology group).
  void tail_members(const View& v, JsonWriter& w, std::size_t obx, const ObservationGroup& g,
                    const std::vector<std::size_t>& note_rows) {
    interpretation(v, w, obx);
    std::vector<std::size_t> rows{obx};
    rows.insert(rows.end(), note_rows.begin(), note_rows.end());
    notes(v, w, rows);
    // [V2F OBX-33] / [JP-LAB] specimen 1..
    if (!g.lab.specimen_id.empty()) reference(w, "specimen", "Specimen", g.lab.specimen_id);
    reference_range(v, w, obx);
  }

  void interpretation(const View& v, JsonWriter& iw, std::size_t obx) {
    // [V2F OBX-8] interpretation (table 0078 -> v3 ObservationInterpretation, [CM 0078])
    static const std::unordered_set<std::string_view> known = {
        "<", ">", "A", "AA", "B", "CAR", "D", "DET", "E", "EX", "EXP", "H", "HH", "HU", "I", "IE", "IND",
        "L", "LL", "LU", "MS", "N", "NCL", "ND", "NEG", "NR", "NS", "POS", "R", "RR", "S", "SDD", "SYN-R",
        "SYN-S", "U", "VS", "UNE", "W", "WR"};
    std::string_view raw8 = v.field(obx, 8);
    iw.begin_array("interpretation");
    for (std::size_t k = 0; k < hl7::count_pieces(raw8, v.d.repetition); ++k) {
      std::string flag = v.text(v.sub(v.comp(v.rep(raw8, k), 1), 1));
      if (flag.empty()) continue;
      iw.begin_object();
      if (known.count(flag)) {
        iw.begin_array("coding");
        iw.begin_object();
        iw.string("system", kInterpretation);
        iw.string("code", flag);
        iw.end_object();
        iw.end_array();
      } else {
        iw.string("text", flag);
      }
      iw.end_object();
    }
    if (trim(raw8).empty() && options.compute_flags && has_numeric_value) {
      lab::Range range = lab::parse_range(v.text(v.field(obx, 7)));
      lab::Flag f = lab::compute_flag(parsed_value, range, sex);
      std::string_view c = lab::flag_code(f);
      if (!c.empty()) {
        iw.begin_object();
        iw.begin_array("coding");
        iw.begin_object();
        iw.string("system", kInterpretation);
        iw.string("code", c);
        iw.end_object();
        iw.end_array();
        iw.string("text", "computed by smx from OBX-5 and OBX-7");
        iw.end_object();
      }
    }
    iw.end_array();
  }

  // [V2F NTE] note: NTE-3 after each OBX of `rows`
  void notes(const View& v, JsonWriter& iw, const std::vector<std::size_t>& rows) {
    iw.begin_array("note");
    for (std::size_t obx : rows) {
      for (std::size_t k = obx + 1; k < message->segment_count() && message->segment_id(k) == "NTE"; ++k) {
        std::string_view raw = v.field(k, 3);
        std::string text;
        for (std::size_t r = 0; r < hl7::count_pieces(raw, v.d.repetition); ++r) {
          std::string piece = v.text(v.rep(raw, r));
          if (piece.empty()) continue;
          if (!text.empty()) text.push_back('\n');
          text += piece;
        }
        if (text.empty()) continue;
        iw.begin_object();
        iw.string("text", text);
        iw.end_object();
      }
    }
    iw.end_array();
  }

  // [V2F OBX-7] referenceRange: parsed low/high (per sex) + the sender's text [UF §4.3].
  void reference_range(const View& v, JsonWriter& iw, std::size_t obx) {
    std::string range_text = v.text(v.field(obx, 7));
    if (range_text.empty()) return;
    lab::Range range = lab::parse_range(range_text);
    iw.begin_array("referenceRange");
    if (range.kind == lab::RangeKind::sex_specific) {
      if (range.male.kind != lab::RangeKind::empty) range_row(iw, range.male, obx_unit, "male", range_text);
      if (range.female.kind != lab::RangeKind::empty) range_row(iw, range.female, obx_unit, "female", range_text);
    } else {
      range_row(iw, range.all, obx_unit, "", range_text);
    }
    iw.end_array();
  }
};

Converter::Converter(Options options, ResourceSink& sink, DiagnosticSink& diagnostics)
    : impl_(std::make_unique<Impl>(options, sink, diagnostics, counts_)) {}
Converter::~Converter() = default;

void Converter::convert(const Record& record) { impl_->convert(record); }

std::vector<std::pair<std::string, std::string>> Converter::delete_list() const {
  return impl_->tracker ? impl_->tracker->delete_list() : std::vector<std::pair<std::string, std::string>>{};
}

}  // namespace smx::fhir
