// The decoded message: UTF-8 text with CR after every segment and an index of segment starts.
#include <unicode/utf8.h>

#include <cstdint>
#include <cstring>

#include "smx/ascii.hpp"
#include "smx/hl7.hpp"

namespace smx::hl7 {
namespace {

using ascii::is_alnum;

// A line that looks like the start of a segment: three alphanumerics and the field separator.
bool looks_like_segment(std::string_view rest, char field_separator) {
  return rest.size() >= 4 && is_alnum(rest[0]) && is_alnum(rest[1]) && is_alnum(rest[2]) &&
         rest[3] == field_separator;
}

}  // namespace

namespace {

// One character of MSH-1/MSH-2 as read from the bytes: a code point when the bytes are ASCII or
// valid UTF-8 there, else the lone byte (raw bytes of a legacy charset, judged again after
// decoding).
struct EncodingCharacter {
  char32_t code_point = 0;
  std::size_t length = 1;  // bytes
  bool utf8 = true;        // false: `code_point` is a byte that does not start valid UTF-8
};

EncodingCharacter character_at(std::string_view m, std::size_t i) {
  // ICU's U8_NEXT: overlong forms, surrogates and code points past U+10FFFF are malformed
  // (RFC 3629 §3).
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(m.data());
  auto next = static_cast<std::int64_t>(i);
  UChar32 cp = 0;
  U8_NEXT(bytes, next, static_cast<std::int64_t>(m.size()), cp);
  if (cp < 0) return {static_cast<unsigned char>(m[i]), 1, false};
  return {static_cast<char32_t>(cp), static_cast<std::size_t>(next) - i, true};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// "U+00A5 '¥'", "U+0009 (a control character)", "byte 0x81 (not UTF-8)".
std::string describe(const EncodingCharacter& c) {
  static const char* hex = "0123456789ABCDEF";
  if (!c.utf8) return std::string("byte 0x") + hex[(c.code_point >> 4) & 15] + hex[c.code_point & 15] + " (not UTF-8)";
  std::string s = "U+";
  std::string digits;
  for (char32_t v = c.code_point; v != 0 || digits.size() < 4; v >>= 4) digits.insert(digits.begin(), hex[v & 15]);
  s += digits;
  char32_t cp = c.code_point;
  if (cp == 0x20) return s + " (space)";
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return s + " (a control character)";
  s += " '";
  append_utf8(s, cp);
  return s + "'";
}

// Why a character cannot be a delimiter, or nullptr when it can (HL7 v2.5 §2.5.4: printable
// ASCII symbols; letters and digits would be read as data).
const char* unfit_delimiter(const EncodingCharacter& c) {
  if (!c.utf8 || c.code_point >= 0x80) return "not ASCII";
  auto b = static_cast<char>(c.code_point);
  if (c.code_point <= 0x20 || c.code_point == 0x7F) return "not a printable character";
  if (is_alnum(b)) return "a letter or digit";
  return nullptr;
}

// The ASCII byte a decoder replaced by this character: JIS X 0201 Roman puts YEN SIGN at 0x5C
// and OVERLINE at 0x7E, so text converted through it shows "^~¥&" or "^‾¥&" in MSH-2
// (units-fhir.md §3.2: glibc iconv ESC ( J; the JAHIS mn768 sample has "MSH|^~¥&").
char jis_roman_stand_in(const EncodingCharacter& c) {
  if (c.utf8 && c.code_point == 0xA5) return '\\';
  if (c.utf8 && c.code_point == 0x203E) return '~';
  return 0;
}

}  // namespace

std::optional<Delimiters> read_delimiters(std::string_view m, std::string* reason, DelimiterReading* reading) {
  DelimiterReading local;
  DelimiterReading& r = reading ? *reading : local;
  r = DelimiterReading{};
  auto fail = [&](std::string why) -> std::optional<Delimiters> {
    if (reason) *reason = std::move(why);
    return std::nullopt;
  };
  if (m.size() < 3 || m.substr(0, 3) != "MSH") return fail("message does not start with MSH");
  if (m.size() == 3 || m[3] == '\r' || m[3] == '\n') return fail("MSH segment without MSH-1 and MSH-2 (encoding characters)");
  Delimiters d;
  EncodingCharacter field = character_at(m, 3);
  if (const char* why = unfit_delimiter(field)) {
    r.non_ascii = !field.utf8 || field.code_point >= 0x80;
    r.character = describe(field);
    return fail("MSH-1 (field separator) is " + describe(field) + ", which cannot be a delimiter (" + why + ")");
  }
  d.field = m[3];
  // MSH-2: component, repetition, escape, subcomponent, and (v2.7+) truncation characters,
  // up to the next field separator (HL7 v2.5 §2.5.4, §2.15.9.2).
  std::size_t i = 4;
  char chars[5] = {0, 0, 0, 0, 0};
  std::size_t n = 0;
  while (i < m.size() && m[i] != d.field && m[i] != '\r' && m[i] != '\n') {
    EncodingCharacter c = character_at(m, i);
    // Strings are built only on failure: this runs twice for every message read.
    auto fail_here = [&](const std::string& what) {
      r.character = describe(c);
      std::string where = "MSH-2 (encoding characters) character " + std::to_string(n + 1) + " is " + r.character;
      if (jis_roman_stand_in(c) != 0) where += std::string(" (read as '") + jis_roman_stand_in(c) + "')";
      return fail(where + what);
    };
    if (n == 5) return fail_here(", but MSH-2 has at most 5 characters");
    char ascii = jis_roman_stand_in(c);
    if (ascii == '\\') r.yen = true;
    if (ascii == '~') r.overline = true;
    if (ascii == 0) {
      if (const char* why = unfit_delimiter(c)) {
        r.non_ascii = !c.utf8 || c.code_point >= 0x80;
        return fail_here(std::string(", which cannot be a delimiter (") + why + ")");
      }
      ascii = static_cast<char>(c.code_point);
    }
    if (ascii == d.field) return fail_here(", the field separator (MSH-1)");
    for (std::size_t j = 0; j < n; ++j)
      if (chars[j] == ascii) return fail_here(", the same as character " + std::to_string(j + 1));
    chars[n++] = ascii;
    i += c.length;
  }
  r.msh2_end = i;
  if (n < 4) {
    // HL7 allows fewer encoding characters only in old versions; we need all four to read
    // the message without guessing.
    return fail("MSH-2 (encoding characters) is '" + std::string(m.substr(4, i - 4)) + "': " + std::to_string(n) +
                " character" + (n == 1 ? "" : "s") +
                ", fewer than the 4 needed (component, repetition, escape, subcomponent)");
  }
  d.component = chars[0];
  d.repetition = chars[1];
  d.escape = chars[2];
  d.subcomponent = chars[3];
  d.truncation = chars[4];
  return d;
}

void Message::clear() {
  text_.clear();
  starts_.clear();
  pieces_.clear();
  first_piece_.clear();
  lf_in_data = 0;
  blank_lines = 0;
  mixed_terminators = false;
  yen_read_as_backslash = 0;
  overline_read_as_tilde = 0;
  backslashes_as_sent = 0;
  msh2_as_sent.clear();
}

// Replaces every YEN SIGN (C2 A5) by '\\' and/or every OVERLINE (E2 80 BE) by '~' in `in`,
// as read_delimiters found them standing in MSH-2: the message went through a JIS X 0201 Roman
// decoding, so each of them was the byte 0x5C (0x7E) its sender wrote, the HL7 escape
// (repetition) character.
std::string_view Message::undo_jis_roman(std::string_view in, const DelimiterReading& reading) {
  msh2_as_sent.assign(in.substr(4, reading.msh2_end - 4));
  for (char c : in)
    if (c == '\\') ++backslashes_as_sent;
  rewritten_.clear();
  rewritten_.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (reading.yen && in[i] == '\xC2' && i + 1 < in.size() && in[i + 1] == '\xA5') {
      rewritten_.push_back('\\');
      ++yen_read_as_backslash;
      ++i;
    } else if (reading.overline && in[i] == '\xE2' && i + 2 < in.size() && in[i + 1] == '\x80' && in[i + 2] == '\xBE') {
      rewritten_.push_back('~');
      ++overline_read_as_tilde;
      i += 2;
    } else {
      rewritten_.push_back(in[i]);
    }
  }
  return rewritten_;
}

// Over 100 lines on purpose: the CR-only fast path and the general path (LF, CRLF, mixed
// endings, empty lines) build the same segment index and are kept side by side so that they
// can be compared line by line; it runs once for every message read.
bool Message::assign(std::string_view in, std::string* reason) {
  clear();
  DelimiterReading reading;
  auto d = read_delimiters(in, reason, &reading);
  if (!d) return false;
  delimiters_ = *d;
  if (reading.yen || reading.overline) in = undo_jis_roman(in, reading);
  const char* p = in.data();
  const char* end = p + in.size();
  text_.reserve(in.size() + 1);
  starts_.reserve(32);
  // The common case (SS-MIX2, MLLP): CR only, no empty lines. One scan indexes it; anything
  // else (an LF, an empty line) falls back to the general path below.
  bool simple = std::memchr(p, '\n', in.size()) == nullptr;
  if (simple) {
    std::size_t pos = 0;
    while (pos < in.size()) {
      const void* q = std::memchr(p + pos, '\r', in.size() - pos);
      std::size_t e = q ? static_cast<std::size_t>(static_cast<const char*>(q) - p) : in.size();
      if (e == pos) {  // an empty line
        simple = false;
        break;
      }
      starts_.push_back(static_cast<std::uint32_t>(pos));
      pos = e + 1;
    }
    if (simple) {
      text_.assign(p, in.size());
      if (text_.back() != '\r') text_.push_back('\r');
    } else {
      starts_.clear();
    }
  }
  const bool has_cr = !simple && std::memchr(p, '\r', in.size()) != nullptr;
  if (!simple) {
    // LF-only (split on LF) or CR with LF present (CRLF, mixed, or LF inside fields).
    std::size_t line_start = 0;
    bool in_line = false;
    for (const char* q = p; q < end; ++q) {
      char c = *q;
      if (c != '\r' && c != '\n') {
        if (!in_line) {
          in_line = true;
          line_start = text_.size();
        }
        // Copy the run up to the next CR or LF at once (VT and FS are data here).
        const char* run_end = q;
        for (;;) {
          run_end = find_line_break(run_end, end);
          if (run_end == end || *run_end == '\r' || *run_end == '\n') break;
          ++run_end;
        }
        text_.append(q, static_cast<std::size_t>(run_end - q));
        q = run_end - 1;
        continue;
      }
      bool terminates = true;
      if (c == '\r') {
        if (q + 1 < end && q[1] == '\n') ++q;  // CRLF is one terminator
      } else if (has_cr && in_line) {
        // A lone LF in a message that uses CR: a terminator only when a segment follows
        // (mixed endings); otherwise it is data inside a field and must not split it. At the
        // start of a line it is an empty line (kept as data there, it would turn into CRLF
        // and vanish when the text is read again).
        std::string_view rest(q + 1, static_cast<std::size_t>(end - q - 1));
        if (rest.empty() || rest[0] == '\r' || rest[0] == '\n' ||
            looks_like_segment(rest, delimiters_.field)) {
          mixed_terminators = true;
        } else {
          terminates = false;
        }
      }
      if (!terminates) {
        ++lf_in_data;
        if (!in_line) {
          in_line = true;
          line_start = text_.size();
        }
        text_.push_back('\n');
        continue;
      }
      if (!in_line) {
        ++blank_lines;
        continue;
      }
      starts_.push_back(static_cast<std::uint32_t>(line_start));
      text_.push_back('\r');
      in_line = false;
    }
    if (in_line) {
      starts_.push_back(static_cast<std::uint32_t>(line_start));
      text_.push_back('\r');
    }
  }
  // White space after the last segment (before a file's end or an FS) is not a segment.
  while (!starts_.empty()) {
    std::string_view last(text_.data() + starts_.back(), text_.size() - starts_.back() - 1);
    if (last.find_first_not_of(" \t") != std::string_view::npos) break;
    text_.resize(starts_.back());
    starts_.pop_back();
    ++blank_lines;
  }
  starts_.push_back(static_cast<std::uint32_t>(text_.size()));
  index_fields();
  return true;
}

// One pass over the text: where each field of each segment starts. Every field question after
// this (field, value, message_type) is answered from the index instead of rescanning a segment.
void Message::index_fields() {
  pieces_.clear();
  first_piece_.clear();
  pieces_.reserve(text_.size() / 8 + 2 * segment_count() + 2);
  first_piece_.reserve(segment_count() + 1);
  const char* base = text_.data();
  for (std::size_t i = 0; i < segment_count(); ++i) {
    first_piece_.push_back(static_cast<std::uint32_t>(pieces_.size()));
    const std::size_t begin = starts_[i], end = starts_[i + 1] - 1;  // end: the segment's CR
    pieces_.push_back(static_cast<std::uint32_t>(begin));
    std::size_t pos = begin;
    while (pos < end) {
      const void* q = std::memchr(base + pos, delimiters_.field, end - pos);
      if (!q) break;
      pos = static_cast<std::size_t>(static_cast<const char*>(q) - base) + 1;
      pieces_.push_back(static_cast<std::uint32_t>(pos));
    }
    pieces_.push_back(static_cast<std::uint32_t>(end + 1));  // sentinel: one past the segment's CR
  }
  first_piece_.push_back(static_cast<std::uint32_t>(pieces_.size()));
}

std::string_view Message::piece(std::size_t segment_index, std::size_t n) const {
  const std::size_t first = first_piece_[segment_index];
  const std::size_t count = first_piece_[segment_index + 1] - first - 1;  // without the sentinel
  if (n >= count) return {};
  const std::size_t begin = pieces_[first + n], end = pieces_[first + n + 1] - 1;
  return std::string_view(text_).substr(begin, end - begin);
}

std::string_view Message::value(std::size_t segment_index, std::size_t field_number, std::size_t repetition,
                                std::size_t component, std::size_t subcomponent) const {
  std::string_view v = field(segment_index, field_number);
  if (v.empty() || repetition == 0) return v;
  // MSH-1 and MSH-2 are delimiters, not values with repetitions or components.
  if (field_number <= 2 && is_msh(segment_index)) return v;
  v = nth_piece(v, delimiters_.repetition, repetition - 1);
  if (component == 0) return v;
  v = nth_piece(v, delimiters_.component, component - 1);
  if (subcomponent == 0) return v;
  return nth_piece(v, delimiters_.subcomponent, subcomponent - 1);
}

MessageType Message::message_type() const {
  MessageType type;
  if (segment_count() == 0 || !is_msh(0)) return type;
  const std::string_view msh9 = value(0, 9, 1);
  type.code = nth_piece(msh9, delimiters_.component, 0);
  type.event = nth_piece(msh9, delimiters_.component, 1);
  type.structure = nth_piece(msh9, delimiters_.component, 2);
  return type;
}

std::string MessageType::type_event() const {
  std::string out(code);
  out += '^';
  out += event;
  return out;
}

bool Message::is_msh(std::size_t segment_index) const {
  std::string_view s = segment(segment_index);
  return s.size() >= 3 && s.substr(0, 3) == "MSH";
}

std::string_view Message::segment_id(std::size_t i) const {
  std::string_view s = segment(i);
  std::size_t n = s.find(delimiters_.field);
  return s.substr(0, n == std::string_view::npos ? s.size() : n);
}

std::string_view nth_piece(std::string_view value, char sep, std::size_t n) {
  // An absent value is an empty view whose data() may be null; memchr(nullptr, c, 0) is undefined.
  if (value.empty()) return {};
  const char* p = value.data();
  const char* end = p + value.size();
  while (n > 0) {
    const void* q = std::memchr(p, sep, static_cast<std::size_t>(end - p));
    if (!q) return {};
    p = static_cast<const char*>(q) + 1;
    --n;
  }
  const void* q = std::memchr(p, sep, static_cast<std::size_t>(end - p));
  const char* e = q ? static_cast<const char*>(q) : end;
  return std::string_view(p, static_cast<std::size_t>(e - p));
}

std::size_t count_pieces(std::string_view value, char sep) {
  std::size_t n = 1;
  for (char c : value)
    if (c == sep) ++n;
  return n;
}

std::string_view Message::field(std::size_t segment_index, std::size_t field_number) const {
  if (segment_index >= segment_count() || field_number == 0) return {};
  if (is_msh(segment_index)) {
    // MSH-1 is the field separator itself, so MSH field n is piece n-1 (HL7 v2.5 §2.15.9).
    if (field_number == 1) {
      std::string_view s = segment(segment_index);
      return s.size() > 3 ? s.substr(3, 1) : std::string_view{};
    }
    return piece(segment_index, field_number - 1);
  }
  return piece(segment_index, field_number);
}

std::size_t Message::field_count(std::size_t segment_index) const {
  const std::size_t pieces = first_piece_[segment_index + 1] - first_piece_[segment_index] - 1;
  if (is_msh(segment_index)) return pieces;  // MSH-1 is not a piece of its own
  return pieces - 1;
}

std::size_t Message::find_segment(std::string_view id, std::size_t k) const {
  for (std::size_t i = 0; i < segment_count(); ++i) {
    if (segment_id(i) == id) {
      if (k == 0) return i;
      --k;
    }
  }
  return npos;
}

}  // namespace smx::hl7
