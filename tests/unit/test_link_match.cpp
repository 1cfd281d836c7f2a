// smx link matcher: EM recovers m/u/λ from a labelled synthetic table; candidate pairs,
// clustering and link IDs do not depend on the input order; a small two-facility linkage of
// synthetic people with recording variance links every person and nobody else.
#include "link_synthetic.hpp"

#include <smx/link.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

using namespace smx::link;

namespace {

const std::filesystem::path source_dir = SMX_SOURCE_DIR;

ComparisonSpec dice_spec(std::string name, std::size_t field, std::vector<double> thresholds) {
  ComparisonSpec s;
  s.name = std::move(name);
  s.kind = ComparisonSpec::Kind::dice;
  s.field = field;
  s.thresholds = std::move(thresholds);
  return s;
}

// Draws a level from a distribution over levels 1..L (p[0] unused).
std::uint8_t draw(link_synthetic::Rng& rng, const std::vector<double>& p) {
  double x = rng.uniform();
  for (std::size_t l = 1; l < p.size(); ++l) {
    if (x < p[l]) return static_cast<std::uint8_t>(l);
    x -= p[l];
  }
  return static_cast<std::uint8_t>(p.size() - 1);
}

const Normalizer& normalizer() {
  static const Normalizer n(KanjiVariants::from_file(source_dir / "mappings/link/kanji-variants.yaml"));
  return n;
}

std::vector<EncodedRecord> encode_all(const std::vector<Person>& people, const BloomEncoder& encoder,
                                      const TokenKeys& keys) {
  std::vector<EncodedRecord> out;
  smx::NullSink quiet;
  for (const Person& p : people) {
    const NormalizedPerson n = normalize_person(normalizer(), p, {}, quiet);
    EncodedRecord r;
    r.facility = p.facility;
    r.local_id = p.local_id;
    r.id2 = id2_token(keys, n).value_or("");
    r.id1 = id1_token(keys, n).value_or("");
    r.block = block_token(keys, n).value_or("");
    r.fields = encoder.encode_person(n).fields;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

TEST_CASE("EM recovers m, u and λ of a labelled synthetic comparison table") {
  // Three comparisons (4, 3 and 2 levels), conditionally independent given the match status,
  // 10 % of levels null. True values:
  const double lambda = 0.08;
  const std::vector<std::vector<double>> m = {{0, 0.85, 0.10, 0.03, 0.02}, {0, 0.90, 0.07, 0.03}, {0, 0.95, 0.05}};
  const std::vector<std::vector<double>> u = {{0, 0.01, 0.04, 0.15, 0.80}, {0, 0.05, 0.15, 0.80}, {0, 0.30, 0.70}};
  MatchConfig config;
  config.comparisons = {dice_spec("a", 0, {0.9, 0.8, 0.7}), dice_spec("b", 1, {0.9, 0.8}), dice_spec("c", 2, {0.9})};
  link_synthetic::Rng rng{20260501};
  std::vector<PairVector> pairs(60000);
  std::size_t true_matches = 0;
  for (PairVector& pair : pairs) {
    const bool match = rng.uniform() < lambda;
    true_matches += match;
    for (std::size_t c = 0; c < 3; ++c)
      pair.levels.push_back(rng.uniform() < 0.1 ? 0 : draw(rng, match ? m[c] : u[c]));
  }
  const FsModel model = estimate(pairs, config);
  CHECK(model.converged);
  CAPTURE(model.iterations);
  // Tolerance: 0.02 absolute on every m and u, 0.01 on λ (with 60,000 pairs and ~4,800
  // matches the sampling error of an m near 0.1 is about 0.005).
  double worst = std::abs(model.lambda - lambda);
  CHECK(worst < 0.01);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t l = 1; l < m[c].size(); ++l) {
      CAPTURE(c);
      CAPTURE(l);
      CHECK(std::abs(model.m[c][l] - m[c][l]) < 0.02);
      CHECK(std::abs(model.u[c][l] - u[c][l]) < 0.02);
      worst = std::max({worst, std::abs(model.m[c][l] - m[c][l]), std::abs(model.u[c][l] - u[c][l])});
    }
  MESSAGE("EM: " << model.iterations << " iterations, largest error " << worst << ", true matches "
                 << true_matches << " of " << pairs.size());
  // The match weight orders agreement above disagreement.
  PairVector agree, disagree;
  agree.levels = {1, 1, 1};
  disagree.levels = {4, 3, 2};
  CHECK(model.probability(agree) > 0.99);
  CHECK(model.probability(disagree) < 0.01);
  PairVector nulls;
  nulls.levels = {0, 0, 0};
  CHECK(std::abs(model.probability(nulls) - model.lambda) < 1e-9);  // no evidence: the prior
}

TEST_CASE("clusters and link IDs are deterministic and independent of the input order") {
  // Hand-made filters: three facilities, two people seen three and two times, one alone.
  auto filter = [](std::initializer_list<std::size_t> bits) {
    BitVector v(64);
    for (std::size_t b : bits) v.set(b);
    return v;
  };
  const BitVector ann = filter({1, 5, 9, 13, 17, 21}), ann_typo = filter({1, 5, 9, 13, 17, 40});
  const BitVector bob = filter({2, 6, 10, 14, 18, 22}), cid = filter({30, 33, 36, 39, 42, 45});
  std::vector<EncodedRecord> records = {
      {"H1", "a1", "", "tokA", "y1", {ann}}, {"H2", "a2", "", "tokA", "y1", {ann}}, {"H3", "a3", "", "", "y1", {ann_typo}},
      {"H1", "b1", "", "tokB", "y1", {bob}}, {"H2", "b2", "", "tokB", "y1", {bob}}, {"H3", "c3", "", "", "y1", {cid}},
  };
  MatchConfig config;
  config.comparisons = {dice_spec("name", 0, {0.95, 0.75})};
  config.link_key = bytes_of("centre key");
  config.match_probability = 0.9;
  // Fixed m/u (no EM) keeps the test about clustering: level 1 and 2 agreements match
  // (P = 0.975 and 0.94), level 3 does not.
  FsModel fixed;
  fixed.lambda = 0.3;
  fixed.m = {{0, 0.60, 0.35, 0.05}};
  fixed.u = {{0, 0.01, 0.01, 0.98}};
  const auto pairs = candidate_pairs(records, config);
  CHECK(pairs.size() == 12);  // one block (y1), pairs across facilities only
  for (const PairVector& p : pairs) CHECK(records[p.a].facility != records[p.b].facility);

  auto run = [&](const std::vector<EncodedRecord>& input) {
    const LinkResult r = link_records(input, config, &fixed);
    std::map<std::string, std::pair<std::string, LinkHow>> by_key;
    for (std::size_t i = 0; i < input.size(); ++i) by_key[member_key(input[i])] = {r.rows[i].link_id, r.rows[i].how};
    return by_key;
  };
  // The same answer in every input order.
  const auto first = run(records);
  std::vector<EncodedRecord> shuffled = records;
  link_synthetic::Rng rng{7};
  for (int round = 0; round < 5; ++round) {
    for (std::size_t i = shuffled.size(); i-- > 1;) std::swap(shuffled[i], shuffled[rng.below(i + 1)]);
    CHECK(run(shuffled) == first);
  }
  // The link ID is the HMAC of the smallest member key of the cluster.
  const std::string expected_a = "L" + to_hex(hmac_sha256(config.link_key, member_key(records[0]))).substr(0, 32);
  CHECK(first.at(member_key(records[0])).first == expected_a);
  CHECK(first.at(member_key(records[1])).first == expected_a);
  CHECK(first.at(member_key(records[3])).first == first.at(member_key(records[4])).first);
  CHECK(first.at(member_key(records[2])).first == expected_a);  // through its Bloom filter
  CHECK(first.at(member_key(records[0])).second == LinkHow::token);
  CHECK(first.at(member_key(records[2])).second == LinkHow::probabilistic);
  CHECK(first.at(member_key(records[3])).first != expected_a);
  CHECK(first.at(member_key(records[5])).second == LinkHow::single);
  CHECK(first.at(member_key(records[5])).first != first.at(member_key(records[3])).first);

  // Tokens only: exactly the token-equal pairs link.
  MatchConfig tokens = config;
  tokens.mode = MatchConfig::Mode::tokens_only;
  const LinkResult t = link_records(records, tokens);
  CHECK(t.rows[0].link_id == t.rows[1].link_id);
  CHECK(t.rows[2].link_id != t.rows[0].link_id);  // no token: alone
  CHECK(t.rows[0].how == LinkHow::token);
  CHECK(t.clusters == 4);
}

// `count` synthetic people at H1 (P<i>); every second one also at H2 (Q<i>), written H2's way,
// 20 % of those with a typo. Rows in that order: P0 Q0 P1 P2 Q2 ...
std::vector<Person> two_facilities(std::size_t count) {
  std::vector<link_synthetic::Truth> truth;
  std::vector<Person> people = link_synthetic::population(count, 11, &truth);
  link_synthetic::Rng rng{12};
  std::vector<Person> all;
  for (std::size_t i = 0; i < people.size(); ++i) {
    Person a = people[i];
    a.facility = "H1";
    all.push_back(a);
    if (i % 2 == 0) {
      Person b = link_synthetic::recorded_elsewhere(people[i], rng, 0.2);
      b.facility = "H2";
      b.local_id = "Q" + std::to_string(i);
      all.push_back(b);
    }
  }
  return all;
}

TEST_CASE("two facilities with recording variance: every person links, nobody else") {
  const Schema schema = schema_from_file(source_dir / "mappings/link/schema-v1.json");
  const TokenKeys keys(bytes_of("a key shared by the two sites only"));
  const BloomEncoder encoder(schema, keys.bloom_secret());
  const std::size_t people = 400;
  const std::vector<Person> all = two_facilities(people);
  const std::vector<EncodedRecord> records = encode_all(all, encoder, keys);
  MatchConfig config;
  config.comparisons = default_comparisons(schema);
  config.link_key = bytes_of("centre");
  const LinkResult result = link_records(records, config);
  CHECK(result.model.converged);

  // Truth: H1 P<i> and H2 Q<i> are one person.
  std::size_t true_links = 0, found = 0, wrong = 0, token_links = 0;
  std::map<std::string, std::string> link_of;
  for (std::size_t i = 0; i < all.size(); ++i) link_of[all[i].facility + all[i].local_id] = result.rows[i].link_id;
  for (std::size_t i = 0; i < people; i += 2) {
    ++true_links;
    if (link_of["H1P" + std::to_string(i)] == link_of["H2Q" + std::to_string(i)]) ++found;
  }
  std::map<std::string, int> cluster_size;
  for (const LinkRow& row : result.rows) ++cluster_size[row.link_id];
  for (const auto& [id, size] : cluster_size)
    if (size > 2) wrong += static_cast<std::size_t>(size - 2);
  for (const LinkRow& row : result.rows) token_links += row.how == LinkHow::token;
  // Pairs linked that are not the same person.
  for (std::size_t i = 0; i < people; ++i)
    for (std::size_t j = i + 2; j < people && j < i + 60; j += 2)
      if (link_of["H1P" + std::to_string(i)] == link_of["H2Q" + std::to_string(j)]) ++wrong;
  MESSAGE("two-facility linkage: " << found << " of " << true_links << " true links found, " << wrong
                                   << " wrong; token-linked rows " << token_links << "; candidate pairs "
                                   << result.candidate_pairs << ", EM iterations " << result.model.iterations);
  CHECK(found == true_links);
  CHECK(wrong == 0);
  CHECK(token_links > 0);
  CHECK(token_links < 2 * true_links);  // the typos linked through the Bloom filters alone

  // Tokens alone miss the typo'd ones: the NDB-style failure the filters repair.
  MatchConfig tokens = config;
  tokens.mode = MatchConfig::Mode::tokens_only;
  const LinkResult t = link_records(records, tokens);
  std::size_t token_found = 0;
  for (std::size_t i = 0, row = 0; i < people; ++i, ++row) {
    if (i % 2 == 0) {
      token_found += t.rows[row].link_id == t.rows[row + 1].link_id;
      ++row;
    }
  }
  MESSAGE("tokens only: " << token_found << " of " << true_links);
  CHECK(token_found < true_links);
  CHECK(token_found > true_links / 2);
}

TEST_CASE("each candidate pair once, as a brute force over all pairs finds them; review kept or only counted") {
  const Schema schema = schema_from_file(source_dir / "mappings/link/schema-v1.json");
  const TokenKeys keys(bytes_of("a key shared by the two sites only"));
  const BloomEncoder encoder(schema, keys.bloom_secret());
  const std::vector<EncodedRecord> records = encode_all(two_facilities(300), encoder, keys);
  MatchConfig config;
  config.comparisons = default_comparisons(schema);
  config.link_key = bytes_of("centre");
  config.possible_probability = 0;  // every pair that is not a match goes to review: rows to compare
  // Pairs that share a birth-year block and an id1 or id2 token are in three blocks: still once.
  const std::vector<PairVector> pairs = candidate_pairs(records, config);
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (const PairVector& p : pairs) CHECK(seen.insert({std::min(p.a, p.b), std::max(p.a, p.b)}).second);
  std::size_t shared_keys = 0, multi_key = 0;
  for (std::uint32_t i = 0; i < records.size(); ++i)
    for (std::uint32_t j = i + 1; j < records.size(); ++j) {
      const EncodedRecord& a = records[i];
      const EncodedRecord& b = records[j];
      if (a.facility == b.facility) continue;
      const int keys_shared = (!a.block.empty() && a.block == b.block) + (!a.id1.empty() && a.id1 == b.id1) +
                              (!a.id2.empty() && a.id2 == b.id2);
      if (keys_shared == 0) continue;
      ++shared_keys;
      multi_key += keys_shared > 1;
      CHECK(seen.count({i, j}) == 1);
    }
  CHECK(pairs.size() == shared_keys);
  CHECK(multi_key > 0);  // the case the once-only rule is about did occur

  const LinkResult kept = link_records(records, config);
  MatchConfig counting = config;
  counting.keep_review = false;
  const LinkResult counted = link_records(records, counting);
  CHECK(kept.review.size() == kept.review_pairs);
  CHECK(kept.review_pairs > 0);
  CHECK(counted.review.empty());
  CHECK(counted.review_pairs == kept.review_pairs);
  CHECK(counted.matched_pairs == kept.matched_pairs);
  for (std::size_t i = 0; i < records.size(); ++i) CHECK(counted.rows[i].link_id == kept.rows[i].link_id);
  // A review row's comparison levels are the pair's own.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::uint8_t>> levels_of;
  for (const PairVector& p : pairs) levels_of[{p.a, p.b}] = p.levels;
  for (const ReviewPair& r : kept.review) CHECK(kept.patterns.at(r.pattern).levels == levels_of.at({r.a, r.b}));
  // The distinct vectors count every candidate pair once.
  double total = 0;
  for (const LevelPattern& p : kept.patterns) total += p.count;
  CHECK(total == static_cast<double>(pairs.size()));
}
