// smx grep: keep messages whose fields match every expression.
#include "common/command.hpp"

namespace smx::tools {

void setup_grep(CLI::App& parent) {
  struct Options {
    std::vector<std::string> args;
    cli::GrepOptions grep;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "grep", "keep messages matching all expressions: smx grep EXPR... [INPUT...] (PATH=GLOB, PATH~REGEX, !=, !~)");
  app->add_option("args", options->args, "expressions, then inputs (files, roots, - for stdin)")
      ->required()
      ->type_name("EXPR... INPUT");
  app->add_flag("-v,--invert-match", options->grep.invert, "keep messages that do not match");
  app->add_option("-t,--format", options->grep.format,
                  "output: auto (smx stream, or raw HL7 when the input was raw HL7), smx, er7, mllp")
      ->check(CLI::IsMember({"auto", "smx", "er7", "mllp"}))
      ->type_name("FORMAT");
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("grep", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::grep(options->messages, options->args, options->grep, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
