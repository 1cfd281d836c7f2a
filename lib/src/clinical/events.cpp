// The events of one message (smx/clinical.hpp): which segments and fields say what, per SS-MIX2
// data type (reference §4) and HL7 v2.5 (PV1, RXE/RXC/TQ1, RXA, OBX, PRB).
#include <chrono>

#include "smx/ascii.hpp"
#include "smx/clinical.hpp"
#include "smx/lab.hpp"
#include "smx/lab_message.hpp"
#include "smx/ssmix2.hpp"

namespace smx::clinical {

namespace {

constexpr std::size_t npos = hl7::Message::npos;

// The decoded text of SEG-field.component (first repetition); "" when the segment is absent.
std::string text(const hl7::Message& m, std::size_t segment, std::size_t field, std::size_t component = 1) {
  if (segment == npos) return {};
  return hl7::decoded(m.value(segment, field, 1, component), m.delimiters());
}

Day day_from_field(const hl7::Message& m, std::size_t segment, std::size_t field) {
  if (segment == npos) return kNoDay;
  return day_of(m.value(segment, field, 1, 1));
}

DrugCoding coding_of(std::string_view system, std::string_view code) {
  // HL7 CE.3 names of the MEDIS HOT code and the YJ code as SS-MIX2 senders write them (HOT9 in
  // the guideline samples, reference §4); HOT with the width telling which HOT it is.
  if (system == "HOT9" || (system == "HOT" && code.size() == 9)) return DrugCoding::hot9;
  if (system == "HOT7" || (system == "HOT" && code.size() == 7)) return DrugCoding::hot7;
  if (system == "HOT13" || (system == "HOT" && code.size() == 13)) return DrugCoding::hot13;
  if (system == "YJ" || system == "99YJ") return DrugCoding::yj;
  return DrugCoding::local;
}

// The data type of a message without an SS-MIX2 name: from MSH-9 (reference §4 table).
std::string data_type_of(const Record& r) {
  if (r.ssmix2 && !r.ssmix2->type.empty()) return r.ssmix2->type;
  const hl7::MessageType t = r.message.message_type();
  if (t.code == "ADT") {
    if (t.event == "A04") return "ADT-12";
    if (t.event == "A01") return "ADT-22";
    if (t.event == "A02") return "ADT-42";
    if (t.event == "A03") return "ADT-52";
    if (t.event == "A08") return "ADT-00";
    return "ADT";
  }
  if (t.code == "RDE") return r.message.find_segment("RXC") != npos ? "OMP-02" : "OMP-01";
  if (t.code == "RAS") return "OMP-11";  // OMP-11 and OMP-12 share RAS^O17: an administration
  if (t.code == "PPR") return "PPR-01";
  if (t.code == "OUL" || t.code == "ORU") return "OML-11";
  return std::string(t.code);
}

void adt_events(const hl7::Message& m, std::string_view type, std::vector<Event>& out) {
  EventKind kind;
  if (type == "ADT-12") kind = EventKind::visit;
  else if (type == "ADT-22") kind = EventKind::admission;
  else if (type == "ADT-41" || type == "ADT-42") kind = EventKind::transfer;
  else if (type == "ADT-52") kind = EventKind::discharge;
  else return;
  const std::size_t pv1 = m.find_segment("PV1");
  if (pv1 == npos) return;
  Event e;
  e.kind = kind;
  e.day = day_from_field(m, pv1, 44);
  // A transfer and a discharge happen on their own day (ADT-42's care date is the transfer,
  // ADT-52's the discharge, reference §2); PV1-44 stays the admission day.
  if (kind == EventKind::transfer || kind == EventKind::discharge) {
    e.admit = e.day;
    const std::size_t evn = m.find_segment("EVN");
    Day when = kind == EventKind::discharge ? day_from_field(m, pv1, 45) : evn != npos ? day_from_field(m, evn, 6) : kNoDay;
    if (when == kNoDay) when = day_of(m.value(0, 7, 1, 1));
    e.day = when;
  }
  e.dept = text(m, pv1, 10);
  const std::string cls = text(m, pv1, 2);
  e.patient_class = cls.empty() ? 0 : cls[0];
  out.push_back(std::move(e));
}

// TQ1-6 "N^d" (HL7 v2.5 CQ: quantity ^ units): the number of days, 0 when not in days.
int supply_days(const hl7::Message& m, std::size_t tq1) {
  if (tq1 == npos) return 0;
  const std::string quantity = text(m, tq1, 6, 1), unit = text(m, tq1, 6, 2);
  if (unit != "d" || quantity.empty() || quantity.size() > 4 || !ascii::all_digits(quantity)) return 0;
  return std::stoi(quantity);
}

void drug_event(const hl7::Message& m, std::size_t segment, std::size_t code_field, std::size_t dose_field,
                std::size_t unit_field, Event e, std::vector<Event>& out) {
  e.kind = EventKind::drug;
  e.code = text(m, segment, code_field, 1);
  e.name = text(m, segment, code_field, 2);
  e.system = text(m, segment, code_field, 3);
  e.coding = coding_of(e.system, e.code);
  e.dose = text(m, segment, dose_field);
  e.dose_unit = text(m, segment, unit_field, 1);
  if (!e.code.empty()) out.push_back(std::move(e));
}

// RDE^O11 (ORC, [TQ1], RXE, {TQ1}, {RXR}, [{RXC}]): one event per RXE, or per RXC when the RXE
// names a mixture by its components (OMP-02: RXE-2 "00^一般"); RAS^O17: one per RXA.
void drug_events(const hl7::Message& m, std::string_view type, std::vector<Event>& out) {
  const DrugAction action = type == "OMP-02" ? DrugAction::injection
                            : type == "OMP-11" || type == "OMP-12" ? DrugAction::administration
                                                                   : DrugAction::prescription;
  std::size_t orc = npos, order_tq1 = npos;
  bool rxe_seen = false;
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    const std::string_view id = m.segment_id(i);
    if (id == "ORC") orc = i, order_tq1 = npos, rxe_seen = false;
    if (id == "TQ1" && order_tq1 == npos && !rxe_seen) order_tq1 = i;
    Event base;
    base.action = action;
    if (id == "RXA") {
      base.day = day_from_field(m, i, 3);
      base.end = day_from_field(m, i, 4);
      if (base.day == kNoDay) base.day = day_from_field(m, orc, 9);
      drug_event(m, i, 5, 6, 7, base, out);
      continue;
    }
    if (id != "RXE") continue;
    rxe_seen = true;
    std::size_t tq1 = npos;
    std::vector<std::size_t> components;
    for (std::size_t j = i + 1; j < m.segment_count(); ++j) {
      const std::string_view next = m.segment_id(j);
      if (next == "ORC" || next == "RXE" || next == "RXA") break;
      if (next == "TQ1" && tq1 == npos) tq1 = j;
      if (next == "RXC") components.push_back(j);
    }
    if (tq1 == npos) tq1 = order_tq1;
    base.day = day_from_field(m, tq1, 7);
    if (base.day == kNoDay) base.day = day_from_field(m, orc, 9);
    const int days = supply_days(m, tq1);
    if (days > 0 && base.day != kNoDay) base.end = base.day + days - 1;
    else if (tq1 != npos) base.end = day_from_field(m, tq1, 8);
    if (components.empty()) {
      drug_event(m, i, 2, 3, 5, base, out);
      continue;
    }
    for (std::size_t rxc : components) drug_event(m, rxc, 2, 3, 4, base, out);
  }
}

void lab_events(const Record& r, std::vector<Event>& out) {
  const hl7::Message& m = r.message;
  const bool specimen_outer = m.message_type().code == "OUL";  // OUL^R22: SPM holds OBR groups
  std::size_t group_spm = npos, group_obr = npos;
  std::uint32_t obx = 0;
  const Day care_day = r.ssmix2 ? day_of(r.ssmix2->date) : kNoDay;
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    const std::string_view id = m.segment_id(i);
    if (id == "SPM") {
      group_spm = i;
      if (specimen_outer) group_obr = npos;
    } else if (id == "OBR") {
      group_obr = i;
      if (!specimen_outer) group_spm = npos;
    }
    if (id != "OBX") continue;
    Event e;
    e.kind = EventKind::lab;
    e.obx = ++obx;
    e.day = day_from_field(m, i, 14);
    if (e.day == kNoDay) e.day = day_from_field(m, group_obr, 7);
    if (e.day == kNoDay) e.day = day_from_field(m, group_spm, 17);
    if (e.day == kNoDay) e.day = care_day;
    const lab::ObservationCode code = lab::observation_code(m, i);
    e.code = code.jlac10;
    e.local_code = code.local;
    e.system = code.jlac10.empty() ? code.local_system : "JC10";
    e.name = code.name;
    const std::string value_text = hl7::decoded(m.field(i, 5), m.delimiters());
    const lab::Value v = lab::parse_value(value_text);
    if (v.kind == lab::ValueKind::numeric || v.kind == lab::ValueKind::inequality) {
      const lab::Value plain = v.exponent ? lab::apply_exponent(v) : v;
      e.numeric = true;
      e.value = plain.number;
      e.comparator = std::string(lab::comparator_text(v.comparator));
      e.text = plain.number_text;
    } else if (v.kind == lab::ValueKind::qualitative) {
      e.text = std::string(lab::qualitative_code(v.qualitative));
    } else {
      e.text = value_text;
    }
    e.unit = text(m, i, 6, 1);
    e.unit_text = text(m, i, 6, 2);
    e.unit_system = text(m, i, 6, 3);
    e.status = text(m, i, 11);
    out.push_back(std::move(e));
  }
}

// PPR^ZD1 (SS-MIX2 PPR-01): PRB-3 the disease (MEDIS 病名交換用コード "MDCDX2", or ICD-10 "I10"),
// PRB-10 the ICD-10 classification (guideline sample: "K297^^I10^...").
void diagnosis_events(const hl7::Message& m, std::vector<Event>& out) {
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    if (m.segment_id(i) != "PRB") continue;
    const std::string action = text(m, i, 1);
    if (action == "DE") continue;  // HL7 table 0287: delete
    Event e;
    e.kind = EventKind::diagnosis;
    const std::string code = text(m, i, 3, 1), system = text(m, i, 3, 3);
    e.name = text(m, i, 3, 2);
    if (system == "I10") e.code = code;
    else if (system == "MDCDX2") e.medis = code;
    if (e.code.empty() && text(m, i, 10, 3) == "I10") e.code = text(m, i, 10, 1);
    e.system = e.code.empty() ? system : "I10";
    e.day = day_from_field(m, i, 16);
    if (e.day == kNoDay) e.day = day_from_field(m, i, 7);
    if (e.day == kNoDay) e.day = day_from_field(m, i, 2);
    if (!e.code.empty() || !e.medis.empty()) out.push_back(std::move(e));
  }
}

bool is_cancel(const hl7::Message& m) {
  const hl7::MessageType t = m.message_type();
  if (t.code == "ADT" && (t.event == "A11" || t.event == "A12" || t.event == "A13")) return true;
  const std::size_t orc = m.find_segment("ORC");
  return orc != npos && (m.value(orc, 1, 1) == "CA" || m.value(orc, 1, 1) == "DC");
}

}  // namespace

Day day_of(std::string_view value) {
  if (value.size() < 8) return kNoDay;
  const hl7::Dtm dtm = hl7::parse_dtm(value.substr(0, 8), 8);
  if (!dtm.ok() || dtm.digits < 8) return kNoDay;
  const std::chrono::year_month_day date{std::chrono::year{dtm.year}, std::chrono::month{static_cast<unsigned>(dtm.month)},
                                         std::chrono::day{static_cast<unsigned>(dtm.day)}};
  if (!date.ok()) return kNoDay;
  return static_cast<Day>(std::chrono::sys_days{date}.time_since_epoch().count());
}

std::string iso_date(Day day) {
  if (day == kNoDay) return {};
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

int age_in_years(Day birth, Day day) {
  if (birth == kNoDay || day == kNoDay || day < birth) return -1;
  const std::chrono::year_month_day b{std::chrono::sys_days{std::chrono::days{birth}}};
  const std::chrono::year_month_day d{std::chrono::sys_days{std::chrono::days{day}}};
  int years = static_cast<int>(d.year()) - static_cast<int>(b.year());
  const unsigned bm = static_cast<unsigned>(b.month()), bd = static_cast<unsigned>(b.day());
  const unsigned dm = static_cast<unsigned>(d.month()), dd = static_cast<unsigned>(d.day());
  if (dm < bm || (dm == bm && dd < bd)) --years;
  return years;
}

std::string_view event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::visit: return "visit";
    case EventKind::admission: return "admission";
    case EventKind::transfer: return "transfer";
    case EventKind::discharge: return "discharge";
    case EventKind::drug: return "drug";
    case EventKind::lab: return "lab";
    case EventKind::diagnosis: return "diagnosis";
  }
  return "visit";
}

std::string_view drug_coding_name(DrugCoding coding) {
  switch (coding) {
    case DrugCoding::hot9: return "HOT9";
    case DrugCoding::hot7: return "HOT7";
    case DrugCoding::hot13: return "HOT13";
    case DrugCoding::yj: return "YJ";
    case DrugCoding::local: return "local";
  }
  return "local";
}

MessageEvents extract_events(const Record& r) {
  MessageEvents out;
  const hl7::Message& m = r.message;
  if (r.deletion || m.segment_count() == 0) return out;
  // SS-MIX2 §3.1: flag 1 is the current version; 0 deleted, 2 an earlier version.
  if (r.ssmix2 && (r.ssmix2->flag == 0 || r.ssmix2->flag == 2)) {
    out.skipped = r.ssmix2->flag == 0 ? "flag-0" : "flag-2";
    return out;
  }
  // The storage key's patient first: a tree is grouped by it (pid[0:3]/pid[3:6]/pid); PID-3 for
  // messages read without an SS-MIX2 name.
  const std::string content = ssmix2::content_patient(m);
  out.patient = r.ssmix2 && !r.ssmix2->patient.empty() ? r.ssmix2->patient : content;
  out.patient_mismatch = r.ssmix2 && !r.ssmix2->patient.empty() && !content.empty() && content != r.ssmix2->patient;
  if (out.patient.empty()) {
    out.skipped = "no-patient";
    return out;
  }
  out.facility = text(m, 0, 4);
  if (r.ssmix2) out.key = file_key(*r.ssmix2);
  // A cancel read without a condition flag (raw HL7): the order or admission it cancels stays
  // in the timeline unless its file was flagged; counted so that the summary says so.
  if (!r.ssmix2 && is_cancel(m)) {
    out.skipped = "cancel";
    return out;
  }
  out.used = true;
  const std::size_t pid = m.find_segment("PID");
  if (pid != npos) {
    const std::string sex = text(m, pid, 8);
    if (sex.size() == 1) out.sex = sex[0];
    out.birth = day_from_field(m, pid, 7);
  }
  const std::string type = data_type_of(r);
  out.patient_master = type == "ADT-00";
  if (type.rfind("ADT", 0) == 0) adt_events(m, type, out.events);
  else if (type.rfind("OMP", 0) == 0) drug_events(m, type, out.events);
  else if (type == "PPR-01") diagnosis_events(m, out.events);
  else if (lab::is_lab_message(m)) lab_events(r, out.events);
  for (Event& e : out.events) e.data_type = type;
  return out;
}

}  // namespace smx::clinical
