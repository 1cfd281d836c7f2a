// The patient timeline (smx/clinical.hpp) over the SS-MIX2 guideline sample tree and over
// messages from smx gen.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "smx/clinical.hpp"
#include "smx/gen.hpp"
#include "smx/ssmix2.hpp"
#include "smx/stream.hpp"
#include "smx/tables.hpp"

using namespace smx;
using namespace smx::clinical;

namespace {

std::vector<Timeline> read_timelines(const std::vector<std::string>& inputs, CollectingSink& diagnostics) {
  std::vector<Timeline> out;
  Counts counts;
  TimelineBuilder builder([&](Timeline& t) { out.push_back(t); }, diagnostics);
  RecordReader reader(inputs, ReaderOptions{}, diagnostics, nullptr, counts);
  while (const Record* r = reader.next()) builder.add(*r);
  builder.finish();
  return out;
}

Record record_of(std::string_view hl7, std::string_view name = {}) {
  Record r;
  REQUIRE(r.message.assign(hl7));
  if (!name.empty()) {
    std::vector<ssmix2::NameProblem> problems;
    r.ssmix2 = ssmix2::parse_file_name(name, problems);
    r.src.path = std::string(name);
  }
  return r;
}

const Event* find_event(const Timeline& t, EventKind kind, std::string_view code) {
  for (const Event& e : t.events)
    if (e.kind == kind && (e.code == code || e.medis == code)) return &e;
  return nullptr;
}

Day day(std::string_view yyyymmdd) { return day_of(yyyymmdd); }

}  // namespace

TEST_CASE("clinical: dates and ages") {
  CHECK(day_of("19700101") == 0);
  CHECK(day_of("20111220103059.0000") == day_of("20111220"));
  CHECK(day_of("2011122") == kNoDay);
  CHECK(day_of("20110231") == kNoDay);
  CHECK(iso_date(day("20240229")) == "2024-02-29");
  CHECK(age_in_years(day("19650415"), day("20110414")) == 45);
  CHECK(age_in_years(day("19650415"), day("20110415")) == 46);
  CHECK(age_in_years(day("20000229"), day("20010228")) == 0);
  CHECK(age_in_years(day("20000229"), day("20010301")) == 1);
  CHECK(age_in_years(kNoDay, day("20010301")) == -1);
}

TEST_CASE("clinical: the guideline sample tree (ssmix2-dtt): the sample patient's timeline") {
  CollectingSink diagnostics;
  const std::vector<Timeline> timelines =
      read_timelines({(std::filesystem::path(SMX_CORPUS) / "ssmix2-dtt").string()}, diagnostics);
  CHECK_FALSE(diagnostics.has("CLINICAL-NOT-GROUPED"));
  // The samples' PID-3 differ from the folder in places (0001000052, 1234567890): the name wins.
  CHECK(diagnostics.has("CLINICAL-PATIENT-MISMATCH"));
  // 9999013 is the guideline sample patient (0000001 holds the corpus's broken files).
  const auto found = std::find_if(timelines.begin(), timelines.end(), [](const Timeline& t) { return t.patient == "9999013"; });
  REQUIRE(found != timelines.end());
  const Timeline& t = *found;
  CHECK(t.facility == "SEND");
  CHECK(t.patient == "9999013");
  CHECK(t.sex == 'M');
  CHECK(t.birth == day("19480405"));  // ADT-00's PID-7 (other samples say 1965, 1970)

  // OMP-01: HOT9 108665201, TQ1-7 2011-07-01 for 5 days; dose RXE-3.
  const Event* rx = nullptr;
  for (const Event& e : t.events)
    if (e.kind == EventKind::drug && e.code == "108665201" && e.action == DrugAction::prescription) rx = &e;
  REQUIRE(rx != nullptr);
  CHECK(rx->coding == DrugCoding::hot9);
  CHECK(rx->action == DrugAction::prescription);
  CHECK(rx->day == day("20110701"));
  CHECK(rx->end == day("20110705"));
  CHECK(rx->dose == "1");
  CHECK(rx->dose_unit == "TAB");
  // OMP-02: the RXC components, not the RXE mixture "00^一般"; TQ1-7/8 the infusion.
  const Event* infusion = find_event(t, EventKind::drug, "620002559");
  REQUIRE(infusion != nullptr);
  CHECK(find_event(t, EventKind::drug, "00") == nullptr);
  bool injection = false, administration = false;
  for (const Event& e : t.events)
    if (e.kind == EventKind::drug && e.code == "620002559") {
      injection = injection || e.action == DrugAction::injection;
      administration = administration || e.action == DrugAction::administration;
    }
  CHECK(injection);
  CHECK(administration);  // OMP-12 RXA-5
  // PPR-01: MEDIS 20054174 (MDCDX2) with ICD-10 K297 from PRB-10; onset PRB-16.
  const Event* gastritis = find_event(t, EventKind::diagnosis, "K297");
  REQUIRE(gastritis != nullptr);
  CHECK(gastritis->medis == "20054174");
  CHECK(gastritis->day == day("20110831"));
  // OML-11: JLAC10 total protein 7.2 g/dl.
  const Event* protein = find_event(t, EventKind::lab, "3A010000002327101");
  REQUIRE(protein != nullptr);
  CHECK(protein->numeric);
  CHECK(protein->value == doctest::Approx(7.2));
  CHECK(protein->unit == "g/dl");
  CHECK(protein->day == day("20111219"));  // OBX-14
  // ADT-22 admission 2011-11-20 (PV1-44); ADT-52 discharge 2011-12-20 (PV1-45) without a
  // PV1-44: it closes the open admission before it. 30 days.
  const std::vector<Stay> stays = t.stays();
  REQUIRE(stays.size() == 1);
  CHECK(stays[0].admit == day("20111120"));
  CHECK(stays[0].discharge == day("20111220"));
  CHECK(stays[0].length() == 30);
}

TEST_CASE("clinical: stays pair admissions and discharges") {
  Timeline t;
  auto event = [](EventKind kind, std::string_view when, std::string_view admit = {}) {
    Event e;
    e.kind = kind;
    e.day = day(when);
    if (!admit.empty()) e.admit = day(admit);
    return e;
  };
  t.events = {event(EventKind::admission, "20240101"), event(EventKind::transfer, "20240103", "20240101"),
              event(EventKind::discharge, "20240105", "20240101"), event(EventKind::admission, "20240201"),
              event(EventKind::discharge, "20240310", "20240301")};  // its admission is not in the data
  const std::vector<Stay> stays = t.stays();
  REQUIRE(stays.size() == 3);
  CHECK(stays[0].length() == 4);
  CHECK(stays[0].transfers == 1);
  CHECK(stays[1].admit == day("20240201"));
  CHECK(stays[1].discharge == clinical::kNoDay);  // still in hospital
  CHECK(stays[1].length() == -1);
  CHECK(stays[2].admit == day("20240301"));
  CHECK(stays[2].length() == 9);
}

TEST_CASE("clinical: condition flags, delete records, grouping") {
  const std::string adt = "MSH|^~\\&|A|H1|B|C|20240101||ADT^A08^ADT_A01|1|P|2.5\rPID|1||P1^^^^PI||^||19800101|F\r";
  const std::string ppr = "MSH|^~\\&|A|H1|B|C|20240101||PPR^ZD1^PPR_ZD1|2|P|2.5\rPID|1||P1^^^^PI\r"
                          "PRB|AD|20240101|E119^DM^I10|1|||20240101\r";
  const std::string ppr2 = "MSH|^~\\&|A|H1|B|C|20240101||PPR^ZD1^PPR_ZD1|2|P|2.5\rPID|1||P2^^^^PI\r"
                           "PRB|AD|20240101|I10^HT^I10|1|||20240101\r";
  CollectingSink diagnostics;
  std::vector<Timeline> out;
  TimelineBuilder builder([&](Timeline& t) { out.push_back(t); }, diagnostics);
  builder.add(record_of(adt, "P1_-_ADT-00_999999999999999_20240101000000000_-_1"));
  // Flag 2 (history) and flag 0 (deleted) are not current: no diagnosis from them.
  builder.add(record_of(ppr, "P1_-_PPR-01_999999999999999_20240101000000000_01_2"));
  builder.add(record_of(ppr, "P1_-_PPR-01_999999999999998_20240101000000000_01_0"));
  builder.add(record_of(ppr, "P1_-_PPR-01_999999999999997_20240101000000000_01_1"));
  // A delete record of that key removes it again.
  Record deletion;
  deletion.deletion = Deletion{"P1_-_PPR-01_999999999999997_20240101000000000_01", "deleted", "x", std::nullopt};
  builder.add(deletion);
  builder.add(record_of(ppr2));   // patient P2 (no name: PID-3)
  builder.add(record_of(ppr));    // P1 again: not grouped
  builder.finish();
  REQUIRE(out.size() == 3);
  CHECK(out[0].patient == "P1");
  CHECK(out[0].sex == 'F');
  CHECK(out[0].birth == day("19800101"));
  CHECK(out[0].events.empty());
  CHECK(builder.counts().not_current == 2);
  CHECK(builder.counts().deletions_applied == 1);
  CHECK(out[1].patient == "P2");
  REQUIRE(out[1].events.size() == 1);
  CHECK(out[1].events[0].code == "I10");
  CHECK(diagnostics.has("CLINICAL-NOT-GROUPED"));
  CHECK(builder.counts().regrouped == 1);
}

namespace {

// Every file gen writes, in order, as a stream record would carry it.
class Files final : public gen::Sink {
 public:
  void file(const File& f) override { files.push_back({std::string(f.file_name), std::string(f.utf8)}); }
  std::vector<std::pair<std::string, std::string>> files;
};

std::size_t count_segments(std::string_view text, std::string_view id) {
  std::size_t n = 0;
  const std::string needle = "\r" + std::string(id) + "|";
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("clinical: a generated tree: one timeline per patient, events of current files only") {
  gen::Options options;
  options.patients = 40;
  options.facilities = 2;
  options.seed = 15;
  const tables::Tables tables = tables::load_tables(SMX_SOURCE_DIR);
  Files sink;
  const gen::Summary summary = gen::generate(options, tables, sink, nullptr);
  REQUIRE(summary.deleted_files > 0);
  CollectingSink diagnostics;
  std::vector<Timeline> timelines;
  TimelineBuilder builder([&](Timeline& t) { timelines.push_back(t); }, diagnostics);
  // The counts a reader of the files (not of the timeline) finds in the current files.
  std::map<std::string, std::size_t> expected;
  for (const auto& [name, utf8] : sink.files) {
    Record r = record_of(utf8, name);
    builder.add(r);
    if (!r.ssmix2 || r.ssmix2->flag != 1) continue;
    if (r.ssmix2->type == "OMP-01") expected["drug"] += count_segments(utf8, "RXE");
    if (r.ssmix2->type == "PPR-01") expected["diagnosis"] += count_segments(utf8, "PRB");
    if (r.ssmix2->type == "OML-11") expected["lab"] += count_segments(utf8, "OBX");
    if (r.ssmix2->type == "ADT-12") expected["visit"] += 1;
  }
  builder.finish();
  CHECK_FALSE(diagnostics.has("CLINICAL-NOT-GROUPED"));
  CHECK(timelines.size() == summary.patients);
  std::map<std::string, std::size_t> seen;
  for (const Timeline& t : timelines) {
    CHECK((t.sex == 'M' || t.sex == 'F'));
    CHECK(t.birth != kNoDay);
    for (const Event& e : t.events) {
      ++seen[std::string(event_kind_name(e.kind))];
      CHECK(e.day != kNoDay);
    }
    CHECK(std::is_sorted(t.events.begin(), t.events.end(), [](const Event& a, const Event& b) { return a.day < b.day; }));
  }
  CHECK(seen["drug"] == expected["drug"]);
  CHECK(seen["diagnosis"] == expected["diagnosis"]);
  CHECK(seen["lab"] == expected["lab"]);
  CHECK(seen["visit"] == expected["visit"]);
  CHECK(builder.counts().not_current == summary.history_files + summary.deleted_files);
}
