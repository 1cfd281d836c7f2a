// lib/stream: the incremental state of --state FILE (a SQLite database): every file of the trees
// seen so far and the runs that saw them. A run walks and stats the whole tree, compares it with
// the state, reads only new and changed files, and emits a delete record for each key whose
// written version is no longer current. The state is saved only after the output was committed,
// so a failed or killed run is simply repeated by the next one.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "smx/error.hpp"
#include "smx/stream.hpp"

namespace smx {

// What a run found when it compared the trees with the state (and, after reading, what it read).
struct StateSummary {
  std::int64_t run = 0;             // this run's number in the state (1 for a new state)
  std::int64_t previous_run = 0;    // the last run saved, 0 when none
  std::uint64_t seen = 0;           // files in the trees
  std::uint64_t added = 0;          // paths not in the state, passing the filters
  std::uint64_t changed = 0;        // size, mtime, ctime or inode differ (or never written before)
  std::uint64_t unchanged = 0;      // passing the filters, same as when written
  std::uint64_t deletions = 0;      // delete records
  std::uint64_t read = 0;           // files read (after file_read)
  std::uint64_t same_content = 0;   // read, but the content hash equals the one written: skipped
};

// Stable diagnostic codes (listed in smx(1)):
//   STATE-OPEN        error  the state file cannot be opened or is not an smx state (job fails)
//   STATE-NOTHING-NEW note   every file is as the last run left it: no file read
//   STATE-SUMMARY     note   files seen, new, changed, unchanged, delete records (with --stats)
class TreeState final : public IncrementalSource {
 public:
  // Opens or creates the state database. Throws config_error when it is not an smx state.
  explicit TreeState(const std::string& path);
  ~TreeState() override;
  TreeState(const TreeState&) = delete;
  TreeState& operator=(const TreeState&) = delete;

  // Walks `roots` (every file, stat'ed; symlinks as `filters` says), compares them with the state
  // and prepares the deletions and files to read. `filters` select what is read, as without
  // --state. Walk errors go to `diagnostics`; naming findings come with each file read.
  void plan(const std::vector<std::string>& roots, const ssmix2::WalkOptions& filters, DiagnosticSink& diagnostics);

  bool next_deletion(const std::string& root, Deletion& deletion) override;
  bool next_entry(const std::string& root, ssmix2::Entry& entry) override;
  bool file_read(const ssmix2::Entry& entry, std::string_view bytes) override;

  // Saves what this run saw and wrote, in one transaction. Call only after the output was
  // committed. `command` is recorded in the runs table.
  void commit(const std::string& command, std::uint64_t messages_written);

  const StateSummary& summary() const { return summary_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  StateSummary summary_;
};

// The fast content hash the state keeps (XXH3 64-bit), as a signed 64-bit SQLite integer.
std::int64_t content_hash(std::string_view bytes);

}  // namespace smx
