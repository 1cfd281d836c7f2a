// lib/cli: smx link encode | match | audit as library calls (tools/link.cpp binds options).
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "smx/job.hpp"

namespace smx::cli {

struct LinkOptions {
  std::string mode;                   // encode, match, audit
  MessageOptions messages;            // encode, audit: what to read; match: inputs and -o, diagnostics
  std::string key, deid_key, deid_release = "default", link_key;
  std::string deid_profile = "ppc-anon";  // --deid-profile: its "patient" pseudonym shape (smx deid's default)
  std::string schema, tables, facility;
  std::string id1_branch;  // --id1-branch PATH: where the 枝番 is (IN1-46, IN1-11.2...)
  std::string review, model;
  std::string method = "combined";    // combined, tokens, bloom
  std::string blocking = "fine";      // fine, year
  std::size_t u_pairs = 100000;
  double match_probability = 0.99, possible_probability = 0.5;
  std::size_t top = 20;
};

// Each writes its table to `out` and reports to `diagnostics`; throws usage_error, config_error
// or io_error for what stops the job (exit status 2 through run_job).
JobResult link_encode(const LinkOptions& options, Output& out, DiagnosticSink& diagnostics);
JobResult link_match(const LinkOptions& options, Output& out, DiagnosticSink& diagnostics);
JobResult link_audit(const LinkOptions& options, Output& out, DiagnosticSink& diagnostics);
// run_job with the mode's call; match prints its own --stats line (pairs, matches, link IDs).
int run_link(LinkOptions& options);

}  // namespace smx::cli
