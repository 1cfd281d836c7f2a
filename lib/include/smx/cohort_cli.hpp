// lib/cli: smx cohort as one library call (tools/cohort.cpp only binds options). See smx-cohort(1).
#pragma once
#include <string>

#include "smx/io.hpp"
#include "smx/job.hpp"

namespace smx::cli {

struct CohortOptions {
  std::string criteria;       // --criteria FILE.yaml (required)
  std::string attrition;      // --attrition FILE: counts per facility after each step (CSV)
  std::string format = "csv"; // -t csv|tsv|ndjson
  std::string tables;         // --tables ("" = tables_root(""))
};

// Reads the messages of the inputs as patient timelines (smx/clinical.hpp), judges each against
// the criteria and writes one row per (facility, patient, index date) that meets them. Returns
// 0; 1 when messages were rejected or the input was not grouped by patient (CLINICAL-NOT-GROUPED);
// 2 when the job could not run (bad criteria file: config_error with FILE:LINE:COLUMN).
JobResult cohort(const MessageOptions& options, const CohortOptions& cohort, Output& out, DiagnosticSink& diagnostics);

}  // namespace smx::cli
