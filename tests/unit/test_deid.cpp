// lib/deid: keys, sub-keys and pseudonyms, the date shift, the HL7 v2.5 type table, the profile
// loader. Applying profiles to messages: test_deid_apply.cpp.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "smx/deid.hpp"

namespace fs = std::filesystem;
using namespace smx;
using namespace smx::deid;

namespace {

const fs::path source_dir = SMX_SOURCE_DIR;

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("smx_test_deid_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path p = dir / name;
  fs::remove(p);
  return p;
}

Key key_of(char fill) { return Key::from_bytes(std::string(kKeyBytes, fill)); }

std::string message_of(const std::exception& e) { return e.what(); }

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return message_of(e);
  }
  return "(no error)";
}

// Seconds since the epoch of an HL7 DTM with at least minutes, reading hours 24-47 as the next
// day (the test's own reading, independent of the code under test).
long long seconds_of(const std::string& v) {
  using namespace std::chrono;
  const year_month_day date{year{std::stoi(v.substr(0, 4))}, month{static_cast<unsigned>(std::stoi(v.substr(4, 2)))},
                            day{static_cast<unsigned>(std::stoi(v.substr(6, 2)))}};
  long long s = sys_seconds{sys_days{date}}.time_since_epoch().count();
  s += std::stoll(v.substr(8, 2)) * 3600 + std::stoll(v.substr(10, 2)) * 60;
  if (v.size() >= 14) s += std::stoll(v.substr(12, 2));
  return s;
}

const TypeTable& shipped_types() {
  static const TypeTable types = TypeTable::load(types_path(source_dir));
  return types;
}

}  // namespace

TEST_SUITE("deid") {

TEST_CASE("new_key writes 32 random bytes with mode 0600 and never overwrites") {
  const fs::path path = scratch("key");
  new_key(path);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(fs::file_size(path) == kKeyBytes);
  KeyFileInfo info;
  const Key key = load_key(path, &info);
  CHECK_FALSE(info.readable_by_others);
  const std::string second = error_of([&] { new_key(path); });
  CHECK(second.find("[DEID-KEY-EXISTS]") != std::string::npos);
  CHECK(load_key(path).fingerprint() == key.fingerprint());  // the file was not touched
  const fs::path other = scratch("key2");
  new_key(other);
  CHECK(load_key(other).fingerprint() != key.fingerprint());  // random: two keys differ
  ::chmod(path.c_str(), 0644);
  load_key(path, &info);
  CHECK(info.readable_by_others);
}

TEST_CASE("load_key refuses missing files and files of the wrong size, naming the code") {
  CHECK(error_of([] { load_key(scratch("none")); }).find("[DEID-KEY-MISSING]") != std::string::npos);
  const fs::path short_key = scratch("short");
  std::ofstream(short_key) << "0123456789";
  CHECK(error_of([&] { load_key(short_key); }).find("[DEID-KEY-SIZE]") != std::string::npos);
  const fs::path long_key = scratch("long");
  std::ofstream(long_key) << std::string(33, 'k');
  CHECK(error_of([&] { load_key(long_key); }).find("[DEID-KEY-SIZE]") != std::string::npos);
  const fs::path directory = scratch("a-directory");
  fs::create_directories(directory);
  CHECK(error_of([&] { load_key(directory); }).find("[DEID-KEY-UNREADABLE]") != std::string::npos);
}

TEST_CASE("the fingerprint names the key without revealing it") {
  const Key key = key_of('\x5a');
  const std::string fp = key.fingerprint();
  CHECK(fp.size() == 16);
  CHECK(fp.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(fp == key_of('\x5a').fingerprint());
  CHECK(fp != key_of('\x5b').fingerprint());
  CHECK(hex(key.bytes().data(), key.bytes().size()).find(fp) == std::string::npos);
}

TEST_CASE("HMAC-SHA256 and HKDF-SHA256 match their RFC test vectors") {
  // RFC 4231 test case 2 (key "Jefe"): HMAC pads a short key with zeros, so "Jefe" and "Jefe"
  // followed by 28 zero bytes are the same key.
  Digest jefe{};
  std::copy_n("Jefe", 4, jefe.begin());
  const Digest mac = hmac_sha256(jefe, "what do ya want for nothing?");
  CHECK(hex(mac.data(), mac.size()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // RFC 5869 test case 1: the first 32 bytes of OKM.
  const std::string ikm(22, '\x0b');
  std::string salt, info;
  for (int i = 0; i <= 0x0c; ++i) salt += static_cast<char>(i);
  for (int i = 0xf0; i <= 0xf9; ++i) info += static_cast<char>(i);
  const Digest okm = hkdf_sha256(ikm, salt, info);
  CHECK(hex(okm.data(), okm.size()) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
}

TEST_CASE("sub-keys depend on the key, the release and the use") {
  const Keyring a(key_of('a'), "release-1");
  CHECK(a.subkey("pseudonym:patient") == Keyring(key_of('a'), "release-1").subkey("pseudonym:patient"));
  CHECK(a.subkey("pseudonym:patient") != a.subkey("pseudonym:order"));
  CHECK(a.subkey("pseudonym:patient") != Keyring(key_of('a'), "release-2").subkey("pseudonym:patient"));
  CHECK(a.subkey("pseudonym:patient") != Keyring(key_of('b'), "release-1").subkey("pseudonym:patient"));
  CHECK(a.fingerprint() == key_of('a').fingerprint());
}

TEST_CASE("pseudonym shapes: digits from the first 128 bits, hex from the MAC") {
  Digest mac{};
  mac[15] = 1;
  CHECK(format_pseudonym(mac, parse_pseudonym_shape("digits:16")) == "0000000000000001");
  for (int i = 0; i < 16; ++i) mac[static_cast<std::size_t>(i)] = 0xFF;
  // 2^128 - 1 = 340282366920938463463374607431768211455; its last 16 digits:
  CHECK(format_pseudonym(mac, parse_pseudonym_shape("digits:16")) == "4607431768211455");
  CHECK(format_pseudonym(mac, parse_pseudonym_shape("digits:38")) == "40282366920938463463374607431768211455");
  CHECK(format_pseudonym(mac, parse_pseudonym_shape("hex:8")) == "ffffffff");
  CHECK(error_of([] { parse_pseudonym_shape("digits:5"); }).find("at least 6") != std::string::npos);
  CHECK(error_of([] { parse_pseudonym_shape("digits:39"); }) != "(no error)");
  CHECK(error_of([] { parse_pseudonym_shape("base32:16"); }) != "(no error)");
  CHECK(error_of([] { parse_pseudonym_shape("digits:x"); }) != "(no error)");
}

TEST_CASE("the collision detector finds two values with one pseudonym") {
  CollisionDetector detector;
  Pseudonym p1{"123456", {}};
  Pseudonym p2{"123456", {}};
  p2.mac[0] = 1;
  CHECK_FALSE(detector.observe("patient", p1));
  CHECK_FALSE(detector.observe("patient", p1));  // the same value again is no collision
  CHECK(detector.observe("patient", p2));
  CHECK_FALSE(detector.observe("order", p2));    // purposes are separate spaces
  CHECK(detector.collisions() == 1);
  CHECK(detector.distinct() == 2);

  // Real pseudonyms in a space too small for them: 3000 values into 10^6 six-digit codes give
  // about n^2/2N = 4.5 collisions; the detector counts exactly the pairs a set sees.
  const Keyring keyring(key_of('c'));
  const Digest subkey = keyring.subkey("pseudonym:patient");
  const PseudonymShape shape = parse_pseudonym_shape("digits:6");
  CollisionDetector small;
  std::set<std::string> texts;
  for (int i = 0; i < 3000; ++i) {
    Pseudonym p;
    p.mac = hmac_sha256(subkey, "P" + std::to_string(i));
    p.text = format_pseudonym(p.mac, shape);
    small.observe("patient", p);
    texts.insert(p.text);
  }
  CHECK(small.collisions() == 3000 - texts.size());
  CHECK(small.collisions() > 0);
}

TEST_CASE("shift ranges: parsing, and 0 only when asked") {
  const ShiftRange def = parse_shift_range("-180:180");
  CHECK(def.min_days == -180);
  CHECK(def.max_days == 180);
  CHECK_FALSE(def.allow_zero);
  std::set<int> seen;
  for (std::uint64_t bits = 0; bits < 720; ++bits) seen.insert(shift_from_bits(bits, def));
  CHECK(seen.size() == 360);
  CHECK(seen.count(0) == 0);
  CHECK(*seen.begin() == -180);
  CHECK(*seen.rbegin() == 180);
  std::set<int> positive;
  for (std::uint64_t bits = 0; bits < 100; ++bits) positive.insert(shift_from_bits(bits, parse_shift_range("0:10")));
  CHECK(positive == std::set<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  ShiftRange with_zero = parse_shift_range("-1:1");
  with_zero.allow_zero = true;
  std::set<int> all;
  for (std::uint64_t bits = 0; bits < 30; ++bits) all.insert(shift_from_bits(bits, with_zero));
  CHECK(all == std::set<int>{-1, 0, 1});
  CHECK(shift_from_bits(12345, parse_shift_range("0:0")) == 0);
  for (const char* bad : {"5:1", "a:b", "10", "-40000:0", ":", "1:2:3"})
    CHECK_MESSAGE(error_of([&] { parse_shift_range(bad); }) != "(no error)", bad);
}

TEST_CASE("shift_date_time moves only the date digits and keeps the precision as sent") {
  CHECK(shift_date_time("20230514", 1) == "20230515");
  CHECK(shift_date_time("20230131", 1) == "20230201");
  CHECK(shift_date_time("20240228", 1) == "20240229");
  CHECK(shift_date_time("20230228", 1) == "20230301");
  CHECK(shift_date_time("20230101", -1) == "20221231");
  CHECK(shift_date_time("20230514103012.1234+0900", 10) == "20230524103012.1234+0900");
  CHECK(shift_date_time("2023051410", -180) == "2022111510");
  CHECK(shift_date_time("202306132430", 1) == "202306142430");  // hour 24 kept as written
  CHECK(shift_date_time("20230613473000", -2) == "20230611473000");
  // Partial dates: the period's middle day moves (16 Jan, 2 Jul).
  CHECK(shift_date_time("202301", 20) == "202302");
  CHECK(shift_date_time("202301", 15) == "202301");
  CHECK(shift_date_time("202301", -16) == "202212");
  CHECK(shift_date_time("2023", 182) == "2023");
  CHECK(shift_date_time("2023", 183) == "2024");
  CHECK(shift_date_time("2023", -182) == "2023");
  CHECK(shift_date_time("2023", -183) == "2022");
  for (const char* bad : {"20230230", "2023013", "abc", "", "202301011200.5", "20230101+09", "20231301",
                          "20230101120000.12345", "2023-01-01", "20230100"})
    CHECK_MESSAGE(!shift_date_time(bad, 3), bad);
}

TEST_CASE("intervals between a patient's events are the same after the shift, hours 24-47 included") {
  const std::vector<std::string> events = {"202001010000",   "20200229235959", "202003010130",   "202012312430",
                                           "20210101004500", "202106300900",   "20210701472959", "19991231235959",
                                           "20000229120000", "20231015083000"};
  for (int shift : {-180, -179, -31, -1, 1, 29, 60, 180, 366, -366}) {
    for (const std::string& a : events) {
      for (const std::string& b : events) {
        const auto sa = shift_date_time(a, shift), sb = shift_date_time(b, shift);
        REQUIRE(sa);
        REQUIRE(sb);
        CHECK(seconds_of(*sb) - seconds_of(*sa) == seconds_of(b) - seconds_of(a));
        CHECK(seconds_of(*sa) - seconds_of(a) == 86400LL * shift);
      }
    }
  }
}

TEST_CASE("SS-MIX2 folder dates and file-name timestamps move with the patient") {
  CHECK(shift_care_date("20111220", 3) == "20111223");
  CHECK(shift_care_date("-", 3) == "-");
  CHECK(!shift_care_date("2011122", 3));
  CHECK(!shift_care_date("20111320", 3));
  CHECK(shift_file_timestamp("20111220103059339", -30) == "20111120103059339");
  CHECK(shift_file_timestamp("200802031630123", 1) == "200802041630123");  // 15 digits, as seen
  CHECK(shift_file_timestamp("2011122010305933", 1) == "2011122110305933");
  CHECK(!shift_file_timestamp("201112201030", 1));
  CHECK(!shift_file_timestamp("2011122010305933x", 1));
}

TEST_CASE("age_at counts completed years; a partial birth date counts from its earliest day") {
  CHECK(age_at("19800512", "20230511") == 42);
  CHECK(age_at("19800512", "20230512") == 43);
  CHECK(age_at("1980", "20230101") == 43);
  CHECK(age_at("198005", "20230430") == 42);
  CHECK(!age_at("", "20230101"));
  CHECK(!age_at("19801312", "20230101"));
}

TEST_CASE("the shipped HL7 v2.5 type table: field types and where dates are") {
  const TypeTable& t = shipped_types();
  CHECK(t.name(t.field_type("PID", 7)) == "TS");
  CHECK(t.name(t.field_type("PID", 11)) == "XAD");
  CHECK(t.name(t.field_type("SPM", 17)) == "DR");
  CHECK(t.name(t.field_type("OBX", 5)) == "varies");
  CHECK(t.name(t.field_type("ORC", 9)) == "TS");
  CHECK(t.name(t.field_type("IN1", 3)) == "CX");
  CHECK(t.field_count("PID") == 39);
  CHECK(t.field_count("OBX") == 19);
  CHECK(t.field_count("PV1") == 52);
  CHECK(t.field_type("PID", 40) == TypeTable::kNone);
  CHECK(t.field_type("ZPD", 1) == TypeTable::kNone);
  for (const char* dated : {"TS", "DT", "DTM", "DR", "XCN", "XPN", "XAD", "CX", "TQ", "CCD", "NDL"})
    CHECK_MESSAGE(t.holds_date(t.find(dated)), dated);
  for (const char* undated : {"CE", "CWE", "CQ", "ST", "NM", "TM", "SN", "XTN", "EI", "HD"})
    CHECK_MESSAGE(!t.holds_date(t.find(undated)), undated);
}

TEST_CASE("the type table loader refuses faults with file:line:col") {
  const auto error = [](const std::string& yaml) { return error_of([&] { TypeTable::from_string(yaml, "t.yaml"); }); };
  const std::string head = "format: smx-hl7-types/1\nprimitives: [ST, DT, DTM, varies]\n";
  CHECK(error(head + "segments:\n  PID: [ST, XX]\ncomposites: {}\n") == "t.yaml:4:13: unknown data type 'XX'");
  CHECK(error(head + "segments: {}\ncomposites:\n  ST: [ST]\n").find("t.yaml:5:3: type 'ST' is declared twice") == 0);
  CHECK(error(head + "segments:\n  pid: [ST]\ncomposites: {}\n").find("t.yaml:4:3:") == 0);
  CHECK(error("format: smx-hl7-types/1\nprimitives: [ST]\nsegments: {}\ncomposites: {}\n").find("DT, DTM") != std::string::npos);
}

TEST_CASE("every built-in profile loads, extends the allow-list and cites its criteria") {
  const TypeTable& types = shipped_types();
  for (const char* name : {"ppc-anon", "ppc-pseudo", "jisedai-pseudo", "safe-harbor"}) {
    CAPTURE(name);
    const Profile p = load_profile(name, profiles_dir(source_dir), types);
    CHECK(p.name == name);
    CHECK(p.chain == std::vector<std::string>{name, "ssmix2-base"});
    CHECK(p.sha256.size() == 64);
    CHECK(p.segments.count("MSH") == 1);
    CHECK(p.segments.at("PID").fields.at(3).action == Action::pseudonymize);
    for (const auto& [segment, rule] : p.segments)
      for (const auto& [field, f] : rule.fields) CHECK(p.criteria.count(f.criterion) == 1);
    for (const auto& [key, citation] : p.criteria) CHECK_FALSE(citation.empty());
  }
  const Profile anon = load_profile("ppc-anon", profiles_dir(source_dir), types);
  CHECK(anon.criteria.at("linking").find("③") != std::string::npos);
  CHECK(anon.birth.precision == DatePrecision::month);
  CHECK(anon.birth.over_age == BirthPolicy::OverAge::drop);
  const Profile harbor = load_profile("safe-harbor", profiles_dir(source_dir), types);
  CHECK(harbor.dates == DatePolicy::shift_year);
  CHECK(harbor.birth.over_age == BirthPolicy::OverAge::cap);
  CHECK(load_profile("ppc-pseudo", profiles_dir(source_dir), types).birth.top_code_age == 0);
  CHECK(anon.sha256 != harbor.sha256);
  CHECK(anon.shape("order").length == 15);
  CHECK(anon.shape("order").strip_leading_zeros);
  CHECK(anon.shape("patient").length == 15);
  CHECK(error_of([&] { load_profile("no-such-profile", profiles_dir(source_dir), types); })
            .find("[DEID-PROFILE-MISSING]") == 0);
}

TEST_CASE("the profile loader refuses unknown segments, actions and impossible rules with file:line:col") {
  const TypeTable& types = shipped_types();
  const auto error = [&](const std::string& body) {
    const std::string yaml = "format: smx-deid-profile/1\nname: t\ncriteria: {c: \"why\"}\nunlisted: c\nsegments:\n"
                             "  MSH: {criterion: c, fields: {3: keep}}\n" + body;
    return error_of([&] { profile_from_string(yaml, "p.yaml", types, profiles_dir(source_dir)); });
  };
  CHECK(error("") == "(no error)");
  CHECK(error("  ZPD: {criterion: c, fields: {1: keep}}\n").find("p.yaml:7:3: unknown segment 'ZPD'") == 0);
  CHECK(error("  PID: {criterion: c, fields: {3: scramble}}\n").find("p.yaml:7:35: unknown action 'scramble'") == 0);
  CHECK(error("  PID: {criterion: c, fields: {40: keep}}\n").find("p.yaml:7:32: PID has fields 1 to 39") == 0);
  CHECK(error("  OBX: {criterion: c, fields: {3: shift}}\n").find("p.yaml:7:35: OBX-3 (CE): shift: the data type holds no date") == 0);
  CHECK(error("  OBX: {criterion: c, fields: {5: keep}}\n").find("needs value_types") != std::string::npos);
  CHECK(error("  PID: {criterion: nope, fields: {3: keep}}\n").find("p.yaml:7:20: unknown criterion 'nope'") == 0);
  CHECK(error("  PID: {fields: {3: keep}}\n").find("needs a criterion") != std::string::npos);
  CHECK(error("  PID: {criterion: c, fields: {3: {action: pseudonymize}}}\n").find("needs a purpose") != std::string::npos);
  CHECK(error("  PID: {criterion: c, fields: {5: {action: generalize, to: postal-3}}}\n").find("postal-3 applies to XAD") != std::string::npos);
  CHECK(error("  PID: {criterion: c, fields: {7: {action: generalize, to: decade}}}\n").find("unknown generalization 'decade'") != std::string::npos);
  CHECK(error("  PID: {criterion: c, fields: {3: {action: keep, components: [11]}}}\n").find("CX has components 1 to 10") != std::string::npos);
  CHECK(error("  PID: {criterion: c, fields: {3: keep}, colour: red}\n").find("unknown key 'colour'") != std::string::npos);
  // MSH missing, unlisted missing, extends a profile that does not exist.
  const auto whole = [&](const std::string& yaml) {
    return error_of([&] { profile_from_string(yaml, "q.yaml", types, profiles_dir(source_dir)); });
  };
  CHECK(whole("format: smx-deid-profile/1\nname: t\ncriteria: {c: x}\nunlisted: c\nsegments: {}\n").find("must name MSH") != std::string::npos);
  CHECK(whole("format: smx-deid-profile/1\nname: t\nsegments: {}\n").find("'unlisted'") != std::string::npos);
  CHECK(whole("format: smx-deid-profile/1\nname: t\ncriteria: {c: x}\nunlisted: c\nsegments:\n  MSH: drop\n")
            .find("q.yaml:6:8: MSH cannot be dropped") == 0);
  CHECK(whole("format: smx-deid-profile/1\nname: t\nextends: nothing-here\n").find("q.yaml:3:10: profile 'nothing-here' not found") == 0);
  CHECK(whole("format: smx-deid-profile/2\nname: t\n").find("q.yaml:1:9:") == 0);
}

TEST_CASE("a site profile extends a built-in one and overrides single fields") {
  const TypeTable& types = shipped_types();
  const std::string yaml = "format: smx-deid-profile/1\nname: site\nextends: ppc-anon\n"
                           "birth: {precision: year}\nsegments:\n  PID:\n    fields:\n      8: drop\n"
                           "  NTE: {criterion: free-text, fields: {1: keep}}\n";
  const Profile p = profile_from_string(yaml, "site.yaml", types, profiles_dir(source_dir));
  CHECK(p.chain == std::vector<std::string>{"site", "ppc-anon", "ssmix2-base"});
  CHECK(p.birth.precision == DatePrecision::year);
  CHECK(p.birth.top_code_age == 90);  // the rest of birth comes from ppc-anon
  CHECK(p.segments.at("PID").fields.at(8).action == Action::drop);
  CHECK(p.segments.at("PID").fields.at(3).action == Action::pseudonymize);  // kept from the base
  CHECK_FALSE(p.segments.at("NTE").drop);
  CHECK(p.criteria.at("direct").find("PPC 匿名加工") == 0);
}

}  // TEST_SUITE
