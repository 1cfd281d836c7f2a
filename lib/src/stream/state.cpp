// TreeState: --state FILE. The comparison is done in SQL against a temporary table of this run's
// walk, so memory stays bounded however large the tree (SQLite spills to disk).
#include "smx/state.hpp"

#include <sys/stat.h>

#include <sqlite3.h>
#include <xxhash.h>

#include <chrono>
#include <ctime>

#include "io/sqlite.hpp"

namespace smx {

std::int64_t content_hash(std::string_view bytes) {
  return static_cast<std::int64_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

namespace {

using detail::Db;
using detail::Statement;

// Version 1 of the state's tables. The state is ours alone: a file with other tables is refused
// rather than written into.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS smx_state(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  run INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, finished TEXT NOT NULL,
  seen INTEGER NOT NULL, added INTEGER NOT NULL, changed INTEGER NOT NULL, unchanged INTEGER NOT NULL,
  deletions INTEGER NOT NULL, files_read INTEGER NOT NULL, messages INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files(
  path TEXT PRIMARY KEY, root TEXT NOT NULL, key TEXT NOT NULL, flag INTEGER NOT NULL,
  size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
  hash INTEGER, written INTEGER NOT NULL, run INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS files_key ON files(key);
INSERT OR IGNORE INTO smx_state VALUES('format', '1');
)sql";

constexpr const char* kTemp = R"sql(
CREATE TEMP TABLE walk(
  seq INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, root TEXT NOT NULL, relative TEXT NOT NULL,
  key TEXT NOT NULL, flag INTEGER NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL, pass INTEGER NOT NULL);
CREATE INDEX temp.walk_key ON walk(key);
CREATE TEMP TABLE roots(root TEXT PRIMARY KEY);
CREATE TEMP TABLE done(path TEXT PRIMARY KEY, hash INTEGER NOT NULL);
CREATE TEMP TABLE deletions(seq INTEGER PRIMARY KEY, root TEXT NOT NULL, key TEXT NOT NULL,
  path TEXT NOT NULL, reason TEXT NOT NULL);
)sql";

// A file to read: it passes the filters and is new, differs from when it was written, or was
// never written (filtered out before, or its read failed).
constexpr const char* kToRead = R"sql(
SELECT w.path, w.relative, w.size, w.mtime_ns, w.ctime_ns, w.inode, f.path IS NULL
FROM walk w LEFT JOIN files f ON f.path = w.path
WHERE w.root = ?1 AND w.pass AND (f.path IS NULL OR f.written = 0 OR f.size != w.size OR
  f.mtime_ns != w.mtime_ns OR f.ctime_ns != w.ctime_ns OR f.inode != w.inode)
ORDER BY w.seq
)sql";

// Keys written as current (flag 1, or a file without an SS-MIX2 name) that have no current file
// now: the file is gone, or only a flag 0 (deleted) or flag 2 (superseded) file holds the key.
constexpr const char* kDeletions = R"sql(
INSERT INTO deletions(root, key, path, reason)
SELECT f.root, f.key, f.path,
  CASE WHEN EXISTS (SELECT 1 FROM walk w WHERE w.key = f.key AND w.flag = 0) THEN 'deleted'
       WHEN EXISTS (SELECT 1 FROM walk w WHERE w.key = f.key AND w.flag = 2) THEN 'superseded'
       ELSE 'gone' END
FROM files f
WHERE f.root IN (SELECT root FROM roots) AND f.written = 1 AND f.flag NOT IN (0, 2)
  AND NOT EXISTS (SELECT 1 FROM walk w WHERE w.key = f.key AND w.flag NOT IN (0, 2))
  AND NOT EXISTS (SELECT 1 FROM walk w WHERE w.path = f.path)
ORDER BY f.root, f.path
)sql";

std::string basename_of(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The walk reports naming findings for every file; with --state only the files read are judged
// (the reader reports their findings), so the nightly output does not repeat the whole tree's.
class WalkErrorsOnly final : public DiagnosticSink {
 public:
  explicit WalkErrorsOnly(DiagnosticSink& next) : next_(next) {}
  void report(Diagnostic d) override {
    if (d.code.rfind("SSMX-WALK-", 0) == 0) next_.report(std::move(d));
  }

 private:
  DiagnosticSink& next_;
};

}  // namespace

struct TreeState::Impl {
  Db db;
  std::string started;
  std::string current_root;  // of the open statements below
  std::optional<Statement> deletions, entries;
  std::optional<Statement> lookup_hash, insert_done;
};

TreeState::TreeState(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->db.open(path);
  Db& db = impl_->db;
  // A file that already holds other tables is not ours to write into.
  Statement tables(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT IN "
                       "('smx_state', 'runs', 'files')");
  tables.step();
  Statement ours(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'smx_state'");
  ours.step();
  if (tables.integer(0) > 0 && ours.integer(0) == 0)
    throw config_error("[STATE-OPEN] " + path + ": a SQLite database but not an smx state; not written");
  db.exec(kSchema);
  Statement format(db, "SELECT value FROM smx_state WHERE name = 'format'");
  if (!format.step() || format.text(0) != "1")
    throw config_error("[STATE-OPEN] " + path + ": state format " + format.text(0) + " is not 1");
}

TreeState::~TreeState() = default;

void TreeState::plan(const std::vector<std::string>& roots, const ssmix2::WalkOptions& filters,
                     DiagnosticSink& diagnostics) {
  Db& db = impl_->db;
  impl_->started = utc_now();
  Statement last(db, "SELECT coalesce(max(run), 0) FROM runs");
  last.step();
  summary_ = StateSummary{};
  summary_.previous_run = last.integer(0);
  summary_.run = summary_.previous_run + 1;
  db.exec(kTemp);
  db.exec("BEGIN");
  Statement add_root(db, "INSERT OR IGNORE INTO roots VALUES(?1)");
  Statement add(db, "INSERT OR IGNORE INTO walk(path, root, relative, key, flag, size, mtime_ns, ctime_ns, inode, pass) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  ssmix2::WalkOptions everything;
  everything.follow_symlinks = filters.follow_symlinks;
  everything.stat_files = true;
  everything.keep_unnamed = true;
  ssmix2::WalkOptions selecting = filters;
  selecting.keep_unnamed = true;
  WalkErrorsOnly walk_errors(diagnostics);
  for (const std::string& root : roots) {
    add_root.bind(1, root).run();
    ssmix2::walk({root}, everything, walk_errors, [&](const ssmix2::Entry& e) {
      const bool named = e.name.has_value();
      add.bind(1, e.path).bind(2, root).bind(3, e.relative);
      add.bind(4, named ? file_key(*e.name) : e.path).bind(5, named ? e.name->flag : -1);
      add.bind(6, static_cast<std::int64_t>(e.size)).bind(7, e.mtime_ns).bind(8, e.ctime_ns);
      add.bind(9, static_cast<std::int64_t>(e.inode)).bind(10, ssmix2::passes(e, selecting) ? 1 : 0).run();
      ++summary_.seen;
    });
  }
  db.exec(kDeletions);
  db.exec("COMMIT");
  Statement counts(db, R"sql(
    SELECT coalesce(sum(f.path IS NULL), 0),
           coalesce(sum(f.path IS NOT NULL AND (f.written = 0 OR f.size != w.size OR f.mtime_ns != w.mtime_ns OR
                                   f.ctime_ns != w.ctime_ns OR f.inode != w.inode)), 0),
           (SELECT count(*) FROM deletions)
    FROM walk w LEFT JOIN files f ON f.path = w.path WHERE w.pass)sql");
  counts.step();
  summary_.added = static_cast<std::uint64_t>(counts.integer(0));
  summary_.changed = static_cast<std::uint64_t>(counts.integer(1));
  summary_.deletions = static_cast<std::uint64_t>(counts.integer(2));
  Statement passing(db, "SELECT count(*) FROM walk WHERE pass");
  passing.step();
  summary_.unchanged = static_cast<std::uint64_t>(passing.integer(0)) - summary_.added - summary_.changed;
  if (summary_.added == 0 && summary_.changed == 0 && summary_.deletions == 0) {
    std::string text = std::to_string(summary_.seen) + " files seen, none new, changed or removed";
    if (summary_.previous_run > 0) text += " since run " + std::to_string(summary_.previous_run);
    diagnostics.report(Diagnostic{Severity::note, "STATE-NOTHING-NEW", Location{}, text + ": no file read"});
  }
  impl_->lookup_hash.emplace(db, "SELECT hash FROM files WHERE path = ?1 AND written = 1");
  impl_->insert_done.emplace(db, "INSERT OR REPLACE INTO done VALUES(?1, ?2)");
}

bool TreeState::next_deletion(const std::string& root, Deletion& deletion) {
  if (!impl_->deletions || impl_->current_root != root) {
    impl_->current_root = root;
    impl_->entries.reset();
    impl_->deletions.emplace(impl_->db, "SELECT key, path, reason FROM deletions WHERE root = ?1 ORDER BY seq");
    impl_->deletions->bind(1, root);
  }
  if (!impl_->deletions->step()) return false;
  deletion.key = impl_->deletions->text(0);
  deletion.path = impl_->deletions->text(1);
  deletion.reason = impl_->deletions->text(2);
  std::vector<ssmix2::NameProblem> ignored;
  deletion.name = ssmix2::parse_file_name(basename_of(deletion.path), ignored);
  return true;
}

bool TreeState::next_entry(const std::string& root, ssmix2::Entry& entry) {
  if (!impl_->entries || impl_->current_root != root) {
    impl_->current_root = root;
    impl_->entries.emplace(impl_->db, kToRead);
    impl_->entries->bind(1, root);
  }
  Statement& s = *impl_->entries;
  if (!s.step()) return false;
  entry = ssmix2::describe(root, s.text(1));
  entry.path = s.text(0);
  entry.size = static_cast<std::uint64_t>(s.integer(2));
  entry.mtime_ns = s.integer(3);
  entry.mtime = entry.mtime_ns / 1000000000;
  entry.ctime_ns = s.integer(4);
  entry.inode = static_cast<std::uint64_t>(s.integer(5));
  return true;
}

bool TreeState::file_read(const ssmix2::Entry& entry, std::string_view bytes) {
  const std::int64_t hash = content_hash(bytes);
  ++summary_.read;
  Statement& lookup = *impl_->lookup_hash;
  lookup.bind(1, entry.path);
  const bool same = lookup.step() && !lookup.is_null(0) && lookup.integer(0) == hash;
  lookup.reset();
  impl_->insert_done->bind(1, entry.path).bind(2, hash).run();
  if (same) ++summary_.same_content;
  return !same;
}

void TreeState::commit(const std::string& command, std::uint64_t messages_written) {
  Db& db = impl_->db;
  impl_->deletions.reset();
  impl_->entries.reset();
  db.exec("BEGIN IMMEDIATE");
  // Files gone from the roots walked (their delete records went out with this run's output).
  db.exec("DELETE FROM files WHERE root IN (SELECT root FROM roots) AND path NOT IN (SELECT path FROM walk)");
  Statement read(db, R"sql(
    INSERT INTO files(path, root, key, flag, size, mtime_ns, ctime_ns, inode, hash, written, run)
    SELECT w.path, w.root, w.key, w.flag, w.size, w.mtime_ns, w.ctime_ns, w.inode, d.hash, 1, ?1
    FROM walk w JOIN done d ON d.path = w.path WHERE true
    ON CONFLICT(path) DO UPDATE SET root = excluded.root, key = excluded.key, flag = excluded.flag,
      size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, inode = excluded.inode,
      hash = excluded.hash, written = 1, run = excluded.run)sql");
  read.bind(1, summary_.run).run();
  // Seen but not read (filtered out, or the read failed): known, not written. A file written
  // before keeps its row, so a failed read is tried again and a removal is still noticed.
  Statement seen(db, R"sql(
    INSERT OR IGNORE INTO files(path, root, key, flag, size, mtime_ns, ctime_ns, inode, hash, written, run)
    SELECT path, root, key, flag, size, mtime_ns, ctime_ns, inode, NULL, 0, ?1 FROM walk)sql");
  seen.bind(1, summary_.run).run();
  Statement run(db, "INSERT INTO runs VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  run.bind(1, summary_.run).bind(2, command).bind(3, impl_->started).bind(4, utc_now());
  run.bind(5, static_cast<std::int64_t>(summary_.seen)).bind(6, static_cast<std::int64_t>(summary_.added));
  run.bind(7, static_cast<std::int64_t>(summary_.changed)).bind(8, static_cast<std::int64_t>(summary_.unchanged));
  run.bind(9, static_cast<std::int64_t>(summary_.deletions)).bind(10, static_cast<std::int64_t>(summary_.read));
  run.bind(11, static_cast<std::int64_t>(messages_written)).run();
  db.exec("COMMIT");
}

}  // namespace smx
