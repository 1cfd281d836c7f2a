// smx get: cut for HL7: one TSV row per message (or per occurrence of a [*] segment).
#include "common/command.hpp"
#include "smx/query.hpp"

namespace smx::tools {

void setup_get(CLI::App& parent) {
  struct Options {
    std::vector<std::string> args;
    GetOptions get;
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
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
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("get", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      std::vector<std::string> inputs;
      // Leading arguments that read as field paths are paths; the rest are inputs.
      std::size_t i = 0;
      for (; i < options->args.size() && GetQuery::is_path(options->args[i]); ++i)
        options->get.paths.push_back(options->args[i]);
      for (; i < options->args.size(); ++i) inputs.push_back(options->args[i]);
      if (options->get.paths.empty())
        hl7::Path::parse(options->args.front());  // throws with the reason the first path is wrong
      GetQuery query(options->get);
      MessageJob job("get", options->common, inputs, options->reader);
      std::string& buffer = job.out().buffer();
      if (options->get.header) query.header(buffer);
      while (const Record* record = job.reader().next()) {
        query.rows(*record, job.out().buffer(), job.diagnostics());
        job.out().maybe_flush();
        ++job.counts().written;
      }
      return job.finish();
    });
  });
}

}  // namespace smx::tools
