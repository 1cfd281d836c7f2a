// Observation from OBX: the lab result of OUL^R22 (JP Core JP_Observation_LabResult, [JP-LAB]) and
// the OBX members every Observation shares (value[x], interpretation, referenceRange, note,
// status), which vitals.cpp and microbiology.cpp use too. [V2F OBX-n] rows of the v2-to-FHIR OBX map.
#include <unordered_set>

#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

constexpr std::string_view kJpLabCategory = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS";
constexpr std::string_view kJpLabProfile = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_LabResult";
constexpr std::string_view kInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

// OBX-6 units [V2F CWE(Quantity)]: CWE.2 (or CWE.1) -> unit; UCUM code when CWE.3 (or CWE.6) is UCUM.
// Quantity parts shared by value and reference range (UF §5.3): labnorm writes UCUM^text^UCUM.
Unit obx_unit(const View& v, std::size_t obx) {
  Cwe sent = read_cwe(v, obx, 6);
  Unit unit;
  unit.text = !sent.display.empty() ? sent.display : sent.code;
  if (sent.system == "UCUM" && is_code(sent.code)) unit.code = sent.code;
  else if (sent.alt_system == "UCUM" && is_code(sent.alt_code)) unit.code = sent.alt_code;
  if (unit.text.empty()) unit.text = unit.code;
  return unit;
}

// valueQuantity of a parsed number; false (nothing written) when its text is not a FHIR decimal.
bool value_quantity(JsonWriter& w, const lab::Value& value, const Unit& unit) {
  std::string number = lab::apply_exponent(value).number_text;
  if (!is_json_number(number)) return false;
  w.begin_object("valueQuantity");
  quantity_members(w, number, value.comparator, unit);
  w.end_object();
  return true;
}

bool is_number(const lab::Value& value) {
  return value.kind == lab::ValueKind::numeric || value.kind == lab::ValueKind::inequality;
}

// [V2F OBX-5 SN]: comparator + number -> valueQuantity. Departure: ranges and ratios (SN.3 '-',
// ':', '/') are valueString, since JP-LAB allows Quantity, CodeableConcept, string.
void structured_numeric(const View& v, JsonWriter& w, std::string_view first, ObxValue& out) {
  std::string comparator = v.text(v.comp(first, 1)), number = v.text(v.comp(first, 2));
  std::string separator = v.text(v.comp(first, 3)), second = v.text(v.comp(first, 4));
  lab::Value value = lab::parse_value((comparator == "=" ? "" : comparator) + number);
  if (separator.empty() && second.empty() && is_number(value) && value_quantity(w, value, out.unit)) {
    out.number = value;
    return;
  }
  w.string("valueString", comparator + number + separator + second);
}

void limit(JsonWriter& w, std::string_view key, const lab::Limit& l, const Unit& unit) {
  // FHIR low/high are inclusive (UF §4.2): an exclusive limit (<x, x未満) stays in text only.
  if (!l.present || !l.inclusive || !is_json_number(l.text)) return;
  w.begin_object(key);
  quantity_members(w, l.text, lab::Comparator::none, unit);
  w.end_object();
}

void range_row(JsonWriter& w, const lab::Interval& in, const Unit& unit, std::string_view applies_to,
               const std::string& text) {
  w.begin_object();
  if (in.kind == lab::RangeKind::interval || in.kind == lab::RangeKind::lower || in.kind == lab::RangeKind::upper) {
    limit(w, "low", in.low, unit);
    limit(w, "high", in.high, unit);
  }
  if (!applies_to.empty()) coding_concepts(w, "appliesTo", "http://hl7.org/fhir/administrative-gender", applies_to);
  w.string("text", text);  // obs-3: low, high or text; the sender's text is always kept
  w.end_object();
}

}  // namespace

ObxValue write_obx_value(Host& host, const View& v, JsonWriter& w, std::size_t obx, std::string_view status) {
  std::string type = v.c(obx, 2, 1);
  std::string_view raw5 = v.field(obx, 5);
  std::string_view first = v.rep(raw5, 0);
  ObxValue out;
  out.unit = obx_unit(v, obx);
  if (type == "CWE" || type == "CE" || type == "CNE" || type == "CF") {
    host.write_codeable_concept(w, "valueCodeableConcept", read_cwe(v, first), false);  // [V2F OBX-5 CWE]
  } else if (type == "SN") {
    structured_numeric(v, w, first, out);
  } else if (type == "NM" || type.empty()) {
    // [V2F OBX-5 NM] valueQuantity. Japanese senders also write `<0.5`, `1.3E+2` in NM
    // (SS §8); lab::parse_value reads them; anything else stays text.
    std::string text = v.text(first);
    if (!text.empty()) {
      lab::Value value = lab::parse_value(text);
      if (is_number(value) && value_quantity(w, value, out.unit)) {
        out.number = value;
      } else {
        if (type == "NM")
          host.report("FHIR-VALUE-TEXT", "OBX-5", "OBX-2 is NM but OBX-5 is not a number; written as valueString",
                      Severity::note);
        w.string("valueString", text);
      }
    }
  } else {
    // ST, TX, FT and everything else: valueString, repetitions joined by line breaks [V2F OBX-5 ST].
    w.string("valueString", v.lines(raw5));
  }
  // [V2F OBX-11] X, N: dataAbsentReason when there is no value (obs-6).
  if (trim(raw5).empty() && status == "cancelled")
    coding_concept(w, "dataAbsentReason", "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                   v.c(obx, 11, 1) == "N" ? "not-asked" : "error");
  return out;
}

void write_obx_interpretation(Host& host, const View& v, JsonWriter& w, std::size_t obx, const ObxValue& value) {
  // [V2F OBX-8] interpretation (table 0078 -> v3 ObservationInterpretation, [CM 0078])
  static const std::unordered_set<std::string_view> known = {
      "<", ">", "A", "AA", "B", "CAR", "D", "DET", "E", "EX", "EXP", "H", "HH", "HU", "I", "IE", "IND",
      "L", "LL", "LU", "MS", "N", "NCL", "ND", "NEG", "NR", "NS", "POS", "R", "RR", "S", "SDD", "SYN-R",
      "SYN-S", "U", "VS", "UNE", "W", "WR"};
  std::string_view raw8 = v.field(obx, 8);
  w.begin_array("interpretation");
  for (std::size_t k = 0; k < hl7::count_pieces(raw8, v.d.repetition); ++k) {
    std::string flag = v.text(v.sub(v.comp(v.rep(raw8, k), 1), 1));
    if (flag.empty()) continue;
    if (known.count(flag)) {
      coding_concept(w, {}, kInterpretation, flag);
    } else {
      w.begin_object();
      w.string("text", flag);
      w.end_object();
    }
  }
  if (trim(raw8).empty() && host.conversion_options().compute_flags && value.number) {
    lab::Range range = lab::parse_range(v.text(v.field(obx, 7)));
    std::string_view code = lab::flag_code(lab::compute_flag(*value.number, range, host.patient_sex()));
    if (!code.empty()) coding_concept(w, {}, kInterpretation, code, {}, "computed by smx from OBX-5 and OBX-7");
  }
  w.end_array();
}

// [V2F NTE] note: NTE-3 after each OBX of `rows`
void write_obx_notes(const View& v, JsonWriter& w, const std::vector<std::size_t>& rows) {
  w.begin_array("note");
  for (std::size_t obx : rows) {
    for (std::size_t k = obx + 1; k < v.m.segment_count() && v.m.segment_id(k) == "NTE"; ++k) {
      std::string text = v.lines(v.field(k, 3));
      if (text.empty()) continue;
      w.begin_object();
      w.string("text", text);
      w.end_object();
    }
  }
  w.end_array();
}

// [V2F OBX-7] referenceRange: parsed low/high (per sex) + the sender's text [UF §4.3].
void write_obx_reference_range(const View& v, JsonWriter& w, std::size_t obx, const Unit& unit) {
  std::string range_text = v.text(v.field(obx, 7));
  if (range_text.empty()) return;
  lab::Range range = lab::parse_range(range_text);
  w.begin_array("referenceRange");
  if (range.kind == lab::RangeKind::sex_specific) {
    if (range.male.kind != lab::RangeKind::empty) range_row(w, range.male, unit, "male", range_text);
    if (range.female.kind != lab::RangeKind::empty) range_row(w, range.female, unit, "female", range_text);
  } else {
    range_row(w, range.all, unit, "", range_text);
  }
  w.end_array();
}

std::string_view write_obx_status(Host& host, const View& v, JsonWriter& w, std::size_t obx) {
  // [V2F OBX-11] status
  std::string obx11 = v.c(obx, 11, 1);
  std::string_view status = observation_status(obx11);
  if (status.empty()) {
    host.report("FHIR-STATUS", "OBX-11",
                obx11.empty() ? "OBX-11 empty; status unknown" : "OBX-11 not in table 0085; status unknown",
                Severity::warning);
    status = "unknown";
  }
  w.string("status", status);
  return status;
}

// ---------------------------------------------------------------------------------------------
// Lab results (OUL^R22)

std::string lab_observation_id(Host& host, const View& v, const ObservationGroup& g, std::size_t obx,
                               std::unordered_map<std::string, int>& seen) {
  std::string key = g.order + "|" + g.report_code + "|" + g.specimen.specimen_key + "|" +
                    observation_key_code(read_cwe(v, obx, 3)) + "|" + v.c(obx, 4, 1);
  key += "#" + std::to_string(seen[key]++);
  return host.resource_id("Observation", {key});
}

void write_lab_observation(Host& host, const View& v, const ObservationGroup& g, std::size_t obx,
                           const std::string& id, const MicrobiologyPlan& plan) {
  Cwe code = read_cwe(v, obx, 3);
  std::string sub_id = v.c(obx, 4, 1);
  JsonWriter w = host.begin_resource("Observation", id);
  if (!g.specimen.specimen_id.empty()) {
    w.begin_object("meta");
    w.begin_array("profile");
    w.string_element(kJpLabProfile);
    w.end_array();
    w.end_object();
  }
  // [JP-LAB] identifier recommendation [ORC-2]_[OBR-4]_[SPM-4]_[OBX-3](_[OBX-4])
  std::string ident = g.order + "_" + g.report_code + "_" + v.c(g.specimen.spm, 4, 1) + "_" +
                      (code.code.empty() ? code.alt_code : code.code);
  if (!sub_id.empty()) ident += "_" + sub_id;
  identifier(w, ident);
  std::string_view status = write_obx_status(host, v, w, obx);
  // [JP-LAB] category[first] = JP_SimpleObservationCategory_CS#laboratory
  coding_concepts(w, "category", kJpLabCategory, "laboratory");
  // [V2F OBX-3] code; [JP-LAB] JLAC10 + local codings, code.text 1..
  if (code.empty()) code.original_text = "unknown";
  host.write_codeable_concept(w, "code", code, true);
  reference(w, "subject", "Patient", host.patient_id());
  // [V2F OBX-14] effective; [JP-LAB] specimen collection time: OBX-14, SPM-17, OBR-7.
  std::string effective = v.c(obx, 14, 1);
  std::string where = "OBX-14";
  if (effective.empty()) effective = v.c(g.specimen.spm, 17, 1), where = "SPM-17";
  if (effective.empty()) effective = v.c(g.obr, 7, 1), where = "OBR-7";
  host.write_date_time(w, "effectiveDateTime", effective, where);
  ObxValue value = write_obx_value(host, v, w, obx, status);
  write_obx_interpretation(host, v, w, obx, value);
  // Notes of the row and of the component rows of a culture group (microbiology.cpp).
  std::vector<std::size_t> rows{obx};
  const std::vector<std::size_t>& components = plan.components_of(obx);
  rows.insert(rows.end(), components.begin(), components.end());
  write_obx_notes(v, w, rows);
  // [V2F OBX-33] / [JP-LAB] specimen 1..
  if (!g.specimen.specimen_id.empty()) reference(w, "specimen", "Specimen", g.specimen.specimen_id);
  write_obx_reference_range(v, w, obx, value.unit);
  write_microbiology_members(host, v, w, plan, obx);  // component, hasMember
  w.end_object();
}

}  // namespace smx::fhir::detail
