// The SQLite wrapper of io/sqlite.hpp.
#include "io/sqlite.hpp"

#include <sqlite3.h>

#include "smx/error.hpp"

namespace smx::detail {

Db::~Db() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

void Db::open(const std::string& path) {
  path_ = path;
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
    throw io_error(path + ": cannot open SQLite database: " + error());
  // Another process (a second nightly run started by mistake) waits instead of failing at once.
  sqlite3_busy_timeout(db_, 60000);
  exec("PRAGMA foreign_keys = ON");
}

std::string Db::error() const { return db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory"; }

std::int64_t Db::changes() const { return sqlite3_changes64(db_); }

void Db::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : error();
    sqlite3_free(message);
    throw io_error(path_ + ": " + text);
  }
}

Statement::Statement(Db& db, const char* sql) : db_(db) {
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &statement_, nullptr) != SQLITE_OK)
    throw io_error("SQLite: " + db.error());
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(statement_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(statement_, index);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string text = db_.error();
  sqlite3_reset(statement_);
  throw io_error("SQLite: " + text);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(statement_, column); }

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(statement_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p),
                                                    static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

bool Statement::is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

}  // namespace smx::detail
