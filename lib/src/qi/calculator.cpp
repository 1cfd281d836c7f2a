// smx qi: the measures of the indicator language over one patient timeline, summed into cells
// per (facility, period, indicator). Definitions: smx-qi(1) "INDICATORS" and "INDICATOR LANGUAGE".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

#include "smx/qi.hpp"

namespace smx::qi {

namespace {

using clinical::Day;
using clinical::Event;
using clinical::EventKind;
using clinical::kNoDay;

struct Civil {
  int year = 0;
  unsigned month = 0;
};
Civil civil(Day day) {
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  return {static_cast<int>(date.year()), static_cast<unsigned>(date.month())};
}

std::string format_number(double value, bool decimals) {
  char text[64];
  std::snprintf(text, sizeof text, decimals ? "%.4f" : "%.0f", value);
  return text;
}

bool starts_with_any(std::string_view text, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes)
    if (!text.empty() && text.starts_with(p)) return true;
  return false;
}

}  // namespace

std::string_view measure_name(Measure measure) {
  switch (measure) {
    case Measure::patient_days: return "patient-days";
    case Measure::agent_days: return "agent-days";
    case Measure::days: return "days";
    case Measure::ddd: return "ddd";
    case Measure::stays: return "stays";
    case Measure::patients: return "patients";
  }
  return "patient-days";
}

struct Calculator::Impl {
  const ClassTable& classes;
  const DrugMaster* drugs;
  Options options;

  // One side of a cell: a count, or for ddd the milligrams and DDD per drug code (summed at the
  // end in code order, so the figure does not depend on the order of patients).
  struct Side {
    double count = 0;
    std::map<std::string, std::pair<double, double>> ddd;  // code -> (mg, DDD in mg)
    double value() const {
      if (ddd.empty()) return count;
      double sum = 0;
      for (const auto& [code, pair] : ddd) sum += pair.first / pair.second;
      return sum;
    }
  };
  struct Sides {
    Side numerator, denominator;
  };
  // (facility, period key) -> one Sides per indicator.
  std::map<std::pair<std::string, int>, std::vector<Sides>> cells;
  std::map<std::pair<std::string, std::string>, std::uint64_t> excluded;
  std::size_t indicator_count = 0;

  // ---- per patient ----
  const clinical::Timeline* t = nullptr;
  std::string facility;
  std::vector<clinical::Stay> stays;
  struct DrugInfo {
    std::string yj, atc;
    double ddd_mg = 0;
  };
  std::vector<DrugInfo> info;              // per event
  std::set<std::pair<std::string, std::size_t>> counted;  // (reason, event) excluded already

  Impl(const ClassTable& c, const DrugMaster* d, Options o) : classes(c), drugs(d), options(o) {}

  int period_of(Day day) const {
    const Civil c = civil(day);
    switch (options.period) {
      case Period::month: return c.year * 12 + static_cast<int>(c.month) - 1;
      case Period::quarter: return c.year * 4 + static_cast<int>(c.month - 1) / 3;
      case Period::year: return c.year;
    }
    return 0;
  }
  std::string period_label(int key) const {
    char text[48];
    if (options.period == Period::month) std::snprintf(text, sizeof text, "%04d-%02d", key / 12, key % 12 + 1);
    else if (options.period == Period::quarter) std::snprintf(text, sizeof text, "%04d-Q%d", key / 4, key % 4 + 1);
    else std::snprintf(text, sizeof text, "%04d", key);
    return text;
  }
  Day period_end(int key) const {
    int year = key, month = 12;
    if (options.period == Period::month) year = key / 12, month = key % 12 + 1;
    if (options.period == Period::quarter) year = key / 4, month = (key % 4 + 1) * 3;
    const std::chrono::year_month_day_last last{std::chrono::year{year} / std::chrono::month{static_cast<unsigned>(month)} /
                                                std::chrono::last};
    return static_cast<Day>(std::chrono::sys_days{last}.time_since_epoch().count());
  }

  void exclude(std::string_view reason, std::size_t event) {
    if (counted.emplace(std::string(reason), event).second) ++excluded[{facility, std::string(reason)}];
  }

  Sides& cell(Day day, std::size_t indicator) {
    auto& row = cells[{facility, period_of(day)}];
    if (row.empty()) row.resize(indicator_count);
    return row[indicator];
  }

  bool in_stay(Day day) const {
    for (const clinical::Stay& s : stays)
      if (s.admit != kNoDay && day >= s.admit && (s.discharge == kNoDay || day <= s.discharge)) return true;
    return false;
  }
  const clinical::Stay* discharged_stay(Day day) const {
    for (const clinical::Stay& s : stays)
      if (s.admit != kNoDay && s.discharge != kNoDay && day >= s.admit && day <= s.discharge) return &s;
    return nullptr;
  }

  bool in_class(std::size_t i, const std::string& name) const {
    const ClassTable::Class* c = classes.find(name);
    return c && (starts_with_any(info[i].yj, c->yj_prefixes) || starts_with_any(info[i].atc, c->atc_prefixes));
  }

  bool matches(const Selector& s, std::size_t i) {
    const Event& e = t->events[i];
    if (e.day == kNoDay) return false;
    if (s.kind == "drug" && e.kind != EventKind::drug) return false;
    if (s.kind == "lab" && e.kind != EventKind::lab) return false;
    if (!s.action.empty()) {
      const clinical::DrugAction a = s.action == "prescription" ? clinical::DrugAction::prescription
                                     : s.action == "injection"  ? clinical::DrugAction::injection
                                                                : clinical::DrugAction::administration;
      if (e.kind != EventKind::drug || e.action != a) return false;
    }
    if (!s.data_type.empty() && e.data_type != s.data_type) return false;
    if (!s.code_prefixes.empty() && !starts_with_any(e.code, s.code_prefixes) &&
        !starts_with_any(e.local_code, s.code_prefixes))
      return false;
    if (!s.drug_class.empty()) {
      if (info[i].yj.empty() && info[i].atc.empty()) {
        exclude("drug-unclassified", i);
        return false;
      }
      if (!in_class(i, s.drug_class)) return false;
    }
    if (s.setting == "outpatient" && in_stay(e.day)) return false;
    if (s.setting == "inpatient" && !in_stay(e.day)) return false;
    if (!s.unit.empty() && e.unit != s.unit) {
      exclude("unit-mismatch", i);
      return false;
    }
    return true;
  }

  void prepare(const clinical::Timeline& timeline) {
    t = &timeline;
    facility = options.by_facility ? timeline.facility : "all";
    stays = timeline.stays();
    counted.clear();
    for (const clinical::Stay& s : stays)
      if (s.admit != kNoDay && s.discharge == kNoDay) ++excluded[{facility, "open-stay"}];
    info.assign(timeline.events.size(), {});
    for (std::size_t i = 0; i < timeline.events.size(); ++i) {
      const Event& e = timeline.events[i];
      if (e.kind != EventKind::drug) continue;
      if (e.coding == clinical::DrugCoding::yj) info[i].yj = e.code;
      if (const DrugRow* row = drugs ? drugs->find(e.code) : nullptr) {
        if (!row->yj.empty()) info[i].yj = row->yj;
        info[i].atc = row->atc;
        info[i].ddd_mg = row->ddd_mg;
      }
      // A YJ code sent as such but missing from the master: its DDD and ATC come from the row of
      // its YJ code when the master has one.
      if (info[i].atc.empty() && !info[i].yj.empty())
        if (const DrugRow* row = drugs ? drugs->find(info[i].yj) : nullptr) {
          info[i].atc = row->atc;
          info[i].ddd_mg = row->ddd_mg;
        }
    }
  }

  void measure(const MeasureSpec& m, std::size_t indicator, bool numerator);
  void stay_measure(const MeasureSpec& m, std::size_t indicator, bool numerator);
  void patient_measure(const MeasureSpec& m, std::size_t indicator, bool numerator);
  Side& side(Day day, std::size_t indicator, bool numerator) {
    Sides& s = cell(day, indicator);
    return numerator ? s.numerator : s.denominator;
  }
};

void Calculator::Impl::measure(const MeasureSpec& m, std::size_t indicator, bool numerator) {
  const std::vector<Event>& events = t->events;
  switch (m.measure) {
    case Measure::patient_days:
      for (const clinical::Stay& s : stays)
        if (s.admit != kNoDay && s.discharge != kNoDay)
          for (Day d = s.admit; d <= s.discharge; ++d) side(d, indicator, numerator).count += 1;
      return;
    case Measure::agent_days:
    case Measure::days: {
      std::set<std::pair<std::string, Day>> seen;
      for (std::size_t i = 0; i < events.size(); ++i) {
        if (!matches(m.events, i)) continue;
        if (!discharged_stay(events[i].day)) {
          exclude("outside-discharged-stay", i);
          continue;
        }
        const std::string agent = m.measure == Measure::days ? std::string() : info[i].yj.substr(0, 7);
        if (seen.emplace(agent, events[i].day).second) side(events[i].day, indicator, numerator).count += 1;
      }
      return;
    }
    case Measure::ddd:
      for (std::size_t i = 0; i < events.size(); ++i) {
        if (!matches(m.events, i)) continue;
        if (!discharged_stay(events[i].day)) {
          exclude("outside-discharged-stay", i);
          continue;
        }
        if (!(info[i].ddd_mg > 0)) {
          exclude("no-ddd", i);
          continue;
        }
        double mg = 0;
        try {
          std::size_t used = 0;
          mg = std::stod(events[i].dose, &used);
          if (used != events[i].dose.size() || !(mg > 0)) throw std::invalid_argument("dose");
        } catch (const std::exception&) {
          exclude("dose-not-numeric", i);
          continue;
        }
        if (events[i].dose_unit == "g") mg *= 1000;
        else if (events[i].dose_unit != "mg") {
          exclude("dose-unit", i);
          continue;
        }
        auto& pair = side(events[i].day, indicator, numerator).ddd[events[i].code];
        pair.first += mg;
        pair.second = info[i].ddd_mg;
      }
      return;
    case Measure::stays: stay_measure(m, indicator, numerator); return;
    case Measure::patients: patient_measure(m, indicator, numerator); return;
  }
}

void Calculator::Impl::stay_measure(const MeasureSpec& m, std::size_t indicator, bool numerator) {
  const std::vector<Event>& events = t->events;
  for (const clinical::Stay& s : stays) {
    if (s.admit == kNoDay || s.discharge == kNoDay) continue;
    Day first = kNoDay;
    for (std::size_t i = 0; i < events.size(); ++i)
      if (events[i].day >= s.admit && events[i].day <= s.discharge && matches(m.having, i) &&
          (first == kNoDay || events[i].day < first))
        first = events[i].day;
    if (first == kNoDay) continue;
    if (m.preceded_by.given) {
      bool found = false;
      for (std::size_t i = 0; i < events.size() && !found; ++i)
        found = events[i].day >= s.admit && events[i].day <= first && matches(m.preceded_by, i);
      if (!found) continue;
    }
    side(s.discharge, indicator, numerator).count += 1;
  }
}

void Calculator::Impl::patient_measure(const MeasureSpec& m, std::size_t indicator, bool numerator) {
  const std::vector<Event>& events = t->events;
  std::vector<std::size_t> anchors, tests;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (matches(m.anchor, i)) anchors.push_back(i);
    else if (m.test.given && matches(m.test, i)) tests.push_back(i);
  }
  std::set<int> periods;
  for (std::size_t i : anchors) periods.insert(period_of(events[i].day));
  for (int key : periods) {
    const Day end = period_end(key), begin = end - m.window_days + 1;
    std::int64_t supplied = 0;
    for (std::size_t i : anchors) {
      const Event& e = events[i];
      if (e.day < begin || e.day > end) continue;
      if (e.end == kNoDay || e.end < e.day) {
        exclude("no-supply-days", i);
        continue;
      }
      supplied += e.end - e.day + 1;
    }
    if (supplied < m.supply_days_at_least) continue;
    bool ok = true;
    if (m.has_last_below || m.tests_at_least > 0) {
      const Event* last = nullptr;
      Day first_day = kNoDay, last_day = kNoDay;
      int count = 0;
      for (std::size_t i : tests) {
        const Event& e = events[i];
        if (e.day < begin || e.day > end) continue;
        if (!e.numeric || !e.comparator.empty()) {
          exclude("test-not-numeric", i);
          continue;
        }
        if (!last || e.day >= last->day) last = &e;
        first_day = count == 0 ? e.day : std::min(first_day, e.day);
        last_day = count == 0 ? e.day : std::max(last_day, e.day);
        ++count;
      }
      if (m.has_last_below) ok = ok && last && last->value < m.last_below;
      if (m.tests_at_least > 0) ok = ok && count >= m.tests_at_least && last_day - first_day >= m.apart_days;
    }
    if (!ok) continue;
    // The period's last day: the cell of the period, whatever day of it.
    side(end, indicator, numerator).count += 1;
  }
}

Calculator::Calculator(std::vector<Indicator> indicators, const ClassTable& classes, const DrugMaster* drugs, Options options)
    : indicators_(std::move(indicators)), impl_(std::make_unique<Impl>(classes, drugs, options)) {
  impl_->indicator_count = indicators_.size();
}
Calculator::~Calculator() = default;

void Calculator::add(const clinical::Timeline& timeline) {
  ++patients_;
  impl_->prepare(timeline);
  for (std::size_t k = 0; k < indicators_.size(); ++k) {
    impl_->measure(indicators_[k].numerator, k, true);
    impl_->measure(indicators_[k].denominator, k, false);
  }
}

std::vector<Calculator::Row> Calculator::rows() const {
  std::vector<Row> out;
  // Per facility, every period from the first to the last with a count, every indicator.
  std::map<std::string, std::pair<int, int>> spans;
  for (const auto& [key, sides] : impl_->cells) {
    auto found = spans.find(key.first);
    if (found == spans.end()) spans.emplace(key.first, std::pair(key.second, key.second));
    else found->second = {std::min(found->second.first, key.second), std::max(found->second.second, key.second)};
  }
  const std::vector<Impl::Sides> empty(indicators_.size());
  for (const auto& [facility, span] : spans)
    for (int key = span.first; key <= span.second; ++key) {
      auto found = impl_->cells.find({facility, key});
      const std::vector<Impl::Sides>& sides = found == impl_->cells.end() ? empty : found->second;
      for (std::size_t k = 0; k < indicators_.size(); ++k) {
        const Indicator& ind = indicators_[k];
        Row row;
        row.facility = facility;
        row.period = impl_->period_label(key);
        row.indicator = ind.id;
        const double n = sides[k].numerator.value(), d = sides[k].denominator.value();
        row.numerator = format_number(n, ind.numerator.measure == Measure::ddd);
        row.denominator = format_number(d, ind.denominator.measure == Measure::ddd);
        row.suppressed = n < impl_->options.min_cell || d < impl_->options.min_cell;
        if (!row.suppressed && d > 0) row.value = format_number(n / d * ind.per, true);
        out.push_back(std::move(row));
      }
    }
  return out;
}

std::vector<Exclusion> Calculator::exclusions() const {
  std::vector<Exclusion> out;
  for (const auto& [key, count] : impl_->excluded) out.push_back({key.first, key.second, count});
  return out;
}

}  // namespace smx::qi
