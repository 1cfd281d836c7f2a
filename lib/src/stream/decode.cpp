// Decoding one message frame: charset detection and conversion, junk after a message, and the
// reading of MSH-2 stand-ins (¥, ‾) reported and recorded.
#include "stream/internal.hpp"

#include "smx/stream.hpp"

namespace smx::detail {
namespace {

// MSH-18 read at byte level from the first line, as a hint for charset detection.
std::string_view msh18_hint(std::string_view raw, char field_separator) {
  const char* eol = hl7::find_line_break(raw.data(), raw.data() + raw.size());
  std::string_view line = raw.substr(0, static_cast<std::size_t>(eol - raw.data()));
  // MSH-18 is piece 17 (MSH-1 is the separator itself).
  return hl7::nth_piece(line, field_separator, 17);
}

// A line of a message frame that cannot begin a segment (hl7::begins_segment).
struct OddLine {
  std::size_t start = 0;
  std::size_t end = 0;          // its line break (or the frame's end)
  bool after_cr = false;        // the line break before it holds a CR
  bool follows_odd = false;     // the line before it is an odd line too
  std::size_t binary_at = 0;    // offset of its first binary byte, 0 = none
};

// The odd lines of a message frame from `from` (a line start) on.
std::vector<OddLine> odd_lines(std::string_view bytes, char field_separator, std::size_t from) {
  std::vector<OddLine> out;
  const char* data = bytes.data();
  std::size_t i = from;
  bool after_cr = false;
  for (std::size_t k = from; k > 0 && (bytes[k - 1] == '\r' || bytes[k - 1] == '\n'); --k) after_cr |= bytes[k - 1] == '\r';
  bool previous_odd = false;
  while (i < bytes.size()) {
    auto end = static_cast<std::size_t>(hl7::find_line_break(data + i, data + bytes.size()) - data);
    bool odd = !hl7::begins_segment(bytes.substr(i), field_separator);
    if (odd) {
      OddLine line{i, end, after_cr, previous_odd, 0};
      for (std::size_t k = i; k < end; ++k)
        if (hl7::is_binary_byte(static_cast<unsigned char>(bytes[k]))) {
          line.binary_at = k;
          break;
        }
      out.push_back(line);
    }
    previous_odd = odd;
    i = end == i ? end + 1 : end;  // a VT or FS (not in message frames) must not stall the walk
    after_cr = false;
    while (i < bytes.size() && (bytes[i] == '\r' || bytes[i] == '\n')) after_cr |= bytes[i++] == '\r';
  }
  return out;
}

// "U+0000", the way delimiter errors name characters.
std::string byte_name(unsigned char c) {
  static const char* hex = "0123456789ABCDEF";
  return std::string("U+00") + hex[c >> 4] + hex[c & 15];
}

}  // namespace

bool MessageDecoder::convert(std::string_view bytes, char field_separator, Conversion& c) {
  c = Conversion{};
  Charset cs = assume_charset_.empty() ? detect_charset(bytes) : charset_from_name(assume_charset_);
  if (assume_charset_.empty() && field_separator != 0 && (cs == Charset::shift_jis || cs == Charset::euc_jp))
    cs = detect_charset(bytes, msh18_hint(bytes, field_separator));
  c.charset = cs;
  findings_.clear();
  if (cs == Charset::ascii || (cs == Charset::utf8 && is_valid_utf8(bytes))) {
    c.text = bytes;
    c.ok = true;
    return true;
  }
  utf8_.clear();
  if (cs != Charset::unknown && to_utf8(bytes, cs, utf8_, findings_)) {
    c.text = utf8_;
    c.ok = true;
    return true;
  }
  c.why = cs == Charset::unknown ? "bytes are not valid in any supported character set"
                                 : "bytes are not valid " + std::string(charset_name(cs));
  for (const auto& f : findings_)
    if (f.code == "CHARSET-INVALID") {
      c.why += " (byte " + std::to_string(f.offset) + " of the message)";
      c.bad_offset = f.offset;
      c.has_bad_offset = true;
      break;
    }
  return false;
}

// True when a line alone cannot be text of a message in `charset` (the charset of the lines
// before it): bytes invalid there, or, after ASCII only, invalid in every charset we read.
// ISO-2022-JP is judged by its 7 bits only: what a line means depends on the escapes before it.
bool MessageDecoder::undecodable_line(std::string_view line, Charset charset) {
  switch (charset) {
    case Charset::ascii: return detect_charset(line) == Charset::unknown;
    case Charset::utf8: return !is_valid_utf8(line);
    case Charset::iso2022jp: return !is_ascii(line);
    default: {
      std::string ignored;
      std::vector<CharsetFinding> none;
      return !to_utf8(line, charset, ignored, none);
    }
  }
}

// Junk after a message with no MSH between (binary data appended to a file, a broken
// transfer). The evidence is an odd line (one that cannot begin a segment) holding a binary
// byte, or, when the message's bytes do not convert, an odd line that is not text in the
// charset of the lines before it. The junk starts there, or earlier at the first of the odd
// lines right before it that follow a segment terminator (the "\x89PNG" line before a PNG's
// control bytes). An odd line after a lone LF in a CR-terminated message may be field data
// and is not taken back; text lines that are not segments stay in the message (smx validate
// reports them). Converts the part kept into `c`; returns the offset of the cut, 0 = none.
std::size_t MessageDecoder::find_junk_after_message(std::string_view bytes, std::size_t odd_line, char field_separator,
                                                    Conversion& c, std::string& junk_reason) {
  if (odd_line == 0 || field_separator == 0) {
    convert(bytes, field_separator, c);
    return 0;
  }
  std::vector<OddLine> odd = odd_lines(bytes, field_separator, odd_line);
  std::size_t evidence = odd.size();
  for (std::size_t k = 0; k < odd.size() && evidence == odd.size(); ++k)
    if (odd[k].binary_at != 0) {
      evidence = k;
      junk_reason = "binary data after the message (" +
                    byte_name(static_cast<unsigned char>(bytes[odd[k].binary_at])) + " in a line that cannot be a segment)";
    }
  if (evidence == odd.size() && !convert(bytes, field_separator, c)) {
    Conversion before;
    convert(bytes.substr(0, odd.empty() ? bytes.size() : odd[0].start), field_separator, before);
    for (std::size_t k = 0; k < odd.size() && evidence == odd.size(); ++k)
      if (undecodable_line(bytes.substr(odd[k].start, odd[k].end - odd[k].start), before.charset)) {
        evidence = k;
        junk_reason = "bytes after the message that are not valid " +
                      (before.charset == Charset::ascii ? std::string("in any supported character set")
                                                        : std::string(charset_name(before.charset))) +
                      " (in a line that cannot be a segment)";
      }
  }
  if (evidence == odd.size()) {
    if (!c.ok) convert(bytes, field_separator, c);  // again: the whole message's failure is reported
    return 0;
  }
  const char* first_break = hl7::find_line_break(bytes.data(), bytes.data() + bytes.size());
  const bool uses_cr = first_break != bytes.data() + bytes.size() && *first_break == '\r';
  std::size_t k = evidence;
  while (k > 0 && odd[k].follows_odd && (odd[k - 1].after_cr || !uses_cr)) --k;
  if (!convert(bytes.substr(0, odd[k].start), field_separator, c)) {
    convert(bytes, field_separator, c);  // the failure to report is the whole message's
    return 0;
  }
  return odd[k].start;
}

std::vector<Diagnostic> jis_roman_diagnostics(const hl7::Message& m, const Location& at_message) {
  std::vector<Diagnostic> out;
  if (!m.jis_roman_undone()) return out;
  Location where = at_message;
  where.hl7_path = "MSH-2";
  auto report = [&](const char* code, const std::string& character, const char* name, char ascii, std::size_t count) {
    std::string text = "MSH-2 '" + m.msh2_as_sent + "' has " + character + " (" + name + ") where the byte 0x" +
                       (ascii == '\\' ? "5C" : "7E") + " belongs (a JIS X 0201 Roman decoding): read as '" + ascii +
                       "'; every " + character + " of the message (" + std::to_string(count) + ") rewritten to '" +
                       ascii + "'";
    if (ascii == '\\' && m.backslashes_as_sent > 0)
      text += "; the message also had " + std::to_string(m.backslashes_as_sent) + " '\\' of its own";
    Diagnostic d{Severity::warning, code, where, text};
    d.subject = m.msh2_as_sent;  // the spelling of MSH-2: which senders or converters did it
    out.push_back(std::move(d));
  };
  if (m.yen_read_as_backslash) report("HL7-DELIM-YEN", "U+00A5 '\u00A5'", "YEN SIGN", '\\', m.yen_read_as_backslash);
  if (m.overline_read_as_tilde)
    report("HL7-DELIM-OVERLINE", "U+203E '\u203E'", "OVERLINE", '~', m.overline_read_as_tilde);
  return out;
}

void append_jis_roman_change(const hl7::Message& m, std::vector<Change>& changes) {
  if (!m.jis_roman_undone()) return;
  std::string rule = m.yen_read_as_backslash ? "HL7-DELIM-YEN" : "HL7-DELIM-OVERLINE";
  if (m.yen_read_as_backslash && m.overline_read_as_tilde) rule += " HL7-DELIM-OVERLINE";
  changes.push_back(Change{0, "MSH-2", m.msh2_as_sent, std::string(m.field(0, 2)), std::move(rule)});
}

}  // namespace smx::detail
