// lib/risk: re-identification risk of a table with one record per patient (see smx-risk(1)).
//
// Definitions follow ARX (arx-deidentifier/arx, src/main/org/deidentifier/arx/risk/):
//  - prosecutor, journalist, marketer risk: RiskModelSampleSummary.java@103cd19 (El Emam,
//    "Guide to the De-Identification of Personal Health Information"): rA records at risk (share
//    of records whose risk 1/k exceeds a threshold), rB highest risk (1/k_min), rC success rate;
//  - population uniqueness: RiskModelPopulationUniqueness.java@2304d2f (Dankar et al., BMC MIDM
//    2012;12:66 decision rule), ModelZayatz.java@f851851, ModelPitman.java@003f9dd,
//    ModelSNB.java@f851851 (see population_uniqueness() for two deviations);
// and sdcMicro (sdcTools/sdcMicro R/indivRisk.R@0394d0c): the base individual risk of
// Benedetti and Franconi and the global risk (expected re-identifications).
// All functions are pure; nothing here reads files.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "smx/hl7.hpp"

namespace smx::risk {

// One patient's quasi-identifier values, in the same order for every record.
using Record = std::vector<std::string>;

// Histogram row: `classes` equivalence classes hold `size` records each.
struct ClassSizeCount {
  std::uint64_t size = 0;
  std::uint64_t classes = 0;
  friend bool operator==(const ClassSizeCount&, const ClassSizeCount&) = default;
};

// Equivalence classes: records with equal values for every quasi-identifier.
class EquivalenceClasses {
 public:
  EquivalenceClasses() = default;
  explicit EquivalenceClasses(const std::vector<Record>& records);
  void add(const Record& record);
  std::uint64_t records() const { return records_; }
  std::uint64_t classes() const { return counts_.size(); }
  std::uint64_t size_of(const Record& record) const;  // 0 when absent
  std::vector<ClassSizeCount> histogram() const;      // ascending size
  // Every class: its values and size (in no particular order).
  void for_each(const std::function<void(const Record&, std::uint64_t)>& fn) const;
  static std::string key(const Record& record);  // unambiguous encoding of the values

 private:
  std::unordered_map<std::string, std::uint64_t> counts_;
  std::uint64_t records_ = 0;
};

struct KShare {
  std::uint64_t k = 0;             // threshold
  std::uint64_t records = 0;       // records in classes smaller than k
  std::uint64_t classes = 0;       // classes smaller than k
  double share = 0;                // records / all records
};

struct SampleSummary {
  std::uint64_t records = 0;
  std::uint64_t classes = 0;
  std::uint64_t k_min = 0;
  std::uint64_t k_max = 0;
  double k_mean = 0;               // records / classes
  std::uint64_t sample_uniques = 0;  // classes (= records) of size 1
  std::vector<ClassSizeCount> histogram;
  std::vector<KShare> below;       // one per threshold asked (2, 5, 10, 11 by default)
};
// 2: uniques; 5: a common k; 10: the NDB cell rule (cells < 10 not published); 11: 1/11 < 0.09,
// the EMA/Health Canada threshold (privacy.md §1.3, §4.2).
SampleSummary summarize(const std::vector<ClassSizeCount>& histogram,
                        const std::vector<std::uint64_t>& thresholds = {2, 5, 10, 11});

struct RiskSummary {
  double records_at_risk = 0;  // rA: share of records whose risk is above the threshold
  double highest = 0;          // rB
  double success_rate = 0;     // rC
};
// Prosecutor risk (the attacker knows the target is in the data): risk of a record = 1/k;
// rA with `threshold` (a record counts when 1/k > threshold), rB = 1/k_min, rC = classes/records.
RiskSummary prosecutor_risk(const std::vector<ClassSizeCount>& histogram, double threshold);
// Marketer risk without population counts: the share re-identified on average = classes/records.
double marketer_risk(const std::vector<ClassSizeCount>& histogram);

// With population counts per quasi-identifier cell (the same values as the records): journalist
// risk (rA with 1/F > threshold, rB = 1/min F, rC = max(classes / sum F, mean of f/F)) and
// marketer risk (mean of f/F over records). A sample class whose cell is missing from the
// population, or smaller than in the sample, is counted with F = f (the worst case) and reported
// in `inconsistent_cells`.
struct PopulationRisk {
  RiskSummary journalist;
  double marketer = 0;
  std::uint64_t inconsistent_cells = 0;
};
PopulationRisk population_risk(const EquivalenceClasses& sample,
                               const std::unordered_map<std::string, std::uint64_t>& population_by_key,
                               double threshold);

// sdcMicro's base individual risk of a record in a class of sample frequency fk and population
// frequency Fk (Benedetti-Franconi; indivRisk(method = "approx" | "exact", survey = TRUE)):
// fk = 1: p/(1-p) log(1/p); fk = 2: p/(1-p) - (p/(1-p))^2 log(1/p); fk > 2: approx
// p/(fk - (1-p)), exact by the series; p = fk/Fk; fk == Fk gives 1/fk.
enum class IndividualRiskMethod { approx, exact };
double individual_risk(std::uint64_t fk, double Fk, IndividualRiskMethod method);
// Global risk: the expected number of re-identifications (sum of the records' individual risks)
// and its share of the records (sdcMicro measure_risk's risk_ER and risk).
struct GlobalRisk {
  double expected_reidentifications = 0;
  double share = 0;
};
// `classes`: (fk, Fk) per equivalence class. Without population counts, Fk = fk / sampling
// fraction (every record standing for 1/f people).
GlobalRisk global_risk(const std::vector<std::pair<std::uint64_t, double>>& classes, IndividualRiskMethod method);

// ---- population uniqueness ---------------------------------------------------------------------

enum class UniquenessModel { none, pitman, zayatz, snb };
std::string_view model_name(UniquenessModel model);

struct UniquenessEstimate {
  double sampling_fraction = 0;    // as given: sample size / population size
  double population_size = 0;      // records / sampling_fraction
  double sample_uniqueness = 0;    // sample uniques / records
  // Estimated number of population uniques; nullopt when the model found no valid solution.
  std::optional<double> zayatz, pitman, snb;
  UniquenessModel dankar_model = UniquenessModel::none;  // none: no sample uniques, estimate 0
  double dankar = 0;               // estimated population uniques by Dankar's rule
  double dankar_fraction = 0;      // dankar / population_size
};
// Dankar et al.'s rule as ARX applies it: sampling fraction <= 0.1: Pitman, else Zayatz when
// Pitman has no solution; above 0.1: the smaller of Zayatz and SNB, Zayatz when SNB has none; 0
// when the sample has no uniques. Zayatz uses, as ARX does, the hypergeometric probability of
// drawing one record of a class whose population size is its sample size. Deviations from the
// ARX code read (both documented in smx-risk(1)): the SNB moment equation for c2 divides by
// (1-(1-f)(1-b))^(a+2) as in Chen's model (ARX multiplies), and the Shlosser estimate of the
// number of population classes subtracts c_i(1-f)^i per class size (ARX subtracts 1). A Pitman
// root must lie in the model's space: 0 < alpha < 1 with theta > -alpha, or alpha < 0 with
// theta / -alpha (the number of population classes) at least the sample's classes; otherwise it
// counts as no solution (ARX keeps any root whose estimate lies in [0, N]).
UniquenessEstimate population_uniqueness(const std::vector<ClassSizeCount>& histogram, double sampling_fraction);

// The pieces, public for tests.
double zayatz_uniques(const std::vector<ClassSizeCount>& histogram, double sampling_fraction);
struct PitmanFit {
  double theta = 0, alpha = 0;
  double residual = 0;  // max |likelihood equation| at the solution
  bool converged = false;
};
PitmanFit pitman_fit(const std::vector<ClassSizeCount>& histogram);
std::optional<double> pitman_uniques(const std::vector<ClassSizeCount>& histogram, double sampling_fraction);
std::optional<double> snb_uniques(const std::vector<ClassSizeCount>& histogram, double sampling_fraction);
double shlosser_classes(const std::vector<ClassSizeCount>& histogram, double sampling_fraction);
// P(X = 1) for X hypergeometric: population N, K successes, n draws.
double hypergeometric_one(double N, double K, double n);

// ---- k enforcement -----------------------------------------------------------------------------

// How one quasi-identifier generalizes: level 0 is the value as given, `levels` the top (all
// records alike, e.g. "*"); generalize(value, level) for 0 <= level <= levels.
struct Hierarchy {
  std::string name;
  int levels = 1;
  std::function<std::string(std::string_view value, int level)> generalize;
};
// The last `level` characters replaced by '*' (postal code 1234567 -> 123456* -> ... -> *******).
Hierarchy mask_hierarchy(std::string name, int levels);
// The first prefix_lengths[level-1] characters, then '*' (birth YYYYMM -> YYYY*: {4}); the top
// level is "*".
Hierarchy prefix_hierarchy(std::string name, std::vector<std::size_t> prefix_lengths);
// An explicit table: value -> its generalization at levels 1.. (values not in the table and
// levels past its rows give "*").
Hierarchy table_hierarchy(std::string name, std::map<std::string, std::vector<std::string>> table);

struct MinKOptions {
  std::uint64_t k = 2;
  double max_suppression = 0;  // share of records that may be suppressed instead of generalizing
};
struct MinKResult {
  bool satisfied = false;             // every class now has k or more records
  std::vector<int> levels;            // the level chosen per quasi-identifier
  std::vector<Record> records;        // generalized; suppressed records have every value "*"
  std::vector<std::size_t> suppressed;  // indices of the suppressed records
  std::uint64_t k_min_before = 0, k_min_after = 0;
  std::uint64_t classes_before = 0, classes_after = 0;
  std::uint64_t nodes_tried = 0;
  std::string describe(const std::vector<Hierarchy>& hierarchies) const;  // "birth: level 1, ..."
};
// Global recoding with suppression: the generalization levels with the smallest sum (ties: the
// first in lexicographic order of levels) whose classes below k hold at most max_suppression of
// the records; those records are suppressed. When even the top levels fail, `satisfied` is false
// (fewer records than k).
MinKResult enforce_min_k(const std::vector<Record>& records, const std::vector<Hierarchy>& hierarchies,
                         const MinKOptions& options);

// ---- one record per patient, from messages ------------------------------------------------------

// Quasi-identifiers smx risk builds from the messages (smx-risk(1), --qi):
//  birth-month  PID-7 to YYYYMM        birth-year  PID-7 to YYYY        sex  PID-8
//  postal3      PID-11.5, first 3 digits (ASCII or full-width)
//  admit-month  the earliest PV1-44 of the patient, YYYYMM
//  admit-dates  every PV1-44 date (YYYYMMDD) of the patient, in order (an event QI)
//  rare-codes   the diagnosis (DG1-3.1) and lab (OBX-3.1) codes of the patient that fewer than
//               `rare_below` patients of the data hold (an event QI)
enum class Qi : std::uint8_t { birth_month, birth_year, sex, postal3, admit_month, admit_dates, rare_codes };
std::string_view qi_name(Qi qi);
// A comma-separated list of the names above; "" gives the default birth-month,sex,postal3,
// admit-month. usage_error for an unknown name or a repeated one.
std::vector<Qi> parse_qi_list(std::string_view text);
// A value shown one level coarser (birth and admission to the year, postal code to its first
// digit, event lists to their count), for describing classes without a patient's identity.
std::string coarsen(Qi qi, std::string_view value);

// Gathers what each patient's messages say, then gives one Record per patient (in no
// particular order). Memory: one entry per patient (and its codes when rare-codes is asked).
class PatientTable {
 public:
  PatientTable(std::vector<Qi> qis, std::uint64_t rare_below);
  ~PatientTable();
  PatientTable(PatientTable&&) noexcept;
  void add(const hl7::Message& message, std::string_view patient);
  std::size_t patients() const;
  std::vector<Record> records() const;
  // The same records with the patient each belongs to (the ID given to add()).
  std::vector<std::pair<std::string, Record>> records_by_patient() const;
  const std::vector<Qi>& qis() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace smx::risk
