// smx deid: de-identified SS-MIX2 trees and streams by allow-list profiles (smx-deid(1)).
#include <cstdio>

#include "common/command.hpp"
#include "smx/deid_cli.hpp"

namespace smx::tools {

void setup_deid(CLI::App& parent) {
  struct Options {
    cli::DeidOptions deid;
    cli::MessageOptions messages;
    std::string new_key;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "deid", "de-identify by an allow-list profile: keyed pseudonyms, one date shift per patient, free text removed");
  add_stream_inputs(app, options->messages.inputs);
  app->add_option("--key", options->deid.key, "the key file (32 bytes; make one with --new-key)")->type_name("KEYFILE");
  app->add_option("--new-key", options->new_key, "write a new random key to FILE (mode 0600, never overwrites) and exit")
      ->type_name("FILE");
  app->add_option("--profile", options->deid.profile,
                  "built-in profile (ppc-anon, ppc-pseudo, jisedai-pseudo, safe-harbor; default ppc-anon) or a YAML file")
      ->type_name("NAME|FILE");
  app->add_option("--purpose", options->deid.purpose,
                  "release name: every pseudonym and shift is scoped to it (default \"default\")")
      ->type_name("NAME");
  app->add_option("--shift-days", options->deid.shift_days, "date shift range in days (default the profile's, -180:180)")
      ->type_name("MIN:MAX");
  app->add_option("--audit", options->deid.audit, "write what each rule did per message as NDJSON to FILE (never a value)")
      ->type_name("FILE");
  app->add_option("-o,--output", options->deid.output_dir,
                  "write a de-identified SS-MIX2 tree under DIR (must not exist or be empty); default: the stream on stdout")
      ->type_name("DIR");
  app->add_option("--min-k", options->deid.min_k,
                  "leave out the patients in classes of fewer than K patients (reads the inputs twice)")
      ->type_name("K");
  app->add_option("--qi", options->deid.qi,
                  "quasi-identifiers for --min-k, as smx risk --qi (default birth-month,sex,postal3,admit-month)")
      ->type_name("LIST");
  add_tables_option(app, options->deid.tables);
  // No --show-phi: deid's diagnostics never name a patient.
  cli::CommonOptions& common = options->messages.common;
  app->add_option("--diagnostics", common.diagnostics, "diagnostics on stderr as text or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_flag("-q,--quiet", common.quiet, "print only error diagnostics");
  app->add_flag("--stats{text}", common.stats,
                "print counts read/written/rejected on stderr at the end (--stats=json: a stats record)")
      ->check(CLI::IsMember({"text", "json"}));
  add_filter_options(app, options->messages.reader.walk, options->messages.since, options->messages.shard);
  add_reader_options(app, options->messages);
  app->callback([options] {
    if (!options->new_key.empty()) {
      exit_status() = cli::run("deid", [&] {
        const std::string fingerprint = cli::deid_new_key(options->new_key);
        std::printf("%s\n", fingerprint.c_str());
        return 0;
      });
      return;
    }
    exit_status() = cli::run_job("deid", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::deid(options->messages, options->deid, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
