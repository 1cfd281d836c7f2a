// lib/stream: records flowing between commands. Reads any input (SS-MIX2 tree, raw HL7 in any
// framing, the smx NDJSON stream) by sniffing, and writes the smx stream or raw HL7.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smx/error.hpp"
#include "smx/hl7.hpp"
#include "smx/io.hpp"
#include "smx/json.hpp"
#include "smx/ssmix2.hpp"

namespace smx {

inline constexpr int kStreamVersion = 1;

// Where a message came from: file (or "-"), its number in that file (1-based), byte offset.
struct Source {
  std::string path;
  std::uint64_t n = 0;
  std::uint64_t offset = 0;
};

// One change made to a message on its way (smx-stream(5) "changes"): which OBX (1-based, as
// numbered in the message written; 0 = the whole message), which field, the value before and
// after, and the table row or rule that made it.
struct Change {
  std::size_t obx = 0;
  std::string field;  // "OBX-3", "OBX-5", "MSH-2", "OBX" (a segment added)...
  std::string from;
  std::string to;
  std::string rule;
  bool operator==(const Change&) const = default;
};

// A delete record (kind "delete", smx-stream(5)): the file that held the current version of
// `key` (its SS-MIX2 name without the condition flag) is gone, became flag 0 (deleted) or was
// superseded (renamed to flag 2) since the run that wrote it. Emitted by --state runs, passed on
// by the commands that write the stream, applied by smx load.
struct Deletion {
  std::string key;
  std::string reason;  // "gone", "deleted" (flag 0), "superseded" (flag 2)
  std::string path;    // the file that was written before
  std::optional<ssmix2::FileName> name;  // its name fields (flag as it was when written)
};

// The key of a file for --state and smx load: its SS-MIX2 name without the condition flag, or
// the file name itself when it is not an SS-MIX2 name.
std::string file_key(const ssmix2::FileName& name);

// One record of the smx stream: a message, or (deletion set) a delete record.
struct Record {
  std::optional<Deletion> deletion;  // set: a delete record; `message` is empty
  hl7::Message message;
  Source src;
  std::optional<ssmix2::FileName> ssmix2;
  std::string charset;            // as detected on the raw bytes ("ISO-2022-JP", "UTF-8"...)
  std::string stream_line;        // the NDJSON line when the record came from the stream
  std::vector<Change> changes;    // made on the way in and by earlier normalizers, oldest first
  Location location(std::string hl7_path = {}) const {
    return Location{src.path, src.n, src.offset, std::move(hl7_path)};
  }
};

// What could not be read as a message: the raw bytes and why. Written by RejectWriter.
struct Reject {
  Source src;
  std::string code;
  std::string reason;
  std::string_view bytes;
  std::uint64_t part = 0;  // >0 when an oversize message is rejected in pieces
};

class RejectSink {
 public:
  virtual ~RejectSink() = default;
  virtual void reject(const Reject& reject) = 0;
};

// NDJSON records {"smx":1,"kind":"reject","src":{...},"code":..,"reason":..,"bytes_base64":..}
class RejectWriter final : public RejectSink {
 public:
  explicit RejectWriter(Output& out) : out_(out) {}
  void reject(const Reject& reject) override;

 private:
  Output& out_;
};

struct Counts {
  std::uint64_t read = 0;      // messages (and undecodable message-like frames) seen
  std::uint64_t written = 0;
  std::uint64_t rejected = 0;
  std::uint64_t filtered = 0;  // read but left out on purpose (grep, the record filters)
  std::uint64_t undetermined = 0;  // of `filtered`: a filter's value could not be derived
  std::uint64_t files = 0;
  std::uint64_t deletions = 0;  // delete records passed on (not messages: outside read = ...)
};

// What a --state run gives the reader instead of walking a tree itself (smx/state.hpp): the
// delete records and the files to read below a root, in walk order.
class IncrementalSource {
 public:
  virtual ~IncrementalSource() = default;
  virtual bool next_deletion(const std::string& root, Deletion& deletion) = 0;
  virtual bool next_entry(const std::string& root, ssmix2::Entry& entry) = 0;
  // A planned file was read: false when its content is the one written by an earlier run
  // (only its times changed); the reader then skips it.
  virtual bool file_read(const ssmix2::Entry& entry, std::string_view bytes) = 0;
};

// The record filters (--type --patient --from --to --flag). A record is judged by its SS-MIX2
// name when it has one, else by its content: patient from PID-3 (ssmix2::content_patient), data
// type from MSH-9 through the data-type table, care date from the data type's field. A value
// that cannot be derived does not match a filter on it: undetermined, left out and counted.
// Data types that share an MSH-9 event (RDE^O11: OMP-01, OMP-02) match a --type list that holds
// all of them, fail one that holds none, and are undetermined otherwise.
enum class FilterVerdict { keep, drop, undetermined };
bool has_record_filters(const ssmix2::WalkOptions& filters);
FilterVerdict filter_record(const Record& record, const ssmix2::WalkOptions& filters);

struct ReaderOptions {
  // Tree-walk filters; the reader also applies the record filters (above) to every record that
  // the walk has not already selected by its name.
  ssmix2::WalkOptions walk;
  std::size_t max_message_bytes = std::size_t{64} << 20;
  std::string assume_charset;  // empty = detect
  bool keep_stream_line = true;
  // false (readers): the walk judges names leniently (ssmix2::WalkOptions::lenient_names).
  // true (validate): walk findings as the tree layer gives them.
  bool tree_findings = false;
  // --state: trees are not walked here; their deletions and changed files come from this.
  IncrementalSource* incremental = nullptr;
};

// Reads records from inputs: "-" (stdin), files, directories (SS-MIX2 trees). Each input is
// sniffed: directory -> tree walk; '{' first -> smx stream; otherwise raw HL7 (any framing).
// Undecodable frames are rejected (to `rejects`, counted) with a diagnostic; the read goes on.
class RecordReader {
 public:
  RecordReader(std::vector<std::string> inputs, ReaderOptions options, DiagnosticSink& diagnostics,
               RejectSink* rejects, Counts& counts);
  ~RecordReader();
  // The next record, or nullptr at end. The record is valid until the next call.
  const Record* next();
  // Swaps the record next() returned last into `into` (for a worker thread to own it); the
  // reader reuses the buffers of what `into` held.
  void take(Record& into);
  // True when some input failed as a whole (unreadable file, missing root): exit status 2.
  bool had_input_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class OutputFormat { stream, er7, mllp };
OutputFormat parse_output_format(std::string_view text);  // throws usage_error

// What a command that rewrites a record adds to it (smx labnorm): changes after the record's own,
// and one member of its own (a key and one JSON value, written by a json::Writer) after them.
struct RecordAdditions {
  const std::vector<Change>* changes = nullptr;  // written (with the record's) even when empty
  std::string_view key;
  std::string_view json;
};

// Writes records in the chosen format.
class RecordWriter {
 public:
  RecordWriter(Output& out, OutputFormat format) : out_(out), format_(format) {}
  // A delete record is written in the stream format only: false (nothing written) for er7, mllp.
  bool write(const Record& record);
  // Writes the message text of `record` but with `hl7` replacing it (after an edit).
  void write(const Record& record, std::string_view hl7, const RecordAdditions& additions = {});
  // The same into a string (a worker's share of the output, smx::cli jobs).
  static bool append(std::string& out, OutputFormat format, const Record& record);
  static void append(std::string& out, OutputFormat format, const Record& record, std::string_view hl7,
                     const RecordAdditions& additions = {});

 private:
  Output& out_;
  OutputFormat format_;
};

// ---- The stream's JSON (smx-stream(5)): its member names, named once for writers and reader ----
namespace keys {
inline constexpr std::string_view smx = "smx", kind = "kind", src = "src", path = "path", n = "n", offset = "offset",
                                  ssmix2 = "ssmix2", patient = "patient", date = "date", type = "type",
                                  order = "order", ts = "ts", dept = "dept", flag = "flag", charset = "charset",
                                  hl7 = "hl7", changes = "changes", obx = "obx", field = "field", from = "from",
                                  to = "to", rule = "rule", code = "code", reason = "reason", part = "part",
                                  bytes = "bytes", bytes_base64 = "bytes_base64", command = "command",
                                  severity = "severity", hl7_path = "hl7_path", text = "text",
                                  subject = "subject", key = "key";
}  // namespace keys
// Record kinds ("kind"); flat names its row kinds itself (smx-flat(1)).
namespace kinds {
inline constexpr std::string_view hl7 = "hl7", file = "file", reject = "reject", diag = "diag", stats = "stats",
                                  change = "change", coverage = "coverage", deletion = "delete";
}  // namespace kinds

// Opens a record: {"smx":1,"kind":KIND; the caller writes its members and closes the object.
void begin_record(json::Writer& w, std::string_view kind);
// Opens a --stats record: {"smx":1,"kind":"stats","command":COMMAND; the caller adds the counts.
void begin_stats(json::Writer& w, std::string_view command);
// "src":{"path":..,"n":..,"offset":..} (`offset` false: path and n only).
void write_source(json::Writer& w, const Source& src, bool offset = true);
// "ssmix2":{the seven name fields}; flag null when unreadable.
void write_ssmix2(json::Writer& w, const ssmix2::FileName& name);
// The members of one change ("obx","field","from","to","rule") into an open object.
void write_change_members(json::Writer& w, const Change& change);
// "changes":[...]: `first`, then `then`.
void write_changes(json::Writer& w, const std::vector<Change>& first, const std::vector<Change>& then = {});
// A --changes record: {"smx":1,"kind":"change","src":{"path","n"},"obx",...} and a newline.
void append_change_record(std::string& out, const Source& src, const Change& change);
// Appends the record as one stream line (without the newline).
void append_record_json(std::string& out, const Record& record, std::string_view hl7,
                        const RecordAdditions& additions = {});
// Base64 (RFC 4648 §4) of raw bytes, for a reject's "bytes_base64".
void append_base64(std::string& out, std::string_view bytes);
// Appends a delete record as one stream line (without the newline).
void append_deletion_json(std::string& out, const Deletion& deletion);

}  // namespace smx
