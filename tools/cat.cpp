// smx cat: read messages from trees, files, MLLP/batch streams or stdin; write the smx stream.
#include "common/command.hpp"

namespace smx::tools {

void setup_cat(CLI::App& parent) {
  struct Options {
    std::vector<std::string> inputs;
    std::string format = "smx";
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("cat", "read messages and write them as the smx stream (or raw HL7)");
  app->add_option("inputs", options->inputs, "SS-MIX2 roots, files, or - for stdin (default -)")->type_name("INPUT");
  app->add_option("-t,--format", options->format, "output: smx (NDJSON stream, default), er7 (raw HL7), mllp")
      ->check(CLI::IsMember({"smx", "er7", "mllp"}))
      ->type_name("FORMAT");
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("cat", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      OutputFormat format = parse_output_format(options->format);
      MessageJob job("cat", options->common, options->inputs, options->reader);
      RecordWriter writer(job.out(), format);
      while (const Record* record = job.reader().next()) {
        writer.write(*record);
        ++job.counts().written;
      }
      return job.finish();
    });
  });
}

}  // namespace smx::tools
