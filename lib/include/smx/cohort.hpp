// lib/cohort: eligibility criteria over patient timelines (smx-cohort(1)). A criteria file (YAML)
// names code sets, an index event and inclusion rules; each (facility, patient) timeline is
// judged against them, and the patients that pass are the cohort, each with an index date.
// The structure follows OHDSI Circe cohort definitions (concept sets, primary criteria,
// inclusion rules, windows relative to the index; smx-cohort(1) "CIRCE").
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smx/clinical.hpp"
#include "smx/tables.hpp"
#include "smx/units.hpp"

namespace smx::cohort {

// A code set: prefixes per coding system. ICD-10 is compared without its dot (E11.9 = E119);
// JLAC10 by prefix, so the analyte code alone (5 characters) takes every specimen and method;
// YJ by prefix, so a 薬効分類 class (3 or 4 digits) takes every drug of the class; HOT by prefix
// (a HOT7 prefix matches the HOT9 and HOT13 codes that extend it); local: the site's own codes
// (lab OBX-3 local code, drug code of a local system).
struct CodeSet {
  std::string name;
  std::vector<std::string> icd10, medis, jlac10, yj, hot, local;
};

enum class NodeKind : std::uint8_t { all, any, negation, event, age, sex };
enum class Op : std::uint8_t { lt, le, gt, ge, eq };

// A window relative to the index day: an event on day d is in it when
// index - before <= d <= index + after. `unbounded_*`: that side is open ("all").
struct Window {
  bool set = false;
  int before = 0, after = 0;
  bool unbounded_before = false, unbounded_after = false;
};

// One node of a criterion. Children are indices into Criteria::nodes (all, any: several; not:
// one). An event node: `event` kind, the code set (-1: any event of the kind), window, count,
// and for labs an optional value test in `unit` (UCUM).
struct Node {
  NodeKind kind = NodeKind::all;
  std::vector<std::size_t> children;
  clinical::EventKind event = clinical::EventKind::diagnosis;
  int code_set = -1;
  Window window;
  int min_count = 1;
  bool has_value = false;
  Op op = Op::ge;
  double number = 0;
  std::string unit;       // UCUM, resolved from what the file says
  std::string unit_text;  // as the file says it
  int age_min = -1, age_max = -1;
  char sex = 0;
  std::string where;      // FILE:LINE:COLUMN of the node, for messages
  std::string text;       // a short description ("lab hba1c >= 6.5 %")
};

struct Rule {
  std::string name;
  std::size_t node = 0;
};

struct Criteria {
  std::string name;
  std::vector<CodeSet> code_sets;
  std::vector<Node> nodes;
  std::size_t index = 0;      // an event node: the index event
  bool every = false;         // occurrence: every (each qualifying index event) or first
  std::vector<Rule> inclusion;
};

// Parses a criteria file's text (`file` names it in errors). Throws config_error
// "FILE:LINE:COLUMN: [COHORT-CRITERIA] what" for anything it cannot take: unknown keys, a code
// set that is not defined, a unit that is neither UCUM nor in the tables.
Criteria parse_criteria(std::string_view text, const std::string& file, const tables::Tables& tables,
                        units::Ucum& ucum);
Criteria load_criteria(const std::string& path, const tables::Tables& tables, units::Ucum& ucum);

// Why a lab result whose code matched a value test could not be judged (it then does not count
// as meeting the test; each is counted per facility):
//   not-numeric       qualitative or text result
//   unit-missing      no unit sent (OBX-6 empty) for a test with a unit
//   unit-unknown      a unit spelling neither UCUM nor in the tables
//   unit-incompatible the unit does not convert to the test's unit (another quantity)
//   inequality        "<0.5"-type value that the test cannot decide
inline constexpr const char* kLabReasons[] = {"not-numeric", "unit-missing", "unit-unknown", "unit-incompatible",
                                              "inequality"};

struct Judgement {
  // The index days that pass every inclusion rule (first: at most one).
  std::vector<clinical::Day> index_days;
  // 0: no index event; 1: an index event; 1 + k: an index event passing rules 1..k.
  std::size_t steps = 0;
  int age = -1;  // at the first index day that passes (or the first index day)
  // Lab results excluded from a value test, by reason (kLabReasons).
  std::map<std::string, std::uint64_t> excluded;
};

class Evaluator {
 public:
  Evaluator(const Criteria& criteria, const tables::Tables& tables);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;
  Judgement judge(const clinical::Timeline& timeline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The names of the attrition steps: "patients", "index: ...", then each rule's name.
std::vector<std::string> step_names(const Criteria& criteria);

}  // namespace smx::cohort
