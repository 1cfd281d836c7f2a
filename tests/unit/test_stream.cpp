// RecordReader over raw inputs (temporary files): how the paths a YEN SIGN can take into MSH-2
// are read (issue 11 item 4), and junk that follows a message with no MSH between (item 4,
// "Reading").
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "smx/stream.hpp"

using namespace smx;

namespace {

struct Read {
  std::vector<std::string> texts;     // message text of each record
  std::vector<std::string> charsets;
  std::vector<std::string> changes;
  std::vector<std::string> stream;    // each record as a stream line
  std::vector<Reject> rejects;        // bytes copied into `rejected`
  std::vector<std::string> rejected;
  CollectingSink diagnostics;
  Counts counts;
  std::size_t count(const std::string& code) const {
    std::size_t n = 0;
    for (const auto& d : diagnostics.items) n += d.code == code;
    return n;
  }
  const Diagnostic* first(const std::string& code) const {
    for (const auto& d : diagnostics.items)
      if (d.code == code) return &d;
    return nullptr;
  }
};

// The record's changes as the stream writes them: the JSON array, or "" when there are none.
std::string changes_text(const std::vector<Change>& changes) {
  if (changes.empty()) return {};
  std::string object;
  json::Writer w(object);
  w.begin_object();
  write_changes(w, changes);
  w.end_object();
  const std::string prefix = "{\"changes\":";
  REQUIRE(object.compare(0, prefix.size(), prefix) == 0);
  return object.substr(prefix.size(), object.size() - prefix.size() - 1);
}

struct KeepRejects final : RejectSink {
  explicit KeepRejects(Read& r) : read(r) {}
  void reject(const Reject& j) override {
    read.rejects.push_back(j);
    read.rejected.emplace_back(j.bytes);
  }
  Read& read;
};

Read read_bytes(const std::string& bytes) {
  char path[] = "/tmp/smx-stream-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  ::close(fd);
  Read r;
  KeepRejects rejects(r);
  {
    RecordReader reader({path}, ReaderOptions{}, r.diagnostics, &rejects, r.counts);
    while (const Record* record = reader.next()) {
      r.texts.emplace_back(record->message.text());
      r.charsets.push_back(record->charset);
      r.changes.push_back(changes_text(record->changes));
      std::string line;
      append_record_json(line, *record, record->message.text());
      r.stream.push_back(line);
    }
  }
  std::remove(path);
  for (auto& j : r.rejects) j.bytes = {};  // the views died with the reader
  return r;
}

const std::string kMsh = "MSH|^~\\&|LAB|H1|GW|H2|20261201120000||OUL^R22^OUL_R22|1|P|2.5\r";

}  // namespace

// ---- A. where a YEN SIGN can reach MSH-2 -------------------------------------------------------

TEST_CASE("yen: UTF-8 bytes C2 A5 in MSH-2 (a JIS-Roman decoding upstream) read as the backslash") {
  // What glibc iconv -f ISO-2022-JP makes of "ESC ( J MSH|^~\&|...": every 0x5C is U+00A5.
  Read r = read_bytes("MSH|^~\xC2\xA5&|LAB|H1|||||OUL^R22|1|P|2.5\r"
                      "OBX|1|NM|2A020000001930101^WBC^JC10||5.2|10\xC2\xA5S\xC2\xA5" "3/uL\r");
  REQUIRE(r.texts.size() == 1);
  CHECK(r.texts[0] == "MSH|^~\\&|LAB|H1|||||OUL^R22|1|P|2.5\rOBX|1|NM|2A020000001930101^WBC^JC10||5.2|10\\S\\3/uL\r");
  CHECK(r.charsets[0] == "UTF-8");
  REQUIRE(r.count("HL7-DELIM-YEN") == 1);
  const Diagnostic* d = r.first("HL7-DELIM-YEN");
  CHECK(d->severity == Severity::warning);
  CHECK(d->where.hl7_path == "MSH-2");
  CHECK(d->subject == "^~\xC2\xA5&");
  CHECK(d->text.find("U+00A5 '\xC2\xA5'") != std::string::npos);
  CHECK(d->text == "MSH-2 '^~\xC2\xA5&' has U+00A5 '\xC2\xA5' (YEN SIGN) where the byte 0x5C belongs (a JIS X 0201 Roman "
                   "decoding): read as '\\'; every U+00A5 '\xC2\xA5' of the message (3) rewritten to '\\'");
  // Recorded in the record itself, not only on stderr.
  CHECK(r.changes[0] == "[{\"obx\":0,\"field\":\"MSH-2\",\"from\":\"^~\xC2\xA5&\",\"to\":\"^~\\\\&\",\"rule\":\"HL7-DELIM-YEN\"}]");
  CHECK(r.stream[0].find(",\"changes\":[{\"obx\":0,\"field\":\"MSH-2\"") != std::string::npos);
  CHECK(r.counts.read == 1);
  CHECK(r.counts.rejected == 0);
}

TEST_CASE("yen: OVERLINE and YEN SIGN both in MSH-2 (glibc's full JIS-Roman table)") {
  Read r = read_bytes("MSH|^\xE2\x80\xBE\xC2\xA5&|LAB\rPID|1||0001\xE2\x80\xBE" "0002\r");
  REQUIRE(r.texts.size() == 1);
  CHECK(r.texts[0] == "MSH|^~\\&|LAB\rPID|1||0001~0002\r");
  CHECK(r.count("HL7-DELIM-YEN") == 1);
  CHECK(r.count("HL7-DELIM-OVERLINE") == 1);
  CHECK(r.changes[0].find("\"rule\":\"HL7-DELIM-YEN HL7-DELIM-OVERLINE\"") != std::string::npos);
}

TEST_CASE("yen: Shift_JIS (CP932) 0x5C is the backslash; trail bytes 0x5C stay inside their kanji") {
  // 表 = 0x95 0x5C, ソ = 0x83 0x5C: their second byte is 0x5C, read at byte level it would be '\'.
  Read r = read_bytes("MSH|^~\\&|LAB|H1|||||OUL^R22|1|P|2.5|||||||~ISO IR87\r"
                      "NTE|1||\x95\x5C\\S\\\x83\x5C\r");
  REQUIRE(r.texts.size() == 1);
  CHECK(r.charsets[0] == "Shift_JIS");
  CHECK(r.texts[0] == "MSH|^~\\&|LAB|H1|||||OUL^R22|1|P|2.5|||||||~ISO IR87\rNTE|1||\u8868\\S\\\u30BD\r");
  CHECK(r.count("HL7-DELIM-YEN") == 0);
  CHECK(r.changes[0].empty());
}

TEST_CASE("yen: ISO-2022-JP with ESC ( J before MSH and in the text reads 0x5C as the backslash") {
  // The bytes glibc turns into "MSH|^~¥&": ESC ( J before MSH. We read JIS-Roman as ASCII.
  Read r = read_bytes("\x1B(JMSH|^~\\&|LAB\rPID|1||0001||\x1B$B4A;z\x1B(J\rNTE|1||a\\S\\b\r");
  REQUIRE(r.texts.size() == 1);
  CHECK(r.charsets[0] == "ISO-2022-JP");
  CHECK(r.texts[0] == "MSH|^~\\&|LAB\rPID|1||0001||\u6F22\u5B57\rNTE|1||a\\S\\b\r");
  CHECK(r.count("CHARSET-JIS-ROMAN") == 2);
  CHECK(r.count("HL7-DELIM-YEN") == 0);
  CHECK(r.counts.rejected == 0);
}

TEST_CASE("yen: a stream record with MSH-2 '^~¥&' is read the same way and written from the record") {
  std::string line = "{\"smx\":1,\"kind\":\"hl7\",\"src\":{\"path\":\"x\",\"n\":1,\"offset\":0},\"charset\":\"UTF-8\","
                     "\"changes\":[{\"obx\":1,\"field\":\"OBX-6\",\"from\":\"a\",\"to\":\"b\",\"rule\":\"r\"}],"
                     "\"hl7\":\"MSH|^~\xC2\xA5&|LAB\\rNTE|1||\xC2\xA5" "F\xC2\xA5\\r\"}\n";
  Read r = read_bytes(line);
  REQUIRE(r.texts.size() == 1);
  CHECK(r.texts[0] == "MSH|^~\\&|LAB\rNTE|1||\\F\\\r");
  CHECK(r.count("HL7-DELIM-YEN") == 1);
  // Earlier changes first, then the reading's.
  CHECK(r.changes[0] == "[{\"obx\":1,\"field\":\"OBX-6\",\"from\":\"a\",\"to\":\"b\",\"rule\":\"r\"},"
                       "{\"obx\":0,\"field\":\"MSH-2\",\"from\":\"^~\xC2\xA5&\",\"to\":\"^~\\\\&\",\"rule\":\"HL7-DELIM-YEN\"}]");
}

TEST_CASE("yen: what is not a stand-in is rejected with the character named, after decoding") {
  // FULLWIDTH REVERSE SOLIDUS in Shift_JIS (0x815F): named as the character, not as a byte.
  Read r = read_bytes("MSH|^~\x81\x5F&|LAB\rNTE|1||\x95\x5C\r");
  CHECK(r.texts.empty());
  REQUIRE(r.count("HL7-MSH-ENCODING") == 1);
  const Diagnostic* d = r.first("HL7-MSH-ENCODING");
  CHECK(d->text == "MSH-2 (encoding characters) character 3 is U+FF3C '\uFF3C', which cannot be a delimiter "
                   "(not ASCII); message rejected");
  CHECK(d->subject == "U+FF3C '\uFF3C'");
  CHECK(r.counts.rejected == 1);
  // An ASCII character is judged on the raw bytes, named the same way.
  Read a = read_bytes("MSH|^^\\&|LAB\rPID|1\r");
  REQUIRE(a.count("HL7-MSH-ENCODING") == 1);
  CHECK(a.first("HL7-MSH-ENCODING")->text ==
        "MSH-2 (encoding characters) character 2 is U+005E '^', the same as character 1; message rejected");
  CHECK(a.first("HL7-MSH-ENCODING")->subject == "U+005E '^'");
}

// ---- B. junk right after a message -------------------------------------------------------------

TEST_CASE("junk: binary data after a message (no MSH between) is rejected alone, the message kept") {
  const std::string message = kMsh + "PID|1||0001\rOBX|1|NM|||5.2\r";
  const std::string junk = std::string("\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR\x00\x01\xFF", 20);
  Read r = read_bytes(message + junk);
  REQUIRE(r.texts.size() == 1);
  CHECK(r.texts[0] == message);
  CHECK(r.charsets[0] == "US-ASCII");
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0] == junk);  // from the "\x89PNG" line, the line before the control bytes
  CHECK(r.rejects[0].code == "HL7-NO-MSH");
  CHECK(r.rejects[0].src.offset == message.size());
  REQUIRE(r.count("HL7-NO-MSH") == 1);
  CHECK(r.first("HL7-NO-MSH")->text.find("U+001A") != std::string::npos);
  CHECK(r.counts.read == 2);
  CHECK(r.counts.read == r.texts.size() + r.counts.rejected);
}

TEST_CASE("junk: undecodable bytes after a UTF-8 message cut it where the bytes stop being text") {
  const std::string message = kMsh + "PID|1||0001||\xE6\x82\xA3\xE8\x80\x85\rOBX|1|NM|||5.2\r";
  const std::string junk = "\xFF\xFE\xFD\xFC garbage\r\xFB\r";
  Read r = read_bytes(message + junk);
  REQUIRE(r.texts.size() == 1);
  CHECK(r.texts[0] == message);
  CHECK(r.charsets[0] == "UTF-8");
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0] == junk);
  CHECK(r.first("HL7-NO-MSH")->text.find("not valid UTF-8") != std::string::npos);
  CHECK(r.count("CHARSET-INVALID") == 0);
}

TEST_CASE("junk: after an ISO-2022-JP message, 8-bit bytes are junk; the message decodes whole") {
  const std::string message = kMsh + "PID|1||0001||\x1B$B4A;z\x1B(B\r";
  const std::string junk = "\xA4\xA2\xA4\xA4\r";  // EUC-JP bytes: never ISO-2022-JP
  Read r = read_bytes(message + junk);
  REQUIRE(r.texts.size() == 1);
  CHECK(r.charsets[0] == "ISO-2022-JP");
  CHECK(r.texts[0] == kMsh + "PID|1||0001||\u6F22\u5B57\r");
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0] == junk);
}

TEST_CASE("junk: after a Shift_JIS message, bytes CP932 cannot decode are junk") {
  const std::string message = kMsh + "PID|1||0001||\x8A\xBF\x8E\x9A\r";  // 漢字
  const std::string junk = "\x85\x40\x85\x41\r";  // unassigned row 9
  Read r = read_bytes(message + junk);
  REQUIRE(r.texts.size() == 1);
  CHECK(r.charsets[0] == "Shift_JIS");
  CHECK(r.texts[0] == kMsh + "PID|1||0001||\u6F22\u5B57\r");
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0] == junk);
  CHECK(r.first("HL7-NO-MSH")->text.find("not valid Shift_JIS") != std::string::npos);
}

TEST_CASE("junk: text lines that are not segments stay in the message") {
  // Field data after a lone LF, and a broken line after CR: smx validate reports them; nothing
  // is cut, and text after a lone LF is not taken into junk that follows it.
  Read r = read_bytes(kMsh + "OBX|1|TX|||line one\nline two\rOBX|2|TX|||x\rnot a segment\rOBX|3|TX|||y\r");
  REQUIRE(r.texts.size() == 1);
  CHECK(r.rejected.empty());
  CHECK(r.counts.rejected == 0);
  Read k = read_bytes(kMsh + "OBX|1|TX|||line one\nline two\n" + std::string("\x00\x00\r", 3));
  REQUIRE(k.texts.size() == 1);
  CHECK(k.texts[0] == kMsh + "OBX|1|TX|||line one\nline two\r");
  REQUIRE(k.rejected.size() == 1);
  CHECK(k.rejected[0] == std::string("\x00\x00\r", 3));
}

TEST_CASE("junk: undecodable bytes inside a segment still reject the whole message") {
  Read r = read_bytes(kMsh + "PID|1||0001||\xFF\xFE\rOBX|1|NM|||5\r");
  CHECK(r.texts.empty());
  CHECK(r.count("CHARSET-INVALID") == 1);
  REQUIRE(r.rejected.size() == 1);
  CHECK(r.rejected[0] == kMsh + "PID|1||0001||\xFF\xFE\rOBX|1|NM|||5\r");
}

TEST_CASE("junk: the next message after the junk is read as usual") {
  const std::string second = "MSH|^~\\&|B\rPID|2\r";
  Read r = read_bytes(kMsh + "PID|1\r" + std::string("\x00\x01\x02\r", 4) + second);
  REQUIRE(r.texts.size() == 2);
  CHECK(r.texts[1] == second);
  CHECK(r.rejected.size() == 1);
  CHECK(r.counts.read == 3);
}
