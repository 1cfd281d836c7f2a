// Charset names, fast ASCII / UTF-8 checks and byte-structure detection.
//
// SS-MIX2 prescribes ISO-2022-JP (ISO IR6 + ISO IR87, MSH-18 "~ISO IR87"); real feeds also carry
// UTF-8, Shift_JIS (CP932) and now and then EUC-JP, so we sniff the bytes and use MSH-18 only to
// break the tie that byte structure cannot (see reference/ssmix2.md §5, §8).
#include "charset/internal.hpp"

#include <simdjson.h>

#include <cstring>

namespace smx {

std::string_view charset_name(Charset charset) {
  switch (charset) {
    case Charset::ascii: return "US-ASCII";
    case Charset::utf8: return "UTF-8";
    case Charset::iso2022jp: return "ISO-2022-JP";
    case Charset::shift_jis: return "Shift_JIS";
    case Charset::euc_jp: return "EUC-JP";
    case Charset::unknown: break;
  }
  return "unknown";
}

namespace {

// Upper-cases ASCII letters and drops spaces, '-', '_' and '.', so that "ISO IR87", "ISOIR87",
// "iso-ir-87", "Shift_JIS" and "SHIFT-JIS" compare equal. Writes at most `capacity` bytes.
std::size_t fold_name(std::string_view name, char* folded, std::size_t capacity) {
  std::size_t length = 0;
  for (char c : name) {
    if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t') continue;
    if (length == capacity) return capacity + 1;  // too long to be any name we know
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    folded[length++] = c;
  }
  return length;
}

Charset charset_from_single_name(std::string_view name) {
  char buffer[32];
  std::size_t length = fold_name(name, buffer, sizeof buffer);
  if (length == 0 || length > sizeof buffer) return Charset::unknown;
  std::string_view folded(buffer, length);
  struct Entry {
    std::string_view folded;
    Charset charset;
  };
  // HL7 v2.5 table 0211 (MSH-18) and table 0356 (MSH-20) spellings, IANA names, and the
  // variants seen in SS-MIX2 samples ("ISOIR87", "ISO2022-1994").
  static constexpr Entry entries[] = {
      {"USASCII", Charset::ascii},        {"ASCII", Charset::ascii},
      {"ISOIR6", Charset::ascii},         {"ANSIX34", Charset::ascii},
      {"UTF8", Charset::utf8},            {"UNICODEUTF8", Charset::utf8},
      {"ISO2022JP", Charset::iso2022jp},  {"ISOIR87", Charset::iso2022jp},
      {"ISOIR13", Charset::iso2022jp},    {"ISOIR14", Charset::iso2022jp},
      {"ISOIR159", Charset::iso2022jp},   {"ISO20221994", Charset::iso2022jp},
      {"JIS", Charset::iso2022jp},        {"CSISO2022JP", Charset::iso2022jp},
      {"SHIFTJIS", Charset::shift_jis},   {"SJIS", Charset::shift_jis},
      {"CP932", Charset::shift_jis},      {"MS932", Charset::shift_jis},
      {"WINDOWS31J", Charset::shift_jis}, {"CSSHIFTJIS", Charset::shift_jis},
      {"EUCJP", Charset::euc_jp},         {"EUCJPMS", Charset::euc_jp},
      {"CP51932", Charset::euc_jp},       {"UJIS", Charset::euc_jp},
  };
  for (const Entry& entry : entries)
    if (entry.folded == folded) return entry.charset;
  return Charset::unknown;
}

}  // namespace

Charset charset_from_name(std::string_view name) {
  // MSH-18 repeats: "~ISO IR87" = first repetition empty (default ISO IR6), second JIS X 0208.
  // The multi-byte repetition says how the message is encoded; ASCII alone says nothing more.
  Charset result = Charset::unknown;
  while (true) {
    std::size_t tilde = name.find('~');
    std::string_view repetition = name.substr(0, tilde);
    Charset charset = charset_from_single_name(repetition);
    if (charset != Charset::unknown && charset != Charset::ascii) return charset;
    if (charset == Charset::ascii) result = Charset::ascii;
    if (tilde == std::string_view::npos) break;
    name.remove_prefix(tilde + 1);
  }
  return result;
}

bool is_ascii(std::string_view bytes) {
  const char* data = bytes.data();
  std::size_t size = bytes.size();
  std::size_t i = 0;
  // Eight bytes at a time; memcpy keeps it free of alignment and aliasing trouble and compiles
  // to a single load.
  std::uint64_t accumulated = 0;
  for (; i + 32 <= size; i += 32) {
    std::uint64_t a, b, c, d;
    std::memcpy(&a, data + i, 8);
    std::memcpy(&b, data + i + 8, 8);
    std::memcpy(&c, data + i + 16, 8);
    std::memcpy(&d, data + i + 24, 8);
    if (((a | b | c | d) & 0x8080808080808080ULL) != 0) return false;
  }
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    accumulated |= word;
  }
  for (; i < size; ++i) accumulated |= static_cast<unsigned char>(data[i]);
  return (accumulated & 0x8080808080808080ULL) == 0;
}

bool is_valid_utf8(std::string_view bytes) {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

namespace detail {

bool has_iso2022jp_escape(std::string_view bytes) {
  const char* data = bytes.data();
  std::size_t size = bytes.size();
  std::size_t i = 0;
  while (i < size) {
    const void* hit = std::memchr(data + i, 0x1B, size - i);
    if (hit == nullptr) return false;
    i = static_cast<std::size_t>(static_cast<const char*>(hit) - data);
    if (i + 2 < size) {
      char first = data[i + 1];
      char second = data[i + 2];
      // ESC $ B, ESC $ @ (JIS X 0208-1983/1978), ESC ( B (ASCII), ESC ( J (JIS-Roman),
      // ESC ( I (JIS X 0201 katakana): RFC 1468 plus the sets SS-MIX2 data actually carry.
      if (first == '$' && (second == 'B' || second == '@')) return true;
      if (first == '(' && (second == 'B' || second == 'J' || second == 'I')) return true;
    }
    ++i;
  }
  return false;
}

bool is_valid_shift_jis_structure(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();
  for (std::size_t i = 0; i < size;) {
    unsigned char byte = data[i];
    if (byte < 0x80 || (byte >= 0xA1 && byte <= 0xDF)) {  // ASCII, half-width katakana
      ++i;
      continue;
    }
    // CP932 lead bytes 0x81-0x9F, 0xE0-0xFC; trail bytes 0x40-0x7E, 0x80-0xFC.
    if (!((byte >= 0x81 && byte <= 0x9F) || (byte >= 0xE0 && byte <= 0xFC))) return false;
    if (i + 1 >= size) return false;
    unsigned char trail = data[i + 1];
    if (trail < 0x40 || trail == 0x7F || trail > 0xFC) return false;
    i += 2;
  }
  return true;
}

bool is_valid_euc_jp_structure(std::string_view bytes) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t size = bytes.size();
  auto in_gr = [](unsigned char b) { return b >= 0xA1 && b <= 0xFE; };
  for (std::size_t i = 0; i < size;) {
    unsigned char byte = data[i];
    if (byte < 0x80) {
      ++i;
    } else if (byte == 0x8E) {  // SS2: JIS X 0201 katakana
      if (i + 1 >= size || data[i + 1] < 0xA1 || data[i + 1] > 0xDF) return false;
      i += 2;
    } else if (byte == 0x8F) {  // SS3: JIS X 0212
      if (i + 2 >= size || !in_gr(data[i + 1]) || !in_gr(data[i + 2])) return false;
      i += 3;
    } else if (in_gr(byte)) {  // JIS X 0208 with the high bit set
      if (i + 1 >= size || !in_gr(data[i + 1])) return false;
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace detail

namespace {

// Counts well-formed UTF-8 multi-byte sequences and broken ones; "broken UTF-8" when the
// well-formed ones dominate (at least 4 of them and at most one broken per 8).
bool looks_like_broken_utf8(std::string_view bytes) {
  std::size_t good = 0, bad = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3 : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    std::size_t k = 1;
    while (len && k < len && i + k < n && (p[i + k] & 0xC0) == 0x80) ++k;
    if (len && k == len) {
      ++good;
      i += len;
    } else {
      ++bad;
      i += k;
    }
  }
  return good >= 4 && bad * 8 <= good;
}

}  // namespace

Charset detect_charset(std::string_view bytes, std::string_view msh18_hint) {
  // A UTF-8 byte order mark is unambiguous; whether it is stripped is the caller's decision.
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") return Charset::utf8;
  // ISO-2022-JP is 7-bit, so it must be recognised before the ASCII test.
  // Any ESC byte means ISO-2022 here: a truncated or unknown escape sequence must reach the
  // ISO-2022-JP decoder and fail there (reported, raw bytes kept), not pass as ASCII.
  if (detail::has_iso2022jp_escape(bytes) || bytes.find('\x1b') != std::string_view::npos) return Charset::iso2022jp;
  if (is_ascii(bytes)) return Charset::ascii;
  if (is_valid_utf8(bytes)) return Charset::utf8;
  // Mostly UTF-8 with a broken or truncated sequence: UTF-8 multi-byte sequences are also
  // valid Shift_JIS byte pairs, so falling through would decode them as mojibake. Call it
  // UTF-8 (the conversion then fails and the message is rejected with its raw bytes).
  if (looks_like_broken_utf8(bytes)) return Charset::utf8;
  bool shift_jis = detail::is_valid_shift_jis_structure(bytes);
  bool euc_jp = detail::is_valid_euc_jp_structure(bytes);
  if (shift_jis && euc_jp) {
    // Both byte structures fit (e.g. only bytes 0xA1-0xDF pairs): MSH-18 decides; without a
    // usable hint Shift_JIS wins because CP932 is what Windows-based hospital systems leak.
    return charset_from_name(msh18_hint) == Charset::euc_jp ? Charset::euc_jp : Charset::shift_jis;
  }
  if (shift_jis) return Charset::shift_jis;
  if (euc_jp) return Charset::euc_jp;
  return Charset::unknown;
}

}  // namespace smx
