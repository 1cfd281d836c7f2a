// Equivalence classes, sample summaries, prosecutor/journalist/marketer risk, individual risk.
#include "smx/risk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace smx::risk {

std::string EquivalenceClasses::key(const Record& record) {
  // Length-prefixed values: no separator a value could contain makes two tuples collide.
  std::string out;
  for (const std::string& value : record) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
  }
  return out;
}

EquivalenceClasses::EquivalenceClasses(const std::vector<Record>& records) {
  counts_.reserve(records.size());
  for (const Record& r : records) add(r);
}

void EquivalenceClasses::add(const Record& record) {
  ++counts_[key(record)];
  ++records_;
}

std::uint64_t EquivalenceClasses::size_of(const Record& record) const {
  const auto it = counts_.find(key(record));
  return it == counts_.end() ? 0 : it->second;
}

std::vector<ClassSizeCount> EquivalenceClasses::histogram() const {
  std::map<std::uint64_t, std::uint64_t> sizes;
  for (const auto& [key, size] : counts_) ++sizes[size];
  std::vector<ClassSizeCount> out;
  for (const auto& [size, classes] : sizes) out.push_back({size, classes});
  return out;
}

void EquivalenceClasses::for_each(const std::function<void(const Record&, std::uint64_t)>& fn) const {
  for (const auto& [key, size] : counts_) {
    // Decode the length-prefixed values.
    Record record;
    std::size_t i = 0;
    while (i < key.size()) {
      const std::size_t colon = key.find(':', i);
      const std::size_t length = std::stoull(key.substr(i, colon - i));
      record.push_back(key.substr(colon + 1, length));
      i = colon + 1 + length;
    }
    fn(record, size);
  }
}

SampleSummary summarize(const std::vector<ClassSizeCount>& histogram, const std::vector<std::uint64_t>& thresholds) {
  SampleSummary s;
  s.histogram = histogram;
  s.k_min = std::numeric_limits<std::uint64_t>::max();
  for (const ClassSizeCount& row : histogram) {
    if (row.classes == 0) continue;
    s.records += row.size * row.classes;
    s.classes += row.classes;
    s.k_min = std::min(s.k_min, row.size);
    s.k_max = std::max(s.k_max, row.size);
    if (row.size == 1) s.sample_uniques += row.classes;
  }
  if (s.classes == 0) s.k_min = 0;
  s.k_mean = s.classes ? static_cast<double>(s.records) / static_cast<double>(s.classes) : 0;
  for (std::uint64_t k : thresholds) {
    KShare share{k, 0, 0, 0};
    for (const ClassSizeCount& row : histogram)
      if (row.size < k) share.records += row.size * row.classes, share.classes += row.classes;
    share.share = s.records ? static_cast<double>(share.records) / static_cast<double>(s.records) : 0;
    s.below.push_back(share);
  }
  return s;
}

RiskSummary prosecutor_risk(const std::vector<ClassSizeCount>& histogram, double threshold) {
  RiskSummary r;
  double records = 0, classes = 0, at_risk = 0;
  std::uint64_t smallest = std::numeric_limits<std::uint64_t>::max();
  for (const ClassSizeCount& row : histogram) {
    if (row.classes == 0 || row.size == 0) continue;
    const double in_rows = static_cast<double>(row.size) * static_cast<double>(row.classes);
    if (1.0 / static_cast<double>(row.size) > threshold) at_risk += in_rows;
    smallest = std::min(smallest, row.size);
    records += in_rows;
    classes += static_cast<double>(row.classes);
  }
  if (records == 0) return r;
  r.records_at_risk = at_risk / records;
  r.highest = 1.0 / static_cast<double>(smallest);
  r.success_rate = classes / records;
  return r;
}

double marketer_risk(const std::vector<ClassSizeCount>& histogram) {
  return prosecutor_risk(histogram, 1.0).success_rate;
}

PopulationRisk population_risk(const EquivalenceClasses& sample,
                               const std::unordered_map<std::string, std::uint64_t>& population_by_key,
                               double threshold) {
  PopulationRisk out;
  double records = 0, classes = 0, at_risk = 0, sum_population = 0, sum_ratio = 0;
  double smallest = std::numeric_limits<double>::infinity();
  sample.for_each([&](const Record& values, std::uint64_t f) {
    const auto it = population_by_key.find(EquivalenceClasses::key(values));
    std::uint64_t F = it == population_by_key.end() ? 0 : it->second;
    if (F < f) {
      ++out.inconsistent_cells;
      F = f;
    }
    const double fs = static_cast<double>(f), Fs = static_cast<double>(F);
    if (1.0 / Fs > threshold) at_risk += fs;
    smallest = std::min(smallest, Fs);
    classes += 1;
    records += fs;
    sum_population += Fs;
    sum_ratio += fs / Fs;
  });
  if (records == 0) return out;
  out.journalist.records_at_risk = at_risk / records;
  out.journalist.highest = 1.0 / smallest;
  out.journalist.success_rate = std::max(classes / sum_population, sum_ratio / records);
  out.marketer = sum_ratio / records;
  return out;
}

double individual_risk(std::uint64_t fk, double Fk, IndividualRiskMethod method) {
  if (fk == 0) return 0;
  const double f = static_cast<double>(fk);
  if (Fk <= f) return 1.0 / f;  // the whole population cell is in the sample
  const double p = f / Fk;
  const double odds = p / (1 - p);
  if (fk == 1) return odds * std::log(1 / p);
  if (fk == 2) return odds - odds * odds * std::log(1 / p);
  if (method == IndividualRiskMethod::approx) return p / (f - (1 - p));
  // Exact: the series of Benedetti and Franconi as sdcMicro writes it (indivRisk.R, method exact).
  const double A = (std::pow(p, 1 - f) - 1) / (f - 1);
  const auto B = [&](double i) {
    return (f - 1 - i) * (f - 1 - i) / ((i + 1) * (f - 2 - i)) * (std::pow(p, i + 2 - f) - 1) /
           (std::pow(p, i + 1 - f) - 1);
  };
  double bb = 0;
  for (std::uint64_t m = 0; m + 3 <= fk; ++m) {
    double b = 1;
    for (std::uint64_t m2 = 0; m2 <= m; ++m2) b *= B(static_cast<double>(m2));
    bb += (m % 2 == 0 ? -1.0 : 1.0) * b;
  }
  const double eins = std::pow(odds, f);
  const double drei = (fk % 2 == 0 ? 1.0 : -1.0) * std::log(p);
  return eins * (A * (1 + bb) + drei);
}

}  // namespace smx::risk

namespace smx::risk {

GlobalRisk global_risk(const std::vector<std::pair<std::uint64_t, double>>& classes, IndividualRiskMethod method) {
  GlobalRisk out;
  double records = 0;
  for (const auto& [fk, Fk] : classes) {
    out.expected_reidentifications += static_cast<double>(fk) * individual_risk(fk, Fk, method);
    records += static_cast<double>(fk);
  }
  out.share = records > 0 ? out.expected_reidentifications / records : 0;
  return out;
}

}  // namespace smx::risk
