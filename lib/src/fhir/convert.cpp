// HL7 v2.5 / SS-MIX2 messages -> FHIR R4 resources: the converter (message kind, patient, order
// number, ids, the resources of one message and the delete list); the mapping of each resource is
// in its own file (internal.hpp). Map rows cited as [V2F SEG-n] are from the HL7 v2-to-FHIR IG
// segment maps (../shared/corpus/v2-to-fhir/); departures are marked "departure" and listed in
// smx-fhir(1).
#include <algorithm>
#include <deque>
#include <unordered_set>

#include "fhir/internal.hpp"
#include "smx/fhir.hpp"
#include "smx/hl7.hpp"

namespace smx::fhir {

namespace {

using detail::Cwe;
using detail::is_code;
using detail::View;

// Characters allowed in a URN piece we build from a v2 name.
std::string urn_piece(std::string_view s) {
  std::string out;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (ascii::is_alnum(static_cast<char>(c)) || c == '-' || c == '.' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

struct Pending {
  std::string_view type;
  std::string id;
  std::string json;
  bool deleted = false;  // a deleting action code (PRB-1 DE, IAM-6 D)
};

enum class Kind { none, patient_master, encounter, allergy, condition, medication, lab, vital_signs };

// MSH-9 type^event -> what the message maps to.
Kind kind_of(std::string_view type, std::string_view event) {
  if (type == "ADT" && (event == "A08" || event == "A28" || event == "A31")) return Kind::patient_master;
  if (type == "ADT" && (event == "A01" || event == "A03" || event == "A04" || event == "A11" || event == "A13"))
    return Kind::encounter;
  if (type == "ADT" && event == "A60") return Kind::allergy;
  if (type == "PPR") return Kind::condition;
  if (type == "RDE" && event == "O11") return Kind::medication;
  if (type == "OUL" && event == "R22") return Kind::lab;
  if (type == "ORU" && event == "R30") return Kind::vital_signs;  // NHO extended-storage vitals (vitals.cpp)
  return Kind::none;
}

}  // namespace

std::string_view jlac10_system(JpCoreVersion v) {
  return v == JpCoreVersion::v1_1 ? "urn:oid:1.2.392.200119.4.504"
                                  : "http://medis.or.jp/CodeSystem/master-JLAC10-17digits";
}

std::string code_system_uri(std::string_view name, JpCoreVersion v) {
  if (name == "JC10") return std::string(jlac10_system(v));
  if (name == "LN") return "http://loinc.org";
  if (name == "UCUM") return std::string(detail::kUcum);
  if (name == "I10") return "http://hl7.org/fhir/sid/icd-10";
  if (name == "SCT") return "http://snomed.info/sct";
  // [JP-MED] JP Core medication terminology table.
  if (name == "HOT9") return "urn:oid:1.2.392.200119.4.403.1";
  if (name == "HOT7") return "urn:oid:1.2.392.200119.4.403.2";
  if (name == "HOT13") return "urn:oid:1.2.392.200119.4.402.1";
  if (name == "YJ") return "urn:oid:1.2.392.100495.20.1.73";
  if (name == "MR9P") return "urn:oid:1.2.392.100495.20.2.101";
  // HL7-defined tables: HL7nnnn -> terminology.hl7.org v2-nnnn.
  if (name.size() == 7 && name.substr(0, 3) == "HL7" && ascii::all_digits(name.substr(3)))
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
  std::string facility_, patient, patient_ref, order;
  char sex = 0;
  std::deque<Pending> pending;  // deque: writers keep references while others are added

  Impl(Options o, ResourceSink& s, DiagnosticSink& d, ConvertCounts& c)
      : tracker(), options(o), sink(o.track_deletes ? tracker.emplace(s) : s), diagnostics(d), counts(c) {}

  void warn(std::string code, std::string hl7_path, std::string text, Severity severity = Severity::warning) {
    diagnostics.report(Diagnostic{severity, std::move(code), record->location(std::move(hl7_path)), std::move(text)});
  }

  // --- detail::Host ---------------------------------------------------------------------------

  const Options& conversion_options() const override { return options; }
  const std::string& patient_id() const override { return patient_ref; }
  const std::string& patient_identifier() const override { return patient; }
  char patient_sex() const override { return sex; }
  const std::string& facility() const override { return facility_; }
  const std::string& order_number() const override { return order; }

  std::string resource_id(std::string_view type, const std::vector<std::string_view>& parts) override {
    std::vector<std::string_view> key{"smx-fhir/1", type, facility_, patient};
    key.insert(key.end(), parts.begin(), parts.end());
    return make_id(key);
  }

  JsonWriter begin_resource(std::string_view type, const std::string& id) override {
    pending.push_back(Pending{type, id, {}, false});
    Pending& p = pending.back();
    p.json.reserve(1024);
    JsonWriter w(p.json);
    w.begin_object();
    w.string("resourceType", type);
    w.string("id", id);
    return w;
  }

  void mark_deleted() override { pending.back().deleted = true; }

  void report(std::string code, std::string hl7_path, std::string text, Severity severity) override {
    warn(std::move(code), std::move(hl7_path), std::move(text), severity);
  }

  // CWE -> CodeableConcept [V2F CWE]: triplets 1-3 and 4-6 become codings, CWE.9 (or the first
  // display) the text. `require_text` gives a text even when only a code was sent (JP-LAB code.text 1..).
  void write_codeable_concept(JsonWriter& w, std::string_view key, const Cwe& c, bool require_text) override {
    if (c.empty()) return;
    w.begin_object(key);
    codings(w, c);
    std::string text = !c.original_text.empty() ? c.original_text : !c.display.empty() ? c.display : c.alt_display;
    if (text.empty() && require_text) text = !c.code.empty() ? c.code : c.alt_code;
    w.string("text", text);
    w.end_object();
  }

  void write_codeable_concept_members(JsonWriter& w, const Cwe& c) override {
    codings(w, c);
    w.string("text", !c.original_text.empty() ? c.original_text : !c.display.empty() ? c.display : c.alt_display);
  }

  void write_coding(JsonWriter& w, std::string_view code, std::string_view display, std::string_view system_name) override {
    if (code.empty() || !is_code(code)) return;
    detail::coding(w, {}, system_for(system_name, code), code, display);
  }

  void write_date_time(JsonWriter& w, std::string_view key, std::string_view dtm, std::string_view where) override {
    if (dtm.empty()) return;
    auto t = dtm_to_date_time(dtm);
    if (!t) {
      warn("FHIR-DATE", std::string(where), "not an HL7 DTM; " + std::string(key) + " left out");
      return;
    }
    w.string(key, *t);
  }

  // --- coded values ---------------------------------------------------------------------------

  void codings(JsonWriter& w, const Cwe& c) {
    w.begin_array("coding");
    write_coding(w, c.code, c.display, c.system);
    write_coding(w, c.alt_code, c.alt_display, c.alt_system);
    w.end_array();
  }

  std::string system_for(std::string_view name, std::string_view code) const {
    // SPM-4 carries the 3-digit JLAC10 material code with "JC10" (SS §6.2): not a 17-digit
    // JLAC10 code, so it does not get the JLAC10 system (departure: no registered URI known).
    if (name == "JC10" && code.size() != 17) return "urn:smx:cs:JC10-" + std::to_string(code.size());
    std::string uri = code_system_uri(name, options.jp_core);
    if (!uri.empty()) return uri;
    if (name.empty()) return {};
    // Local tables (99zzz, HL7 v2 §2.A.8) belong to the sending facility; other names to
    // national tables without a known URI. Departure: v2-to-FHIR leaves the URI to the implementer.
    if (name.size() >= 2 && name.substr(0, 2) == "99") return "urn:smx:local:" + urn_piece(facility_) + ":" + urn_piece(name);
    return "urn:smx:cs:" + urn_piece(name);
  }

  // --- per message ----------------------------------------------------------------------------

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

  void convert(const Record& r) {
    record = &r;
    const hl7::Message& m = r.message;
    View v{m, m.delimiters()};
    std::size_t msh = m.find_segment("MSH");
    std::string type = v.c(msh, 9, 1), event = v.c(msh, 9, 2);
    Kind kind = kind_of(type, event);
    if (kind == Kind::none) {
      ++counts.unsupported;
      return;
    }
    // MSH-4 sending facility (HD.1, else HD.2) scopes every id.
    facility_ = v.c(msh, 4, 1);
    if (facility_.empty()) facility_ = v.c(msh, 4, 2);
    std::size_t pid = m.find_segment("PID");
    patient = v.c(pid, 3, 1);
    if (patient.empty() && r.ssmix2) patient = r.ssmix2->patient;
    if (patient.empty()) {
      warn("FHIR-NO-PATIENT", "PID-3", "no patient ID in PID-3 or the SS-MIX2 file name; message not converted");
      return;
    }
    std::string sex_text = v.c(pid, 8, 1);
    sex = sex_text.size() == 1 ? sex_text[0] : 0;
    patient_ref = resource_id("Patient", {});
    // SS-MIX2 order number = ORC-2 (SS §3 field 4); OBR-2 when no ORC; the file name; MSH-10.
    order = v.c(m.find_segment("ORC"), 2, 1);
    if (order.empty()) order = v.c(m.find_segment("OBR"), 2, 1);
    if (order.empty() && r.ssmix2 && r.ssmix2->order != "999999999999999") order = r.ssmix2->order;
    if (order.empty()) order = "MSH-10:" + v.whole(msh, 10);

    switch (kind) {
      case Kind::patient_master: detail::write_patient(*this, v, pid); break;
      case Kind::encounter: detail::write_encounter(*this, v, event); break;
      case Kind::allergy: detail::write_allergies(*this, v); break;
      case Kind::condition: detail::write_conditions(*this, v); break;
      case Kind::medication: detail::write_medication_requests(*this, v); break;
      case Kind::lab: detail::write_lab_results(*this, v); break;
      case Kind::vital_signs: detail::write_vital_signs(*this, v); break;
      case Kind::none: break;
    }
    flush_message();
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
