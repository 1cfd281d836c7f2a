// lib/charset: detect the character set of raw message bytes and convert to UTF-8 (ICU).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace smx {

enum class Charset { ascii, utf8, iso2022jp, shift_jis, euc_jp, unknown };

// Name used in the smx stream's "charset" member: "US-ASCII", "UTF-8", "ISO-2022-JP",
// "Shift_JIS" (decoded as CP932/windows-31j), "EUC-JP", "unknown".
std::string_view charset_name(Charset charset);
// Parses a name as written in the stream or on the command line (case-insensitive,
// also HL7 MSH-18 spellings such as "ISO IR87", "UNICODE UTF-8", "SHIFT_JIS").
Charset charset_from_name(std::string_view name);

// A finding about characters: what, and the byte offset in the raw input.
struct CharsetFinding {
  std::string code;  // CHARSET-HALFWIDTH-KANA, CHARSET-CP932-EXT, CHARSET-USER-DEFINED,
                     // CHARSET-JIS-ROMAN, CHARSET-INVALID, CHARSET-BOM, CHARSET-MSH18-MISMATCH
  std::size_t offset = 0;
  std::string text;
};

// Detects from the bytes: ESC sequences => ISO-2022-JP; valid UTF-8 with non-ASCII => UTF-8;
// only ASCII => ascii; otherwise valid CP932 or EUC-JP, preferring `hint` (from MSH-18) when
// both fit. Never reads past `bytes`.
Charset detect_charset(std::string_view bytes, std::string_view msh18_hint = {});

// Appends the UTF-8 form of `bytes` to `out`. Returns false when the bytes are not valid in
// `charset` (out then holds nothing new). Findings are appended (JIS-Roman switches, characters
// outside JIS X 0208 such as half-width katakana and CP932 extensions). ESC ( J is read as
// ASCII so 0x5C and 0x7E keep their HL7 delimiter meaning.
bool to_utf8(std::string_view bytes, Charset charset, std::string& out,
             std::vector<CharsetFinding>& findings);

// Appends `utf8` encoded in `charset` to `out` (the reverse of to_utf8, for writers such as
// `smx gen`). ISO-2022-JP uses ICU "ISO_2022,locale=ja,version=0" (ESC $ B / ESC ( B only,
// SS-MIX2 reference §5), Shift_JIS uses "windows-31j" (CP932), UTF-8 and ASCII are copied.
// The JIS X 0208 code points to_utf8 restores (U+301C, U+2016, U+2212, U+00A2, U+00A3,
// U+00AC) are written as the codes they decode from, so to_utf8(from_utf8(s)) == s for every
// string of JIS X 0208 characters. Returns false (out then holds nothing new) when `utf8` is
// not valid UTF-8 or holds a character the charset cannot carry; EUC-JP and unknown also
// give false.
bool from_utf8(std::string_view utf8, Charset charset, std::string& out);

// Writes UTF-8 text in `charset` (for writers such as `smx gen`) one character at a time through
// from_utf8, remembering the bytes of every character it has met: messages repeat the same few
// hundred characters, and a converter call per message would cost more than the message.
// ISO-2022-JP: only JIS X 0208 characters, each run between ESC $ B and ESC ( B (SS-MIX2 reference
// §5), so to_utf8 gives the text back; Shift_JIS (CP932) as from_utf8 writes it; UTF-8 and ASCII
// are copied after a check. Not safe to share between threads (one per writer).
class CharsetEncoder {
 public:
  explicit CharsetEncoder(Charset charset);
  ~CharsetEncoder();
  CharsetEncoder(const CharsetEncoder&) = delete;
  CharsetEncoder& operator=(const CharsetEncoder&) = delete;

  // Appends `utf8` encoded to `out`. Returns false when `utf8` is not valid UTF-8 or holds a
  // character the charset cannot carry (out then holds nothing new; failed_character() names it).
  bool encode(std::string_view utf8, std::string& out);
  // The character the last failed encode() stopped at, as UTF-8 ("" for invalid UTF-8).
  const std::string& failed_character() const { return failed_; }
  Charset charset() const { return charset_; }

 private:
  const std::string* lookup(std::int32_t code_point, std::string_view character);
  Charset charset_;
  std::string failed_;
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

// True when `bytes` is valid UTF-8 (fast path, SIMD).
bool is_valid_utf8(std::string_view bytes);
// True when every byte is < 0x80.
bool is_ascii(std::string_view bytes);

// Decodes bytes written in a 94/94^n ISO-2022 set selected by HL7 escapes \Cxxyy\ or \Mxxyyzz\ (HL7 v2.5 §2.7.2)
// (xx yy zz are the hex bytes after ESC). Returns false when unsupported or invalid.
bool iso2022_fragment_to_utf8(std::string_view escape_hex, std::string_view bytes, std::string& out);

}  // namespace smx
