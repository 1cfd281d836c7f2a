// smx gen: synthetic multi-facility SS-MIX2 trees with vendor variance and ground truth.
#include <cstdio>
#include <filesystem>

#include "common/command.hpp"
#include "smx/gen.hpp"

namespace smx::tools {

void setup_gen(CLI::App& parent) {
  struct Options {
    gen::Options gen;
    std::string truth;
    std::string sites_dir;
    std::string tables;
    std::string stats;
    bool stream = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("gen", "write synthetic multi-facility SS-MIX2 trees with vendor variance and ground truth");
  app->add_option("--patients", options->gen.patients, "patients in total, spread over the facilities (default 10)")
      ->type_name("N");
  app->add_option("--facilities", options->gen.facilities, "facilities, each its own root ROOT/H01... (1-99, default 1)")
      ->type_name("K")
      ->check(CLI::Range(1, 99));
  app->add_option("--seed", options->gen.seed, "seed: the same arguments give the same bytes (default 1)")->type_name("S");
  app->add_option("--from", options->gen.from, "first care date, YYYY-MM-DD or YYYYMMDD (default 2024-01-01)")
      ->type_name("DATE");
  app->add_option("--to", options->gen.to, "last care date (default 2024-12-31)")->type_name("DATE");
  app->add_option("--deviation-rate", options->gen.deviation_rate,
                  "share of file names with a deliberate naming deviation, 0-1 (default 0; never in facility H01)")
      ->type_name("R")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--gap-rate", options->gen.gap_rate,
                  "share of lab items per facility that no table covers (local code missing from the site table, "
                  "or an unknown unit spelling), 0-1 (default 0; never in facility H01)")
      ->type_name("R")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--variance-rate", options->gen.variance_rate,
                  "real-world variance: share of lab items per facility sent with a variant unit spelling (case, "
                  "UCUM prefix traps, display suffixes, NHO typos), half that share of results in another value form, "
                  "and items with mixed or trap units; 0-1 (default 0; never in facility H01)")
      ->type_name("R")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("--shared-persons", options->gen.shared_persons,
                  "share of people who are patients of 2-4 facilities, with different local IDs and recording "
                  "variance; ADT-00 gets IN1 and the truth a person row per local patient, 0-1 (default 0; "
                  "needs --facilities 2 or more)")
      ->type_name("F")
      ->check(CLI::Range(0.0, 1.0));
  app->add_option("-o,--output", options->gen.root, "write the tree under ROOT (must not exist or be empty)")
      ->type_name("ROOT");
  app->add_option("--truth", options->truth, "write one NDJSON row per lab OBX: what a perfect normalizer outputs")
      ->type_name("FILE");
  app->add_option("--sites-dir", options->sites_dir,
                  "write each facility's site table as DIR/<facility>.yaml (default: ROOT/../<facility>.site.yaml)")
      ->type_name("DIR");
  app->add_flag("--stream", options->stream, "write the smx stream to stdout instead of a tree (ROOT only names the paths)");
  app->add_option("--tables", options->tables, "read the data tables from DIR (default: see smx-tables(5))")
      ->type_name("DIR");
  app->add_flag("--stats{text}", options->stats, "print what was written on stderr at the end (--stats=json: one JSON object)")
      ->check(CLI::IsMember({"text", "json"}));
  app->callback([options] {
    exit_status() = cli::run("gen", [&] {
      gen::Options& o = options->gen;
      o.from = gen::parse_date(o.from);
      o.to = gen::parse_date(o.to);
      if (!options->stream && o.root.empty()) throw usage_error("no output root: give -o ROOT (or --stream)");
      if (options->stream && o.root.empty()) o.root = "smx-gen";
      std::filesystem::path tables_dir =
          options->tables.empty() ? tables::default_tables_dir() : std::filesystem::path(options->tables);
      tables::Tables tables = tables::load_tables(tables_dir);

      std::optional<Output> truth;
      if (!options->truth.empty()) {
        // Like ROOT and --sites-dir, the truth file's folder is made when missing.
        std::filesystem::path truth_dir = std::filesystem::path(options->truth).parent_path();
        if (!truth_dir.empty()) std::filesystem::create_directories(truth_dir);
        truth.emplace(options->truth);
      }
      gen::Summary summary;
      if (options->stream) {
        Output out("-");
        gen::StreamSink sink(out, o.root);
        summary = gen::generate(o, tables, sink, truth ? &*truth : nullptr);
        out.commit();
      } else {
        gen::TreeSink sink(o.root);
        summary = gen::generate(o, tables, sink, truth ? &*truth : nullptr);
        sink.finish();
      }
      if (truth) truth->commit();

      // Site tables (smx-tables(5)): written when a tree is written, or when asked for.
      if (!options->stream || !options->sites_dir.empty()) {
        std::filesystem::path root = std::filesystem::path(o.root).lexically_normal();
        if (!root.has_filename()) root = root.parent_path();
        std::filesystem::path dir = options->sites_dir.empty() ? root.parent_path() : std::filesystem::path(options->sites_dir);
        if (dir.empty()) dir = ".";
        std::filesystem::create_directories(dir);
        for (const gen::FacilityProfile& profile : gen::facility_profiles(o)) {
          std::string stem = options->sites_dir.empty() ? profile.id + ".site" : profile.id;
          Output site((dir / (stem + ".yaml")).string());
          site.write(gen::site_yaml(o, tables, std::stoi(profile.id.substr(1)) - 1, stem));
          site.commit();
        }
      }

      if (!options->stats.empty()) {
        std::string text;
        if (options->stats == "json") {
          text = "{\"smx\":1,\"kind\":\"stats\",\"command\":\"gen\",\"patients\":" + std::to_string(summary.patients) +
                 ",\"files\":" + std::to_string(summary.files) + ",\"history_files\":" +
                 std::to_string(summary.history_files) + ",\"deleted_files\":" + std::to_string(summary.deleted_files) +
                 ",\"lab_results\":" + std::to_string(summary.lab_results) + ",\"deviations\":" +
                 std::to_string(summary.deviations) + ",\"bytes\":" + std::to_string(summary.bytes) + ",\"by_type\":{";
          for (std::size_t i = 0; i < gen::data_type_names().size(); ++i) {
            if (i) text += ",";
            text += "\"" + std::string(gen::data_type_names()[i]) + "\":" + std::to_string(summary.files_by_type[i]);
          }
          text += "}}\n";
        } else {
          text = "smx gen: " + std::to_string(summary.patients) + " patients, " + std::to_string(summary.files) +
                 " files (" + std::to_string(summary.history_files) + " flag 2, " +
                 std::to_string(summary.deleted_files) + " flag 0), " + std::to_string(summary.lab_results) +
                 " lab results, " + std::to_string(summary.deviations) + " naming deviations, " +
                 std::to_string(summary.bytes) + " bytes\n";
        }
        std::fputs(text.c_str(), stderr);
      }
      return cli::kOk;
    });
  });
}

}  // namespace smx::tools
