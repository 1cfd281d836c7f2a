// smx grep: keep messages whose fields match every expression.
#include "common/command.hpp"
#include "smx/query.hpp"

namespace smx::tools {

void setup_grep(CLI::App& parent) {
  struct Options {
    std::vector<std::string> args;
    bool invert = false;
    std::string format = "auto";
    cli::CommonOptions common;
    ReaderOptions reader;
    FilterText filter_text;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand(
      "grep", "keep messages matching all expressions: smx grep EXPR... [INPUT...] (PATH=GLOB, PATH~REGEX, !=, !~)");
  app->add_option("args", options->args, "expressions, then inputs (files, roots, - for stdin)")
      ->required()
      ->type_name("EXPR... INPUT");
  app->add_flag("-v,--invert-match", options->invert, "keep messages that do not match");
  app->add_option("-t,--format", options->format,
                  "output: auto (smx stream, or raw HL7 when the input was raw HL7), smx, er7, mllp")
      ->check(CLI::IsMember({"auto", "smx", "er7", "mllp"}))
      ->type_name("FORMAT");
  add_filter_options(app, options->reader.walk, options->filter_text);
  add_reader_options(app, options->common, options->reader);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("grep", [&] {
      apply_filter_text(options->filter_text, options->reader.walk);
      std::vector<GrepExpression> expressions;
      std::vector<std::string> inputs;
      std::size_t i = 0;
      for (; i < options->args.size() && GrepExpression::is_expression(options->args[i]); ++i)
        expressions.push_back(GrepExpression::parse(options->args[i]));
      if (expressions.empty()) GrepExpression::parse(options->args.front());  // throws the reason
      for (; i < options->args.size(); ++i) inputs.push_back(options->args[i]);
      MessageJob job("grep", options->common, inputs, options->reader);
      std::optional<RecordWriter> writer;
      while (const Record* record = job.reader().next()) {
        if (!writer) {
          OutputFormat f = options->format != "auto" ? parse_output_format(options->format)
                           : (record->stream_line.empty() && !record->ssmix2) ? OutputFormat::er7
                                                                               : OutputFormat::stream;
          writer.emplace(job.out(), f);
        }
        bool keep = true;
        for (const auto& e : expressions) keep = keep && e.matches(record->message);
        if (keep != options->invert) {
          writer->write(*record);
          ++job.counts().written;
        } else {
          ++job.counts().filtered;
        }
      }
      return job.finish();
    });
  });
}

}  // namespace smx::tools
