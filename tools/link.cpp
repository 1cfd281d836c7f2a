// smx link: record linkage across facilities without names (issue 14). encode runs inside
// each hospital, match at the data centre on encodings only, audit inside a hospital.
#include "common/command.hpp"
#include "smx/link_command.hpp"

namespace smx::tools {

void setup_link(CLI::App& parent) {
  auto o = std::make_shared<cli::LinkOptions>();
  CLI::App* app = parent.add_subcommand(
      "link", "link patients across facilities without names: encode (in each hospital), match (at the centre), audit");
  app->add_option("mode", o->mode, "encode, match or audit")
      ->check(CLI::IsMember({"encode", "match", "audit"}))
      ->required()
      ->type_name("MODE");
  app->add_option("inputs", o->messages.inputs,
                  "encode/audit: smx stream, raw HL7 files, SS-MIX2 roots or - (default -); match: encoded files")
      ->type_name("INPUT");
  app->add_option("--key", o->key, "encode, audit: the sites' shared secret, a file of 32 bytes (mode 0600)")
      ->type_name("FILE");
  app->add_option("--deid-key", o->deid_key,
                  "encode: write the smx deid pseudonym of each patient instead of the local ID (smx deid's key file)")
      ->type_name("FILE");
  app->add_option("--deid-release", o->deid_release,
                  "encode: the smx deid release (--purpose) of the pseudonyms (default 'default')")
      ->type_name("NAME");
  app->add_option("--deid-profile", o->deid_profile,
                  "encode: the smx deid profile whose patient pseudonym shape to use (default ppc-anon, as smx deid)")
      ->type_name("NAME|FILE");
  app->add_option("--schema", o->schema, "the linkage schema (clkhash format; default mappings/link/schema-v1.json)")
      ->type_name("FILE");
  add_tables_option(app, o->tables);
  app->add_option("--facility", o->facility, "encode, audit: the facility of every input (default MSH-4.1 of each message)")
      ->type_name("NAME");
  app->add_option("--id1-branch", o->id1_branch,
                  "encode: the ID1 token includes the 枝番 read from this HL7 path (e.g. IN1-46; sites differ)")
      ->type_name("PATH");
  app->add_option("--link-key", o->link_key, "match: key of the link IDs, a file of 32 bytes (default: no key)")
      ->type_name("FILE");
  app->add_option("--method", o->method, "match: combined (default), tokens (ID1/ID2 equality only) or bloom (no tokens)")
      ->check(CLI::IsMember({"combined", "tokens", "bloom"}))
      ->type_name("METHOD");
  app->add_option("--blocking", o->blocking,
                  "match: fine (default: equal birth date + sex, or kana family name + birth year) or year (birth "
                  "year + sex); equal id1/id2 tokens always make a candidate pair")
      ->check(CLI::IsMember({"fine", "year"}))
      ->type_name("RULES");
  app->add_option("--u-pairs", o->u_pairs,
                  "match: estimate u from N random pairs of different facilities, m and lambda by EM (default 100000; "
                  "0: u by EM too)")
      ->type_name("N");
  app->add_option("--match-probability", o->match_probability,
                  "match: a pair at or above this posterior probability is a match (default 0.99)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("P");
  app->add_option("--possible-probability", o->possible_probability,
                  "match: a pair at or above this (below the match threshold) is a possible match (default 0.5)")
      ->check(CLI::Range(0.0, 1.0))
      ->type_name("P");
  app->add_option("--review", o->review, "match: write the possible matches to FILE (TSV) for a person to look at")
      ->type_name("FILE");
  app->add_option("--model", o->model, "match: write the fitted Fellegi-Sunter model (lambda, m, u) to FILE as JSON")
      ->type_name("FILE");
  app->add_option("--top", o->top, "audit: how many of the most frequent public names the attacker tries (default 20)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  add_message_options(app, o->messages);
  app->callback([o] { exit_status() = cli::run_link(*o); });
}

}  // namespace smx::tools
