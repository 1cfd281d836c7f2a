// smx gen: the HL7 v2.5 message of each data type, as one facility writes it (reference §4-§6,
// the guideline samples' shape), built segment by segment with hl7::SegmentBuilder.
#include <algorithm>

#include "gen/messages.hpp"
#include "smx/hl7.hpp"

namespace smx::gen::detail {

namespace {

using hl7::escaped;
using Segment = hl7::SegmentBuilder;

void append_two(std::string& out, std::int64_t value) {
  out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}
void append_three(std::string& out, std::int64_t value) {
  out.push_back(static_cast<char>('0' + value / 100 % 10));
  append_two(out, value % 100);
}

std::string_view battery(Specimen specimen) {
  switch (specimen) {
    case Specimen::whole_blood: return "E001^血液学的検査^99O03";
    case Specimen::urine: return "E003^尿一般検査^99O03";
    default: return "E002^生化学的検査^99O03";
  }
}

}  // namespace

void append_datetime(std::string& out, const Moment& m, bool seconds) {
  append_yyyymmdd(out, m.day);
  std::int64_t s = m.ms / 1000;
  append_two(out, s / 3600);
  append_two(out, s / 60 % 60);
  if (seconds) append_two(out, s % 60);
}

std::string msh7_text(const Moment& m, int fraction_digits) {
  std::string out;
  append_datetime(out, m, true);
  if (fraction_digits > 0) {
    out.push_back('.');
    std::string fraction;
    append_three(fraction, m.ms % 1000);
    fraction.push_back(static_cast<char>('0' + m.tenth_ms));
    out.append(fraction, 0, static_cast<std::size_t>(fraction_digits));
  }
  return out;
}

std::string file_timestamp(const Moment& m, int fraction_digits) {
  std::string out;
  append_datetime(out, m, true);
  if (fraction_digits >= 3)
    append_three(out, m.ms % 1000);
  else
    out.append("000");
  return out;
}

// ---- segments shared by the messages --------------------------------------------------------------

PendingFile MessageWriter::start(Patient& p, std::string_view type, const Moment& at, std::string date,
                                 std::string order, std::string dept, std::string_view msh9) {
  PendingFile file;
  file.type = type;
  file.date = std::move(date);
  file.order = std::move(order);
  file.dept = std::move(dept);
  file.timestamp = file_timestamp(at, model_.profile.msh7_fraction_digits);
  std::string& m = file.utf8;
  m.reserve(2048);
  const FacilityProfile& f = model_.profile;
  std::string control;
  append_datetime(control, at, true);
  ++p.message_serial;
  control += std::to_string(p.message_serial % 10);
  Segment msh(m, "MSH");
  msh.field(3, "HIS").more(f.id).field(4, f.id).field(5, "GW").field(6, "RCV").field(7, msh7_text(at, f.msh7_fraction_digits));
  msh.field(9, msh9).field(10, control).field(11, "P").field(12, "2.5").field(18, f.msh18);
  if (!f.msh20.empty()) msh.field(20, f.msh20);
  if (!f.msh21.empty()) msh.field(21, f.msh21);
  return file;
}

void MessageWriter::pid(std::string& m, const Patient& p, bool full) {
  Segment s(m, "PID");
  s.field(1, "0001").field(3, p.id).more("^^^^PI");
  s.field(5, escaped(p.family.kanji)).more("^").more(escaped(p.given.kanji)).more("^^^^^L^I~");
  s.more(escaped(p.family.kana)).more("^").more(escaped(p.given.kana)).more("^^^^^L^P");
  if (options_.phi) {
    // Romaji (name representation code A, HL7 table 4000) and, where the charset holds them,
    // half-width kana as a second phonetic repetition.
    s.more("~").more(p.romaji).more("^^^^^L^A");
    if (!p.halfwidth_kana.empty()) s.more("~").more(p.halfwidth_kana).more("^^^^^L^P");
  }
  std::string birth;
  append_yyyymmdd(birth, p.birth);
  s.field(7, birth).field(8, std::string(1, p.sex));
  if (full) s.field(11, "^^^^").more(p.postal).more("^JPN^H^").more(escaped(p.address));
  if (options_.phi) s.field(13, p.phone).more("^PRN^PH").field(14, p.phone_fullwidth).more("^WPN^PH");
}

// --phi, ADT-00: next of kin (NK1 before PV1, ADT_A01 structure).
void MessageWriter::phi_kin(std::string& m, const Patient& p) {
  Segment(m, "NK1").field(1, "1").field(2, p.kin_kanji).more("^^^^^L^I~").more(p.kin_kana)
      .more("^^^^^L^P").field(3, "SPO^配偶者^HL70063").field(5, p.kin_phone).more("^PRN^PH");
}

// --phi, ADT-00 after the body measurements: a TX comment naming the patient and their ID.
void MessageWriter::phi_comment(std::string& m, const Patient& p) {
  const std::string name = std::string(p.family.kanji) + " " + std::string(p.given.kanji);
  Segment(m, "OBX").field(1, "3").field(2, "TX").field(3, "99C01^受付コメント^99L01")
      .text(5, "患者 " + name + " 様(ID " + p.id + ")本人確認済").field(11, "F");
}

// --phi, ADT-00 last: the insurer (IN1, unless --shared-persons wrote one) and a Z-segment of the
// kind vendors add.
void MessageWriter::phi_tail(std::string& m, const Patient& p) {
  const std::string name = std::string(p.family.kanji) + " " + std::string(p.given.kanji);
  if (!p.identity)
    Segment(m, "IN1").field(1, "1").field(2, p.insurer.substr(0, 2)).more("^^JHSD0001").field(3, p.insurer)
      .more("^^^^NII").field(16, escaped(p.family.kanji)).more("^").more(escaped(p.given.kanji)).more("^^^^^L^I");
  Segment z(m, "ZPI");
  z.field(1, "1").field(2, escaped(name)).field(3, p.phone).field(4, p.romaji);
  if (!p.halfwidth_kana.empty()) z.field(5, p.halfwidth_kana);
}

// PV1 of the order and result messages: class and the department as point of care.
void MessageWriter::pv1(std::string& m, char patient_class, const Department& dept) {
  Segment(m, "PV1").field(1, "0001").field(2, std::string(1, patient_class)).field(3, dept.code2).more("^^^^^C");
}

std::string MessageWriter::doctor(int serial) const {
  const std::string_view family = doctor_family[static_cast<std::size_t>(serial) % doctor_family.size()];
  const std::string_view given = doctor_given[static_cast<std::size_t>(serial / 7) % doctor_given.size()];
  return std::to_string(100 + serial) + "^" + std::string(family) + "^" + std::string(given) + "^^^^^^^L^^^^^I";
}

void MessageWriter::orc(std::string& m, std::string_view control, std::string_view order, std::string_view filler,
                        std::string_view status, const Moment& ordered, const Department& dept, char patient_class,
                        int doctor_serial) {
  std::string when;
  append_datetime(when, ordered, true);
  Segment s(m, "ORC");
  s.field(1, control).field(2, order);
  if (!filler.empty()) s.field(3, filler);
  if (!status.empty()) s.field(5, status);
  s.field(9, when).field(12, doctor(doctor_serial));
  s.field(13, dept.code2).more("^^^^^C").field(17, dept.code2).more("^").more(escaped(dept.name)).more("^99XY1");
  s.field(21, escaped(model_.profile.name_ja));
  s.field(29, patient_class == 'I' ? "I^入院患者オーダ^HL70482" : "O^外来患者オーダ^HL70482");
}

std::string MessageWriter::next_order(Patient& p) {
  ++p.order_serial;
  std::string order = std::to_string(static_cast<std::uint64_t>(p.index + 1) * 1000 + static_cast<std::uint64_t>(p.order_serial));
  order.insert(0, 15 - std::min<std::size_t>(15, order.size()), '0');
  return order;
}

// ---- ADT ----------------------------------------------------------------------------------------

PendingFile MessageWriter::adt00(Patient& p, const Moment& at, bool update) {
  PendingFile file = start(p, "ADT-00", at, "-", std::string(kNoOrder), "-", "ADT^A08^ADT_A01");
  std::string& m = file.utf8;
  std::string evn;
  append_datetime(evn, at, false);
  Segment(m, "EVN").field(2, evn);
  pid(m, p, true);
  if (options_.phi) phi_kin(m, p);
  Segment(m, "PV1").field(1, "0001").field(2, "O");
  std::string height, weight;
  Rng rng(mix(static_cast<std::uint64_t>(p.index), update ? 2 : 1));
  double h = p.sex == 'M' ? 171.0 + 6.0 * rng.normal() : 158.0 + 5.5 * rng.normal();
  double w = (h / 100.0) * (h / 100.0) * (22.0 + 3.0 * rng.normal());
  append_fixed(height, h, 1);
  append_fixed(weight, w, 1);
  Segment(m, "OBX").field(1, "1").field(2, "NM").field(3, "9N001000000000001^身長^JC10").field(5, height)
      .field(6, "cm^cm^ISO+").field(11, "F");
  Segment(m, "OBX").field(1, "2").field(2, "NM").field(3, "9N006000000000001^体重^JC10").field(5, weight)
      .field(6, "kg^kg^ISO+").field(11, "F");
  if (options_.phi) phi_comment(m, p);
  if (p.identity) {
    // IN1-3 保険者番号, IN1-10 記号, IN1-11 番号 (JAMI ssmix2-to-fhir ConceptMap
    // segment-adt-00-in1-to-coverage @3613ec1), IN1-17 SEL 本人.
    Segment(m, "IN1").field(1, "1").field(3, escaped(p.identity->insurer)).field(10, escaped(p.identity->symbol))
        .field(11, escaped(p.identity->number)).field(17, "SEL^本人^HL70063");
  }
  if (options_.phi) phi_tail(m, p);
  return file;
}

PendingFile MessageWriter::adt_visit(Patient& p, std::string_view type, std::string_view msh9, const Moment& at,
                                     const Department& dept, char patient_class, const Moment& admit,
                                     const Moment* discharge) {
  std::string date;
  append_yyyymmdd(date, discharge ? discharge->day : admit.day);
  PendingFile file = start(p, type, at, date, std::string(kNoOrder), std::string(dept.code2), msh9);
  std::string& m = file.utf8;
  std::string evn, admitted, discharged;
  append_datetime(evn, at, false);
  append_datetime(admitted, admit, false);
  {
    Segment e(m, "EVN");
    e.field(2, evn);
    if (discharge) e.field(6, evn);  // EVN-6 event occurred (guideline sample ADT^A03)
  }
  pid(m, p, false);
  Segment pv1(m, "PV1");
  pv1.field(1, "0001").field(2, std::string(1, patient_class));
  if (patient_class == 'I')
    pv1.field(3, std::to_string(30 + p.index % 10)).more("^").more(std::to_string(300 + p.index % 40)).more("^1^^^N");
  else
    pv1.field(3, dept.code2).more("^^^^^C");
  pv1.field(7, doctor(p.index % 13)).field(10, dept.code2).field(44, admitted);
  if (discharge) {
    append_datetime(discharged, *discharge, false);
    pv1.field(45, discharged);
  }
  return file;
}

// ---- lab ----------------------------------------------------------------------------------------

std::string MessageWriter::obx3(const ItemModel& item) const {
  const FacilityProfile& f = model_.profile;
  std::string jlac = item.jlac10 + "^" + escaped(item.display_name) + "^JC10";
  std::string local = item.local_code + "^" + escaped(item.display_name) + "^" + f.local_system;
  if (f.code_style == "jlac10") return jlac;
  if (f.code_style == "local") return local;
  if (f.code_style == "jlac10+local") return jlac + "^" + local;
  return local + "^" + jlac;
}

std::string_view MessageWriter::obx3_code(const ItemModel& item) const {
  return model_.profile.code_style.rfind("jlac10", 0) == 0 ? std::string_view(item.jlac10)
                                                           : std::string_view(item.local_code);
}

void MessageWriter::spm(std::string& m, int set, Specimen specimen, std::string_view specimen_id, const Moment& collected) {
  std::string when;
  append_datetime(when, collected, false);
  Segment s(m, "SPM");
  s.field(1, std::to_string(set));
  if (!specimen_id.empty()) s.field(2, specimen_id);
  s.field(4, specimen_code(specimen)).more("^").more(specimen_name(specimen)).more("^JC10").field(17, when);
}

PendingFile MessageWriter::lab_order(Patient& p, const LabOrder& order, const Moment& at, std::string_view control) {
  PendingFile file = start(p, "OML-01", at, order.date, order.order, std::string(order.dept->code2), "OML^O33^OML_O33");
  std::string& m = file.utf8;
  pid(m, p, false);
  pv1(m, order.patient_class, *order.dept);
  const std::vector<std::size_t>& pick = order.items;
  int set = 0;
  for (std::size_t i = 0; i < pick.size();) {
    Specimen specimen = model_.items[pick[i]].item->specimen;
    spm(m, ++set, specimen, {}, order.collected);
    orc(m, control, order.order, {}, {}, at, *order.dept, order.patient_class, p.index % 13);
    Segment(m, "OBR").field(1, std::to_string(set)).field(2, order.order).field(4, battery(specimen));
    int n = 0;
    for (; i < pick.size() && model_.items[pick[i]].item->specimen == specimen; ++i)
      Segment(m, "OBX").field(1, std::to_string(++n)).field(3, obx3(model_.items[pick[i]])).field(11, "O");
  }
  return file;
}

void MessageWriter::obx_result(std::string& m, const TruthObx& truth, const ItemModel& item, bool final_result,
                               std::string_view observed) {
  bool numeric = truth.comparator.empty() && truth.qualitative.empty() && truth.kept.empty();
  Segment s(m, "OBX");
  s.field(1, std::to_string(truth.obx)).field(2, numeric ? "NM" : "ST").field(3, obx3(item));
  s.text(5, truth.sent_value);
  if (!truth.sent_unit.empty()) {
    std::string unit = escaped(truth.sent_unit);
    s.field(6, unit).more("^").more(unit).more("^").more(truth.sent_system);
  }
  s.text(7, truth.sent_range).field(8, truth.sent_flag);
  // Preliminary reports mark some rows P (HL7 table 0085).
  s.field(11, final_result ? "F" : (truth.obx % 3 == 0 ? "P" : "F")).field(14, observed);
}

PendingFile MessageWriter::lab_result(Patient& p, const LabOrder& order, const Moment& reported,
                                      std::uint64_t value_seed, bool final_result) {
  std::string date;
  append_yyyymmdd(date, order.collected.day);  // SPM-17 (reference §2)
  PendingFile file = start(p, "OML-11", reported, date, order.order, std::string(order.dept->code2), "OUL^R22^OUL_R22");
  std::string& m = file.utf8;
  pid(m, p, false);
  pv1(m, order.patient_class, *order.dept);
  Rng values(value_seed);  // same values in the preliminary and the final report
  Rng variance(mix(value_seed, kVarianceStream));  // its own stream: --variance-rate 0 draws nothing
  std::string filler = order.order.substr(3) + "001";
  std::string observed, report_time;
  append_datetime(observed, order.collected, false);
  append_datetime(report_time, reported, true);
  const std::vector<std::size_t>& pick = order.items;
  int set = 0, obx_number = 0;
  for (std::size_t i = 0; i < pick.size();) {
    Specimen specimen = model_.items[pick[i]].item->specimen;
    std::string specimen_id = filler + std::to_string(set + 1);
    spm(m, ++set, specimen, specimen_id, order.collected);
    // OUL^R22: OBR before ORC (reference §6.1).
    Segment(m, "OBR").field(1, std::to_string(set)).field(2, order.order).field(3, specimen_id).field(4, battery(specimen))
        .field(7, observed).field(22, report_time);
    orc(m, "SC", order.order, specimen_id, final_result ? "CM" : "IP", order.ordered, *order.dept, order.patient_class,
        p.index % 13);
    for (; i < pick.size() && model_.items[pick[i]].item->specimen == specimen; ++i) {
      const ItemModel& item = model_.items[pick[i]];
      TruthObx truth = result_value(model_, item, p.sex, item.variance_item ? variance : values);
      truth.obx = ++obx_number;
      truth.item = &item;
      truth.code = std::string(obx3_code(item));
      truth.unit = item.canonical_unit;
      truth.gap = item.gap;
      truth.sent_system = item.unit_system_name;
      if (model_.variance) vary_row(model_, tables_, ucum_, truth, variance);
      obx_result(m, truth, item, final_result, observed);
      file.truth.push_back(std::move(truth));
    }
  }
  // --phi: the name typed into a note on the last result (NTE after OBX, OUL_R22 structure).
  if (options_.phi)
    Segment(m, "NTE").field(1, "1").field(2, "L").text(3, std::string(p.family.kanji) + std::string(p.given.kanji) + "様 採血時に本人確認");
  return file;
}

// ---- prescriptions and problems -----------------------------------------------------------------

PendingFile MessageWriter::prescription(Patient& p, const std::string& order, const Moment& started, const Moment& at,
                                        const Department& dept, char patient_class,
                                        const std::vector<PrescribedDrug>& lines, std::string_view control) {
  std::string date;
  append_yyyymmdd(date, started.day);
  PendingFile file = start(p, "OMP-01", at, date, order, std::string(dept.code2), "RDE^O11^RDE_O11");
  file.day = started.day;
  for (const PrescribedDrug& line : lines) file.drugs.push_back(line.drug);
  std::string& m = file.utf8;
  pid(m, p, false);
  pv1(m, patient_class, dept);
  for (const PrescribedDrug& line : lines) {
    const Drug& drug = *line.drug;
    orc(m, control, order, {}, {}, started, dept, patient_class, p.index % 13);
    std::string unit = std::string(drug.unit_code) + "^" + std::string(drug.unit_name) + "^MR9P";
    Segment(m, "RXE").field(2, drug.code).more("^").more(escaped(drug.name)).more("^HOT9")
        .field(3, std::to_string(line.dose)).field(5, unit).field(10, std::to_string(line.dose * line.days))
        .field(11, unit).field(21, "OHP^外来処方^MR9P~OHI^院内処方^MR9P");
    Segment(m, "TQ1").field(1, "1").field(3, line.usage->code).more("&").more(line.usage->text).more("&JAMISDP01")
        .field(6, std::to_string(line.days)).more("^d").field(7, date);
    Segment(m, "RXR").field(1, "PO^口^HL70162");
  }
  return file;
}

PendingFile MessageWriter::problems(Patient& p, const Moment& at, const std::vector<const Diagnosis*>& list) {
  PendingFile file = start(p, "PPR-01", at, "-", std::string(kNoOrder), std::string(p.dept->code2), "PPR^ZD1^PPR_ZD1");
  file.day = at.day;
  file.diagnoses = list;
  std::string& m = file.utf8;
  pid(m, p, false);
  std::string day;
  append_yyyymmdd(day, at.day);
  int n = 0;
  for (const Diagnosis* d : list) {
    std::string problem_id = p.id + std::to_string(++n);
    Segment(m, "PRB").field(1, "AD").field(2, day).field(3, d->icd10).more("^").more(escaped(d->name)).more("^I10")
        .field(4, problem_id).field(7, day).field(10, d->icd10).more("^^I10^O^外来時^JHSD0004")
        .field(14, "N^回復せず^HL70241").field(16, day);
  }
  return file;
}

}  // namespace smx::gen::detail
