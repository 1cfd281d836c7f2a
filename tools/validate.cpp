// smx validate: HL7 v2.5 + SS-MIX2 conformance of trees, files or stdin, with rules from a profile.
// The findings are the command's output (stdout or -o FILE); run problems and the count line go
// to stderr. The work is cli::run_validate (smx/job.hpp).
#include "common/command.hpp"

namespace smx::tools {

void setup_validate(CLI::App& parent) {
  auto options = std::make_shared<cli::ValidateOptions>();
  CLI::App* app = parent.add_subcommand("validate", "check SS-MIX2 trees and HL7 v2.5 messages against a profile of rules");
  app->add_option("inputs", options->run.inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  app->add_option("--profile", options->profile, "rule profile: a name (ssmix2-1.2i, hl7-2.5) or a YAML file")
      ->type_name("NAME|FILE");
  app->add_option("--config", options->config, "site overrides of rule severities (YAML: severities: {CODE: level})")
      ->type_name("FILE");
  app->add_option("--deidentified", options->deidentified,
                  "the tree was written by smx deid with this profile (name or file): what it changes by design "
                  "becomes notes VAL-DEID-EXPECTED")
      ->type_name("PROFILE");
  add_tables_option(app, options->tables);
  app->add_flag("--list-rules", options->list_rules, "print the rules of the profile (code, severity, description, clause) and exit");
  app->add_option("-o,--output", options->output, "write the findings to FILE (atomically) instead of stdout")
      ->type_name("FILE");
  CLI::Option* diagnostics = app->add_option("--diagnostics", options->diagnostics, "findings as text (default) or json (NDJSON)")
                                 ->check(CLI::IsMember({"text", "json"}))
                                 ->type_name("FORMAT");
  app->add_option("--format", options->deprecated_format, "deprecated spelling of --diagnostics, removed in the next release")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_option("--report", options->report, "also write a summary report to FILE.md (Markdown), FILE.html, or - (Markdown on stdout)")
      ->type_name("FILE");
  app->add_option("-j,--jobs", options->run.jobs, "check with N worker threads (default 1); output is the same for any N")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
  app->add_flag("-q,--quiet", options->quiet, "print only error-level findings and no summary line");
  app->add_flag("--stats{text}", options->stats,
                "print the summary line on stderr even with -q (--stats=json: a final \"kind\":\"stats\" record)")
      ->check(CLI::IsMember({"text", "json"}));
  app->add_flag("--show-phi", options->run.show_phi, "allow patient identifiers and dates in findings");
  add_diagnostics_limit_option(app, options->common);
  add_filter_options(app, options->run.reader.walk, options->since, options->shard);
  app->add_option("--max-message-bytes", options->common.max_message_bytes,
                  "reject messages larger than N bytes (default 67108864)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 31));
  app->add_option("--charset", options->run.reader.assume_charset,
                  "read raw input as this charset instead of detecting it (UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP)")
      ->type_name("NAME");
  app->callback([options, diagnostics] {
    options->diagnostics_given = diagnostics->count() > 0;
    exit_status() = cli::run_validate(*options);
  });
}

}  // namespace smx::tools
