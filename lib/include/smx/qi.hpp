// lib/qi: quality indicators per facility and period over the patient timeline (smx qi, issue
// 15). Indicators are declared in YAML (mappings/qi/indicators.yaml; smx-qi(1) "INDICATOR
// LANGUAGE"): a numerator and a denominator, each one measure (patient-days, agent-days, days,
// ddd, stays, patients) over selected events. Drug classes come from tables, never from the code
// itself: the shipped 薬効分類 prefixes of YJ codes (mappings/qi/drug-classes.yaml) and the site's
// drug master (--drugs: HOT9/HOT7/YJ -> YJ, ATC, DDD), which smx reads but never ships.
//
// Streaming: one patient timeline at a time (clinical::TimelineBuilder); what is kept between
// patients is one cell per (facility, period, indicator).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smx/clinical.hpp"

namespace smx::qi {

// ---- drug classes and the site's drug master --------------------------------------------------
struct ClassTable {
  struct Class {
    std::string name;
    std::vector<std::string> yj_prefixes, atc_prefixes;
  };
  std::vector<Class> classes;
  const Class* find(std::string_view name) const;
};
// Throws config_error "FILE:LINE:COL: [QI-CLASSES] ..." on a bad table.
ClassTable load_class_table(const std::string& path);

struct DrugRow {
  std::string yj, atc;
  double ddd_mg = 0;  // 0: none given
};
struct DrugMaster {
  std::map<std::string, DrugRow, std::less<>> by_code;  // HOT9, HOT7 or YJ as written in `code`
  std::string path, sha256;                             // the file and the SHA-256 of its bytes
  std::size_t rows = 0;
  const DrugRow* find(std::string_view code) const;
};
// CSV with a header naming code,yj,atc,ddd,ddd_unit (any order, more columns ignored; '#' lines
// are comments). Throws config_error "FILE:LINE: [QI-DRUGS-ROW] ..." naming the file and line.
DrugMaster load_drug_master(const std::string& path);

// ---- indicators --------------------------------------------------------------------------------
struct Selector {
  std::string kind;         // "drug", "lab" ("" = any)
  std::string action;       // drug: prescription, injection, administration
  std::string drug_class;   // a class of the class table
  std::string setting;      // "", outpatient, inpatient
  std::string data_type;    // SS-MIX2 data type
  std::vector<std::string> code_prefixes;
  std::string unit;         // lab: OBX-6.1 must be this
  bool given = false;
};

enum class Measure : std::uint8_t { patient_days, agent_days, days, ddd, stays, patients };
std::string_view measure_name(Measure measure);

struct MeasureSpec {
  Measure measure = Measure::patient_days;
  Selector events, having, preceded_by, anchor, test;
  int window_days = 365;
  int supply_days_at_least = 0;
  bool has_last_below = false;
  double last_below = 0;
  int tests_at_least = 0;
  int apart_days = 0;
};

struct Indicator {
  std::string id, title, source, where;  // where: "FILE:LINE" of its entry
  double per = 1;
  MeasureSpec numerator, denominator;
};

// Loads the indicator files in order (later ids must be new); checks every class named against
// `classes`. Throws config_error "FILE:LINE:COL: [QI-YAML] ..." on the first problem.
std::vector<Indicator> load_indicators(const std::vector<std::string>& paths, const ClassTable& classes);

// ---- computing ---------------------------------------------------------------------------------
enum class Period : std::uint8_t { month, quarter, year };
struct Options {
  bool by_facility = true;
  Period period = Period::month;
  double min_cell = 10;
};

// Why a record or event did not count (smx-qi(1) "EXCLUSIONS").
struct Exclusion {
  std::string facility, reason;
  std::uint64_t count = 0;
};

struct Cell {
  double numerator = 0, denominator = 0;
};

class Calculator {
 public:
  Calculator(std::vector<Indicator> indicators, const ClassTable& classes, const DrugMaster* drugs, Options options);
  ~Calculator();
  void add(const clinical::Timeline& timeline);
  // Rows: facility, period, indicator, numerator, denominator, value, suppressed (text).
  struct Row {
    std::string facility, period, indicator, numerator, denominator, value;
    bool suppressed = false;
  };
  std::vector<Row> rows() const;
  std::vector<Exclusion> exclusions() const;
  std::uint64_t patients() const { return patients_; }
  const std::vector<Indicator>& indicators() const { return indicators_; }

 private:
  struct Impl;
  std::vector<Indicator> indicators_;
  std::unique_ptr<Impl> impl_;
  std::uint64_t patients_ = 0;
};

}  // namespace smx::qi
