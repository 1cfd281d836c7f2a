// Unit tests for lib/charset: detection, conversion to UTF-8, findings, HL7 ISO-2022 escapes.
#include <doctest/doctest.h>

#include <iconv.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "smx/charset.hpp"

using smx::Charset;
using smx::CharsetFinding;

namespace {

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// glibc iconv(3): the reference decoder the ISO-2022-JP output must equal.
bool iconv_to_utf8(const std::string& bytes, const char* from, std::string& out) {
  iconv_t handle = iconv_open("UTF-8", from);
  if (handle == reinterpret_cast<iconv_t>(-1)) return false;
  std::string input = bytes;
  out.assign(bytes.size() * 4 + 16, '\0');
  char* in_pointer = input.data();
  std::size_t in_left = input.size();
  char* out_pointer = out.data();
  std::size_t out_left = out.size();
  std::size_t result = iconv(handle, &in_pointer, &in_left, &out_pointer, &out_left);
  if (result != static_cast<std::size_t>(-1))
    result = iconv(handle, nullptr, nullptr, &out_pointer, &out_left);
  iconv_close(handle);
  out.resize(out.size() - out_left);
  return result != static_cast<std::size_t>(-1) && in_left == 0;
}

// Re-encodes ISO-2022-JP (ASCII + JIS X 0208 only) as EUC-JP: same JIS codes, high bit set.
std::string iso2022jp_to_euc_jp(const std::string& bytes) {
  std::string euc;
  bool double_byte = false;
  for (std::size_t i = 0; i < bytes.size();) {
    if (bytes[i] == '\x1B' && i + 2 < bytes.size()) {
      double_byte = bytes[i + 1] == '$';
      i += 3;
      continue;
    }
    auto byte = static_cast<unsigned char>(bytes[i]);
    euc.push_back(static_cast<char>(double_byte && byte >= 0x21 && byte <= 0x7E ? byte | 0x80 : byte));
    ++i;
  }
  return euc;
}

std::vector<std::filesystem::path> corpus_files(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory))
    if (entry.is_regular_file()) files.push_back(entry.path());
  return files;
}

const std::filesystem::path dtt_root = std::filesystem::path(SMX_CORPUS) / "ssmix2-dtt";

std::string convert(std::string_view bytes, Charset charset, std::vector<CharsetFinding>& findings,
                    bool expect_ok = true) {
  std::string out;
  bool ok = smx::to_utf8(bytes, charset, out, findings);
  CHECK(ok == expect_ok);
  return out;
}

int count_code(const std::vector<CharsetFinding>& findings, std::string_view code) {
  int count = 0;
  for (const auto& finding : findings) count += finding.code == code ? 1 : 0;
  return count;
}

}  // namespace

TEST_SUITE("charset") {

TEST_CASE("charset names round-trip through charset_from_name") {
  for (Charset charset : {Charset::ascii, Charset::utf8, Charset::iso2022jp, Charset::shift_jis, Charset::euc_jp})
    CHECK(smx::charset_from_name(smx::charset_name(charset)) == charset);
  CHECK(smx::charset_name(Charset::shift_jis) == "Shift_JIS");
  CHECK(smx::charset_name(Charset::unknown) == "unknown");
  CHECK(smx::charset_from_name("no-such-charset") == Charset::unknown);
  CHECK(smx::charset_from_name("") == Charset::unknown);
}

TEST_CASE("charset_from_name understands MSH-18 / MSH-20 spellings") {
  CHECK(smx::charset_from_name("ISO IR87") == Charset::iso2022jp);
  CHECK(smx::charset_from_name("~ISO IR87") == Charset::iso2022jp);
  CHECK(smx::charset_from_name("~ISOIR87") == Charset::iso2022jp);
  CHECK(smx::charset_from_name("ISO IR6~ISO IR87") == Charset::iso2022jp);
  CHECK(smx::charset_from_name("ISO 2022-1994") == Charset::iso2022jp);
  CHECK(smx::charset_from_name("iso2022-1994") == Charset::iso2022jp);
  CHECK(smx::charset_from_name("UNICODE UTF-8") == Charset::utf8);
  CHECK(smx::charset_from_name("utf8") == Charset::utf8);
  CHECK(smx::charset_from_name("SHIFT_JIS") == Charset::shift_jis);
  CHECK(smx::charset_from_name("windows-31j") == Charset::shift_jis);
  CHECK(smx::charset_from_name("euc-jp") == Charset::euc_jp);
  CHECK(smx::charset_from_name("ISO IR6") == Charset::ascii);
  CHECK(smx::charset_from_name("us-ascii") == Charset::ascii);
}

TEST_CASE("is_ascii finds a high byte at every position and length") {
  for (std::size_t length = 0; length < 70; ++length) {
    std::string text(length, 'a');
    CHECK(smx::is_ascii(text));
    for (std::size_t position = 0; position < length; ++position) {
      std::string high = text;
      high[position] = '\x80';
      CHECK_FALSE(smx::is_ascii(high));
    }
  }
}

TEST_CASE("is_valid_utf8 accepts UTF-8 and rejects malformed sequences") {
  CHECK(smx::is_valid_utf8(""));
  CHECK(smx::is_valid_utf8("\xE6\xA4\x9C\xE6\x9F\xBB"));  // 検査
  CHECK_FALSE(smx::is_valid_utf8("\xC3\x28"));              // bad continuation
  CHECK_FALSE(smx::is_valid_utf8("\xC0\xAF"));              // overlong '/'
  CHECK_FALSE(smx::is_valid_utf8("\xED\xA0\x80"));          // surrogate
  CHECK_FALSE(smx::is_valid_utf8("\xE6\xA4"));              // truncated
}

TEST_CASE("detect: ASCII, UTF-8 and the UTF-8 BOM") {
  CHECK(smx::detect_charset("MSH|^~\\&|A\rPID|||1\r") == Charset::ascii);
  CHECK(smx::detect_charset("") == Charset::ascii);
  CHECK(smx::detect_charset("PID|||\xE5\xB1\xB1\xE7\x94\xB0\r") == Charset::utf8);
  CHECK(smx::detect_charset("\xEF\xBB\xBFMSH|") == Charset::utf8);
  // MSH-18 does not override what the bytes say.
  CHECK(smx::detect_charset("PID|\xE5\xB1\xB1", "SHIFT_JIS") == Charset::utf8);
}

TEST_CASE("detect: every ISO-2022-JP designation") {
  for (const char* escape : {"\x1B$B", "\x1B$@", "\x1B(B", "\x1B(J", "\x1B(I"}) {
    std::string bytes = std::string("MSH|") + escape + "0!";
    CHECK(smx::detect_charset(bytes) == Charset::iso2022jp);
  }
  // An unknown or truncated escape goes to the ISO-2022-JP decoder, which refuses it, so it is
  // reported instead of passing as ASCII.
  for (const char* bad : {"MSH|\x1B[0m", "MSH|\x1B$"}) {
    CHECK(smx::detect_charset(bad) == Charset::iso2022jp);
    std::string out;
    std::vector<smx::CharsetFinding> findings;
    CHECK_FALSE(smx::to_utf8(bad, Charset::iso2022jp, out, findings));
  }
}

TEST_CASE("detect: Shift_JIS only, EUC-JP only, neither") {
  CHECK(smx::detect_charset("\x82\xA0\x8C\x9F\x8D\xB8") == Charset::shift_jis);  // あ検査 (SJIS)
  CHECK(smx::detect_charset("\xA1\xFE") == Charset::euc_jp);  // 0xFE cannot follow in CP932
  CHECK(smx::detect_charset("\xB4\xC1\xBB\xFA") == Charset::euc_jp);  // 漢字: ends in a CP932 lead
  CHECK(smx::detect_charset("\x80\xFF") == Charset::unknown);
  CHECK(smx::detect_charset("abc\x82") == Charset::unknown);  // truncated lead, odd EUC
}

TEST_CASE("detect: MSH-18 breaks the Shift_JIS / EUC-JP tie") {
  std::string both = "\xB8\xA1\xBA\xBA";  // 検査 in EUC-JP, four half-width kana in CP932
  CHECK(smx::detect_charset(both) == Charset::shift_jis);
  CHECK(smx::detect_charset(both, "EUC-JP") == Charset::euc_jp);
  CHECK(smx::detect_charset(both, "euc-jp") == Charset::euc_jp);
  CHECK(smx::detect_charset(both, "~EUC-JP") == Charset::euc_jp);
  CHECK(smx::detect_charset(both, "SHIFT_JIS") == Charset::shift_jis);
  CHECK(smx::detect_charset(both, "~ISO IR87") == Charset::shift_jis);
  // A hint never turns an impossible structure into a charset.
  CHECK(smx::detect_charset("\x82\xA0", "EUC-JP") == Charset::shift_jis);
}

TEST_CASE("ISO-2022-JP: every DTT file under 999 decodes exactly like iconv") {
  auto files = corpus_files(dtt_root / "999");
  if (files.empty()) {
    MESSAGE("corpus not found, skipped: " << (dtt_root / "999").string());
    return;
  }
  CHECK(files.size() >= 19);
  for (const auto& path : files) {
    CAPTURE(path.string());
    std::string bytes = read_bytes(path);
    CHECK(smx::detect_charset(bytes, "~ISO IR87") == Charset::iso2022jp);
    std::string expected;
    REQUIRE(iconv_to_utf8(bytes, "ISO-2022-JP", expected));
    std::vector<CharsetFinding> findings;
    std::string actual = convert(bytes, Charset::iso2022jp, findings);
    CHECK(actual == expected);
    CHECK(findings.empty());  // the guideline samples are strict JIS X 0208
  }
}

TEST_CASE("EUC-JP: DTT files re-encoded as EUC-JP decode like the ISO-2022-JP originals") {
  auto files = corpus_files(dtt_root / "999");
  if (files.empty()) return;
  for (const auto& path : files) {
    CAPTURE(path.string());
    std::string bytes = read_bytes(path);
    std::string euc = iso2022jp_to_euc_jp(bytes);
    std::string expected;
    REQUIRE(iconv_to_utf8(euc, "EUC-JP", expected));
    std::vector<CharsetFinding> findings;
    CHECK(convert(euc, Charset::euc_jp, findings) == expected);
    std::vector<CharsetFinding> iso_findings;
    CHECK(convert(bytes, Charset::iso2022jp, iso_findings) == expected);
  }
}

TEST_CASE("ISO-2022-JP: JIS X 0208 codes that ICU maps the Microsoft way get the JIS mapping") {
  std::vector<CharsetFinding> findings;
  // 〜 ‖ − ¢ £ ¬ (JIS X 0208 0x2141 0x2142 0x215D 0x2171 0x2172 0x224C)
  std::string out = convert("\x1B$B!A!B!]!q!r\"L\x1B(B", Charset::iso2022jp, findings);
  CHECK(out == "\u301C\u2016\u2212\u00A2\u00A3\u00AC");
  CHECK(findings.empty());
  // The same codes in EUC-JP.
  CHECK(convert("\xA1\xC1\xA1\xDD\xA2\xCC", Charset::euc_jp, findings) == "\u301C\u2212\u00AC");
  // Shift_JIS is CP932, whose definition is the Microsoft mapping.
  CHECK(convert("\x81\x60\x81\x7C", Charset::shift_jis, findings) == "\uFF5E\uFF0D");
}

TEST_CASE("ISO-2022-JP: ESC $ @ (JIS C 6226-1978) and ASCII around kanji") {
  std::vector<CharsetFinding> findings;
  CHECK(convert("PID|\x1B$@0!\x1B(B|", Charset::iso2022jp, findings) == "PID|\u4E9C|");
  CHECK(convert("a\x1B$B4A;z\x1B(Bb", Charset::iso2022jp, findings) == "a\u6F22\u5B57b");
  CHECK(findings.empty());
}

TEST_CASE("ISO-2022-JP: ESC ( J keeps backslash and tilde and is reported") {
  std::vector<CharsetFinding> findings;
  std::string bytes = "MSH|\x1B(J^~\\&|X\x1B(B|";
  std::string out = convert(bytes, Charset::iso2022jp, findings);
  CHECK(out == "MSH|^~\\&|X|");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "CHARSET-JIS-ROMAN");
  CHECK(findings[0].offset == 4);
}

TEST_CASE("ISO-2022-JP: half-width katakana via ESC ( I and SO/SI") {
  std::vector<CharsetFinding> findings;
  // ｱｲ then ASCII: one finding for the run, at the first kana byte.
  CHECK(convert("AB\x1B(I12\x1B(BC", Charset::iso2022jp, findings) == "AB\uFF71\uFF72C");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "CHARSET-HALFWIDTH-KANA");
  CHECK(findings[0].offset == 5);
  findings.clear();
  CHECK(convert("a\x0E" "1\x0F" "b", Charset::iso2022jp, findings) == "a\uFF71b");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "CHARSET-HALFWIDTH-KANA");
  CHECK(findings[0].offset == 2);
}

TEST_CASE("ISO-2022-JP: NEC row 13 is kept and reported; user-defined rows fail") {
  std::vector<CharsetFinding> findings;
  CHECK(convert("x\x1B$B-!\x1B(B", Charset::iso2022jp, findings) == "x\u2460");  // ①
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "CHARSET-CP932-EXT");
  CHECK(findings[0].offset == 4);
  findings.clear();
  std::string out = "kept";
  CHECK_FALSE(smx::to_utf8("\x1B$Bu!\x1B(B", Charset::iso2022jp, out, findings));  // row 85
  CHECK(out == "kept");
  CHECK(count_code(findings, "CHARSET-USER-DEFINED") == 1);
  CHECK(count_code(findings, "CHARSET-INVALID") == 1);
  CHECK(findings[0].offset == 3);
}

TEST_CASE("ISO-2022-JP: a line end inside a kanji run keeps the set, as iconv reads it") {
  std::string bytes = "\x1B$B0!\r0!\x1B(B";
  std::string expected;
  REQUIRE(iconv_to_utf8(bytes, "ISO-2022-JP", expected));
  std::vector<CharsetFinding> findings;
  CHECK(convert(bytes, Charset::iso2022jp, findings) == expected);
  CHECK(expected == "\u4E9C\r\u4E9C");
  // Remapped codes after an inserted re-designation still land on the right character.
  CHECK(convert("\x1B$B0!\r\n!]\x1B(B", Charset::iso2022jp, findings) == "\u4E9C\r\n\u2212");
}

TEST_CASE("ISO-2022-JP: malformed input fails with an offset and appends nothing") {
  struct Case {
    std::string bytes;
    std::size_t offset;
  };
  for (const Case& bad : {Case{"abc\x1B$", 3}, Case{"abc\x1B", 3}, Case{"ab\x1B$B0", 5},
                          Case{"a\x1B$B0!\xB1\x1B(B", 6}, Case{"a\x1B-A", 1}, Case{"\x1B$(", 0},
                          Case{"x\x1B$B/!\x1B(B", 4}}) {  // row 15 is unassigned in JIS X 0208
    CAPTURE(bad.bytes);
    std::vector<CharsetFinding> findings;
    std::string out = "prefix";
    CHECK_FALSE(smx::to_utf8(bad.bytes, Charset::iso2022jp, out, findings));
    CHECK(out == "prefix");
    REQUIRE(count_code(findings, "CHARSET-INVALID") == 1);
    CHECK(findings.back().offset == bad.offset);
  }
}

TEST_CASE("Shift_JIS: CP932 extensions, half-width kana and user-defined characters") {
  std::vector<CharsetFinding> findings;
  // A ｱｲ ① 纊 ⅰ <U+E000>
  std::string bytes = "A\xB1\xB2\x87\x40\xED\x40\xFA\x40\xF0\x40";
  std::string out = convert(bytes, Charset::shift_jis, findings);
  CHECK(out == "A\uFF71\uFF72\u2460\u7E8A\u2170\uE000");
  REQUIRE(findings.size() == 5);
  CHECK(findings[0].code == "CHARSET-HALFWIDTH-KANA");
  CHECK(findings[0].offset == 1);
  CHECK(findings[1].code == "CHARSET-CP932-EXT");
  CHECK(findings[1].offset == 3);
  CHECK(findings[2].code == "CHARSET-CP932-EXT");
  CHECK(findings[2].offset == 5);
  CHECK(findings[3].code == "CHARSET-CP932-EXT");
  CHECK(findings[3].offset == 7);
  CHECK(findings[4].code == "CHARSET-USER-DEFINED");
  CHECK(findings[4].offset == 9);
  // Backslash and tilde are ASCII in CP932 (HL7 delimiters).
  findings.clear();
  CHECK(convert("^~\\&", Charset::shift_jis, findings) == "^~\\&");
  CHECK(findings.empty());
}

TEST_CASE("Shift_JIS: invalid bytes fail and keep out unchanged") {
  for (std::string bad : {std::string("ab\x81"), std::string("\x80"), std::string("a\xFF"),
                          std::string("\x85\x40")}) {  // 0x8540: unassigned row 9
    CAPTURE(bad);
    std::vector<CharsetFinding> findings;
    std::string out = "x";
    CHECK_FALSE(smx::to_utf8(bad, Charset::shift_jis, out, findings));
    CHECK(out == "x");
    CHECK(count_code(findings, "CHARSET-INVALID") == 1);
  }
}

TEST_CASE("the DTT negative fixture 0xFB 0xFC is CP932 (IBM extension), not ISO-2022-JP") {
  std::string bytes = "\xFB\xFC";
  auto fixture = dtt_root / "000/000/0000001/20000401/ADT-31";
  for (const auto& path : corpus_files(fixture)) bytes = read_bytes(path);
  REQUIRE(bytes == "\xFB\xFC");
  CHECK(smx::detect_charset(bytes) == Charset::shift_jis);
  std::vector<CharsetFinding> findings;
  CHECK(convert(bytes, Charset::shift_jis, findings) == "\u9AD9");  // 髙
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].code == "CHARSET-CP932-EXT");
  CHECK(findings[0].offset == 0);
  findings.clear();
  convert(bytes, Charset::iso2022jp, findings, false);
  CHECK(count_code(findings, "CHARSET-INVALID") == 1);
}

TEST_CASE("EUC-JP: kanji, SS2 katakana, SS3 JIS X 0212") {
  std::vector<CharsetFinding> findings;
  std::string out = convert("\xB4\xC1\xBB\xFA\x8E\xB1\x8F\xB0\xA1", Charset::euc_jp, findings);
  CHECK(out == "\u6F22\u5B57\uFF71\u4E02");
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].code == "CHARSET-HALFWIDTH-KANA");
  CHECK(findings[0].offset == 4);
  CHECK(findings[1].code == "CHARSET-JISX0212");
  CHECK(findings[1].offset == 6);
  std::string kept = "k";
  CHECK_FALSE(smx::to_utf8("\xB4", Charset::euc_jp, kept, findings));
  CHECK(kept == "k");
}

TEST_CASE("UTF-8 and ASCII copy through; invalid input fails") {
  std::vector<CharsetFinding> findings;
  std::string out = "<";
  CHECK(smx::to_utf8("\xEF\xBB\xBFPID|\xE6\xA4\x9C", Charset::utf8, out, findings));
  CHECK(out == "<\xEF\xBB\xBFPID|\xE6\xA4\x9C");  // the BOM is the caller's business
  CHECK(findings.empty());
  out.clear();
  CHECK_FALSE(smx::to_utf8("PID|\xC3\x28", Charset::utf8, out, findings));
  CHECK(out.empty());
  CHECK(count_code(findings, "CHARSET-INVALID") == 1);
  findings.clear();
  CHECK_FALSE(smx::to_utf8("PID|\xC3\xA9", Charset::ascii, out, findings));
  CHECK(smx::to_utf8("PID|x", Charset::ascii, out, findings));
  CHECK(out == "PID|x");
  CHECK_FALSE(smx::to_utf8("PID|x", Charset::unknown, out, findings));
}

TEST_CASE("UTF-8: half-width katakana and private-use characters are reported") {
  std::vector<CharsetFinding> findings;
  convert("a\uFF71\uFF72b\uE000", Charset::utf8, findings);
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].code == "CHARSET-HALFWIDTH-KANA");
  CHECK(findings[0].offset == 1);
  CHECK(findings[1].code == "CHARSET-USER-DEFINED");
  CHECK(findings[1].offset == 8);
}

TEST_CASE("HL7 escapes: \\M2442\\ and \\C....\\ fragments") {
  std::string out;
  CHECK(smx::iso2022_fragment_to_utf8("2442", "0!4A", out));
  CHECK(out == "\u4E9C\u6F22");
  out.clear();
  CHECK(smx::iso2022_fragment_to_utf8("2440", "0!", out));
  CHECK(out == "\u4E9C");
  out.clear();
  CHECK(smx::iso2022_fragment_to_utf8("2849", "12", out));
  CHECK(out == "\uFF71\uFF72");
  out.clear();
  CHECK(smx::iso2022_fragment_to_utf8("2842", "abc", out));
  CHECK(out == "abc");
  out.clear();
  CHECK(smx::iso2022_fragment_to_utf8("284a", "\\~", out));
  CHECK(out == "\\~");
  out.clear();
  CHECK(smx::iso2022_fragment_to_utf8("242844", "0!", out));  // JIS X 0212 丂
  CHECK(out == "\u4E02");
  out.assign(1, 'x');
  CHECK_FALSE(smx::iso2022_fragment_to_utf8("2441", "0!", out));  // ESC $ A: GB 2312
  CHECK_FALSE(smx::iso2022_fragment_to_utf8("24", "0!", out));
  CHECK_FALSE(smx::iso2022_fragment_to_utf8("24ZZ", "0!", out));
  CHECK_FALSE(smx::iso2022_fragment_to_utf8("2442", "0", out));  // half a kanji
  CHECK(out == "x");
}

TEST_CASE("a failed conversion leaves no shift state behind for the next message") {
  std::vector<CharsetFinding> findings;
  std::string out;
  CHECK_FALSE(smx::to_utf8("\x1B$B0!/!", Charset::iso2022jp, out, findings));
  CHECK(smx::to_utf8("0!", Charset::iso2022jp, out, findings));
  CHECK(out == "0!");
  out.clear();
  CHECK_FALSE(smx::to_utf8("\x82", Charset::shift_jis, out, findings));
  CHECK(smx::to_utf8("\x82\xA0", Charset::shift_jis, out, findings));
  CHECK(out == "\u3042");
}

TEST_CASE("detect agrees with the corpus MANIFEST for the SS-MIX2 DTT files") {
  std::ifstream manifest(std::filesystem::path(SMX_CORPUS) / "MANIFEST.tsv");
  if (!manifest) return;
  std::string line;
  int checked = 0;
  while (std::getline(manifest, line)) {
    if (line.rfind("ssmix2-dtt/", 0) != 0) continue;
    if (line.size() < 12 || line.compare(line.size() - 11, 11, "iso-2022-jp") != 0) continue;
    std::string path = line.substr(0, line.find('\t'));
    CAPTURE(path);
    CHECK(smx::detect_charset(read_bytes(std::filesystem::path(SMX_CORPUS) / path)) == Charset::iso2022jp);
    ++checked;
  }
  CHECK(checked >= 19);
}

TEST_CASE("conversion is safe from several threads at once") {
  std::string bytes = "PID|\x1B$B;3ED\x1B(B^\x1B$BB@O:\x1B(B|\x1B(I1\x1B(B";
  std::string expected;
  std::vector<CharsetFinding> findings;
  REQUIRE(smx::to_utf8(bytes, Charset::iso2022jp, expected, findings));
  CHECK(expected == "PID|\u5C71\u7530^\u592A\u90CE|\uFF71");
  std::vector<int> failures(2, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string out;
        std::vector<CharsetFinding> local;
        if (!smx::to_utf8(bytes, Charset::iso2022jp, out, local) || out != expected) ++failures[t];
        out.clear();
        if (!smx::to_utf8("\x87\x40", Charset::shift_jis, out, local) || out != "\u2460") ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures[0] == 0);
  CHECK(failures[1] == 0);
}

}  // TEST_SUITE

// ---------------------------------------------------------------------------------------------
// CharsetEncoder: UTF-8 -> ISO-2022-JP / CP932 one character at a time (smx gen's writer).

namespace {
std::string encode_with(smx::CharsetEncoder& encoder, std::string_view utf8) {
  std::string out;
  REQUIRE(encoder.encode(utf8, out));
  return out;
}
std::string decode_as(const std::string& bytes, Charset charset) {
  std::string out;
  std::vector<CharsetFinding> findings;
  REQUIRE(smx::to_utf8(bytes, charset, out, findings));
  CHECK(findings.empty());
  return out;
}
}  // namespace

TEST_CASE("CharsetEncoder: ISO-2022-JP and CP932 round-trip through to_utf8") {
  // Kanji, kana, full-width forms, Greek, symbols, the JIS forms ICU maps the Microsoft way (〜 −
  // ‖ ¢ £ ¬), ASCII between the runs and HL7 delimiters.
  const std::string jis = "PID|0001||患者^太郎~カンジャ^タロウ|ｍｇ／ｄｌ ×10^4/μl 6.6〜8.1 γ−ＧＴ ℃ 々 ‖¢£¬\r";
  smx::CharsetEncoder iso(Charset::iso2022jp);
  const std::string iso_bytes = encode_with(iso, jis);
  CHECK(decode_as(iso_bytes, Charset::iso2022jp) == jis);
  // The same bytes ICU writes for the whole text at once (ESC $ B / ESC ( B around every run).
  std::string whole;
  REQUIRE(smx::from_utf8(jis, Charset::iso2022jp, whole));
  CHECK(iso_bytes == whole);
  CHECK(encode_with(iso, jis) == iso_bytes);  // again, from the cache
  // CP932 decodes ～ and － the Microsoft way: text in those forms round-trips.
  const std::string cp932 = "患者 ｍｇ／ｄｌ ×10^4/μl 6.6～8.1 γ－ＧＴ ℃ \\~";
  smx::CharsetEncoder sjis(Charset::shift_jis);
  const std::string sjis_bytes = encode_with(sjis, cp932);
  CHECK(decode_as(sjis_bytes, Charset::shift_jis) == cp932);
  std::string whole_sjis;
  REQUIRE(smx::from_utf8(cp932, Charset::shift_jis, whole_sjis));
  CHECK(sjis_bytes == whole_sjis);
}

TEST_CASE("CharsetEncoder: each run of JIS X 0208 characters between ESC $ B and ESC ( B") {
  smx::CharsetEncoder iso(Charset::iso2022jp);
  // 患 = JIS 0x3435, 者 = 0x3C54 (JIS X 0208 row 20 and 28).
  CHECK(encode_with(iso, "A患者B患C") == "A\x1B$B45<T\x1B(BB\x1B$B45\x1B(B" "C");
  CHECK(encode_with(iso, "患") == "\x1B$B45\x1B(B");
  CHECK(encode_with(iso, "ascii only") == "ascii only");
  CHECK(encode_with(iso, "").empty());
  smx::CharsetEncoder sjis(Charset::shift_jis);
  CHECK(encode_with(sjis, "A患者") == "A\x8A\xB3\x8E\xD2");
}

TEST_CASE("CharsetEncoder: refuses what the charset cannot carry, and invalid UTF-8") {
  std::string out = "keep";
  smx::CharsetEncoder iso(Charset::iso2022jp);
  CHECK_FALSE(iso.encode("患者ｶﾀｶﾅ", out));  // half-width katakana: not JIS X 0208
  CHECK(iso.failed_character() == "ｶ");
  CHECK(out == "keep");
  CHECK_FALSE(iso.encode("a😀", out));
  CHECK(iso.failed_character() == "😀");
  CHECK_FALSE(iso.encode("a\xE6\x82", out));  // truncated sequence
  CHECK(iso.failed_character().empty());
  CHECK_FALSE(iso.encode("\xC0\xAF", out));  // overlong '/'
  CHECK_FALSE(iso.encode("\xED\xA0\x80", out));  // a surrogate
  CHECK(out == "keep");
  CHECK(iso.encode("患", out));  // a failure leaves nothing behind
  CHECK(out == "keep\x1B$B45\x1B(B");
  smx::CharsetEncoder sjis(Charset::shift_jis);
  out.clear();
  CHECK_FALSE(sjis.encode("😀", out));
  smx::CharsetEncoder utf8(Charset::utf8);
  CHECK(utf8.encode("患者", out));
  CHECK(out == "患者");
  CHECK_FALSE(utf8.encode("\xFF", out));
  smx::CharsetEncoder ascii(Charset::ascii);
  CHECK_FALSE(ascii.encode("é", out));
  CHECK(ascii.failed_character() == "é");
  CHECK(out == "患者");
}
