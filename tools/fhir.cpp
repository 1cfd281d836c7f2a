// smx fhir: messages -> FHIR R4 resources (JP Core) as NDJSON, or a Bulk Data directory.
#include "common/command.hpp"
#include "smx/fhir.hpp"

namespace smx::tools {

void setup_fhir(CLI::App& parent) {
  struct Options {
    std::vector<std::string> inputs;
    std::string directory;
    std::string deletes;
    std::string jp_core = "1.1";
    bool compute_flags = false;
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("fhir", "convert messages to FHIR R4 resources (JP Core) as NDJSON");
  app->add_option("inputs", options->inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  app->add_option("-o,--output", options->directory,
                  "write a Bulk Data directory DIR/<Type>.ndjson (one type per file) instead of stdout")
      ->type_name("DIR");
  app->add_option("--deletes", options->deletes,
                  "write {resourceType, id} of deleted and superseded data (condition flag 0, 2) to FILE")
      ->type_name("FILE");
  app->add_option("--jp-core", options->jp_core, "JP Core version: JLAC10 system URI of 1.1 (urn:oid, default) or 1.2")
      ->check(CLI::IsMember({"1.1", "1.2"}))
      ->type_name("VERSION");
  app->add_flag("--compute-flags", options->compute_flags,
                "add Observation.interpretation computed from OBX-5 and OBX-7 when OBX-8 is empty");
  app->add_option("--diagnostics", options->common.diagnostics, "diagnostics on stderr as text or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_flag("-q,--quiet", options->common.quiet, "print only error diagnostics");
  app->add_flag("--stats{text}", options->common.stats,
                "print counts read/written/rejected on stderr at the end (--stats=json: a stats record)")
      ->check(CLI::IsMember({"text", "json"}));
  app->add_flag("--show-phi", options->common.show_phi, "allow patient identifiers in diagnostics");
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  app->callback([options] {
    exit_status() = cli::run("fhir", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      fhir::Options fhir_options;
      fhir_options.jp_core = options->jp_core == "1.2" ? fhir::JpCoreVersion::v1_2 : fhir::JpCoreVersion::v1_1;
      fhir_options.track_deletes = !options->deletes.empty();
      fhir_options.compute_flags = options->compute_flags;
      options->common.output = "-";
      MessageJob job("fhir", options->common, options->inputs, options->reader);
      std::optional<fhir::BulkDirectorySink> directory;
      std::optional<fhir::NdjsonSink> stdout_sink;
      fhir::ResourceSink* sink = nullptr;
      if (!options->directory.empty()) {
        directory.emplace(options->directory);
        sink = &*directory;
      } else {
        stdout_sink.emplace(job.out());
        sink = &*stdout_sink;
      }
      fhir::Converter converter(fhir_options, *sink, job.diagnostics());
      while (const Record* record = job.reader().next()) {
        converter.convert(*record);
        ++job.counts().written;
      }
      if (directory) directory->commit();
      if (!options->deletes.empty()) {
        Output deletes(options->deletes);
        fhir::write_delete_list(deletes, converter.delete_list());
        deletes.commit();
      }
      return job.finish();
    });
  });
}

}  // namespace smx::tools
