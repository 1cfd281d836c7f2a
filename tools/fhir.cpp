// smx fhir: messages -> FHIR R4 resources (JP Core) as NDJSON, or a Bulk Data directory.
#include "common/command.hpp"

namespace smx::tools {

void setup_fhir(CLI::App& parent) {
  struct Options {
    cli::FhirOptions fhir;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("fhir", "convert messages to FHIR R4 resources (JP Core) as NDJSON");
  app->add_option("inputs", options->messages.inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  // -o names a directory here, so the output group is bound without its -o FILE.
  app->add_option("-o,--output", options->fhir.directory,
                  "write a Bulk Data directory DIR/<Type>.ndjson (one type per file) instead of stdout")
      ->type_name("DIR");
  app->add_option("--deletes", options->fhir.deletes,
                  "write {resourceType, id} of deleted and superseded data (condition flag 0, 2) to FILE")
      ->type_name("FILE");
  app->add_option("--jp-core", options->fhir.jp_core, "JP Core version: JLAC10 system URI of 1.1 (urn:oid, default) or 1.2")
      ->check(CLI::IsMember({"1.1", "1.2"}))
      ->type_name("VERSION");
  app->add_flag("--compute-flags", options->fhir.compute_flags,
                "add Observation.interpretation computed from OBX-5 and OBX-7 when OBX-8 is empty");
  add_diagnostic_options(app, options->messages.common);
  add_filter_options(app, options->messages.reader.walk, options->messages.since, options->messages.shard);
  add_reader_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("fhir", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::fhir(options->messages, options->fhir, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
