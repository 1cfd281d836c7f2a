// smx labnorm: lab codes, units, values and reference ranges unified through the tables.
#include "common/command.hpp"

namespace smx::tools {

void setup_labnorm(CLI::App& parent) {
  struct Options {
    cli::LabnormOptions labnorm;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "labnorm", "normalize lab OBX: JLAC10 codes, UCUM units, canonical values and ranges, recomputed flags");
  add_stream_inputs(app, options->messages.inputs);
  add_tables_option(app, options->labnorm.tables);
  app->add_option("--site", options->labnorm.site, "site table mappings/sites/NAME.yaml, or auto (chosen by MSH-4)")
      ->type_name("NAME");
  app->add_flag("--strict", options->labnorm.strict, "reject messages with an unmapped code or unit (to --rejects)");
  app->add_flag("--jccls", options->labnorm.jccls, "add the JCCLS common reference interval of each result to the record");
  app->add_option("--changes", options->labnorm.changes, "write every change as NDJSON to FILE")->type_name("FILE");
  app->add_option("--coverage", options->labnorm.coverage, "write counts of unmapped codes and units by site to FILE")
      ->type_name("FILE");
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("labnorm", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::labnorm(options->messages, options->labnorm, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
