// Internals of lib/stream shared by its sources (not public API).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "smx/charset.hpp"
#include "smx/error.hpp"
#include "smx/hl7.hpp"
#include "smx/stream.hpp"

namespace smx::detail {

// Detects the charset of one message's raw bytes and converts them to UTF-8, and finds junk that
// follows a message with no MSH between. A reader keeps one: its buffers are reused.
class MessageDecoder {
 public:
  struct Conversion {
    Charset charset = Charset::unknown;
    std::string_view text;  // UTF-8: the bytes themselves or the decoder's buffer
    bool ok = false;
    std::string why;        // when !ok
    std::size_t bad_offset = 0;
    bool has_bad_offset = false;
  };

  explicit MessageDecoder(std::string assume_charset) : assume_charset_(std::move(assume_charset)) {}
  // Detects the charset of `bytes` (MSH-18 breaks a tie between Shift_JIS and EUC-JP; no hint
  // when `field_separator` is 0) and converts them. findings() tells what the last call found.
  bool convert(std::string_view bytes, char field_separator, Conversion& c);
  // Where a message frame ends when junk follows it (0 = nowhere; see decode.cpp), with the
  // reason for the junk; converts the part kept into `c`. `odd_line` is hl7::Frame::odd_line.
  std::size_t find_junk_after_message(std::string_view bytes, std::size_t odd_line, char field_separator,
                                      Conversion& c, std::string& junk_reason);
  const std::vector<CharsetFinding>& findings() const { return findings_; }

 private:
  bool undecodable_line(std::string_view line, Charset charset);
  std::string assume_charset_;
  std::string utf8_;
  std::vector<CharsetFinding> findings_;
};

// A message whose MSH-2 showed ¥ or ‾ was read with '\\' or '~' in their place everywhere
// (hl7::DelimiterReading): the warnings that say so (HL7-DELIM-YEN, HL7-DELIM-OVERLINE, at
// MSH-2 of `at_message`), and the entry appended to the record's changes so that the output
// tells it too (smx-stream(5)). No-ops for other messages.
std::vector<Diagnostic> jis_roman_diagnostics(const hl7::Message& message, const Location& at_message);
void append_jis_roman_change(const hl7::Message& message, std::vector<Change>& changes);

}  // namespace smx::detail
