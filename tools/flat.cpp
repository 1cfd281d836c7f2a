// smx flat: tidy rows (obs, patients, encounters, meds, diagnoses) as CSV, TSV or NDJSON.
#include "common/command.hpp"

namespace smx::tools {

void setup_flat(CLI::App& parent) {
  struct Options {
    cli::FlatOptions flat;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("flat", "write tidy rows: one per OBX (obs), patient, encounter, med, diagnosis");
  add_stream_inputs(app, options->messages.inputs);
  app->add_option("-k,--kind", options->flat.kind, "rows: obs (default), patients, encounters, meds, diagnoses")
      ->check(CLI::IsMember({"obs", "patients", "encounters", "meds", "diagnoses"}))
      ->type_name("KIND");
  app->add_option("-t,--format", options->flat.format, "csv (RFC 4180, default), tsv, ndjson")
      ->check(CLI::IsMember({"csv", "tsv", "ndjson"}))
      ->type_name("FORMAT");
  app->add_flag("--bom", options->flat.bom, "start CSV with a UTF-8 byte order mark (for Excel)");
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("flat", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::flat(options->messages, options->flat, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
