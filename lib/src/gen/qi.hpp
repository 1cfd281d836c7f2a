// smx gen --qi (issue 15): the events the quality indicators of smx qi need (antibacterial
// injections and their administrations, blood cultures, oral diabetes drugs and HbA1c), drawn from
// their own random stream, and the indicators' expected numerators and denominators computed from
// gen's own timeline (never from the HL7 it writes) for the truth file.
//
// The drug codes are YJ-shaped (12 characters) and INVENTED: only their first digits are the public
// therapeutic category (薬効分類; mappings/qi/drug-classes.yaml) so that a class table can be tested;
// the rest, the ATC codes' pairing and the DDDs in the master gen writes (--drugs-master) are test
// values, not the WHO ATC/DDD index.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gen/messages.hpp"

namespace smx::gen::detail {

inline constexpr std::uint64_t kQiStream = 0x5149455645ULL;  // "QIEVE"

// A synthetic drug of --qi.
struct QiDrug {
  std::string_view yj;        // invented, YJ-shaped; [0:4] a public therapeutic category
  std::string_view name;
  std::string_view atc;       // the WHO ATC code of the substance the name says
  std::int64_t ddd_mg = 0;    // test value of the master gen writes (0: oral diabetes drugs)
  bool broad = false;         // in the broad-spectrum ATC groups of mappings/qi/indicators.yaml
  int dose_mg = 0;            // per administration (injections) or per day (tablets)
  int doses_per_day = 1;
};
const std::vector<QiDrug>& qi_antibacterials();
const std::vector<QiDrug>& qi_diabetes_drugs();
// The synthetic master (smx-qi(1) --drugs): code,yj,atc,ddd,ddd_unit, one row per drug.
std::string qi_drugs_master();

// A hospital stay as the timeline made it.
struct QiStay {
  Moment admit;
  std::int64_t discharge_day = 0;
  bool discharged = false;  // an ADT-52 within the date range
  bool cancelled = false;   // ADT^A11: deleted, not a stay
};

// What one patient contributes, as gen knows it (not as the HL7 says it).
struct QiPatientFacts {
  std::vector<QiStay> stays;
  // Administrations: day, minute of the day, drug, mg.
  struct Administration {
    std::int64_t day = 0;
    std::int64_t minute = 0;
    const QiDrug* drug = nullptr;
    int mg = 0;
  };
  std::vector<Administration> administrations;
  std::vector<std::pair<std::int64_t, std::int64_t>> cultures;  // (day, minute) collected
  struct Prescription {
    std::int64_t day = 0;
    int days = 0;
  };
  std::vector<Prescription> diabetes_prescriptions;  // outpatient, one diabetes drug each
  struct Hba1c {
    std::int64_t day = 0;
    std::int64_t minute = 0;
    int tenths = 0;  // % NGSP x 10
  };
  std::vector<Hba1c> hba1c;
};

// Draws and writes the --qi events of one patient (files through `add`), fills `facts`.
class QiEvents {
 public:
  QiEvents(const Options& options, MessageWriter& writer, std::int64_t to_day) : options_(options), writer_(writer), to_(to_day) {}
  template <class Add>
  void patient(Patient& p, int facility, const std::vector<QiStay>& stays, bool diabetic, std::int64_t first_day,
               QiPatientFacts& facts, Add add) {
    files_.clear();
    draw(p, facility, stays, diabetic, first_day, facts);
    for (PendingFile& file : files_) add(std::move(file));
  }

 private:
  void draw(Patient& p, int facility, const std::vector<QiStay>& stays, bool diabetic, std::int64_t first_day,
            QiPatientFacts& facts);
  void antibacterial_course(Patient& p, Rng& rng, const QiStay& stay, QiPatientFacts& facts);
  void diabetes(Patient& p, Rng& rng, std::int64_t first_day, QiPatientFacts& facts);
  const Options& options_;
  MessageWriter& writer_;
  std::int64_t to_;
  std::vector<PendingFile> files_;
};

// The indicators' tallies of one facility, and its truth rows ("kind":"qi").
class QiTally {
 public:
  void add(const QiPatientFacts& facts);
  // One row per indicator and month, months from the first to the last with any count.
  void write_truth(std::string& out, std::string_view facility) const;
  void clear() { *this = QiTally{}; }

 private:
  struct Month {
    std::int64_t patient_days = 0, dot = 0, lot = 0;
    std::map<std::string, std::int64_t> mg_by_agent;  // agent (YJ[0:7]) -> mg
    std::map<std::string, std::int64_t> ddd_by_agent;
    std::int64_t culture_num = 0, culture_den = 0;
    std::int64_t hba1c_control_num = 0, hba1c_den = 0, hba1c_tested_num = 0;
    bool active() const;
  };
  std::map<std::int64_t, Month> months_;  // key: year * 12 + month - 1
};

}  // namespace smx::gen::detail
