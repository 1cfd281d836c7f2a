// lib/fhir: ids, DTM conversion, JSON writer, Observation mapping (in memory).
#include <doctest/doctest.h>

#include <regex>

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
