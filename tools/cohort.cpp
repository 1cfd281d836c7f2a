// smx cohort: the (facility, patient) rows that meet eligibility criteria (smx-cohort(1)).
#include "common/command.hpp"
#include "smx/cohort_cli.hpp"

namespace smx::tools {

void setup_cohort(CLI::App& parent) {
  struct Options {
    cli::CohortOptions cohort;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "cohort", "patients who meet eligibility criteria (code sets, index event, inclusion rules), with the index date");
  add_stream_inputs(app, options->messages.inputs);
  app->add_option("--criteria", options->cohort.criteria, "the criteria file (YAML; smx-cohort(1) CRITERIA FILE)")
      ->type_name("FILE.yaml");
  app->add_option("--attrition", options->cohort.attrition,
                  "write the patients left after each step, per facility, and the lab results not judged (CSV)")
      ->type_name("FILE");
  app->add_option("-t,--format", options->cohort.format, "csv, tsv or ndjson (default csv)")
      ->check(CLI::IsMember({"csv", "tsv", "ndjson"}))
      ->type_name("FORMAT");
  add_tables_option(app, options->cohort.tables);
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("cohort", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::cohort(options->messages, options->cohort, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
