// smx load's two databases behind one small interface (load_db.cpp): statements prepared once by
// number, run with text parameters (nullptr = NULL), in transactions the loader opens and commits.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smx/load.hpp"

namespace smx {

class Loader::Backend {
 public:
  virtual ~Backend() = default;
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
