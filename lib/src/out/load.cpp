// smx load: the schema, and what a record does to it. The SQL is written once with $N parameters
// (in order), which SQLite and PostgreSQL both accept; load_db.cpp runs it on either.
#include "smx/load.hpp"

#include <array>

#include "smx/flat.hpp"
#include "smx/state.hpp"
#include "out/load_internal.hpp"

namespace smx {
namespace {

using detail::LoadBackend;

// The five row tables: flat's kinds, columns as smx-flat(1) names them. Numbers are the columns
// flat writes as numbers; everything else is text, identifiers above all (a facility code or
// patient ID must never become a number).
struct Table {
  const char* name;
  FlatKind kind;
};
constexpr std::array<Table, 5> kTables = {{{"observations", FlatKind::obs},
                                           {"patients", FlatKind::patients},
                                           {"encounters", FlatKind::encounters},
                                           {"medications", FlatKind::meds},
                                           {"diagnoses", FlatKind::diagnoses}}};

enum class Type { text, integer, real };
Type column_type(FlatKind kind, const std::string& column) {
  if (column == "msg" || column == "obx" || column == "sources") return Type::integer;
  if (kind == FlatKind::obs && (column == "value_num" || column == "ref_low" || column == "ref_high")) return Type::real;
  return Type::text;
}

// Observations get value_num beside value: value keeps what flat writes (a number, a
// qualitative code or text), value_num the number when there is one, for arithmetic.
std::vector<std::string> table_columns(FlatKind kind) {
  std::vector<std::string> columns = flat_columns(kind);
  if (kind == FlatKind::obs) columns.insert(columns.begin() + 11, "value_num");
  return columns;
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

const char* type_name(Type t, bool postgresql) {
  switch (t) {
    case Type::integer: return postgresql ? "BIGINT" : "INTEGER";
    case Type::real: return postgresql ? "DOUBLE PRECISION" : "REAL";
    case Type::text: break;
  }
  return "TEXT";
}

enum Statement : int {
  kLookup = 1,
  kUpsertSource = 2,
  kDeleteSourceKey = 3,
  kDeleteMessage = 10,  // + table index
  kInsertRow = 20,
  kDeleteKey = 30,
};

}  // namespace

std::string load_schema_sql(bool postgresql) {
  const char* strict = postgresql ? "" : " STRICT";
  std::string sql =
      "CREATE TABLE IF NOT EXISTS sources(\"key\" TEXT NOT NULL, \"msg\" " + std::string(type_name(Type::integer, postgresql)) +
      " NOT NULL, \"path\" TEXT NOT NULL, \"flag\" " + type_name(Type::integer, postgresql) + ", \"hash\" " +
      type_name(Type::integer, postgresql) + " NOT NULL, \"run\" TEXT NOT NULL, PRIMARY KEY(\"key\", \"msg\"))" + strict + ";\n";
  for (const Table& t : kTables) {
    sql += "CREATE TABLE IF NOT EXISTS " + std::string(t.name) + "(\"key\" TEXT NOT NULL, \"row\" " +
           type_name(Type::integer, postgresql) + " NOT NULL";
    for (const std::string& c : table_columns(t.kind))
      sql += ", " + quoted(c) + " " + type_name(column_type(t.kind, c), postgresql);
    sql += ", PRIMARY KEY(\"key\", \"msg\", \"row\"))" + std::string(strict) + ";\n";
  }
  return sql;
}

std::string load_key(const Record& record) {
  if (record.deletion) return record.deletion->key;
  return record.ssmix2 ? file_key(*record.ssmix2) : record.src.path;
}

Loader::Loader(const std::string& url, std::size_t batch_size, std::string run)
    : db_(detail::open_backend(url)), batch_size_(batch_size == 0 ? 1 : batch_size), run_(std::move(run)) {
  const bool pg = db_->postgresql();
  db_->exec(load_schema_sql(pg));
  db_->prepare(kLookup, "SELECT \"hash\" FROM sources WHERE \"key\" = $1 AND \"msg\" = $2", 2);
  db_->prepare(kUpsertSource,
               "INSERT INTO sources(\"key\", \"msg\", \"path\", \"flag\", \"hash\", \"run\") VALUES($1, $2, $3, $4, $5, $6) "
               "ON CONFLICT(\"key\", \"msg\") DO UPDATE SET \"path\" = excluded.\"path\", \"flag\" = excluded.\"flag\", "
               "\"hash\" = excluded.\"hash\", \"run\" = excluded.\"run\"",
               6);
  db_->prepare(kDeleteSourceKey, "DELETE FROM sources WHERE \"key\" = $1", 1);
  for (std::size_t i = 0; i < kTables.size(); ++i) {
    const Table& t = kTables[i];
    const int index = static_cast<int>(i);
    db_->prepare(kDeleteMessage + index,
                 "DELETE FROM " + std::string(t.name) + " WHERE \"key\" = $1 AND \"msg\" = $2", 2);
    db_->prepare(kDeleteKey + index, "DELETE FROM " + std::string(t.name) + " WHERE \"key\" = $1", 1);
    const std::vector<std::string> columns = table_columns(t.kind);
    std::string names = "\"key\", \"row\"", values = "$1, $2";
    for (std::size_t c = 0; c < columns.size(); ++c) {
      names += ", " + quoted(columns[c]);
      values += ", $" + std::to_string(c + 3);
    }
    db_->prepare(kInsertRow + index, "INSERT INTO " + std::string(t.name) + "(" + names + ") VALUES(" + values + ")",
                 static_cast<int>(columns.size() + 2));
  }
  db_->exec("BEGIN");
}

Loader::~Loader() = default;

void Loader::apply(const Record& record) {
  if (record.deletion) {
    remove_key(record.deletion->key);
    ++counts_.deletions;
  } else {
    apply_message(record);
  }
  if (++in_batch_ >= batch_size_) {
    db_->exec("COMMIT");
    ++counts_.batches;
    db_->exec("BEGIN");
    in_batch_ = 0;
  }
}

void Loader::finish() {
  db_->exec("COMMIT");
  if (in_batch_ > 0) ++counts_.batches;
  in_batch_ = 0;
}

void Loader::remove_key(const std::string& key) {
  const std::vector<const std::string*> params{&key};
  for (std::size_t i = 0; i < kTables.size(); ++i)
    counts_.rows_deleted += db_->run(kDeleteKey + static_cast<int>(i), params);
  db_->run(kDeleteSourceKey, params);
}

void Loader::apply_message(const Record& record) {
  ++counts_.messages;
  const std::string key = load_key(record);
  // A flag 0 (deleted) or flag 2 (superseded) file is not current: its key holds nothing.
  if (record.ssmix2 && (record.ssmix2->flag == 0 || record.ssmix2->flag == 2)) {
    remove_key(key);
    ++counts_.retired;
    return;
  }
  // What the rows are made of: the message as written (after labnorm, if it ran) and its changes.
  std::string content = record.src.path;
  content.push_back('\0');
  content.append(record.message.text());
  for (const Change& c : record.changes) {
    for (const std::string* part : {&c.field, &c.from, &c.to, &c.rule}) {
      content.push_back('\0');
      content.append(*part);
    }
    content.append(std::to_string(c.obx));
  }
  const std::string hash = std::to_string(content_hash(content));
  const std::string msg = std::to_string(record.src.n);
  const std::vector<const std::string*> lookup{&key, &msg};
  if (std::optional<std::string> loaded = db_->first(kLookup, lookup); loaded && *loaded == hash) {
    ++counts_.unchanged;
    return;
  }
  ++counts_.replaced;
  for (std::size_t i = 0; i < kTables.size(); ++i) {
    const Table& t = kTables[i];
    const int index = static_cast<int>(i);
    counts_.rows_deleted += db_->run(kDeleteMessage + index, lookup);
    std::uint64_t row = 0;
    flat_values(t.kind, record, [&](const std::vector<std::string>& values, const std::vector<bool>& numeric) {
      std::vector<std::string> cells = values;
      if (t.kind == FlatKind::obs) cells.insert(cells.begin() + 11, numeric[10] ? values[10] : std::string());
      const std::string row_text = std::to_string(++row);
      std::vector<const std::string*> params{&key, &row_text};
      for (const std::string& cell : cells) params.push_back(cell.empty() ? nullptr : &cell);
      counts_.rows_inserted += db_->run(kInsertRow + index, params);
    });
  }
  const std::string flag = record.ssmix2 && record.ssmix2->flag >= 0 ? std::to_string(record.ssmix2->flag) : "";
  db_->run(kUpsertSource, {&key, &msg, &record.src.path, flag.empty() ? nullptr : &flag, &hash, &run_});
}

}  // namespace smx
