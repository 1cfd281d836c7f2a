// lib/out: tidy rows from messages (smx flat): observations, patients, encounters, medications,
// diagnoses, as CSV (RFC 4180), TSV (linear TSV escapes) or NDJSON.
#pragma once
#include <string>
#include <vector>

#include "smx/io.hpp"
#include "smx/stream.hpp"

namespace smx {

enum class FlatKind { obs, patients, encounters, meds, diagnoses };
enum class FlatFormat { csv, tsv, ndjson };

FlatKind parse_flat_kind(std::string_view text);      // throws usage_error
FlatFormat parse_flat_format(std::string_view text);  // throws usage_error

// The columns of each kind, in output order.
const std::vector<std::string>& flat_columns(FlatKind kind);

class FlatWriter {
 public:
  FlatWriter(Output& out, FlatKind kind, FlatFormat format, bool bom);
  // Writes the rows of one message (none when it has nothing of this kind). Returns the count.
  std::size_t write(const Record& record);

 private:
  void row(const std::vector<std::string>& values, const std::vector<bool>& numeric);
  Output& out_;
  FlatKind kind_;
  FlatFormat format_;
};

}  // namespace smx
