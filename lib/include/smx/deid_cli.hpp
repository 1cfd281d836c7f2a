// lib/cli: smx deid and smx risk as library calls (tools/deid.cpp and tools/risk.cpp only bind
// options). See smx-deid(1), smx-risk(1).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "smx/error.hpp"
#include "smx/io.hpp"
#include "smx/job.hpp"
#include "smx/stream.hpp"

namespace smx::cli {

// smx deid's own options; the inputs, filters, reader options, -j and --rejects are the
// MessageOptions every message-reading command has (smx/job.hpp).
struct DeidOptions {
  std::string key;                  // --key FILE (required)
  std::string profile = "ppc-anon"; // --profile NAME|FILE
  std::string purpose = "default";  // --purpose: the release every sub-key is scoped to
  std::string shift_days;           // --shift-days MIN:MAX ("" = the profile's range)
  std::string audit;                // --audit FILE (NDJSON)
  std::string output_dir;           // -o DIR: a de-identified SS-MIX2 tree; "" = the stream to `out`
  std::string tables;               // "" = tables_root("")
  std::uint64_t min_k = 0;          // --min-k K: suppress the patients in classes below K (0: off)
  std::string qi;                   // --qi LIST for --min-k (risk::parse_qi_list; "" = its default)
};

// De-identifies every message the inputs hold: the stream to `out`, or a tree under
// deid.output_dir (then `out` gets nothing), with options.jobs workers (output identical for
// any number). Diagnostics never name an input path: they point at the de-identified output path
// or at "input K" (the K-th input that reported something), with the message number. Throws
// usage_error, config_error, io_error when the job cannot start (no key, bad profile): exit
// status 2.
JobResult deid(const MessageOptions& options, const DeidOptions& deid, Output& out, DiagnosticSink& diagnostics);

// smx deid --new-key FILE: writes the key (mode 0600, never over an existing file) and returns
// its fingerprint.
std::string deid_new_key(const std::string& path);

struct RiskOptions {
  std::string qi;                     // --qi LIST ("" = the default set)
  std::uint64_t rare_below = 5;       // --rare N: a code held by fewer than N patients is rare
  double sampling_fraction = 0.01;    // --sampling-fraction F
  bool sampling_fraction_given = false;
  double threshold = 0.2;             // --threshold: a record is at risk when 1/k exceeds it
  std::string population;             // --population FILE (CSV: the QI columns, then count)
  double max_risk = -1;               // --max-risk R (< 0: off)
  std::uint64_t min_k = 0;            // --min-k K (0: off)
  std::string format = "text";        // -t text|json
  std::string report;                 // --report FILE.md
};

// Builds one record per patient from the messages, measures the risk and writes it to `out`
// (text or JSON). Returns 0, 1 when --max-risk or --min-k is exceeded (the worst classes are
// described in the output, their values generalized) or messages were rejected, 2 when an input
// failed.
JobResult risk(const MessageOptions& options, const RiskOptions& risk, Output& out, DiagnosticSink& diagnostics);

}  // namespace smx::cli
