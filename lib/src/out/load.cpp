// smx load: the schema, and what a record does to it. The SQL is written once with $N parameters
// (in order), which SQLite and PostgreSQL both accept; load_db.cpp runs it on either.
#include "smx/load.hpp"

#include <array>
#include <unordered_map>

#include "smx/flat.hpp"
#include "smx/state.hpp"
#include "out/load_internal.hpp"

namespace smx {
namespace {


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

// What one record does, decided when the batch is flushed (the loaded hash is looked up then, for
// the whole batch at once).
struct Loader::Pending {
  bool remove = false;  // a delete record, or a flag 0/2 message: every row of `key` goes
  bool deletion = false;
  std::string key, msg, hash, path, flag;
  std::vector<std::pair<int, std::vector<std::optional<std::string>>>> rows;  // table index, cells
};

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
}

Loader::~Loader() = default;


void Loader::apply(const Record& record) {
  Pending p;
  p.key = load_key(record);
  if (record.deletion) {
    p.remove = p.deletion = true;
  } else if (record.ssmix2 && (record.ssmix2->flag == 0 || record.ssmix2->flag == 2)) {
    // A flag 0 (deleted) or flag 2 (superseded) file is not current: its key holds nothing.
    p.remove = true;
  } else {
    // What the rows are made of: the message as written (after labnorm, if it ran), its changes.
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
    p.hash = std::to_string(content_hash(content));
    p.msg = std::to_string(record.src.n);
    p.path = record.src.path;
    if (record.ssmix2 && record.ssmix2->flag >= 0) p.flag = std::to_string(record.ssmix2->flag);
    for (std::size_t i = 0; i < kTables.size(); ++i) {
      const Table& t = kTables[i];
      std::uint64_t row = 0;
      flat_values(t.kind, record, [&](const std::vector<std::string>& values, const std::vector<bool>& numeric) {
        std::vector<std::optional<std::string>> cells{p.key, std::to_string(++row)};
        cells.reserve(values.size() + 3);
        for (std::size_t c = 0; c < values.size(); ++c) {
          cells.push_back(values[c].empty() ? std::nullopt : std::optional<std::string>(values[c]));
          // value_num beside value (observations): the value when flat writes it as a number.
          if (t.kind == FlatKind::obs && c == 10)
            cells.push_back(numeric[10] && !values[10].empty() ? std::optional<std::string>(values[10]) : std::nullopt);
        }
        p.rows.emplace_back(static_cast<int>(i), std::move(cells));
      });
    }
  }
  pending_.push_back(std::move(p));
  if (pending_.size() >= batch_size_) flush();
}

void Loader::finish() { flush(); }

void Loader::flush() {
  if (pending_.empty()) return;
  std::vector<LoadOp> lookups;
  for (const Pending& p : pending_)
    if (!p.remove) lookups.push_back(LoadOp{kLookup, {p.key, p.msg}});
  db_->exec("BEGIN");
  const std::vector<std::optional<std::string>> loaded = db_->first_many(lookups);
  // What this batch did before a record, over what the database held at its start.
  struct KeyState {
    bool cleared = false;
    std::unordered_map<std::string, std::string> hashes;  // msg -> hash
  };
  std::unordered_map<std::string, KeyState> batch;
  std::vector<LoadOp> ops;
  std::size_t next_lookup = 0;
  for (Pending& p : pending_) {
    if (p.remove) {
      for (std::size_t i = 0; i < kTables.size(); ++i) ops.push_back(LoadOp{kDeleteKey + static_cast<int>(i), {p.key}});
      ops.push_back(LoadOp{kDeleteSourceKey, {p.key}});
      batch[p.key] = KeyState{true, {}};
      ++(p.deletion ? counts_.deletions : counts_.retired);
      if (!p.deletion) ++counts_.messages;
      continue;
    }
    ++counts_.messages;
    std::optional<std::string> current = loaded[next_lookup++];
    if (auto k = batch.find(p.key); k != batch.end()) {
      auto m = k->second.hashes.find(p.msg);
      if (m != k->second.hashes.end()) current = m->second;
      else if (k->second.cleared) current.reset();
    }
    if (current && *current == p.hash) {
      ++counts_.unchanged;
      continue;
    }
    ++counts_.replaced;
    for (std::size_t i = 0; i < kTables.size(); ++i)
      ops.push_back(LoadOp{kDeleteMessage + static_cast<int>(i), {p.key, p.msg}});
    for (auto& [table, cells] : p.rows) ops.push_back(LoadOp{kInsertRow + table, std::move(cells)});
    ops.push_back(LoadOp{kUpsertSource,
                         {p.key, p.msg, p.path, p.flag.empty() ? std::nullopt : std::optional<std::string>(p.flag),
                          p.hash, run_}});
    batch[p.key].hashes[p.msg] = p.hash;
  }
  const std::vector<std::uint64_t> changed = db_->run_many(ops);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const int id = ops[i].id;
    if ((id >= kDeleteMessage && id < kDeleteMessage + 5) || (id >= kDeleteKey && id < kDeleteKey + 5))
      counts_.rows_deleted += changed[i];
    else if (id >= kInsertRow && id < kInsertRow + 5)
      counts_.rows_inserted += changed[i];
  }
  db_->exec("COMMIT");
  ++counts_.batches;
  pending_.clear();
}

}  // namespace smx
