// smx get: cut for HL7: one TSV row per message (or per occurrence of a [*] segment).
#include "common/command.hpp"

namespace smx::tools {

void setup_get(CLI::App& parent) {
  struct Options {
    std::vector<std::string> args;
    GetOptions get;
    cli::MessageOptions messages;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "get", "print fields as TSV: smx get PATH... [INPUT...] (e.g. PID-3.1 OBX[*]-3.1 OBX[*]-5)");
  app->add_option("args", options->args,
                  "field paths (SEG[i]-F[r].C.S or SEG.F.C.S), then inputs (files, roots, - for stdin)")
      ->required()
      ->type_name("PATH... INPUT");
  app->add_flag("-H,--header", options->get.header, "print a header row with the paths");
  app->add_flag("--raw", options->get.raw, "print values as escaped in the message (default: decoded)");
  app->add_flag("--decoded", [options](std::int64_t) { options->get.raw = false; }, "decode escapes (default)");
  app->add_flag("-s,--source", options->get.source, "add leading columns: source path and message number");
  add_message_options(app, options->messages);
  app->callback([options] {
    exit_status() = cli::run_job("get", options->messages.common, [&](Output& out, DiagnosticSink& diagnostics) {
      return cli::get(options->messages, options->args, options->get, out, diagnostics);
    });
  });
}

}  // namespace smx::tools
