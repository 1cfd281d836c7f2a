// lib/deid: applying the built-in profiles to synthetic SS-MIX2 messages. Every name, address,
// phone number and ID planted below is synthetic. After each profile a byte search for every
// planted value (UTF-8, half- and full-width forms, and in ISO-2022-JP and CP932 after encoding
// the output with lib/charset) must find nothing, while lab codes and values pass untouched.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "smx/charset.hpp"
#include "smx/deid.hpp"
#include "smx/hl7.hpp"

namespace fs = std::filesystem;
using namespace smx;
using namespace smx::deid;

namespace {

const fs::path source_dir = SMX_SOURCE_DIR;

const TypeTable& types() {
  static const TypeTable t = TypeTable::load(types_path(source_dir));
  return t;
}

Deidentifier make(const std::string& profile, char key_fill = 'k', std::string_view release = "default") {
  return Deidentifier(load_profile(profile, profiles_dir(source_dir), types()), types(),
                      Key::from_bytes(std::string(kKeyBytes, key_fill)), release);
}

// A segment from its fields by number (HL7 numbering), so tests never miscount bars.
std::string seg(const std::string& id, const std::map<int, std::string>& fields) {
  std::string out = id;
  int last = fields.empty() ? 0 : fields.rbegin()->first;
  for (int n = 1; n <= last; ++n) {
    out += '|';
    if (auto it = fields.find(n); it != fields.end()) out += it->second;
  }
  return out + "\r";
}

const std::string kMsh =
    "MSH|^~\\&|HIS123|1234567890|GW|GW|20230514103012.1234||ADT^A08^ADT_A01|MSG0000012345|P|2.5||||||~ISO IR87|"
    "ISO 2022-1994|SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO\r";

// An ADT^A08 (ADT-00) full of PHI, and lab results (OBX) that must survive.
std::string phi_message() {
  return kMsh +
         seg("EVN", {{2, "20230514103012"}, {5, "D1234^鈴木^一郎^^^^^^^L^^^^^I"}, {6, "20230514103000"}}) +
         seg("PID", {{1, "1"},
                     {2, "ALT77"},
                     {3, "0001234567^^^^PI~9876543210^^^^AN"},
                     {5, "山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P~ﾔﾏﾀﾞ^ﾀﾛｳ^^^^^L^P~YAMADA^TARO^^^^^L^A"},
                     {6, "旧姓^花子"},
                     {7, "19800512"},
                     {8, "M"},
                     {11, "千代田1-1-1 メゾン山田101^^東京都千代田区^^100-0001^JPN^H"},
                     {13, "03-1234-5678^PRN^PH^taro@example.jp~０３－１２３４－５６７８^PRN^CP"},
                     {14, "06-6543-2109^WPN^PH"},
                     {18, "AC20230514"},
                     {19, "123-45-6789"}}) +
         seg("NK1", {{1, "1"}, {2, "山田^花子^^^^^L^I~ヤマダ^ハナコ^^^^^L^P"}, {3, "SPO^配偶者^HL70063"},
                     {4, "^^東京都千代田区^^100-0001"}, {5, "03-9876-5432"}}) +
         seg("PV1", {{1, "1"}, {2, "O"}, {3, "01^101^3^1234567890"}, {7, "D1234^鈴木^一郎^^^^^^^L^^^^^I"},
                     {10, "01"}, {19, "V20230514001"}, {44, "20230514090000"}}) +
         seg("GT1", {{1, "1"}, {3, "山田^太郎"}, {5, "^^東京都千代田区^^100-0001"}, {6, "03-1234-5678"}}) +
         seg("IN1", {{1, "1"}, {2, "01^一般^JHSD0001"}, {3, "06123456^^^^IN"}, {4, "全国健康保険協会"},
                     {10, "ABC記号"}, {16, "山田^太郎"}, {18, "19800512"}, {49, "1234567^^^^NI"}}) +
         seg("OBX", {{1, "1"}, {2, "NM"}, {3, "9N001000000000001^身長^JC10"}, {5, "170.5"}, {6, "cm^cm^UCUM"},
                     {11, "F"}, {14, "20230514"}}) +
         seg("OBX", {{1, "2"}, {2, "TX"}, {3, "COMMENT^コメント^99XX"}, {5, "山田太郎さん来院 電話03-1234-5678"},
                     {11, "F"}}) +
         seg("OBX", {{1, "3"}, {2, "ST"}, {3, "5H010000001999911^ABO血液型^JC10"}, {5, "0001234567"}, {11, "F"}}) +
         seg("OBX", {{1, "4"}, {2, "ST"}, {3, "5F016141002327101^HBs抗原^JC10"}, {5, "陰性"}, {11, "F"}}) +
         seg("OBX", {{1, "5"}, {2, "ST"}, {3, "1A020000000191111^尿蛋白^JC10"}, {5, "3+"}, {11, "F"}}) +
         seg("OBX", {{1, "6"}, {2, "ST"}, {3, "1A020000000191112^尿糖^JC10"}, {5, "03-9876-5432"}, {11, "F"}}) +
         seg("OBX", {{1, "7"}, {2, "DT"}, {3, "LAST^最終来院日^99XX"}, {5, "20230401"}, {11, "F"}}) +
         seg("NTE", {{1, "1"}, {3, "山田太郎 様 ご家族 ヤマダハナコ 電話０３－９８７６－５４３２"}}) +
         seg("ZPD", {{1, "1"}, {2, "山田^太郎"}, {3, "ﾔﾏﾀﾞﾀﾛｳ"}});
}

// Every planted value (the synthetic PHI above).
const std::vector<std::string> kPlanted = {
    "山田", "太郎", "山田太郎", "ヤマダ", "タロウ", "ﾔﾏﾀﾞ", "ﾀﾛｳ", "YAMADA", "TARO", "花子", "ハナコ", "旧姓", "鈴木",
    "一郎", "千代田1-1-1", "メゾン", "東京都千代田区", "100-0001", "1000001", "03-1234-5678", "0312345678",
    "０３－１２３４－５６７８", "06-6543-2109", "03-9876-5432", "taro@example.jp", "0001234567", "9876543210",
    "ALT77", "AC20230514", "123-45-6789", "V20230514001", "MSG0000012345", "ABC記号", "06123456", "1234567^",
    "19800512", "全国健康保険協会", "D1234", "配偶者"};

std::string to_fullwidth(const std::string& ascii) {
  std::string out;
  for (unsigned char c : ascii) {
    if (c > 0x20 && c < 0x7F) {
      const char32_t cp = 0xFF00 + (c - 0x20);
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

bool is_ascii(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// The bytes of `value` in `charset` without the leading and trailing ISO-2022-JP designations.
std::optional<std::string> encoded(const std::string& value, Charset charset) {
  std::string out;
  if (!from_utf8(value, charset, out)) return std::nullopt;
  if (out.rfind("\x1b$B", 0) == 0) out.erase(0, 3);
  if (out.size() >= 3 && out.compare(out.size() - 3, 3, "\x1b(B") == 0) out.erase(out.size() - 3);
  return out;
}

// Fails for every planted value found in `output` in any of the forms.
void check_nothing_leaks(const std::string& output, const std::string& profile) {
  CAPTURE(profile);
  for (const std::string& value : kPlanted) {
    CAPTURE(value);
    CHECK(output.find(value) == std::string::npos);
    if (is_ascii(value)) CHECK(output.find(to_fullwidth(value)) == std::string::npos);
  }
  // The output holds only JIS X 0208 text (no half-width katakana), so it can be written back
  // as ISO-2022-JP; search the planted values in both legacy encodings too.
  std::string iso, sjis;
  CHECK_MESSAGE(from_utf8(output, Charset::iso2022jp, iso), "output not encodable in ISO-2022-JP");
  CHECK(from_utf8(output, Charset::shift_jis, sjis));
  for (const std::string& value : kPlanted) {
    CAPTURE(value);
    if (const auto e = encoded(value, Charset::iso2022jp); e && !e->empty() && !iso.empty())
      CHECK(iso.find(*e) == std::string::npos);
    if (const auto e = encoded(value, Charset::shift_jis); e && !e->empty() && !sjis.empty())
      CHECK(sjis.find(*e) == std::string::npos);
  }
}

hl7::Message parse(const std::string& text) {
  hl7::Message m;
  std::string reason;
  REQUIRE_MESSAGE(m.assign(text, &reason), reason);
  return m;
}

// Field n of the k-th segment `id` of a message text.
std::string field_of(const std::string& text, const std::string& id, std::size_t n, std::size_t k = 0) {
  const hl7::Message m = parse(text);
  const std::size_t i = m.find_segment(id, k);
  return i == hl7::Message::npos ? std::string("(no segment)") : std::string(m.field(i, n));
}

std::string obx_by_set_id(const std::string& text, const std::string& set_id) {
  const hl7::Message m = parse(text);
  for (std::size_t k = 0;; ++k) {
    const std::size_t i = m.find_segment("OBX", k);
    if (i == hl7::Message::npos) return "(no OBX " + set_id + ")";
    if (m.field(i, 1) == set_id) return std::string(m.segment(i));
  }
}

}  // namespace

TEST_SUITE("deid.apply") {

TEST_CASE("after every built-in profile no planted value is left, in any encoding or width") {
  const hl7::Message input = parse(phi_message());
  for (const char* name : {"ppc-anon", "ppc-pseudo", "jisedai-pseudo", "safe-harbor"}) {
    CAPTURE(name);
    const Deidentifier deid = make(name);
    const PatientContext patient = deid.patient("0001234567");
    REQUIRE(patient.shift_days);
    // 20230401 + 43 days = 20230514: with such a shift the planted date could reappear honestly.
    REQUIRE(*patient.shift_days != 43);
    const DeidResult result = deid.apply(input, patient);
    check_nothing_leaks(result.text, name);
    CHECK(result.text.find("20230514") == std::string::npos);
    for (const AuditEntry& e : result.audit.entries())
      for (const std::string& value : kPlanted) CHECK_MESSAGE(e.rule.find(value) == std::string::npos, e.rule);
    // The output is a message again, with MSH-1/MSH-2 as sent.
    const hl7::Message out = parse(result.text);
    CHECK(out.segment(0).substr(0, 8) == "MSH|^~\\&");
    CHECK(out.find_segment("NK1") == hl7::Message::npos);
    CHECK(out.find_segment("GT1") == hl7::Message::npos);
    CHECK(out.find_segment("NTE") == hl7::Message::npos);
    CHECK(out.find_segment("ZPD") == hl7::Message::npos);
    // Lab codes, values, units pass byte for byte; the TX comment and the ID typed into ST do not.
    CHECK(field_of(result.text, "OBX", 3) == "9N001000000000001^身長^JC10");
    CHECK(field_of(result.text, "OBX", 5) == "170.5");
    CHECK(field_of(result.text, "OBX", 6) == "cm^cm^UCUM");
    CHECK(obx_by_set_id(result.text, "4").find("|陰性|") != std::string::npos);
    CHECK(obx_by_set_id(result.text, "5").find("|3+|") != std::string::npos);
    CHECK(obx_by_set_id(result.text, "2") == "OBX|2|TX|COMMENT^コメント^99XX||||||||F");
    CHECK(obx_by_set_id(result.text, "3") == "OBX|3|ST|5H010000001999911^ABO血液型^JC10||||||||F");
    CHECK(result.audit.count("segment ZPD unlisted, removed") == 1);
    CHECK(result.audit.count("segment NK1 drop") == 1);
    CHECK(result.audit.count("PID-5 generalize masked") == 4);  // four repetitions: kanji, kana, half-width kana, romaji
    CHECK(result.audit.count("OBX-5 value type TX drop") == 1);
    CHECK(result.audit.count("OBX-5 value type ST not a lab result, removed") == 2);
  }
}

TEST_CASE("pseudonyms and shifts: one per patient, the same in every message and run, another with another key") {
  const Deidentifier a = make("ppc-anon");
  const Deidentifier again = make("ppc-anon");
  const Deidentifier other_key = make("ppc-anon", 'x');
  const Deidentifier other_release = make("ppc-anon", 'k', "project-2");
  const PatientContext p = a.patient("0001234567");
  CHECK(p.pseudonym.size() == 15);
  CHECK(p.pseudonym.find_first_not_of("0123456789") == std::string::npos);
  CHECK(again.patient("0001234567").pseudonym == p.pseudonym);
  CHECK(again.patient("0001234567").shift_days == p.shift_days);
  CHECK(other_key.patient("0001234567").pseudonym != p.pseudonym);
  CHECK(other_release.patient("0001234567").pseudonym != p.pseudonym);
  std::set<int> shifts, other_shifts;
  for (const char* id : {"0001234567", "0001234568", "0001234569", "0002000001", "0002000002", "0002000003"}) {
    shifts.insert(*a.patient(id).shift_days);
    other_shifts.insert(*other_key.patient(id).shift_days);
    CHECK(*a.patient(id).shift_days != 0);
    CHECK(std::abs(*a.patient(id).shift_days) <= 180);
  }
  CHECK(shifts != other_shifts);
  // PID-3 carries the same pseudonym the patient context (and so the SS-MIX2 folder) uses.
  const DeidResult r = a.apply(parse(phi_message()), p);
  CHECK(field_of(r.text, "PID", 3) == p.pseudonym + "^^^^PI~" + a.pseudonym("patient", "9876543210").text + "^^^^AN");
}

TEST_CASE("an admission and a discharge keep their interval and their lab values byte for byte") {
  const Deidentifier deid = make("ppc-anon");
  const PatientContext p = deid.patient("0001234567");
  const std::string admission =
      kMsh + seg("EVN", {{2, "20230301101500"}}) + seg("PID", {{1, "1"}, {3, "0001234567^^^^PI"}, {7, "19451103"}}) +
      seg("PV1", {{1, "1"}, {2, "I"}, {44, "202303011015"}});
  const std::string discharge =
      kMsh + seg("EVN", {{2, "20230320093000"}}) + seg("PID", {{1, "1"}, {3, "0001234567^^^^PI"}, {7, "19451103"}}) +
      seg("PV1", {{1, "1"}, {2, "I"}, {44, "202303011015"}, {45, "202303202430"}});
  const DeidResult in = deid.apply(parse(admission), p);
  const DeidResult out = deid.apply(parse(discharge), p);
  CHECK(field_of(in.text, "PV1", 44) == field_of(out.text, "PV1", 44));
  CHECK(field_of(in.text, "PID", 3) == field_of(out.text, "PID", 3));
  CHECK(field_of(out.text, "PV1", 44) == *shift_date_time("202303011015", *p.shift_days));
  CHECK(field_of(out.text, "PV1", 45) == *shift_date_time("202303202430", *p.shift_days));
  CHECK(field_of(out.text, "PV1", 45).substr(8) == "2430");  // the hour 24 is kept as sent
  CHECK(in.audit.count("PV1-44 shift") == 1);
  CHECK(in.audit.count("PV1-44 date shifted") == 1);
}

TEST_CASE("lab results (OUL^R22): order and specimen numbers pseudonymized, dates shifted, values untouched") {
  const Deidentifier deid = make("ppc-anon");
  const PatientContext p = deid.patient("9999013");
  const std::string msh =
      "MSH|^~\\&|LAB|1234567890|GW|GW|20111220224447.3399||OUL^R22^OUL_R22|20111220000000000009|P|2.5||||||~ISO IR87|"
      "ISO 2022-1994\r";
  const std::string text = msh + seg("PID", {{1, "1"}, {3, "9999013^^^^PI"}, {5, "テスト^患者"}}) +
                           seg("SPM", {{1, "1"}, {2, "SP998877^^^LAB"}, {4, "023^血清^JC10"}, {17, "201112191500"}}) +
                           seg("OBR", {{1, "1"}, {2, "000000011000354^HIS"}, {4, "xyz^生化学^99XX"}, {7, "201112191500"}}) +
                           seg("ORC", {{1, "SC"}, {2, "000000011000354^HIS"}, {9, "20111219"}, {12, "D999^医師^太郎"}}) +
                           seg("OBX", {{1, "1"}, {2, "NM"}, {3, "3D010000002327101^グルコース^JC10"}, {5, "98"},
                                       {6, "mg/dL^mg/dL^99XX"}, {7, "70-109"}, {8, "N"}, {11, "F"}, {14, "201112191530"}}) +
                           seg("OBX", {{1, "2"}, {2, "SN"}, {3, "3F015000002327101^CRP^JC10"}, {5, "<^0.3"}, {11, "F"}});
  const DeidResult r = deid.apply(parse(text), p);
  const std::string order = deid.pseudonym("order", "000000011000354").text;
  CHECK(order.size() == 15);
  CHECK(order == deid.pseudonym("order", "11000354").text);  // SS-MIX2's zero padding does not matter
  CHECK(field_of(r.text, "ORC", 2) == order + "^HIS");
  CHECK(field_of(r.text, "OBR", 2) == order + "^HIS");
  CHECK(field_of(r.text, "SPM", 2) == deid.pseudonym("specimen", "SP998877").text);
  CHECK(field_of(r.text, "SPM", 17) == *shift_date_time("201112191500", *p.shift_days));
  CHECK(field_of(r.text, "ORC", 9) == *shift_date_time("20111219", *p.shift_days));
  CHECK(field_of(r.text, "ORC", 12) == deid.pseudonym("staff", "D999").text);
  CHECK(field_of(r.text, "OBX", 5) == "98");
  CHECK(field_of(r.text, "OBX", 7) == "70-109");
  CHECK(field_of(r.text, "OBX", 5, 1) == "<^0.3");
  CHECK(field_of(r.text, "MSH", 10).size() == 16);
  CHECK(field_of(r.text, "MSH", 10) != "20111220000000000009");
  CHECK(r.text.find("テスト") == std::string::npos);
  // The care-date folder and the file-name timestamp move with the contents.
  CHECK(deid.care_date("20111219", p) == shift_care_date("20111219", *p.shift_days));
  CHECK(deid.file_timestamp("20111220224447339", p) == shift_file_timestamp("20111220224447339", *p.shift_days));
  CHECK(deid.care_date("-", p) == "-");
}

TEST_CASE("birth dates: year-month (ppc-anon), day (ppc-pseudo), year and 90+ capped (safe-harbor)") {
  const auto pid = [](const std::string& dob) {
    return kMsh + seg("PID", {{1, "1"}, {3, "0001234567^^^^PI"}, {7, dob}, {8, "F"}});
  };
  for (const char* name : {"ppc-anon", "ppc-pseudo", "safe-harbor"}) {
    CAPTURE(name);
    const Deidentifier deid = make(name);
    const PatientContext p = deid.patient("0001234567");
    const std::string shifted = *shift_date_time("19800512", *p.shift_days);
    const std::string young = field_of(deid.apply(parse(pid("19800512")), p).text, "PID", 7);
    const std::string old = field_of(deid.apply(parse(pid("19300101")), p).text, "PID", 7);
    const DeidResult just_under = deid.apply(parse(pid("19330515")), p);  // 89 on 2023-05-14
    if (std::string(name) == "ppc-anon") {
      CHECK(young == shifted.substr(0, 6));
      CHECK(old == "");  // 93: removed (hospital recipe: >= 90 deleted)
      CHECK(field_of(just_under.text, "PID", 7) == shift_date_time("19330515", *p.shift_days)->substr(0, 6));
    } else if (std::string(name) == "ppc-pseudo") {
      CHECK(young == shifted);
      CHECK(old == *shift_date_time("19300101", *p.shift_days));  // no top-coding for 仮名加工
    } else {
      CHECK(young == shifted.substr(0, 4));
      // Capped: 90 years before the (shifted) message date, to the year; MSH-7 is cut to the year too.
      const std::string msh7 = field_of(deid.apply(parse(pid("19300101")), p).text, "MSH", 7);
      CHECK(msh7.size() == 4);
      CHECK(std::stoi(msh7) - std::stoi(old) == 90);
    }
  }
}

TEST_CASE("postal codes keep 3 digits, insurer numbers their 法別番号, else they are removed") {
  const Deidentifier deid = make("ppc-anon");
  const PatientContext p = deid.patient("0001234567");
  const auto run = [&](const std::string& address, const std::string& insurer) {
    return deid.apply(parse(kMsh + seg("PID", {{1, "1"}, {3, "0001234567^^^^PI"}, {11, address}}) +
                            seg("IN1", {{1, "1"}, {3, insurer}})),
                      p);
  };
  DeidResult r = run("千代田1-1^^東京都^^100-0001^JPN^H", "06123456^^^^IN");
  CHECK(field_of(r.text, "PID", 11) == "^^^^100^^H");
  CHECK(field_of(r.text, "IN1", 3) == "06");
  r = run("^^^^１００－０００１", "39131234");
  CHECK(field_of(r.text, "PID", 11) == "^^^^100");
  CHECK(field_of(r.text, "IN1", 3) == "39");
  r = run("^^^^東京", "123456");  // not a postal code; a 6-digit 国保 number has no 法別番号
  CHECK(field_of(r.text, "PID", 11) == "");
  CHECK(field_of(r.text, "IN1", 3) == "");
  CHECK(r.audit.count("PID-11 postal code unreadable, removed") == 1);
  CHECK(r.audit.count("IN1-3 insurer number without 法別番号, removed") == 1);
  CHECK(postal_prefix("1000001") == "100");
  CHECK(postal_prefix("100") == "100");
  CHECK(!postal_prefix("10000011"));
  CHECK(insurer_houbetsu("０６１２３４５６") == "06");
}

TEST_CASE("lab-text: results pass, IDs, phone numbers and names do not") {
  const std::vector<std::string> words = {"陰性", "陽性", "検出せず"};
  for (const char* ok : {"陰性", "陽性", "検出せず", "3+", "(-)", "(+)", "±", "(±)", "+-", "1+", "++", "<0.5", "< 0.5",
                         "≦0.5", ">=1000", "120", "12.5", "-3.2", "0.5-2", "0.5～2", "1:40", "3+(300)", "100(2+)",
                         "５．２", "200以上", "5%", "", "  ", "^^+"})
    CHECK_MESSAGE(is_lab_text(ok, words), ok);
  for (const char* bad : {"0001234567", "123456", "03-1234-5678", "０３－１２３４－５６７８", "山田", "YAMADA", "陰性?",
                          "taro@example.jp", "1:1234567", "3++++++", "5+", "(3+", "1.2.3", "<>5"})
    CHECK_MESSAGE(!is_lab_text(bad, words), bad);
}

TEST_CASE("dates: unreadable values and a missing patient shift remove the value, never keep it") {
  const Deidentifier deid = make("ppc-anon");
  const std::string text = kMsh + seg("PID", {{1, "1"}, {3, "0001234567^^^^PI"}}) +
                           seg("PV1", {{1, "1"}, {44, "20230231"}, {45, "2023-03-01"}});
  const DeidResult r = deid.apply(parse(text), deid.patient("0001234567"));
  CHECK(field_of(r.text, "PV1", 44) == "");
  CHECK(field_of(r.text, "PV1", 45) == "");
  CHECK(r.audit.count("PV1-44 date unreadable, removed") == 1);
  const DeidResult none = deid.apply(parse(text), PatientContext{});
  CHECK(field_of(none.text, "MSH", 7) == "");
  CHECK(none.audit.count("MSH-7 date removed (no patient shift)") == 1);
}

TEST_CASE("safe-harbor cuts every date to the year; folder and file names are padded") {
  const Deidentifier deid = make("safe-harbor");
  const PatientContext p = deid.patient("0001234567");
  const DeidResult r = deid.apply(parse(phi_message()), p);
  const std::string year = shift_date_time("20230514103012", *p.shift_days)->substr(0, 4);
  CHECK(field_of(r.text, "MSH", 7) == year);
  CHECK(field_of(r.text, "PV1", 44) == year);
  CHECK(deid.care_date("20230514", p) == year + "0101");
  CHECK(deid.file_timestamp("20230514103012123", p) == year + "0101000000000");
}

TEST_CASE("a kept composite keeps only its listed components; staff names never pass") {
  const Deidentifier deid = make("jisedai-pseudo");
  const DeidResult r = deid.apply(parse(phi_message()), deid.patient("0001234567"));
  CHECK(field_of(r.text, "PV1", 3) == "01");  // room and bed removed
  CHECK(field_of(r.text, "PV1", 7) == deid.pseudonym("staff", "D1234").text);
  CHECK(field_of(r.text, "EVN", 5) == deid.pseudonym("staff", "D1234").text);
  CHECK(r.audit.count("PV1-3 component not kept, removed") == 3);
}

TEST_CASE("text hidden in components a primitive field does not have is removed") {
  const Deidentifier deid = make("ppc-anon");
  const std::string text = kMsh + seg("PID", {{1, "1"}, {3, "0001234567^^^^PI"}, {8, "F^山田花子"}}) +
                           seg("PV1", {{1, "1"}, {2, "I&ヤマダ"}, {10, "01^内科"}});
  const DeidResult r = deid.apply(parse(text), deid.patient("0001234567"));
  CHECK(field_of(r.text, "PID", 8) == "F");
  CHECK(field_of(r.text, "PV1", 2) == "I");
  CHECK(field_of(r.text, "PV1", 10) == "01");
  CHECK(r.text.find("山田") == std::string::npos);
  CHECK(r.text.find("ヤマダ") == std::string::npos);
  CHECK(r.audit.count("PID-8 piece beyond the data type, removed") == 1);
}

TEST_CASE("the same message gives the same output: deterministic, independent of other messages") {
  const Deidentifier deid = make("ppc-anon");
  const hl7::Message m = parse(phi_message());
  const PatientContext p = deid.patient("0001234567");
  const DeidResult first = deid.apply(m, p);
  deid.apply(parse(kMsh + seg("PID", {{3, "0009999999^^^^PI"}})), deid.patient("0009999999"));
  const DeidResult second = deid.apply(m, p);
  CHECK(first.text == second.text);
  CHECK(first.audit.entries().size() == second.audit.entries().size());
}

}  // TEST_SUITE
