// ORU^R30 vital signs (SS-MIX2 extended storage, data type L-OBSERVATIONS^OBSERVATIONS^99ZL01) ->
// Observations with category vital-signs. Sources, cited by key in the comments and listed with
// every row in smx-fhir(1), "Vital signs":
//   [NHO-VS]   nhoHQ/SSMIX2_support_documents @1d8ad5a6 doc/vital_sign_def.md: ORU^R30 message,
//              JLAC10 codes of each vital (体温, 呼吸数, 脈拍, 収縮期/拡張期血圧) and their units
//              (cel, /min, (hb), mm(hg); ISO+); sample/extended_root/... main_document.hl7 (OBX-6
//              texts ℃, 回／１分, mmHg; 16-character 体温 codes, one digit short of JLAC10).
//   [DTT-ADT]  the JAMI guideline sample ADT-00 (../shared/corpus/ssmix2-dtt): 9N001000000000001 身長
//              cm, 9N006000000000001 体重 kg.
//   [R4-VS]    FHIR R4 Vital Signs profiles (hl7.org/fhir/R4/observation-vitalsigns.html): LOINC code,
//              UCUM unit and profile URL of each vital; category observation-category#vital-signs;
//              85354-9 panel with 8480-6 / 8462-4 components.
//   [JP-VS]    JP Core JP_Observation_VitalSigns (jami-fhir-jp-wg/jp-core-v1x @516a0499
//              input/fsh/profiles/JP_Observation_VitalSigns.fsh; category codes from
//              JP_ObservationVitalSignsCategory_CS @44163a68, URIs from aliases-jpcore.fsh @024f6264).
#include <array>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

constexpr std::string_view kLoinc = "http://loinc.org";
constexpr std::string_view kCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
constexpr std::string_view kJpSimpleCategory = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS";
constexpr std::string_view kJpVitalCategory = "http://jpfhir.jp/fhir/core/CodeSystem/JP_ObservationVitalSignsCategory_CS";
constexpr std::string_view kJpVitalProfile = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_VitalSigns";

enum class Role { single, systolic, diastolic };

struct Vital {
  std::string_view name;         // for diagnostics
  std::string_view loinc, display;
  std::string_view ucum;         // the unit [R4-VS] requires
  std::string_view profile;      // [R4-VS] profile: http://hl7.org/fhir/StructureDefinition/<profile>
  std::string_view jp_simple;    // JP_SimpleObservationCategory_CS: vital-signs or body-measurement
  std::string_view jp_category;  // [JP-VS] category code; "" = JP Core files it elsewhere or no source
  Role role;
  std::array<std::string_view, 5> spellings;  // unit spellings (after NFKC) that mean `ucum`
};

// [R4-VS] codes and units; spellings from [NHO-VS], [DTT-ADT] and UCUM itself; JP categories
// [JP-VS] (呼吸数 -> respiratory-function as in JP Core's example jp-observation-vitalsigns-example-1).
// Height, weight, BMI and head circumference are vital signs in FHIR R4 but body measurements in JP
// Core (JP_SimpleObservationCategory_CS#body-measurement, JP_Observation_BodyMeasurement; its concept
// map JP_BodyMeasurement_to_LOINC @4ea6aaf0 names the same LOINC codes), so they get no JP
// vital-signs category or profile.
constexpr Vital kTemperature{"body temperature", "8310-5", "Body temperature", "Cel", "bodytemp",
                             "vital-signs", "temperature", Role::single, {"Cel", "cel", "°C", "度"}};
constexpr Vital kHeartRate{"heart rate", "8867-4", "Heart rate", "/min", "heartrate",
                           "vital-signs", "pulse-rate", Role::single, {"/min", "(hb)", "回/分", "回/1分"}};
constexpr Vital kRespiratoryRate{"respiratory rate", "9279-1", "Respiratory rate", "/min", "resprate",
                                 "vital-signs", "respiratory-function", Role::single, {"/min", "回/分", "回/1分"}};
constexpr Vital kSystolic{"systolic blood pressure", "8480-6", "Systolic blood pressure", "mm[Hg]", "vitalsigns",
                          "vital-signs", "blood-pressure", Role::systolic, {"mm[Hg]", "mm(hg)", "mmHg"}};
constexpr Vital kDiastolic{"diastolic blood pressure", "8462-4", "Diastolic blood pressure", "mm[Hg]", "vitalsigns",
                           "vital-signs", "blood-pressure", Role::diastolic, {"mm[Hg]", "mm(hg)", "mmHg"}};
constexpr Vital kOxygenSaturation{"oxygen saturation", "2708-6", "Oxygen saturation in Arterial blood", "%", "oxygensat",
                                  "vital-signs", "", Role::single, {"%"}};
constexpr Vital kHeight{"body height", "8302-2", "Body height", "cm", "bodyheight",
                        "body-measurement", "", Role::single, {"cm"}};
constexpr Vital kWeight{"body weight", "29463-7", "Body weight", "kg", "bodyweight",
                        "body-measurement", "", Role::single, {"kg"}};
constexpr Vital kBmi{"body mass index", "39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "bmi",
                     "body-measurement", "", Role::single, {"kg/m2"}};
constexpr Vital kHeadCircumference{"head circumference", "9843-4", "Head Occipital-frontal circumference", "cm",
                                   "headcircum", "body-measurement", "", Role::single, {"cm"}};

constexpr std::string_view kPanelLoinc = "85354-9";
constexpr std::string_view kPanelDisplay = "Blood pressure panel with all children optional";
constexpr std::string_view kPanelProfile = "bp";
constexpr std::string_view kR4Profiles = "http://hl7.org/fhir/StructureDefinition/";

struct CodeRow {
  std::string_view code;
  const Vital* vital;
};

// [NHO-VS] JLAC10 table (the 体温 codes as NHO prints them: 16 characters), [DTT-ADT] 9N codes.
constexpr std::array<CodeRow, 36> kJlac10{{
    {"9P10000000000001", &kTemperature},   {"9P11000000000001", &kTemperature},
    {"9P12000000000001", &kTemperature},   {"9P15000000000001", &kTemperature},
    {"9P16000000000001", &kTemperature},   {"9P17000000000001", &kTemperature},
    {"9P200000000000001", &kRespiratoryRate}, {"9P210000000000001", &kRespiratoryRate},
    {"9P220000000000001", &kRespiratoryRate}, {"9P300000000000001", &kHeartRate},
    {"9P310000000000001", &kHeartRate},    {"9P320000000000001", &kHeartRate},
    {"9P330000000000001", &kHeartRate},    {"9P340000000000001", &kHeartRate},
    {"9P350000000000001", &kHeartRate},    {"9P360000000000001", &kHeartRate},
    {"9P370000000000001", &kHeartRate},    {"9P380000000000001", &kHeartRate},
    {"9A751000000000001", &kSystolic},     {"9A751170100000001", &kSystolic},
    {"9A752000000000001", &kSystolic},     {"9A752170100000001", &kSystolic},
    {"9A753000000000001", &kSystolic},     {"9A753170100000001", &kSystolic},
    {"9A755000000000001", &kSystolic},     {"9A755170100000001", &kSystolic},
    {"9A761000000000001", &kDiastolic},    {"9A761170100000001", &kDiastolic},
    {"9A762000000000001", &kDiastolic},    {"9A762170100000001", &kDiastolic},
    {"9A763000000000001", &kDiastolic},    {"9A763170100000001", &kDiastolic},
    {"9A765000000000001", &kDiastolic},    {"9A765170100000001", &kDiastolic},
    {"9N001000000000001", &kHeight},       {"9N006000000000001", &kWeight},
}};

// [R4-VS] LOINC codes sent as such (OBX-3 coding system LN). 59408-5 (pulse oximetry) is the
// oxygen-saturation profile's second code; 2708-6 is added to it.
constexpr std::array<CodeRow, 11> kLoincCodes{{
    {"8310-5", &kTemperature}, {"8867-4", &kHeartRate}, {"9279-1", &kRespiratoryRate},
    {"8480-6", &kSystolic},    {"8462-4", &kDiastolic}, {"2708-6", &kOxygenSaturation},
    {"59408-5", &kOxygenSaturation}, {"8302-2", &kHeight}, {"29463-7", &kWeight},
    {"39156-5", &kBmi},        {"9843-4", &kHeadCircumference},
}};

const Vital* lookup(std::string_view code, std::string_view system) {
  if (is_jlac(system)) {
    for (const CodeRow& row : kJlac10)
      if (row.code == code) return row.vital;
  } else if (system == "LN") {
    for (const CodeRow& row : kLoincCodes)
      if (row.code == code) return row.vital;
  }
  return nullptr;
}

struct Row {
  std::size_t obx = 0, orc = hl7::Message::npos, obr = hl7::Message::npos;
  Cwe code;
  const Vital* vital = nullptr;
  std::string id, group_order, report_code, time;  // time: OBX-14
  std::size_t partner = hl7::Message::npos;       // index into rows of the paired diastolic
  bool absorbed = false;                           // a diastolic written inside a panel
};

// The measured value: a number (with comparator) and its unit.
struct Measured {
  std::optional<lab::Value> number;
  Unit unit;
};

class VitalWriter {
 public:
  VitalWriter(Host& host, const View& v) : host_(host), v_(v) {}
  void run();

 private:
  void collect();
  void assign_ids();
  void pair_blood_pressure();
  Measured measure(const Row& r);
  void write_vital(const Row& r);
  void write_panel(const Row& systolic, const Row& diastolic);
  void write_other(const Row& r);
  void begin_common(JsonWriter& w, const Row& r, const std::vector<std::string>& profiles);
  void categories(JsonWriter& w, const Vital* vital, bool vital_signs);
  void vital_code(JsonWriter& w, std::string_view key, const Vital& vital, const Cwe& sent);
  void effective(JsonWriter& w, const Row& r);
  bool timed(const Row& r) const;
  ObxValue value_and_interpretation(JsonWriter& w, const Row& r, const Measured& m);
  bool says_vital_signs(std::size_t obr) const;

  Host& host_;
  const View& v_;
  std::vector<Row> rows_;
  bool nho_short_code_ = false;
  std::size_t unmapped_ = 0;
  std::string first_unmapped_;
};

void VitalWriter::run() {
  collect();
  assign_ids();
  pair_blood_pressure();
  for (const Row& r : rows_) {
    if (r.absorbed) continue;
    if (!r.vital) write_other(r);
    else if (r.partner != hl7::Message::npos) write_panel(r, rows_[r.partner]);
    else write_vital(r);
  }
  if (nho_short_code_)
    host_.report("FHIR-VITAL-NHO-CODE", "OBX-3",
                 "OBX-3 holds NHO's 16-character body-temperature code (one digit short of JLAC10): mapped by "
                 "NHO's vital-sign table, kept as sent (not as a JLAC10 coding)",
                 Severity::note);
  if (unmapped_)
    host_.report("FHIR-VITAL-UNMAPPED", "OBX-3",
                 "OBX rows whose OBX-3 is not a vital sign smx maps: " + std::to_string(unmapped_) + " (first: " +
                     first_unmapped_ + "); written with their own code, without LOINC and vital-signs profile",
                 Severity::note);
}

// ORU_R30: ORC, OBR, then OBX (each with NTE); several OBR are read the same way.
void VitalWriter::collect() {
  std::size_t orc = hl7::Message::npos, obr = hl7::Message::npos;
  for (std::size_t i = 0; i < v_.m.segment_count(); ++i) {
    std::string_view sid = v_.m.segment_id(i);
    if (sid == "ORC") orc = i;
    if (sid == "OBR") obr = i;
    if (sid != "OBX") continue;
    Row r;
    r.obx = i;
    r.orc = orc;
    r.obr = obr;
    r.code = read_cwe(v_, i, 3);
    r.vital = lookup(r.code.code, r.code.system);
    if (r.vital) nho_short_code_ = nho_short_code_ || r.code.code.size() == 16;
    else if ((r.vital = lookup(r.code.alt_code, r.code.alt_system)))
      nho_short_code_ = nho_short_code_ || r.code.alt_code.size() == 16;
    r.group_order = v_.c(orc, 2, 1);
    if (r.group_order.empty()) r.group_order = v_.c(obr, 2, 1);
    if (r.group_order.empty()) r.group_order = host_.order_number();
    r.report_code = v_.c(obr, 4, 1);
    r.time = v_.c(i, 14, 1);
    if (!r.vital) {
      if (unmapped_++ == 0) first_unmapped_ = !r.code.code.empty() ? r.code.code : r.code.alt_code;
      if (unmapped_ == 1 && first_unmapped_.empty()) first_unmapped_ = "no code";
    }
    rows_.push_back(std::move(r));
  }
}

// Key: order, OBR-4, OBX-3 local code (else JLAC10/LOINC), OBX-4 and OBX-14, so each measurement
// time keeps its id when a day's file is sent again with more times; a running number for
// duplicates. "ORU^R30" keeps these keys apart from lab results'.
void VitalWriter::assign_ids() {
  std::unordered_map<std::string, int> seen;
  for (Row& r : rows_) {
    std::string key = r.group_order + "|" + r.report_code + "|" + observation_key_code(r.code) + "|" +
                      v_.c(r.obx, 4, 1) + "|" + r.time;
    key += "#" + std::to_string(seen[key]++);
    r.id = host_.resource_id("Observation", {"ORU^R30", key});
  }
}

// [R4-VS] blood pressure: systolic and diastolic of one measurement become one 85354-9 Observation.
// One measurement = same OBR, OBX-14, OBX-11 and OBX-4, and for JLAC10 the same round
// (9A75n/9A76n with the same n and suffix: 1回目, 2回目, 平均, その他, 家庭測定; [NHO-VS]).
void VitalWriter::pair_blood_pressure() {
  auto round = [](const Cwe& c) -> std::string {
    for (const auto& [code, system] : {std::pair{&c.code, &c.system}, std::pair{&c.alt_code, &c.alt_system}}) {
      if (is_jlac(*system) && code->size() == 17) return "J" + code->substr(4);
      if (*system == "LN") return "L";
    }
    return {};
  };
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    Row& s = rows_[i];
    if (!s.vital || s.vital->role != Role::systolic) continue;
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      Row& d = rows_[k];
      if (!d.vital || d.vital->role != Role::diastolic || d.absorbed) continue;
      if (d.obr != s.obr || d.time != s.time || round(d.code) != round(s.code) ||
          v_.c(d.obx, 11, 1) != v_.c(s.obx, 11, 1) || v_.c(d.obx, 4, 1) != v_.c(s.obx, 4, 1))
        continue;
      s.partner = k;
      d.absorbed = true;
      break;
    }
  }
}

// OBX-5 as a number when OBX-2 is NM (or SN comparator + number) and it reads as one; OBX-6 unit:
// the UCUM code of the vital when one of OBX-6.1/.2/.4/.5 (NFKC) is a spelling of it.
Measured VitalWriter::measure(const Row& r) {
  Measured m;
  std::string type = v_.c(r.obx, 2, 1);
  std::string_view first = v_.rep(v_.field(r.obx, 5), 0);
  std::string text;
  if (type == "NM" || type.empty()) text = v_.text(first);
  else if (type == "SN" && v_.text(v_.comp(first, 3)).empty() && v_.text(v_.comp(first, 4)).empty()) {
    std::string comparator = v_.text(v_.comp(first, 1));
    text = (comparator == "=" ? "" : comparator) + v_.text(v_.comp(first, 2));
  }
  if (!text.empty()) {
    lab::Value value = lab::apply_exponent(lab::parse_value(text));
    if ((value.kind == lab::ValueKind::numeric || value.kind == lab::ValueKind::inequality) &&
        is_json_number(value.number_text))
      m.number = value;
  }
  // Every spelling sent must mean the vital's unit: a display that says otherwise blocks the code.
  Cwe unit = read_cwe(v_, r.obx, 6);
  m.unit.text = !unit.display.empty() ? unit.display : unit.code;
  bool any = false, all_known = true;
  for (const std::string* spelled : {&unit.code, &unit.display, &unit.alt_code, &unit.alt_display}) {
    if (spelled->empty()) continue;
    any = true;
    std::string normal = lab::normalize_unit_text(*spelled);
    bool known = false;
    for (std::string_view s : r.vital->spellings)
      if (!s.empty() && s == normal) known = true;
    all_known = all_known && known;
  }
  if (any && all_known) m.unit.code = std::string(r.vital->ucum);
  if (m.unit.text.empty()) m.unit.text = m.unit.code;
  if (m.number && m.unit.code.empty())
    host_.report("FHIR-VITAL-UNIT", "OBX-6",
                 (m.unit.text.empty() ? std::string("no unit") : "unit '" + m.unit.text + "'") + " for " +
                     std::string(r.vital->name) + " is not " + std::string(r.vital->ucum) +
                     ": kept as sent, without a UCUM code or vital-signs profile",
                 Severity::warning);
  return m;
}

// OBX-14, else OBR-7 (the ORU_R30 observation time), and where it came from.
std::pair<std::string, std::string_view> observed_at(const View& v, std::size_t obx, std::size_t obr) {
  std::string time = v.c(obx, 14, 1);
  if (!time.empty()) return {time, "OBX-14"};
  return {v.c(obr, 7, 1), "OBR-7"};
}

bool VitalWriter::says_vital_signs(std::size_t obr) const {
  // The sender files the OBR under LOINC 85353-1 (vital signs panel, [R4-VS]).
  Cwe c = read_cwe(v_, obr, 4);
  return (c.system == "LN" && c.code == "85353-1") || (c.alt_system == "LN" && c.alt_code == "85353-1");
}

// meta.profile, identifier, status.
void VitalWriter::begin_common(JsonWriter& w, const Row& r, const std::vector<std::string>& profiles) {
  w.begin_object("meta");
  w.begin_array("profile");
  for (const std::string& p : profiles) w.string_element(p);
  w.end_array();
  w.end_object();
  // identifier [ORC-2]_[OBR-4]_[OBX-3](_[OBX-4])_[OBX-14] (JP-LAB's pattern without the specimen,
  // with the time that tells the day's measurements apart).
  std::string ident = r.group_order + "_" + r.report_code + "_" + (r.code.code.empty() ? r.code.alt_code : r.code.code);
  std::string sub_id = v_.c(r.obx, 4, 1);
  if (!sub_id.empty()) ident += "_" + sub_id;
  if (!r.time.empty()) ident += "_" + r.time;
  w.begin_array("identifier");
  w.begin_object();
  w.string("value", ident);
  w.end_object();
  w.end_array();
  write_obx_status(host_, v_, w, r.obx);  // [V2F OBX-11] as for lab results
}

void VitalWriter::categories(JsonWriter& w, const Vital* vital, bool vital_signs) {
  w.begin_array("category");
  if (vital_signs) coding_concept(w, {}, kCategory, "vital-signs", "Vital Signs");  // [R4-VS] VSCat
  if (vital) {
    coding_concept(w, {}, kJpSimpleCategory, vital->jp_simple);
    if (!vital->jp_category.empty()) coding_concept(w, {}, kJpVitalCategory, vital->jp_category);
  } else if (vital_signs) {
    coding_concept(w, {}, kJpSimpleCategory, "vital-signs");
  }
  w.end_array();
}

// The [R4-VS] LOINC code first, then the codes as sent (JLAC10, local; LOINC not repeated).
void VitalWriter::vital_code(JsonWriter& w, std::string_view key, const Vital& vital, const Cwe& sent) {
  w.begin_object(key);
  w.begin_array("coding");
  bool sent_loinc =
      (sent.system == "LN" && sent.code == vital.loinc) || (sent.alt_system == "LN" && sent.alt_code == vital.loinc);
  if (!sent_loinc) coding(w, {}, kLoinc, vital.loinc, vital.display);
  host_.write_coding(w, sent.code, sent.display, sent.system);
  host_.write_coding(w, sent.alt_code, sent.alt_display, sent.alt_system);
  w.end_array();
  std::string text = !sent.original_text.empty() ? sent.original_text
                     : !sent.display.empty()       ? sent.display
                                                   : sent.alt_display;
  w.string("text", text.empty() ? std::string(vital.display) : text);
  w.end_object();
}

void VitalWriter::effective(JsonWriter& w, const Row& r) {
  auto [time, where] = observed_at(v_, r.obx, r.obr);
  host_.write_date_time(w, "effectiveDateTime", time, where);
}

// value[x] (own Quantity, or the lab mapping's when OBX-5 is not a number) and interpretation of
// one row, in the open object (the Observation or a component).
ObxValue VitalWriter::value_and_interpretation(JsonWriter& w, const Row& r, const Measured& m) {
  ObxValue value;
  if (m.number) {
    w.begin_object("valueQuantity");
    quantity_members(w, m.number->number_text, m.number->comparator, m.unit);
    w.end_object();
    value = ObxValue{m.unit, m.number};
  } else {
    value = write_obx_value(host_, v_, w, r.obx, observation_status(v_.c(r.obx, 11, 1)));
  }
  write_obx_interpretation(host_, v_, w, r.obx, value);
  return value;
}

bool VitalWriter::timed(const Row& r) const {
  std::string time = observed_at(v_, r.obx, r.obr).first;
  return !time.empty() && dtm_to_date_time(time).has_value();
}

void VitalWriter::write_vital(const Row& r) {
  Measured m = measure(r);
  std::vector<std::string> profiles;
  if (!r.vital->jp_category.empty()) profiles.emplace_back(kJpVitalProfile);
  if (m.number && !m.unit.code.empty() && timed(r))
    profiles.push_back(std::string(kR4Profiles).append(r.vital->profile));
  JsonWriter w = host_.begin_resource("Observation", r.id);
  begin_common(w, r, profiles);
  categories(w, r.vital, true);
  vital_code(w, "code", *r.vital, r.code);
  reference(w, "subject", "Patient", host_.patient_id());
  effective(w, r);
  ObxValue value = value_and_interpretation(w, r, m);
  write_obx_notes(v_, w, {r.obx});
  write_obx_reference_range(v_, w, r.obx, value.unit);
  w.end_object();
}

// [R4-VS] bp: code 85354-9, systolic and diastolic as components (each with its own
// interpretation and range); notes of both rows.
void VitalWriter::write_panel(const Row& systolic, const Row& diastolic) {
  Measured ms = measure(systolic), md = measure(diastolic);
  std::vector<std::string> profiles{std::string(kJpVitalProfile)};
  if (ms.number && md.number && !ms.unit.code.empty() && !md.unit.code.empty() && timed(systolic))
    profiles.push_back(std::string(kR4Profiles).append(kPanelProfile));
  JsonWriter w = host_.begin_resource("Observation", systolic.id);
  begin_common(w, systolic, profiles);
  categories(w, systolic.vital, true);
  coding_concept(w, "code", kLoinc, kPanelLoinc, kPanelDisplay, kPanelDisplay);
  reference(w, "subject", "Patient", host_.patient_id());
  effective(w, systolic);
  write_obx_notes(v_, w, {systolic.obx, diastolic.obx});
  w.begin_array("component");
  for (auto [row, m] : {std::pair<const Row*, const Measured*>{&systolic, &ms}, {&diastolic, &md}}) {
    w.begin_object();
    vital_code(w, "code", *row->vital, row->code);
    ObxValue value = value_and_interpretation(w, *row, *m);
    write_obx_reference_range(v_, w, row->obx, value.unit);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

// A row smx does not map: the lab mapping of OBX-3/5/6/7/8 and NTE, without a category unless the
// OBR says vital signs (OUL^R22's laboratory category would be a claim ORU^R30 does not make).
void VitalWriter::write_other(const Row& r) {
  JsonWriter w = host_.begin_resource("Observation", r.id);
  begin_common(w, r, {});
  categories(w, nullptr, says_vital_signs(r.obr));
  Cwe code = r.code;
  if (code.empty()) code.original_text = "unknown";
  host_.write_codeable_concept(w, "code", code, true);
  reference(w, "subject", "Patient", host_.patient_id());
  effective(w, r);
  ObxValue value = write_obx_value(host_, v_, w, r.obx, observation_status(v_.c(r.obx, 11, 1)));
  write_obx_interpretation(host_, v_, w, r.obx, value);
  write_obx_notes(v_, w, {r.obx});
  write_obx_reference_range(v_, w, r.obx, value.unit);
  w.end_object();
}

}  // namespace

void write_vital_signs(Host& host, const View& v) { VitalWriter(host, v).run(); }

}  // namespace smx::fhir::detail
