// lib/cli: smx qi as one library call (tools/qi.cpp only binds options). See smx-qi(1).
#pragma once
#include <string>
#include <vector>

#include "smx/job.hpp"

namespace smx::cli {

struct QiOptions {
  std::string indicators = "all";            // --indicators LIST|all
  std::vector<std::string> indicator_files;  // --indicator-file FILE (after the shipped ones)
  std::string drugs;                         // --drugs FILE: the site's drug master
  std::string by = "facility,month";         // --by
  double min_cell = 10;                      // --min-cell
  std::string format = "csv";                // -t csv|tsv|ndjson
  std::string exclusions;                    // --exclusions FILE (NDJSON)
  std::string tables;                        // --tables DIR
};

// Reads the patient timelines from the messages, computes the indicators and writes one row per
// facility, period and indicator to `out`; the drug master's SHA-256, the counts and the
// exclusions by reason go to `diagnostics` as notes (QI-DRUGS, QI-SUMMARY, QI-EXCLUDED) and to
// --exclusions. Throws usage_error / config_error for a job that cannot run.
JobResult qi(const MessageOptions& options, const QiOptions& qi, Output& out, DiagnosticSink& diagnostics);

}  // namespace smx::cli
