// smx cat: read messages from trees, files, MLLP/batch streams or stdin; write the smx stream.
#include "common/command.hpp"

namespace smx::tools {

void setup_cat(CLI::App& parent) {
  struct Options {
    cli::MessageOptions messages;
    std::string format = "smx";
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("cat", "read messages and write them as the smx stream (or raw HL7)");
  app->add_option("inputs", options->messages.inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  app->add_option("-t,--format", options->format, "output: smx (NDJSON stream, default), er7 (raw HL7), mllp")
      ->check(CLI::IsMember({"smx", "er7", "mllp"}))
      ->type_name("FORMAT");
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("cat", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::cat(options->messages, options->format, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
