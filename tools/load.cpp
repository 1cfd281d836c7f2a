// smx load: the stream (labnorm'd or not) into SQLite or PostgreSQL, with delete records applied.
#include "common/command.hpp"

namespace smx::tools {

void setup_load(CLI::App& parent) {
  struct Options {
    cli::LoadOptions load;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("load", "load the stream into SQLite or PostgreSQL: upserts and deletes by file key");
  add_stream_inputs(app, options->messages.inputs);
  app->add_option("--db", options->load.db, "sqlite:PATH (default scheme) or postgresql://USER@HOST:PORT/DB")
      ->type_name("URL")
      ->required();
  app->add_option("--batch", options->load.batch, "records per transaction (default 10000)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
  app->add_option("--run", options->load.run, "label stored in sources.run (default: the start time, UTC)")
      ->type_name("TEXT");
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("load", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::load(options->messages, options->load, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
