// lib/validate with --deidentified (issue 13): only the findings of the exact shape an smx deid
// profile writes by design become VAL-DEID-EXPECTED notes; every other finding stays as it was.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "smx/validate.hpp"

using namespace smx;
using namespace smx::validate;

namespace {

const std::string kProfileDir = std::string(SMX_SOURCE_DIR) + "/mappings/profiles";

Record record_of(const std::string& text, const std::string& file_name) {
  Record r;
  std::string reason;
  REQUIRE(r.message.assign(text, &reason));
  r.src.path = file_name;
  r.src.n = 1;
  r.charset = "ISO-2022-JP";
  std::vector<ssmix2::NameProblem> problems;
  r.ssmix2 = ssmix2::parse_file_name(file_name, problems);
  return r;
}

// An OML-11 message as smx deid --profile safe-harbor writes it: every date cut to the year.
std::string lab_message(const std::string& msh7, const std::string& birth, const std::string& specimen_date) {
  return "MSH|^~\\&|HIS|SEND|GW|RCV|" + msh7 + "||OUL^R22^OUL_R22|1|P|2.5||||||~ISO IR87||ISO 2022-1994\r"
         "PID|0001||900000000000013^^^^PI||*||" + birth + "|M\r"
         "PV1|0001|O|01^^^^^C\r"
         "SPM|1|000000001219001||023^血清^JC10|||||||||||||" + specimen_date + "\r"
         "OBR|1|000000011000354||E001^血液学的検査^99O03\r"
         "ORC|SC|000000011000354|||||||||||||||01^内科^99XY1\r"
         "OBX|1|NM|3A010000002327101^総蛋白^JC10||7.2|g/dl^g/dl^99XYZ|6.70-8.3|N|||F\r";
}
const std::string kName = "900000000000013_20110101_OML-11_000000011000354_20110101000000000_01_1";

DeidentifiedExpectation safe_harbor() { return {"safe-harbor", 4, 0}; }
DeidentifiedExpectation ppc_anon() { return {"ppc-anon", 0, 90}; }

CollectingSink check(const std::string& text, const std::string& name, std::optional<DeidentifiedExpectation> e) {
  static const Profile profile = load_profile("ssmix2-1.2i", {kProfileDir});
  Checker checker(profile, false, std::move(e));
  CollectingSink sink;
  Record r = record_of(text, name);
  checker.check(r, sink);
  checker.finish(sink);
  return sink;
}

std::vector<std::string> errors(const CollectingSink& sink) {
  std::vector<std::string> out;
  for (const auto& d : sink.items)
    if (d.severity == Severity::error) out.push_back(d.code);
  return out;
}

std::vector<std::string> expected(const CollectingSink& sink) {
  std::vector<std::string> out;
  for (const auto& d : sink.items)
    if (d.code == kDeidExpectedCode) {
      CHECK(d.severity == Severity::note);
      CHECK(d.text.starts_with(d.subject + " by design of the de-identification profile "));
      out.push_back(d.subject);
    }
  std::sort(out.begin(), out.end());
  return out;
}

bool has(const std::vector<std::string>& codes, std::string_view code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

}  // namespace

TEST_CASE("is_padded_date: YYYY -> YYYY0101, YYYYMM -> YYYYMM01, nothing else") {
  CHECK(is_padded_date("20110101", "2011", 4));
  CHECK(is_padded_date("20110301", "201103", 6));
  CHECK_FALSE(is_padded_date("20110102", "2011", 4));  // a day of its own is information
  CHECK_FALSE(is_padded_date("20120101", "2011", 4));  // another year
  CHECK_FALSE(is_padded_date("20110101", "201101", 4));  // the message holds more than the year
  CHECK_FALSE(is_padded_date("20110101", "20110101", 4));
  CHECK_FALSE(is_padded_date("20110101", "2011", 0));  // full dates: no padding
  CHECK_FALSE(is_padded_date("20110101", "2O11", 4));
  CHECK_FALSE(is_padded_date("2011010", "2011", 4));
}

TEST_CASE("--deidentified safe-harbor: year-only dates and padded names are notes") {
  const std::string text = lab_message("2011", "1970", "2011");
  const CollectingSink plain = check(text, kName, std::nullopt);
  CHECK(has(errors(plain), "SSMX-CARE-DATE"));
  CHECK(expected(plain).empty());
  const CollectingSink deid = check(text, kName, safe_harbor());
  CHECK(errors(deid).empty());
  CHECK(expected(deid) == std::vector<std::string>{"SSMX-CARE-DATE", "SSMX-MSH7-PRECISION", "SSMX-TIMESTAMP"});
  for (const auto& d : deid.items) CHECK(d.text.find("2011") == std::string::npos);  // no date in the text
}

TEST_CASE("--deidentified safe-harbor: a care date the padding does not explain stays an error") {
  // SPM-17 of another year, SPM-17 with the month, a folder date with a real day.
  for (const auto& c : std::vector<std::pair<std::string, std::string>>{
           {"2012", kName},
           {"201103", kName},
           {"2011", "900000000000013_20110315_OML-11_000000011000354_20110101000000000_01_1"}}) {
    const std::string& spm17 = c.first;
    const std::string& name = c.second;
    CAPTURE(spm17);
    CAPTURE(name);
    const CollectingSink deid = check(lab_message("2011", "1970", spm17), name, safe_harbor());
    CHECK(has(errors(deid), "SSMX-CARE-DATE"));
    CHECK_FALSE(has(expected(deid), "SSMX-CARE-DATE"));
  }
  // MSH-7 with seconds: the timestamp and precision findings are not the profile's.
  const CollectingSink full = check(lab_message("20110101120000", "1970", "2011"), kName, safe_harbor());
  CHECK_FALSE(has(expected(full), "SSMX-TIMESTAMP"));
  CHECK_FALSE(has(expected(full), "SSMX-MSH7-PRECISION"));
}

TEST_CASE("--deidentified ppc-anon: an empty PID-7 is the top-coding; nothing else is") {
  const std::string text = lab_message("20111220103059", "", "20111220");
  const std::string name = "900000000000013_20111220_OML-11_000000011000354_20111220103059000_01_1";
  const CollectingSink plain = check(text, name, std::nullopt);
  CHECK(errors(plain) == std::vector<std::string>{"HL7-REQUIRED"});
  const CollectingSink deid = check(text, name, ppc_anon());
  CHECK(errors(deid).empty());
  CHECK(expected(deid) == std::vector<std::string>{"HL7-REQUIRED"});
  for (const auto& d : deid.items)
    if (d.code == kDeidExpectedCode) CHECK(d.where.hl7_path == "PID-7");

  // Another required field emptied (PID-8) stays an error next to the PID-7 note.
  std::string no_sex = text;
  no_sex.replace(no_sex.find("||M\r"), 4, "||\r");
  CHECK(errors(check(no_sex, name, ppc_anon())) == std::vector<std::string>{"HL7-REQUIRED"});
  // A malformed birth date is not the profile's: HL7-DT-DTM stays an error.
  CHECK(errors(check(lab_message("20111220103059", "19x0", "20111220"), name, ppc_anon())) ==
        std::vector<std::string>{"HL7-DT-DTM"});
  // A profile that keeps the birth date (or caps it) explains no empty PID-7.
  CHECK(errors(check(text, name, safe_harbor())) == std::vector<std::string>{"HL7-REQUIRED"});
  // A profile that does not keep PID-7 at all explains it always.
  CHECK(expected(check(text, name, DeidentifiedExpectation{"mine", 0, -1})) == std::vector<std::string>{"HL7-REQUIRED"});
}

TEST_CASE("--deidentified safe-harbor: current files meeting in one padded key are notes") {
  static const Profile profile = load_profile("ssmix2-1.2i", {kProfileDir});
  auto run = [&](const std::string& second_msh7, std::optional<DeidentifiedExpectation> e) {
    Checker checker(profile, false, std::move(e));
    CollectingSink sink;
    Record a = record_of(lab_message("2011", "1970", "2011"), kName);
    checker.check(a, sink);
    Record b = record_of(lab_message(second_msh7, "1970", "2011"),
                         "900000000000013_20110101_OML-11_000000011000354_20110101000000001_01_1");
    checker.check(b, sink);
    CollectingSink lifecycle;
    checker.finish(lifecycle);
    return lifecycle;
  };
  CHECK(errors(run("2011", std::nullopt)) == std::vector<std::string>{"SSMX-FLAG-LIFECYCLE"});
  const CollectingSink deid = run("2011", safe_harbor());
  CHECK(errors(deid).empty());
  CHECK(expected(deid) == std::vector<std::string>{"SSMX-FLAG-LIFECYCLE"});
  // One of the files holds a full MSH-7: the tree can tell them apart, so the key is a real
  // duplicate, an error.
  CHECK(errors(run("20110101000000", safe_harbor())) == std::vector<std::string>{"SSMX-FLAG-LIFECYCLE"});
}
