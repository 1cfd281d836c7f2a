#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "smx/hl7.hpp"

using namespace smx;
using namespace smx::hl7;

namespace {

std::vector<Frame> frames_of(const std::string& bytes, FramerOptions options = {}, std::vector<std::string>* copies = nullptr) {
  auto source = memory_source(bytes);
  Framer framer(*source, options);
  std::vector<Frame> out;
  while (auto f = framer.next()) {
    out.push_back(*f);
    if (copies) copies->emplace_back(f->bytes);
  }
  return out;
}

std::vector<std::string> kinds_and_bytes(const std::string& bytes, std::size_t chunk = 1 << 20) {
  auto source = memory_source(bytes);
  Framer framer(*source, FramerOptions{std::size_t{64} << 20, chunk});
  std::vector<std::string> out;
  while (auto f = framer.next()) {
    const char* k = f->kind == Frame::Kind::message ? "M" : f->kind == Frame::Kind::junk ? "J"
                    : f->kind == Frame::Kind::batch_segment ? "B" : "O";
    out.push_back(std::string(k) + ":" + std::string(f->bytes));
  }
  return out;
}

const std::string kOru =
    "MSH|^~\\&|LAB|H1|GW|H2|20111220103059.0000||OUL^R22^OUL_R22|1|P|2.5\r"
    "PID|1||0001^^^^PI||患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19700405|M\r"
    "OBX|1|NM|3A016000002327102^A/G比^JC10||1.7||1.2-2.0||||F\r"
    "OBX|2|NM|3A010000002327101^総蛋白^JC10||7.2|g/dl^g/dl^99XYZ|6.70-8.3||||F\r";

}  // namespace

TEST_CASE("framing: one CR message, trailing FS as in SS-MIX2 files") {
  auto v = kinds_and_bytes(kOru + "\x1c");
  REQUIRE(v.size() == 1);
  CHECK(v[0] == "M:" + kOru);
}

TEST_CASE("framing: several messages, LF and CRLF terminators, BOM") {
  std::string two = "\xEF\xBB\xBFMSH|^~\\&|A\nPID|1\nMSH|^~\\&|B\r\nPID|2\r\n";
  auto v = kinds_and_bytes(two);
  REQUIRE(v.size() == 2);
  CHECK(v[0] == "M:MSH|^~\\&|A\nPID|1\n");
  CHECK(v[1] == "M:MSH|^~\\&|B\r\nPID|2\r\n");
}

TEST_CASE("framing: MLLP frames") {
  auto v = kinds_and_bytes("\x0bMSH|^~\\&|A\rPID|1\r\x1c\r\x0bMSH|^~\\&|B\r\x1c\r");
  REQUIRE(v.size() == 2);
  CHECK(v[0] == "M:MSH|^~\\&|A\rPID|1\r");
  CHECK(v[1] == "M:MSH|^~\\&|B\r");
}

TEST_CASE("framing: batch segments come out on their own") {
  auto v = kinds_and_bytes("FHS|^~\\&|X\rBHS|^~\\&|Y\rMSH|^~\\&|A\rPID|1\rBTS|1\rFTS|1\r");
  REQUIRE(v.size() == 5);
  CHECK(v[0] == "B:FHS|^~\\&|X");
  CHECK(v[1] == "B:BHS|^~\\&|Y");
  CHECK(v[2] == "M:MSH|^~\\&|A\rPID|1\r");
  CHECK(v[3] == "B:BTS|1");
  CHECK(v[4] == "B:FTS|1");
}

TEST_CASE("framing: leading junk is its own frame; MSHX is not a message start") {
  auto v = kinds_and_bytes("hello\rMSHX|no\rMSH|^~\\&|A\r");
  REQUIRE(v.size() == 2);
  CHECK(v[0] == "J:hello\rMSHX|no\r");
  CHECK(v[1] == "M:MSH|^~\\&|A\r");
}

TEST_CASE("framing: small chunks give the same frames as one chunk") {
  std::string input = "junk\r" + kOru + kOru + "\x1c\r\x0b" + kOru + "\x1c";
  auto whole = kinds_and_bytes(input);
  for (std::size_t chunk : {1, 2, 3, 5, 7, 64}) CHECK(kinds_and_bytes(input, chunk) == whole);
  Framer view(std::string_view{input});
  std::vector<std::string> from_view;
  while (auto f = view.next()) from_view.push_back(std::string(f->bytes));
  REQUIRE(from_view.size() == whole.size());
  CHECK(from_view[1] == whole[1].substr(2));
}

TEST_CASE("framing: oversize message is handed out in pieces, nothing lost") {
  std::string big = "MSH|^~\\&|A\rOBX|1|ED|||" + std::string(1000, 'x') + "\rMSH|^~\\&|B\r";
  std::vector<std::string> copies;
  auto v = frames_of(big, FramerOptions{100, 64}, &copies);
  std::string joined;
  std::size_t pieces = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].kind == Frame::Kind::oversize) {
      ++pieces;
      joined += copies[i];
      CHECK(copies[i].size() <= 100);
    }
  }
  CHECK(pieces >= 10);
  CHECK(joined == big.substr(0, big.find("MSH|^~\\&|B")));
  CHECK(v.back().kind == Frame::Kind::message);
  CHECK(copies.back() == "MSH|^~\\&|B\r");
}

TEST_CASE("framing: empty and blank input give no frames") {
  CHECK(kinds_and_bytes("").empty());
  CHECK(kinds_and_bytes("\r\n\x1c \t").empty());
}

TEST_CASE("delimiters: standard, custom, and bad MSH-2") {
  auto d = read_delimiters("MSH|^~\\&|X");
  REQUIRE(d);
  CHECK(d->component == '^');
  CHECK(d->escape == '\\');
  auto c = read_delimiters("MSH#$%*!#X");
  REQUIRE(c);
  CHECK(c->field == '#');
  CHECK(c->component == '$');
  CHECK(c->subcomponent == '!');
  std::string why;
  CHECK_FALSE(read_delimiters("MSH|^~|X", &why));
  CHECK(why.find("fewer than 4") != std::string::npos);
  CHECK_FALSE(read_delimiters("MSH|^^\\&|X", &why));
  CHECK_FALSE(read_delimiters("MSHA^~\\&|", &why));
  CHECK_FALSE(read_delimiters("PID|1", &why));
  auto t = read_delimiters("MSH|^~\\&#|X");
  REQUIRE(t);
  CHECK(t->truncation == '#');
}

TEST_CASE("message: fields, MSH numbering, repetitions") {
  Message m;
  REQUIRE(m.assign(kOru));
  CHECK(m.segment_count() == 4);
  CHECK(m.text() == kOru);
  CHECK(m.segment_id(1) == "PID");
  CHECK(m.field(0, 1) == "|");
  CHECK(m.field(0, 2) == "^~\\&");
  CHECK(m.field(0, 9) == "OUL^R22^OUL_R22");
  CHECK(m.field(1, 3) == "0001^^^^PI");
  CHECK(m.field(1, 99).empty());
  CHECK(m.find_segment("OBX", 1) == 3);
  CHECK(m.find_segment("ZZZ") == Message::npos);
  CHECK(repetition_count(m, 1, 5) == 2);
}

TEST_CASE("message: terminators normalized to CR, LF in data kept") {
  Message m;
  REQUIRE(m.assign("MSH|^~\\&|A\r\nPID|1\r\nOBX|1|TX|||line1\nline2\r"));
  CHECK(m.text() == "MSH|^~\\&|A\rPID|1\rOBX|1|TX|||line1\nline2\r");
  CHECK(m.lf_in_data == 1);
  REQUIRE(m.assign("MSH|^~\\&|A\nPID|1\n\nOBX|1\n"));
  CHECK(m.text() == "MSH|^~\\&|A\rPID|1\rOBX|1\r");
  CHECK(m.blank_lines == 1);
  CHECK(m.lf_in_data == 0);
  REQUIRE(m.assign("MSH|^~\\&|A\rPID|1\nOBX|1\r"));  // mixed: LF followed by a segment
  CHECK(m.segment_count() == 3);
  CHECK(m.mixed_terminators);
  REQUIRE(m.assign("MSH|^~\\&|A"));  // no final terminator
  CHECK(m.text() == "MSH|^~\\&|A\r");
  REQUIRE(m.assign("MSH|^~\\&|A\rPID|1\r   \r"));
  CHECK(m.segment_count() == 2);
}

TEST_CASE("paths: parse and print") {
  CHECK(Path::parse("PID-3").to_string() == "PID-3");
  auto p = Path::parse("PID-5[2].1");
  CHECK(p.field == 5);
  CHECK(p.repetition == 2);
  CHECK(p.component == 1);
  auto q = Path::parse("OBX[*]-5.1.2");
  CHECK(q.segment_index == Path::kAll);
  CHECK(q.subcomponent == 2);
  CHECK(Path::parse("PID.5.1").to_string() == "PID-5.1");
  CHECK(Path::parse("OBX[3]-5").segment_index == 3);
  CHECK(Path::parse("ZD1-1").segment == "ZD1");
  CHECK(Path::parse("PID").field == 0);
  for (const char* bad : {"", "P", "pid-3", "PID-", "PID-0", "PID-3.", "PID-3x", "PID[-3", "PID[0]-1", "PID-3[x]"}) {
    CHECK_THROWS_AS(Path::parse(bad), parse_error);
  }
  try {
    Path::parse("PID-3x");
  } catch (const parse_error& e) {
    CHECK(std::string(e.what()).find("PID-3x") != std::string::npos);
    CHECK(e.position == 5);
  }
}

TEST_CASE("paths: select values") {
  Message m;
  REQUIRE(m.assign(kOru));
  CHECK(select(m, 1, Path::parse("PID-5.1"), 1) == "患者");
  CHECK(select(m, 1, Path::parse("PID-5[2].1"), 2) == "カンジャ");
  CHECK(select(m, 0, Path::parse("MSH-9.2"), 1) == "R22");
  CHECK(select(m, 0, Path::parse("MSH-2"), 1) == "^~\\&");
  CHECK(select(m, 3, Path::parse("OBX-6.3"), 1) == "99XYZ");
  CHECK(select(m, 3, Path::parse("OBX-6.4"), 1).empty());
  std::vector<std::size_t> seen;
  for_each_segment(m, Path::parse("OBX[*]-5"), false, [&](std::size_t i) { seen.push_back(i); });
  CHECK(seen == std::vector<std::size_t>{2, 3});
  seen.clear();
  for_each_segment(m, Path::parse("OBX[2]-5"), false, [&](std::size_t i) { seen.push_back(i); });
  CHECK(seen == std::vector<std::size_t>{3});
}

TEST_CASE("escapes: delimiters, hex, formatting") {
  Delimiters d;
  auto dec = [&](std::string_view raw, std::vector<EscapeProblem>* problems = nullptr) {
    std::string out;
    unescape(raw, d, out, problems);
    return out;
  };
  CHECK(dec("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f") == "a|b^c&d~e\\f");
  CHECK(dec("line1\\.br\\line2") == "line1\nline2");
  CHECK(dec("x\\X0D0A\\y") == "x\r\ny");
  CHECK(dec("\\XE682A3\\") == "患");
  CHECK(dec("\\H\\bold\\N\\") == "bold");
  CHECK(dec("a\\.sp 2\\b") == "a\n\nb");
  CHECK(dec("a\\.in+4\\b") == "ab");
  std::vector<EscapeProblem> p;
  CHECK(dec("a\\Q\\b", &p) == "a\\Q\\b");
  REQUIRE(p.size() == 1);
  CHECK(p[0].code == "HL7-ESCAPE-UNKNOWN");
  p.clear();
  CHECK(dec("a\\Fb", &p) == "a\\Fb");
  CHECK(p[0].code == "HL7-ESCAPE-UNTERMINATED");
  p.clear();
  CHECK(dec("\\XFF\\", &p) == "\\XFF\\");
  CHECK(p[0].code == "HL7-ESCAPE-HEX");
  p.clear();
  CHECK(dec("\\Zabc\\", &p) == "\\Zabc\\");
  CHECK(p[0].code == "HL7-ESCAPE-LOCAL");
}

TEST_CASE("escapes: ISO 2022 switches M2442 and C2842 decode JIS X 0208") {
  Delimiters d;
  std::string out;
  std::vector<EscapeProblem> p;
  // 0x3435 0x3C54 = 患者 in JIS X 0208
  unescape("\\M2442\\45<T\\C2842\\ok", d, out, &p);
  CHECK(p.empty());
  CHECK(out == "患者ok");
}

TEST_CASE("escapes: escape() is the inverse of unescape() for text") {
  Delimiters d;
  for (std::string text : {"a|b^c&d~e\\f", "line1\nline2", "plain", "患者|^"}) {
    std::string esc, back;
    escape(text, d, esc);
    unescape(esc, d, back);
    CHECK(back == text);
  }
  // MSH|^~.\&| (escape '.', subcomponent '\', truncation '&'): a line break cannot be
  // "..br." (found by fuzz_message; tests/fuzz/corpus/message/crash-55ebe070...).
  Delimiters dot;
  dot.escape = '.';
  dot.subcomponent = '\\';
  dot.truncation = '&';
  for (std::string text : {"line1\nline2", "a.b\\c&d", "\n"}) {
    std::string esc, back;
    escape(text, dot, esc);
    std::vector<EscapeProblem> problems;
    unescape(esc, dot, back, &problems);
    CHECK(back == text);
    CHECK(problems.empty());
  }
}

TEST_CASE("editor: replace fields and components, untouched segments stay byte for byte") {
  Message m;
  REQUIRE(m.assign(kOru));
  MessageEditor e(m);
  CHECK_FALSE(e.changed());
  CHECK(e.text() == kOru);
  e.set_component(3, 6, 1, 1, "g/dL");
  e.set_field(3, 5, "72");
  e.set_field(2, 20, "X");  // beyond the end: empty fields are added
  e.set_field(0, 2, "bad");  // MSH-2 is never replaced
  std::string out = e.text();
  Message edited;
  REQUIRE(edited.assign(out));
  CHECK(edited.segment(0) == m.segment(0));
  CHECK(edited.segment(1) == m.segment(1));
  CHECK(edited.field(3, 5) == "72");
  CHECK(edited.field(3, 6) == "g/dL^g/dl^99XYZ");
  CHECK(edited.field(3, 7) == "6.70-8.3");
  CHECK(edited.field(2, 20) == "X");
  CHECK(edited.field(2, 19).empty());
  CHECK(e.field(3, 5) == "72");
  CHECK(replace_piece("a^b", '^', 3, "d") == "a^b^^d");
  CHECK(replace_piece("a^b^", '^', 0, "z") == "z^b^");
}
