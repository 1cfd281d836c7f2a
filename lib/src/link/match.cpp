// The matcher: blocking, comparison vectors, Fellegi–Sunter (em.cpp), thresholds, union-find
// clusters and stable link IDs. Every step works on the records in member-key order, so the
// order of the input changes nothing but the order of the output rows.
#include "link/internal.hpp"

#include <smx/link.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace smx::link {

namespace {

bool uses_tokens(const MatchConfig& config) { return config.mode != MatchConfig::Mode::bloom_only; }

std::uint8_t level_of(const ComparisonSpec& spec, const EncodedRecord& a, const EncodedRecord& b,
                      const MatchConfig& config) {
  switch (spec.kind) {
    case ComparisonSpec::Kind::token_id1:
    case ComparisonSpec::Kind::token_id2: {
      if (!uses_tokens(config)) return 0;
      const std::string& x = spec.kind == ComparisonSpec::Kind::token_id1 ? a.id1 : a.id2;
      const std::string& y = spec.kind == ComparisonSpec::Kind::token_id1 ? b.id1 : b.id2;
      if (x.empty() || y.empty()) return 0;
      return x == y ? 1 : 2;
    }
    case ComparisonSpec::Kind::dice: {
      if (spec.field >= a.fields.size() || spec.field >= b.fields.size()) return 0;
      const BitVector& x = a.fields[spec.field];
      const BitVector& y = b.fields[spec.field];
      if (x.empty() || y.empty() || x.size() != y.size()) return 0;
      const double similarity = dice(x, y);
      for (std::size_t t = 0; t < spec.thresholds.size(); ++t)
        if (similarity >= spec.thresholds[t]) return static_cast<std::uint8_t>(t + 1);
      return static_cast<std::uint8_t>(spec.thresholds.size() + 1);
    }
  }
  return 0;
}

std::vector<std::uint8_t> levels_of(const EncodedRecord& a, const EncodedRecord& b, const MatchConfig& config) {
  std::vector<std::uint8_t> levels;
  levels.reserve(config.comparisons.size());
  for (const ComparisonSpec& spec : config.comparisons) levels.push_back(level_of(spec, a, b, config));
  return levels;
}

bool tokens_equal(const EncodedRecord& a, const EncodedRecord& b) {
  return (!a.id1.empty() && a.id1 == b.id1) || (!a.id2.empty() && a.id2 == b.id2);
}

// Records by member key (then facility, then ID, which is the same thing spelled out).
std::vector<std::uint32_t> canonical_order(const std::vector<EncodedRecord>& records) {
  // The keys are built once, not in every comparison of the sort (1M records: ~20M comparisons).
  std::vector<std::string> keys;
  keys.reserve(records.size());
  for (const EncodedRecord& r : records) keys.push_back(member_key(r));
  std::vector<std::uint32_t> order(records.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return keys[x] < keys[y]; });
  return order;
}

// True when every guard comparison of the pair is at or below its guard level (a higher level
// number is a worse agreement; 0, a missing side, never guards).
bool is_guarded(const std::vector<std::uint8_t>& levels, const std::vector<std::pair<std::size_t, std::uint8_t>>& guard) {
  if (guard.empty()) return false;
  for (const auto& [c, level] : guard)
    if (levels[c] == 0 || levels[c] < level) return false;
  return true;
}

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0u); }
  std::uint32_t find(std::uint32_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  // The smaller index (= the smaller member key, in canonical ranks) stays the root.
  void unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent_[b] = a;
  }

 private:
  std::vector<std::uint32_t> parent_;
};

}  // namespace

std::string member_key(const EncodedRecord& record) {
  return record.facility + detail::unit_separator + record.local_id;
}

std::string_view link_how_name(LinkHow how) {
  switch (how) {
    case LinkHow::single: return "single";
    case LinkHow::token: return "token";
    case LinkHow::probabilistic: return "probabilistic";
  }
  return "";
}

std::vector<std::vector<bool>> forced_comparisons(const MatchConfig& config) {
  std::vector<std::vector<bool>> forced(kBlockRules, std::vector<bool>(config.comparisons.size(), false));
  auto force = [&](BlockRule rule, std::initializer_list<std::string_view> names,
                   std::optional<ComparisonSpec::Kind> token) {
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
      const ComparisonSpec& spec = config.comparisons[c];
      const bool named = spec.kind == ComparisonSpec::Kind::dice &&
                         std::find(names.begin(), names.end(), spec.name) != names.end();
      if (named || (token && spec.kind == *token)) forced[static_cast<std::size_t>(rule)][c] = true;
    }
  };
  force(BlockRule::year_sex, {"sex"}, std::nullopt);
  force(BlockRule::date_sex, {"birth_date", "sex"}, std::nullopt);
  force(BlockRule::name_year, {"kana_family"}, std::nullopt);
  force(BlockRule::id1, {"birth_date", "sex"}, ComparisonSpec::Kind::token_id1);
  force(BlockRule::id2, {"kana_family", "kana_given", "birth_date", "sex"}, ComparisonSpec::Kind::token_id2);
  return forced;
}

std::vector<ComparisonSpec> default_comparisons(const Schema& schema) {
  std::vector<ComparisonSpec> out;
  for (std::size_t i = 0; i < schema.features.size(); ++i) {
    if (schema.features[i].ignored) continue;
    ComparisonSpec spec;
    spec.name = schema.features[i].identifier;
    spec.kind = ComparisonSpec::Kind::dice;
    spec.field = i;
    spec.thresholds = {0.95, 0.85, 0.70};
    out.push_back(std::move(spec));
  }
  ComparisonSpec id2;
  id2.name = "id2";
  id2.kind = ComparisonSpec::Kind::token_id2;
  out.push_back(id2);
  ComparisonSpec id1;
  id1.name = "id1";
  id1.kind = ComparisonSpec::Kind::token_id1;
  out.push_back(id1);
  return out;
}

namespace {

std::vector<std::vector<double>> u_sample(const std::vector<EncodedRecord>& records,
                                          const std::vector<std::uint32_t>& order, const MatchConfig& config,
                                          std::size_t count, std::uint64_t seed) {
  const std::size_t K = config.comparisons.size();
  // Two samples: pairs of one birth-year + sex block, and pairs drawn from all records. Every
  // candidate pair shares its birth year (each blocking rule and token implies it), and the
  // name filters are salted with the birth year (saltWithBirthYear), so two people of one name
  // agree only within a year: u from pairs of all years would be ~80 times too small for a
  // name and make a shared name look like the person. Pairs of one block are not all
  // non-matches, though (in a small input one in ten may be a match), so their u is the u of
  // an EM fit over the block sample (the model of --blocking year --u-pairs 0, on a sample).
  // The comparisons the block itself fixes (sex) take the all-records sample, add-one smoothed.
  std::map<std::vector<std::uint8_t>, double> in_block;
  std::vector<std::vector<double>> anywhere(K);
  for (std::size_t c = 0; c < K; ++c) anywhere[c].assign(config.comparisons[c].levels() + 1, 1.0);
  std::uint64_t state = seed;
  auto next = [&state] {  // splitmix64
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  auto tally = [&](std::vector<std::vector<double>>& u, const EncodedRecord& a, const EncodedRecord& b) {
    for (std::size_t c = 0; c < K; ++c) {
      const std::uint8_t level = level_of(config.comparisons[c], a, b, config);
      if (level != 0) u[c][level] += 1;
    }
  };
  // Ranks sorted by block, to draw a partner from the same block.
  std::vector<std::pair<std::string_view, std::uint32_t>> by_block;
  for (std::uint32_t rank = 0; rank < order.size(); ++rank)
    if (!records[order[rank]].block.empty()) by_block.emplace_back(records[order[rank]].block, rank);
  std::sort(by_block.begin(), by_block.end());
  std::size_t drawn = 0, drawn_in_block = 0;
  for (std::size_t attempt = 0; records.size() >= 2 && (drawn < count || drawn_in_block < count) && attempt < 4 * count;
       ++attempt) {
    const EncodedRecord& a = records[order[next() % order.size()]];
    const EncodedRecord& b = records[order[next() % order.size()]];
    if (drawn < count && &a != &b && !(config.cross_facility_only && a.facility == b.facility)) {
      ++drawn;
      tally(anywhere, a, b);
    }
    if (drawn_in_block < count && !by_block.empty()) {
      const std::size_t i = next() % by_block.size();
      const auto range = std::equal_range(by_block.begin(), by_block.end(), by_block[i],
                                          [](const auto& x, const auto& y) { return x.first < y.first; });
      const std::size_t size = static_cast<std::size_t>(range.second - range.first);
      const std::size_t j = static_cast<std::size_t>(range.first - by_block.begin()) + next() % size;
      const EncodedRecord& x = records[order[by_block[i].second]];
      const EncodedRecord& y = records[order[by_block[j].second]];
      if (i != j && !(config.cross_facility_only && x.facility == y.facility)) {
        ++drawn_in_block;
        in_block[levels_of(x, y, config)] += 1;
      }
    }
  }
  std::vector<std::vector<double>> u(K);
  for (std::size_t c = 0; c < K; ++c) {
    u[c] = anywhere[c];
    double total = 0;
    for (std::size_t l = 1; l < u[c].size(); ++l) total += u[c][l];
    u[c][0] = 0;
    for (std::size_t l = 1; l < u[c].size(); ++l) u[c][l] /= total;
  }
  if (drawn_in_block == 0) return u;
  std::vector<LevelPattern> sample;
  for (auto& [levels, n] : in_block)
    sample.push_back({levels, n, static_cast<std::uint8_t>(BlockRule::year_sex)});
  const FsModel fit = estimate(sample, config);
  const std::vector<bool> fixed_by_block = forced_comparisons(config)[static_cast<std::size_t>(BlockRule::year_sex)];
  // Add-one smoothed as the other sample: a level no non-match of the sample showed is rare,
  // not impossible (two people of one kanji name).
  const double n = static_cast<double>(drawn_in_block);
  for (std::size_t c = 0; c < K; ++c) {
    if (fixed_by_block[c]) continue;
    const double levels = static_cast<double>(fit.u[c].size() - 1);
    for (std::size_t l = 1; l < fit.u[c].size(); ++l) u[c][l] = (fit.u[c][l] * n + 1) / (n + levels);
  }
  return u;
}

}  // namespace

std::vector<std::vector<double>> u_from_random_pairs(const std::vector<EncodedRecord>& records,
                                                     const MatchConfig& config, std::size_t count,
                                                     std::uint64_t seed) {
  return u_sample(records, canonical_order(records), config, count, seed);
}

namespace {

// The blocking keys, in a fixed order. A pair is visited in the first kind where both records
// have the same non-empty key, and skipped in every later kind: each pair once, with no set of
// the pairs seen (which at 1M records held more memory than the records).
struct BlockKind {
  bool on;
  const std::string EncodedRecord::*key;
  BlockRule rule;
};

std::vector<BlockKind> block_kinds(const MatchConfig& config) {
  const bool tokens = uses_tokens(config);
  const bool probabilistic = config.mode != MatchConfig::Mode::tokens_only;
  return {{probabilistic && config.block_on_block_key, &EncodedRecord::block, BlockRule::year_sex},
          {probabilistic && config.block_on_date, &EncodedRecord::block_date, BlockRule::date_sex},
          {probabilistic && config.block_on_name, &EncodedRecord::block_name, BlockRule::name_year},
          {tokens && config.block_on_id1, &EncodedRecord::id1, BlockRule::id1},
          {tokens && config.block_on_id2, &EncodedRecord::id2, BlockRule::id2}};
}

// Calls visit(rank_a, rank_b, rule), rank_a < rank_b (positions in canonical order), once for
// every candidate pair, with the first BlockRule that brings it together. The order of the calls is the same on every run over the same records; the
// blocks of one kind are built, walked and freed before the next kind's.
template <typename Visit>
void for_each_candidate(const std::vector<EncodedRecord>& records, const std::vector<std::uint32_t>& order,
                        const MatchConfig& config, Visit&& visit) {
  const std::vector<BlockKind> kinds = block_kinds(config);
  std::vector<std::pair<std::string_view, std::uint32_t>> keyed;  // (key, rank)
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    if (!kinds[k].on) continue;
    keyed.clear();
    for (std::uint32_t rank = 0; rank < order.size(); ++rank) {
      const std::string& key = records[order[rank]].*kinds[k].key;
      if (!key.empty()) keyed.emplace_back(key, rank);
    }
    std::sort(keyed.begin(), keyed.end());
    auto visited_before = [&](const EncodedRecord& a, const EncodedRecord& b) {
      for (std::size_t j = 0; j < k; ++j)
        if (kinds[j].on && !(a.*kinds[j].key).empty() && a.*kinds[j].key == b.*kinds[j].key) return true;
      return false;
    };
    for (std::size_t first = 0; first < keyed.size();) {
      std::size_t last = first + 1;
      while (last < keyed.size() && keyed[last].first == keyed[first].first) ++last;
      for (std::size_t i = first; i < last; ++i)
        for (std::size_t j = i + 1; j < last; ++j) {
          const EncodedRecord& a = records[order[keyed[i].second]];
          const EncodedRecord& b = records[order[keyed[j].second]];
          if (config.cross_facility_only && a.facility == b.facility) continue;
          if (visited_before(a, b)) continue;
          visit(keyed[i].second, keyed[j].second, static_cast<std::uint8_t>(kinds[k].rule));
        }
      first = last;
    }
  }
}


// The distinct (rule, comparison vector)s of the candidate pairs, sorted (so EM sums
// in the same order whatever the input order), and each pair's pattern index in visiting order
// (4 bytes a pair).
struct PatternTable {
  std::vector<LevelPattern> patterns;
  std::vector<std::uint32_t> of_pair;
};

PatternTable pattern_table(const std::vector<EncodedRecord>& records, const std::vector<std::uint32_t>& order,
                           const MatchConfig& config) {
  PatternTable table;
  std::unordered_map<std::string, std::uint32_t> index;  // levels as bytes -> first-seen id
  std::string key;
  for_each_candidate(records, order, config, [&](std::uint32_t ra, std::uint32_t rb, std::uint8_t rule) {
    // The key is the rule and the levels as bytes, built in a reused buffer (no allocation per pair).
    const EncodedRecord& a = records[order[ra]];
    const EncodedRecord& b = records[order[rb]];
    key.assign(1, static_cast<char>(rule));
    for (const ComparisonSpec& spec : config.comparisons) key.push_back(static_cast<char>(level_of(spec, a, b, config)));
    auto [it, added] = index.try_emplace(key, static_cast<std::uint32_t>(table.patterns.size()));
    if (added) table.patterns.push_back({std::vector<std::uint8_t>(key.begin() + 1, key.end()), 0, rule});
    table.patterns[it->second].count += 1;
    table.of_pair.push_back(it->second);
  });
  std::vector<std::uint32_t> by_levels(table.patterns.size());
  std::iota(by_levels.begin(), by_levels.end(), 0u);
  std::sort(by_levels.begin(), by_levels.end(), [&](std::uint32_t x, std::uint32_t y) {
    return std::tie(table.patterns[x].group, table.patterns[x].levels) <
           std::tie(table.patterns[y].group, table.patterns[y].levels);
  });
  std::vector<std::uint32_t> new_id(by_levels.size());
  std::vector<LevelPattern> sorted;
  sorted.reserve(by_levels.size());
  for (std::uint32_t id : by_levels) {
    new_id[id] = static_cast<std::uint32_t>(sorted.size());
    sorted.push_back(std::move(table.patterns[id]));
  }
  table.patterns = std::move(sorted);
  for (std::uint32_t& id : table.of_pair) id = new_id[id];
  return table;
}

}  // namespace

std::vector<PairVector> candidate_pairs(const std::vector<EncodedRecord>& records, const MatchConfig& config) {
  const std::vector<std::uint32_t> order = canonical_order(records);
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint8_t>> ranked;
  for_each_candidate(records, order, config,
                     [&](std::uint32_t ra, std::uint32_t rb, std::uint8_t rule) { ranked.emplace_back(ra, rb, rule); });
  std::sort(ranked.begin(), ranked.end());
  const bool tokens = uses_tokens(config);
  std::vector<PairVector> pairs;
  pairs.reserve(ranked.size());
  for (const auto& [ra, rb, rule] : ranked) {
    PairVector pair;
    pair.a = order[ra];
    pair.b = order[rb];
    pair.rule = rule;
    pair.levels = levels_of(records[pair.a], records[pair.b], config);
    pair.blocked_by_token = tokens && tokens_equal(records[pair.a], records[pair.b]);
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

LinkResult link_records(const std::vector<EncodedRecord>& records, const MatchConfig& config, const FsModel* model) {
  LinkResult result;
  const std::vector<std::uint32_t> order = canonical_order(records);
  PatternTable table = pattern_table(records, order, config);
  result.candidate_pairs = table.of_pair.size();
  if (model)
    result.model = *model;
  else if (config.mode != MatchConfig::Mode::tokens_only && config.u_random_pairs > 0 && !table.of_pair.empty()) {
    FsModel start = estimate(table.patterns, config, nullptr, false);  // only for the shape and m's start
    start.iterations = 0;
    start.lambda = config.initial_lambda;
    std::fill(start.rule_lambda.begin(), start.rule_lambda.end(), config.initial_lambda);
    start.u = u_sample(records, order, config, config.u_random_pairs, config.u_seed);
    for (auto& m : start.m) {  // m starts favouring the best level, as without sampling
      const std::size_t levels = m.size() - 1;
      double rest = 0.1;
      m[1] = 0.9;
      for (std::size_t l = 2; l <= levels; ++l) {
        m[l] = l == levels ? rest : rest / 2;
        rest /= 2;
      }
    }
    result.model = estimate(table.patterns, config, &start, true);
  } else if (config.mode != MatchConfig::Mode::tokens_only) {
    result.model = estimate(table.patterns, config);
  }

  std::vector<std::uint32_t> rank_of(records.size());
  for (std::uint32_t rank = 0; rank < order.size(); ++rank) rank_of[order[rank]] = rank;

  // The twin guard's comparisons (indices into config.comparisons, with their "else" level).
  std::vector<std::pair<std::size_t, std::uint8_t>> guard;
  for (const MatchConfig::Guard& g : config.guard)
    for (std::size_t c = 0; c < config.comparisons.size(); ++c)
      if (config.comparisons[c].name == g.comparison)
        guard.emplace_back(c, static_cast<std::uint8_t>(g.level > 0 ? g.level : static_cast<int>(config.comparisons[c].levels())));
  if (guard.size() != config.guard.size()) guard.clear();  // a schema without those fields: no guard

  // P(match | γ) and the twin guard, once per distinct comparison vector.
  std::vector<double> probability_of(table.patterns.size(), 0.0);
  std::vector<bool> guarded_of(table.patterns.size(), false);
  for (std::size_t p = 0; p < table.patterns.size(); ++p) {
    const std::vector<std::uint8_t>& levels = table.patterns[p].levels;
    if (config.mode != MatchConfig::Mode::tokens_only)
      probability_of[p] = result.model.probability(levels, table.patterns[p].group);
    guarded_of[p] = is_guarded(levels, guard);
  }

  UnionFind clusters(records.size());  // over ranks
  result.rows.resize(records.size());
  const bool tokens = uses_tokens(config);
  std::size_t n = 0;  // the pair's position in visiting order (pattern_table's)
  for_each_candidate(records, order, config, [&](std::uint32_t ra, std::uint32_t rb, std::uint8_t) {
    const std::uint32_t pattern = table.of_pair[n++];
    const std::uint32_t a = order[ra], b = order[rb];
    const bool by_token = tokens && tokens_equal(records[a], records[b]);
    double probability = 0;
    bool match = false;
    if (config.mode == MatchConfig::Mode::tokens_only) {
      match = by_token;
      probability = match ? 1.0 : 0.0;
    } else {
      probability = probability_of[pattern];
      match = probability >= config.match_probability;
      const bool guarded = match && guarded_of[pattern];
      if (guarded) {
        match = false;
        ++result.guarded_pairs;
      }
      if (!match && probability >= config.possible_probability) {
        ++result.review_pairs;
        if (config.keep_review) result.review.push_back({a, b, probability, guarded, pattern});
      }
    }
    if (!match) return;
    ++result.matched_pairs;
    clusters.unite(ra, rb);
    const LinkHow how = by_token ? LinkHow::token : LinkHow::probabilistic;
    for (std::uint32_t r : {a, b}) {
      LinkRow& row = result.rows[r];
      if (row.how == LinkHow::single || probability > row.score ||
          (probability == row.score && how == LinkHow::token)) {
        row.how = how;
        row.score = probability;
      }
    }
  });
  std::vector<std::uint32_t>().swap(table.of_pair);
  result.patterns = std::move(table.patterns);
  // The root of each cluster is its member with the smallest member key: the link ID is
  // derived from that key, so it does not depend on the input order.
  std::unordered_map<std::uint32_t, std::string> ids;
  for (std::uint32_t i = 0; i < records.size(); ++i) {
    const std::uint32_t root = clusters.find(rank_of[i]);
    auto it = ids.find(root);
    if (it == ids.end()) {
      const auto mac = hmac_sha256(config.link_key, member_key(records[order[root]]));
      it = ids.emplace(root, "L" + to_hex(mac).substr(0, 32)).first;
    }
    result.rows[i].link_id = it->second;
    if (result.rows[i].how == LinkHow::single) result.rows[i].score = 0;
  }
  result.clusters = ids.size();
  std::sort(result.review.begin(), result.review.end(), [&](const ReviewPair& x, const ReviewPair& y) {
    return std::pair(rank_of[x.a], rank_of[x.b]) < std::pair(rank_of[y.a], rank_of[y.b]);
  });
  return result;
}

}  // namespace smx::link
