// smx show: a person's view of messages, one value a line with its field number.
#include "common/command.hpp"

namespace smx::tools {

void setup_show(CLI::App& parent) {
  auto options = std::make_shared<cli::MessageOptions>();
  CLI::App* app = parent.add_subcommand("show", "show messages for reading: one value a line, escapes decoded");
  app->add_option("inputs", options->inputs, "files, SS-MIX2 roots, or - for stdin (default -)")->type_name("INPUT");
  add_message_options(app, *options);
  app->callback([options] {
    exit_status() = cli::run_job("show", options->common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::show(*options, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
