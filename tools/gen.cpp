// smx gen: synthetic multi-facility SS-MIX2 trees with vendor variance and ground truth.
#include "common/command.hpp"

namespace smx::tools {

void setup_gen(CLI::App& parent) {
  struct Options {
    cli::GenOptions gen;
    std::string stats;
  };
  auto options = std::make_shared<Options>();
  CLI::App* app = parent.add_subcommand("gen", "write synthetic multi-facility SS-MIX2 trees with vendor variance and ground truth");
  app->add_option("--patients", options->gen.run.gen.patients, "patients in total, spread over the facilities (default 10)")
      ->type_name("N");
  app->add_option("--facilities", options->gen.run.gen.facilities, "facilities, each its own root ROOT/H01... (1-99, default 1)")
      ->type_name("K")
      ->check(CLI::Range(1, 99));
  app->add_option("--seed", options->gen.run.gen.seed, "seed: the same arguments give the same bytes (default 1)")->type_name("S");
  app->add_option("--from", options->gen.run.gen.from, "first care date, YYYY-MM-DD or YYYYMMDD (default 2024-01-01)")
      ->type_name("DATE");
  app->add_option("--to", options->gen.run.gen.to, "last care date (default 2024-12-31)")->type_name("DATE");
  // A share, 0-1: the --*-rate options and --shared-persons.
  auto add_share = [app](const std::string& name, double& share, const std::string& help, const std::string& type = "R") {
    app->add_option(name, share, help)->type_name(type)->check(CLI::Range(0.0, 1.0));
  };
  add_share("--deviation-rate", options->gen.run.gen.deviation_rate,
            "share of file names with a deliberate naming deviation, 0-1 (default 0; never in facility H01)");
  add_share("--gap-rate", options->gen.run.gen.gap_rate,
            "share of lab items per facility that no table covers (local code missing from the site table, "
            "or an unknown unit spelling), 0-1 (default 0; never in facility H01)");
  add_share("--variance-rate", options->gen.run.gen.variance_rate,
            "real-world variance: share of lab items per facility sent with a variant unit spelling (case, "
            "UCUM prefix traps, display suffixes, NHO typos), half that share of results in another value form, "
            "and items with mixed or trap units; 0-1 (default 0; never in facility H01)");
  app->add_flag("--phi", options->gen.run.gen.phi,
                "plant identifying fields for de-identification tests: romaji and half-width kana names, phone numbers "
                "in half- and full-width digits, insurer number (IN1), next of kin (NK1), a Z-segment (ZPI), the name "
                "in an NTE and in an OBX TX comment with the patient ID (default off)");
  add_share("--shared-persons", options->gen.run.gen.shared_persons,
            "share of people who are patients of 2-4 facilities, with different local IDs and recording "
            "variance; ADT-00 gets IN1 and the truth a person row per local patient, 0-1 (default 0; "
            "needs --facilities 2 or more)",
            "F");
  app->add_flag("--qi", options->gen.run.gen.qi,
                "add what smx qi's indicators need (antibacterial injections and administrations, blood cultures, "
                "diabetes drugs and HbA1c) and, with --truth, a qi row per facility, month and indicator (default off)");
  app->add_option("--drugs-master", options->gen.run.drugs_master,
                  "write the synthetic drug master of the codes --qi invents (CSV for smx qi --drugs)")
      ->type_name("FILE");
  app->add_option("-o,--output", options->gen.run.gen.root, "write the tree under ROOT (must not exist or be empty)")
      ->type_name("ROOT");
  app->add_option("--truth", options->gen.run.truth, "write one NDJSON row per lab OBX: what a perfect normalizer outputs")
      ->type_name("FILE");
  app->add_option("--cohort-truth", options->gen.run.gen.cohort_truth,
                  "write what smx cohort must find with the criteria of examples/cohorts/t2dm-hba1c.yaml, per patient (NDJSON)")
      ->type_name("FILE");
  app->add_option("--sites-dir", options->gen.run.sites_dir,
                  "write each facility's site table as DIR/<facility>.yaml (default: ROOT/../<facility>.site.yaml)")
      ->type_name("DIR");
  app->add_flag("--stream", options->gen.run.stream, "write the smx stream to stdout instead of a tree (ROOT only names the paths)");
  add_tables_option(app, options->gen.tables);
  app->add_flag("--stats{text}", options->stats, "print what was written on stderr at the end (--stats=json: one JSON object)")
      ->check(CLI::IsMember({"text", "json"}));
  app->callback([options] { exit_status() = cli::run_gen(options->gen, options->stats); });
}

}  // namespace smx::tools
