#include "command.hpp"

namespace smx::tools {

int& exit_status() {
  static int status = 0;
  return status;
}

void add_diagnostics_limit_option(CLI::App* app, cli::CommonOptions& o) {
  // Bound by both option groups (fhir takes only the reader group, ls only the output group).
  if (app->get_option_no_throw("--max-diagnostics") != nullptr) return;
  app->add_option("--max-diagnostics", o.max_diagnostics,
                  "print the first N diagnostics of each code (default 10, 0 = all), then a summary line per code "
                  "at the end; JSON output keeps all")
      ->type_name("N");
}

void add_output_file_option(CLI::App* app, cli::CommonOptions& o) {
  app->add_option("-o,--output", o.output, "write to FILE (atomically: temporary file, fsync, rename)")
      ->type_name("FILE");
}

void add_diagnostic_options(CLI::App* app, cli::CommonOptions& o) {
  app->add_option("--diagnostics", o.diagnostics, "diagnostics on stderr as text or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_flag("-q,--quiet", o.quiet, "print only error diagnostics");
  app->add_flag("--stats{text}", o.stats, "print counts read/written/rejected on stderr at the end (--stats=json: a stats record)")
      ->check(CLI::IsMember({"text", "json"}));
  app->add_flag("--show-phi", o.show_phi, "allow patient identifiers in diagnostics");
  add_diagnostics_limit_option(app, o);
}

void add_output_options(CLI::App* app, cli::CommonOptions& o) {
  add_output_file_option(app, o);
  add_diagnostic_options(app, o);
}

void add_reader_options(CLI::App* app, cli::MessageOptions& o) {
  app->add_option("--state", o.state,
                  "remember the trees' files in FILE (SQLite): read only new and changed files, write delete records "
                  "for removed, deleted (flag 0) and superseded (flag 2) ones; saved after the output")
      ->type_name("FILE");
  app->add_flag("--progress{on},--no-progress{off}", o.common.progress,
                "show progress on stderr (files, messages, rate, elapsed; percent and ETA with --state); "
                "default: only when stderr is a terminal");
  app->add_option("--metrics", o.common.metrics,
                  "write a Prometheus textfile to FILE at the end (counts, duration, exit status, "
                  "smx_last_success_timestamp_seconds), atomically")
      ->type_name("FILE");
  app->add_option("--rejects", o.common.rejects, "write what could not be read (raw bytes and reason) to FILE as NDJSON")
      ->type_name("FILE");
  app->add_option("--max-message-bytes", o.common.max_message_bytes,
                  "reject messages larger than N bytes (default 67108864)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 31));
  app->add_option("--charset", o.reader.assume_charset,
                  "read raw input as this charset instead of detecting it (UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP)")
      ->type_name("NAME");
  app->add_option("-j,--jobs", o.jobs, "work on messages with N threads (default 1); output is the same for any N")
      ->type_name("N")
      ->check(CLI::Range(1, 256));
  add_diagnostics_limit_option(app, o.common);
}

void add_filter_options(CLI::App* app, ssmix2::WalkOptions& walk, std::string& since, std::string& shard) {
  app->add_option("--type", walk.types,
                  "keep only this SS-MIX2 data type (repeatable), e.g. OML-11; from the file name, else from MSH-9")
      ->type_name("TYPE")
      ->allow_extra_args(false);
  app->add_option("--patient", walk.patients, "keep only this patient ID (repeatable); from the file name, else PID-3")
      ->type_name("ID")
      ->allow_extra_args(false);
  app->add_option("--from", walk.from, "keep care dates on or after YYYYMMDD (from the file name, else the data type's field)")
      ->type_name("YYYYMMDD");
  app->add_option("--to", walk.to, "keep care dates on or before YYYYMMDD")->type_name("YYYYMMDD");
  app->add_option("--since", since, "keep files of a tree modified at or after TIME (YYYY-MM-DD[THH:MM[:SS]], @EPOCH)")
      ->type_name("TIME");
  app->add_option("--flag", walk.flags, "keep only condition flag N (0, 1 or 2; repeatable; default all); from the file name")
      ->type_name("N")
      ->allow_extra_args(false)
      ->check(CLI::Range(0, 2));
  app->add_option("--shard", shard, "keep shard I of N of a tree (stable by patient ID), e.g. 2/8")->type_name("I/N");
}

void add_stream_inputs(CLI::App* app, std::vector<std::string>& inputs) {
  app->add_option("inputs", inputs, "smx stream, raw HL7 files, SS-MIX2 roots, or - (default -)")->type_name("INPUT");
}

void add_tables_option(CLI::App* app, std::string& dir) {
  app->add_option("--tables", dir,
                  "read the data tables (units/, mappings/, profiles in mappings/profiles/) from DIR "
                  "(default: $SMX_TABLES, then the installed tables; see smx-tables(5))")
      ->type_name("DIR");
}

void add_message_options(CLI::App* app, cli::MessageOptions& o) {
  add_filter_options(app, o.reader.walk, o.since, o.shard);
  add_reader_options(app, o);
  add_output_options(app, o.common);
}

}  // namespace smx::tools
