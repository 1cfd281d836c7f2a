// smx link: record linkage across facilities without names (issue 14). encode runs inside
// each hospital, match at the data centre on encodings only, audit inside a hospital.
#include <cstdio>
#include <filesystem>

#include "common/command.hpp"
#include "smx/keyfile.hpp"
#include "smx/link_job.hpp"
#include "smx/tables.hpp"

namespace smx::tools {

namespace {

struct LinkOptions {
  std::string mode;
  std::vector<std::string> inputs;
  std::string key, deid_key, deid_release = "default", link_key;
  std::string schema, tables, facility;
  bool id1_branch = false;
  std::string review, model;
  std::string method = "combined";
  std::string blocking = "fine";
  std::size_t u_pairs = 100000;
  double match_probability = 0.99, possible_probability = 0.5;
  std::size_t top = 20;
  cli::CommonOptions common;
  ReaderOptions reader;
};

std::vector<std::uint8_t> load_key(const std::string& path, const char* option, DiagnosticSink& sink) {
  if (path.empty()) throw usage_error(std::string("give ") + option + " FILE (32 bytes; make one with: head -c 32 /dev/urandom > FILE; chmod 600 FILE)");
  KeyFile key = read_key_file(path);
  if (key.readable_by_others)
    sink.report({Severity::warning, "LINK-KEY-PERMISSIONS", {path, 0, 0, {}},
                 "key file is readable by group or others; chmod 600 it", {}});
  return std::move(key.bytes);
}

std::filesystem::path tables_dir(const LinkOptions& o) {
  return o.tables.empty() ? tables::default_tables_dir() : std::filesystem::path(o.tables);
}

struct SchemaFile {
  link::Schema schema;
  std::string digest;
};
SchemaFile load_schema(const LinkOptions& o) {
  const std::filesystem::path path =
      o.schema.empty() ? tables_dir(o) / "mappings" / "link" / "schema-v1.json" : std::filesystem::path(o.schema);
  std::string bytes, error;
  if (read_file(path.string(), bytes, error, std::size_t{1} << 24) != 0)
    throw io_error("cannot read schema " + path.string() + ": " + error);
  return {link::schema_from_string(bytes, path.string()), link::to_hex(link::sha256(bytes)).substr(0, 16)};
}

link::Normalizer load_normalizer(const LinkOptions& o) {
  return link::Normalizer(link::KanjiVariants::from_file(tables_dir(o) / "mappings" / "link" / "kanji-variants.yaml"));
}

// Messages -> patients (encode and audit read identified data the same way).
std::vector<link::Person> collect(LinkOptions& o, MessageJob& job) {
  link::PatientCollector collector(o.facility);
  while (const Record* record = job.reader().next())
    if (!collector.add(*record, job.diagnostics())) ++job.counts().filtered;
  return collector.persons();
}

int run_encode(LinkOptions& o) {
  MessageJob job("link", o.common, o.inputs, o.reader);
  const auto key = load_key(o.key, "--key", job.diagnostics());
  link::EncodeSettings settings;
  settings.id1_with_branch = o.id1_branch;
  if (!o.deid_key.empty()) settings.deid_key = load_key(o.deid_key, "--deid-key", job.diagnostics());
  settings.deid_release = o.deid_release;
  SchemaFile schema = load_schema(o);
  settings.schema_digest = schema.digest;
  const link::Normalizer normalizer = load_normalizer(o);
  const link::BloomEncoder encoder(std::move(schema.schema), link::TokenKeys(key).bloom_secret());
  const std::vector<link::Person> persons = collect(o, job);
  const link::EncodeCounts counts =
      link::write_encodings(persons, normalizer, encoder, key, settings, job.out(), job.diagnostics());
  job.counts().written = counts.patients;
  return job.finish();
}

int run_audit(LinkOptions& o) {
  MessageJob job("link", o.common, o.inputs, o.reader);
  const auto key = load_key(o.key, "--key", job.diagnostics());
  const SchemaFile schema = load_schema(o);
  const link::Normalizer normalizer = load_normalizer(o);
  const auto public_names =
      link::load_name_frequencies(tables_dir(o) / "mappings" / "link" / "family-names.yaml", normalizer);
  std::vector<link::NormalizedPerson> people;
  NullSink quiet;  // encode reports field problems; the audit only counts
  for (const link::Person& p : collect(o, job)) people.push_back(link::normalize_person(normalizer, p, {}, quiet));
  const auto rows = link::run_audit(people, schema.schema, key, public_names, o.top);
  std::string text = "hardening\trecords\tguesses\tnames_recovered\trecords_reidentified\tper_block_guesses\t"
                     "per_block_names_recovered\tper_block_records_reidentified\n";
  for (const link::AuditRow& r : rows)
    text += r.hardening + "\t" + std::to_string(r.global.records) + "\t" + std::to_string(r.global.guesses) + "\t" +
            std::to_string(r.global.names_recovered) + "\t" + std::to_string(r.global.records_reidentified) + "\t" +
            std::to_string(r.per_block.guesses) + "\t" + std::to_string(r.per_block.names_recovered) + "\t" +
            std::to_string(r.per_block.records_reidentified) + "\n";
  job.out().write(text);
  job.counts().written = people.size();
  return job.finish();
}

int run_match(LinkOptions& o) {
  cli::StderrSink sink("link", o.common.diagnostics == "json", o.common.quiet, o.common.max_diagnostics);
  if (o.inputs.empty()) throw usage_error("match needs encoded files (the output of smx link encode)");
  const SchemaFile schema = load_schema(o);
  link::EncodedSet set;
  for (const std::string& input : o.inputs) {
    std::string bytes, error;
    if (input == "-") {
      bytes = read_all(*open_stdin(), std::size_t{1} << 40);
    } else if (read_file(input, bytes, error, std::size_t{1} << 40) != 0) {
      throw io_error("cannot read " + input + ": " + error);
    }
    link::read_encodings(bytes, input, schema.schema, set, sink);
  }
  if (!set.schema.empty() && set.schema != schema.digest)
    throw config_error("[LINK-MIXED-SCHEMA] the encodings were made with another schema than " +
                       (o.schema.empty() ? std::string("the shipped one") : o.schema) + "; give the same --schema");
  link::MatchConfig config;
  config.mode = o.method == "tokens"  ? link::MatchConfig::Mode::tokens_only
                : o.method == "bloom" ? link::MatchConfig::Mode::bloom_only
                                      : link::MatchConfig::Mode::combined;
  config.comparisons = link::default_comparisons(schema.schema);
  config.block_on_block_key = o.blocking == "year";
  config.block_on_date = config.block_on_name = o.blocking == "fine";
  config.u_random_pairs = o.u_pairs;
  config.match_probability = o.match_probability;
  config.possible_probability = o.possible_probability;
  if (!o.link_key.empty()) config.link_key = load_key(o.link_key, "--link-key", sink);
  const link::LinkResult result = link::link_records(set.records, config);
  Output out(o.common.output);
  link::write_link_table(set.records, result, out);
  std::optional<Output> review, model;
  if (!o.review.empty()) {
    review.emplace(o.review);
    link::write_review(set.records, result, config, *review);
  }
  if (!o.model.empty()) {
    model.emplace(o.model);
    model->write(link::model_json(result, config));
  }
  out.commit();
  if (review) review->commit();
  if (model) model->commit();
  sink.finish();
  if (!o.common.stats.empty()) {
    std::string text = o.common.stats == "json"
                           ? "{\"smx\":1,\"kind\":\"stats\",\"command\":\"link\",\"records\":" +
                                 std::to_string(set.records.size()) + ",\"candidate_pairs\":" +
                                 std::to_string(result.candidate_pairs) + ",\"matched_pairs\":" +
                                 std::to_string(result.matched_pairs) + ",\"review_pairs\":" +
                                 std::to_string(result.review.size()) + ",\"clusters\":" +
                                 std::to_string(result.clusters) + "}\n"
                           : "smx link: " + std::to_string(set.records.size()) + " records, " +
                                 std::to_string(result.candidate_pairs) + " candidate pairs, " +
                                 std::to_string(result.matched_pairs) + " matched, " +
                                 std::to_string(result.review.size()) + " for review, " +
                                 std::to_string(result.clusters) + " link IDs\n";
    std::fputs(text.c_str(), stderr);
  }
  return sink.errors() > 0 ? cli::kDataProblems : cli::kOk;
}

}  // namespace

void setup_link(CLI::App& parent) {
  auto o = std::make_shared<LinkOptions>();
  CLI::App* app = parent.add_subcommand(
      "link", "link patients across facilities without names: encode (in each hospital), match (at the centre), audit");
  app->add_option("mode", o->mode, "encode, match or audit")
      ->check(CLI::IsMember({"encode", "match", "audit"}))
      ->required()
      ->type_name("MODE");
  app->add_option("inputs", o->inputs,
                  "encode/audit: smx stream, raw HL7 files, SS-MIX2 roots or - (default -); match: encoded files")
      ->type_name("INPUT");
  app->add_option("--key", o->key, "encode, audit: the sites' shared secret, a file of 32 bytes (mode 0600)")
      ->type_name("FILE");
  app->add_option("--deid-key", o->deid_key,
                  "encode: write the smx deid pseudonym of each patient instead of the local ID (smx deid's key file)")
      ->type_name("FILE");
  app->add_option("--deid-release", o->deid_release, "encode: the smx deid release (--purpose) of the pseudonyms (default 'default')")
      ->type_name("NAME");
  app->add_option("--schema", o->schema, "the linkage schema (clkhash format; default mappings/link/schema-v1.json)")
      ->type_name("FILE");
  app->add_option("--tables", o->tables, "read the data tables from DIR (default: see smx-tables(5))")->type_name("DIR");
  app->add_option("--facility", o->facility, "encode, audit: the facility of every input (default MSH-4.1 of each message)")
      ->type_name("NAME");
  app->add_flag("--id1-branch", o->id1_branch, "encode: the ID1 token includes the 枝番 (cards since 2021 have one)");
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
  app->add_option("--match-probability", o->match_probability, "match: a pair at or above this posterior probability is a match (default 0.99)")
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
  add_reader_options(app, o->common, o->reader);
  add_output_options(app, o->common);
  app->callback([o] {
    exit_status() = cli::run("link", [&] {
      if (o->possible_probability > o->match_probability)
        throw usage_error("--possible-probability is above --match-probability");
      if (o->mode == "encode") return run_encode(*o);
      if (o->mode == "audit") return run_audit(*o);
      return run_match(*o);
    });
  });
}

}  // namespace smx::tools
