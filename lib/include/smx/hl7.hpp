// lib/hl7: framing of raw bytes into messages, a zero-copy message view, delimiters,
// escapes and field paths.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "smx/charset.hpp"
#include "smx/error.hpp"
#include "smx/io.hpp"

namespace smx::hl7 {

// Encoding characters from MSH-1 and MSH-2 (HL7 v2.5 §2.5.4). truncation is 0 when absent.
struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = 0;
};

// What read_delimiters saw besides the delimiters.
struct DelimiterReading {
  // JIS X 0201 Roman has YEN SIGN at 0x5C and OVERLINE at 0x7E, so text decoded through it
  // (glibc iconv after ESC ( J, CP932 tables that map 0x5C to U+00A5) shows MSH-2 as "^~¥&" or
  // "^‾¥&". A ¥ (U+00A5, UTF-8 C2 A5) in MSH-2 is read as '\', a ‾ (U+203E) as '~'.
  bool yen = false;
  bool overline = false;
  bool non_ascii = false;     // failed on a non-ASCII character (name it again after decoding)
  std::string character;      // the character a failure is about, as named in the reason
  std::size_t msh2_end = 0;   // byte offset just past MSH-2
};

// Reads MSH-1/MSH-2 from the first bytes of a message ("MSH|^~\&|..."). Returns nullopt with a
// reason when they are missing, repeated, or cannot be delimiters; the reason names the
// character (U+XXXX and the character when printable, or the byte when not UTF-8) and where it
// is (MSH-1, or MSH-2 character n).
std::optional<Delimiters> read_delimiters(std::string_view message_start, std::string* reason = nullptr,
                                          DelimiterReading* reading = nullptr);

// ---------------------------------------------------------------------------------------------
// Framing: raw bytes (any charset) -> raw messages. Splits at segments starting with MSH, at MLLP
// frame bytes (VT 0x0B ... FS 0x1C), strips a UTF-8 BOM and trailing FS; FHS/BHS/BTS/FTS batch
// segments and anything before the first MSH come out as their own frames so nothing is lost.

struct Frame {
  enum class Kind {
    message,         // starts with MSH
    junk,            // bytes that are not part of any message (reported, go to rejects)
    batch_segment,   // one FHS/BHS/BTS/FTS segment
    oversize         // a piece of a message larger than max_message_bytes (goes to rejects)
  };
  Kind kind = Kind::message;
  std::string_view bytes;  // valid until the next call to next()
  std::uint64_t offset = 0;  // byte offset in the source
  bool mllp = false;       // was inside an MLLP frame
  // Message frames: offset in `bytes` of the first line after the first that may not begin a
  // segment (begins_segment() false or undecided), 0 when every line begins one. Junk that
  // follows a message with no MSH between can only start at or after it.
  std::size_t odd_line = 0;
};

// True when `rest` (the bytes from a line start on) begins a segment: three of [A-Z0-9], then
// the field separator, a line break or the end, after any ISO-2022-JP designations of ASCII or
// JIS-Roman (ESC ( B, ESC ( J) at the line start. `complete` says whether `rest` runs to the end
// of the message; when it does not and the bytes are too few to decide, the answer is false.
bool begins_segment(std::string_view rest, char field_separator, bool complete = true);
// 3 when `bytes` starts with the ISO-2022-JP designation ESC ( B (ASCII) or ESC ( J (JIS-Roman,
// read as ASCII), else 0. A line may start with one before its segment ID; a message frame may
// start with one before MSH.
inline std::size_t designation_prefix(std::string_view bytes) {
  return bytes.size() >= 3 && bytes[0] == '\x1B' && bytes[1] == '(' && (bytes[2] == 'B' || bytes[2] == 'J') ? 3 : 0;
}
// True for a byte that is never text in the charsets we read: a C0 control other than TAB, LF,
// CR, SO/SI (JIS7 katakana) and ESC (ISO-2022-JP designations), or DEL.
inline bool is_binary_byte(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x0E && c != 0x0F && c != 0x1B) || c == 0x7F;
}

struct FramerOptions {
  std::size_t max_message_bytes = std::size_t{64} << 20;
  std::size_t chunk_bytes = std::size_t{1} << 20;
};

class Framer {
 public:
  Framer(ByteSource& source, FramerOptions options = {});
  // Frames bytes already in memory (a whole file); no copy. `whole_input` must outlive the Framer.
  explicit Framer(std::string_view whole_input, FramerOptions options = {});
  ~Framer();
  // The next frame, or nullopt at end of input. Throws io_error from the source.
  std::optional<Frame> next();
  bool saw_bom() const { return saw_bom_; }

 private:
  bool fill();
  const char* data() const { return view_mode_ ? view_.data() : store_.get(); }
  std::size_t size() const { return view_mode_ ? view_.size() : size_; }
  ByteSource* source_;
  FramerOptions options_;
  std::unique_ptr<char[]> store_;  // buffered input; [begin_, size_) not yet handed out
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::size_t last_shift_ = 0;
  std::string_view view_;
  bool view_mode_ = false;
  std::size_t begin_ = 0;    // first unconsumed byte in buffer_
  std::uint64_t consumed_ = 0;  // source offset of data()[0]
  bool eof_ = false;
  bool started_ = false;
  bool saw_bom_ = false;
  bool in_mllp_ = false;
  bool in_oversize_ = false;
};

// Finds the first CR, LF, VT or FS at or after p (SIMD). Returns end when none.
const char* find_line_break(const char* p, const char* end);

// ---------------------------------------------------------------------------------------------
// A decoded message: UTF-8 text, every segment ended by CR, plus an index of segment starts.
// Field accessors return views into the text; no per-field allocation.

// HL7 v2.5 DTM (§2.A.22): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]. The one reader of it
// (validate checks with it, fhir converts with it). Precision is the number of digits as sent.
enum class DtmStatus { ok, bad_format, bad_value, hour_24_47 };
struct Dtm {
  DtmStatus status = DtmStatus::bad_format;
  int digits = 0;                 // 4, 6, 8, 10, 12 or 14: the precision as sent
  std::string_view text;          // those digits
  std::string_view fraction;      // digits after '.', up to 4
  bool has_offset = false;
  int offset_minutes = 0;         // signed, e.g. +0900 -> 540
  std::string_view offset;        // "+0900" as sent
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;  // 0 when not sent
  bool ok() const { return status == DtmStatus::ok; }
};
// `max_digits` limits the precision (8 for DT). hour_24_47: hours 24-47, seen in SS-MIX2 data.
Dtm parse_dtm(std::string_view value, std::size_t max_digits = 14);
// Appends a calendar date as DT text, YYYYMMDD cut to its first `width` digits (4: YYYY, 6:
// YYYYMM, 8). False, appending nothing, for a year outside 0-9999, which four digits cannot hold.
bool append_dt(std::string& out, const std::chrono::year_month_day& date, std::size_t width = 8);

// MSH-9 (HL7 v2.5 §2.15.9.9, MSG): message code ^ trigger event ^ message structure, raw.
struct MessageType {
  std::string_view code;       // MSH-9.1, e.g. OML
  std::string_view event;      // MSH-9.2, e.g. O33
  std::string_view structure;  // MSH-9.3, e.g. OML_O33 (often absent in SS-MIX2 data)
  std::string type_event() const;  // "OML^O33", the key of the SS-MIX2 data-type table
};

class Message {
 public:
  Message() = default;

  // Builds from UTF-8 text. Segment terminators CR, CRLF and LF are accepted: a message that
  // uses CR keeps a lone LF as data (reported in `lf_in_data`), LF-only messages split on LF.
  // Blank lines are dropped (counted in `blank_lines`). Returns false with `reason` when the
  // text does not start with MSH and valid encoding characters.
  bool assign(std::string_view utf8, std::string* reason = nullptr);
  // Like assign() but takes a text that already has CR after every segment (e.g. the stream).
  void clear();

  std::string_view text() const { return text_; }
  const Delimiters& delimiters() const { return delimiters_; }
  std::size_t segment_count() const { return starts_.empty() ? 0 : starts_.size() - 1; }
  // Segment i (0-based) without its CR.
  std::string_view segment(std::size_t i) const {
    return std::string_view(text_).substr(starts_[i], starts_[i + 1] - starts_[i] - 1);
  }
  std::string_view segment_id(std::size_t i) const;
  // Field n (1-based, HL7 numbering: MSH-1 is the field separator, MSH-2 the encoding
  // characters) of segment i, raw (escaped). Empty view when absent.
  std::string_view field(std::size_t segment_index, std::size_t field_number) const;
  std::size_t field_count(std::size_t segment_index) const;
  // One value of a field, raw (escaped): repetition r, component c, subcomponent s, all 1-based;
  // 0 stops there (value(i, 5) is the whole field, value(i, 5, 1) its first repetition,
  // value(i, 5, 1, 2) the second component of that). Empty view when absent.
  std::string_view value(std::size_t segment_index, std::size_t field_number, std::size_t repetition,
                         std::size_t component = 0, std::size_t subcomponent = 0) const;
  // MSH-9 of the message's MSH (first repetition); empty parts when absent.
  MessageType message_type() const;
  bool is_msh(std::size_t segment_index) const;
  // Index of the k-th (0-based) segment with this id, or npos.
  std::size_t find_segment(std::string_view id, std::size_t k = 0) const;

  std::size_t lf_in_data = 0;   // lone LFs kept inside fields
  std::size_t blank_lines = 0;  // empty lines dropped between segments
  bool mixed_terminators = false;
  // When MSH-2 showed ¥ or ‾ (see DelimiterReading), every ¥ (‾) of the text was replaced by '\'
  // ('~'): how many, MSH-2 as it was, and how many '\' the text had before. The caller reports
  // it (HL7-DELIM-YEN, HL7-DELIM-OVERLINE); text() is the rewritten message.
  std::size_t yen_read_as_backslash = 0;
  std::size_t overline_read_as_tilde = 0;
  std::size_t backslashes_as_sent = 0;
  std::string msh2_as_sent;
  bool jis_roman_undone() const { return !msh2_as_sent.empty(); }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  std::string_view undo_jis_roman(std::string_view in, const DelimiterReading& reading);
  void index_fields();
  std::string_view piece(std::size_t segment_index, std::size_t n) const;  // n-th piece split on '|'
  std::vector<std::uint32_t> pieces_;       // start of every piece of every segment, + a sentinel each
  std::vector<std::uint32_t> first_piece_;  // segment i's pieces begin at pieces_[first_piece_[i]]
  std::string rewritten_;
  std::string text_;
  std::vector<std::uint32_t> starts_;  // segment starts, plus text_.size() at the end
  Delimiters delimiters_;
};

// Splits `value` on `sep`; the n-th (0-based) piece, or empty.
std::string_view nth_piece(std::string_view value, char sep, std::size_t n);
std::size_t count_pieces(std::string_view value, char sep);

// ---------------------------------------------------------------------------------------------
// Escapes (HL7 v2.5 §2.7): \F\ \S\ \T\ \R\ \E\ \Xhh..\ \.br\ \.sp\ \H\ \N\ \Cxxyy\ \Mxxyyzz\ \Zxx\ (all of them)

struct EscapeProblem {
  std::size_t offset;  // in the raw value
  std::string code;    // HL7-ESCAPE-UNKNOWN, HL7-ESCAPE-UNTERMINATED, HL7-ESCAPE-HEX
  std::string text;
};

// Appends the decoded form of a raw value to `out`. Formatting escapes become text (\.br\ ->
// LF, \.sp\ -> LF); \H\ \N\ and other formatting commands are dropped; unknown or malformed
// sequences are kept verbatim and reported in `problems` (may be null).
void unescape(std::string_view raw, const Delimiters& delimiters, std::string& out,
              std::vector<EscapeProblem>* problems = nullptr);
// True when the value contains the escape character (fast check before unescape()).
inline bool has_escape(std::string_view raw, const Delimiters& d) {
  return raw.find(d.escape) != std::string_view::npos;
}
// The decoded text of a raw value of `message` (unescape() without problem reports).
std::string decoded(std::string_view raw, const Delimiters& delimiters);
// Appends `text` escaped so it can stand as a value (delimiters -> \F\ \S\ ...).
void escape(std::string_view text, const Delimiters& delimiters, std::string& out);
// `text` escaped (escape() into a new string).
std::string escaped(std::string_view text, const Delimiters& delimiters = {});

// ---------------------------------------------------------------------------------------------
// Building: one segment appended to a message text, its fields placed by number (the empty ones
// before it filled in), ended by CR when the builder goes out of scope. field() and more() take
// raw (already escaped) values; text() escapes. MSH starts with MSH-1 and MSH-2 from the
// delimiters (HL7 v2.5 §2.5.4), so its next field is MSH-3.
//   { SegmentBuilder pid(message, "PID"); pid.field(3, id).more("^^^^PI").text(5, name); }
class SegmentBuilder {
 public:
  SegmentBuilder(std::string& out, std::string_view id, const Delimiters& delimiters = {});
  ~SegmentBuilder() { out_.push_back('\r'); }
  SegmentBuilder(const SegmentBuilder&) = delete;
  SegmentBuilder& operator=(const SegmentBuilder&) = delete;
  // Starts field `number` (after the current one; a lower number appends to the current field).
  SegmentBuilder& field(int number, std::string_view raw) {
    for (; field_ < number; ++field_) out_.push_back(delimiters_.field);
    out_.append(raw);
    return *this;
  }
  // Appends to the current field.
  SegmentBuilder& more(std::string_view raw) {
    out_.append(raw);
    return *this;
  }
  // Starts field `number` with `text` escaped.
  SegmentBuilder& text(int number, std::string_view text);

 private:
  std::string& out_;
  Delimiters delimiters_;
  int field_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Paths: PID-3, PID-5.1, PID-5[2].1, OBX-5.1.2, OBX[3]-5, OBX[*]-5, PID.5.1, MSH-9.1.
// Numbers are 1-based. Without [n] a segment means its first occurrence and a field its first
// repetition; 0 in a component/subcomponent position means "whole".

struct Path {
  static constexpr int kAll = -1;  // [*]
  std::string segment;             // "PID"
  int segment_index = 1;           // [n] or kAll
  bool segment_index_given = false;
  int field = 0;                   // 0 = whole segment
  int repetition = 1;              // [n] or kAll
  bool repetition_given = false;
  int component = 0;
  int subcomponent = 0;
  std::string text;                // as written

  static Path parse(std::string_view text);  // throws parse_error naming the path
  std::string to_string() const;             // canonical form SEG[i]-F[r].C.S
};

// The raw value a path selects inside one segment occurrence (field/repetition/component/sub).
// repetition must not be kAll here.
std::string_view select(const Message& message, std::size_t segment_index, const Path& path,
                        int repetition);

// Calls fn(segment_index) for each segment occurrence the path selects
// (all occurrences when any == true or segment_index is kAll, else the one it names).
template <class Fn>
void for_each_segment(const Message& message, const Path& path, bool any, Fn&& fn) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < message.segment_count(); ++i) {
    if (message.segment_id(i) != path.segment) continue;
    ++seen;
    if (any || path.segment_index == Path::kAll || static_cast<int>(seen) == path.segment_index) {
      fn(i);
      if (!any && path.segment_index != Path::kAll) return;
    }
  }
}

// Number of repetitions of a field.
std::size_t repetition_count(const Message& message, std::size_t segment_index, int field);

// ---------------------------------------------------------------------------------------------
// Editing: replace raw values in a message and get the new text. Segments not touched are
// copied byte for byte; a touched segment keeps every other field as it was.

class MessageEditor {
 public:
  explicit MessageEditor(const Message& message);
  // Replaces field `field` (1-based; not MSH-1/MSH-2) of segment `segment_index`, all
  // repetitions, with an already escaped raw value. Adds empty fields when the segment is short.
  void set_field(std::size_t segment_index, int field, std::string_view raw_value);
  // Replaces one component (1-based) of one repetition (1-based); other components stay.
  void set_component(std::size_t segment_index, int field, int repetition, int component, std::string_view raw_value);
  // Adds a new segment (raw text, without the terminator) after segment `segment_index`; several
  // inserted after the same segment keep their order.
  void insert_after(std::size_t segment_index, std::string raw_segment);
  // The current raw value of a field (after edits).
  std::string_view field(std::size_t segment_index, int field) const;
  bool changed() const { return !edited_.empty() || !inserted_.empty(); }
  // The edited message text (CR after every segment).
  std::string text() const;

 private:
  std::vector<std::string_view>& fields_of(std::size_t segment_index);
  const std::vector<std::string_view>* edited_fields(std::size_t segment_index) const;
  const Message& message_;
  // segment index -> its fields split (piece 0 = segment id, MSH handled by HL7 numbering); the
  // views point into the message or into `values_`, which owns every value set
  std::vector<std::pair<std::size_t, std::vector<std::string_view>>> edited_;
  std::deque<std::string> values_;
  std::vector<int> slot_;  // segment index -> position in edited_, -1 when not edited
  std::vector<std::pair<std::size_t, std::string>> inserted_;  // after segment index, raw text
};

// Replaces piece `n` (0-based) of `value` split on `sep`, adding empty pieces when needed.
std::string replace_piece(std::string_view value, char sep, std::size_t n, std::string_view replacement);

}  // namespace smx::hl7
