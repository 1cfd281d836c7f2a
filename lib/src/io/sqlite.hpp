// A thin RAII layer over the SQLite C API (libsqlite3) for the --state file and smx load: one
// connection, prepared statements with chained binds. Failures throw io_error with SQLite's text.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace smx::detail {

class Db {
 public:
  Db() = default;
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  void open(const std::string& path);  // read-write, created when missing
  void exec(const char* sql);          // one or more statements without results
  sqlite3* handle() const { return db_; }
  std::string error() const;
  std::int64_t changes() const;  // rows changed by the last statement

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Db& db, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind_null(int index);
  bool step();   // true: a row is ready
  void run();    // steps to the end (no rows expected), then resets
  void reset();  // for the next binds
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  Db& db_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace smx::detail
