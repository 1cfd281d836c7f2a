// smx validate: HL7 v2.5 + SS-MIX2 conformance of trees, files or stdin, with rules from a profile.
// The findings are the command's output (stdout or -o FILE); run problems and the count line go
// to stderr.
#include <cstdio>
#include <optional>

#include "common/command.hpp"
#include "smx/validate.hpp"

namespace smx::tools {

namespace {

struct ValidateOptions {
  validate::RunOptions run;
  std::string profile = "ssmix2-1.2i";
  std::string config;
  std::string tables;
  bool list_rules = false;
  std::string output = "-";
  std::string diagnostics = "text";
  std::string deprecated_format;  // --format, the old spelling of --diagnostics (one release)
  std::string report;
  std::string stats;
  bool quiet = false;
  cli::CommonOptions common;  // only --max-message-bytes and --max-diagnostics are used
  FilterText filter_text;
};

void write_stderr(const std::string& line) { std::fwrite(line.data(), 1, line.size(), stderr); }

// Profiles by name come from the data root (DIR/mappings/profiles); a profile file without
// `extends` loads without one, so a missing data root is only reported when it was needed.
validate::Profile load_profile(const ValidateOptions& options) {
  std::vector<std::string> search;
  std::optional<config_error> no_root;
  try {
    search = validate::profile_search_path(tables_root(options.tables));
  } catch (const config_error& e) {
    no_root = e;
  }
  try {
    return validate::load_profile(options.profile, search);
  } catch (const config_error& e) {
    if (!no_root) throw;
    throw config_error(std::string(e.what()) + " (" + no_root->what() + ")");
  }
}

int run_validate(ValidateOptions& options, const CLI::Option& diagnostics_option) {
  apply_filter_text(options.filter_text, options.run.reader.walk);
  options.run.reader.max_message_bytes = options.common.max_message_bytes;
  if (!options.deprecated_format.empty()) {
    write_stderr("smx validate: warning: --format is deprecated and goes in the next release; use --diagnostics\n");
    if (diagnostics_option.count() == 0) options.diagnostics = options.deprecated_format;
  }
  const std::string report_format = options.report.empty() ? "" : validate::report_format_for(options.report);
  if (!options.report.empty() && report_format.empty())
    throw usage_error("--report needs a file ending in .md or .html, got '" + options.report + "'");
  validate::Profile profile = load_profile(options);
  if (!options.config.empty()) validate::apply_config(profile, options.config);
  if (options.list_rules) {
    Output rules(options.output);
    rules.write(validate::list_rules(profile));
    rules.commit();
    return cli::kOk;
  }
  // With --report - the report takes standard output, so the findings go to stderr unless -o
  // names a file: one document per stream, and nothing dropped.
  std::optional<Output> out;
  if (options.report != "-" || (!options.output.empty() && options.output != "-")) out.emplace(options.output);
  const bool json = options.diagnostics == "json";
  auto write_finding = [&](std::string_view line) {
    if (out)
      out->write(line);
    else
      std::fwrite(line.data(), 1, line.size(), stderr);
  };
  // --report and --diagnostics json keep every finding; only the text lines are limited.
  cli::DiagnosticPrinter sink("validate", json, options.quiet, options.common.max_diagnostics, write_finding);
  validate::Summary summary = validate::run(profile, options.run, sink);
  sink.finish();
  if (out) out->commit();
  if (!report_format.empty()) {
    Output report(options.report);
    report.write(validate::render_report(summary, profile, report_format));
    report.commit();
  }
  if (!options.quiet || !options.stats.empty())
    write_stderr(validate::summary_line(summary, profile.name, options.stats == "json" || (options.stats.empty() && json)));
  if (summary.input_error) return cli::kFailed;
  return summary.clean() ? cli::kOk : cli::kDataProblems;
}

}  // namespace

void setup_validate(CLI::App& parent) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* app = parent.add_subcommand("validate", "check SS-MIX2 trees and HL7 v2.5 messages against a profile of rules");
  app->add_option("inputs", options->run.inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  app->add_option("--profile", options->profile, "rule profile: a name (ssmix2-1.2i, hl7-2.5) or a YAML file")
      ->type_name("NAME|FILE");
  app->add_option("--config", options->config, "site overrides of rule severities (YAML: severities: {CODE: level})")
      ->type_name("FILE");
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
  add_filter_options(app, options->run.reader.walk, options->filter_text);
  app->add_option("--max-message-bytes", options->common.max_message_bytes,
                  "reject messages larger than N bytes (default 67108864)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 31));
  app->add_option("--charset", options->run.reader.assume_charset,
                  "read raw input as this charset instead of detecting it (UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP)")
      ->type_name("NAME");
  app->callback([options, diagnostics] {
    exit_status() = cli::run("validate", [&] { return run_validate(*options, *diagnostics); });
  });
}

}  // namespace smx::tools
