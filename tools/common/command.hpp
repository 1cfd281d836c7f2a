// What the command files in tools/ share: option groups bound into the plain structs of lib/
// (smx/job.hpp), and the exit status of the command that ran. A command file only binds options
// and calls the library.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "smx/cli.hpp"
#include "smx/job.hpp"
#include "smx/stream.hpp"

namespace smx::tools {

// Set by the subcommand that ran (through cli::run).
int& exit_status();

// -o FILE (atomic)
void add_output_file_option(CLI::App* app, cli::CommonOptions& options);
// --diagnostics, -q, --stats, --show-phi, --max-diagnostics
void add_diagnostic_options(CLI::App* app, cli::CommonOptions& options);
// Both of the above.
void add_output_options(CLI::App* app, cli::CommonOptions& options);
// --rejects, --max-message-bytes, --charset, -j, --max-diagnostics
void add_reader_options(CLI::App* app, cli::MessageOptions& options);
// --max-diagnostics N (once per command, whichever group binds it first)
void add_diagnostics_limit_option(CLI::App* app, cli::CommonOptions& options);
// --type --patient --from --to --since --flag --shard, for every command that reads messages.
// The tree walk selects files by name with all of them; the reader then applies --type
// --patient --from --to --flag to every other record (smx::filter_record). `since` and `shard`
// are raw strings checked when the command runs (cli::apply_filter_text).
void add_filter_options(CLI::App* app, ssmix2::WalkOptions& walk, std::string& since, std::string& shard);
// The positional inputs of a command that reads the stream as well as HL7 files and trees.
void add_stream_inputs(CLI::App* app, std::vector<std::string>& inputs);
// --tables DIR, for every command that reads the data folders (labnorm, gen, validate).
void add_tables_option(CLI::App* app, std::string& dir);
// The filters, the reader group and the output options of a message-reading command.
void add_message_options(CLI::App* app, cli::MessageOptions& options);

}  // namespace smx::tools
