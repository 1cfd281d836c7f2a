// smx labnorm: lab codes, units, values and reference ranges unified through the tables.
#include "common/command.hpp"
#include "smx/labnorm.hpp"

namespace smx::tools {

void setup_labnorm(CLI::App& parent) {
  struct Options {
    std::vector<std::string> inputs;
    std::string tables;
    std::string site;
    bool strict = false;
    bool jccls = false;
    std::string changes;
    std::string coverage;
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "labnorm", "normalize lab OBX: JLAC10 codes, UCUM units, canonical values and ranges, recomputed flags");
  app->add_option("inputs", options->inputs, "smx stream, raw HL7 files, SS-MIX2 roots, or - (default -)")
      ->type_name("INPUT");
  add_tables_option(app, options->tables);
  app->add_option("--site", options->site, "site table mappings/sites/NAME.yaml, or auto (chosen by MSH-4)")
      ->type_name("NAME");
  app->add_flag("--strict", options->strict, "reject messages with an unmapped code or unit (to --rejects)");
  app->add_flag("--jccls", options->jccls, "add the JCCLS common reference interval of each result to the record");
  app->add_option("--changes", options->changes, "write every change as NDJSON to FILE")->type_name("FILE");
  app->add_option("--coverage", options->coverage, "write counts of unmapped codes and units by site to FILE")
      ->type_name("FILE");
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("labnorm", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      tables::Tables tables =
          tables::load_tables(tables_root(options->tables), options->site == "auto" ? "auto" : options->site);
      if (!options->site.empty() && options->site != "auto" && !tables.site_named(options->site))
        throw usage_error("--site: no site table named '" + options->site + "'");
      lab::Normalizer normalizer(tables, lab::NormalizeOptions{options->site, options->jccls});
      MessageJob job("labnorm", options->common, options->inputs, options->reader);
      std::optional<Output> changes_out, coverage_out;
      if (!options->changes.empty()) changes_out.emplace(options->changes);
      if (!options->coverage.empty()) coverage_out.emplace(options->coverage);
      std::optional<Output> strict_rejects;
      RecordWriter writer(job.out(), OutputFormat::stream);
      while (const Record* record = job.reader().next()) {
        lab::Normalized n = normalizer.normalize(*record, job.diagnostics());
        if (options->strict && (n.unmapped || n.implausible)) {
          job.diagnostics().report(Diagnostic{Severity::error, "LAB-STRICT", record->location(),
                                              "message has an unmapped code or unit or an implausible result; rejected (--strict)"});
          job.reject(*record, "LAB-STRICT", "unmapped code or unit, or implausible result");
          continue;
        }
        if (!n.changed && n.jccls_json.empty()) {
          writer.write(*record);  // nothing to change: the record as it came, byte for byte
        } else {
          std::string changes = lab::changes_json(n.changes);
          if (!record->changes.empty() && record->changes != "[]") {
            // earlier changes first, then ours
            changes = n.changes.empty() ? record->changes
                                        : record->changes.substr(0, record->changes.size() - 1) + "," + changes.substr(1);
          }
          std::string extra = "\"changes\":" + changes;
          if (!n.jccls_json.empty()) extra += ",\"jccls\":" + n.jccls_json;
          writer.write(*record, n.changed ? std::string_view(n.hl7) : record->message.text(), extra);
        }
        ++job.counts().written;
        if (changes_out) {
          for (const auto& c : n.changes) {
            std::string line = "{\"smx\":1,\"kind\":\"change\",\"src\":{\"path\":";
            append_json_string(line, record->src.path);
            line += ",\"n\":" + std::to_string(record->src.n) + "},";
            std::string one = lab::changes_json({c});
            line += one.substr(2, one.size() - 4);  // the object's members
            line += "}\n";
            changes_out->write(line);
          }
        }
      }
      if (coverage_out) {
        for (const auto& [site, coverage] : normalizer.coverage()) coverage_out->write(lab::coverage_json(site, coverage));
        coverage_out->commit();
      }
      if (changes_out) changes_out->commit();
      return job.finish();
    });
  });
}

}  // namespace smx::tools
