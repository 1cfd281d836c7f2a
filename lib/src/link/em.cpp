// Fellegi–Sunter with m and u estimated by expectation–maximisation, stated as Splink states it
// (man/smx-link.1.md MODEL):
//   γ = (γ_1 … γ_K), γ_c the comparison level of comparison c (0 = null, left out);
//   P(γ | match) = Π_c m_c[γ_c],  P(γ | non-match) = Π_c u_c[γ_c]  (conditional independence);
//   match weight w(γ) = log2(λ / (1 − λ)) + Σ_c log2(m_c[γ_c] / u_c[γ_c]);
//   P(match | γ) = 2^w / (1 + 2^w).
// EM over the candidate pairs: E-step p_j = P(match | γ_j); M-step λ = mean p_j,
// m_c[l] = Σ_{γ_jc = l} p_j / Σ_{γ_jc ≠ 0} p_j, u_c[l] likewise with 1 − p_j; until no
// parameter moves more than the tolerance. Identical γ vectors are counted once with their
// multiplicity (as Splink does), so an iteration costs the number of distinct patterns.
#include <smx/link.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace smx::link {

namespace {

constexpr double floor_probability = 1e-12;  // keeps log2 finite for a level never seen

double safe(double p) { return std::max(p, floor_probability); }

std::vector<LevelPattern> patterns_of(const std::vector<PairVector>& pairs) {
  std::map<std::pair<std::uint8_t, std::vector<std::uint8_t>>, double> counts;
  for (const PairVector& pair : pairs) counts[{pair.rule, pair.levels}] += 1;
  std::vector<LevelPattern> out;
  out.reserve(counts.size());
  for (auto& [key, count] : counts) out.push_back({key.second, count, key.first});
  return out;
}

double log2_ratio(const FsModel& model, const std::vector<std::uint8_t>& levels, std::uint8_t group) {
  const double prior = model.prior(group);
  double w = std::log2(safe(prior)) - std::log2(safe(1 - prior));
  for (std::size_t c = 0; c < levels.size(); ++c) {
    const std::uint8_t l = levels[c];
    if (l == 0 || model.forced(group, c)) continue;
    w += std::log2(safe(model.m[c][l])) - std::log2(safe(model.u[c][l]));
  }
  return w;
}

double posterior(double weight) {
  // 2^w / (1 + 2^w), without overflow for large |w|.
  if (weight > 0) return 1.0 / (1.0 + std::exp2(-weight));
  const double e = std::exp2(weight);
  return e / (1.0 + e);
}

bool grouped(const std::vector<LevelPattern>& patterns) {
  return std::any_of(patterns.begin(), patterns.end(), [](const LevelPattern& p) { return p.group != 0; });
}

// Patterns of blocking rules: a prior per rule and the comparisons each rule forces.
void set_rules(FsModel& model, const std::vector<LevelPattern>& patterns, const MatchConfig& config) {
  if (!grouped(patterns) || !model.rule_forced.empty()) return;
  model.rule_forced = forced_comparisons(config);
  model.rule_lambda.assign(kBlockRules, model.lambda);
}

FsModel default_start(const std::vector<LevelPattern>& patterns, const MatchConfig& config) {
  FsModel model;
  model.lambda = config.initial_lambda;
  set_rules(model, patterns, config);
  const std::size_t K = config.comparisons.size();
  model.m.resize(K);
  model.u.resize(K);
  for (std::size_t c = 0; c < K; ++c) {
    const std::size_t L = config.comparisons[c].levels();
    model.m[c].assign(L + 1, 0.0);
    model.u[c].assign(L + 1, 0.0);
    // m: most matches agree best; the rest halves level by level.
    double rest = 0.1;
    model.m[c][1] = 0.9;
    for (std::size_t l = 2; l <= L; ++l) {
      model.m[c][l] = l == L ? rest : rest / 2;
      rest /= 2;
    }
    // u: the level shares among all candidate pairs (nearly all of them non-matches).
    double total = 0;
    for (const LevelPattern& p : patterns)
      if (p.levels[c] != 0 && !model.forced(p.group, c)) {
        model.u[c][p.levels[c]] += p.count;
        total += p.count;
      }
    for (std::size_t l = 1; l <= L; ++l)
      model.u[c][l] = total > 0 ? (model.u[c][l] + 1) / (total + static_cast<double>(L)) : 1.0 / static_cast<double>(L);
  }
  return model;
}

}  // namespace

double FsModel::weight(const std::vector<std::uint8_t>& levels, std::uint8_t group) const {
  return log2_ratio(*this, levels, group);
}

double FsModel::probability(const std::vector<std::uint8_t>& levels, std::uint8_t group) const {
  return posterior(weight(levels, group));
}

FsModel estimate(const std::vector<PairVector>& pairs, const MatchConfig& config, const FsModel* start, bool fix_u) {
  return estimate(patterns_of(pairs), config, start, fix_u);
}

FsModel estimate(const std::vector<LevelPattern>& patterns, const MatchConfig& config, const FsModel* start,
                 bool fix_u) {
  FsModel model = start ? *start : default_start(patterns, config);
  set_rules(model, patterns, config);
  if (patterns.empty()) return model;
  const std::size_t K = config.comparisons.size();
  // Where each comparison's m is learned (Splink's training sessions, one blocking rule each):
  // from the pairs of the first rule, in the order below, that has pairs and does not force
  // the comparison. Learning m from every rule at once let a rule full of look-alike
  // non-matches (one family name and birth year, at 1M records) define "match" as "same
  // name". Rules: birth date + sex first (names are the evidence there), then the others.
  std::vector<int> m_source(K, -1);  // -1: every group (ungrouped patterns)
  if (!model.rule_forced.empty()) {
    std::vector<bool> present(kBlockRules, false);
    for (const LevelPattern& p : patterns) present.at(p.group) = true;
    const BlockRule order[] = {BlockRule::date_sex, BlockRule::year_sex, BlockRule::name_year, BlockRule::id1,
                               BlockRule::id2, BlockRule::none};
    for (std::size_t c = 0; c < K; ++c) {
      m_source[c] = static_cast<int>(kBlockRules);  // no rule teaches it: m stays at its start
      for (BlockRule rule : order) {
        const auto g = static_cast<std::uint8_t>(rule);
        if (present[g] && !model.forced(g, c)) {
          m_source[c] = g;
          break;
        }
      }
    }
  }
  for (model.iterations = 0; model.iterations < config.max_iterations;) {
    ++model.iterations;
    FsModel next = model;
    double total = 0, matched = 0;
    std::vector<double> rule_total(model.rule_lambda.size(), 0.0), rule_matched(model.rule_lambda.size(), 0.0);
    std::vector<std::vector<double>> m_sum(K), u_sum(K);
    for (std::size_t c = 0; c < K; ++c) {
      m_sum[c].assign(model.m[c].size(), 0.0);
      u_sum[c].assign(model.u[c].size(), 0.0);
    }
    for (const LevelPattern& p : patterns) {
      const double pm = posterior(log2_ratio(model, p.levels, p.group));
      total += p.count;
      matched += p.count * pm;
      if (!rule_total.empty()) {
        rule_total.at(p.group) += p.count;
        rule_matched[p.group] += p.count * pm;
      }
      for (std::size_t c = 0; c < K; ++c) {
        const std::uint8_t l = p.levels[c];
        if (l == 0 || model.forced(p.group, c)) continue;
        if (m_source[c] < 0 || m_source[c] == p.group) m_sum[c][l] += p.count * pm;
        u_sum[c][l] += p.count * (1 - pm);
      }
    }
    next.lambda = matched / total;
    double change = std::abs(next.lambda - model.lambda);
    for (std::size_t g = 0; g < rule_total.size(); ++g)
      if (rule_total[g] > 0) {
        next.rule_lambda[g] = rule_matched[g] / rule_total[g];
        change = std::max(change, std::abs(next.rule_lambda[g] - model.rule_lambda[g]));
      }
    for (std::size_t c = 0; c < K; ++c) {
      double ms = 0, us = 0;
      for (std::size_t l = 1; l < m_sum[c].size(); ++l) {
        ms += m_sum[c][l];
        us += u_sum[c][l];
      }
      for (std::size_t l = 1; l < m_sum[c].size(); ++l) {
        if (ms > 0) next.m[c][l] = m_sum[c][l] / ms;
        if (us > 0 && !fix_u) next.u[c][l] = u_sum[c][l] / us;
        change = std::max({change, std::abs(next.m[c][l] - model.m[c][l]), std::abs(next.u[c][l] - model.u[c][l])});
      }
    }
    model.lambda = next.lambda;
    model.rule_lambda = std::move(next.rule_lambda);
    model.m = std::move(next.m);
    model.u = std::move(next.u);
    if (change < config.tolerance) {
      model.converged = true;
      break;
    }
  }
  return model;
}

}  // namespace smx::link
