// smx ls: walk SS-MIX2 standardized and extended storage; one row per file with its name fields.
#include "common/command.hpp"
#include "smx/listing.hpp"

namespace smx::tools {

void setup_ls(CLI::App& parent) {
  struct Options {
    std::vector<std::string> roots;
    std::string format = "tsv";
    bool null_separated = false;
    ListOptions list;
    cli::CommonOptions common;
    std::string since, shard;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("ls", "list the files of SS-MIX2 trees with their name fields and naming problems");
  app->add_option("roots", options->roots, "SS-MIX2 roots (or folders or files below one)")
      ->required()
      ->type_name("ROOT");
  app->add_option("-t,--format", options->format, "output: tsv (with a header line, default) or ndjson")
      ->check(CLI::IsMember({"tsv", "ndjson"}))
      ->type_name("FORMAT");
  app->add_flag("-0,--null", options->null_separated, "print only paths, each ended by NUL (for xargs -0)");
  app->add_flag("--follow-symlinks", options->list.walk.follow_symlinks,
                "follow symbolic links that stay inside the root");
  add_filter_options(app, options->list.walk, options->since, options->shard);
  add_output_options(app, options->common);
  app->callback([options] {
    exit_status() = cli::run("ls", [&] {
      cli::apply_filter_text(options->since, options->shard, options->list.walk);
      options->list.format = options->null_separated ? ListFormat::nul : parse_list_format(options->format);
      cli::StderrSink diagnostics("ls", options->common.diagnostics == "json", options->common.quiet,
                                  options->common.max_diagnostics);
      diagnostics.show_phi(options->common.show_phi);
      Output out(options->common.output);
      Counts counts;
      counts.files = counts.written = list_files(options->roots, options->list, out, diagnostics);
      out.commit();
      diagnostics.finish();
      if (!options->common.stats.empty()) cli::print_stats("ls", options->common.stats, counts);
      return diagnostics.errors() > 0 ? cli::kDataProblems : cli::kOk;
    });
  });
}

}  // namespace smx::tools
