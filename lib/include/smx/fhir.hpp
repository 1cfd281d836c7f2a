// lib/fhir (output layer): SS-MIX2 / HL7 v2.5 messages -> FHIR R4 resources (JP Core), written
// as NDJSON with smx's JSON writer (deterministic member order, no JSON library).
//
// Sources cited in comments:
//   [V2F OBX-5]   HL7 v2-to-FHIR IG 1.0.0 segment map row (../shared/corpus/v2-to-fhir/, CC0)
//   [CM 0078]     v2-to-FHIR concept map InterpretationCodes; [CM 0085] ObservationResultStatus
//   [JP-LAB]      JP Core JP_Observation_LabResult (units-fhir.md §5.2)
//   [JP-MED]      JP Core medication terminology table (jp-core-v1x jp-medication-notes.md)
//   [SS §n]       ../shared/reference/ssmix2.md section n
// Every choice and departure is listed in smx-fhir(1).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "smx/error.hpp"
#include "smx/io.hpp"
#include "smx/json.hpp"
#include "smx/stream.hpp"

namespace smx::fhir {

// ---------------------------------------------------------------------------------------------
// The JSON writer (smx/json.hpp) as FHIR needs it: members come out in the order written; empty
// strings, objects and arrays are left out together with their key (FHIR forbids them), so
// mapping code can open a container and fill it conditionally.

class JsonWriter : public json::Writer {
 public:
  explicit JsonWriter(std::string& out) : json::Writer(out, json::Writer::Empty::omit) {}
};

// True when `text` is a JSON number that FHIR decimal also accepts (no leading zeros, no '+').
inline bool is_json_number(std::string_view text) { return json::is_number(text); }

// ---------------------------------------------------------------------------------------------
// Logical ids. SHA-256 over the length-prefixed key parts, first 128 bits as 32 lowercase hex
// characters: matches the FHIR id rule [A-Za-z0-9\-\.]{1,64}; same key -> same id on every run
// and machine, so a reload updates instead of duplicating.

std::string make_id(const std::vector<std::string_view>& key_parts);
// SHA-256 of bytes (FIPS 180-4, computed by OpenSSL libcrypto), 32 raw bytes. Public for its
// test vectors.
std::string sha256(std::string_view bytes);

// ---------------------------------------------------------------------------------------------
// HL7 DTM (YYYY[MM[DD[HH[MM[SS[.S{1,4}]]]]]][+/-ZZZZ]) -> FHIR. Japan time (+09:00) is assumed
// when no offset is given (SS-MIX2 MSH-7: "タイムゾーンは指定しない", SS §5). Invalid dates give
// nullopt.

// dateTime: year, month and day precision are kept ("2011", "2011-12", "2011-12-20"); a time is
// written to seconds with the offset, hours or minutes zero-filled (FHIR dateTime has no hour
// or minute precision: "Seconds must be provided ... may be zero-filled").
std::optional<std::string> dtm_to_date_time(std::string_view dtm);
// date: the date part only (PID-7 birth date).
std::optional<std::string> dtm_to_date(std::string_view dtm);
// instant: needs at least minutes (zero-filled seconds); day precision gives nullopt.
std::optional<std::string> dtm_to_instant(std::string_view dtm);

// ---------------------------------------------------------------------------------------------
// Conversion

enum class JpCoreVersion { v1_1, v1_2 };

struct Options {
  JpCoreVersion jp_core = JpCoreVersion::v1_1;
  bool track_deletes = false;  // collect (type, id) of deleted / superseded data for delete_list
  bool compute_flags = false;  // Observation.interpretation from lab::compute_flag when OBX-8 empty
};

// The JLAC10 code system URI for a JP Core version (units-fhir.md §2.4, issue 7).
std::string_view jlac10_system(JpCoreVersion v);
// FHIR code system URI for an HL7 v2 coding-system name (CWE.3), or "" when unknown.
std::string code_system_uri(std::string_view v2_name, JpCoreVersion v);

class ResourceSink {
 public:
  virtual ~ResourceSink() = default;
  // One resource: its type, id and the JSON text (one line, no newline).
  virtual void resource(std::string_view type, std::string_view id, std::string_view json) = 0;
  // A resource that is not written: it came from a condition-flag 0 or 2 file or a deleting
  // action code (PRB-1 DE, IAM-6 D). DeleteTracker lists it; other sinks ignore it.
  virtual void retired(std::string_view type, std::string_view id) {
    (void)type;
    (void)id;
  }
};

// Passes resources on to `next` and keeps the delete list: (resourceType, id) of retired
// resources that no resource passed on produced again, in first-seen order.
class DeleteTracker final : public ResourceSink {
 public:
  explicit DeleteTracker(ResourceSink& next) : next_(next) {}
  void resource(std::string_view type, std::string_view id, std::string_view json) override;
  void retired(std::string_view type, std::string_view id) override;
  std::vector<std::pair<std::string, std::string>> delete_list() const;

 private:
  ResourceSink& next_;
  std::unordered_set<std::string> live_;
  std::vector<std::pair<std::string, std::string>> candidates_;
  std::unordered_set<std::string> candidate_seen_;
};

struct ConvertCounts {
  std::uint64_t messages = 0;     // converted (produced at least one resource)
  std::uint64_t unsupported = 0;  // message types without a mapping (nothing written)
  std::uint64_t inactive = 0;     // condition flag 0 or 2: not written
  std::map<std::string, std::uint64_t> resources;  // written, by type
};

// Converts message records. Per-message problems go to `diagnostics` (codes in smx-fhir(1));
// never prints, never throws for data problems.
class Converter {
 public:
  Converter(Options options, ResourceSink& sink, DiagnosticSink& diagnostics);
  ~Converter();
  void convert(const Record& record);
  // (resourceType, id) of resources from condition-flag 0/2 files and deleting action codes
  // (PRB-1 DE, IAM-6 D) that no current (flag 1) message of this run produced again, in first-seen
  // order. Needs Options::track_deletes (a DeleteTracker in front of the sink); without it,
  // retired resources go to the sink's retired().
  std::vector<std::pair<std::string, std::string>> delete_list() const;
  const ConvertCounts& counts() const { return counts_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ConvertCounts counts_;
};

// All resource types to one output, one resource a line (stdout mode).
class NdjsonSink final : public ResourceSink {
 public:
  explicit NdjsonSink(Output& out) : out_(out) {}
  void resource(std::string_view type, std::string_view id, std::string_view json) override;

 private:
  Output& out_;
};

// Bulk Data layout: DIR/<Type>.ndjson, one type per file, LF lines. Each file is written through
// smx::Output (temporary file, fsync, rename on commit); files exist only for types written.
class BulkDirectorySink final : public ResourceSink {
 public:
  explicit BulkDirectorySink(std::string directory);  // throws io_error when it cannot be made
  void resource(std::string_view type, std::string_view id, std::string_view json) override;
  void commit();

 private:
  std::string directory_;
  std::map<std::string, std::unique_ptr<Output>, std::less<>> files_;
};

// {"resourceType":"X","id":"..."} lines.
void write_delete_list(Output& out, const std::vector<std::pair<std::string, std::string>>& deletes);

}  // namespace smx::fhir
