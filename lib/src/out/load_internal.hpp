// smx load's two databases behind one small interface (load_db.cpp): statements prepared once by
// number, run with text parameters (nullptr = NULL), in transactions the loader opens and commits.
#pragma once
#include <cstdint>
#include <optional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smx/load.hpp"

namespace smx {

// A statement with its parameters, owned (std::nullopt = NULL), for the batched calls below.
struct LoadOp {
  int id = 0;
  std::vector<std::optional<std::string>> parameters;
};

class Loader::Backend {
 public:
  virtual ~Backend() = default;
  // Runs every op in order; rows changed by each. PostgreSQL pipelines them (one round trip per
  // chunk instead of one per statement); SQLite runs them one by one, in process.
  virtual std::vector<std::uint64_t> run_many(const std::vector<LoadOp>& ops);
  // first() of each op, in order.
  virtual std::vector<std::optional<std::string>> first_many(const std::vector<LoadOp>& ops);
  virtual bool postgresql() const = 0;
  virtual void exec(const std::string& sql) = 0;
  virtual void prepare(int id, const std::string& sql, int parameters) = 0;
  // Rows changed.
  virtual std::uint64_t run(int id, const std::vector<const std::string*>& parameters) = 0;
  // The first column of the first row, nullopt when there is no row or it is NULL.
  virtual std::optional<std::string> first(int id, const std::vector<const std::string*>& parameters) = 0;
};

namespace detail {
using LoadBackend = Loader::Backend;
// sqlite:PATH or a path -> SQLite; postgresql:// or postgres:// -> libpq. Throws usage_error.
std::unique_ptr<Loader::Backend> open_backend(const std::string& url);
}  // namespace detail

}  // namespace smx
