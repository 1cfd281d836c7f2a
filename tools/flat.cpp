// smx flat: tidy rows (obs, patients, encounters, meds, diagnoses) as CSV, TSV or NDJSON.
#include "common/command.hpp"
#include "smx/flat.hpp"

namespace smx::tools {

void setup_flat(CLI::App& parent) {
  struct Options {
    std::vector<std::string> inputs;
    std::string kind = "obs";
    std::string format = "csv";
    bool bom = false;
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("flat", "write tidy rows: one per OBX (obs), patient, encounter, med, diagnosis");
  app->add_option("inputs", options->inputs, "smx stream, raw HL7 files, SS-MIX2 roots, or - (default -)")
      ->type_name("INPUT");
  app->add_option("-k,--kind", options->kind, "rows: obs (default), patients, encounters, meds, diagnoses")
      ->check(CLI::IsMember({"obs", "patients", "encounters", "meds", "diagnoses"}))
      ->type_name("KIND");
  app->add_option("-t,--format", options->format, "csv (RFC 4180, default), tsv, ndjson")
      ->check(CLI::IsMember({"csv", "tsv", "ndjson"}))
      ->type_name("FORMAT");
  app->add_flag("--bom", options->bom, "start CSV with a UTF-8 byte order mark (for Excel)");
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("flat", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      MessageJob job("flat", options->common, options->inputs, options->reader);
      FlatWriter writer(job.out(), parse_flat_kind(options->kind), parse_flat_format(options->format), options->bom);
      while (const Record* record = job.reader().next()) {
        writer.write(*record);
        ++job.counts().written;
      }
      writer.finish();
      return job.finish();
    });
  });
}

}  // namespace smx::tools
