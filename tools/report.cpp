// smx report: one self-contained HTML page comparing facilities (smx-report(1)).
#include "common/command.hpp"
#include "smx/report.hpp"

namespace smx::tools {

void setup_report(CLI::App& parent) {
  struct Options {
    report::Options report;
    cli::CommonOptions common;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "report", "one self-contained HTML page comparing facilities: indicator funnel plots, lab value distributions "
                "with unit-error flags, mapping coverage");
  app->add_option("--qi", options->report.qi, "indicators: smx qi CSV (facility,period,indicator,numerator,denominator,value,suppressed)")
      ->type_name("QI.csv")
      ->required();
  app->add_option("--coverage", options->report.coverage, "mapping coverage: smx labnorm --coverage records")
      ->type_name("COV.ndjson");
  app->add_option("--lab", options->report.lab, "lab results: the smx stream written by smx labnorm")
      ->type_name("OBS.ndjson");
  app->add_option("--facility", options->report.facility, "highlight this facility (MSH-4 / qi facility / labnorm site)")
      ->type_name("ID");
  app->add_option("--period", options->report.period, "only this period of the QI file (default: all periods, summed)")
      ->type_name("P");
  app->add_option("--title", options->report.title, "the page title (default 施設間比較レポート)")->type_name("TEXT");
  app->add_option("--min-count", options->report.min_count,
                  "results a facility needs for an analyte before it is judged (default 20)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}));
  app->add_option("--max-values", options->report.max_values,
                  "numbers kept per facility and analyte; past it a reservoir sample (default 100000)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000000}));
  add_output_file_option(app, options->common);
  app->add_option("--diagnostics", options->common.diagnostics, "diagnostics on stderr as text or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_flag("-q,--quiet", options->common.quiet, "print only error diagnostics");
  add_diagnostics_limit_option(app, options->common);
  app->callback([options] {
    exit_status() = cli::run_job("report", options->common, [&](Output& out, DiagnosticSink& diagnostics) {
      cli::JobResult result;
      result.status = report::write_report(options->report, out, diagnostics);
      return result;
    });
  });
}

}  // namespace smx::tools
