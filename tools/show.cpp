// smx show: a person's view of messages, one value a line with its field number.
#include "common/command.hpp"
#include "smx/query.hpp"

namespace smx::tools {

void setup_show(CLI::App& parent) {
  struct Options {
    std::vector<std::string> inputs;
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("show", "show messages for reading: one value a line, escapes decoded");
  app->add_option("inputs", options->inputs, "files, SS-MIX2 roots, or - for stdin (default -)")->type_name("INPUT");
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("show", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      MessageJob job("show", options->common, options->inputs, options->reader);
      while (const Record* record = job.reader().next()) {
        show_message(*record, job.out().buffer(), job.diagnostics());
        job.out().maybe_flush();
        ++job.counts().written;
      }
      return job.finish();
    });
  });
}

}  // namespace smx::tools
