// smx risk: re-identification risk of the patients in a tree or stream (smx-risk(1)).
#include "common/command.hpp"
#include "smx/deid_cli.hpp"

namespace smx::tools {

void setup_risk(CLI::App& parent) {
  struct Options {
    cli::RiskOptions risk;
    cli::CommonOptions common;
    FilterText filter_text;
    std::string output = "-";
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "risk", "re-identification risk: equivalence classes over quasi-identifiers, k, prosecutor/journalist/marketer risk");
  app->add_option("inputs", options->risk.inputs, "smx stream, raw HL7 files, SS-MIX2 roots, or - (default -)")
      ->type_name("INPUT");
  app->add_option("--qi", options->risk.qi,
                  "quasi-identifiers, comma-separated: birth-month, birth-year, sex, postal3, admit-month, admit-dates, "
                  "rare-codes (default birth-month,sex,postal3,admit-month)")
      ->type_name("LIST");
  app->add_option("--rare", options->risk.rare_below, "rare-codes: a code held by fewer than N patients (default 5)")
      ->type_name("N")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1000000}));
  app->add_option("--population", options->risk.population,
                  "population counts per QI cell (CSV: the --qi columns, then count): journalist risk")
      ->type_name("FILE");
  CLI::Option* fraction = app->add_option("--sampling-fraction", options->risk.sampling_fraction,
                  "patients in the data / patients in the population (default 0.01) for population uniqueness")
      ->type_name("F");
  app->add_option("--threshold", options->risk.threshold,
                  "a record is at risk when 1/k exceeds this (default 0.2), for rA")
      ->type_name("T")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--max-risk", options->risk.max_risk, "exit 1 when the highest prosecutor risk 1/k-min exceeds R")
      ->type_name("R")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--min-k", options->risk.min_k, "exit 1 when a class holds fewer than K patients")->type_name("K");
  app->add_option("--report", options->risk.report, "also write the figures as Markdown to FILE")->type_name("FILE.md");
  app->add_option("-t,--format", options->risk.format, "text or json (default text)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_option("-o,--output", options->output, "write to FILE (atomically: temporary file, fsync, rename)")
      ->type_name("FILE");
  app->add_option("--diagnostics", options->common.diagnostics, "diagnostics on stderr as text or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_flag("-q,--quiet", options->common.quiet, "print only error diagnostics");
  add_filter_options(app, options->risk.reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->risk.reader);
  app->callback([options, fraction] {
    exit_status() = cli::run("risk", [&] {
      options->risk.sampling_fraction_given = fraction->count() > 0;
      apply_filter_text(options->filter_text, options->risk.reader.walk);
      options->risk.reader.max_message_bytes = options->common.max_message_bytes;
      cli::StderrSink sink("risk", options->common.diagnostics == "json", options->common.quiet,
                           options->common.max_diagnostics);
      Output out(options->output);
      Counts counts;
      const int status = cli::risk(options->risk, out, sink, counts);
      sink.finish();
      return status;
    });
  });
}

}  // namespace smx::tools
