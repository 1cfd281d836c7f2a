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
#include "smx/ssmix2.hpp"

namespace smx {

inline constexpr int kStreamVersion = 1;

// Where a message came from: file (or "-"), its number in that file (1-based), byte offset.
struct Source {
  std::string path;
  std::uint64_t n = 0;
  std::uint64_t offset = 0;
};

// One message record of the smx stream.
struct Record {
  hl7::Message message;
  Source src;
  std::optional<ssmix2::FileName> ssmix2;
  std::string charset;            // as detected on the raw bytes ("ISO-2022-JP", "UTF-8"...)
  std::string stream_line;        // the NDJSON line when the record came from the stream
  std::string changes;            // raw JSON array of earlier normalizers' "changes", or empty
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
  // True when some input failed as a whole (unreadable file, missing root): exit status 2.
  bool had_input_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class OutputFormat { stream, er7, mllp };
OutputFormat parse_output_format(std::string_view text);  // throws usage_error

// Writes records in the chosen format.
class RecordWriter {
 public:
  RecordWriter(Output& out, OutputFormat format) : out_(out), format_(format) {}
  void write(const Record& record);
  // Writes the message text of `record` but with `hl7` replacing it (after an edit).
  void write(const Record& record, std::string_view hl7, std::string_view extra_json = {});

 private:
  Output& out_;
  OutputFormat format_;
};

// JSON helpers.
void append_json_string(std::string& out, std::string_view utf8);
void append_base64(std::string& out, std::string_view bytes);
// Appends `,"ssmix2":{...}` (the seven name fields; flag null when unreadable).
void append_ssmix2_json(std::string& out, const ssmix2::FileName& name);
// Appends the record as one stream line (without the newline). `extra_json` (members without the
// braces) replaces the record's "changes": a caller that passes it writes them itself.
void append_record_json(std::string& out, const Record& record, std::string_view hl7,
                        std::string_view extra_json = {});

}  // namespace smx
