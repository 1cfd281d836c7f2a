// lib/validate: grammar matcher, value checkers, profile loading (errors with line:col), checker.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "smx/validate.hpp"

using namespace smx;
using namespace smx::validate;

namespace {

std::vector<std::string_view> split(const std::string& s) {
  static std::vector<std::string> storage;
  storage.clear();
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    storage.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  for (const auto& x : storage) out.push_back(x);
  return out;
}

bool fits(const Grammar& g, const std::string& ids) { return !g.match(split(ids)).has_value(); }

const std::string kProfileDir = std::string(SMX_SOURCE_DIR) + "/mappings/profiles";

Record record_of(const std::string& text, const std::string& file_name = {}) {
  Record r;
  std::string reason;
  REQUIRE(r.message.assign(text, &reason));
  r.src.path = file_name.empty() ? "mem" : file_name;
  r.src.n = 1;
  r.charset = "ISO-2022-JP";
  if (!file_name.empty()) {
    std::vector<ssmix2::NameProblem> problems;
    r.ssmix2 = ssmix2::parse_file_name(file_name, problems);
  }
  return r;
}

std::vector<std::string> codes(const CollectingSink& sink) {
  std::vector<std::string> out;
  for (const auto& d : sink.items) out.push_back(d.code);
  return out;
}

}  // namespace

TEST_CASE("grammar: optional and repeating groups, choices") {
  Grammar g = Grammar::compile("MSH [PID [PD1]] { SPM [{OBX}] { OBR [ORC] [{OBX [{NTE}]}] } } [DSC]");
  CHECK(fits(g, "MSH SPM OBR"));
  CHECK(fits(g, "MSH PID PD1 SPM OBX OBX OBR ORC OBX NTE NTE OBX OBR SPM OBR DSC"));
  CHECK_FALSE(fits(g, "MSH PID"));           // a required group is missing
  CHECK_FALSE(fits(g, "MSH PD1 SPM OBR"));   // PD1 only inside the PID group
  CHECK_FALSE(fits(g, "MSH SPM ORC OBR"));   // ORC before OBR (ACEDIA sample, reference §8 item 9)
  auto m = g.match(split("MSH SPM ORC OBR"));
  REQUIRE(m);
  CHECK(m->index == 2);
  CHECK(m->text.find("ORC not allowed after SPM") != std::string::npos);
  auto end = g.match(split("MSH SPM"));
  REQUIRE(end);
  CHECK(end->index == 2);
  CHECK(end->text.find("OBR") != std::string::npos);

  Grammar choice = Grammar::compile("MSH {ORC <OBR [{OBX}] | RXO [{RXR}]>}");
  CHECK(fits(choice, "MSH ORC OBR OBX ORC RXO RXR RXR"));
  CHECK_FALSE(fits(choice, "MSH ORC OBR RXR"));
  // {{RXA} RXR}: RAS_O17 administration group (several RXA share one RXR)
  Grammar ras = Grammar::compile("MSH {ORC {{RXA} RXR}}");
  CHECK(fits(ras, "MSH ORC RXA RXA RXR"));
  CHECK_FALSE(fits(ras, "MSH ORC RXA"));
}

TEST_CASE("grammar: syntax errors name the position") {
  CHECK_THROWS_AS(Grammar::compile("MSH [PID"), parse_error);
  CHECK_THROWS_AS(Grammar::compile("MSH {PID]"), parse_error);
  CHECK_THROWS_AS(Grammar::compile("MSH PIDX"), parse_error);
  try {
    Grammar::compile("MSH ?");
    FAIL("no exception");
  } catch (const parse_error& e) {
    CHECK(e.position == 4);
  }
}

TEST_CASE("DTM checker") {
  CHECK(check_dtm("2024") == DtmResult::ok);
  CHECK(check_dtm("20240229") == DtmResult::ok);
  CHECK(check_dtm("20230229") == DtmResult::bad_value);
  // Gregorian century rule (<chrono>): 1900 is not a leap year, 2000 is; 30 days in April.
  CHECK(check_dtm("19000229") == DtmResult::bad_value);
  CHECK(check_dtm("20000229") == DtmResult::ok);
  CHECK(check_dtm("20240431") == DtmResult::bad_value);
  CHECK(check_dtm("20241231") == DtmResult::ok);
  CHECK(check_dtm("20111220224447.3399") == DtmResult::ok);
  CHECK(check_dtm("20111220224447.33991") == DtmResult::bad_format);
  CHECK(check_dtm("202401011230.5") == DtmResult::bad_format);  // fraction needs seconds
  CHECK(check_dtm("20240101123045+0900") == DtmResult::ok);
  CHECK(check_dtm("2024-01-01") == DtmResult::bad_format);
  CHECK(check_dtm("2024010") == DtmResult::bad_format);
  CHECK(check_dtm("202306132430") == DtmResult::hour_24_47);  // reference §8 item 6
  CHECK(check_dtm("202306134730") == DtmResult::hour_24_47);
  CHECK(check_dtm("202306134830") == DtmResult::bad_value);
  CHECK(check_dtm("202306131260") == DtmResult::bad_value);
  CHECK(check_dtm("20240101", 8) == DtmResult::ok);
  CHECK(check_dtm("2024010112", 8) == DtmResult::bad_format);
}

TEST_CASE("NM checker: no exponent") {
  bool exponent = false;
  CHECK(check_nm("7.2"));
  CHECK(check_nm("-14"));
  CHECK(check_nm("+.5"));
  CHECK(check_nm("5."));
  CHECK_FALSE(check_nm(""));
  CHECK_FALSE(check_nm("."));
  CHECK_FALSE(check_nm("1.3E+2", &exponent));
  CHECK(exponent);
  CHECK_FALSE(check_nm("50x10^2", &exponent));
  CHECK(exponent);
  CHECK_FALSE(check_nm("<0.5", &exponent));
  CHECK_FALSE(exponent);
  CHECK_FALSE(check_nm("4,9", &exponent));
  CHECK_FALSE(exponent);
}

TEST_CASE("JLAC10 shape") {
  const std::string shape = "9A999XXXX999---XX";
  CHECK(matches_shape("3A010000002327101", shape));
  CHECK(matches_shape("5F625141006319011", shape));
  CHECK(matches_shape("3A0100000023---01", shape));
  CHECK_FALSE(matches_shape("ABCDE000002327101", shape));
  CHECK_FALSE(matches_shape("3A01000000232710", shape));
}

TEST_CASE("field specs") {
  FieldSpec f = parse_field_spec("SPM-17.1");
  CHECK(f.segment == "SPM");
  CHECK(f.field == 17);
  CHECK(f.component == 1);
  CHECK_THROWS_AS(parse_field_spec("SPM17"), parse_error);
  CHECK_THROWS_AS(parse_field_spec("SPM-0"), parse_error);
  CHECK_THROWS_AS(parse_field_spec("SPM-x.1"), parse_error);
}

TEST_CASE("profile loading: errors carry file:line:col") {
  auto error_of = [](const std::string& yaml) -> std::string {
    try {
      parse_profile(yaml, "p.yaml");
    } catch (const config_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of("profile: x\nbogus: 1\n") == "p.yaml:2:1: unknown key 'bogus'");
  CHECK(error_of("rules:\n  - {code: A, severity: fatal, description: d, clause: c}\n")
            .starts_with("p.yaml:2:"));
  CHECK(error_of("rules:\n  - {code: A, severity: fatal, description: d, clause: c}\n").find("severity must be") !=
        std::string::npos);
  CHECK(error_of("rules:\n  - {code: A, severity: error}\n") == "p.yaml:2:5: rule without 'description'");
  std::string grammar = error_of("structures:\n  X: MSH [PID\n");
  CHECK(grammar.starts_with("p.yaml:2:6: structure X: grammar: missing ']'"));
  CHECK(error_of("field_types:\n  DTM: [MSH7]\n").starts_with("p.yaml:2:9: field 'MSH7'"));
  CHECK(error_of("table_fields:\n  OBX-8: \"0078\"\n").starts_with("p.yaml:2:10: table '0078' is not defined"));
  CHECK(error_of("profile: [unclosed\n").starts_with("p.yaml:"));
  CHECK(error_of("extends: no-such-profile\n").find("not found") != std::string::npos);
}

TEST_CASE("shipped profiles load; site config overrides") {
  Profile p = load_profile("ssmix2-1.2i", {kProfileDir});
  CHECK(p.name == "ssmix2-1.2i");
  CHECK(p.files.size() == 2);  // hl7-2.5 then ssmix2-1.2i
  REQUIRE(p.rule("SSMX-CARE-DATE"));
  REQUIRE(p.rule("HL7-SEG-ORDER"));
  CHECK(p.rule("CHARSET-HALFWIDTH-KANA")->severity == Severity::error);  // stricter than hl7-2.5
  CHECK(p.structures.count("OUL_R22") == 1);
  CHECK(p.structures.count("OMI_Z23") == 1);
  CHECK(std::find(p.tables["0125"].begin(), p.tables["0125"].end(), "ZRD") != p.tables["0125"].end());

  apply_config_text(p, "severities:\n  SSMX-DEPT: error\n  HL7-DT-CWE: off\n", "site.yaml");
  CHECK(p.rule("SSMX-DEPT")->severity == Severity::error);
  CHECK_FALSE(p.rule("HL7-DT-CWE")->enabled);
  try {
    apply_config_text(p, "severities:\n  NO-SUCH: error\n", "site.yaml");
    FAIL("no exception");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()).starts_with("site.yaml:2:3: rule 'NO-SUCH'"));
  }
  Profile hl7 = load_profile("hl7-2.5", {kProfileDir});
  CHECK(hl7.rule("SSMX-CARE-DATE") == nullptr);
}

TEST_CASE("checker: OUL^R22 against its file name") {
  Profile p = load_profile("ssmix2-1.2i", {kProfileDir});
  const std::string good =
      "MSH|^~\\&|HIS|SEND|GW|RCV|20111220103059.0000||OUL^R22^OUL_R22|1|P|2.5||||||~ISO IR87||ISO 2022-1994\r"
      "PID|0001||9999013^^^^PI||患者^太郎^^^^^L^I||19700405|M\r"
      "PV1|0001|O|01^^^^^C\r"
      "SPM|1|000000001219001||023^血清^JC10|||||||||||||201112201500\r"
      "OBR|1|000000011000354||E001^血液学的検査^99O03\r"
      "ORC|SC|000000011000354|||||||||||||||01^内科^99XY1\r"
      "OBX|1|NM|3A010000002327101^総蛋白^JC10||7.2|g/dl^g/dl^99XYZ|6.70-8.3|N|||F\r";
  const std::string name = "9999013_20111220_OML-11_000000011000354_20111220103059000_01_1";
  {
    Checker checker(p, false);
    CollectingSink sink;
    Record r = record_of(good, name);
    checker.check(r, sink);
    CHECK(codes(sink).empty());
  }
  {
    Checker checker(p, false);
    CollectingSink sink;
    std::string bad = good;
    bad.replace(bad.find("201112201500"), 12, "201112191500");  // reference §8 item 8
    bad.replace(bad.find("9999013^^^^PI"), 7, "0001000");
    bad.replace(bad.find("|7.2|"), 5, "|1E3|");
    Record r = record_of(bad, name);
    checker.check(r, sink);
    auto c = codes(sink);
    CHECK(std::find(c.begin(), c.end(), "SSMX-CARE-DATE") != c.end());
    CHECK(std::find(c.begin(), c.end(), "SSMX-PATIENT-ID") != c.end());
    CHECK(std::find(c.begin(), c.end(), "HL7-DT-NM") != c.end());
    for (const auto& d : sink.items) {  // no PHI without --show-phi
      CHECK(d.text.find("0001000") == std::string::npos);
      CHECK(d.text.find("20111219") == std::string::npos);
    }
  }
}

TEST_CASE("checker: condition-flag lifecycle across files") {
  Profile p = load_profile("ssmix2-1.2i", {kProfileDir});
  const std::string msg =
      "MSH|^~\\&|HIS|SEND|GW|RCV|20111220103059||ADT^A08^ADT_A01|1|P|2.5||||||~ISO IR87||ISO 2022-1994\r"
      "EVN||20111220\rPID|0001||9999013^^^^PI||患者^太郎^^^^^L^I||19700405|M\rPV1|0001|O\r";
  Checker a(p, false), b(p, false);
  CollectingSink ignored;
  for (const char* n : {"9999013_-_ADT-00_999999999999999_20111220103059000_-_1",
                        "9999013_-_ADT-00_999999999999999_20111221103059000_-_1"}) {
    Record r = record_of(msg, n);
    a.check(r, ignored);
  }
  Record r = record_of(msg, "9999013_-_ADT-00_999999999999999_20111222103059000_-_0");
  b.check(r, ignored);
  a.merge(b);
  CollectingSink sink;
  a.finish(sink);
  auto c = codes(sink);
  CHECK(std::count(c.begin(), c.end(), "SSMX-FLAG-LIFECYCLE") == 1);
  CHECK(std::count(c.begin(), c.end(), "SSMX-FLAG-DELETED") == 2);
}

// ---- issue 12: what tools/validate.cpp used to decide itself -----------------------------------

TEST_CASE("report_format_for: by the file's extension; '-' is Markdown on standard output") {
  CHECK(report_format_for("-") == "md");
  CHECK(report_format_for("out/report.md") == "md");
  CHECK(report_format_for("report.markdown") == "md");
  CHECK(report_format_for("a.b/report.html") == "html");
  CHECK(report_format_for("report.htm") == "html");
  CHECK(report_format_for("report.txt") == "");
  CHECK(report_format_for("report") == "");
  CHECK(report_format_for("report.MD") == "");  // extensions are compared as written
  CHECK(report_format_for("dir.md/report") == "");
}

TEST_CASE("format_stats: the count line as text or a stats record") {
  Summary s;
  s.profile = "ssmix2-1.2i";
  s.counts.files = 3;
  s.counts.read = 10;
  s.counts.rejected = 1;
  s.errors = 2;
  s.warnings = 5;
  s.notes = 1;
  CHECK(format_stats(s, false) ==
        "smx validate: ssmix2-1.2i: files 3, messages 10, rejected 1; 2 error(s), 5 warning(s), 1 note(s)\n");
  s.counts.filtered = 4;
  s.counts.undetermined = 1;
  CHECK(format_stats(s, false) ==
        "smx validate: ssmix2-1.2i: files 3, messages 10, rejected 1, filtered 4 (1 undetermined); 2 error(s), 5 "
        "warning(s), 1 note(s)\n");
  s.profile = "my \"site\"";
  CHECK(format_stats(s, true) ==
        "{\"smx\":1,\"kind\":\"stats\",\"command\":\"validate\",\"profile\":\"my \\\"site\\\"\",\"files\":3,\"read\":10,"
        "\"checked\":5,\"rejected\":1,\"filtered\":4,\"undetermined\":1,\"errors\":2,\"warnings\":5,\"notes\":1}\n");
}

TEST_CASE("profiles by name come from the data root's mappings/profiles") {
  CHECK(profile_search_path({}).empty());
  const auto search = profile_search_path(SMX_SOURCE_DIR);
  REQUIRE(search.size() == 1);
  CHECK(search[0] == kProfileDir);
  CHECK(load_profile("hl7-2.5", search).name == "hl7-2.5");
  std::string message;
  try {
    load_profile("no-such", search);
  } catch (const config_error& e) {
    message = e.what();
  }
  CHECK(message == "profile 'no-such' not found in " + kProfileDir +
                       "; give a profile file, or a data folder whose mappings/profiles/ has it");
  try {
    load_profile("no-such", {});
  } catch (const config_error& e) {
    message = e.what();
  }
  CHECK(message.find("(no profile folder to look in)") != std::string::npos);
}
