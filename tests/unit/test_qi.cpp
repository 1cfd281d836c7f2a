// smx qi's library (smx/qi.hpp): the shipped tables load, the measures on a hand-made timeline,
// and the errors of the drug master and of indicator files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "smx/error.hpp"
#include "smx/qi.hpp"

using namespace smx;
using namespace smx::clinical;

namespace {

const std::filesystem::path source_dir = SMX_SOURCE_DIR;

std::string write_temp(const std::string& name, const std::string& text) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / ("smx-test-qi-" + name);
  std::ofstream(path) << text;
  return path.string();
}

// An admission on `day`, or a discharge on `day` of the admission of `admit` (PV1-45, PV1-44).
Event stay_event(EventKind kind, Day day, Day admit = kNoDay) {
  Event e;
  e.kind = kind;
  e.day = day;
  e.admit = admit;
  return e;
}

Event administration(Day day, const std::string& code, const std::string& mg) {
  Event e;
  e.kind = EventKind::drug;
  e.action = DrugAction::administration;
  e.day = day;
  e.code = code;
  e.coding = DrugCoding::yj;
  e.dose = mg;
  e.dose_unit = "mg";
  return e;
}

}  // namespace

TEST_CASE("qi: DOT, LOT and AUD on one stay") {
  const qi::ClassTable classes = qi::load_class_table((source_dir / "mappings/qi/drug-classes.yaml").string());
  std::vector<qi::Indicator> all =
      qi::load_indicators({(source_dir / "mappings/qi/indicators.yaml").string()}, classes);
  REQUIRE(all.size() == 6);
  const std::string master = write_temp("drugs.csv", "code,yj,atc,ddd,ddd_unit\n6132901A9011,,J01DB04,3,g\n");
  const qi::DrugMaster drugs = qi::load_drug_master(master);
  CHECK(drugs.sha256.size() == 64);
  qi::Options options;
  options.min_cell = 0;
  qi::Calculator calculator({all[0], all[1], all[2]}, classes, &drugs, options);

  // 2024-01-30 .. 2024-02-02 (days 19752 .. 19755): 2 days in January, 2 in February.
  Timeline t;
  t.facility = "H01";
  t.patient = "1";
  t.events.push_back(stay_event(EventKind::admission, 19752));
  // Two agents on day 19753 (2 agent-days, 1 day), one on day 19755; one outside the stay.
  t.events.push_back(administration(19753, "6132901A9011", "1000"));
  t.events.push_back(administration(19753, "6132901A9011", "1000"));
  t.events.push_back(administration(19753, "6139901A9011", "500"));
  t.events.push_back(administration(19755, "6132901A9011", "1500"));
  t.events.push_back(stay_event(EventKind::discharge, 19755, 19752));
  t.events.push_back(administration(19800, "6132901A9011", "1000"));
  calculator.add(t);
  const auto rows = calculator.rows();
  REQUIRE(rows.size() == 6);  // January and February, 3 indicators
  CHECK(rows[0].period == "2024-01");
  CHECK(rows[0].indicator == "abx-dot");
  CHECK(rows[0].numerator == "2");    // two agents on 2024-01-31
  CHECK(rows[0].denominator == "2");  // 30 and 31 January
  CHECK(rows[1].numerator == "1");    // LOT: one day
  CHECK(rows[2].numerator == "0.6667");  // 2000 mg / 3 g; the 6139 drug has no DDD row
  CHECK(rows[3].period == "2024-02");
  CHECK(rows[3].numerator == "1");
  CHECK(rows[3].value == "500.0000");
  CHECK(rows[5].numerator == "0.5000");
  bool outside = false, no_ddd = false;
  for (const qi::Exclusion& e : calculator.exclusions()) {
    outside = outside || (e.reason == "outside-discharged-stay" && e.count == 1);
    no_ddd = no_ddd || (e.reason == "no-ddd" && e.count == 1);
  }
  CHECK(outside);
  CHECK(no_ddd);
}

TEST_CASE("qi: min-cell suppresses small cells and leaves the value empty") {
  const qi::ClassTable classes = qi::load_class_table((source_dir / "mappings/qi/drug-classes.yaml").string());
  std::vector<qi::Indicator> all =
      qi::load_indicators({(source_dir / "mappings/qi/indicators.yaml").string()}, classes);
  qi::Calculator calculator({all[0]}, classes, nullptr, qi::Options{});
  Timeline t;
  t.facility = "H01";
  t.events.push_back(stay_event(EventKind::admission, 19752));
  t.events.push_back(stay_event(EventKind::discharge, 19753, 19752));
  calculator.add(t);
  const auto rows = calculator.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].suppressed);
  CHECK(rows[0].value.empty());
}

TEST_CASE("qi: drug master errors name the file and line") {
  const std::string path = write_temp("bad.csv", "# comment\ncode,yj,atc,ddd,ddd_unit\nX,,J01,2,kg\n");
  try {
    qi::load_drug_master(path);
    FAIL("no error");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()) == path + ":3: [QI-DRUGS-ROW] ddd_unit must be g or mg, not 'kg'");
  }
  CHECK_THROWS_AS(qi::load_drug_master(write_temp("nohead.csv", "code,yj\n")), config_error);
}

TEST_CASE("qi: indicator file errors point at file:line:col") {
  const qi::ClassTable classes = qi::load_class_table((source_dir / "mappings/qi/drug-classes.yaml").string());
  const std::string path = write_temp("bad.yaml",
                                      "version: 1\nindicators:\n  - id: x\n    title: x\n    source: x\n"
                                      "    numerator: {measure: weeks}\n    denominator: {measure: patient-days}\n");
  try {
    qi::load_indicators({path}, classes);
    FAIL("no error");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()) == path + ":6:26: [QI-YAML] unknown measure 'weeks'");
  }
}

TEST_CASE("qi: a key that is a sequence or mapping is an error at its place, not YAML's exception") {
  // Found by fuzz_qi_inputs (tests/fuzz/corpus/qi_inputs/crash-sequence-key): YAML allows
  // "? [a, b]: c", and the loaders read every key as a string.
  const qi::ClassTable classes = qi::load_class_table((source_dir / "mappings/qi/drug-classes.yaml").string());
  const std::string top = write_temp("seq-key.yaml", "version: 1\n? [a, b]\n: c\n");
  CHECK_THROWS_WITH_AS(qi::load_class_table(top), (top + ":2:3: [QI-CLASSES] a key must be a scalar").c_str(),
                       config_error);
  CHECK_THROWS_WITH_AS(qi::load_indicators({top}, classes), doctest::Contains((top + ":2:3: [QI-YAML] a key must be a scalar").c_str()),
                       config_error);
  const std::string name = write_temp("map-name.yaml", "version: 1\nclasses:\n  {x: 1}: {yj_prefixes: ['61']}\n");
  CHECK_THROWS_WITH_AS(qi::load_class_table(name), doctest::Contains("[QI-CLASSES] a class name must be a scalar"),
                       config_error);
}
