// smx validate: HL7 v2.5 + SS-MIX2 conformance of trees, files or stdin, with rules from a profile.
#include <cstdio>
#include <filesystem>

#include "common/command.hpp"
#include "smx/validate.hpp"

namespace smx::tools {

void setup_validate(CLI::App& parent) {
  struct Options {
    validate::RunOptions run;
    std::string profile = "ssmix2-1.2i";
    std::string config;
    bool list_rules = false;
    std::string format = "text";
    std::string report;
    std::string stats;
    bool quiet = false;
    cli::CommonOptions common;  // only --max-message-bytes and --max-diagnostics are used
    std::string since, shard;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("validate", "check SS-MIX2 trees and HL7 v2.5 messages against a profile of rules");
  app->add_option("inputs", options->run.inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  app->add_option("--profile", options->profile, "rule profile: a name (ssmix2-1.2i, hl7-2.5) or a YAML file")
      ->type_name("NAME|FILE");
  app->add_option("--config", options->config, "site overrides of rule severities (YAML: severities: {CODE: level})")
      ->type_name("FILE");
  app->add_flag("--list-rules", options->list_rules, "print the rules of the profile (code, severity, description, clause) and exit");
  app->add_option("--format", options->format, "findings on stderr as text (default) or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_option("--report", options->report, "also write a summary report to FILE.md (Markdown), FILE.html, or - (Markdown on stdout)")
      ->type_name("FILE");
  app->add_option("-j,--jobs", options->run.jobs, "check with N worker threads (default 1); output is the same for any N")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
  app->add_flag("-q,--quiet", options->quiet, "print only error-level findings and no summary line");
  app->add_flag("--stats{text}", options->stats,
                "print the summary line even with -q (--stats=json: a final \"kind\":\"stats\" record)")
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
  app->callback([options] {
    exit_status() = cli::run("validate", [&] {
      cli::apply_filter_text(options->since, options->shard, options->run.reader.walk);
      options->run.reader.max_message_bytes = options->common.max_message_bytes;
      std::string report_format;
      if (options->report == "-") {
        report_format = "md";
      } else if (!options->report.empty()) {
        std::string ext = std::filesystem::path(options->report).extension().string();
        if (ext == ".md" || ext == ".markdown") report_format = "md";
        else if (ext == ".html" || ext == ".htm") report_format = "html";
        else throw usage_error("--report needs a file ending in .md or .html, got '" + options->report + "'");
      }
      std::error_code ec;
      std::string executable = std::filesystem::read_symlink("/proc/self/exe", ec).string();
      validate::Profile profile = validate::load_profile(options->profile, validate::profile_search_path(executable));
      if (!options->config.empty()) validate::apply_config(profile, options->config);
      if (options->list_rules) {
        Output out("-");
        out.write(validate::list_rules(profile));
        out.commit();
        return cli::kOk;
      }
      const bool json = options->format == "json";
      // --report and --format json keep every finding; only the text lines are limited.
      cli::StderrSink sink("validate", json, options->quiet, options->common.max_diagnostics);
      validate::Summary summary = validate::run(profile, options->run, sink);
      sink.finish();
      if (!report_format.empty()) {
        Output report(options->report);
        report.write(validate::render_report(summary, profile, report_format));
        report.commit();
      }
      if (!options->quiet || !options->stats.empty()) {
        cli::print_text(validate::format_stats(summary, options->stats == "json" || (options->stats.empty() && json)));
      }
      if (summary.input_error) return cli::kFailed;
      return summary.clean() ? cli::kOk : cli::kDataProblems;
    });
  });
}

}  // namespace smx::tools
