// lib/ssmix2: file names (reference §3), data types (§4), tree layout (§2, §7), walk and filters.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "smx/ssmix2.hpp"

namespace fs = std::filesystem;
using namespace smx;
using namespace smx::ssmix2;

namespace {

const std::string kGood = "9999013_20111220_OML-11_000000011000354_20111220103059000_01_1";

bool has_code(const std::vector<NameProblem>& problems, std::string_view code) {
  return std::any_of(problems.begin(), problems.end(), [&](const NameProblem& p) { return p.code == code; });
}

std::vector<std::string> codes_of(const std::vector<NameProblem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) out.push_back(p.code);
  return out;
}

std::string dtt() { return std::string(SMX_CORPUS) + "/ssmix2-dtt"; }

std::vector<Entry> walk_all(const std::vector<std::string>& roots, const WalkOptions& options,
                            CollectingSink& sink) {
  std::vector<Entry> entries;
  walk(roots, options, sink, [&](const Entry& e) { entries.push_back(e); });
  return entries;
}

// A scratch directory removed at the end of the test.
struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "smx-ssmix2-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code error;
    fs::remove_all(path, error);
  }
  fs::path path;
  void file(const std::string& relative) {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative) << "MSH|^~\\&|\r";
  }
};

}  // namespace

TEST_CASE("ssmix2: data-type table has the 26 folders of reference §4") {
  const auto& table = data_types();
  CHECK(table.size() == 26);
  std::set<std::string_view> folders;
  for (const auto& t : table) {
    folders.insert(t.folder);
    CHECK(!t.description_ja.empty());
    CHECK(!t.msh9.empty());
  }
  CHECK(folders.size() == 26);
  const DataType* lab = find_data_type("OML-11");
  REQUIRE(lab != nullptr);
  CHECK(lab->msh9 == std::vector<std::string_view>{"OUL^R22"});
  CHECK(lab->care_date_field == "SPM-17");
  CHECK(lab->description_ja == "検体検査結果通知");
  for (auto undated : {"ADT-00", "ADT-01", "ADT-61", "PPR-01"}) CHECK(find_data_type(undated)->care_date_field.empty());
  CHECK(find_data_type("OMP-11")->care_date_field == "RXA-3");
  CHECK(find_data_type("OMG-13")->msh9 == std::vector<std::string_view>{"ORU^R01"});
  CHECK(find_data_type("ADT-22")->msh9 == std::vector<std::string_view>{"ADT^A01", "ADT^A11"});
  CHECK(find_data_type("OML-12") == nullptr);
  CHECK(find_data_type("") == nullptr);
}

TEST_CASE("ssmix2: diagnostic codes are unique and well formed") {
  std::set<std::string_view> seen;
  for (const auto& c : diagnostic_codes()) {
    CHECK(seen.insert(c.code).second);
    CHECK(c.code.substr(0, 5) == "SSMX-");
    CHECK(!c.summary.empty());
  }
}

TEST_CASE("ssmix2: a guideline file name parses into its seven fields") {
  std::vector<NameProblem> problems;
  auto name = parse_file_name(kGood, problems);
  REQUIRE(name);
  CHECK(problems.empty());
  CHECK(name->patient == "9999013");
  CHECK(name->date == "20111220");
  CHECK(name->type == "OML-11");
  CHECK(name->order == "000000011000354");
  CHECK(name->timestamp == "20111220103059000");
  CHECK(name->dept == "01");
  CHECK(name->flag == 1);
  CHECK(format_file_name(*name) == kGood);

  problems.clear();
  auto undated = parse_file_name("9999013_-_ADT-00_999999999999999_20111220224447339_-_1", problems);
  REQUIRE(undated);
  CHECK(problems.empty());
  CHECK(undated->date == "-");
  CHECK(undated->dept == "-");
}

TEST_CASE("ssmix2: names parse from both ends when '_' is inside a field") {
  std::vector<NameProblem> problems;
  auto in_patient = parse_file_name("AB_12345_20111220_OML-11_000000011000354_20111220103059000_01_1", problems);
  REQUIRE(in_patient);
  CHECK(in_patient->patient == "AB_12345");
  CHECK(in_patient->date == "20111220");
  CHECK(in_patient->type == "OML-11");
  CHECK(in_patient->order == "000000011000354");
  CHECK(has_code(problems, "SSMX-NAME-EXTRA-FIELDS"));

  problems.clear();
  auto in_order = parse_file_name("9999013_20111220_OML-11_0000000_11000354_20111220103059000_01_2", problems);
  REQUIRE(in_order);
  CHECK(in_order->patient == "9999013");
  CHECK(in_order->order == "0000000_11000354");
  CHECK(in_order->timestamp == "20111220103059000");
  CHECK(in_order->flag == 2);
  CHECK(has_code(problems, "SSMX-NAME-EXTRA-FIELDS"));
}

// Every naming code with a name that passes and one that fails (reference §3, §3 deviations).
TEST_CASE("ssmix2: every name problem code, passing and failing") {
  struct Case {
    const char* code;
    const char* good;
    const char* bad;
  };
  const std::string g = kGood;
  const Case cases[] = {
      {"SSMX-NAME-FIELDS", kGood.c_str(), "9999013_20111220_OML-11_000000011000354_20111220103059000_1"},
      {"SSMX-NAME-EXTRA-FIELDS", kGood.c_str(), "99_99013_20111220_OML-11_000000011000354_20111220103059000_01_1"},
      {"SSMX-NAME-SPACE", kGood.c_str(), "000035526_-_OML-11_999999999999999_ 20140111135649314_-_1"},
      {"SSMX-NAME-EXTENSION", kGood.c_str(), "9999013_20111220_OML-11_000000011000354_20111220103059000_01_1.hl7"},
      {"SSMX-NAME-DATE", "9999013_20120229_OML-11_000000011000354_20111220103059000_01_1",
       "9999013_20110229_OML-11_000000011000354_20111220103059000_01_1"},
      {"SSMX-NAME-DATE-TYPE", "9999013_-_ADT-00_999999999999999_20111220224447339_-_1",
       "9999013_-_OML-11_000000011000354_20111220103059000_01_1"},
      {"SSMX-NAME-TYPE-UNKNOWN", "9999013_20111013_OMD_123456789012345_20111014232213000_01_1",
       "9999013_20111220_OML-12_000000011000354_20111220103059000_01_1"},
      {"SSMX-NAME-ORDER-WIDTH", kGood.c_str(), "9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1"},
      {"SSMX-NAME-ORDER", kGood.c_str(), "9999013_20111220_OML-11_00000001100035A_20111220103059000_01_1"},
      {"SSMX-NAME-TIMESTAMP-WIDTH", kGood.c_str(), "0123456789_20080203_OML-11_081251234567800_200802031630123_01_1"},
      {"SSMX-NAME-TIMESTAMP", kGood.c_str(), "9999013_20111220_OML-11_000000011000354_20111320103059000_01_1"},
      {"SSMX-NAME-DEPT", "9999013_20111220_OML-11_000000011000354_20111220103059000_7A_1",
       "9999013_20111220_OML-11_000000011000354_20111220103059000_0101_1"},
      {"SSMX-NAME-FLAG", "9999013_20111220_OML-11_000000011000354_20111220103059000_01_0",
       "9999013_20111220_OML-11_000000011000354_20111220103059000_01_3"},
      {"SSMX-PATIENT-SHORT", "999901_20111220_OML-11_000000011000354_20111220103059000_01_1",
       "99_20160401_OML-11_000000011000354_20111220103059000_01_1"},
      {"SSMX-PATIENT-LONG", "123456789012345_20111220_OML-11_000000011000354_20111220103059000_01_1",
       "1234567890123456_20111220_OML-11_000000011000354_20111220103059000_01_1"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.code);
    std::vector<NameProblem> good, bad;
    CAPTURE(c.good);
    parse_file_name(c.good, good);
    CHECK(!has_code(good, c.code));
    CAPTURE(c.bad);
    parse_file_name(c.bad, bad);
    CHECK(has_code(bad, c.code));
  }
}

TEST_CASE("ssmix2: name problems carry their severity and never patient IDs") {
  std::vector<NameProblem> problems;
  CHECK(!parse_file_name("README", problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].code == "SSMX-NAME-FIELDS");
  CHECK(problems[0].severity == Severity::error);

  problems.clear();
  auto name = parse_file_name("99_20160401_OML-11_2011122000300_201112201030590_0101_x.hl7", problems);
  REQUIRE(name);
  CHECK(name->flag == -1);
  for (const auto& p : problems) {
    CAPTURE(p.code);
    CHECK(p.severity == Severity::warning);
  }
  CHECK(codes_of(problems) == std::vector<std::string>{"SSMX-NAME-EXTENSION", "SSMX-PATIENT-SHORT",
                                                       "SSMX-NAME-ORDER-WIDTH", "SSMX-NAME-TIMESTAMP-WIDTH",
                                                       "SSMX-NAME-DEPT", "SSMX-NAME-FLAG"});
  problems.clear();
  parse_file_name("ABCDEFGHIJKLMNOPQ_20160401_OML-11_000000011000354_20111220103059000_01_1", problems);
  for (const auto& p : problems) CHECK(p.text.find("ABCDEFGHIJKLMNOPQ") == std::string::npos);
}

TEST_CASE("ssmix2: timestamps must be possible dates and times") {
  for (const char* ts : {"20111220246059000", "20111220236059000", "20111220235960000", "20110431000000000"}) {
    std::vector<NameProblem> problems;
    parse_file_name(std::string("9999013_20111220_OML-11_000000011000354_") + ts + "_01_1", problems);
    CAPTURE(ts);
    CHECK(has_code(problems, "SSMX-NAME-TIMESTAMP"));
  }
  std::vector<NameProblem> problems;
  parse_file_name("9999013_20111220_OML-11_000000011000354_20000229235959999_01_1", problems);
  CHECK(problems.empty());
  problems.clear();
  parse_file_name("9999013_20111220_OML-11_000000011000354_20111220103059_01_1", problems);  // 14 digits
  CHECK(codes_of(problems) == std::vector<std::string>{"SSMX-NAME-TIMESTAMP-WIDTH"});
}

TEST_CASE("ssmix2: describe checks the five folder levels (reference §2)") {
  const std::string root = "/data/ssmix2";
  Entry good = describe(root, "999/901/9999013/20111220/OML-11/" + kGood);
  CHECK(good.path == root + "/999/901/9999013/20111220/OML-11/" + kGood);
  CHECK(good.relative == "999/901/9999013/20111220/OML-11/" + kGood);
  CHECK(!good.extended);
  REQUIRE(good.name);
  CHECK(good.problems.empty());

  Entry misplaced = describe(root, "000/000/0000001/20000401/ADT-31/" + kGood);
  CHECK(codes_of(misplaced.problems) ==
        std::vector<std::string>{"SSMX-PATH-PATIENT", "SSMX-PATH-DATE", "SSMX-PATH-TYPE"});
  for (const auto& p : misplaced.problems) CHECK(p.severity == Severity::error);

  Entry wrong_prefix = describe(root, "999/902/9999013/20111220/OML-11/" + kGood);
  CHECK(codes_of(wrong_prefix.problems) == std::vector<std::string>{"SSMX-PATH-PATIENT"});

  Entry too_deep = describe(root, "x/999/901/9999013/20111220/OML-11/" + kGood);
  CHECK(has_code(too_deep.problems, "SSMX-PATH-DEPTH"));

  Entry too_shallow = describe(root, "9999013/20111220/OML-11/" + kGood);
  CHECK(codes_of(too_shallow.problems) == std::vector<std::string>{"SSMX-PATH-DEPTH"});

  Entry loose = describe(root, "README");
  CHECK(has_code(loose.problems, "SSMX-NAME-FIELDS"));
  CHECK(has_code(loose.problems, "SSMX-PATH-DEPTH"));
  CHECK(!loose.name);
}

TEST_CASE("ssmix2: a root below the tree top borrows the upper levels from its own path") {
  Entry patient_root = describe("/data/ssmix2/999/901/9999013", "20111220/OML-11/" + kGood);
  CHECK(patient_root.problems.empty());
  Entry type_root = describe("/data/ssmix2/999/901/9999013/20111220/OML-11", kGood);
  CHECK(type_root.problems.empty());
  Entry wrong_date = describe("/data/ssmix2/999/901/9999013/20111221/OML-11", kGood);
  CHECK(codes_of(wrong_date.problems) == std::vector<std::string>{"SSMX-PATH-DATE"});
}

TEST_CASE("ssmix2: short patient IDs tolerate whatever prefix folders exist") {
  const std::string name = "99_20160401_OML-11_000000011000354_20160401103059000_01_1";
  for (const char* relative : {"99/99/20160401/OML-11/", "99/-/99/20160401/OML-11/", "99/20160401/OML-11/"}) {
    Entry e = describe("/data/ssmix2", std::string(relative) + name);
    CAPTURE(relative);
    CHECK(codes_of(e.problems) == std::vector<std::string>{"SSMX-PATIENT-SHORT"});
  }
}

TEST_CASE("ssmix2: extended storage takes the name from the content folder (reference §7)") {
  const std::string kind = "L-OBSERVATIONS^OBSERVATIONS^99ZL01";
  const std::string content = "0123456789_20160101_L-OBSERVATIONS_000000000000001_20160101150032100_01_1";
  Entry e = describe("/ext", "012/345/0123456789/20160101/" + kind + "/" + content + "/main_document.hl7");
  CHECK(e.extended);
  CHECK(e.data_kind == kind);
  REQUIRE(e.name);
  CHECK(e.name->type == "L-OBSERVATIONS");
  CHECK(e.name->flag == 1);
  CHECK(e.problems.empty());

  // NHO's vital samples: 6 fields (no department), 15-digit timestamp.
  Entry nho = describe("/ext", "012/345/0123456789/20160101/" + kind +
                                   "/0123456789_20160101_L-OBSERVATIONS_000000000000001_201601011500321_1/x.hl7");
  REQUIRE(nho.name);
  CHECK(nho.name->dept == "-");
  CHECK(codes_of(nho.problems) == std::vector<std::string>{"SSMX-NAME-NO-DEPT", "SSMX-NAME-TIMESTAMP-WIDTH"});

  // Specific keys with dots are fine up to 22 characters (SEAMAT).
  Entry seamat = describe("/ext", "012/345/0123456789/20160101/LJCS-100D^ECG^^11524-6^ECG^LN/"
                                  "0123456789_20160101_LJCS-100D_20160101.0001.12345678_20160101150032100_01_1/a.xml");
  CHECK(seamat.problems.empty());
  Entry long_key = describe("/ext", "012/345/0123456789/20160101/LJCS-100D^ECG^^11524-6^ECG^LN/"
                                    "0123456789_20160101_LJCS-100D_20160101.0001.12345678.99_20160101150032100_01_1/a.xml");
  CHECK(codes_of(long_key.problems) == std::vector<std::string>{"SSMX-NAME-KEY-WIDTH"});

  Entry misplaced = describe("/ext", "012/345/0123456789/20160102/" + kind + "/" + content + "/a.xml");
  CHECK(codes_of(misplaced.problems) == std::vector<std::string>{"SSMX-PATH-DATE"});
  Entry no_content = describe("/ext", "012/345/0123456789/20160101/" + kind + "/a.xml");
  CHECK(has_code(no_content.problems, "SSMX-PATH-DEPTH"));
}

TEST_CASE("ssmix2: walking the DTT sample tree") {
  CollectingSink sink;
  auto entries = walk_all({dtt()}, WalkOptions{}, sink);
  REQUIRE(entries.size() == 22);
  CHECK(std::is_sorted(entries.begin(), entries.end(),
                       [](const Entry& a, const Entry& b) { return a.relative < b.relative; }));
  CHECK(entries[0].relative ==
        "000/000/0000001/20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1");
  CHECK(entries[3].relative == "999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1");
  std::map<std::string, std::vector<std::string>> problems;
  for (const auto& e : entries) {
    CHECK(e.path == dtt() + "/" + e.relative);
    CHECK(e.name);
    if (!e.problems.empty()) problems[e.relative] = codes_of(e.problems);
  }
  CHECK(problems.size() == 2);
  CHECK(problems[entries[0].relative] ==
        std::vector<std::string>{"SSMX-PATH-PATIENT", "SSMX-PATH-DATE", "SSMX-PATH-TYPE"});
  CHECK(problems["999/901/9999013/20111220/OMG-11/9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1"] ==
        std::vector<std::string>{"SSMX-NAME-ORDER-WIDTH"});
  // Diagnostics mirror the problems: 3 errors for the misplaced file, 1 warning.
  REQUIRE(sink.items.size() == 4);
  CHECK(std::count_if(sink.items.begin(), sink.items.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::error; }) == 3);
  CHECK(sink.items[0].where.path == entries[0].path);
  CHECK(sink.items[0].where.message == 0);
}

TEST_CASE("ssmix2: lenient names (readers): not-a-name and off-depth are silent, the rest warnings") {
  TempDir tmp;
  tmp.file("notes.txt");                                           // SSMX-NAME-FIELDS, SSMX-PATH-DEPTH
  tmp.file("999/901/9999013/20111221/OML-11/" + kGood);            // SSMX-PATH-DATE (an error)
  tmp.file("999/901/9999013/20111220/OML-11/" + kGood + ".hl7");  // SSMX-NAME-EXTENSION (a warning)
  WalkOptions options;
  CollectingSink strict;
  auto entries = walk_all({tmp.path.string()}, options, strict);
  CHECK(strict.has("SSMX-NAME-FIELDS"));
  CHECK(strict.has("SSMX-PATH-DEPTH"));
  options.lenient_names = true;
  CollectingSink lenient;
  CHECK(walk_all({tmp.path.string()}, options, lenient).size() == entries.size());  // every file visited
  CHECK_FALSE(lenient.has("SSMX-NAME-FIELDS"));
  CHECK_FALSE(lenient.has("SSMX-PATH-DEPTH"));
  REQUIRE(lenient.has("SSMX-PATH-DATE"));
  REQUIRE(lenient.has("SSMX-NAME-EXTENSION"));
  for (const Diagnostic& d : lenient.items) CHECK(d.severity == Severity::warning);
  CHECK(lenient.items.size() + 2 <= strict.items.size());
}

TEST_CASE("ssmix2: filters") {
  CollectingSink sink;
  WalkOptions options;
  auto count = [&](const WalkOptions& o) { return walk_all({dtt()}, o, sink).size(); };

  options.types = {"OML-11", "OMD"};
  CHECK(count(options) == 2);
  options = {};
  options.types = {"OMP-11"};
  CHECK(count(options) == 4);  // three in place, one misplaced under ADT-31 (its name says OMP-11)

  options = {};
  options.patients = {"0000001"};
  CHECK(count(options) == 2);

  options = {};
  options.from = "20111220";
  CHECK(count(options) == 10);
  options.to = "20111220";
  CHECK(count(options) == 10);
  options.from = "20110101";
  options.to = "20111231";
  CHECK(count(options) == 17);  // not the two 2000 fixtures nor the 3 files in '-' folders

  options = {};
  options.flags = {0};
  CHECK(count(options) == 1);
  options.flags = {1, 2};
  CHECK(count(options) == 21);

  options = {};
  options.since = std::int64_t{0};
  CHECK(count(options) == 22);
  options.since = std::int64_t{4102444800};  // 2100-01-01
  CHECK(count(options) == 0);

  options = {};
  options.stat_files = true;
  auto sized = walk_all({dtt()}, options, sink);
  CHECK(sized[3].size == 1214);
  CHECK(sized[3].mtime > 0);
}

TEST_CASE("ssmix2: shards are stable and cover every patient exactly once") {
  CHECK(shard_of("9999013", 1) == 1);
  CHECK(shard_of("9999013", 7) == shard_of("9999013", 7));
  // FNV-1a 64 of "" is the offset basis 14695981039346656037.
  CHECK(shard_of("", 10) == static_cast<int>(14695981039346656037ULL % 10) + 1);
  std::map<int, int> sizes;
  for (int i = 0; i < 1000; ++i) {
    std::string patient = std::to_string(1000000 + i);
    int s = shard_of(patient, 4);
    CHECK(s >= 1);
    CHECK(s <= 4);
    ++sizes[s];
  }
  CHECK(sizes.size() == 4);
  for (auto [shard, size] : sizes) CHECK(size > 150);

  // Over the DTT tree: the shards partition the files.
  CollectingSink sink;
  std::multiset<std::string> seen;
  for (int i = 1; i <= 3; ++i) {
    WalkOptions options;
    options.shard_index = i;
    options.shard_count = 3;
    for (const auto& e : walk_all({dtt()}, options, sink)) seen.insert(e.relative);
  }
  CHECK(seen.size() == 22);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 22);
}

TEST_CASE("ssmix2: parse_shard and parse_since") {
  CHECK(parse_shard("1/1") == std::pair{1, 1});
  CHECK(parse_shard("3/8") == std::pair{3, 8});
  for (const char* bad : {"0/4", "5/4", "1/0", "1", "a/b", "1/4x", "", "/4", "-1/4"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_shard(bad), usage_error);
  }
  CHECK(parse_since("@0") == 0);
  CHECK(parse_since("@1700000000") == 1700000000);
  std::tm tm{};
  tm.tm_year = 2026 - 1900;
  tm.tm_mon = 10;
  tm.tm_mday = 23;
  tm.tm_isdst = -1;
  const auto midnight = static_cast<std::int64_t>(std::mktime(&tm));
  CHECK(parse_since("2026-11-23") == midnight);
  CHECK(parse_since("20261123") == midnight);
  CHECK(parse_since("2026-11-23T01:02") == midnight + 3720);
  CHECK(parse_since("2026-11-23T01:02:03") == midnight + 3723);
  CHECK(parse_since("2026-11-23 01:02:03") == midnight + 3723);
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-02-30", "20261131", "2026-11-23T25:00",
                          "2026-11-23T", "2026-11-23T1:2", "@", "@12x", "2026/11/23"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_since(bad), usage_error);
  }
}

TEST_CASE("ssmix2: walk reports links and goes on") {
  TempDir tmp;
  const std::string file = "999/901/9999013/20111220/OML-11/" + kGood;
  tmp.file(file);
  fs::create_directory_symlink("..", tmp.path / "999/901/loop");                 // to an ancestor
  fs::create_directory_symlink(tmp.path.parent_path(), tmp.path / "999/leaves");  // leaves the root
  fs::create_symlink("nowhere", tmp.path / "999/dangling");
  fs::create_directory_symlink("901/9999013", tmp.path / "999/inside");         // stays inside
  ::mkfifo((tmp.path / "999/fifo").c_str(), 0600);

  CollectingSink sink;
  auto entries = walk_all({tmp.path.string()}, WalkOptions{}, sink);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].relative == file);
  CHECK(entries[0].problems.empty());
  CHECK(sink.has("SSMX-WALK-LOOP"));
  CHECK(sink.has("SSMX-WALK-OUTSIDE"));
  CHECK(sink.has("SSMX-WALK-DANGLING"));
  CHECK(sink.has("SSMX-WALK-SYMLINK"));
  CHECK(sink.has("SSMX-WALK-SPECIAL"));
  for (const auto& d : sink.items) CHECK(d.severity != Severity::error);

  // Following links: only the one staying inside the root is walked; its files are shallow.
  CollectingSink followed;
  WalkOptions options;
  options.follow_symlinks = true;
  entries = walk_all({tmp.path.string()}, options, followed);
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].relative == "999/inside/20111220/OML-11/" + kGood);
  CHECK(has_code(entries[1].problems, "SSMX-PATH-DEPTH"));
  CHECK(followed.has("SSMX-WALK-LOOP"));
  CHECK(followed.has("SSMX-WALK-OUTSIDE"));
  CHECK(!followed.has("SSMX-WALK-SYMLINK"));
}

TEST_CASE("ssmix2: a root that is a file is visited as itself; a missing root throws") {
  CollectingSink sink;
  const std::string path = dtt() + "/999/901/9999013/20111220/OML-11/" + kGood;
  auto entries = walk_all({path}, WalkOptions{}, sink);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].path == path);
  REQUIRE(entries[0].name);
  CHECK(entries[0].name->type == "OML-11");
  CHECK(entries[0].problems.empty());
  CHECK(sink.items.empty());

  const std::string misplaced =
      dtt() + "/000/000/0000001/20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1";
  entries = walk_all({misplaced}, WalkOptions{}, sink);
  REQUIRE(entries.size() == 1);
  CHECK(has_code(entries[0].problems, "SSMX-PATH-TYPE"));

  int visited = 0;
  CHECK_THROWS_AS(walk({dtt(), dtt() + "/no-such-root"}, WalkOptions{}, sink, [&](const Entry&) { ++visited; }),
                  io_error);
  CHECK(visited == 0);  // nothing is visited when a root is missing
}

TEST_CASE("ssmix2: an unreadable directory is reported and the walk goes on") {
  // Running as root, permissions do not stop opendir(); then there is nothing to test here.
  if (::geteuid() == 0) return;
  TempDir tmp;
  tmp.file("999/901/9999013/20111220/OML-11/" + kGood);
  tmp.file("000/000/0000001/20000401/OMP-11/0000001_20000401_OMP-11_123456789012345_20110701113813225_01_1");
  fs::permissions(tmp.path / "000/000", fs::perms::none);
  CollectingSink sink;
  auto entries = walk_all({tmp.path.string()}, WalkOptions{}, sink);
  fs::permissions(tmp.path / "000/000", fs::perms::owner_all);
  CHECK(entries.size() == 1);
  CHECK(sink.has("SSMX-WALK-UNREADABLE"));
}

TEST_CASE("ssmix2: entries vanishing during the walk are warnings") {
  TempDir tmp;
  const std::string dir = "999/901/9999013/20111220/OML-11/";
  const std::string first = dir + kGood;
  const std::string second = dir + "9999013_20111220_OML-11_000000011000354_20111220103059001_01_1";
  tmp.file(first);
  tmp.file(second);
  tmp.file("999/901/9999014/20111220/OML-11/9999014_20111220_OML-11_000000011000354_20111220103059000_01_1");
  CollectingSink sink;
  WalkOptions options;
  options.stat_files = true;  // a file is only noticed missing when it is stat()ed
  std::vector<std::string> seen;
  walk({tmp.path.string()}, options, sink, [&](const Entry& e) {
    seen.push_back(e.relative);
    if (e.relative == first) {
      fs::remove(tmp.path / second);
      fs::remove_all(tmp.path / "999/901/9999014");
    }
  });
  CHECK(seen == std::vector<std::string>{first});
  REQUIRE(sink.items.size() == 2);
  for (const auto& d : sink.items) {
    CHECK(d.code == "SSMX-WALK-VANISHED");
    CHECK(d.severity == Severity::warning);
  }
}

TEST_CASE("mask_path: the patient levels, the care date and the name's patient, date and timestamp go") {
  CHECK(mask_path("root/999/901/9999013/20111220/OMG-11/9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1") ==
        "root/*/*/*/*/OMG-11/*_*_OMG-11_2011122000300_*_24_1");
  // The "-" folder of patient-level data stays; so does a name's "-" date.
  CHECK(mask_path("H01/999/901/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1") ==
        "H01/*/*/*/-/ADT-00/*_-_ADT-00_999999999999999_*_-_1");
  // A name whose patient differs from its folder's is masked too.
  CHECK(mask_path("r/000/000/0000001/20000401/ADT-31/9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1") ==
        "r/*/*/*/*/ADT-31/*_*_OMP-11_123456789012345_*_01_1");
  // A name of another shape inside the tree still hides its patient and dates.
  CHECK(mask_path("t/123/456/1234567/20240101/OML-11/1234567_20240101_OML-11_x") == "t/*/*/*/*/OML-11/*_*_OML-11_x");
  // A folder below the patient level without a file.
  CHECK(mask_path("root/999/901/9999013/20111220") == "root/*/*/*/*");
  // A lone SS-MIX2 name, and paths that are not SS-MIX2, stay readable.
  CHECK(mask_path("9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1") == "*_*_OMG-11_2011122000300_*_24_1");
  CHECK(mask_path("data/a_b_c_d_e_f_g.hl7") == "data/a_b_c_d_e_f_g.hl7");
  CHECK(mask_path("lab/oul_r22.hl7") == "lab/oul_r22.hl7");
  CHECK(mask_path("") == "");
}
