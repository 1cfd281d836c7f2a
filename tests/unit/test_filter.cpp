// The record filters (lib/stream filter_record) and what they derive from content (lib/ssmix2):
// patient from PID-3, data type from MSH-9 through the table, care date from the type's field.
#include <doctest/doctest.h>

#include <string>

#include "smx/stream.hpp"

using namespace smx;

namespace {

// Synthetic messages (no real patient data). Segments joined with CR.
std::string msg(std::initializer_list<std::string> segments) {
  std::string text;
  for (const auto& s : segments) text += s + "\r";
  return text;
}

const std::string kMsh = "MSH|^~\\&|APP|H1|GW|RCV|20260105101500||";

Record record_of(const std::string& text, std::optional<ssmix2::FileName> name = std::nullopt) {
  Record r;
  std::string reason;
  REQUIRE(r.message.assign(text, &reason));
  r.ssmix2 = std::move(name);
  return r;
}

ssmix2::FileName name_of(std::string patient, std::string date, std::string type, int flag) {
  ssmix2::FileName n;
  n.patient = std::move(patient);
  n.date = std::move(date);
  n.type = std::move(type);
  n.order = "999999999999999";
  n.timestamp = "20260105101500000";
  n.dept = "-";
  n.flag = flag;
  return n;
}

const std::string kLab = msg({kMsh + "OUL^R22^OUL_R22|1|P|2.5", "PID|1||X9^^^^MR~P100^^^^PI||", "SPM|1|||023^血清^JC10|||||||||||||202601041030",
                              "OBR|1|1|||||20260104", "OBX|1|NM|3A010000002327101^TP^JC10||7.0|g/dL|||||F"});
const std::string kPrescription = msg({kMsh + "RDE^O11^RDE_O11|2|P|2.5", "PID|1||P100^^^^PI",
                                       "ORC|NW|1|||||||20260103090000", "RXE||620000001^X^HOT9|1"});
const std::string kPatientMaster = msg({kMsh + "ADT^A08^ADT_A01|3|P|2.5", "EVN||20260105", "PID|1||P200"});
const std::string kVitals = msg({kMsh + "ORU^R30^ORU_R30|4|P|2.5", "PID|1||P100^^^^PI", "OBR|1|||9N^V^JC10|||20260105"});
const std::string kNoPid = msg({kMsh + "OUL^R22^OUL_R22|5|P|2.5", "SPM|1|||023|||||||||||||20260104"});

}  // namespace

TEST_CASE("content_patient: the PI-typed repetition of PID-3, else the first") {
  CHECK(ssmix2::content_patient(record_of(kLab).message) == "P100");
  CHECK(ssmix2::content_patient(record_of(kPatientMaster).message) == "P200");
  CHECK(ssmix2::content_patient(record_of(kNoPid).message).empty());
  // Escapes are decoded, as a file name holds the plain ID.
  CHECK(ssmix2::content_patient(record_of(msg({kMsh + "ADT^A08|1|P|2.5", "PID|1||A\\T\\B^^^^PI"})).message) == "A&B");
}

TEST_CASE("content_data_types: MSH-9 type^event through the data-type table") {
  auto names = [](const std::string& text) {
    std::string out;
    for (const auto* t : ssmix2::content_data_types(record_of(text).message)) out += std::string(t->folder) + " ";
    return out;
  };
  CHECK(names(kLab) == "OML-11 ");
  CHECK(names(kPrescription) == "OMP-01 OMP-02 ");  // shared event: content cannot tell
  CHECK(names(kPatientMaster) == "ADT-00 ");
  CHECK(names(kVitals).empty());  // ORU^R30: no row in the table
}

TEST_CASE("content_care_date: the data type's field, first 8 digits, a real date") {
  const auto& lab = record_of(kLab).message;
  CHECK(ssmix2::content_care_date(lab, "SPM-17") == std::optional<std::string>("20260104"));
  CHECK_FALSE(ssmix2::content_care_date(lab, "PV1-44"));
  CHECK_FALSE(ssmix2::content_care_date(record_of(msg({kMsh + "OUL^R22|1|P|2.5", "SPM|1|||||||||||||||||20261301"})).message, "SPM-17"));
  // ADT^A53 (cancel of a return from leave) takes PV2-47, the rest of ADT-32 EVN-6 (reference §2).
  const auto* adt32 = ssmix2::find_data_type("ADT-32");
  REQUIRE(adt32 != nullptr);
  CHECK(ssmix2::care_date_field(*adt32, record_of(msg({kMsh + "ADT^A53|1|P|2.5"})).message) == "PV2-47");
  CHECK(ssmix2::care_date_field(*adt32, record_of(msg({kMsh + "ADT^A22|1|P|2.5"})).message) == "EVN-6");
}

TEST_CASE("filter_record: no filter keeps everything") {
  CHECK(filter_record(record_of(kNoPid), {}) == FilterVerdict::keep);
  CHECK_FALSE(has_record_filters({}));
}

TEST_CASE("filter_record --type: by name, else by content; shared events decided only when they can be") {
  ssmix2::WalkOptions f;
  f.types = {"OML-11"};
  CHECK(filter_record(record_of(kLab), f) == FilterVerdict::keep);
  CHECK(filter_record(record_of(kPatientMaster), f) == FilterVerdict::drop);
  CHECK(filter_record(record_of(kVitals), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(kPrescription), f) == FilterVerdict::drop);  // neither OMP type wanted
  // The name decides over the content.
  CHECK(filter_record(record_of(kPatientMaster, name_of("P200", "-", "OML-11", 1)), f) == FilterVerdict::keep);
  f.types = {"OMP-01"};
  CHECK(filter_record(record_of(kPrescription), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(kPrescription, name_of("P100", "20260103", "OMP-01", 1)), f) == FilterVerdict::keep);
  f.types = {"OMP-01", "OMP-02"};
  CHECK(filter_record(record_of(kPrescription), f) == FilterVerdict::keep);
}

TEST_CASE("filter_record --patient: name, else PID-3") {
  ssmix2::WalkOptions f;
  f.patients = {"P100"};
  CHECK(filter_record(record_of(kLab), f) == FilterVerdict::keep);  // PI repetition, not X9
  CHECK(filter_record(record_of(kPatientMaster), f) == FilterVerdict::drop);
  CHECK(filter_record(record_of(kNoPid), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(kNoPid, name_of("P100", "20260104", "OML-11", 1)), f) == FilterVerdict::keep);
}

TEST_CASE("filter_record --from/--to: care date by the type's rule; undated never in a range") {
  ssmix2::WalkOptions f;
  f.from = "20260104";
  f.to = "20260104";
  CHECK(filter_record(record_of(kLab), f) == FilterVerdict::keep);            // SPM-17
  CHECK(filter_record(record_of(kPrescription), f) == FilterVerdict::drop);   // ORC-9 20260103 (both OMP types)
  CHECK(filter_record(record_of(kPatientMaster), f) == FilterVerdict::drop);  // ADT-00: undated
  CHECK(filter_record(record_of(kVitals), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(msg({kMsh + "OUL^R22|1|P|2.5", "SPM|1"})), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(kLab, name_of("P100", "-", "OML-11", 1)), f) == FilterVerdict::drop);
  CHECK(filter_record(record_of(kLab, name_of("P100", "2026010", "OML-11", 1)), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(kPatientMaster, name_of("P200", "20260104", "ADT-00", 1)), f) == FilterVerdict::keep);
}

TEST_CASE("filter_record --flag: only a name has one") {
  ssmix2::WalkOptions f;
  f.flags = {1};
  CHECK(filter_record(record_of(kLab), f) == FilterVerdict::undetermined);
  CHECK(filter_record(record_of(kLab, name_of("P100", "20260104", "OML-11", 1)), f) == FilterVerdict::keep);
  CHECK(filter_record(record_of(kLab, name_of("P100", "20260104", "OML-11", 2)), f) == FilterVerdict::drop);
  CHECK(filter_record(record_of(kLab, name_of("P100", "20260104", "OML-11", -1)), f) == FilterVerdict::undetermined);
}

TEST_CASE("filter_record: a filter that fails decides over one that cannot be derived") {
  ssmix2::WalkOptions f;
  f.patients = {"P999"};
  f.flags = {1};
  CHECK(filter_record(record_of(kLab), f) == FilterVerdict::drop);
  f.patients = {"P100"};
  CHECK(filter_record(record_of(kLab), f) == FilterVerdict::undetermined);
}
