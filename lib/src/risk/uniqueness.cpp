// Population uniqueness from sample frequencies: Zayatz, Pitman, SNB and Dankar's rule (as in ARX).
#include "smx/risk.hpp"

#include <array>
#include <cmath>

namespace smx::risk {
namespace {

struct Counts {
  double n = 0;   // records
  double u = 0;   // classes
  double c1 = 0;  // classes of size 1
  double c2 = 0;  // classes of size 2
};

Counts counts(const std::vector<ClassSizeCount>& histogram) {
  Counts c;
  for (const ClassSizeCount& row : histogram) {
    c.n += static_cast<double>(row.size * row.classes);
    c.u += static_cast<double>(row.classes);
    if (row.size == 1) c.c1 += static_cast<double>(row.classes);
    if (row.size == 2) c.c2 += static_cast<double>(row.classes);
  }
  return c;
}

double log_choose(double a, double b) { return std::lgamma(a + 1) - std::lgamma(b + 1) - std::lgamma(a - b + 1); }

bool valid(const std::optional<double>& v) { return v && std::isfinite(*v) && *v != 0; }

// Solves F(x) = 0 in two unknowns by Newton's method with the Jacobian `jacobian`.
template <class F, class J>
bool newton2(F&& f, J&& jacobian, std::array<double, 2>& x, double accuracy, int iterations) {
  for (int it = 0; it < iterations; ++it) {
    const std::array<double, 2> value = f(x);
    if (!std::isfinite(value[0]) || !std::isfinite(value[1])) return false;
    if (std::fabs(value[0]) < accuracy && std::fabs(value[1]) < accuracy) return true;
    const std::array<double, 4> m = jacobian(x);  // row-major d(f0,f1)/d(x0,x1)
    const double det = m[0] * m[3] - m[1] * m[2];
    if (!std::isfinite(det) || det == 0) return false;
    x[0] -= (m[3] * value[0] - m[1] * value[1]) / det;
    x[1] -= (-m[2] * value[0] + m[0] * value[1]) / det;
    if (!std::isfinite(x[0]) || !std::isfinite(x[1])) return false;
  }
  const std::array<double, 2> value = f(x);
  return std::fabs(value[0]) < accuracy && std::fabs(value[1]) < accuracy;
}

}  // namespace

std::string_view model_name(UniquenessModel model) {
  switch (model) {
    case UniquenessModel::none: return "none";
    case UniquenessModel::pitman: return "Pitman";
    case UniquenessModel::zayatz: return "Zayatz";
    case UniquenessModel::snb: return "SNB";
  }
  return "?";
}

double hypergeometric_one(double N, double K, double n) {
  if (K < 1 || n < 1 || K > N || n > N || n - 1 > N - K) return 0;
  return std::exp(std::log(K) + log_choose(N - K, n - 1) - log_choose(N, n));
}

double zayatz_uniques(const std::vector<ClassSizeCount>& histogram, double f) {
  const Counts c = counts(histogram);
  if (c.c1 == 0 || f <= 0) return 0;
  // ARX passes the population size to the hypergeometric distribution as an int.
  const double N = std::floor(c.n / f);
  double total = 0;
  for (const ClassSizeCount& row : histogram)
    total += static_cast<double>(row.classes) / c.u * hypergeometric_one(N, static_cast<double>(row.size), c.n);
  if (total == 0) return 0;
  const double conditional = (c.c1 / c.u) * hypergeometric_one(N, 1, c.n) / total;
  return c.c1 * conditional / f;
}

PitmanFit pitman_fit(const std::vector<ClassSizeCount>& histogram) {
  const Counts c = counts(histogram);
  PitmanFit fit;
  if (c.c1 == 0 || c.n < 2) return fit;
  // ARX's starting point (ModelPitman.java): a moment estimate from c1, c2, u and n.
  const double c2 = c.c2 != 0 ? c.c2 : 1;
  const double cc = c.c1 * (c.c1 - 1) / c2;
  const double t0 = (c.n * c.u * cc - c.c1 * (c.n - 1) * (2 * c.u + cc)) / (2 * c.c1 * c.u + c.c1 * cc - c.n * cc);
  const double a0 = (t0 * (c.c1 - c.n) + (c.n - 1) * c.c1) / (c.n * c.u);
  // The likelihood equations of the Pitman sampling formula (Hoshino 2001) in their iterative
  // form: F1 = sum_{i<u} 1/(t+i a) - sum_{i<n} 1/(t+i); F2 = sum_{i<u} i/(t+i a) -
  // sum_{classes of size k>1} sum_{j<k} 1/(j-a).
  const auto value = [&](const std::array<double, 2>& x) {
    const double t = x[0], a = x[1];
    double o1 = 0, o2 = 0, o3 = 0, o4 = 0;
    for (double i = 1; i < c.u; ++i) {
      o1 += 1 / (t + i * a);
      o3 += i / (t + i * a);
    }
    for (double i = 1; i < c.n; ++i) o2 += 1 / (t + i);
    for (const ClassSizeCount& row : histogram) {
      if (row.size < 2) continue;
      double s = 0;
      for (double j = 1; j < static_cast<double>(row.size); ++j) s += 1 / (j - a);
      o4 += static_cast<double>(row.classes) * s;
    }
    return std::array<double, 2>{o1 - o2, o3 - o4};
  };
  const auto jacobian = [&](const std::array<double, 2>& x) {
    const double t = x[0], a = x[1];
    double d1 = 0, d2 = 0, d3 = 0, d4 = 0, d5 = 0;
    for (double i = 1; i < c.u; ++i) {
      const double q = 1 / ((t + i * a) * (t + i * a));
      d1 += q;
      d5 += i * q;
      d3 += i * i * q;
    }
    for (double i = 1; i < c.n; ++i) d2 += 1 / ((t + i) * (t + i));
    for (const ClassSizeCount& row : histogram) {
      if (row.size < 2) continue;
      double s = 0;
      for (double j = 1; j < static_cast<double>(row.size); ++j) s += 1 / ((j - a) * (j - a));
      d4 += static_cast<double>(row.classes) * s;
    }
    return std::array<double, 4>{d2 - d1, -d5, -d5, -d3 - d4};
  };
  std::array<double, 2> x{t0, a0};
  // 1e-8 on equations whose terms sum to about log(n): the sums of thousands of terms cannot
  // be evaluated much closer. The root must lie in the two-parameter model's space (Pitman
  // 1995): 0 < alpha < 1 with theta > -alpha, or alpha < 0 with theta = m |alpha| for m
  // population classes, at least the classes the sample shows (m is taken as real, as the
  // likelihood equations do). ARX keeps any root whose estimate lands in [0, N]; the published
  // ARX case in test_risk.cpp (alpha = -0.213, m = 1.09 million) is of the second kind.
  const bool solved = std::isfinite(t0) && std::isfinite(a0) && newton2(value, jacobian, x, 1e-8, 1000);
  const bool positive_alpha = x[1] > 0 && x[1] < 1 && x[0] > -x[1];
  const bool finite_classes = x[1] < 0 && x[0] > 0 && x[0] / -x[1] >= c.u;
  fit.converged = solved && (positive_alpha || finite_classes);
  fit.theta = x[0];
  fit.alpha = x[1];
  const auto residual = value(x);
  fit.residual = std::max(std::fabs(residual[0]), std::fabs(residual[1]));
  return fit;
}

std::optional<double> pitman_uniques(const std::vector<ClassSizeCount>& histogram, double f) {
  const Counts c = counts(histogram);
  if (c.c1 == 0) return 0.0;
  const PitmanFit fit = pitman_fit(histogram);
  if (!fit.converged || fit.alpha == 0 || f <= 0) return std::nullopt;
  const double N = c.n / f;
  const double uniques = std::exp(std::lgamma(fit.theta + 1) - std::lgamma(fit.theta + fit.alpha)) * std::pow(N, fit.alpha);
  if (!std::isfinite(uniques) || uniques < 0 || uniques > N) return std::nullopt;
  return uniques;
}

double shlosser_classes(const std::vector<ClassSizeCount>& histogram, double f) {
  // Haas et al.'s Shlosser-type estimate of the number of population classes, as ARX uses it:
  // u + c1 * [sum i f^2 (1-f^2)^(i-1) c_i / sum (1-f)^i ((1+f)^i - 1) c_i]
  //        * [sum (1-f)^i c_i / sum i f (1-f)^(i-1) c_i]^2.
  const Counts c = counts(histogram);
  double v1 = 0, v2 = 0, v3 = 0, v4 = 0;
  for (const ClassSizeCount& row : histogram) {
    const double i = static_cast<double>(row.size), ci = static_cast<double>(row.classes);
    const double q = std::pow(1 - f, i) * ci;
    v1 += i * f * f * std::pow(1 - f * f, i - 1) * ci;
    v2 += q * (std::pow(1 + f, i) - 1);
    v3 += q;
    v4 += i * f * std::pow(1 - f, i - 1) * ci;
  }
  return c.u + c.c1 * (v1 / v2) * (v3 / v4) * (v3 / v4);
}

std::optional<double> snb_uniques(const std::vector<ClassSizeCount>& histogram, double f) {
  const Counts c = counts(histogram);
  if (c.c1 == 0) return 0.0;
  if (f <= 0 || f >= 1 || c.c2 == 0) return std::nullopt;
  const double K = shlosser_classes(histogram, f);
  if (!std::isfinite(K) || K <= 0) return std::nullopt;
  // Chen's moment equations for the sample classes of size 1 and 2 under the shifted negative
  // binomial model, in a = log(alpha), b = logit(beta) so that alpha > 0 and 0 < beta < 1.
  const auto value = [&](const std::array<double, 2>& x) {
    const double alpha = std::exp(x[0]), beta = 1 / (1 + std::exp(-x[1]));
    const double d = (1 - f) * (1 - beta);
    const double e1 = K * f * std::pow(beta / (1 - d), alpha) * (alpha * d / (1 - d) + 1);
    const double e2 = K * alpha * std::pow(beta, alpha) * f * f * (1 - beta) / 2 / std::pow(1 - d, alpha + 2) *
                      (2 - (1 - alpha) * d);
    return std::array<double, 2>{e1 / c.c1 - 1, e2 / c.c2 - 1};
  };
  const auto jacobian = [&](const std::array<double, 2>& x) {
    const double h = 1e-7;
    std::array<double, 4> m{};
    for (int k = 0; k < 2; ++k) {
      std::array<double, 2> up = x, down = x;
      up[static_cast<std::size_t>(k)] += h;
      down[static_cast<std::size_t>(k)] -= h;
      const auto fu = value(up), fd = value(down);
      m[static_cast<std::size_t>(k)] = (fu[0] - fd[0]) / (2 * h);
      m[static_cast<std::size_t>(2 + k)] = (fu[1] - fd[1]) / (2 * h);
    }
    return m;
  };
  // A few starting points; the first that converges wins.
  for (const std::array<double, 2>& start : {std::array<double, 2>{0.0, 0.0}, {-2.0, -2.0}, {2.0, -4.0}, {-1.0, 2.0}}) {
    std::array<double, 2> x = start;
    if (!newton2(value, jacobian, x, 1e-10, 200)) continue;
    const double alpha = std::exp(x[0]), beta = 1 / (1 + std::exp(-x[1]));
    const double uniques = K * std::pow(beta, alpha);
    if (std::isfinite(uniques) && uniques >= 0) return uniques;
  }
  return std::nullopt;
}

UniquenessEstimate population_uniqueness(const std::vector<ClassSizeCount>& histogram, double f) {
  const Counts c = counts(histogram);
  UniquenessEstimate e;
  e.sampling_fraction = f;
  e.population_size = f > 0 ? c.n / f : 0;
  e.sample_uniqueness = c.n > 0 ? c.c1 / c.n : 0;
  if (c.c1 == 0) {
    e.zayatz = e.pitman = e.snb = 0.0;
    return e;
  }
  e.zayatz = zayatz_uniques(histogram, f);
  e.pitman = pitman_uniques(histogram, f);
  e.snb = snb_uniques(histogram, f);
  if (f <= 0.1) {
    if (valid(e.pitman)) e.dankar = *e.pitman, e.dankar_model = UniquenessModel::pitman;
    else e.dankar = *e.zayatz, e.dankar_model = UniquenessModel::zayatz;
  } else {
    if (valid(e.snb) && *e.snb <= *e.zayatz) e.dankar = *e.snb, e.dankar_model = UniquenessModel::snb;
    else e.dankar = *e.zayatz, e.dankar_model = UniquenessModel::zayatz;
  }
  if (!std::isfinite(e.dankar)) e.dankar = 0;
  e.dankar_fraction = e.population_size > 0 ? e.dankar / e.population_size : 0;
  return e;
}

}  // namespace smx::risk
