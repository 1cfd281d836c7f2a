// Internals of smx gen between the timeline (timeline.cpp), the messages (messages.cpp), the lab
// values and their truth (truth.cpp) and the files (generate.cpp): moments, patients, the files of
// a patient before they are named, and the writer of each data type's message.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gen/internal.hpp"

namespace smx::gen::detail {

inline constexpr std::string_view kNoOrder = "999999999999999";  // reference §3 field 4
inline constexpr std::uint64_t kVarianceStream = 0x56415249414E4345ULL;  // "VARIANCE" (--variance-rate)

// A moment: day number + milliseconds of the day + a 4th fraction digit.
struct Moment {
  std::int64_t day = 0;
  std::int64_t ms = 0;
  int tenth_ms = 0;
  Moment plus_minutes(std::int64_t minutes) const {
    Moment m = *this;
    m.ms += minutes * 60000;
    while (m.ms >= 86400000) {
      m.ms -= 86400000;
      ++m.day;
    }
    return m;
  }
};

// YYYYMMDDHHMM[SS]
void append_datetime(std::string& out, const Moment& m, bool seconds);
// MSH-7: YYYYMMDDHHMMSS[.S[S[S[S]]]] (reference §5; NHO-VITAL).
std::string msh7_text(const Moment& m, int fraction_digits);
// File-name timestamp: MSH-7 truncated to milliseconds, 17 digits (reference §3 [INFERRED]).
std::string file_timestamp(const Moment& m, int fraction_digits);

// One file of a patient before it is named: its SS-MIX2 key, condition flag and message.
struct PendingFile {
  std::string date;  // YYYYMMDD or "-"
  std::string_view type;
  std::string order;
  std::string timestamp;
  std::string dept;
  int flag = 1;
  std::string utf8;
  std::vector<TruthObx> truth;
  // What the message lists, for truths computed from the timeline (cohort_truth.cpp): the
  // diagnoses of a PPR-01 and the drugs of an OMP-01, and the day they are dated.
  std::vector<const Diagnosis*> diagnoses;
  std::vector<const Drug*> drugs;
  std::int64_t day = 0;
};

struct Patient {
  int index = 0;
  std::string id;
  char sex = 'M';
  std::int64_t birth = 0;
  NamePart family, given;
  std::string postal;
  std::string address;
  const Department* dept = nullptr;
  // --phi only (phi.cpp): empty otherwise.
  std::string romaji, halfwidth_kana;  // "YAMADA^TARO", "ﾔﾏﾀﾞ^ﾀﾛｳ"
  std::string phone, phone_fullwidth, insurer;
  std::string kin_kanji, kin_kana, kin_phone;  // names from the built-in lists: no HL7 delimiters
  // --shared-persons: who this local patient is and what the facility recorded (IN1 too).
  const RecordedIdentity* identity = nullptr;
  int order_serial = 0;
  int message_serial = 0;
};

// A lab order: OML-01 (the order) and OML-11 (its results) share it.
struct LabOrder {
  std::string order;  // ORC-2
  std::string date;   // the order day
  Moment ordered, collected;
  const Department* dept = nullptr;
  char patient_class = 'O';
  std::vector<std::size_t> items;  // indices into the facility's items, grouped by specimen
};

// A drug line of a prescription (OMP-01).
struct PrescribedDrug {
  const Drug* drug = nullptr;
  int dose = 0;         // per day, in the drug's unit
  int days = 0;         // days supplied
  const Usage* usage = nullptr;
};

// The HL7 messages of one facility, one function per data type (reference §4, §6.5; the
// guideline samples' shape). Every function returns the file with flag 1; the timeline sets the
// flags of the lifecycle.
class MessageWriter {
 public:
  MessageWriter(const Options& options, const tables::Tables& tables, units::Ucum& ucum, const FacilityModel& model)
      : options_(options), tables_(tables), ucum_(ucum), model_(model) {}

  // ADT-00: ADT^A08 patient master update (reference §4, §6.5), "-" date folder, no dept.
  PendingFile adt00(Patient& p, const Moment& at, bool update);
  // ADT-12 (A04), ADT-22 (A01/A11), ADT-52 (A03): care date PV1-44 (admit/visit) or PV1-45
  // (discharge) (reference §2 care-date table).
  PendingFile adt_visit(Patient& p, std::string_view type, std::string_view msh9, const Moment& at,
                        const Department& dept, char patient_class, const Moment& admit, const Moment* discharge);
  // OML-01: the order (care date ORC-9), at `at` with order control `control` (NW, CA).
  PendingFile lab_order(Patient& p, const LabOrder& order, const Moment& at, std::string_view control);
  // OML-11: OUL^R22 results reported at `reported` (care date SPM-17); values drawn from
  // `value_seed`, so a preliminary and the final report say the same.
  PendingFile lab_result(Patient& p, const LabOrder& order, const Moment& reported, std::uint64_t value_seed,
                         bool final_result);
  // OMP-01: RDE^O11 prescription (care date ORC-9), one ORC/RXE/TQ1/RXR group per drug, written
  // at `at` with order control `control` for the order of `started`.
  PendingFile prescription(Patient& p, const std::string& order, const Moment& started, const Moment& at,
                           const Department& dept, char patient_class, const std::vector<PrescribedDrug>& lines,
                           std::string_view control);
  // PPR-01: PPR^ZD1 problem list (reference §6.5), "-" date folder.
  PendingFile problems(Patient& p, const Moment& at, const std::vector<const Diagnosis*>& list);
  // --qi (qi_messages.cpp): OMP-02 injection order (RDE^O11, care date ORC-9) of one drug given
  // `doses` times a day for `days` days; OMP-12 administrations (RAS^O17, care date RXA-3) of one
  // day; a blood culture order (OML-01) and result (OML-11, microbiology code in OBR-4/OBX-3);
  // an oral diabetes prescription (OMP-01); an HbA1c order and result (% NGSP, JLAC10 3D046).
  PendingFile qi_injection_order(Patient& p, const std::string& order, const Moment& at, const Department& dept,
                                 std::string_view code, std::string_view name, int mg, int doses, int days);
  PendingFile qi_administration(Patient& p, const std::string& order, const Department& dept, std::string_view code,
                                std::string_view name, const std::vector<std::pair<Moment, int>>& doses);
  PendingFile qi_culture(Patient& p, const std::string& order, const Moment& collected, const Department& dept,
                         char patient_class, bool result);
  PendingFile qi_oral(Patient& p, const std::string& order, const Moment& at, const Department& dept,
                      std::string_view code, std::string_view name, int mg, int days);
  PendingFile qi_hba1c(Patient& p, const std::string& order, const Moment& collected, const Department& dept,
                       int tenths, bool result);
  // The patient's next order number (15 digits).
  std::string next_order(Patient& p);

 private:
  PendingFile start(Patient& p, std::string_view type, const Moment& at, std::string date, std::string order,
                    std::string dept, std::string_view msh9);
  void pid(std::string& m, const Patient& p, bool full);
  void pv1(std::string& m, char patient_class, const Department& dept);
  void phi_kin(std::string& m, const Patient& p);   // --phi: NK1 of ADT-00
  void phi_comment(std::string& m, const Patient& p);  // --phi: OBX TX of ADT-00
  void phi_tail(std::string& m, const Patient& p);     // --phi: IN1, ZPI of ADT-00
  std::string doctor(int serial) const;
  void orc(std::string& m, std::string_view control, std::string_view order, std::string_view filler,
           std::string_view status, const Moment& ordered, const Department& dept, char patient_class, int doctor_serial);
  void spm(std::string& m, int set, Specimen specimen, std::string_view specimen_id, const Moment& collected);
  // --qi: a new drug order's file up to its ORC "NW" (PID, PV1); care date and ORC-9 `ordered`,
  // MSH-7 `written`.
  PendingFile qi_drug_file(Patient& p, std::string_view type, std::string_view msh9, const std::string& order,
                           const Moment& ordered, const Moment& written, const Department& dept, char patient_class);
  void obx_result(std::string& m, const TruthObx& truth, const ItemModel& item, bool final_result,
                  std::string_view observed);
  std::string obx3(const ItemModel& item) const;
  std::string_view obx3_code(const ItemModel& item) const;

  const Options& options_;
  const tables::Tables& tables_;
  units::Ucum& ucum_;
  const FacilityModel& model_;
};

// ---- truth.cpp ----------------------------------------------------------------------------------
// A result: value drawn around the JCCLS interval of the patient's sex, some abnormal; the text as
// this facility writes it; and the canonical answer (units-fhir.md §3.5, §4.3).
TruthObx result_value(const FacilityModel& model, const ItemModel& item, char sex, Rng& rng);
// The --truth rows of one file, one NDJSON line per lab OBX; `path` is where the file is written.
void append_truth_rows(std::string& out, std::string_view path, std::string_view facility, const PendingFile& file,
                       char sex);

// ---- phi.cpp ------------------------------------------------------------------------------------
// --phi: the identifying fields of a patient, from their own stream `seed`; half-width kana only
// when `halfwidth` (ISO-2022-JP has no JIS X 0201 kana).
void draw_phi(Patient& p, std::uint64_t seed, bool halfwidth, bool jis_minus);

// ---- timeline.cpp -------------------------------------------------------------------------------
// Generates every facility's patients, their timelines and messages, and hands each patient's
// files to `files`.
class FileWriter;
void generate_patients(const Options& options, const tables::Tables& tables, FileWriter& files);

// ---- generate.cpp -------------------------------------------------------------------------------
// Names a patient's files (with the naming deviations of --deviation-rate), writes them in the
// facility's terminators and charset to the sink, their truth rows to the truth output, and
// counts them in the summary.
class CohortTruth;
class FileWriter {
 public:
  FileWriter(const Options& options, Sink& sink, Output* truth, Summary& summary);
  ~FileWriter();
  void start_facility(const FacilityProfile& profile);
  void write(const Patient& p, std::vector<PendingFile>& files, Rng& rng);
  // --shared-persons: the truth's "person" row of a local patient (who they are, what varied).
  void write_person(const Patient& p);
  // Rows for the truth file as they are (--qi's indicator rows); nothing without a truth file.
  void append_truth(const std::string& rows);

 private:
  std::string file_name(const std::string& patient_id, const PendingFile& file, Rng& rng, bool& deviated) const;
  const Options& options_;
  Sink& sink_;
  Output* truth_;
  Summary& summary_;
  const FacilityProfile* profile_ = nullptr;
  std::unique_ptr<CharsetEncoder> encoder_;
  std::string bytes_, converted_;
  std::unique_ptr<CohortTruth> cohort_truth_;  // Options::cohort_truth
 public:
  void finish();  // commits what the run wrote besides the tree (Options::cohort_truth)
};

}  // namespace smx::gen::detail
