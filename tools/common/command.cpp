#include "command.hpp"

#include "smx/data_root.hpp"

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

void add_output_options(CLI::App* app, cli::CommonOptions& o) {
  app->add_option("-o,--output", o.output, "write to FILE (atomically: temporary file, fsync, rename)")
      ->type_name("FILE");
  app->add_option("--diagnostics", o.diagnostics, "diagnostics on stderr as text or json (NDJSON)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
  app->add_flag("-q,--quiet", o.quiet, "print only error diagnostics");
  app->add_flag("--stats{text}", o.stats, "print counts read/written/rejected on stderr at the end (--stats=json: a stats record)")
      ->check(CLI::IsMember({"text", "json"}));
  app->add_flag("--show-phi", o.show_phi, "allow patient identifiers in diagnostics");
  add_diagnostics_limit_option(app, o);
}

void add_reader_options(CLI::App* app, cli::CommonOptions& common, ReaderOptions& reader) {
  app->add_option("--rejects", common.rejects, "write what could not be read (raw bytes and reason) to FILE as NDJSON")
      ->type_name("FILE");
  app->add_option("--max-message-bytes", common.max_message_bytes,
                  "reject messages larger than N bytes (default 67108864)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 31));
  app->add_option("--charset", reader.assume_charset,
                  "read raw input as this charset instead of detecting it (UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP)")
      ->type_name("NAME");
  add_diagnostics_limit_option(app, common);
}

void add_filter_options(CLI::App* app, ssmix2::WalkOptions& walk, FilterText& text) {
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
  app->add_option("--since", text.since, "keep files of a tree modified at or after TIME (YYYY-MM-DD[THH:MM[:SS]], @EPOCH)")
      ->type_name("TIME");
  app->add_option("--flag", walk.flags, "keep only condition flag N (0, 1 or 2; repeatable; default all); from the file name")
      ->type_name("N")
      ->allow_extra_args(false)
      ->check(CLI::Range(0, 2));
  app->add_option("--shard", text.shard, "keep shard I of N of a tree (stable by patient ID), e.g. 2/8")->type_name("I/N");
}

void apply_filter_text(const FilterText& text, ssmix2::WalkOptions& walk) {
  auto check_date = [](const std::string& d, const char* name) {
    if (d.empty()) return;
    bool ok = d.size() == 8;
    for (char c : d) ok = ok && c >= '0' && c <= '9';
    if (!ok) throw usage_error(std::string(name) + " needs a date YYYYMMDD, got '" + d + "'");
  };
  check_date(walk.from, "--from");
  check_date(walk.to, "--to");
  // The library's text describes the value; the option's name is added here.
  try {
    if (!text.since.empty()) walk.since = ssmix2::parse_since(text.since);
  } catch (const usage_error& e) {
    throw usage_error(std::string("--since: ") + e.what());
  }
  try {
    if (!text.shard.empty()) std::tie(walk.shard_index, walk.shard_count) = ssmix2::parse_shard(text.shard);
  } catch (const usage_error& e) {
    throw usage_error(std::string("--shard: ") + e.what());
  }
}

void add_tables_option(CLI::App* app, std::string& dir) {
  app->add_option("--tables", dir,
                  "read the data tables (units/, mappings/, profiles in mappings/profiles/) from DIR "
                  "(default: $SMX_TABLES, then the installed tables; see smx-tables(5))")
      ->type_name("DIR");
}

std::filesystem::path tables_root(const std::string& option) {
  try {
    return data_root(option);
  } catch (const config_error& e) {
    throw config_error(std::string(e.what()) + ", or give --tables DIR");
  }
}

static ReaderOptions with_limits(ReaderOptions r, const cli::CommonOptions& c) {
  r.max_message_bytes = c.max_message_bytes;
  return r;
}

MessageJob::MessageJob(const std::string& command, const cli::CommonOptions& common, std::vector<std::string> inputs,
                       ReaderOptions reader)
    : command_(command),
      common_(common),
      sink_(command, common.diagnostics == "json", common.quiet, common.max_diagnostics),
      out_(common.output),
      rejects_out_(common.rejects.empty() ? std::nullopt : std::make_optional<Output>(common.rejects)),
      rejects_(rejects_out_ ? std::make_optional<RejectWriter>(*rejects_out_) : std::nullopt),
      reader_(std::move(inputs), with_limits(std::move(reader), common), sink_, rejects_ ? &*rejects_ : nullptr,
              counts_) {}

void MessageJob::reject(const Record& record, const std::string& code, const std::string& reason) {
  ++counts_.rejected;
  if (rejects_)
    rejects_->reject(Reject{record.src, code, reason,
                            record.stream_line.empty() ? record.message.text() : std::string_view(record.stream_line)});
}

int MessageJob::finish() {
  out_.commit();
  if (rejects_out_) rejects_out_->commit();
  sink_.finish();
  if (!common_.stats.empty()) cli::print_stats(command_, common_.stats, counts_);
  if (reader_.had_input_error()) return cli::kFailed;
  return (sink_.errors() > 0 || counts_.rejected > 0) ? cli::kDataProblems : cli::kOk;
}

}  // namespace smx::tools
