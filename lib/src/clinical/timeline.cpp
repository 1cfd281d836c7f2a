// Patient timelines from consecutive records (smx/clinical.hpp): grouping, the patient's sex and
// birth date, delete records, admissions paired with discharges.
#include <algorithm>

#include "smx/clinical.hpp"

namespace smx::clinical {

std::vector<Stay> Timeline::stays() const {
  std::vector<Stay> out;
  for (const Event& e : events) {  // in day order
    if (e.kind == EventKind::admission) {
      Stay stay;
      stay.admit = e.day;
      out.push_back(stay);
      continue;
    }
    if (e.kind != EventKind::discharge) continue;
    Stay* open = nullptr;
    for (Stay& s : out)
      if (s.discharge == kNoDay && (e.admit != kNoDay ? s.admit == e.admit : s.admit != kNoDay && s.admit <= e.day))
        open = &s;  // the latest one that fits
    if (open) {
      open->discharge = e.day;
    } else {
      Stay stay;
      stay.admit = e.admit;
      stay.discharge = e.day;
      out.push_back(stay);
    }
  }
  for (const Event& e : events) {
    if (e.kind != EventKind::transfer) continue;
    for (Stay& s : out)
      if ((e.admit != kNoDay && s.admit == e.admit) ||
          (e.admit == kNoDay && s.admit != kNoDay && e.day >= s.admit && (s.discharge == kNoDay || e.day <= s.discharge))) {
        ++s.transfers;
        break;
      }
  }
  std::stable_sort(out.begin(), out.end(), [](const Stay& a, const Stay& b) { return a.admit < b.admit; });
  return out;
}

TimelineBuilder::TimelineBuilder(Emit emit, DiagnosticSink& diagnostics)
    : emit_(std::move(emit)), diagnostics_(diagnostics) {}
TimelineBuilder::~TimelineBuilder() = default;

void TimelineBuilder::emit_current() {
  if (!open_) return;
  std::stable_sort(current_.events.begin(), current_.events.end(),
                   [](const Event& a, const Event& b) { return a.day < b.day; });
  ++counts_.patients;
  emit_(current_);
  current_ = Timeline{};
  keys_.clear();
  master_seen_ = false;
  open_ = false;
}

// A delete record: the file that held `key` is no longer current. What the stream said under
// that key for the patient being read goes; a key this stream did not show before is counted
// (a --state stream puts its deletions before the messages: they concern an earlier run).
void TimelineBuilder::apply_deletion(const Record& record) {
  const std::string& key = record.deletion->key;
  std::vector<std::uint32_t> gone;
  for (std::uint32_t i = 0; i < keys_.size(); ++i)
    if (keys_[i] == key) gone.push_back(i);
  if (gone.empty()) {
    ++counts_.deletions_unmatched;
    return;
  }
  ++counts_.deletions_applied;
  std::erase_if(current_.events, [&](const Event& e) {
    return std::find(gone.begin(), gone.end(), e.message) != gone.end();
  });
  for (std::uint32_t i : gone) keys_[i].clear();
}

void TimelineBuilder::add(const Record& record, MessageEvents events) {
  if (record.deletion) {
    apply_deletion(record);
    return;
  }
  if (!events.used) {
    if (events.skipped == "flag-0" || events.skipped == "flag-2") ++counts_.not_current;
    else if (events.skipped == "no-patient") {
      ++counts_.no_patient;
      diagnostics_.report(Diagnostic{Severity::warning, "CLINICAL-NO-PATIENT", record.location("PID-3"),
                                     "message without a patient ID (PID-3 or SS-MIX2 name): not in any timeline", {}});
    } else if (events.skipped == "cancel") ++counts_.cancels;
    return;
  }
  if (events.patient_mismatch)
    diagnostics_.report(Diagnostic{Severity::warning, "CLINICAL-PATIENT-MISMATCH", record.location("PID-3"),
                                   "PID-3 names another patient than the SS-MIX2 file name: the name's patient is used", {}});
  std::string key = events.facility;
  key.push_back('\x1F');
  key += events.patient;
  if (open_ && (current_.facility != events.facility || current_.patient != events.patient)) {
    std::string previous = current_.facility;
    previous.push_back('\x1F');
    previous += current_.patient;
    emit_current();
    done_.insert(std::move(previous));
  }
  if (!open_) {
    if (done_.count(key)) {
      ++counts_.regrouped;
      diagnostics_.report(Diagnostic{
          Severity::error, "CLINICAL-NOT-GROUPED", record.location(),
          "the input is not grouped by patient: this patient's messages came again after another patient's, so the "
          "patient is judged in pieces (read SS-MIX2 trees as they are, or sort the stream by facility and patient)",
          {}});
    }
    open_ = true;
    current_.facility = events.facility;
    current_.patient = events.patient;
  }
  const auto message = static_cast<std::uint32_t>(current_.sources.size());
  current_.sources.push_back(record.src);
  keys_.push_back(events.key);
  // The patient master (ADT-00) says who the patient is; other messages fill what it left.
  if (events.patient_master || !master_seen_) {
    if (events.sex != 0 && (events.patient_master || current_.sex == 'U')) current_.sex = events.sex;
    if (events.birth != kNoDay && (events.patient_master || current_.birth == kNoDay)) current_.birth = events.birth;
    if (events.patient_master) master_seen_ = true;
  }
  for (Event& e : events.events) {
    e.message = message;
    current_.events.push_back(std::move(e));
  }
  ++counts_.messages;
}

void TimelineBuilder::finish() { emit_current(); }

}  // namespace smx::clinical
