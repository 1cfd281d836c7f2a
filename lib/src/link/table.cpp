// smx link match and audit as library calls: encodings read back, the link table, the review
// file, the fitted model, and the frequency attack with each hardening option.
#include "link/internal.hpp"

#include <smx/link_job.hpp>

#include <smx/json.hpp>

#include <simdjson.h>

#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace smx::link {

namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

void tsv_cell(std::string& out, std::string_view value) {
  // Facility names and IDs are the sender's: tabs and line breaks would break the row.
  for (char c : value) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
}

void agree(std::string& seen, const std::string& value, const char* what, const char* code, const std::string& where) {
  if (value.empty()) return;
  if (seen.empty()) {
    seen = value;
    return;
  }
  if (seen != value)
    throw config_error(std::string("[") + code + "] " + where + ": made under another " + what +
                       " than the records before; encode every site with the same " + what);
}

}  // namespace

void read_encodings(std::string_view ndjson, const std::string& name, const Schema& schema, EncodedSet& set,
                    DiagnosticSink& sink, std::uint64_t first_line) {
  std::unordered_map<std::string, std::size_t> feature_index;
  for (std::size_t i = 0; i < schema.features.size(); ++i)
    if (!schema.features[i].ignored) feature_index[schema.features[i].identifier] = i;
  const std::size_t l = schema.balance ? 2 * schema.l : schema.l;
  simdjson::ondemand::parser parser;
  std::string padded;
  std::uint64_t line_number = first_line;
  std::size_t begin = 0;
  while (begin < ndjson.size()) {
    std::size_t end = ndjson.find('\n', begin);
    if (end == std::string_view::npos) end = ndjson.size();
    const std::string_view line = ndjson.substr(begin, end - begin);
    begin = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const Location where{name, line_number, 0, {}};
    EncodedRecord record;
    record.fields.resize(schema.features.size());
    std::string kind, normalizer, schema_digest, key;
    try {
      padded.assign(line);
      padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
      simdjson::ondemand::document doc = parser.iterate(padded.data(), line.size(), padded.size());
      for (auto member : doc.get_object()) {
        const std::string_view k = member.unescaped_key();
        auto value = member.value();
        auto text = [&] { return std::string(std::string_view(value.get_string())); };
        if (k == "kind") kind = text();
        else if (k == "facility") record.facility = text();
        else if (k == "patient") record.local_id = text();
        else if (k == "normalizer") normalizer = text();
        else if (k == "schema") schema_digest = text();
        else if (k == "key") key = text();
        else if (k == "id1") record.id1 = text();
        else if (k == "id2") record.id2 = text();
        else if (k == "block") record.block = text();
        else if (k == "block_date") record.block_date = text();
        else if (k == "block_name") record.block_name = text();
        else if (k == "fields") {
          for (auto field : value.get_object()) {
            const std::string identifier(field.unescaped_key().value());
            const std::string_view b64 = field.value().get_string();
            auto it = feature_index.find(identifier);
            if (it == feature_index.end())
              throw std::runtime_error("field '" + identifier + "' is not in the schema");
            auto bytes = base64_decode(b64);
            if (!bytes || bytes->size() != (l + 7) / 8)
              throw std::runtime_error("field '" + identifier + "' is not " + std::to_string(l) + " bits of base64");
            record.fields[it->second] = BitVector::from_bytes(std::move(*bytes), l);
          }
        }
      }
    } catch (const std::exception& e) {
      sink.report({Severity::error, "LINK-BAD-RECORD", where, std::string("not an encoded record: ") + e.what(), {}});
      continue;
    }
    if (kind != "link-encoding" || record.facility.empty() || record.local_id.empty()) {
      sink.report({Severity::error, "LINK-BAD-RECORD", where,
                   "not an encoded record (kind link-encoding with facility and patient)", {}});
      continue;
    }
    const std::string place = name + ":" + std::to_string(line_number);
    agree(set.key, key, "key", "LINK-MIXED-KEY", place);
    agree(set.schema, schema_digest, "schema", "LINK-MIXED-SCHEMA", place);
    if (!normalizer.empty() && !set.normalizer.empty() && normalizer != set.normalizer)
      sink.report({Severity::warning, "LINK-MIXED-NORMALIZER", where,
                   "made by another normalizer version than the records before: tokens may differ for the same person",
                   normalizer});
    if (set.normalizer.empty()) set.normalizer = normalizer;
    set.records.push_back(std::move(record));
  }
}

void write_link_table(const std::vector<EncodedRecord>& records, const LinkResult& result, Output& out) {
  std::string line = "facility\tpatient\tlink_id\thow\tscore\n";
  out.write(line);
  for (std::size_t i = 0; i < records.size(); ++i) {
    line.clear();
    tsv_cell(line, records[i].facility);
    line += '\t';
    tsv_cell(line, records[i].local_id);
    const LinkRow& row = result.rows[i];
    line += '\t' + row.link_id + '\t' + std::string(link_how_name(row.how)) + '\t' + fixed(row.score, 6) + '\n';
    out.write(line);
  }
}

void write_review(const std::vector<EncodedRecord>& records, const LinkResult& result, const MatchConfig& config,
                  Output& out) {
  std::string line = "facility_a\tpatient_a\tfacility_b\tpatient_b\tprobability";
  for (const ComparisonSpec& spec : config.comparisons) line += '\t' + spec.name;
  line += '\n';
  out.write(line);
  for (const ReviewPair& r : result.review) {
    line.clear();
    tsv_cell(line, records[r.a].facility);
    line += '\t';
    tsv_cell(line, records[r.a].local_id);
    line += '\t';
    tsv_cell(line, records[r.b].facility);
    line += '\t';
    tsv_cell(line, records[r.b].local_id);
    line += '\t' + fixed(r.probability, 6);
    const std::vector<std::uint8_t>& levels = result.patterns.at(r.pattern).levels;
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) line += '\t' + std::to_string(levels.at(c));
    line += '\n';
    out.write(line);
  }
}

std::string model_json(const LinkResult& result, const MatchConfig& config) {
  const FsModel& model = result.model;
  std::string out;
  json::Writer w(out);
  // A probability EM could not define (no pair had the level) is written as null, not "nan".
  auto number = [](double value, int decimals) {
    const std::string text = fixed(value, decimals);
    return json::is_number(text) ? text : std::string("null");
  };
  w.begin_object();
  w.number("smx", 1);
  w.string("kind", "link-model");
  w.number("lambda", number(model.lambda, 8));
  if (!model.rule_lambda.empty()) {
    // The prior among the pairs of each blocking rule (a pair counts in the first rule that
    // brings it together); rules that brought no pair are left out.
    static constexpr const char* rule_names[kBlockRules] = {"none", "year_sex", "date_sex", "name_year", "id1", "id2"};
    std::vector<bool> used(kBlockRules, false);
    for (const LevelPattern& p : result.patterns) used.at(p.group) = true;
    w.begin_object("rule_lambda");
    for (std::size_t g = 0; g < kBlockRules; ++g)
      if (used[g]) w.number(rule_names[g], number(model.rule_lambda[g], 8));
    w.end_object();
  }
  w.number("iterations", model.iterations);
  w.boolean("converged", model.converged);
  w.numbers({{"candidate_pairs", result.candidate_pairs}, {"matched_pairs", result.matched_pairs},
             {"review_pairs", result.review_pairs}, {"clusters", result.clusters}});
  w.begin_array("comparisons");
  for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
    w.begin_object();
    w.string("name", config.comparisons[c].name);
    for (const auto* side : {&model.m, &model.u}) {
      w.begin_array(side == &model.m ? "m" : "u");
      for (std::size_t level = 1; c < side->size() && level < (*side)[c].size(); ++level)
        w.number_element(number((*side)[c][level], 6));
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

std::vector<AuditRow> run_audit(const std::vector<NormalizedPerson>& people, const Schema& schema,
                                std::span<const std::uint8_t> key, const std::vector<NameFrequency>& public_names,
                                std::size_t top_n) {
  // The attacked field: the kana family name as `schema` encodes it (its n-grams, bits, hash).
  const Feature* family = nullptr;
  for (const Feature& f : schema.features)
    if (!f.ignored && f.identifier == "kana_family") family = &f;
  if (!family) throw config_error("[LINK-AUDIT-FIELD] " + schema.name + ": the schema encodes no kana_family feature");
  const TokenKeys keys(key);
  std::vector<std::string> truth, blocks;
  for (const NormalizedPerson& p : people) {
    truth.push_back(p.kana_family);
    blocks.push_back(block_token(keys, p).value_or(""));
  }
  struct Variant {
    const char* name;
    bool salt, balance;
    int folds;
  };
  const Variant variants[] = {{"none", false, false, 0},   {"salt", true, false, 0},     {"balance", false, true, 0},
                              {"xor1", false, false, 1},   {"salt+balance+xor1", true, true, 1}};
  std::vector<AuditRow> rows;
  for (const Variant& v : variants) {
    Schema one = schema;
    one.features = {*family};
    one.features[0].salted = v.salt;
    one.balance = v.balance;
    one.xor_folds = v.folds;
    if (v.folds && one.l % 2 != 0) continue;
    if (v.folds) one.l /= 2;  // the same hashing length, folded once
    const BloomEncoder encoder(std::move(one), keys.bloom_secret());
    std::vector<BitVector> encodings;
    encodings.reserve(people.size());
    for (const NormalizedPerson& p : people) {
      const std::string year = p.birth_date.size() == 8 ? p.birth_date.substr(0, 4) : std::string();
      Encoding e = encoder.encode({p.kana_family}, year);
      encodings.push_back(std::move(e.fields[0]));
    }
    AuditRow row;
    row.hardening = v.name;
    row.global = frequency_attack(encodings, truth, public_names, top_n);
    row.per_block = frequency_attack(encodings, truth, public_names, top_n, &blocks);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace smx::link
