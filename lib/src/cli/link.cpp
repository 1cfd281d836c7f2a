// smx link encode | match | audit (issue 14) as library calls: keys, schema and tables loaded,
// patients read through MessageJob, then the link layer does the work (smx/link_job.hpp).
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "smx/json.hpp"
#include "smx/keyfile.hpp"
#include "smx/link_command.hpp"
#include "smx/link_job.hpp"
#include "smx/stream.hpp"

namespace smx::cli {

namespace {

std::vector<std::uint8_t> load_key(const std::string& path, const char* option, DiagnosticSink& sink) {
  if (path.empty())
    throw usage_error(std::string("give ") + option +
                      " FILE (32 bytes; make one with: head -c 32 /dev/urandom > FILE; chmod 600 FILE)");
  KeyFile key = read_key_file(path);
  if (key.readable_by_others)
    sink.report({Severity::warning, "LINK-KEY-PERMISSIONS", {path, 0, 0, {}},
                 "key file is readable by group or others; chmod 600 it", {}});
  return std::move(key.bytes);
}

std::filesystem::path link_tables(const LinkOptions& o) { return tables_root(o.tables) / "mappings" / "link"; }

struct SchemaFile {
  link::Schema schema;
  std::string digest;
};
SchemaFile load_schema(const LinkOptions& o) {
  const std::filesystem::path path = o.schema.empty() ? link_tables(o) / "schema-v1.json" : std::filesystem::path(o.schema);
  std::string bytes, error;
  if (read_file(path.string(), bytes, error, std::size_t{1} << 24) != 0)
    throw io_error("cannot read schema " + path.string() + ": " + error);
  return {link::schema_from_string(bytes, path.string()), link::to_hex(link::sha256(bytes)).substr(0, 16)};
}

link::Normalizer load_normalizer(const LinkOptions& o) {
  return link::Normalizer(link::KanjiVariants::from_file(link_tables(o) / "kanji-variants.yaml"));
}

// A patient without an id1 token is matched by the Bloom filters alone: say how many, and when
// --id1-branch names a place no message fills, say that the place is probably wrong.
void report_id1_gaps(const LinkOptions& o, const std::vector<link::Person>& persons, const link::EncodeCounts& counts,
                     DiagnosticSink& sink) {
  if (counts.with_id1 == counts.patients) return;
  if (!o.id1_branch.empty() &&
      std::none_of(persons.begin(), persons.end(), [](const link::Person& p) { return !p.card_branch.empty(); }))
    sink.report({Severity::warning, "LINK-BRANCH-NOT-FOUND", {},
                 "--id1-branch " + o.id1_branch + ": no message has a value there, so no patient has an id1 token",
                 {}});
  sink.report({Severity::note, "LINK-ID1-MISSING", {},
               std::to_string(counts.patients - counts.with_id1) + " of " + std::to_string(counts.patients) +
                   " patients have no id1 token (insurer number, card symbol, card number" +
                   (o.id1_branch.empty() ? std::string() : ", 枝番 at " + o.id1_branch) +
                   ", birth date or sex missing): they are matched on the other fields",
               {}});
}

// Messages -> patients, in input order on this thread (the collector keeps one entry per patient).
std::vector<link::Person> collect(const LinkOptions& o, MessageJob& job) {
  link::PatientCollector collector(o.facility);
  if (!o.id1_branch.empty()) {
    hl7::Path path;
    try {
      path = hl7::Path::parse(o.id1_branch);
    } catch (const parse_error& e) {
      throw usage_error(std::string("--id1-branch: ") + e.what());
    }
    if (path.field == 0 || path.segment_index == hl7::Path::kAll || path.repetition == hl7::Path::kAll)
      throw usage_error("--id1-branch " + o.id1_branch + ": name one field, component or subcomponent (IN1-46, IN1-11.2), not [*]");
    collector.branch_field(std::move(path));
  }
  job.for_each_record<Piece>([](std::size_t, const Record&, Piece&) {},
                             [&](const Record& r, Piece&) {
                               if (!collector.add(r, job.diagnostics())) ++job.counts().filtered;
                             });
  return collector.persons();
}

}  // namespace

JobResult link_encode(const LinkOptions& o, Output& out, DiagnosticSink& diagnostics) {
  // One record per patient from all of the patient's messages: the changed files are not that.
  if (!o.messages.state.empty())
    throw usage_error("--state: smx link encodes whole patients; run it without --state");
  const auto key = load_key(o.key, "--key", diagnostics);
  link::EncodeSettings settings;
  settings.id1_with_branch = !o.id1_branch.empty();
  if (!o.deid_key.empty()) settings.deid_key = load_key(o.deid_key, "--deid-key", diagnostics);
  settings.deid_release = o.deid_release;
  if (!o.deid_key.empty()) {
    // The shape of deid's patient pseudonyms comes from the deid profile, as smx deid reads it.
    const std::filesystem::path tables = tables_root(o.tables);
    const deid::TypeTable types = deid::TypeTable::load(deid::types_path(tables));
    settings.deid_shape = deid::load_profile(o.deid_profile, deid::profiles_dir(tables), types).shape("patient");
  }
  SchemaFile schema = load_schema(o);
  settings.schema_digest = schema.digest;
  const link::Normalizer normalizer = load_normalizer(o);
  const link::BloomEncoder encoder(std::move(schema.schema), link::TokenKeys(key).bloom_secret());
  MessageJob job("link", o.messages, out, diagnostics);
  const std::vector<link::Person> persons = collect(o, job);
  const link::EncodeCounts counts =
      link::write_encodings(persons, normalizer, encoder, key, settings, out, job.diagnostics());
  job.counts().written = counts.patients;
  report_id1_gaps(o, persons, counts, job.diagnostics());
  return job.finish();
}

JobResult link_audit(const LinkOptions& o, Output& out, DiagnosticSink& diagnostics) {
  if (!o.messages.state.empty()) throw usage_error("--state: smx link audits whole patients; run it without --state");
  const auto key = load_key(o.key, "--key", diagnostics);
  const SchemaFile schema = load_schema(o);
  const link::Normalizer normalizer = load_normalizer(o);
  const auto public_names = link::load_name_frequencies(link_tables(o) / "family-names.yaml", normalizer);
  MessageJob job("link", o.messages, out, diagnostics);
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
  out.write(text);
  job.counts().written = people.size();
  return job.finish();
}

namespace {

struct MatchRun {
  link::EncodedSet set;
  link::MatchConfig config;
  link::LinkResult result;
};

MatchRun match_run(const LinkOptions& o, DiagnosticSink& diagnostics) {
  if (o.messages.inputs.empty()) throw usage_error("match needs encoded files (the output of smx link encode)");
  if (o.possible_probability > o.match_probability)
    throw usage_error("--possible-probability is above --match-probability");
  const SchemaFile schema = load_schema(o);
  MatchRun run;
  // Read in pieces of whole lines: the file itself is not held (about 1.8 KB a record, as
  // large as the records made of it).
  constexpr std::size_t piece = std::size_t{8} << 20;
  std::string bytes;
  for (const std::string& input : o.messages.inputs) {
    const std::unique_ptr<ByteSource> source = input == "-" ? open_stdin() : open_file(input);
    std::uint64_t lines = 0;
    bytes.clear();
    for (bool end = false; !end;) {
      const std::size_t had = bytes.size();
      bytes.resize(had + piece);
      const std::size_t got = source->read(bytes.data() + had, piece);
      bytes.resize(had + got);
      end = got == 0;
      const std::size_t cut = end ? bytes.size() : bytes.rfind('\n') + 1;  // npos + 1 == 0: no whole line yet
      if (cut == 0) continue;
      const std::string_view whole(bytes.data(), cut);
      link::read_encodings(whole, input, schema.schema, run.set, diagnostics, lines);
      lines += static_cast<std::uint64_t>(std::count(whole.begin(), whole.end(), '\n'));
      bytes.erase(0, cut);
    }
  }
  if (!run.set.schema.empty() && run.set.schema != schema.digest)
    throw config_error("[LINK-MIXED-SCHEMA] the encodings were made with another schema than " +
                       (o.schema.empty() ? std::string("the shipped one") : o.schema) + "; give the same --schema");
  link::MatchConfig& config = run.config;
  config.mode = o.method == "tokens"  ? link::MatchConfig::Mode::tokens_only
                : o.method == "bloom" ? link::MatchConfig::Mode::bloom_only
                                      : link::MatchConfig::Mode::combined;
  config.comparisons = link::default_comparisons(schema.schema);
  config.block_on_block_key = o.blocking == "year";
  config.block_on_date = config.block_on_name = o.blocking == "fine";
  config.u_random_pairs = o.u_pairs;
  if (o.u_pairs == 0 && o.blocking == "fine" && config.mode != link::MatchConfig::Mode::tokens_only)
    // Measured on gen --facilities 5 --shared-persons 0.3 (tests/props/link.sh): EM alone over
    // fine-blocked pairs settled on "the tokens are equal" and found the token matches only.
    diagnostics.report({Severity::warning, "LINK-U-BY-EM", {},
                        "--u-pairs 0 with --blocking fine: u is estimated by EM over candidate pairs that are mostly "
                        "matches, and EM can split them on another feature than the person (give --u-pairs N, or "
                        "--blocking year)",
                        {}});
  config.match_probability = o.match_probability;
  config.possible_probability = o.possible_probability;
  config.keep_review = !o.review.empty();
  if (!o.link_key.empty()) config.link_key = load_key(o.link_key, "--link-key", diagnostics);
  run.result = link::link_records(run.set.records, config);
  return run;
}

}  // namespace

JobResult link_match(const LinkOptions& o, Output& out, DiagnosticSink& diagnostics) {
  CollectingSink reading;
  MatchRun run = match_run(o, reading);
  JobResult result;
  for (Diagnostic& d : reading.items) {
    if (d.severity == Severity::error) result.status = kDataProblems;
    diagnostics.report(std::move(d));
  }
  link::write_link_table(run.set.records, run.result, out);
  std::optional<Output> review, model;
  if (!o.review.empty()) {
    review.emplace(o.review);
    link::write_review(run.set.records, run.result, run.config, *review);
  }
  if (!o.model.empty()) {
    model.emplace(o.model);
    model->write(link::model_json(run.result, run.config));
  }
  if (review) review->commit();
  if (model) model->commit();
  result.counts.read = run.set.records.size();
  result.counts.written = run.set.records.size();
  if (!o.messages.common.stats.empty()) {
    const auto& r = run.result;
    std::string text;
    if (o.messages.common.stats == "json") {
      json::Writer w(text);
      begin_stats(w, "link");
      w.numbers({{"records", run.set.records.size()}, {"candidate_pairs", r.candidate_pairs},
                 {"matched_pairs", r.matched_pairs}, {"review_pairs", r.review_pairs},
                 {"guarded_pairs", r.guarded_pairs}, {"clusters", r.clusters}});
      w.end_object();
      text += '\n';
    } else {
      text = "smx link: " + std::to_string(run.set.records.size()) + " records, " + std::to_string(r.candidate_pairs) +
             " candidate pairs, " + std::to_string(r.matched_pairs) + " matched, " + std::to_string(r.review_pairs) +
             " for review (" + std::to_string(r.guarded_pairs) + " held by the twin guard), " +
             std::to_string(r.clusters) + " link IDs\n";
    }
    std::fputs(text.c_str(), stderr);
  }
  return result;
}

int run_link(LinkOptions& o) {
  if (o.mode == "match") {
    // match prints its own stats line; run_job's read/written line would say less.
    CommonOptions common = o.messages.common;
    common.stats.clear();
    return run_job("link", common, [&](Output& out, DiagnosticSink& d) { return link_match(o, out, d); });
  }
  return run_job("link", o.messages.common, [&](Output& out, DiagnosticSink& d) {
    return o.mode == "audit" ? link_audit(o, out, d) : link_encode(o, out, d);
  });
}

}  // namespace smx::cli
