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
  std::map<std::vector<std::uint8_t>, double> counts;
  for (const PairVector& pair : pairs) counts[pair.levels] += 1;
  std::vector<LevelPattern> out;
  out.reserve(counts.size());
  for (auto& [levels, count] : counts) out.push_back({levels, count});
  return out;
}

double log2_ratio(const FsModel& model, const std::vector<std::uint8_t>& levels) {
  double w = std::log2(safe(model.lambda)) - std::log2(safe(1 - model.lambda));
  for (std::size_t c = 0; c < levels.size(); ++c) {
    const std::uint8_t l = levels[c];
    if (l == 0) continue;
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

FsModel default_start(const std::vector<LevelPattern>& patterns, const MatchConfig& config) {
  FsModel model;
  model.lambda = config.initial_lambda;
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
      if (p.levels[c] != 0) {
        model.u[c][p.levels[c]] += p.count;
        total += p.count;
      }
    for (std::size_t l = 1; l <= L; ++l)
      model.u[c][l] = total > 0 ? (model.u[c][l] + 1) / (total + static_cast<double>(L)) : 1.0 / static_cast<double>(L);
  }
  return model;
}

}  // namespace

double FsModel::weight(const std::vector<std::uint8_t>& levels) const { return log2_ratio(*this, levels); }

double FsModel::probability(const std::vector<std::uint8_t>& levels) const { return posterior(weight(levels)); }

FsModel estimate(const std::vector<PairVector>& pairs, const MatchConfig& config, const FsModel* start, bool fix_u) {
  return estimate(patterns_of(pairs), config, start, fix_u);
}

FsModel estimate(const std::vector<LevelPattern>& patterns, const MatchConfig& config, const FsModel* start,
                 bool fix_u) {
  FsModel model = start ? *start : default_start(patterns, config);
  if (patterns.empty()) return model;
  const std::size_t K = config.comparisons.size();
  for (model.iterations = 0; model.iterations < config.max_iterations;) {
    ++model.iterations;
    FsModel next = model;
    double total = 0, matched = 0;
    std::vector<std::vector<double>> m_sum(K), u_sum(K);
    for (std::size_t c = 0; c < K; ++c) {
      m_sum[c].assign(model.m[c].size(), 0.0);
      u_sum[c].assign(model.u[c].size(), 0.0);
    }
    for (const LevelPattern& p : patterns) {
      const double pm = posterior(log2_ratio(model, p.levels));
      total += p.count;
      matched += p.count * pm;
      for (std::size_t c = 0; c < K; ++c) {
        const std::uint8_t l = p.levels[c];
        if (l == 0) continue;
        m_sum[c][l] += p.count * pm;
        u_sum[c][l] += p.count * (1 - pm);
      }
    }
    next.lambda = matched / total;
    double change = std::abs(next.lambda - model.lambda);
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
