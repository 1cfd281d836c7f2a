// Conversion of raw message bytes to UTF-8, with findings about characters outside JIS X 0208.
//
// SS-MIX2 allows ISO IR6 (ASCII) and ISO IR87 (JIS X 0208) only (構築ガイドライン, quoted in
// NHO-SPEC §1.3.4). Everything else that turns up in practice -- half-width katakana, CP932 NEC /
// IBM extensions, user-defined characters (外字), JIS-Roman switches -- is decoded when ICU can
// decode it and reported with its byte offset, so that `smx validate` can flag it and nothing is
// dropped. Bytes that are invalid in the charset make the conversion fail; the caller rejects the
// message and keeps the raw bytes.
//
// ICU converters (checked against ICU 72):
// - ISO-2022-JP: "ISO_2022,locale=ja,version=3" -- ICU's "ISO-2022-JP" (version=0) plus SO/SI
//   half-width katakana (JIS7). Designations are checked by our own scan first, so the wider
//   version accepts nothing we have not vetted.
// - Shift_JIS: "windows-31j" (= ibm-943_P15A-2003): CP932 with 0x5C = '\' and 0x7E = '~', NEC
//   row 13, NEC-selected IBM and IBM extensions, user-defined area to U+E000...
// - EUC-JP: "EUC-JP" (= euc-jp-2007).
// ICU maps six JIS X 0208 codes the Microsoft way (0x2141 -> U+FF5E, 0x2142 -> U+2225,
// 0x215D -> U+FF0D, 0x2171 -> U+FFE0, 0x2172 -> U+FFE1, 0x224C -> U+FFE2); JIS X 0208 itself,
// the Unicode JIS0208.TXT table and glibc iconv give U+301C, U+2016, U+2212, U+00A2, U+00A3,
// U+00AC. For ISO-2022-JP and EUC-JP, which are JIS X 0208 by definition, we restore the JIS
// mapping at exactly those source positions, so the output equals iconv's. Shift_JIS is decoded
// as CP932, where the Microsoft mapping is the definition.
#include "charset/internal.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

#include <algorithm>
#include <cstring>

namespace smx {
namespace {

using detail::icu_converter;
using detail::IcuConverter;

constexpr char code_invalid[] = "CHARSET-INVALID";

// A kind of character finding: its code and its text, named together once.
struct FindingKind {
  const char* code;
  const char* text;
};
namespace finding {
constexpr FindingKind halfwidth_kana{"CHARSET-HALFWIDTH-KANA", "half-width katakana (JIS X 0201), not in JIS X 0208"};
constexpr FindingKind nec_row13{"CHARSET-CP932-EXT", "NEC special character (CP932 row 13), not in JIS X 0208"};
constexpr FindingKind nec_ibm{"CHARSET-CP932-EXT",
                              "NEC-selected IBM extension (CP932 0xED/0xEE, JIS rows 89-92), not in JIS X 0208"};
constexpr FindingKind ibm{"CHARSET-CP932-EXT", "IBM extension (CP932 0xFA-0xFC), not in JIS X 0208"};
constexpr FindingKind user_defined{"CHARSET-USER-DEFINED", "user-defined character (gaiji), not in JIS X 0208"};
constexpr FindingKind user_defined_pua{"CHARSET-USER-DEFINED", "private-use character (gaiji)"};
constexpr FindingKind jis_x0212{"CHARSET-JISX0212", "JIS X 0212 supplementary character, not in JIS X 0208"};
constexpr FindingKind jis_roman{
    "CHARSET-JIS-ROMAN",
    "ESC ( J (JIS X 0201 Roman) read as ASCII so 0x5C and 0x7E keep their HL7 delimiter meaning"};
}  // namespace finding

// Appends findings, merging consecutive characters of the same kind into one finding (a name
// in half-width katakana is one finding, not one per character).
class FindingCollector {
 public:
  explicit FindingCollector(std::vector<CharsetFinding>& findings) : findings_(findings) {}

  void character(const FindingKind& kind, std::size_t offset, std::size_t length) {
    if (&kind == last_kind_ && offset == last_end_) {
      last_end_ = offset + length;
      return;
    }
    findings_.push_back(CharsetFinding{kind.code, offset, kind.text});
    last_kind_ = &kind;
    last_end_ = offset + length;
  }

  void invalid(std::size_t offset, std::string text) {
    findings_.push_back(CharsetFinding{code_invalid, offset, std::move(text)});
    last_kind_ = nullptr;
  }

 private:
  std::vector<CharsetFinding>& findings_;
  const FindingKind* last_kind_ = nullptr;
  std::size_t last_end_ = 0;
};

// A JIS X 0208 code whose ICU mapping is replaced by the JIS one, at `offset` in the bytes ICU
// reads.
struct Remap {
  std::size_t offset;
  char32_t code_point;
};

// JIS X 0208 code (row/cell bytes without the high bit) -> JIS mapping, or 0 when ICU agrees.
char32_t jis_mapping_override(unsigned char first, unsigned char second) {
  if (first == 0x21) {
    switch (second) {
      case 0x41: return U'\u301C';  // WAVE DASH
      case 0x42: return U'\u2016';  // DOUBLE VERTICAL LINE
      case 0x5D: return U'\u2212';  // MINUS SIGN
      case 0x71: return U'\u00A2';  // CENT SIGN
      case 0x72: return U'\u00A3';  // POUND SIGN
      default: return 0;
    }
  }
  if (first == 0x22 && second == 0x4C) return U'\u00AC';  // NOT SIGN
  return 0;
}

// An escape sequence inserted at `position` of the rewritten input.
struct Insertion {
  std::size_t position;
  std::string_view escape;
};

// Per-thread scratch space, reused between calls so that converting a message does not
// allocate once the buffers have grown to message size.
struct Scratch {
  std::vector<UChar> utf16;
  std::vector<std::int32_t> offsets;
  std::vector<Remap> remaps;
  std::string rewritten;
  std::vector<Insertion> insertions;
  std::vector<std::size_t> roman_escapes;
};

Scratch& scratch() {
  thread_local Scratch instance;
  return instance;
}

// Appends the UTF-8 encoding of UTF-16 `units` to `out`, replacing the code unit produced from
// source offset remaps[k].offset by remaps[k].code_point (remaps sorted by offset).
void append_utf8(const UChar* units, std::size_t count, const std::int32_t* offsets,
                 const std::vector<Remap>& remaps, std::string& out) {
  std::size_t start = out.size();
  out.resize(start + count * 3);  // a UTF-16 unit never needs more than 3 bytes (pairs: 4 for 2)
  char* begin = out.data() + start;
  char* write = begin;
  std::size_t next_remap = 0;
  for (std::size_t i = 0; i < count; ++i) {
    char32_t code_point = units[i];
    if (next_remap < remaps.size() && offsets != nullptr) {
      auto source = static_cast<std::size_t>(offsets[i]);
      while (next_remap < remaps.size() && remaps[next_remap].offset < source) ++next_remap;
      if (next_remap < remaps.size() && remaps[next_remap].offset == source && offsets[i] >= 0) {
        code_point = remaps[next_remap].code_point;
        ++next_remap;
      }
    }
    if (code_point >= 0xD800 && code_point <= 0xDBFF && i + 1 < count && units[i + 1] >= 0xDC00 &&
        units[i + 1] <= 0xDFFF) {
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (units[i + 1] - 0xDC00);
      ++i;
    }
    if (code_point < 0x80) {
      *write++ = static_cast<char>(code_point);
    } else if (code_point < 0x800) {
      *write++ = static_cast<char>(0xC0 | (code_point >> 6));
      *write++ = static_cast<char>(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      *write++ = static_cast<char>(0xE0 | (code_point >> 12));
      *write++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      *write++ = static_cast<char>(0x80 | (code_point & 0x3F));
    } else {
      *write++ = static_cast<char>(0xF0 | (code_point >> 18));
      *write++ = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
      *write++ = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
      *write++ = static_cast<char>(0x80 | (code_point & 0x3F));
    }
  }
  out.resize(start + static_cast<std::size_t>(write - begin));
}

// Runs `input` through ICU and appends UTF-8 to `out`. On invalid input returns false with the
// offset (in `input`) of the offending bytes.
bool decode_with_icu(IcuConverter kind, std::string_view input, const std::vector<Remap>& remaps,
                     std::string& out, std::size_t& error_offset) {
  UConverter* converter = icu_converter(kind);
  if (converter == nullptr) {
    error_offset = 0;
    return false;
  }
  Scratch& space = scratch();
  bool want_offsets = !remaps.empty();
  // Every converter here yields at most one UTF-16 unit per input byte; the loop below grows the
  // buffer anyway should that ever change.
  std::size_t capacity = input.size() + 16;
  if (space.utf16.size() < capacity) space.utf16.resize(capacity);
  if (want_offsets && space.offsets.size() < space.utf16.size()) space.offsets.resize(space.utf16.size());

  const char* source = input.data();
  const char* source_end = input.data() + input.size();
  std::size_t produced = 0;
  while (true) {
    UChar* target = space.utf16.data() + produced;
    UChar* target_end = space.utf16.data() + space.utf16.size();
    std::int32_t* offsets = want_offsets ? space.offsets.data() + produced : nullptr;
    const char* call_source = source;
    UErrorCode status = U_ZERO_ERROR;
    ucnv_toUnicode(converter, &target, target_end, &source, source_end, offsets, true, &status);
    std::size_t now = static_cast<std::size_t>(target - space.utf16.data());
    if (want_offsets) {
      // ICU's offsets are relative to the source pointer of this call.
      auto base = static_cast<std::int32_t>(call_source - input.data());
      for (std::size_t i = produced; i < now; ++i)
        if (space.offsets[i] >= 0) space.offsets[i] += base;
    }
    produced = now;
    if (status == U_BUFFER_OVERFLOW_ERROR) {
      space.utf16.resize(space.utf16.size() * 2);
      if (want_offsets) space.offsets.resize(space.utf16.size());
      continue;
    }
    if (U_FAILURE(status)) {
      char invalid[32];
      std::int8_t invalid_length = sizeof invalid;
      UErrorCode ignored = U_ZERO_ERROR;
      ucnv_getInvalidChars(converter, invalid, &invalid_length, &ignored);
      auto consumed = static_cast<std::size_t>(source - input.data());
      auto bad = static_cast<std::size_t>(U_SUCCESS(ignored) ? invalid_length : 0);
      error_offset = consumed >= bad ? consumed - bad : 0;
      return false;
    }
    break;
  }
  append_utf8(space.utf16.data(), produced, want_offsets ? space.offsets.data() : nullptr, remaps, out);
  return true;
}

// Classifies a JIS X 0208-form code (row 1-94) that lies outside the standard's assigned rows.
void report_jis_row(FindingCollector& collector, unsigned row, std::size_t offset, std::size_t length) {
  if (row == 13) {
    collector.character(finding::nec_row13, offset, length);
  } else if (row >= 89 && row <= 92) {
    // CP932 0xED/0xEE in JIS form (CP50220/CP51932 put them here); ICU decodes them as such.
    collector.character(finding::nec_ibm, offset, length);
  } else if (row >= 85) {
    collector.character(finding::user_defined, offset, length);
  }
}

enum class Graphic { ascii, jis_roman, jis_x0208, jis_x0212, katakana };

std::string_view designation(Graphic set) {
  switch (set) {
    case Graphic::jis_x0208: return "\x1B$B";
    case Graphic::jis_x0212: return "\x1B$(D";
    case Graphic::katakana: return "\x1B(I";
    default: return "\x1B(B";
  }
}

// Walks ISO-2022-JP bytes: vets every escape sequence, reports findings with offsets, records
// the JIS X 0208 codes to remap, and plans the rewrites ICU needs to read the bytes the way
// iconv does. Returns false (with a CHARSET-INVALID finding) on malformed structure.
bool scan_iso2022jp(std::string_view bytes, FindingCollector& collector, Scratch& space) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  Graphic g0 = Graphic::ascii;
  bool shifted_out = false;
  std::size_t inserted = 0;  // bytes inserted before the current position in the rewrite
  std::size_t i = 0;
  while (i < size) {
    // Most of a message is ASCII: skip printable runs without the state dispatch below.
    if (!shifted_out && (g0 == Graphic::ascii || g0 == Graphic::jis_roman))
      while (i < size && data[i] >= 0x20 && data[i] < 0x7F) ++i;
    if (i == size) break;
    unsigned char byte = data[i];
    if (byte == 0x1B) {
      if (i + 2 >= size) {
        collector.invalid(i, "truncated escape sequence");
        return false;
      }
      unsigned char intermediate = data[i + 1];
      unsigned char final_byte = data[i + 2];
      std::size_t length = 3;
      if (intermediate == '(' && final_byte == 'B') {
        g0 = Graphic::ascii;
      } else if (intermediate == '(' && final_byte == 'J') {
        // JIS-Roman differs from ASCII only in 0x5C (YEN SIGN) and 0x7E (OVERLINE); those bytes
        // are HL7 delimiters (MSH-2 "^~\&"), and their meaning must not change with the charset.
        g0 = Graphic::jis_roman;
        collector.character(finding::jis_roman, i, 3);
        space.roman_escapes.push_back(i + inserted);
      } else if (intermediate == '(' && final_byte == 'I') {
        g0 = Graphic::katakana;
      } else if (intermediate == '$' && (final_byte == 'B' || final_byte == '@')) {
        g0 = Graphic::jis_x0208;
      } else if (intermediate == '$' && final_byte == '(' && i + 3 < size && data[i + 3] == 'D') {
        g0 = Graphic::jis_x0212;  // ISO-2022-JP-1 (RFC 2237)
        length = 4;
      } else if (intermediate == '$' && final_byte == '(' && i + 3 >= size) {
        collector.invalid(i, "truncated escape sequence");
        return false;
      } else {
        collector.invalid(i, "unsupported escape sequence in ISO-2022-JP");
        return false;
      }
      i += length;
      continue;
    }
    if (byte >= 0x80) {
      collector.invalid(i, "8-bit byte in 7-bit ISO-2022-JP");
      return false;
    }
    if (byte == 0x0E || byte == 0x0F) {  // SO / SI: JIS7 half-width katakana
      shifted_out = byte == 0x0E;
      ++i;
      continue;
    }
    if (byte == '\r' || byte == '\n') {
      std::size_t end = i;
      while (end < size && (data[end] == '\r' || data[end] == '\n')) ++end;
      // RFC 1468 wants ESC ( B before every line end; writers that forget it mean the set to
      // continue (iconv reads it so), whereas ICU falls back to ASCII. Re-designate the set
      // after the line end so ICU reads what iconv reads.
      if (!shifted_out && end < size && data[end] != 0x1B &&
          (g0 == Graphic::jis_x0208 || g0 == Graphic::jis_x0212 || g0 == Graphic::katakana)) {
        std::string_view escape = designation(g0);
        space.insertions.push_back(Insertion{end + inserted, escape});
        inserted += escape.size();
      }
      i = end;
      continue;
    }
    if (shifted_out || g0 == Graphic::katakana) {
      if (byte >= 0x21 && byte <= 0x5F) collector.character(finding::halfwidth_kana, i, 1);
      ++i;  // other bytes: ICU decides whether they are valid here
      continue;
    }
    if (g0 == Graphic::jis_x0208 || g0 == Graphic::jis_x0212) {
      if (byte < 0x21 || byte == 0x7F) {  // controls and space pass as single bytes
        ++i;
        continue;
      }
      if (i + 1 >= size || data[i + 1] < 0x21 || data[i + 1] > 0x7E) {
        collector.invalid(i, "incomplete double-byte character");
        return false;
      }
      if (g0 == Graphic::jis_x0212) {
        collector.character(finding::jis_x0212, i, 2);
      } else {
        report_jis_row(collector, byte - 0x20u, i, 2);
        if (char32_t jis = jis_mapping_override(byte, data[i + 1]); jis != 0)
          space.remaps.push_back(Remap{i + inserted, jis});
      }
      i += 2;
      continue;
    }
    ++i;
  }
  return true;
}

// Builds the rewritten input: ESC ( J -> ESC ( B (same length) and the planned insertions.
void build_rewrite(std::string_view bytes, Scratch& space) {
  std::string& rewritten = space.rewritten;
  rewritten.clear();
  rewritten.reserve(bytes.size() + space.insertions.size() * 4);
  // Insertions are planned in rewritten coordinates; walk the original and emit them in order.
  std::size_t inserted = 0;
  std::size_t next = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0;
  while (i <= bytes.size()) {
    while (next < space.insertions.size() && space.insertions[next].position == i + inserted) {
      rewritten.append(space.insertions[next].escape);
      inserted += space.insertions[next].escape.size();
      ++next;
    }
    if (i == bytes.size()) break;
    rewritten.push_back(static_cast<char>(data[i]));
    ++i;
  }
  for (std::size_t position : space.roman_escapes) rewritten[position + 2] = 'B';
}

// Maps an offset in the rewritten input back to the caller's bytes.
std::size_t original_offset(std::size_t rewritten_offset, const Scratch& space) {
  std::size_t removed = 0;
  for (const Insertion& insertion : space.insertions) {
    if (insertion.position >= rewritten_offset) break;
    removed += std::min(insertion.escape.size(), rewritten_offset - insertion.position);
  }
  return rewritten_offset - removed;
}

bool iso2022jp_to_utf8(std::string_view bytes, std::string& out, FindingCollector& collector) {
  Scratch& space = scratch();
  space.remaps.clear();
  space.insertions.clear();
  space.roman_escapes.clear();
  if (!scan_iso2022jp(bytes, collector, space)) return false;
  std::string_view input = bytes;
  bool rewritten = !space.insertions.empty() || !space.roman_escapes.empty();
  if (rewritten) {
    build_rewrite(bytes, space);
    input = space.rewritten;
  }
  std::size_t error_offset = 0;
  if (!decode_with_icu(IcuConverter::iso2022jp_read, input, space.remaps, out, error_offset)) {
    if (rewritten) error_offset = original_offset(error_offset, space);
    collector.invalid(error_offset, "byte sequence not valid in ISO-2022-JP (unassigned or illegal code)");
    return false;
  }
  return true;
}

// Walks a multibyte text by lead byte: ASCII bytes are passed over, every other byte goes to
// `lead(offset, byte)`, which returns how many bytes its character takes.
template <class Lead>
void walk_lead_bytes(std::string_view bytes, Lead lead) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < bytes.size();) i += data[i] < 0x80 ? 1 : lead(i, data[i]);
}

// CP932 (Microsoft's Shift_JIS): reports the character classes outside JIS X 0208 by lead byte.
// Validity is ICU's call; this walk only has to stay inside the buffer.
void scan_shift_jis(std::string_view bytes, FindingCollector& collector) {
  walk_lead_bytes(bytes, [&](std::size_t i, unsigned char byte) -> std::size_t {
    if (byte >= 0xA1 && byte <= 0xDF) {
      collector.character(finding::halfwidth_kana, i, 1);
      return 1;
    }
    if ((byte < 0x81 || byte > 0x9F) && (byte < 0xE0 || byte > 0xFC)) return 1;
    if (byte == 0x87) {
      collector.character(finding::nec_row13, i, 2);
    } else if (byte == 0xED || byte == 0xEE) {
      collector.character(finding::nec_ibm, i, 2);
    } else if (byte >= 0xFA) {
      collector.character(finding::ibm, i, 2);
    } else if (byte >= 0xF0) {
      collector.character(finding::user_defined, i, 2);
    }
    return 2;
  });
}

// EUC-JP: JIS X 0208 rows in GR, SS2 = JIS X 0201 katakana, SS3 = JIS X 0212.
void scan_euc_jp(std::string_view bytes, FindingCollector& collector, std::vector<Remap>& remaps) {
  walk_lead_bytes(bytes, [&](std::size_t i, unsigned char byte) -> std::size_t {
    if (byte == 0x8E) {
      collector.character(finding::halfwidth_kana, i, 2);
      return 2;
    }
    if (byte == 0x8F) {
      collector.character(finding::jis_x0212, i, 3);
      return 3;
    }
    if (byte < 0xA1 || byte > 0xFE || i + 1 >= bytes.size()) return 1;
    report_jis_row(collector, byte - 0xA0u, i, 2);
    const auto trail = static_cast<unsigned char>(bytes[i + 1]);
    if (char32_t jis = jis_mapping_override(byte & 0x7F, trail & 0x7F); jis != 0) remaps.push_back(Remap{i, jis});
    return 2;
  });
}

// UTF-8 needs no conversion, but characters that would be findings in the legacy charsets are
// reported too: half-width katakana U+FF61-U+FF9F and private-use U+E000-U+F8FF (gaiji).
void scan_utf8(std::string_view bytes, FindingCollector& collector) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  for (std::size_t i = 0; i + 2 < size; ++i) {
    unsigned char byte = data[i];
    if (byte != 0xEE && byte != 0xEF) continue;
    unsigned second = data[i + 1];
    if (byte == 0xEE || (byte == 0xEF && second <= 0xA3)) {
      collector.character(finding::user_defined_pua, i, 3);
    } else if ((second == 0xBD && data[i + 2] >= 0xA1) || (second == 0xBE && data[i + 2] <= 0x9F)) {
      collector.character(finding::halfwidth_kana, i, 3);
    }
    i += 2;
  }
}

}  // namespace

bool to_utf8(std::string_view bytes, Charset charset, std::string& out,
             std::vector<CharsetFinding>& findings) {
  FindingCollector collector(findings);
  const std::size_t original_size = out.size();
  bool ok = false;
  switch (charset) {
    case Charset::ascii:
      ok = is_ascii(bytes);
      if (ok) out.append(bytes);
      else collector.invalid(0, "byte above 0x7F in US-ASCII");
      return ok;
    case Charset::utf8:
      ok = is_valid_utf8(bytes);
      if (ok) {
        if (!is_ascii(bytes)) scan_utf8(bytes, collector);
        out.append(bytes);
      } else {
        collector.invalid(0, "invalid UTF-8 sequence");
      }
      return ok;
    case Charset::iso2022jp:
      ok = iso2022jp_to_utf8(bytes, out, collector);
      break;
    case Charset::shift_jis: {
      scan_shift_jis(bytes, collector);
      std::size_t error_offset = 0;
      static const std::vector<Remap> no_remaps;
      ok = decode_with_icu(IcuConverter::cp932, bytes, no_remaps, out, error_offset);
      if (!ok) collector.invalid(error_offset, "byte sequence not valid in Shift_JIS (CP932)");
      break;
    }
    case Charset::euc_jp: {
      std::vector<Remap>& remaps = scratch().remaps;
      remaps.clear();
      scan_euc_jp(bytes, collector, remaps);
      std::size_t error_offset = 0;
      ok = decode_with_icu(IcuConverter::euc_jp, bytes, remaps, out, error_offset);
      if (!ok) collector.invalid(error_offset, "byte sequence not valid in EUC-JP");
      break;
    }
    case Charset::unknown:
      collector.invalid(0, "unknown character set");
      return false;
  }
  if (!ok) out.resize(original_size);
  return ok;
}

bool iso2022_fragment_to_utf8(std::string_view escape_hex, std::string_view bytes, std::string& out) {
  // HL7 v2.5 §2.7.2: \Cxxyy\ designates a single-byte set, \Mxxyyzz\ a multi-byte set; the hex
  // digits are the bytes that follow ESC.
  if (escape_hex.size() != 4 && escape_hex.size() != 6) return false;
  auto hex_value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  char escape[4] = {'\x1B'};
  std::size_t escape_length = 1;
  for (std::size_t i = 0; i < escape_hex.size(); i += 2) {
    int high = hex_value(escape_hex[i]);
    int low = hex_value(escape_hex[i + 1]);
    if (high < 0 || low < 0) return false;
    escape[escape_length++] = static_cast<char>(high * 16 + low);
  }
  std::string_view sequence(escape, escape_length);
  // The sets of ISO-2022-JP(-1) that HL7 table 0211 names: ISO IR6, ISO IR14, ISO IR13, ISO IR87
  // (1983 and 1978), ISO IR159.
  static constexpr std::string_view supported[] = {"\x1B(B", "\x1B(J", "\x1B(I", "\x1B$B", "\x1B$@",
                                                   "\x1B$(D"};
  if (std::find(std::begin(supported), std::end(supported), sequence) == std::end(supported)) return false;
  // The fragment is one set's bytes: escapes inside it would switch sets behind HL7's back.
  if (bytes.find('\x1B') != std::string_view::npos) return false;
  thread_local std::string framed;
  thread_local std::vector<CharsetFinding> ignored;
  framed.assign(sequence);
  framed.append(bytes);
  framed.append("\x1B(B");
  ignored.clear();
  return to_utf8(framed, Charset::iso2022jp, out, ignored);
}

}  // namespace smx

namespace smx::detail {

UConverter* icu_converter(IcuConverter kind) {
  struct Cache {
    UConverter* converters[static_cast<int>(IcuConverter::count)] = {};
    ~Cache() {
      for (UConverter* converter : converters)
        if (converter != nullptr) ucnv_close(converter);
    }
  };
  thread_local Cache cache;
  UConverter*& converter = cache.converters[static_cast<int>(kind)];
  if (converter != nullptr) {
    ucnv_reset(converter);
    return converter;
  }
  static constexpr const char* names[] = {"ISO_2022,locale=ja,version=3", "ISO_2022,locale=ja,version=0",
                                          "windows-31j", "EUC-JP"};
  UErrorCode status = U_ZERO_ERROR;
  UConverter* opened = ucnv_open(names[static_cast<int>(kind)], &status);
  if (U_FAILURE(status) || opened == nullptr) return nullptr;
  ucnv_setToUCallBack(opened, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  ucnv_setFromUCallBack(opened, UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
  if (U_FAILURE(status)) {
    ucnv_close(opened);
    return nullptr;
  }
  converter = opened;
  return converter;
}

}  // namespace smx::detail
