// lib/risk: equivalence classes, prosecutor/journalist/marketer risk, sdcMicro's individual risk,
// population uniqueness (Zayatz, Pitman, SNB, Dankar's rule) and k enforcement. Figures are
// hand-computed here, or taken from ARX's and sdcMicro's own tests (sources at each case).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "smx/risk.hpp"

using namespace smx::risk;

namespace {

// Ten synthetic patients: birth year-month, sex, postal code prefix. Classes of sizes 3, 2, 2,
// 1, 1, 1.
std::vector<Record> hand_table() {
  std::vector<Record> r;
  for (int i = 0; i < 3; ++i) r.push_back({"198005", "M", "100"});
  for (int i = 0; i < 2; ++i) r.push_back({"198005", "F", "100"});
  for (int i = 0; i < 2; ++i) r.push_back({"197001", "M", "530"});
  r.push_back({"196512", "F", "060"});
  r.push_back({"195003", "M", "900"});
  r.push_back({"199911", "F", "100"});
  return r;
}

// arx-deidentifier/arx src/test/org/deidentifier/arx/test/DataProvider.java@10e8d5b: the seven
// records (age, gender, zipcode) and the hierarchies of createDataDefinition().
std::vector<Record> arx_records() {
  return {{"34", "male", "81667"},   {"45", "female", "81675"}, {"66", "male", "81925"}, {"70", "female", "81931"},
          {"34", "female", "81931"}, {"70", "male", "81931"},   {"45", "male", "81931"}};
}
std::vector<Hierarchy> arx_hierarchies() {
  return {table_hierarchy("age", {{"34", {"<50", "*"}}, {"45", {"<50", "*"}}, {"66", {">=50", "*"}}, {"70", {">=50", "*"}}}),
          table_hierarchy("gender", {{"male", {"*"}}, {"female", {"*"}}}), mask_hierarchy("zipcode", 5)};
}

// A deterministic pseudo-random sequence (64-bit LCG, Knuth's MMIX constants).
struct Lcg {
  std::uint64_t state;
  std::uint64_t next() { return state = state * 6364136223846793005ULL + 1442695040888963407ULL; }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
};

}  // namespace

TEST_SUITE("risk") {

TEST_CASE("a hand-computed table: classes, k, histogram, shares below 2, 5, 10, 11") {
  const EquivalenceClasses classes(hand_table());
  CHECK(classes.records() == 10);
  CHECK(classes.classes() == 6);
  CHECK(classes.size_of({"198005", "M", "100"}) == 3);
  CHECK(classes.size_of({"198005", "M", "101"}) == 0);
  const SampleSummary s = summarize(classes.histogram());
  CHECK(s.histogram == std::vector<ClassSizeCount>{{1, 3}, {2, 2}, {3, 1}});
  CHECK(s.k_min == 1);
  CHECK(s.k_max == 3);
  CHECK(s.k_mean == doctest::Approx(10.0 / 6.0));
  CHECK(s.sample_uniques == 3);
  REQUIRE(s.below.size() == 4);
  CHECK(s.below[0].k == 2);
  CHECK(s.below[0].records == 3);
  CHECK(s.below[0].classes == 3);
  CHECK(s.below[0].share == doctest::Approx(0.3));
  CHECK(s.below[1].records == 10);  // every class is smaller than 5
  CHECK(s.below[1].share == doctest::Approx(1.0));
  CHECK(s.below[3].k == 11);
  CHECK(s.below[3].share == doctest::Approx(1.0));
  // Values are length-prefixed in the key: ("ab","c") and ("a","bc") stay apart.
  CHECK(EquivalenceClasses::key({"ab", "c"}) != EquivalenceClasses::key({"a", "bc"}));
}

TEST_CASE("prosecutor and marketer risk of the hand table") {
  const auto h = EquivalenceClasses(hand_table()).histogram();
  RiskSummary r = prosecutor_risk(h, 0.2);  // 1/k > 0.2: every class (k < 5)
  CHECK(r.records_at_risk == doctest::Approx(1.0));
  CHECK(r.highest == doctest::Approx(1.0));
  CHECK(r.success_rate == doctest::Approx(0.6));  // 6 classes / 10 records
  CHECK(prosecutor_risk(h, 0.4).records_at_risk == doctest::Approx(0.7));  // k <= 2: 3 + 4 records
  CHECK(prosecutor_risk(h, 0.5).records_at_risk == doctest::Approx(0.3));  // k = 1
  CHECK(marketer_risk(h) == doctest::Approx(0.6));
}

TEST_CASE("journalist and marketer risk against population counts, hand-computed") {
  const EquivalenceClasses sample(hand_table());
  std::unordered_map<std::string, std::uint64_t> population = {
      {EquivalenceClasses::key({"198005", "M", "100"}), 30}, {EquivalenceClasses::key({"198005", "F", "100"}), 4},
      {EquivalenceClasses::key({"197001", "M", "530"}), 1},  // fewer than in the sample: read as 2
      {EquivalenceClasses::key({"196512", "F", "060"}), 5},  {EquivalenceClasses::key({"195003", "M", "900"}), 50},
      {EquivalenceClasses::key({"199911", "F", "100"}), 10}};
  const PopulationRisk r = population_risk(sample, population, 0.2);
  CHECK(r.inconsistent_cells == 1);
  CHECK(r.journalist.records_at_risk == doctest::Approx(0.4));  // F < 5: 2 + 2 records
  CHECK(r.journalist.highest == doctest::Approx(0.5));          // smallest F = 2
  // rC = max(6 / 101, (3/30 + 2/4 + 2/2 + 1/5 + 1/50 + 1/10) / 10) = max(0.0594, 0.192)
  CHECK(r.journalist.success_rate == doctest::Approx(0.192));
  CHECK(r.marketer == doctest::Approx(0.192));
}

TEST_CASE("ARX TestRiskMetrics on DataProvider: 1.0 before, 0.5 and 3/7 after 2-anonymity, found by enforce_min_k") {
  // arx src/test/org/deidentifier/arx/test/TestRiskMetrics.java@9f5b700 testHighestIndividualRisk
  // and testAverageRisk: highest risk 1.0 and average risk 1.0 before; 0.5 and
  // 0.42857142857142855 after k-anonymity (k = 2, no suppression).
  const auto before = EquivalenceClasses(arx_records()).histogram();
  CHECK(prosecutor_risk(before, 0.1).highest == 1.0);
  CHECK(prosecutor_risk(before, 0.1).success_rate == 1.0);
  const MinKResult result = enforce_min_k(arx_records(), arx_hierarchies(), {2, 0.0});
  REQUIRE(result.satisfied);
  CHECK(result.levels == std::vector<int>{1, 1, 2});  // <50/>=50, *, 816**/819**: the one minimal node
  CHECK(result.suppressed.empty());
  CHECK(result.records[0] == Record{"<50", "*", "816**"});
  CHECK(result.k_min_before == 1);
  CHECK(result.k_min_after == 2);
  CHECK(result.classes_after == 3);
  const auto after = EquivalenceClasses(result.records).histogram();
  CHECK(prosecutor_risk(after, 0.1).highest == 0.5);
  CHECK(prosecutor_risk(after, 0.1).success_rate == 0.42857142857142855);
  CHECK(result.describe(arx_hierarchies()).find("age: level 1 of 2, gender: level 1 of 1, zipcode: level 2 of 5") == 0);
  // testDecisionRule: population uniqueness by Dankar's rule is 1.0 before (sampling fraction
  // 0.2, compared to 4 digits as ARX does) and 0 after (sampling fraction 0.1).
  const UniquenessEstimate u = population_uniqueness(before, 0.2);
  CHECK(static_cast<int>(u.dankar_fraction * 10000) == 10000);
  CHECK(u.dankar_model == UniquenessModel::zayatz);  // SNB has no solution without classes of size 2
  CHECK(u.dankar_fraction <= u.sample_uniqueness + 1e-12);
  const UniquenessEstimate none = population_uniqueness(after, 0.1);
  CHECK(none.dankar_fraction == 0);
  CHECK(none.dankar_model == UniquenessModel::none);
}

TEST_CASE("sdcMicro test_indivRisk.R: individual risks without and with sampling weights") {
  // sdcTools/sdcMicro tests/testthat/test_indivRisk.R@8bddc76, "without missing": key variables
  // A, B, C and weights of eight records; fk and Fk (sum of weights) per class.
  const std::vector<Record> records = {{"2", "3", "1"}, {"3", "3", "3"}, {"2", "3", "1"}, {"2", "3", "2"},
                                       {"3", "3", "1"}, {"3", "3", "1"}, {"1", "4", "1"}, {"2", "3", "1"}};
  const std::vector<double> weights = {18.0, 45.5, 39.0, 17.0, 92.0, 8.0, 123.5, 51};
  const EquivalenceClasses classes(records);
  std::map<std::string, double> Fk;
  for (std::size_t i = 0; i < records.size(); ++i) Fk[EquivalenceClasses::key(records[i])] += weights[i];
  // survey = FALSE (or no weights): rk = 1/fk.
  const std::vector<double> unweighted = {0.33333, 1.0, 0.33333, 1.0, 0.5, 0.5, 1.0, 0.33333};
  // method = "approx" and "exact", qual = 1, survey = TRUE, with weights.
  const std::vector<double> approx = {0.01369863, 0.08579129, 0.01369863, 0.17707583,
                                      0.01877883, 0.01877883, 0.03931625, 0.01369863};
  const std::vector<double> exact = {0.01355297, 0.08579129, 0.01355297, 0.17707583,
                                     0.01877883, 0.01877883, 0.03931625, 0.01355297};
  for (std::size_t i = 0; i < records.size(); ++i) {
    CAPTURE(i);
    const std::uint64_t fk = classes.size_of(records[i]);
    const double F = Fk[EquivalenceClasses::key(records[i])];
    CHECK(std::round(individual_risk(fk, static_cast<double>(fk), IndividualRiskMethod::approx) * 1e5) / 1e5 ==
          doctest::Approx(unweighted[i]));
    CHECK(individual_risk(fk, F, IndividualRiskMethod::approx) == doctest::Approx(approx[i]).epsilon(1e-6));
    CHECK(individual_risk(fk, F, IndividualRiskMethod::exact) == doctest::Approx(exact[i]).epsilon(1e-6));
  }
  // Global risk without weights: the expected re-identifications are the number of classes.
  std::vector<std::pair<std::uint64_t, double>> per_class;
  classes.for_each([&](const Record&, std::uint64_t f) { per_class.emplace_back(f, static_cast<double>(f)); });
  const GlobalRisk g = global_risk(per_class, IndividualRiskMethod::approx);
  CHECK(g.expected_reidentifications == doctest::Approx(5.0));
  CHECK(g.share == doctest::Approx(5.0 / 8.0));
}

TEST_CASE("Zayatz on a hand-computed histogram (sampling fraction 0.25, N = 52)") {
  // Classes: 4 of size 1, 3 of size 2, 1 of size 3: n = 13, u = 8. P(one of K drawn) with
  // N = 52, n = 13: K = 1: 13/52; K = 2: 2*39*13/(51*52); K = 3: 3*38*39*13/(50*51*52).
  const std::vector<ClassSizeCount> h = {{1, 4}, {2, 3}, {3, 1}};
  const double p1 = 13.0 / 52, p2 = 2.0 * 39 * 13 / (51 * 52), p3 = 3.0 * 38 * 39 * 13 / (50 * 51 * 52);
  CHECK(hypergeometric_one(52, 1, 13) == doctest::Approx(p1));
  CHECK(hypergeometric_one(52, 2, 13) == doctest::Approx(p2));
  CHECK(hypergeometric_one(52, 3, 13) == doctest::Approx(p3));
  const double conditional = (4.0 / 8 * p1) / (4.0 / 8 * p1 + 3.0 / 8 * p2 + 1.0 / 8 * p3);
  CHECK(zayatz_uniques(h, 0.25) == doctest::Approx(4 * conditional / 0.25));
  const UniquenessEstimate e = population_uniqueness(h, 0.25);
  CHECK(e.population_size == doctest::Approx(52));
  CHECK(e.sample_uniqueness == doctest::Approx(4.0 / 13));
  CHECK(e.zayatz == doctest::Approx(4 * conditional / 0.25));
  CHECK((e.dankar_model == UniquenessModel::zayatz || e.dankar_model == UniquenessModel::snb));
}

// An ARX risk profile published as a test fixture by ARXaaS's Python client:
// navikt/pyarxaas tests/pyarxaas/models/test_AnonymizationResult.py@355e4cf (four QIs, data not
// published): sample uniques 97.46 %, records at risk 1: 0.9746, in ]33.4,50]: 0.0248, in
// ]25,33.4]: 0.0006, lowest risk 1/3, average prosecutor risk 98.72 %, population model PITMAN,
// population uniques 39.64593493418713 %. ARXaaS analyses with population = records / 0.01
// (navikt/arxaas src/main/java/no/nav/arxaas/analyzer/ARXAnalyzer.java@3bae0b4). The histogram
// is inferred: every share printed is a multiple of 1/5000; with n = 5000 it reproduces the Pitman
// figure to nine digits, scaled to n = 10000, 15000, 20000 it does not (39.6495, 39.6506, 39.6512 %).
const std::vector<ClassSizeCount> arxaas_histogram = {{1, 4873}, {2, 62}, {3, 1}};
constexpr double arxaas_pitman_fraction = 0.3964593493418713;

TEST_CASE("ARXaaS fixture: our Pitman root and formula give ARX's 39.6459 % (n = 5000, f = 0.01)") {
  const SampleSummary s = summarize(arxaas_histogram);
  CHECK(s.records == 5000);
  CHECK(s.classes == 4936);  // average prosecutor risk 98.72 %
  CHECK(static_cast<double>(s.sample_uniques) / static_cast<double>(s.records) == doctest::Approx(0.9746));
  const PitmanFit fit = pitman_fit(arxaas_histogram);
  CHECK(fit.residual < 1e-8);
  // ARX's root has alpha < 0: the finite-classes branch of Pitman's model, with theta / -alpha
  // population classes (about 1.09 million), more than the sample's 4,936 (smx-risk(1), Pitman).
  CHECK(fit.alpha < 0);
  CHECK(fit.theta / -fit.alpha > 4936);
  CHECK(fit.converged);
  const double N = 5000 / 0.01;
  const double uniques =
      std::exp(std::lgamma(fit.theta + 1) - std::lgamma(fit.theta + fit.alpha)) * std::pow(N, fit.alpha);
  CHECK(uniques / N == doctest::Approx(arxaas_pitman_fraction).epsilon(1e-8));
}

// ARX reports this Pitman estimate and picks it by Dankar's rule. smx rejected the root
// (alpha < 0) and fell back to Zayatz (95.0 %) until the alpha < 0 branch of Pitman's model
// (theta = m |alpha|, m population classes) was accepted.
TEST_CASE("ARXaaS fixture: pitman_uniques and Dankar's rule report ARX's 39.6459 %") {
  const std::optional<double> pitman = pitman_uniques(arxaas_histogram, 0.01);
  CHECK(pitman.has_value());
  CHECK(pitman.value_or(0) / (5000 / 0.01) == doctest::Approx(arxaas_pitman_fraction).epsilon(1e-8));
  const UniquenessEstimate e = population_uniqueness(arxaas_histogram, 0.01);
  INFO("Dankar " << model_name(e.dankar_model) << " " << e.dankar_fraction << ", Zayatz "
                 << e.zayatz.value_or(-1) / e.population_size);
  CHECK(e.dankar_model == UniquenessModel::pitman);
  CHECK(e.dankar_fraction == doctest::Approx(arxaas_pitman_fraction).epsilon(1e-8));
}

TEST_CASE("Pitman and SNB on a sample drawn from a known population") {
  // 40,000 people in cells of heavy-tailed sizes (1/U^0.5: 18,394 of 24,518 cells hold one
  // person); a 10 % and a 30 % Bernoulli sample. The estimates must solve their equations and
  // land near the true number of population uniques (these estimators overestimate on such
  // tails: Dankar gives 1.25 and 1.08 times the truth here, measured when the test was written).
  Lcg rng{20240501};
  std::vector<std::uint64_t> cells;
  std::uint64_t people = 0;
  while (people < 40000) {
    const auto size = static_cast<std::uint64_t>(1.0 / std::pow(rng.uniform() + 1e-9, 0.5));
    cells.push_back(size);
    people += size;
  }
  double true_uniques = 0;
  for (std::uint64_t c : cells) true_uniques += c == 1;
  for (double f : {0.1, 0.3}) {
    CAPTURE(f);
    std::map<std::uint64_t, std::uint64_t> sizes;
    for (std::uint64_t c : cells) {
      std::uint64_t drawn = 0;
      for (std::uint64_t i = 0; i < c; ++i) drawn += rng.uniform() < f;
      if (drawn) ++sizes[drawn];
    }
    std::vector<ClassSizeCount> h;
    for (const auto& [size, count] : sizes) h.push_back({size, count});
    const PitmanFit fit = pitman_fit(h);
    if (f <= 0.1) {
      CHECK(fit.converged);
      CHECK(fit.residual < 1e-8);
      CHECK(fit.alpha > 0);
      CHECK(fit.alpha < 1);
    }
    const UniquenessEstimate e = population_uniqueness(h, f);
    REQUIRE(e.zayatz);
    INFO("true " << true_uniques << " Pitman " << *e.pitman << " Zayatz " << *e.zayatz << " SNB "
                    << (e.snb ? *e.snb : -1) << " Dankar " << model_name(e.dankar_model) << " " << e.dankar);
    CHECK(e.dankar_model == (f <= 0.1 ? UniquenessModel::pitman : UniquenessModel::snb));
    CHECK(e.dankar > 0.9 * true_uniques);
    CHECK(e.dankar < 1.5 * true_uniques);
    CHECK(e.dankar_fraction <= e.sample_uniqueness);
    CHECK(shlosser_classes(h, f) >= static_cast<double>(summarize(h).classes));
  }
}

TEST_CASE("enforce_min_k suppresses outliers within the allowance instead of generalizing everyone") {
  std::vector<Record> records;
  for (int i = 0; i < 10; ++i) records.push_back({"1980", "1000001"});
  for (int i = 0; i < 9; ++i) records.push_back({"1981", "1000002"});
  records.push_back({"1930", "9990001"});  // one outlier
  const std::vector<Hierarchy> h = {prefix_hierarchy("birth", {3}), mask_hierarchy("postal", 7)};
  const MinKResult strict = enforce_min_k(records, h, {5, 0.0});
  CHECK(strict.satisfied);
  CHECK(strict.suppressed.empty());
  CHECK(strict.k_min_after >= 5);
  const MinKResult lenient = enforce_min_k(records, h, {5, 0.05});
  CHECK(lenient.satisfied);
  CHECK(lenient.levels == std::vector<int>{0, 0});
  CHECK(lenient.suppressed == std::vector<std::size_t>{19});
  CHECK(lenient.records[19] == Record{"*", "*"});
  CHECK(lenient.k_min_after == 9);
  CHECK(lenient.classes_after == 2);
  // Fewer records than k: nothing can satisfy it, and the result says so.
  const MinKResult impossible = enforce_min_k({{"a"}, {"b"}}, {mask_hierarchy("x", 1)}, {3, 0.0});
  CHECK_FALSE(impossible.satisfied);
  CHECK(prefix_hierarchy("birth", {4}).generalize("198005", 1) == "1980*");
  CHECK(prefix_hierarchy("birth", {4}).generalize("198005", 2) == "*");
  CHECK(mask_hierarchy("postal", 3).generalize("1000001", 3) == "1000***");
}

}  // TEST_SUITE
