// lib/ssmix2: SS-MIX2 standardized / extended storage: file names, tree walk, data types.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smx/error.hpp"
#include "smx/hl7.hpp"

namespace smx::ssmix2 {

// The seven fields of a standardized-storage file name (or an extended-storage content folder):
// <patient>_<date|->_<type>_<order>_<timestamp>_<dept|->_<flag>  (reference §3).
struct FileName {
  std::string patient;
  std::string date;       // YYYYMMDD or "-"
  std::string type;       // OML-11, ADT-00, OMD ...
  std::string order;      // 15 digits (9x15 when none)
  std::string timestamp;  // 17 digits YYYYMMDDHHMMSSFFF
  std::string dept;       // "-" when none
  int flag = -1;          // 0 deleted, 1 current, 2 history; -1 unreadable
};

// A naming deviation: stable code (SSMX-NAME-*, SSMX-PATH-*) and text. Never refuses the file.
struct NameProblem {
  std::string code;
  std::string text;
  Severity severity = Severity::warning;  // see diagnostic_codes()
};

// Stable diagnostic codes of this layer (listed in smx-ls(1) DIAGNOSTICS). Never renamed;
// a retired code is not reused. Severity is fixed per code.
//
//   code                       sev.     meaning (reference section)
//   SSMX-NAME-FIELDS           error    fewer than 7 '_'-separated fields: name not parsed (§3)
//   SSMX-NAME-EXTRA-FIELDS     warning  more than 7 fields; '_' taken as part of patient ID or order (§3, §11)
//   SSMX-NAME-NO-DEPT          warning  extended content folder with 6 fields, department missing (§7)
//   SSMX-NAME-SPACE            warning  whitespace inside the name (§3 deviations)
//   SSMX-NAME-EXTENSION        warning  file extension after the flag, e.g. "_1.hl7" (§3 deviations)
//   SSMX-NAME-DATE             warning  care date is neither a valid YYYYMMDD nor "-" (§3 field 2)
//   SSMX-NAME-DATE-TYPE        warning  "-" date for a dated data type, or a date for an undated one (§2, §4)
//   SSMX-NAME-TYPE-UNKNOWN     warning  data type not in the §4 table (e.g. vendor OML-12)
//   SSMX-NAME-ORDER-WIDTH      warning  order number not 15 characters (13 seen in DTT) (§3 field 4)
//   SSMX-NAME-ORDER            warning  order number holds non-digits (§3 field 4)
//   SSMX-NAME-KEY-WIDTH        warning  extended storage specific key longer than 22 (§2 limits, §7)
//   SSMX-NAME-TIMESTAMP-WIDTH  warning  timestamp of digits but not 17 (14/15 seen) (§3 field 5)
//   SSMX-NAME-TIMESTAMP        warning  timestamp not digits, or an impossible date/time (§3 field 5)
//   SSMX-NAME-DEPT             warning  department neither "-" nor 1-3 letters/digits (§3 field 6)
//   SSMX-NAME-FLAG             warning  condition flag not 0, 1 or 2 (§3 field 7, §3.1)
//   SSMX-PATIENT-SHORT         warning  patient ID shorter than 6 characters (§2, unconfirmed rule)
//   SSMX-PATIENT-LONG          warning  patient ID longer than 15 characters (§2 limits)
//   SSMX-PATH-DEPTH            error    file not at pid[0:3]/pid[3:6]/pid/date/type/file (§2, §7)
//   SSMX-PATH-PATIENT          error    patient folder differs from the name, or from its prefix folders (§2)
//   SSMX-PATH-DATE             error    date folder differs from the name's care date (§2)
//   SSMX-PATH-TYPE             error    data-type folder differs from the name's data type (§2)
//   SSMX-WALK-UNREADABLE       error    a directory or root could not be read; the walk goes on
//   SSMX-WALK-VANISHED         warning  an entry disappeared during the walk
//   SSMX-WALK-LOOP             warning  symbolic link to a directory containing it; not followed
//   SSMX-WALK-OUTSIDE          warning  symbolic link leaving the root; not followed
//   SSMX-WALK-DANGLING         warning  symbolic link to nothing
//   SSMX-WALK-SYMLINK          note     symbolic link inside the root, not followed (follow_symlinks off)
//   SSMX-WALK-SPECIAL          note     not a regular file or directory (fifo, socket, device); skipped
struct DiagnosticCode {
  std::string_view code;
  Severity severity;
  std::string_view summary;
};
const std::vector<DiagnosticCode>& diagnostic_codes();

// Parses a file name from both ends: flag, dept, timestamp from the right; patient, date, type
// from the left; what is left in between is the order number (so a patient ID or order holding
// '_' still parses). Problems are appended. Returns nullopt when fewer than 7 fields exist.
std::optional<FileName> parse_file_name(std::string_view name, std::vector<NameProblem>& problems);
std::string format_file_name(const FileName& name);
// PATH with the patient levels (pid3/pid6/pid), the care-date folder and, in a file name, the
// patient ID, care date and timestamp replaced by "*"; other paths unchanged. For diagnostics:
// an SS-MIX2 path names the patient.
std::string mask_path(std::string_view path);

// One row of the data-type table (reference §4): folder name, MSH-9 message type^event values
// stored there, where its care date comes from, whether it has an order number.
struct DataType {
  std::string_view folder;          // "OML-11"
  std::string_view description_ja;  // "検体検査結果通知"
  std::vector<std::string_view> msh9;  // {"OUL^R22"}
  std::string_view care_date_field;    // "SPM-17", "" when the type is undated ("-" folder)
};
const std::vector<DataType>& data_types();
const DataType* find_data_type(std::string_view folder);

// True for a real calendar date written YYYYMMDD (the care-date field of a name).
bool is_valid_date(std::string_view yyyymmdd);

// What a message's content says about the name it is (or would be) filed under, for messages
// read without an SS-MIX2 name (raw HL7, stream records without "ssmix2").
//
// The patient ID of the folder and name: PID-3 CX.1 of the repetition whose identifier type
// (CX.5) is PI, SS-MIX2's patient-ID type (reference §5, "PID-3 <id>^^^^PI"), else of the first
// repetition. Decoded; empty when the message has no PID-3.
std::string content_patient(const hl7::Message& message);
// The rows of the data-type table whose MSH-9 type^event this message has (reference §4).
// Several rows when data types share an event (RDE^O11 is OMP-01 and OMP-02), none when the
// table has no row for it (e.g. ORU^R30, ADT^A28).
std::vector<const DataType*> content_data_types(const hl7::Message& message);
// The field a message's care date comes from (reference §2): the data type's field, except for
// events that the reference names separately (ADT^A53: PV2-47, as validate's profile has it).
// "" for undated data types (stored under "-").
std::string_view care_date_field(const DataType& type, const hl7::Message& message);
// The care date YYYYMMDD in `field` ("SPM-17"): first occurrence, first repetition, first
// component, its first 8 characters; nullopt when absent or not a valid date.
std::optional<std::string> content_care_date(const hl7::Message& message, std::string_view field);

// A file found in a tree, with its name parsed and checked against the directories.
struct Entry {
  std::string path;          // root joined with the relative path, as the user gave the root
  std::string root;
  std::string relative;      // path below the root
  bool extended = false;     // extended storage (data-type folder with '^', content folder)
  std::string data_kind;     // extended: the data-type folder name
  std::optional<FileName> name;
  std::vector<NameProblem> problems;
  std::int64_t mtime = 0;    // seconds since the epoch
  std::uint64_t size = 0;
  // With stat_files: what --state compares between runs (a rename keeps mtime but not ctime).
  std::int64_t mtime_ns = 0, ctime_ns = 0;  // nanoseconds since the epoch
  std::uint64_t inode = 0;
};

struct WalkOptions {
  std::vector<std::string> types;   // keep only these data types (empty = all)
  std::vector<std::string> patients;
  std::string from, to;             // care date YYYYMMDD, inclusive
  std::optional<std::int64_t> since;  // mtime >= since
  std::vector<int> flags;           // empty = all
  int shard_index = 0, shard_count = 0;  // 1-based index of N, 0 = off
  bool follow_symlinks = false;     // links leaving the root are never followed
  bool stat_files = false;          // fill Entry.mtime/size for every file (else only with since)
  // true (readers): a file whose name cannot be parsed is not judged by the type, patient,
  // date and flag filters but visited, so the reader can decide from its content.
  bool keep_unnamed = false;
  // true (readers of messages): a file is judged as a source of messages, not as an entry of the
  // tree. A name that is not an SS-MIX2 name (SSMX-NAME-FIELDS) or a file off the SS-MIX2 depth
  // (SSMX-PATH-DEPTH) is visited without a finding (the reader reads it as a plain file), and the
  // other naming findings (SSMX-NAME-*, SSMX-PATH-*, SSMX-PATIENT-*) are at most warnings.
  // Judging the tree itself is the job of smx ls and smx validate (false).
  bool lenient_names = false;
};

// Parses a modification-time limit: YYYY-MM-DD, YYYYMMDD, YYYY-MM-DDTHH:MM[:SS] (local time),
// @EPOCH. Throws usage_error (whose text does not name the command's option).
std::int64_t parse_since(std::string_view text);
// Parses a shard I/N (1 <= I <= N). Throws usage_error as parse_since.
std::pair<int, int> parse_shard(std::string_view text);
// Stable shard of a patient ID (FNV-1a), 1-based.
int shard_of(std::string_view patient, int shard_count);

// Walks each root in byte order, depth first, calling `visit` for every regular file that passes
// the filters. Unreadable directories, symlink loops, links leaving the root and files that are
// not where their name says are reported to `diagnostics` and the walk goes on. A root that is a
// file is visited as itself. Throws io_error only when a root does not exist.
void walk(const std::vector<std::string>& roots, const WalkOptions& options,
          DiagnosticSink& diagnostics, const std::function<void(const Entry&)>& visit);

// Checks the path of a file below a root (5 levels + file, or extended storage) and parses its
// name. Used by walk(); public for tests. When the path below the root is shallower than the
// layout, the upper levels are read from the root's own path (a root may be a patient, date or
// type folder); if they do not fit the layout, the file gets SSMX-PATH-DEPTH. Pure: no I/O.
Entry describe(const std::string& root, const std::string& relative);
bool passes(const Entry& entry, const WalkOptions& options);

}  // namespace smx::ssmix2
