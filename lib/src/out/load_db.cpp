// smx load's databases: SQLite (libsqlite3, through io/sqlite.hpp) and PostgreSQL (libpq).
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "io/sqlite.hpp"
#include "out/load_internal.hpp"

namespace smx {

namespace {
std::vector<const std::string*> pointers(const LoadOp& op) {
  std::vector<const std::string*> p;
  p.reserve(op.parameters.size());
  for (const auto& v : op.parameters) p.push_back(v ? &*v : nullptr);
  return p;
}
}  // namespace

std::vector<std::uint64_t> Loader::Backend::run_many(const std::vector<LoadOp>& ops) {
  std::vector<std::uint64_t> changed;
  changed.reserve(ops.size());
  for (const LoadOp& op : ops) changed.push_back(run(op.id, pointers(op)));
  return changed;
}

std::vector<std::optional<std::string>> Loader::Backend::first_many(const std::vector<LoadOp>& ops) {
  std::vector<std::optional<std::string>> values;
  values.reserve(ops.size());
  for (const LoadOp& op : ops) values.push_back(first(op.id, pointers(op)));
  return values;
}

}  // namespace smx

namespace smx::detail {
namespace {

class SqliteBackend final : public Loader::Backend {
 public:
  explicit SqliteBackend(const std::string& path) {
    db_.open(path);
    // One writer, batches in transactions: WAL lets readers (an analyst's session) go on meanwhile.
    db_.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  }
  bool postgresql() const override { return false; }
  void exec(const std::string& sql) override { db_.exec(sql.c_str()); }
  void prepare(int id, const std::string& sql, int) override {
    statements_.emplace(id, std::make_unique<Statement>(db_, sql.c_str()));
  }
  std::uint64_t run(int id, const std::vector<const std::string*>& parameters) override {
    Statement& s = bound(id, parameters);
    s.run();
    return static_cast<std::uint64_t>(db_.changes());
  }
  std::optional<std::string> first(int id, const std::vector<const std::string*>& parameters) override {
    Statement& s = bound(id, parameters);
    std::optional<std::string> value;
    if (s.step() && !s.is_null(0)) value = s.text(0);
    s.reset();
    return value;
  }

 private:
  Statement& bound(int id, const std::vector<const std::string*>& parameters) {
    Statement& s = *statements_.at(id);
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      if (parameters[i] == nullptr) s.bind_null(static_cast<int>(i + 1));
      else s.bind(static_cast<int>(i + 1), *parameters[i]);
    }
    return s;
  }
  Db db_;
  std::map<int, std::unique_ptr<Statement>> statements_;
};

class PostgresBackend final : public Loader::Backend {
 public:
  explicit PostgresBackend(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK)
      throw io_error("cannot connect to PostgreSQL: " + error());
    // Notices (CREATE TABLE IF NOT EXISTS on an existing table) are not findings: not printed.
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresBackend() override { PQfinish(connection_); }
  bool postgresql() const override { return true; }
  void exec(const std::string& sql) override { check(PQexec(connection_, sql.c_str()), sql); }
  void prepare(int id, const std::string& sql, int parameters) override {
    check(PQprepare(connection_, name(id).c_str(), sql.c_str(), parameters, nullptr), sql);
  }
  std::uint64_t run(int id, const std::vector<const std::string*>& parameters) override {
    PGresult* result = execute(id, parameters);
    const char* tuples = PQcmdTuples(result);
    std::uint64_t changed = tuples != nullptr && *tuples != '\0' ? std::stoull(tuples) : 0;
    PQclear(result);
    return changed;
  }
  std::vector<std::uint64_t> run_many(const std::vector<LoadOp>& ops) override {
    std::vector<std::uint64_t> changed;
    pipeline(ops, [&](PGresult* result) {
      const char* tuples = PQcmdTuples(result);
      changed.push_back(tuples != nullptr && *tuples != '\0' ? std::stoull(tuples) : 0);
    });
    return changed;
  }
  std::vector<std::optional<std::string>> first_many(const std::vector<LoadOp>& ops) override {
    std::vector<std::optional<std::string>> values;
    pipeline(ops, [&](PGresult* result) {
      if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0)) values.emplace_back(PQgetvalue(result, 0, 0));
      else values.emplace_back();
    });
    return values;
  }
  std::optional<std::string> first(int id, const std::vector<const std::string*>& parameters) override {
    PGresult* result = execute(id, parameters);
    std::optional<std::string> value;
    if (PQntuples(result) > 0 && !PQgetisnull(result, 0, 0)) value = PQgetvalue(result, 0, 0);
    PQclear(result);
    return value;
  }

 private:
  static std::string name(int id) { return "smx_load_" + std::to_string(id); }
  // libpq pipeline mode (PostgreSQL 14+ client): statements are sent without waiting for each
  // result, in chunks of 1000 with a sync after each, so neither side's buffers fill up while
  // the other waits. A statement that fails aborts the rest of its chunk; the error is thrown.
  template <class Take>
  void pipeline(const std::vector<LoadOp>& ops, Take&& take) {
    constexpr std::size_t kChunk = 1000;
    if (PQenterPipelineMode(connection_) != 1) throw io_error("PostgreSQL: cannot enter pipeline mode: " + error());
    std::string failure;
    for (std::size_t begin = 0; begin < ops.size(); begin += kChunk) {
      const std::size_t end = std::min(ops.size(), begin + kChunk);
      for (std::size_t i = begin; i < end; ++i) {
        std::vector<const char*> values;
        for (const auto& v : ops[i].parameters) values.push_back(v ? v->c_str() : nullptr);
        if (PQsendQueryPrepared(connection_, name(ops[i].id).c_str(), static_cast<int>(values.size()), values.data(),
                                nullptr, nullptr, 0) != 1)
          throw io_error("PostgreSQL: " + error());
      }
      if (PQpipelineSync(connection_) != 1) throw io_error("PostgreSQL: " + error());
      for (std::size_t i = begin; i < end; ++i) {
        PGresult* result = PQgetResult(connection_);
        const ExecStatusType status = PQresultStatus(result);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) take(result);
        else if (failure.empty()) failure = status == PGRES_PIPELINE_ABORTED ? "pipeline aborted" : error();
        PQclear(result);
        PQclear(PQgetResult(connection_));  // the NULL that ends each statement's results
      }
      PGresult* sync = PQgetResult(connection_);  // PGRES_PIPELINE_SYNC
      PQclear(sync);
      if (!failure.empty()) break;
    }
    PQexitPipelineMode(connection_);
    if (!failure.empty()) throw io_error("PostgreSQL: " + failure);
  }
  std::string error() const {
    std::string text = connection_ != nullptr ? PQerrorMessage(connection_) : "out of memory";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
  PGresult* execute(int id, const std::vector<const std::string*>& parameters) {
    std::vector<const char*> values;
    values.reserve(parameters.size());
    for (const std::string* p : parameters) values.push_back(p == nullptr ? nullptr : p->c_str());
    PGresult* result = PQexecPrepared(connection_, name(id).c_str(), static_cast<int>(values.size()), values.data(),
                                      nullptr, nullptr, 0);
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string text = error();
      PQclear(result);
      throw io_error("PostgreSQL: " + text);
    }
    return result;
  }
  void check(PGresult* result, const std::string& what) {
    const ExecStatusType status = PQresultStatus(result);
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw io_error("PostgreSQL: " + error() + " (in: " + what.substr(0, 60) + ")");
  }
  PGconn* connection_;
};

}  // namespace

std::unique_ptr<Loader::Backend> open_backend(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return std::make_unique<PostgresBackend>(url);
  if (url.rfind("sqlite:", 0) == 0) return std::make_unique<SqliteBackend>(url.substr(7));
  if (url.find("://") != std::string::npos)
    throw usage_error("--db " + url + ": expected sqlite:PATH or postgresql://...");
  return std::make_unique<SqliteBackend>(url);
}

}  // namespace smx::detail
