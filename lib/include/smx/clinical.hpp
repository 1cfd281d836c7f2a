// lib/clinical: the patient timeline shared by smx cohort and smx qi. Reads the messages of the
// smx stream and gives, per (facility, patient), typed events: visits (ADT-12), admissions,
// transfers and discharges (ADT-22/42/52, A01/A02/A03), prescriptions, injections and their
// administrations (OMP-01/02/11/12), lab results (OML-11, ORU^R01) and diagnoses (PPR-01), with
// the patient's sex and birth date (smx-cohort(1), "TIMELINE").
//
// Only current data counts: files of SS-MIX2 condition flag 0 (deleted) and 2 (history) are
// skipped (SS-MIX2 standardized storage §3.1: only flag 1 is the current version of a key), and
// a delete record removes what the stream said earlier under its key.
//
// Memory is bounded by the largest patient: a tree comes out grouped by patient (the walk goes
// pid[0:3]/pid[3:6]/pid), so a patient is complete when the next one starts (plus one key per
// patient seen, to notice one that comes again). Input that is not
// grouped (a patient seen again after another one) is reported as CLINICAL-NOT-GROUPED (an
// error: the patient's timeline was emitted in pieces), never joined silently.
#pragma once
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "smx/error.hpp"
#include "smx/stream.hpp"

namespace smx::clinical {

// A calendar day: days since 1970-01-01 (proleptic Gregorian, <chrono> sys_days).
using Day = std::int32_t;
inline constexpr Day kNoDay = std::numeric_limits<Day>::min();
// The day of an HL7 DT/DTM value (YYYYMMDD at least, hl7::parse_dtm); kNoDay when absent, shorter
// than a day or not a real date.
Day day_of(std::string_view hl7_datetime);
// YYYY-MM-DD (ISO 8601) of a day; "" for kNoDay.
std::string iso_date(Day day);
// Whole years from `birth` to `day` (the birthday counted on its date; 29 February birthdays
// on 1 March in common years, as Japan's civil law counts age); -1 when either is unknown.
int age_in_years(Day birth, Day day);

enum class EventKind : std::uint8_t { visit, admission, transfer, discharge, drug, lab, diagnosis };
std::string_view event_kind_name(EventKind kind);  // "visit", "admission", ...

// What a drug event is (SS-MIX2 data types, reference §4): OMP-01 prescription, OMP-02 injection
// order, OMP-11 / OMP-12 administration of a prescription / an injection (RAS^O17).
enum class DrugAction : std::uint8_t { prescription, injection, administration };
// The coding system of a drug code, from its CE.3 as sent: HOT9 (9 digits), HOT7, HOT13, YJ
// (個別医薬品コード, 12 characters) or anything else (local). Never guessed from the code's shape.
enum class DrugCoding : std::uint8_t { hot9, hot7, hot13, yj, local };
std::string_view drug_coding_name(DrugCoding coding);  // "HOT9", "HOT7", "HOT13", "YJ", "local"

// One event. Which members are set depends on `kind` (the others stay empty):
//   visit, admission: day (PV1-44, the visit or admission day); transfer: day (EVN-6, else
//     MSH-7), admit (PV1-44); discharge: day (PV1-45, else MSH-7), admit (PV1-44); all four:
//     dept (PV1-10), patient_class (PV1-2)
//   drug: day (TQ1-7 start, else RXA-3, else ORC-9), end (last day: start + TQ1-6 days - 1 for
//     "N^d", TQ1-8 for injections, RXA-4 for administrations), code/system/name (RXE-2, RXC-2
//     or RXA-5), coding, dose/dose_unit (RXE-3 and RXE-5, RXC-3/4, RXA-6/7), action
//   lab: day (OBX-14, else OBR-7, else SPM-17), code (JLAC10 or ""), local_code, name, value
//     (numeric), comparator, text (qualitative code NEG/POS/1+..., or the OBX-5 text), unit
//     (OBX-6.1), unit_text (OBX-6.2), unit_system (OBX-6.3; "UCUM" after smx labnorm), status
//   diagnosis: day (PRB-16 onset, else PRB-7, else PRB-2), code (ICD-10 from PRB-3 or PRB-10 of
//     system I10), medis (MEDIS 病名交換用コード from PRB-3 of system MDCDX2), name
struct Event {
  EventKind kind = EventKind::visit;
  std::string data_type;  // SS-MIX2 data type of the file, else derived from MSH-9
  Day day = kNoDay;
  Day end = kNoDay;
  Day admit = kNoDay;     // transfer, discharge: the admission day they belong to (PV1-44)
  std::string code, system, name;
  std::string local_code, medis;
  std::string dept;
  char patient_class = 0;
  DrugAction action = DrugAction::prescription;
  DrugCoding coding = DrugCoding::local;
  std::string dose, dose_unit;
  bool numeric = false;   // lab: `value` holds the number (after any x10^n of OBX-5)
  double value = 0;
  std::string comparator;  // lab: "<", "<=", ">", ">=" or ""
  std::string text;
  std::string unit, unit_text, unit_system, status;
  std::uint32_t message = 0;  // which message of the patient (Timeline::sources) said it
  std::uint32_t obx = 0;      // lab: OBX number in that message (from 1)
};

// One admission: its day, the discharge day (kNoDay while still in hospital or unknown), the
// transfers between. Length of stay = discharge - admit (days; 0 for a same-day stay). A
// discharge closes the admission of its PV1-44; without PV1-44, the latest open admission
// before it; a discharge whose admission is not in the data is a stay of its own.
struct Stay {
  Day admit = kNoDay;
  Day discharge = kNoDay;
  int transfers = 0;
  int length() const { return admit == kNoDay || discharge == kNoDay ? -1 : discharge - admit; }
};

struct Timeline {
  std::string facility;  // MSH-4.1 of the patient's messages
  std::string patient;   // the SS-MIX2 name's patient ID, else PID-3 (PI)
  char sex = 'U';        // PID-8: M, F, O, U
  Day birth = kNoDay;    // PID-7
  std::vector<Event> events;  // by day (kNoDay first), then in input order
  std::vector<Source> sources;  // per message used: where it came from (for diagnostics)
  // Admissions paired with their discharges (by PV1-44), in order of admission.
  std::vector<Stay> stays() const;
};

// The events of one message (no patient state): safe to run on a worker thread.
struct MessageEvents {
  bool used = false;      // the message is current and was read (false: skipped, see `skipped`)
  std::string skipped;    // why not: "flag-0", "flag-2", "no-patient", "cancel"
  std::string facility, patient;
  char sex = 0;
  Day birth = kNoDay;
  bool patient_master = false;  // ADT-00 (A08 patient information): its PID wins
  bool patient_mismatch = false;  // PID-3 differs from the SS-MIX2 name's patient (the name is used)
  std::string key;        // the SS-MIX2 key (stream file_key) the message came under, or ""
  std::vector<Event> events;
};
MessageEvents extract_events(const Record& record);

// What the builder saw, for the end-of-run summary.
struct TimelineCounts {
  std::uint64_t patients = 0;
  std::uint64_t messages = 0;        // used
  std::uint64_t not_current = 0;     // flag 0 or 2
  std::uint64_t no_patient = 0;
  std::uint64_t cancels = 0;         // A11/A12/A13 and ORC-1 CA read without a flag
  std::uint64_t deletions_applied = 0, deletions_unmatched = 0;
  std::uint64_t regrouped = 0;       // patients seen again after another one (not grouped)
};

// Groups the messages of consecutive records into patient timelines. add() in input order; a
// timeline goes to `emit` when a record of another (facility, patient) comes, and at finish().
class TimelineBuilder {
 public:
  using Emit = std::function<void(Timeline&)>;
  TimelineBuilder(Emit emit, DiagnosticSink& diagnostics);
  ~TimelineBuilder();
  TimelineBuilder(const TimelineBuilder&) = delete;
  TimelineBuilder& operator=(const TimelineBuilder&) = delete;

  // A message record with its events (extract_events), or a delete record (events ignored).
  void add(const Record& record, MessageEvents events);
  void add(const Record& record) { add(record, record.deletion ? MessageEvents{} : extract_events(record)); }
  void finish();
  const TimelineCounts& counts() const { return counts_; }

 private:
  void emit_current();
  void apply_deletion(const Record& record);
  Emit emit_;
  DiagnosticSink& diagnostics_;
  TimelineCounts counts_;
  bool open_ = false;
  Timeline current_;
  bool master_seen_ = false;
  std::vector<std::string> keys_;  // per message of current_: its key
  std::unordered_set<std::string> done_;  // (facility, patient) keys emitted already
};

}  // namespace smx::clinical
