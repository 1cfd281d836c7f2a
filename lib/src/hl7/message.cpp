// The decoded message: UTF-8 text with CR after every segment and an index of segment starts.
#include <cstring>

#include "smx/hl7.hpp"

namespace smx::hl7 {
namespace {

bool is_alnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// A line that looks like the start of a segment: three alphanumerics and the field separator.
bool looks_like_segment(std::string_view rest, char field_separator) {
  return rest.size() >= 4 && is_alnum(rest[0]) && is_alnum(rest[1]) && is_alnum(rest[2]) &&
         rest[3] == field_separator;
}

}  // namespace

std::optional<Delimiters> read_delimiters(std::string_view m, std::string* reason) {
  auto fail = [&](const char* why) -> std::optional<Delimiters> {
    if (reason) *reason = why;
    return std::nullopt;
  };
  if (m.size() < 3 || m.substr(0, 3) != "MSH") return fail("message does not start with MSH");
  if (m.size() == 3 || m[3] == '\r' || m[3] == '\n') return fail("MSH segment without MSH-1 and MSH-2 (encoding characters)");
  Delimiters d;
  d.field = m[3];
  auto printable = [](char c) { return c > 0x20 && c < 0x7f; };
  if (!printable(d.field) || is_alnum(d.field)) return fail("MSH-1 (field separator) is not a printable symbol");
  // MSH-2: component, repetition, escape, subcomponent, and (v2.7+) truncation characters,
  // up to the next field separator (HL7 v2.5 §2.5.4, §2.15.9.2).
  std::size_t i = 4;
  char chars[5] = {0, 0, 0, 0, 0};
  std::size_t n = 0;
  while (i < m.size() && m[i] != d.field && m[i] != '\r' && m[i] != '\n') {
    if (n == 5) return fail("MSH-2 (encoding characters) has more than 5 characters");
    chars[n++] = m[i++];
  }
  if (n < 4) {
    // HL7 allows fewer encoding characters only in old versions; we need all four to read
    // the message without guessing.
    return fail("MSH-2 (encoding characters) has fewer than 4 characters");
  }
  for (std::size_t k = 0; k < n; ++k) {
    if (!printable(chars[k]) || is_alnum(chars[k])) return fail("MSH-2 holds a character that cannot be a delimiter");
    if (chars[k] == d.field) return fail("MSH-2 repeats the field separator");
    for (std::size_t j = 0; j < k; ++j)
      if (chars[j] == chars[k]) return fail("MSH-2 repeats a delimiter");
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
  lf_in_data = 0;
  blank_lines = 0;
  mixed_terminators = false;
}

bool Message::assign(std::string_view in, std::string* reason) {
  clear();
  auto d = read_delimiters(in, reason);
  if (!d) return false;
  delimiters_ = *d;
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
        text_.push_back(c);
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
  return true;
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
  std::string_view s = segment(segment_index);
  if (segment_index == 0 || (s.size() >= 3 && s.substr(0, 3) == "MSH")) {
    // MSH-1 is the field separator itself, so MSH field n is piece n-1 (HL7 v2.5 §2.15.9).
    if (s.size() >= 3 && s.substr(0, 3) == "MSH") {
      if (field_number == 1) return s.size() > 3 ? s.substr(3, 1) : std::string_view{};
      return nth_piece(s, delimiters_.field, field_number - 1);
    }
  }
  return nth_piece(s, delimiters_.field, field_number);
}

std::size_t Message::field_count(std::size_t segment_index) const {
  std::string_view s = segment(segment_index);
  std::size_t pieces = count_pieces(s, delimiters_.field);
  if (s.substr(0, 3) == "MSH") return pieces;  // MSH-1 is not a piece of its own
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
