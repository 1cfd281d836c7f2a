// lib/out: smx load. The stream into a relational schema (smx-load(1)) in SQLite or PostgreSQL:
// rows keyed by the file key and message number of their source, replaced when the message
// changed, removed by delete records; one transaction per batch; loading the same stream twice
// changes nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "smx/stream.hpp"

namespace smx {

struct LoadCounts {
  std::uint64_t messages = 0;        // message records seen
  std::uint64_t unchanged = 0;       // of those: same key, number and content as loaded: nothing done
  std::uint64_t replaced = 0;        // of those: their rows written (new, or changed since)
  std::uint64_t retired = 0;         // of those: flag 0 or 2, their key's rows removed
  std::uint64_t deletions = 0;       // delete records applied
  std::uint64_t rows_inserted = 0;   // rows of the five tables
  std::uint64_t rows_deleted = 0;
  std::uint64_t batches = 0;         // transactions committed
};

// One load: a connection, the schema created when missing, batches of records.
class Loader {
 public:
  // `url`: sqlite:PATH (or a plain path), postgresql://... or postgres://... (libpq).
  // Throws usage_error for another scheme, io_error when the database cannot be opened.
  Loader(const std::string& url, std::size_t batch_size, std::string run);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Applies one record (a message or a delete record). Commits every `batch_size` records.
  void apply(const Record& record);
  // Commits the last batch.
  void finish();
  const LoadCounts& counts() const { return counts_; }

  class Backend;
  struct Pending;  // a record of the open batch, as statements to run

 private:
  void flush();  // the open batch in one transaction
  std::unique_ptr<Backend> db_;
  std::size_t batch_size_;
  std::vector<Pending> pending_;
  std::string run_;
  LoadCounts counts_;
};

// The key a record's rows are stored under: file_key() of its SS-MIX2 name, else its source path.
std::string load_key(const Record& record);

// The schema as SQL for SQLite (STRICT tables) or PostgreSQL: the same tables, columns and keys;
// TEXT, INTEGER, REAL there are TEXT, BIGINT, DOUBLE PRECISION here.
std::string load_schema_sql(bool postgresql);

}  // namespace smx
