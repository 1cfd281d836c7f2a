// lib/fhir: ids, DTM conversion, JSON writer, Observation mapping (in memory).
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "smx/fhir.hpp"

using namespace smx;

namespace {

std::string hex(std::string_view bytes) {
  static const char* h = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(h[c >> 4]);
    out.push_back(h[c & 15]);
  }
  return out;
}

struct Collect final : fhir::ResourceSink {
  std::vector<std::pair<std::string, std::string>> items;  // type, json
  void resource(std::string_view type, std::string_view, std::string_view json) override {
    items.emplace_back(std::string(type), std::string(json));
  }
  std::vector<std::string> of(std::string_view type) const {
    std::vector<std::string> out;
    for (const auto& [t, j] : items)
      if (t == type) out.push_back(j);
    return out;
  }
};

Record record(std::string_view hl7, int flag = 1) {
  Record r;
  std::string reason;
  REQUIRE(r.message.assign(hl7, &reason));
  r.src.path = "<memory>";
  r.src.n = 1;
  ssmix2::FileName name;
  name.patient = "P001";
  name.date = "20240401";
  name.type = "OML-11";
  name.order = "000000000000123";
  name.flag = flag;
  r.ssmix2 = name;
  return r;
}

const char* kOul =
    "MSH|^~\\&|LAB|1310000001|GW|RCV|20240401101500||OUL^R22^OUL_R22|1|P|2.5\r"
    "PID|1||P001^^^^PI||山田^太郎^^^^^L^I||19700101|F\r"
    "PV1|1|O\r"
    "SPM|1|S001||023^血清^JC10|||||||||||||202404010800\r"
    "OBR|1|000000000000123||E001^生化学^99O03|||20240401\r"
    "ORC|SC|000000000000123\r"
    "OBX|1|NM|3D010000001926101^グルコース^JC10^G01^GLU^99L01||126|mg/dL^mg/dL^UCUM|70-109|H|||F|||202404010800\r"
    "OBX|2|NM|G02^CRE^99L01||<0.5|mg/dl^mg/dl^99XYZ|M:0.65-1.07 F:0.46-0.79||||P\r"
    "NTE|1||溶血あり\r"
    "OBX|3|ST|G03^尿蛋白^99L01||陰性||||||F\r"
    "OBX|4|NM|G04^X^99L01||abc||||||Z\r";

}  // namespace

TEST_CASE("fhir: sha256 test vectors (FIPS 180-4)") {
  CHECK(hex(fhir::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(fhir::sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(fhir::sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(hex(fhir::sha256(std::string(1000, 'a'))) ==
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
  // Padding boundaries: 55 bytes fit one block, 56 and 64 need a second (values from hashlib).
  CHECK(hex(fhir::sha256(std::string(55, 'x'))) == "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072");
  CHECK(hex(fhir::sha256(std::string(56, 'x'))) == "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e");
  CHECK(hex(fhir::sha256(std::string(64, 'x'))) == "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c");
}

TEST_CASE("fhir: ids are deterministic, FHIR-shaped and length-prefixed") {
  std::string a = fhir::make_id({"Observation", "H1", "P001", "123"});
  CHECK(a == fhir::make_id({"Observation", "H1", "P001", "123"}));
  CHECK(a.size() == 32);
  CHECK(std::regex_match(a, std::regex("[A-Za-z0-9\\-\\.]{1,64}")));
  CHECK(a != fhir::make_id({"Observation", "H1", "P00", "1123"}));
  CHECK(a != fhir::make_id({"Observation", "H2", "P001", "123"}));
}

TEST_CASE("fhir: HL7 DTM to FHIR dateTime, date, instant") {
  CHECK(fhir::dtm_to_date_time("2011") == "2011");
  CHECK(fhir::dtm_to_date_time("201112") == "2011-12");
  CHECK(fhir::dtm_to_date_time("20111220") == "2011-12-20");
  CHECK(fhir::dtm_to_date_time("2011122010") == "2011-12-20T10:00:00+09:00");
  CHECK(fhir::dtm_to_date_time("201112201030") == "2011-12-20T10:30:00+09:00");
  CHECK(fhir::dtm_to_date_time("20111220103059") == "2011-12-20T10:30:59+09:00");
  CHECK(fhir::dtm_to_date_time("20111220224447.3399") == "2011-12-20T22:44:47.3399+09:00");
  CHECK(fhir::dtm_to_date_time("20111220103059-0500") == "2011-12-20T10:30:59-05:00");
  CHECK(fhir::dtm_to_date_time("20111220103059+0000") == "2011-12-20T10:30:59+00:00");
  CHECK_FALSE(fhir::dtm_to_date_time("20110230"));
  CHECK(fhir::dtm_to_date_time("20120229") == "2012-02-29");
  CHECK_FALSE(fhir::dtm_to_date_time("19000229"));  // century rule (<chrono>)
  CHECK(fhir::dtm_to_date_time("20000229") == "2000-02-29");
  CHECK_FALSE(fhir::dtm_to_date_time("20240631"));
  CHECK_FALSE(fhir::dtm_to_date_time("201113"));
  CHECK_FALSE(fhir::dtm_to_date_time("2011122025"));
  CHECK_FALSE(fhir::dtm_to_date_time("201112201"));
  CHECK_FALSE(fhir::dtm_to_date_time("abc"));
  CHECK_FALSE(fhir::dtm_to_date_time("201112201030.5"));
  CHECK(fhir::dtm_to_date("19480405") == "1948-04-05");
  CHECK(fhir::dtm_to_date("1948040512") == "1948-04-05");
  CHECK(fhir::dtm_to_instant("201112201030") == "2011-12-20T10:30:00+09:00");
  CHECK_FALSE(fhir::dtm_to_instant("20111220"));
}

TEST_CASE("fhir: JSON writer drops empty containers and escapes") {
  std::string out;
  fhir::JsonWriter w(out);
  w.begin_object();
  w.string("a", "x\"y\\\n");
  w.begin_object("empty");
  w.begin_array("nothing");
  w.string_element("");
  w.end_array();
  w.end_object();
  w.string("skipped", "");
  w.begin_array("list");
  w.string_element("1");
  w.end_array();
  w.number("n", "1.50");
  w.end_object();
  CHECK(out == "{\"a\":\"x\\\"y\\\\\\n\",\"list\":[\"1\"],\"n\":1.50}");
  CHECK(fhir::is_json_number("0.50"));
  CHECK(fhir::is_json_number("-3e+2"));
  CHECK_FALSE(fhir::is_json_number("007"));
  CHECK_FALSE(fhir::is_json_number("+1"));
  CHECK_FALSE(fhir::is_json_number(".5"));
}

TEST_CASE("fhir: code systems") {
  CHECK(fhir::code_system_uri("JC10", fhir::JpCoreVersion::v1_1) == "urn:oid:1.2.392.200119.4.504");
  CHECK(fhir::code_system_uri("JC10", fhir::JpCoreVersion::v1_2) == "http://medis.or.jp/CodeSystem/master-JLAC10-17digits");
  CHECK(fhir::code_system_uri("HL70162", fhir::JpCoreVersion::v1_1) == "http://terminology.hl7.org/CodeSystem/v2-0162");
  CHECK(fhir::code_system_uri("HOT9", fhir::JpCoreVersion::v1_1) == "urn:oid:1.2.392.200119.4.403.1");
  CHECK(fhir::code_system_uri("99XYZ", fhir::JpCoreVersion::v1_1).empty());
}

TEST_CASE("fhir: OUL^R22 -> Specimen, Observation (JP_Observation_LabResult), DiagnosticReport") {
  Collect sink;
  CollectingSink diagnostics;
  fhir::Converter converter({}, sink, diagnostics);
  converter.convert(record(kOul));
  auto observations = sink.of("Observation");
  REQUIRE(observations.size() == 4);
  REQUIRE(sink.of("Specimen").size() == 1);
  REQUIRE(sink.of("DiagnosticReport").size() == 1);
  const std::string& glucose = observations[0];
  CHECK(glucose.find("\"category\":[{\"coding\":[{\"system\":\"http://jpfhir.jp/fhir/core/CodeSystem/"
                     "JP_SimpleObservationCategory_CS\",\"code\":\"laboratory\"}]}]") != std::string::npos);
  CHECK(glucose.find("{\"system\":\"urn:oid:1.2.392.200119.4.504\",\"code\":\"3D010000001926101\","
                     "\"display\":\"グルコース\"}") != std::string::npos);
  CHECK(glucose.find("\"code\":\"G01\",\"display\":\"GLU\"") != std::string::npos);
  CHECK(glucose.find("\"text\":\"グルコース\"") != std::string::npos);
  CHECK(glucose.find("\"valueQuantity\":{\"value\":126,\"unit\":\"mg/dL\",\"system\":\"http://unitsofmeasure.org\","
                     "\"code\":\"mg/dL\"}") != std::string::npos);
  CHECK(glucose.find("\"effectiveDateTime\":\"2024-04-01T08:00:00+09:00\"") != std::string::npos);
  CHECK(glucose.find("\"interpretation\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/"
                     "v3-ObservationInterpretation\",\"code\":\"H\"}]}]") != std::string::npos);
  CHECK(glucose.find("\"referenceRange\":[{\"low\":{\"value\":70,\"unit\":\"mg/dL\",\"system\":\"http://unitsofmeasure.org\","
                     "\"code\":\"mg/dL\"},\"high\":{\"value\":109") != std::string::npos);
  CHECK(glucose.find("\"status\":\"final\"") != std::string::npos);
  CHECK(glucose.find("\"specimen\":{\"reference\":\"Specimen/") != std::string::npos);
  // Raw (not labnorm'd) unit: text only, no UCUM system; comparator; sex-specific ranges.
  const std::string& creatinine = observations[1];
  CHECK(creatinine.find("\"valueQuantity\":{\"value\":0.5,\"comparator\":\"<\",\"unit\":\"mg/dl\"}") != std::string::npos);
  CHECK(creatinine.find("\"status\":\"preliminary\"") != std::string::npos);
  CHECK(creatinine.find("\"note\":[{\"text\":\"溶血あり\"}]") != std::string::npos);
  CHECK(creatinine.find("{\"low\":{\"value\":0.65,\"unit\":\"mg/dl\"},\"high\":{\"value\":1.07,\"unit\":\"mg/dl\"},"
                        "\"appliesTo\":[{\"coding\":[{\"system\":\"http://hl7.org/fhir/administrative-gender\",\"code\":\"male\"}]}],"
                        "\"text\":\"M:0.65-1.07 F:0.46-0.79\"}") != std::string::npos);
  CHECK(creatinine.find("\"code\":\"female\"") != std::string::npos);
  CHECK(observations[2].find("\"valueString\":\"陰性\"") != std::string::npos);
  // OBX-11 'Z' is not in table 0085; NM value "abc" stays text.
  CHECK(observations[3].find("\"status\":\"unknown\"") != std::string::npos);
  CHECK(observations[3].find("\"valueString\":\"abc\"") != std::string::npos);
  CHECK(diagnostics.has("FHIR-STATUS"));
  CHECK(diagnostics.has("FHIR-VALUE-TEXT"));
  // The report lists every observation; status from OBX-11 (one preliminary).
  const std::string report = sink.of("DiagnosticReport")[0];
  CHECK(report.find("\"status\":\"preliminary\"") != std::string::npos);
  CHECK(report.find("\"effectiveDateTime\":\"2024-04-01\"") != std::string::npos);
}

TEST_CASE("fhir: same message -> same ids; labnorm's code order does not change the id") {
  Collect first, second, normalized;
  NullSink quiet;
  fhir::Converter a({}, first, quiet), b({}, second, quiet), c({}, normalized, quiet);
  a.convert(record(kOul));
  b.convert(record(kOul));
  CHECK(first.items == second.items);
  // Raw: local code first; labnorm: JLAC10 first, local code in CWE.4-6.
  std::string raw = kOul, moved = kOul;
  auto replace = [](std::string& s, std::string_view from, std::string_view to) {
    s.replace(s.find(from), from.size(), to);
  };
  replace(raw, "3D010000001926101^グルコース^JC10^G01^GLU^99L01", "G01^GLU^99L01");
  Collect raw_sink;
  fhir::Converter d({}, raw_sink, quiet);
  d.convert(record(raw));
  auto id_of = [](const std::string& json) { return json.substr(json.find("\"id\":\"") + 6, 32); };
  CHECK(id_of(raw_sink.of("Observation")[0]) == id_of(first.of("Observation")[0]));
}

TEST_CASE("fhir: condition flag 0/2 are not written; --deletes lists ids no current file produced") {
  Collect sink;
  NullSink quiet;
  fhir::Options options;
  options.track_deletes = true;
  fhir::Converter converter(options, sink, quiet);
  converter.convert(record(kOul, 2));
  CHECK(sink.items.empty());
  CHECK(converter.delete_list().size() == 6);
  converter.convert(record(kOul, 1));
  CHECK(sink.items.size() == 6);
  CHECK(converter.delete_list().empty());
}

// --- ORU^R30 vital signs (SS-MIX2 extended storage) --------------------------------------------

namespace {

// Synthetic, in the shape of NHO's extended-storage sample (nhoHQ/SSMIX2_support_documents
// sample/extended_root/.../main_document.hl7): ORC before OBR, vitals at 08:00, 15:00 and 20:00,
// OBX-6 `mm(hg)^mmHg^ ISO+` (space), `(hb)^回／１分`, and NHO's 16-character 体温 code.
std::string vitals_message() {
  std::string m =
      "MSH|^~\\&|HIS|SEND|GW|RCV|20240402000100.158||ORU^R30^ORU_R30|0000000000000001|P|2.5\r"
      "PID|0001||V0001^^^^PI||試験^太郎^^^^^L^I||19800101|M\r"
      "PV1|0001|I|07E^03^01^^^N\r"
      "ORC|SC|000000020240401|||CM||||202404010800\r"
      "OBR|1|000000020240401||01^バイタル^99ABC|||202404011500|202404011500\r";
  struct Time {
    const char* at;
    const char* dia;
    const char* sys;
    const char* pulse;
    const char* flag;
    const char* resp;
    const char* temp;
  };
  int n = 0;
  for (const Time& t : {Time{"202404010800", "58", "92", "65", "", "14", "35.8"},
                        Time{"202404011500", "60", "100", "98", "H", "15", "36.2"},
                        Time{"202404012000", "65", "108", "80", "", "14", "36.9"}}) {
    auto obx = [&](std::string rest) { m += "OBX|" + std::to_string(++n) + "|NM|" + rest + t.at + "\r"; };
    obx(std::string("9A761000000000001^拡張期血圧（1回目）^JC10||") + t.dia + "|mm(hg)^mmHg^ISO+|<85||||F|||");
    obx(std::string("9A751000000000001^収縮期血圧（1回目）^JC10||") + t.sys + "|mm(hg)^mmHg^ ISO+|<130||||F|||");
    obx(std::string("9P300000000000001^脈拍（測定部位記載なし、または不明）^JC10||") + t.pulse +
        "|(hb)^回／１分^ISO+|50-90|" + t.flag + "|||F|||");
    obx(std::string("9P200000000000001^呼吸数（観察まはた聴診）^JC10||") + t.resp + "|/min^回／１分^ISO+|12-16||||F|||");
    obx(std::string("9P10000000000001^体温（体温計による腋窩（記載なしを含む））^JC10||") + t.temp +
        "|cel^℃^ISO+|35.5-37.5||||F|||");
  }
  return m;
}

std::string resource_id_of(const std::string& json) { return json.substr(json.find("\"id\":\"") + 6, 32); }

const std::string* find_with(const std::vector<std::string>& items, std::string_view a, std::string_view b = {}) {
  // `items` must outlive the pointer: never pass a temporary (the overload below refuses it).
  for (const std::string& s : items)
    if (s.find(a) != std::string::npos && (b.empty() || s.find(b) != std::string::npos)) return &s;
  return nullptr;
}
const std::string* find_with(std::vector<std::string>&& items, std::string_view a, std::string_view b = {}) = delete;

}  // namespace

TEST_CASE("fhir: ORU^R30 vital signs -> vital-signs Observations with LOINC, UCUM and their own times") {
  Collect sink;
  CollectingSink diagnostics;
  fhir::Converter converter({}, sink, diagnostics);
  converter.convert(record(vitals_message()));
  auto observations = sink.of("Observation");
  // 15 OBX: per time one blood-pressure panel (systolic + diastolic), pulse, respiration, temperature.
  REQUIRE(observations.size() == 12);
  CHECK(sink.of("DiagnosticReport").empty());
  CHECK(sink.of("Specimen").empty());
  CHECK(converter.counts().unsupported == 0);

  const std::string* temp = find_with(observations, "\"code\":\"8310-5\"", "20:00:00");
  REQUIRE(temp);
  CHECK(temp->find("\"meta\":{\"profile\":[\"http://jpfhir.jp/fhir/core/StructureDefinition/JP_Observation_VitalSigns\","
                   "\"http://hl7.org/fhir/StructureDefinition/bodytemp\"]}") != std::string::npos);
  CHECK(temp->find("\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\","
                   "\"code\":\"vital-signs\",\"display\":\"Vital Signs\"}]},{\"coding\":[{\"system\":\"http://jpfhir.jp/fhir/"
                   "core/CodeSystem/JP_SimpleObservationCategory_CS\",\"code\":\"vital-signs\"}]},{\"coding\":[{\"system\":"
                   "\"http://jpfhir.jp/fhir/core/CodeSystem/JP_ObservationVitalSignsCategory_CS\",\"code\":\"temperature\"}]}]") !=
        std::string::npos);
  // LOINC first, then NHO's code as sent: 16 characters, so not claimed as JLAC10.
  CHECK(temp->find("{\"system\":\"http://loinc.org\",\"code\":\"8310-5\",\"display\":\"Body temperature\"},"
                   "{\"system\":\"urn:smx:cs:JC10-16\",\"code\":\"9P10000000000001\"") != std::string::npos);
  CHECK(temp->find("\"valueQuantity\":{\"value\":36.9,\"unit\":\"℃\",\"system\":\"http://unitsofmeasure.org\","
                   "\"code\":\"Cel\"}") != std::string::npos);
  CHECK(temp->find("\"effectiveDateTime\":\"2024-04-01T20:00:00+09:00\"") != std::string::npos);
  CHECK(temp->find("\"low\":{\"value\":35.5,\"unit\":\"℃\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"Cel\"}") !=
        std::string::npos);
  CHECK(temp->find("\"subject\":{\"reference\":\"Patient/") != std::string::npos);
  CHECK(diagnostics.has("FHIR-VITAL-NHO-CODE"));

  // Each vital keeps its own OBX-14 (not OBR-7's 15:00).
  for (const char* at : {"08:00:00", "15:00:00", "20:00:00"}) {
    CHECK(find_with(observations, "\"code\":\"8867-4\"", at));
    CHECK(find_with(observations, "\"code\":\"9279-1\"", at));
    CHECK(find_with(observations, "\"code\":\"85354-9\"", at));
  }
  const std::string* pulse = find_with(observations, "\"code\":\"8867-4\"", "15:00:00");
  REQUIRE(pulse);
  CHECK(pulse->find("\"valueQuantity\":{\"value\":98,\"unit\":\"回／１分\",\"system\":\"http://unitsofmeasure.org\","
                    "\"code\":\"/min\"}") != std::string::npos);
  CHECK(pulse->find("\"code\":\"H\"") != std::string::npos);
  CHECK(pulse->find("\"code\":\"pulse-rate\"") != std::string::npos);
  CHECK(pulse->find("http://hl7.org/fhir/StructureDefinition/heartrate") != std::string::npos);

  const std::string* bp = find_with(observations, "\"code\":\"85354-9\"", "08:00:00");
  REQUIRE(bp);
  CHECK(bp->find("http://hl7.org/fhir/StructureDefinition/bp") != std::string::npos);
  CHECK(bp->find("\"valueQuantity\":{\"value\":92,") != std::string::npos);
  CHECK(bp->find("\"component\":[{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"") !=
        std::string::npos);
  CHECK(bp->find("\"code\":\"9A751000000000001\"") != std::string::npos);
  CHECK(bp->find("\"code\":\"8462-4\"") != std::string::npos);
  CHECK(bp->find("{\"value\":58,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"}") !=
        std::string::npos);
  CHECK(bp->find("\"referenceRange\":[{\"text\":\"<130\"}]") != std::string::npos);  // exclusive: text only
  CHECK(bp->find("\"value\":60,") == std::string::npos);  // the 15:00 diastolic is in another panel

  // Deterministic and distinct ids.
  Collect again;
  NullSink quiet;
  fhir::Converter second({}, again, quiet);
  second.convert(record(vitals_message()));
  CHECK(again.items == sink.items);
  std::set<std::string> ids;
  for (const auto& o : observations) ids.insert(resource_id_of(o));
  CHECK(ids.size() == observations.size());
}

TEST_CASE("fhir: vital signs never invent a code or a unit") {
  std::string m = vitals_message();
  m.resize(m.find("OBX|1|"));
  m += "OBX|1|NM|59408-5^SpO2^LN||97|%^%^ISO+|||||F|||202404012000\r"
       "OBX|2|ST|V100^意識レベル^99V01||清明||||||F|||202404012000\r"
       "NTE|1||声かけに反応\r"
       "OBX|3|NM|9A755000000000001^収縮期血圧（その他）^JC10||118|mmHg|||||F|||202404012100\r"
       "OBX|4|NM|9P11000000000001^体温（体温計による口腔）^JC10||98.6|F^華氏^99V01|||||F|||202404012100\r"
       "OBX|5|NM|9N006000000000001^体重^JC10||63.5|kg^kg^ISO+|||||F|||202404012100\r"
       "OBX|6|NM|9P200000000000001^呼吸数^JC10||測定不能|/min|||||F|||202404012100\r";
  Collect sink;
  CollectingSink diagnostics;
  fhir::Converter converter({}, sink, diagnostics);
  converter.convert(record(m));
  auto observations = sink.of("Observation");
  REQUIRE(observations.size() == 6);
  // SpO2 sent as LOINC 59408-5: 2708-6 added (the R4 oxygensat profile's code), no JP category.
  const std::string* spo2 = find_with(observations, "\"code\":\"59408-5\"");
  REQUIRE(spo2);
  CHECK(spo2->find("{\"system\":\"http://loinc.org\",\"code\":\"2708-6\"") != std::string::npos);
  CHECK(spo2->find("JP_Observation_VitalSigns") == std::string::npos);
  CHECK(spo2->find("\"code\":\"%\"}") != std::string::npos);
  // A local code smx does not know: its own coding, no category, no LOINC; the note is kept.
  const std::string* other = find_with(observations, "\"code\":\"V100\"");
  REQUIRE(other);
  CHECK(other->find("\"category\"") == std::string::npos);
  CHECK(other->find("loinc") == std::string::npos);
  CHECK(other->find("\"valueString\":\"清明\"") != std::string::npos);
  CHECK(other->find("\"note\":[{\"text\":\"声かけに反応\"}]") != std::string::npos);
  CHECK(diagnostics.has("FHIR-VITAL-UNMAPPED"));
  // A systolic without its diastolic stays alone (8480-6), unit from OBX-6.1 only.
  const std::string* systolic = find_with(observations, "\"code\":\"8480-6\"");
  REQUIRE(systolic);
  CHECK(systolic->find("85354-9") == std::string::npos);
  CHECK(systolic->find("\"code\":\"mm[Hg]\"") != std::string::npos);
  CHECK(systolic->find("\"status\":\"final\"") != std::string::npos);
  CHECK(systolic->find("\"effectiveDateTime\":\"2024-04-01T21:00:00+09:00\"") != std::string::npos);
  // A unit that is not the vital's: value as sent, no UCUM code, no HL7 profile, a warning.
  const std::string* oral = find_with(observations, "\"code\":\"9P11000000000001\"");
  REQUIRE(oral);
  CHECK(oral->find("\"valueQuantity\":{\"value\":98.6,\"unit\":\"華氏\"}") != std::string::npos);
  CHECK(oral->find("bodytemp") == std::string::npos);
  CHECK(diagnostics.has("FHIR-VITAL-UNIT"));
  // Weight: FHIR R4 vital sign, JP Core body measurement.
  const std::string* weight = find_with(observations, "\"code\":\"29463-7\"");
  REQUIRE(weight);
  CHECK(weight->find("\"code\":\"body-measurement\"") != std::string::npos);
  CHECK(weight->find("http://hl7.org/fhir/StructureDefinition/bodyweight") != std::string::npos);
  CHECK(weight->find("JP_Observation_VitalSigns") == std::string::npos);
  // Not a number: valueString with the NM note, no profile that needs a Quantity.
  const std::string* unreadable = find_with(observations, "\"valueString\":\"測定不能\"");
  REQUIRE(unreadable);
  CHECK(unreadable->find("resprate") == std::string::npos);
  CHECK(diagnostics.has("FHIR-VALUE-TEXT"));
}

TEST_CASE("fhir: an ORU^R30 filed under the LOINC vital signs panel gives unknown rows the category") {
  std::string m = vitals_message();
  m.resize(m.find("OBX|1|"));
  m.replace(m.find("01^バイタル^99ABC"), std::string("01^バイタル^99ABC").size(), "85353-1^Vital signs panel^LN");
  m += "OBX|1|ST|V100^意識レベル^99V01||清明||||||F|||202404012000\r";
  Collect sink;
  NullSink quiet;
  fhir::Converter converter({}, sink, quiet);
  converter.convert(record(m));
  REQUIRE(sink.of("Observation").size() == 1);
  CHECK(sink.of("Observation")[0].find("\"code\":\"vital-signs\"") != std::string::npos);
}

// --- Microbiology (OUL^R22 culture results) ------------------------------------------------------

namespace {

// Synthetic, in the shape of NHO doc/bacteria_test.md: smear and culture as organism + quantity
// rows tied by OBX-4, susceptibilities in OBRs whose OBR-26 names the organism.
std::string culture_message() {
  auto obr26 = [](const char* parent) { return std::string(19, '|') + parent; };
  return std::string(
             "MSH|^~\\&|LAB|1310000001|GW|RCV|20240405120000||OUL^R22^OUL_R22|M2|P|2.5\r"
             "PID|1||P001^^^^PI||試験^花子^^^^^L^I||19700101|F\r"
             "PV1|1|I\r"
             "SPM|1|S100||017^血液^JC10|||||||||||||202404030900\r"
             "OBR|1|000000000000200||6A010000001770400^塗抹鏡検(一般細菌)^JC10|||202404030900\r"
             "ORC|SC|000000000000200\r"
             "OBX|1|CWE|6A010000001770414^塗抹菌名^JC10|1|1011^グラム陽性球菌^JANIS||||||F\r"
             "OBX|2|ST|6A010000001770411^塗抹菌量^JC10|1| 3 +||||||F\r"
             "OBX|3|CWE|6A010000001770414^塗抹菌名^JC10|2|1012^グラム陰性桿菌^JANIS||||||F\r"
             "OBX|4|ST|6A010000001770411^塗抹菌量^JC10|2|  -||||||F\r"
             "OBR|2|000000000000200||6B010000001774200^培養同定(一般細菌)^JC10|||202404030900\r"
             "ORC|SC|000000000000200\r"
             "OBX|1|CWE|6B010000001774214^培養同定菌名^JC10|1|2001^E.coli^JANIS||||||F\r"
             "OBX|2|ST|6B010000001774211^培養同定菌量^JC10|1| 2 +||||||F\r"
             "NTE|1||再検済み\r"
             "OBX|3|CWE|6B010000001774214^培養同定菌名^JC10|2|1301^S.aureus^JANIS||||||F\r"
             "OBX|4|ST|6B010000001774211^培養同定菌量^JC10|2| 3 +||||||F\r"
             "OBR|3|000000000000200||6C205000001776200^薬剤感受性検査-MIC^JC10|||202404030900") +
         obr26("6B010000001774214&培養同定菌名&JC10^1^2001&E.coli&JANIS") +
         "\r"
         "ORC|SC|000000000000200\r"
         "OBX|1|ST|6C205604701776205^PIPC(ピペラシリン)^JC10||<2|ug/mL^μg/mL^ISO+||S|||F\r"
         "OBX|2|NM|6C205609401776205^CAZ(セフタジジム)^JC10||4|ug/mL^μg/mL^ISO+||S|||F\r"
         "OBR|4|000000000000200||6C205000001776200^薬剤感受性検査-MIC^JC10|||202404030900" +
         obr26("6B010000001774214&培養同定菌名&JC10^2^1301&S.aureus&JANIS") +
         "\r"
         "ORC|SC|000000000000200\r"
         "OBX|1|NM|6C205604701776205^PIPC(ピペラシリン)^JC10||32|ug/mL^μg/mL^ISO+||R|||F\r"
         "OBX|2|NM|6C205609401776205^CAZ(セフタジジム)^JC10||80|ug/mL^μg/mL^ISO+||R|||F\r";
}

std::vector<std::string> references(const std::string& json, std::string_view key) {
  std::vector<std::string> out;
  std::size_t at = json.find("\"" + std::string(key) + "\":[");
  if (at == std::string::npos) return out;
  std::size_t end = json.find(']', at);
  for (std::size_t p = json.find("Observation/", at); p != std::string::npos && p < end; p = json.find("Observation/", p + 1))
    out.push_back(json.substr(p + 12, 32));
  return out;
}

}  // namespace

TEST_CASE("fhir: culture results: organism and quantity grouped by OBX-4, susceptibilities as hasMember") {
  Collect sink;
  CollectingSink diagnostics;
  fhir::Converter converter({}, sink, diagnostics);
  converter.convert(record(culture_message()));
  auto observations = sink.of("Observation");
  // smear 2 organisms, culture 2 organisms, 2 x 2 susceptibilities (was 12, one per OBX).
  REQUIRE(observations.size() == 8);
  const std::string* ecoli = find_with(observations, "\"code\":\"2001\"");
  REQUIRE(ecoli);
  CHECK(ecoli->find("\"valueCodeableConcept\":{\"coding\":[{\"system\":\"urn:smx:cs:JANIS\",\"code\":\"2001\","
                    "\"display\":\"E.coli\"}],\"text\":\"E.coli\"}") != std::string::npos);
  CHECK(ecoli->find("\"component\":[{\"code\":{\"coding\":[{\"system\":\"urn:oid:1.2.392.200119.4.504\","
                    "\"code\":\"6B010000001774211\",\"display\":\"培養同定菌量\"}],\"text\":\"培養同定菌量\"},"
                    "\"valueString\":\"2 +\"}]") != std::string::npos);
  CHECK(ecoli->find("\"note\":[{\"text\":\"再検済み\"}]") != std::string::npos);  // NTE of the quantity row
  CHECK(ecoli->find("\"identifier\":[{\"value\":\"000000000000200_6B010000001774200_017_6B010000001774214_1\"}]") !=
        std::string::npos);
  const std::string* smear = find_with(observations, "\"code\":\"1012\"");
  REQUIRE(smear);
  CHECK(smear->find("\"valueString\":\"-\"") != std::string::npos);
  CHECK(smear->find("hasMember") == std::string::npos);

  // hasMember: the Observations of the OBR whose OBR-26 names this organism (OBX-3 + OBX-4).
  auto find_id = [&](std::string_view code, std::string_view value) {
    const std::string* o = find_with(observations, code, value);
    return o ? resource_id_of(*o) : std::string();
  };
  CHECK(references(*ecoli, "hasMember") ==
        std::vector<std::string>{find_id("6C205604701776205", "\"valueString\":\"<2\""), find_id("6C205609401776205", "\"value\":4,")});
  const std::string* aureus = find_with(observations, "\"code\":\"1301\"");
  REQUIRE(aureus);
  CHECK(references(*aureus, "hasMember") ==
        std::vector<std::string>{find_id("6C205604701776205", "\"value\":32,"), find_id("6C205609401776205", "\"value\":80,")});
  const std::string* mic = find_with(observations, "\"value\":80,");
  REQUIRE(mic);
  CHECK(mic->find("\"code\":\"R\"") != std::string::npos);

  // Reports list only what is written; nothing to report about this message.
  auto reports = sink.of("DiagnosticReport");
  REQUIRE(reports.size() == 4);
  CHECK(references(reports[1], "result") == std::vector<std::string>{resource_id_of(*ecoli), resource_id_of(*aureus)});
  CHECK_FALSE(diagnostics.has("FHIR-MICRO-GROUP"));
  CHECK_FALSE(diagnostics.has("FHIR-MICRO-PARENT"));

  // The organism keeps the id it had as a single row (quantity rows no longer have one).
  std::string single = culture_message();
  single.erase(single.find("OBX|2|ST|6B010000001774211"), single.find("NTE|1||再検済み") - single.find("OBX|2|ST|6B010000001774211"));
  Collect alone;
  NullSink quiet;
  fhir::Converter c2({}, alone, quiet);
  c2.convert(record(single));
  const std::vector<std::string> alone_observations = alone.of("Observation");
  const std::string* ecoli_alone = find_with(alone_observations, "\"code\":\"2001\"");
  REQUIRE(ecoli_alone);
  CHECK(resource_id_of(*ecoli_alone) == resource_id_of(*ecoli));
  CHECK(ecoli_alone->find("\"component\"") == std::string::npos);
}

TEST_CASE("fhir: culture rows that cannot be grouped or linked stay separate, with a note") {
  std::string m = culture_message();
  // Sub-ID 2 of the smear: two coded rows; OBR-4's parent: a sub-ID that does not exist.
  m.replace(m.find("|2|  -|"), std::string("|2|  -|").size(), "|2|1012^グラム陰性桿菌^JANIS|");
  m.replace(m.find("OBX|4|ST|6A010000001770411"), std::string("OBX|4|ST").size(), "OBX|4|CWE");
  m.replace(m.find("JC10^2^1301&S.aureus"), std::string("JC10^2^1301").size(), "JC10^9^1301");
  Collect sink;
  CollectingSink diagnostics;
  fhir::Converter converter({}, sink, diagnostics);
  converter.convert(record(m));
  CHECK(sink.of("Observation").size() == 9);
  CHECK(diagnostics.has("FHIR-MICRO-GROUP"));
  CHECK(diagnostics.has("FHIR-MICRO-PARENT"));
  const std::vector<std::string> observations = sink.of("Observation");
  const std::string* aureus = find_with(observations, "\"code\":\"1301\"");
  REQUIRE(aureus);
  CHECK(aureus->find("hasMember") == std::string::npos);
}

TEST_CASE("fhir: OBX-4 outside microbiology is not grouped") {
  std::string m = kOul;
  m.replace(m.find("OBX|1|NM|3D010000001926101^グルコース^JC10^G01^GLU^99L01||"),
            std::string("OBX|1|NM|3D010000001926101^グルコース^JC10^G01^GLU^99L01||").size(),
            "OBX|1|NM|3D010000001926101^グルコース^JC10^G01^GLU^99L01|1|");
  m.replace(m.find("OBX|3|ST|G03^尿蛋白^99L01||"), std::string("OBX|3|ST|G03^尿蛋白^99L01||").size(),
            "OBX|3|CWE|G03^尿蛋白^99L01|1|");
  Collect sink;
  NullSink quiet;
  fhir::Converter converter({}, sink, quiet);
  converter.convert(record(m));
  CHECK(sink.of("Observation").size() == 4);
}
