// smx gen --cohort-truth (smx-gen(1)): the criteria of examples/cohorts/t2dm-hba1c.yaml written
// out in C++ over what gen drew -- the diagnoses, drugs and lab values of the files that stay
// current (condition flag 1) -- never by reading the messages back, so that smx cohort (which
// reads the messages) is checked against an independent answer:
//   index: the first diagnosis whose ICD-10 starts with E11
//   1 "aged 40 or more" at the index date
//   2 an HbA1c (JLAC10 analyte 3D046) result >= 6.5 % within 365 days before or after the index
//   3 no diagnosis N18*, and no creatinine (3C015) >= 1.3 mg/dL on or before the index day
//   4 metformin (the HOT9 code gen uses, 900000303) on or after the index day, or a woman
// Lab results are seen by their JLAC10 code only where the facility sends one (code_style not
// "local"); a result whose unit spelling no table covers (a --gap-rate "unit" gap) cannot be
// judged: counted as "unit-unknown" and not meeting its test, as smx cohort counts it.
#include <chrono>
#include <map>

#include "gen/cohort_truth.hpp"
#include "smx/json.hpp"

namespace smx::gen::detail {

namespace {

constexpr std::int64_t kUnknown = INT64_MIN;

int years_between(std::int64_t birth, std::int64_t day) {
  using namespace std::chrono;
  const year_month_day b{sys_days{days{birth}}}, d{sys_days{days{day}}};
  int years = int(d.year()) - int(b.year());
  if (std::pair(unsigned(d.month()), unsigned(d.day())) < std::pair(unsigned(b.month()), unsigned(b.day()))) --years;
  return years;
}

struct LabRow {
  std::int64_t day;
  double value;  // canonical unit (% for HbA1c, mg/dL for creatinine)
};

}  // namespace

CohortTruth::CohortTruth(const std::string& path) : out_(path) {}
CohortTruth::~CohortTruth() = default;

void CohortTruth::patient(const FacilityProfile& facility, const Patient& p, const std::vector<PendingFile>& files) {
  std::int64_t index = kUnknown;
  bool ckd = false;
  std::vector<std::int64_t> metformin_days;
  std::vector<LabRow> hba1c, creatinine;
  std::map<std::string, std::uint64_t> excluded;
  const bool codes_seen = facility.code_style != "local";
  for (const PendingFile& file : files) {
    if (file.flag != 1) continue;
    for (const Diagnosis* d : file.diagnoses) {
      if (d->icd10.rfind("E11", 0) == 0 && (index == kUnknown || file.day < index)) index = file.day;
      if (d->icd10.rfind("N18", 0) == 0) ckd = true;
    }
    for (const Drug* drug : file.drugs)
      if (drug->code == "900000303") metformin_days.push_back(file.day);
    if (file.type != "OML-11" || !codes_seen) continue;
    for (const TruthObx& t : file.truth) {
      const std::string_view analyte = t.item->item->analyte;
      std::vector<LabRow>* into = analyte == "3D046" ? &hba1c : analyte == "3C015" ? &creatinine : nullptr;
      if (!into) continue;
      if (!t.has_value) ++excluded["not-numeric"];
      else if (t.gap == "unit") ++excluded["unit-unknown"];
      else into->push_back({days_from_yyyymmdd(file.date), t.value});
    }
  }
  int steps = 0;
  if (index != kUnknown) {
    steps = 1;
    const bool rules[4] = {
        years_between(p.birth, index) >= 40,
        [&] {
          for (const LabRow& r : hba1c)
            if (r.value >= 6.5 && r.day >= index - 365 && r.day <= index + 365) return true;
          return false;
        }(),
        [&] {
          if (ckd) return false;
          for (const LabRow& r : creatinine)
            if (r.value >= 1.3 && r.day <= index) return false;
          return true;
        }(),
        [&] {
          if (p.sex == 'F') return true;
          for (std::int64_t day : metformin_days)
            if (day >= index) return true;
          return false;
        }()};
    for (bool rule : rules) {
      if (!rule) break;
      ++steps;
    }
  }
  json::Writer w(out_.buffer());
  w.begin_object();
  w.string("kind", "cohort");
  w.string("criteria", "t2dm-hba1c");
  w.string("facility", facility.id);
  w.string("patient", p.id);
  w.number("steps", std::to_string(steps));
  if (steps == 5) {
    std::string date;
    append_yyyymmdd(date, index);
    w.string("index_date", date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2));
  } else {
    w.null("index_date");
  }
  w.begin_object("excluded");
  for (const auto& [reason, n] : excluded) w.number(reason, std::to_string(n));
  w.end_object();
  w.end_object();
  out_.buffer().push_back('\n');
  out_.maybe_flush();
}

void CohortTruth::finish() { out_.commit(); }

}  // namespace smx::gen::detail
