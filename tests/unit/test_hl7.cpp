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
  CHECK(why == "MSH-2 (encoding characters) is '^~': 2 characters, fewer than the 4 needed (component, repetition, escape, subcomponent)");
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

TEST_CASE("delimiters: every failure names the character and where it is") {
  std::string why;
  CHECK_FALSE(read_delimiters("MSHA^~\\&|", &why));
  CHECK(why == "MSH-1 (field separator) is U+0041 'A', which cannot be a delimiter (a letter or digit)");
  CHECK_FALSE(read_delimiters("MSH\t^~\\&|", &why));
  CHECK(why == "MSH-1 (field separator) is U+0009 (a control character), which cannot be a delimiter (not a printable character)");
  CHECK_FALSE(read_delimiters("MSH|^~\xEF\xBC\xBC&|X", &why));  // FULLWIDTH REVERSE SOLIDUS
  CHECK(why == "MSH-2 (encoding characters) character 3 is U+FF3C '\uFF3C', which cannot be a delimiter (not ASCII)");
  CHECK_FALSE(read_delimiters("MSH|^ \\&|X", &why));
  CHECK(why == "MSH-2 (encoding characters) character 2 is U+0020 (space), which cannot be a delimiter (not a printable character)");
  CHECK_FALSE(read_delimiters("MSH|^^\\&|X", &why));
  CHECK(why == "MSH-2 (encoding characters) character 2 is U+005E '^', the same as character 1");
  CHECK_FALSE(read_delimiters("MSH|^~\\&#!|X", &why));
  CHECK(why == "MSH-2 (encoding characters) character 6 is U+0021 '!', but MSH-2 has at most 5 characters");
  // Bytes of a legacy charset (Shift_JIS 0x815F) are named as bytes, and marked to be judged
  // again after decoding.
  DelimiterReading reading;
  CHECK_FALSE(read_delimiters("MSH|^~\x81\x5F&|X", &why, &reading));
  CHECK(why == "MSH-2 (encoding characters) character 3 is byte 0x81 (not UTF-8), which cannot be a delimiter (not ASCII)");
  CHECK(reading.non_ascii);
  CHECK(reading.character == "byte 0x81 (not UTF-8)");
  REQUIRE(read_delimiters("MSH|^~\\&|X", &why, &reading));
  CHECK_FALSE(reading.non_ascii);
}

TEST_CASE("delimiters: YEN SIGN and OVERLINE in MSH-2 stand for 0x5C and 0x7E (JIS X 0201 Roman)") {
  DelimiterReading reading;
  auto d = read_delimiters("MSH|^~\xC2\xA5&|X", nullptr, &reading);
  REQUIRE(d);
  CHECK(d->escape == '\\');
  CHECK(reading.yen);
  CHECK_FALSE(reading.overline);
  CHECK(reading.msh2_end == 9);
  auto o = read_delimiters("MSH|^\xE2\x80\xBE\xC2\xA5&|X", nullptr, &reading);
  REQUIRE(o);
  CHECK(o->repetition == '~');
  CHECK(o->escape == '\\');
  CHECK(reading.yen);
  CHECK(reading.overline);
  std::string why;
  CHECK_FALSE(read_delimiters("MSH|^~\xC2\xA5\\|X", &why));  // ¥ and \ are the same byte
  CHECK(why == "MSH-2 (encoding characters) character 4 is U+005C '\\', the same as character 3");
  CHECK_FALSE(read_delimiters("MSH\xC2\xA5^~\\&\xC2\xA5X", &why));  // never the field separator
  CHECK(why == "MSH-1 (field separator) is U+00A5 '\u00A5', which cannot be a delimiter (not ASCII)");
}

TEST_CASE("message: a YEN SIGN in MSH-2 makes every YEN SIGN the escape character, recorded") {
  Message m;
  // As glibc iconv decodes "ESC ( J MSH|^~\&|..." (units-fhir.md §3.2): 0x5C became U+00A5.
  REQUIRE(m.assign("MSH|^~\xC2\xA5&|LAB\rOBX|1|NM|||5|10\xC2\xA5S\xC2\xA5" "3/uL\r"));
  CHECK(m.text() == "MSH|^~\\&|LAB\rOBX|1|NM|||5|10\\S\\3/uL\r");
  CHECK(m.jis_roman_undone());
  CHECK(m.msh2_as_sent == "^~\xC2\xA5&");
  CHECK(m.yen_read_as_backslash == 3);
  CHECK(m.overline_read_as_tilde == 0);
  CHECK(decoded(m.field(1, 6), m.delimiters()) == "10^3/uL");
  // OVERLINE for the repetition separator: repetitions come apart again.
  REQUIRE(m.assign("MSH|^\xE2\x80\xBE\xC2\xA5&|LAB\rPID|1||A\xE2\x80\xBE" "B\r"));
  CHECK(m.text() == "MSH|^~\\&|LAB\rPID|1||A~B\r");
  CHECK(m.overline_read_as_tilde == 2);
  CHECK(repetition_count(m, 1, 3) == 2);
  // MSH-2 "^~¥&" with an OVERLINE elsewhere: only what MSH-2 shows is read back.
  REQUIRE(m.assign("MSH|^~\xC2\xA5&|LAB\rNTE|1||\xE2\x80\xBE\r"));
  CHECK(m.text() == "MSH|^~\\&|LAB\rNTE|1||\xE2\x80\xBE\r");
  // A plain message is left alone and says so.
  REQUIRE(m.assign("MSH|^~\\&|LAB\rNTE|1||\xC2\xA5" "100\r"));
  CHECK_FALSE(m.jis_roman_undone());
  CHECK(m.text() == "MSH|^~\\&|LAB\rNTE|1||\xC2\xA5" "100\r");
}

TEST_CASE("framing: a designation ESC ( J or ESC ( B before MSH starts a message") {
  auto v = kinds_and_bytes("\x1B(JMSH|^~\\&|A\rPID|1\r\x1B(BMSH|^~\\&|B\r");
  REQUIRE(v.size() == 2);
  CHECK(v[0] == "M:\x1B(JMSH|^~\\&|A\rPID|1\r");
  CHECK(v[1] == "M:\x1B(BMSH|^~\\&|B\r");
  // The same bytes one at a time.
  CHECK(kinds_and_bytes("\x1B(JMSH|^~\\&|A\rPID|1\r\x1B(BMSH|^~\\&|B\r", 1) == v);
}

TEST_CASE("framing: odd_line marks the first line that cannot begin a segment") {
  auto first_odd = [](const std::string& bytes, std::size_t chunk) {
    auto source = memory_source(bytes);
    Framer framer(*source, FramerOptions{std::size_t{64} << 20, chunk});
    auto f = framer.next();
    REQUIRE(f);
    return f->odd_line;
  };
  for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{1} << 20}) {
    CAPTURE(chunk);
    CHECK(first_odd("MSH|^~\\&|A\rPID|1\rOBX|1\rZ01\r", chunk) == 0);
    CHECK(first_odd("MSH|^~\\&|A\rPID|1\r\x1B(BOBX|1\r", chunk) == 0);
    const std::string junk = "MSH|^~\\&|A\rPID|1\r\x89PNG\r\n\x1A\n";
    CHECK(first_odd(junk, chunk) == 17);
    CHECK(first_odd("MSH|^~\\&|A\rOBX|1|TX|||a\nmore\r", chunk) == 24);
    CHECK(first_odd("MSH|^~\\&|A\rpid|1\r", chunk) == 11);  // segment IDs are upper case
  }
  CHECK(begins_segment("OBX|1", '|'));
  CHECK(begins_segment("NTE", '|'));
  CHECK(begins_segment("ZZ1\r", '|'));
  CHECK(begins_segment("\x1B(JOBX|", '|'));
  CHECK_FALSE(begins_segment("OBX#1", '|'));
  CHECK_FALSE(begins_segment("\x1B$B4A", '|'));
  CHECK_FALSE(begins_segment("OB", '|', false));   // too few bytes yet: undecided
  CHECK_FALSE(begins_segment("OBX", '|', false));
  CHECK(is_binary_byte(0x00));
  CHECK(is_binary_byte(0x1A));
  CHECK(is_binary_byte(0x7F));
  CHECK_FALSE(is_binary_byte('\t'));
  CHECK_FALSE(is_binary_byte(0x1B));  // ESC: ISO-2022-JP
  CHECK_FALSE(is_binary_byte(0x0E));  // SO: JIS7 katakana
  CHECK_FALSE(is_binary_byte(0x89));
}

TEST_CASE("Message::value answers field, repetition, component and subcomponent from one index") {
  Message m;
  REQUIRE(m.assign("MSH|^~\\&|APP|FAC|||20240101||OML^O33^OML_O33|1|P|2.5\r"
                   "PID|1||123^^^FAC^PI~456^^^OTHER^PI||山田^太郎||19600101|F\r"
                   "OBX|1|CWE|A&B^text^L||x|||||F\r"));
  CHECK(m.field(0, 1) == "|");
  CHECK(m.field(0, 2) == "^~\\&");
  CHECK(m.value(0, 2, 1, 1) == "^~\\&");  // delimiters are not split
  CHECK(m.field(0, 9) == "OML^O33^OML_O33");
  CHECK(m.value(1, 3, 0) == "123^^^FAC^PI~456^^^OTHER^PI");
  CHECK(m.value(1, 3, 1) == "123^^^FAC^PI");
  CHECK(m.value(1, 3, 2, 4) == "OTHER");
  CHECK(m.value(1, 3, 3, 1).empty());  // no third repetition
  CHECK(m.value(1, 5, 1, 2) == "太郎");
  CHECK(m.value(2, 3, 1, 1) == "A&B");
  CHECK(m.value(2, 3, 1, 1, 2) == "B");
  CHECK(m.value(2, 10, 1) == "F");
  CHECK(m.value(2, 11, 1).empty());  // past the last field
  CHECK(m.field_count(0) == 12);
  CHECK(m.field_count(1) == 8);
  CHECK(m.field_count(2) == 10);
  // Every field agrees with splitting the segment by hand.
  for (std::size_t s = 0; s < m.segment_count(); ++s)
    for (std::size_t f = 1; f <= m.field_count(s) + 1; ++f) {
      const std::size_t piece = m.is_msh(s) ? f - 1 : f;
      if (m.is_msh(s) && f == 1) continue;
      CHECK(m.field(s, f) == nth_piece(m.segment(s), '|', piece));
    }
}

TEST_CASE("Message::message_type: MSH-9 code, event and structure") {
  Message m;
  REQUIRE(m.assign("MSH|^~\\&|A|B|||20240101||ADT^A08|1|P|2.5\rPID|1\r"));
  const MessageType t = m.message_type();
  CHECK(t.code == "ADT");
  CHECK(t.event == "A08");
  CHECK(t.structure.empty());
  CHECK(t.type_event() == "ADT^A08");
  Message none;
  REQUIRE(none.assign("MSH|^~\\&|A|B|||20240101|||1|P|2.5\r"));
  CHECK(none.message_type().type_event() == "^");
}

TEST_CASE("parse_dtm: HL7 v2.5 DTM with its precision and offset") {
  Dtm d = parse_dtm("20240229153000.12+0900");
  CHECK(d.ok());
  CHECK(d.digits == 14);
  CHECK(d.year == 2024);
  CHECK(d.month == 2);
  CHECK(d.day == 29);
  CHECK(d.hour == 15);
  CHECK(d.fraction == "12");
  CHECK(d.has_offset);
  CHECK(d.offset_minutes == 540);
  CHECK(parse_dtm("2024").digits == 4);
  CHECK(parse_dtm("202402").ok());
  CHECK(parse_dtm("20230229").status == DtmStatus::bad_value);   // not a leap year
  CHECK(parse_dtm("2024022").status == DtmStatus::bad_format);   // odd digits
  CHECK(parse_dtm("20240101120000.1234").ok());
  CHECK(parse_dtm("20240101120000.12345").status == DtmStatus::bad_format);
  CHECK(parse_dtm("202401011200.5").status == DtmStatus::bad_format);  // fraction needs seconds
  CHECK(parse_dtm("2024010125").status == DtmStatus::hour_24_47);
  CHECK(parse_dtm("2024010148").status == DtmStatus::bad_value);
  CHECK(parse_dtm("20240101-0330").offset_minutes == -210);
  CHECK(parse_dtm("20240101+1400").ok());
  CHECK(parse_dtm("20240101+1430").status == DtmStatus::bad_value);
  CHECK(parse_dtm("20240101+09").status == DtmStatus::bad_format);
  CHECK(parse_dtm("20240101", 8).ok());
  CHECK(parse_dtm("2024010112", 8).status == DtmStatus::bad_format);  // DT: no time
  CHECK(parse_dtm("00000101").status == DtmStatus::bad_value);
}

TEST_CASE("append_dt: YYYYMMDD cut to 4, 6 or 8 digits; years outside 0-9999 append nothing") {
  using std::chrono::day;
  using std::chrono::month;
  using std::chrono::year;
  using std::chrono::year_month_day;
  std::string out = "x";
  CHECK(append_dt(out, year_month_day{year{2024}, month{2}, day{9}}));
  CHECK(out == "x20240209");
  out.clear();
  CHECK(append_dt(out, year_month_day{year{987}, month{12}, day{31}}, 6));
  CHECK(out == "098712");
  out.clear();
  CHECK(append_dt(out, year_month_day{year{0}, month{1}, day{1}}, 4));
  CHECK(out == "0000");
  out = "x";
  CHECK_FALSE(append_dt(out, year_month_day{year{10000}, month{1}, day{1}}));
  CHECK_FALSE(append_dt(out, year_month_day{year{-1}, month{12}, day{31}}));
  CHECK(out == "x");
  // The inverse of parse_dtm's date part.
  out.clear();
  Dtm d = parse_dtm("19991231");
  REQUIRE(d.ok());
  CHECK(append_dt(out, year_month_day{year{d.year}, month{static_cast<unsigned>(d.month)}, day{static_cast<unsigned>(d.day)}}));
  CHECK(out == "19991231");
}

TEST_CASE("SegmentBuilder: fields by number, MSH-1 and MSH-2 from the delimiters, CR at the end") {
  std::string text;
  {
    hl7::SegmentBuilder msh(text, "MSH");
    msh.field(3, "HIS").more("H01").field(7, "20240101120000").field(9, "ADT^A08^ADT_A01").field(12, "2.5");
  }
  {
    hl7::SegmentBuilder pid(text, "PID");
    pid.field(3, "0001").more("^^^^PI").text(5, "山田|太郎^様 & 100% \\ ~");
    pid.field(5, "^X");  // a number not past the current field appends to it
  }
  hl7::SegmentBuilder(text, "PV1").field(2, "O");
  CHECK(text == "MSH|^~\\&|HISH01||||20240101120000||ADT^A08^ADT_A01|||2.5\r"
                "PID|||0001^^^^PI||山田\\F\\太郎\\S\\様 \\T\\ 100% \\E\\ \\R\\^X\r"
                "PV1||O\r");
  Message m;
  REQUIRE(m.assign(text));
  CHECK(m.segment_count() == 3);
  CHECK(m.field(0, 3) == "HISH01");
  CHECK(m.field(0, 9) == "ADT^A08^ADT_A01");
  CHECK(m.field(0, 12) == "2.5");
  CHECK(decoded(nth_piece(m.field(1, 5), '^', 0), m.delimiters()) == "山田|太郎^様 & 100% \\ ~");
  CHECK(m.field(2, 2) == "O");
}

TEST_CASE("SegmentBuilder: other delimiters, a truncation character, escaped() and decoded()") {
  Delimiters d;
  d.field = '#';
  d.component = '$';
  d.repetition = '*';
  d.escape = '!';
  d.subcomponent = '%';
  d.truncation = '+';
  std::string text;
  { hl7::SegmentBuilder(text, "MSH", d).field(3, "A").field(4, "B"); }
  { hl7::SegmentBuilder(text, "OBX", d).text(5, "a#b$c"); }
  CHECK(text == "MSH#$*!%+#A#B\rOBX#####a!F!b!S!c\r");
  Message m;
  REQUIRE(m.assign(text));
  CHECK(m.delimiters().field == '#');
  CHECK(m.delimiters().truncation == '+');
  CHECK(m.field(0, 4) == "B");
  CHECK(decoded(m.field(1, 5), m.delimiters()) == "a#b$c");
  CHECK(escaped("a|b", Delimiters{}) == "a\\F\\b");
  CHECK(decoded(escaped("x^y&z~w\\v|u"), Delimiters{}) == "x^y&z~w\\v|u");
}
