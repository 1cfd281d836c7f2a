// smx risk: re-identification risk of the patients in a tree or stream (smx-risk(1)).
#include "common/command.hpp"
#include "smx/deid_cli.hpp"

namespace smx::tools {

void setup_risk(CLI::App& parent) {
  struct Options {
    cli::RiskOptions risk;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "risk", "re-identification risk: equivalence classes over quasi-identifiers, k, prosecutor/journalist/marketer risk");
  add_stream_inputs(app, options->messages.inputs);
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
  app->add_option("--report", options->risk.report, "also write the figures to FILE: HTML when it ends in .html or .htm, Markdown otherwise")->type_name("FILE.md|FILE.html");
  app->add_option("-t,--format", options->risk.format, "text or json (default text)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  add_message_options(app, options->messages);
  app->callback([options, fraction] {
    options->risk.sampling_fraction_given = fraction->count() > 0;
    exit_status() = cli::run_job("risk", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::risk(options->messages, options->risk, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
