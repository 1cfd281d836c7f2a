// Criteria files and their evaluation over hand-made timelines (smx/cohort.hpp).
#include <doctest/doctest.h>

#include <string>

#include "smx/cohort.hpp"
#include "smx/error.hpp"

using namespace smx;
using namespace smx::cohort;
using clinical::Day;
using clinical::day_of;
using clinical::Event;
using clinical::EventKind;

namespace {

const tables::Tables& shipped() {
  static const tables::Tables tables = tables::load_tables(SMX_SOURCE_DIR);
  return tables;
}

Criteria parse(const std::string& text) {
  units::Ucum ucum = shipped().make_ucum();
  return parse_criteria(text, "c.yaml", shipped(), ucum);
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

Event diagnosis(std::string code, std::string_view day) {
  Event e;
  e.kind = EventKind::diagnosis;
  e.code = std::move(code);
  e.day = day_of(day);
  return e;
}

Event lab(std::string code, std::string_view day, double value, std::string unit, std::string comparator = {}) {
  Event e;
  e.kind = EventKind::lab;
  e.code = std::move(code);
  e.day = day_of(day);
  e.numeric = true;
  e.value = value;
  e.unit = std::move(unit);
  e.comparator = std::move(comparator);
  return e;
}

Event drug(std::string code, clinical::DrugCoding coding, std::string_view day) {
  Event e;
  e.kind = EventKind::drug;
  e.code = std::move(code);
  e.coding = coding;
  e.day = day_of(day);
  return e;
}

clinical::Timeline person(char sex, std::string_view birth, std::vector<Event> events) {
  clinical::Timeline t;
  t.facility = "H01";
  t.patient = "P";
  t.sex = sex;
  t.birth = day_of(birth);
  t.events = std::move(events);
  return t;
}

const std::string kHeader = "code_sets:\n  dm: {icd10: [E11]}\n  a1c: {jlac10: [3d046]}\n"
                            "  cre: {jlac10: [3C015]}\n  sglt2: {yj: ['3969']}\nindex:\n  diagnosis: dm\n";

}  // namespace

TEST_CASE("cohort: criteria errors point at FILE:LINE:COLUMN") {
  CHECK(error_of(kHeader + "inclusion:\n  - name: x\n    lab: a1c\n    windw: {before: 1}\n") ==
        "c.yaml:11:5: [COHORT-CRITERIA] unknown key 'windw' (expected one of: lab, name, window, count, value, unit)");
  CHECK(error_of(kHeader + "inclusion:\n  - name: x\n    drug: metformin\n") ==
        "c.yaml:10:11: [COHORT-CRITERIA] code set 'metformin' is not defined under code_sets:");
  CHECK(error_of(kHeader + "inclusion:\n  - name: x\n    lab: a1c\n    value: '>= 6.5'\n    unit: furlongs\n")
            .find("c.yaml:12:11: [COHORT-CRITERIA] unit: 'furlongs'") == 0);
  CHECK(error_of(kHeader + "inclusion:\n  - name: x\n    sex: W\n") ==
        "c.yaml:10:10: [COHORT-CRITERIA] sex: M or F (PID-8), not 'W'");
  CHECK(error_of("index: {diagnosis: dm}\n") == "c.yaml:1:20: [COHORT-CRITERIA] code set 'dm' is not defined under code_sets:");
  CHECK(error_of("code_sets: {dm: {icd10: [E11]}}\n") .find("index: is required") != std::string::npos);
  CHECK(error_of(kHeader + "inclusion:\n  - name: x\n    lab: a1c\n    value: 'about 6'\n")
            .find("c.yaml:11:12: [COHORT-CRITERIA] value: an operator") == 0);
  const std::string syntax = error_of("code_sets: {dm: {icd10: [E11]}\nindex: x\n");  // YAML syntax
  CHECK(syntax.find("c.yaml:") == 0);
  CHECK(syntax.find("[COHORT-CRITERIA]") != std::string::npos);
}

TEST_CASE("cohort: code prefixes, windows, units, AND/OR/NOT") {
  const Criteria c = parse(kHeader + R"(inclusion:
  - name: adult
    age: {min: 18}
  - name: a1c high near the index
    lab: a1c
    value: ">= 6.5"
    unit: "%"
    window: {before: 30, after: 30}
  - name: no high creatinine before
    not:
      lab: cre
      value: ">= 1.3"
      unit: mg/dL
      window: {before: all, after: 0}
  - name: an SGLT2 inhibitor or a woman
    any:
      - drug: sglt2
      - sex: F
)");
  Evaluator evaluator(c, shipped());
  // E11.9 written with a dot; HbA1c 7.0 % ten days after; creatinine 88.4 umol/L (1.0 mg/dL by
  // the molar mass); a YJ code of class 3969.
  clinical::Timeline t = person('M', "19600101",
                                {diagnosis("E11.9", "20240301"), lab("3D046000001906202", "20240311", 7.0, "%"),
                                 lab("3C015000002327101", "20240201", 88.4, "umol/L"),
                                 drug("3969019F1020", clinical::DrugCoding::yj, "20240301")});
  Judgement j = evaluator.judge(t);
  REQUIRE(j.index_days.size() == 1);
  CHECK(j.index_days[0] == day_of("20240301"));
  CHECK(j.steps == 5);
  CHECK(j.age == 64);
  CHECK(j.excluded.empty());

  // Creatinine 130 umol/L = 1.47 mg/dL before the index: rule 3 fails (steps 3).
  t.events[2].value = 130;
  j = evaluator.judge(t);
  CHECK(j.index_days.empty());
  CHECK(j.steps == 3);
  // The same in mg/dL; after the index it is outside the window: passes again.
  t.events[2] = lab("3C015000002327101", "20240302", 1.47, "mg/dL");
  CHECK(evaluator.judge(t).steps == 5);
  // HbA1c 40 days away: outside the window.
  t.events[1].day = day_of("20240410");
  CHECK(evaluator.judge(t).steps == 2);
  // HbA1c in an unknown unit: not judged, counted, not met.
  t.events[1] = lab("3D046000001906202", "20240311", 7.0, "percentish");
  j = evaluator.judge(t);
  CHECK(j.steps == 2);
  CHECK(j.excluded["unit-unknown"] == 1);
  // HbA1c in another quantity: unit-incompatible; as text: not-numeric; a full-width % is known.
  t.events[1].unit = "mg/dL";
  CHECK(evaluator.judge(t).excluded["unit-incompatible"] == 1);
  t.events[1].numeric = false;
  CHECK(evaluator.judge(t).excluded["not-numeric"] == 1);
  t.events[1] = lab("3D046000001906202", "20240311", 7.0, "\xEF\xBC\x85");  // ％
  CHECK(evaluator.judge(t).steps == 5);
  // An inequality: ">8" meets ">= 6.5"; "<6" cannot; "<7" cannot decide.
  t.events[1] = lab("3D046000001906202", "20240311", 8, "%", ">");
  CHECK(evaluator.judge(t).steps == 5);
  t.events[1] = lab("3D046000001906202", "20240311", 6, "%", "<");
  j = evaluator.judge(t);
  CHECK(j.steps == 2);
  CHECK(j.excluded.empty());
  t.events[1] = lab("3D046000001906202", "20240311", 7, "%", "<");
  CHECK(evaluator.judge(t).excluded["inequality"] == 1);
  // A man without the drug fails rule 4; a woman passes it.
  t.events[1] = lab("3D046000001906202", "20240311", 7.0, "%");
  t.events[3].code = "2189015F1020";
  CHECK(evaluator.judge(t).steps == 4);
  t.sex = 'F';
  CHECK(evaluator.judge(t).steps == 5);
  // Too young at the index.
  t.birth = day_of("20100101");
  CHECK(evaluator.judge(t).steps == 1);
  // No E11: no index.
  t.events[0].code = "E109";
  CHECK(evaluator.judge(t).steps == 0);
}

TEST_CASE("cohort: first or every index event, count, HOT prefixes") {
  const std::string sets = "code_sets:\n  dm: {icd10: [E11]}\n  met: {hot: ['1124']}\n";
  const Criteria first = parse(sets + "index:\n  diagnosis: dm\ninclusion:\n  - name: two metformin\n"
                                      "    drug: met\n    count: 2\n    window: {before: 0, after: 10}\n");
  const Criteria every = parse(sets + "index:\n  diagnosis: dm\n  occurrence: every\ninclusion:\n  - name: two metformin\n"
                                      "    drug: met\n    count: 2\n    window: {before: 0, after: 10}\n");
  clinical::Timeline t = person('F', "19500101",
                                {diagnosis("E119", "20240101"), diagnosis("E112", "20240601"),
                                 drug("112400101", clinical::DrugCoding::hot9, "20240602"),
                                 drug("1124001010101", clinical::DrugCoding::hot13, "20240605"),
                                 drug("1124001", clinical::DrugCoding::yj, "20240606")});  // YJ: not HOT
  Evaluator a(first, shipped());
  Judgement j = a.judge(t);
  CHECK(j.index_days.empty());  // the first index (January) has no metformin after it
  CHECK(j.steps == 1);
  Evaluator b(every, shipped());
  j = b.judge(t);
  REQUIRE(j.index_days.size() == 1);
  CHECK(j.index_days[0] == day_of("20240601"));
  CHECK(step_names(every) == std::vector<std::string>{"patients", "index: diagnosis dm", "two metformin"});
}
