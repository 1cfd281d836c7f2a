// smx gen --qi: the messages of the indicator events (reference §4 data types; the shape of the
// DTT guideline samples: RXA-3 start, RXA-5 drug, RXA-6/7 amount and unit, RXA-20 CP).
#include "gen/messages.hpp"
#include "smx/hl7.hpp"

namespace smx::gen::detail {

namespace {

using hl7::escaped;
using Segment = hl7::SegmentBuilder;

// Drug codes are YJ-shaped and invented (gen/qi.hpp): "99YJ" is a local coding-system label
// (HL7 0396 reserves 99zzz for local systems), not a registered one.
std::string drug_field(std::string_view code, std::string_view name) {
  return std::string(code) + "^" + escaped(name) + "^99YJ";
}
constexpr std::string_view kMilligram = "mg^mg^ISO+";
// The microbiology order code of the NHO bacteriology sample (reference ssmix2.md §"Codes" 10:
// OBR-4 6B0100000017742, a 15-character order-level JLAC10 code); the name is ours.
constexpr std::string_view kCultureCode = "6B0100000017742^細菌培養同定^JC10";
constexpr std::string_view kHba1cCode = "3D046000001906202^HbA1c（NGSP）^JC10";

}  // namespace

PendingFile MessageWriter::qi_drug_file(Patient& p, std::string_view type, std::string_view msh9,
                                        const std::string& order, const Moment& ordered, const Moment& written,
                                        const Department& dept, char patient_class) {
  std::string date;
  append_yyyymmdd(date, ordered.day);
  PendingFile file = start(p, type, written, date, order, std::string(dept.code2), msh9);
  pid(file.utf8, p, false);
  pv1(file.utf8, patient_class, dept);
  orc(file.utf8, "NW", order, {}, {}, ordered, dept, patient_class, p.index % 13);
  return file;
}

PendingFile MessageWriter::qi_injection_order(Patient& p, const std::string& order, const Moment& at,
                                              const Department& dept, std::string_view code, std::string_view name,
                                              int mg, int doses, int days) {
  PendingFile file = qi_drug_file(p, "OMP-02", "RDE^O11^RDE_O11", order, at, at, dept, 'I');
  std::string& m = file.utf8;
  std::string start_time;
  append_datetime(start_time, at, false);
  Segment(m, "RXE").field(2, drug_field(code, name)).field(3, std::to_string(mg)).field(5, kMilligram)
      .field(10, std::to_string(mg * doses * days)).field(11, kMilligram);
  Segment(m, "TQ1").field(1, "1").field(6, std::to_string(days)).more("^d").field(7, start_time);
  Segment(m, "RXR").field(1, "IV^静脈内^HL70162");
  return file;
}

PendingFile MessageWriter::qi_administration(Patient& p, const std::string& order, const Department& dept,
                                             std::string_view code, std::string_view name,
                                             const std::vector<std::pair<Moment, int>>& doses) {
  const Moment& first = doses.front().first;  // care date RXA-3 (reference §2 care-date table)
  PendingFile file = qi_drug_file(p, "OMP-12", "RAS^O17^RAS_O17", order, first, first.plus_minutes(45), dept, 'I');
  std::string& m = file.utf8;
  int n = 0;
  for (const auto& [when, mg] : doses) {
    std::string started, ended;
    append_datetime(started, when, true);
    append_datetime(ended, when.plus_minutes(30), true);
    Segment(m, "RXA").field(1, "0").field(2, std::to_string(++n)).field(3, started).field(4, ended)
        .field(5, drug_field(code, name)).field(6, std::to_string(mg)).field(7, kMilligram).field(20, "CP");
    Segment(m, "RXR").field(1, "IV^静脈内^HL70162");
  }
  return file;
}

PendingFile MessageWriter::qi_culture(Patient& p, const std::string& order, const Moment& collected,
                                      const Department& dept, char patient_class, bool result) {
  std::string date;
  append_yyyymmdd(date, collected.day);  // ORC-9 (order) and SPM-17 (result): the same day here
  const Moment at = result ? collected.plus_minutes(24 * 60) : collected;
  PendingFile file = result ? start(p, "OML-11", at, date, order, std::string(dept.code2), "OUL^R22^OUL_R22")
                            : start(p, "OML-01", at, date, order, std::string(dept.code2), "OML^O33^OML_O33");
  std::string& m = file.utf8;
  pid(m, p, false);
  pv1(m, patient_class, dept);
  const std::string specimen_id = order.substr(3) + "0011";
  spm(m, 1, Specimen::whole_blood, result ? specimen_id : std::string(), collected);
  std::string observed;
  append_datetime(observed, collected, false);
  if (!result) {
    orc(m, "NW", order, {}, {}, collected, dept, patient_class, p.index % 13);
    Segment(m, "OBR").field(1, "1").field(2, order).field(4, kCultureCode);
    return file;
  }
  std::string reported;
  append_datetime(reported, at, true);
  Segment(m, "OBR").field(1, "1").field(2, order).field(3, specimen_id).field(4, kCultureCode).field(7, observed)
      .field(22, reported);
  orc(m, "SC", order, specimen_id, "CM", collected, dept, patient_class, p.index % 13);
  Segment(m, "OBX").field(1, "1").field(2, "ST").field(3, kCultureCode).field(5, "陰性").field(11, "F").field(14, observed);
  return file;
}

PendingFile MessageWriter::qi_oral(Patient& p, const std::string& order, const Moment& at, const Department& dept,
                                   std::string_view code, std::string_view name, int mg, int days) {
  PendingFile file = qi_drug_file(p, "OMP-01", "RDE^O11^RDE_O11", order, at, at, dept, 'O');
  std::string& m = file.utf8;
  Segment(m, "RXE").field(2, drug_field(code, name)).field(3, std::to_string(mg)).field(5, kMilligram)
      .field(10, std::to_string(mg * days)).field(11, kMilligram).field(21, "OHP^外来処方^MR9P~OHI^院内処方^MR9P");
  Segment(m, "TQ1").field(1, "1").field(6, std::to_string(days)).more("^d").field(7, file.date);
  Segment(m, "RXR").field(1, "PO^口^HL70162");
  return file;
}

PendingFile MessageWriter::qi_hba1c(Patient& p, const std::string& order, const Moment& collected,
                                    const Department& dept, int tenths, bool result) {
  std::string date;
  append_yyyymmdd(date, collected.day);
  const Moment at = result ? collected.plus_minutes(90) : collected;
  PendingFile file = result ? start(p, "OML-11", at, date, order, std::string(dept.code2), "OUL^R22^OUL_R22")
                            : start(p, "OML-01", at, date, order, std::string(dept.code2), "OML^O33^OML_O33");
  std::string& m = file.utf8;
  pid(m, p, false);
  pv1(m, 'O', dept);
  const std::string specimen_id = order.substr(3) + "0021";
  spm(m, 1, Specimen::whole_blood, result ? specimen_id : std::string(), collected);
  if (!result) {
    orc(m, "NW", order, {}, {}, collected, dept, 'O', p.index % 13);
    Segment(m, "OBR").field(1, "1").field(2, order).field(4, "E001^血液学的検査^99O03");
    Segment(m, "OBX").field(1, "1").field(3, kHba1cCode).field(11, "O");
    return file;
  }
  std::string observed, reported;
  append_datetime(observed, collected, false);
  append_datetime(reported, at, true);
  Segment(m, "OBR").field(1, "1").field(2, order).field(3, specimen_id).field(4, "E001^血液学的検査^99O03")
      .field(7, observed).field(22, reported);
  orc(m, "SC", order, specimen_id, "CM", collected, dept, 'O', p.index % 13);
  const std::string value = std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
  Segment(m, "OBX").field(1, "1").field(2, "NM").field(3, kHba1cCode).field(5, value).field(6, "%^%^ISO+")
      .field(11, "F").field(14, observed);
  return file;
}

}  // namespace smx::gen::detail
