// smx qi: quality indicators per facility and period over patient timelines (smx-qi(1)).
#include "common/command.hpp"
#include "smx/qi_command.hpp"

namespace smx::tools {

void setup_qi(CLI::App& parent) {
  struct Options {
    cli::QiOptions qi;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "qi", "quality indicators per facility and period (antibacterial DOT/LOT/AUD, cultures, HbA1c) from patient timelines");
  add_stream_inputs(app, options->messages.inputs);
  app->add_option("--indicators", options->qi.indicators, "indicator ids, comma-separated, or all (default all)")
      ->type_name("LIST|all");
  app->add_option("--indicator-file", options->qi.indicator_files,
                  "also load the indicators of this YAML file (after the shipped ones; repeatable)")
      ->type_name("FILE");
  app->add_option("--drugs", options->qi.drugs,
                  "the site's drug master, CSV code,yj,atc,ddd,ddd_unit (HOT9/HOT7/YJ -> YJ, ATC, DDD); its SHA-256 is recorded")
      ->type_name("FILE");
  app->add_option("--by", options->qi.by, "facility and one period: month, quarter or year (default facility,month)")
      ->type_name("facility,month|quarter|year");
  app->add_option("--min-cell", options->qi.min_cell,
                  "suppress cells whose numerator or denominator is below N (default 10; 0 shows all)")
      ->type_name("N");
  app->add_option("-t,--format", options->qi.format, "csv, tsv or ndjson (default csv)")
      ->check(CLI::IsMember({"csv", "tsv", "ndjson"}))
      ->type_name("FORMAT");
  app->add_option("--exclusions", options->qi.exclusions, "write the excluded records by facility and reason (NDJSON)")
      ->type_name("FILE");
  add_tables_option(app, options->qi.tables);
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("qi", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::qi(options->messages, options->qi, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
