// lib/out: tidy rows from messages (smx flat): observations, patients, encounters, medications,
// diagnoses, as CSV (RFC 4180), TSV (linear TSV escapes) or NDJSON.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
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

// The rows of one message of `kind` as values (in flat_columns order) with which of them are
// numbers, for a loader (smx load). Patients: the row of this message alone, not merged with
// other messages of the patient. Returns the count.
using FlatRowSink = std::function<void(const std::vector<std::string>& values, const std::vector<bool>& numeric)>;
std::size_t flat_values(FlatKind kind, const Record& record, const FlatRowSink& sink);

namespace detail {
class PatientTable;
}

class FlatWriter {
 public:
  FlatWriter(Output& out, FlatKind kind, FlatFormat format, bool bom);
  ~FlatWriter();
  FlatWriter(const FlatWriter&) = delete;
  FlatWriter& operator=(const FlatWriter&) = delete;
  // Writes the rows of one message (none when it has nothing of this kind). Returns the count.
  // Patients are held instead (one entry per facility and patient) until finish().
  std::size_t write(const Record& record);
  // write() in two halves, for -j workers: rows() appends the rows of one message to `out` and
  // may run on any thread (patients: none); hold() keeps a message's patient data and must see
  // every message in input order ("latest wins" ties go to input order).
  std::size_t rows(const Record& record, std::string& out) const;
  void hold(const Record& record);
  // Writes what was held: one row per patient, ordered by facility, then patient ID (bytes).
  // Call once, after the last write(). Returns the count.
  std::size_t finish();

 private:
  void row(std::string& out, const std::vector<std::string>& values, const std::vector<bool>& numeric) const;
  Output& out_;
  FlatKind kind_;
  FlatFormat format_;
  std::unique_ptr<detail::PatientTable> patients_;
  std::uint64_t sequence_ = 0;  // input order of the records written
};

}  // namespace smx
