// What the command files in tools/ share: option groups bound into plain structs, and the
// exit status of the command that ran. A command file only binds options and calls the library.
#pragma once
#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "smx/cli.hpp"
#include "smx/stream.hpp"

namespace smx::tools {

// Set by the subcommand that ran (through cli::run).
int& exit_status();

// -o, --diagnostics, -q, --stats, --show-phi, --max-diagnostics
void add_output_options(CLI::App* app, cli::CommonOptions& options);
// --rejects, --max-message-bytes, --charset, --max-diagnostics
void add_reader_options(CLI::App* app, cli::CommonOptions& common, ReaderOptions& reader);
// --max-diagnostics N (once per command, whichever group binds it first)
void add_diagnostics_limit_option(CLI::App* app, cli::CommonOptions& options);
// --type --patient --from --to --since --flag --shard, for every command that reads messages.
// The tree walk selects files by name with all of them; the reader then applies --type
// --patient --from --to --flag to every other record (smx::filter_record). `since` and `shard`
// are raw strings checked when the command runs.
struct FilterText {
  std::string since;
  std::string shard;
};
void add_filter_options(CLI::App* app, ssmix2::WalkOptions& walk, FilterText& text);
void apply_filter_text(const FilterText& text, ssmix2::WalkOptions& walk);  // throws usage_error

// --tables DIR, for every command that reads the data folders (labnorm, gen, validate).
void add_tables_option(CLI::App* app, std::string& dir);
// The data root (smx::data_root: --tables, $SMX_TABLES, the installation or the source tree of a
// build); the error names --tables.
std::filesystem::path tables_root(const std::string& option);

// Everything a message-reading command sets up before its loop, and closes after it.
class MessageJob {
 public:
  MessageJob(const std::string& command, const cli::CommonOptions& common, std::vector<std::string> inputs,
             ReaderOptions reader);
  RecordReader& reader() { return reader_; }
  Output& out() { return out_; }
  cli::StderrSink& diagnostics() { return sink_; }
  Counts& counts() { return counts_; }
  // Rejects a record that was read (e.g. --strict): its message text goes to --rejects.
  void reject(const Record& record, const std::string& code, const std::string& reason);
  // Commits outputs, prints stats, returns the exit status (0, 1 data problems, 2 input failed).
  int finish();

 private:
  std::string command_;
  const cli::CommonOptions& common_;
  cli::StderrSink sink_;
  Counts counts_;
  Output out_;
  std::optional<Output> rejects_out_;
  std::optional<RejectWriter> rejects_;
  RecordReader reader_;
};

}  // namespace smx::tools
