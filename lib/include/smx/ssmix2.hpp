// lib/ssmix2: SS-MIX2 standardized / extended storage: file names, tree walk, data types.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smx/error.hpp"

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
};

// Parses a file name from both ends: flag, dept, timestamp from the right; patient, date, type
// from the left; what is left in between is the order number (so a patient ID or order holding
// '_' still parses). Problems are appended. Returns nullopt when fewer than 7 fields exist.
std::optional<FileName> parse_file_name(std::string_view name, std::vector<NameProblem>& problems);
std::string format_file_name(const FileName& name);

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
};

struct WalkOptions {
  std::vector<std::string> types;   // keep only these data types (empty = all)
  std::vector<std::string> patients;
  std::string from, to;             // care date YYYYMMDD, inclusive
  std::optional<std::int64_t> since;  // mtime >= since
  std::vector<int> flags;           // empty = all
  int shard_index = 0, shard_count = 0;  // 1-based index of N, 0 = off
  bool follow_symlinks = false;     // links leaving the root are never followed
};

// Parses --since values: YYYY-MM-DD, YYYYMMDD, YYYY-MM-DDTHH:MM[:SS] (local time), @EPOCH.
std::int64_t parse_since(std::string_view text);  // throws usage_error
// Parses --shard I/N (1 <= I <= N).
std::pair<int, int> parse_shard(std::string_view text);  // throws usage_error
// Stable shard of a patient ID (FNV-1a), 1-based.
int shard_of(std::string_view patient, int shard_count);

// Walks each root in byte order, depth first, calling `visit` for every regular file that passes
// the filters. Unreadable directories, symlink loops, links leaving the root and files that are
// not where their name says are reported to `diagnostics` and the walk goes on. A root that is a
// file is visited as itself. Throws io_error only when a root does not exist.
void walk(const std::vector<std::string>& roots, const WalkOptions& options,
          DiagnosticSink& diagnostics, const std::function<void(const Entry&)>& visit);

// Checks the path of a file below a root (5 levels + file, or extended storage) and parses its
// name. Used by walk(); public for tests.
Entry describe(const std::string& root, const std::string& relative);
bool passes(const Entry& entry, const WalkOptions& options);

}  // namespace smx::ssmix2
