// Judging one patient's timeline against the criteria (smx-cohort(1) "EVALUATION"): the index
// events, then the inclusion rules in order, each at every index day.
#include <algorithm>
#include <cmath>

#include "smx/cohort.hpp"
#include "smx/labnorm.hpp"

namespace smx::cohort {

namespace {

bool has_prefix(std::string_view code, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes)
    if (code.size() >= p.size() && code.compare(0, p.size(), p) == 0) return true;
  return false;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool in_set(const clinical::Event& e, const CodeSet& set) {
  using clinical::DrugCoding;
  switch (e.kind) {
    case clinical::EventKind::diagnosis: {
      std::string icd = upper(e.code);
      std::erase(icd, '.');
      return (!icd.empty() && has_prefix(icd, set.icd10)) || (!e.medis.empty() && has_prefix(e.medis, set.medis));
    }
    case clinical::EventKind::lab:
      return (!e.code.empty() && has_prefix(upper(e.code), set.jlac10)) ||
             (!e.local_code.empty() && has_prefix(e.local_code, set.local));
    case clinical::EventKind::drug:
      if (e.coding == DrugCoding::yj) return has_prefix(upper(e.code), set.yj);
      if (e.coding == DrugCoding::local) return has_prefix(e.code, set.local);
      return has_prefix(e.code, set.hot);
    default:
      return false;
  }
}

bool compare(double value, Op op, double number) {
  switch (op) {
    case Op::lt: return value < number;
    case Op::le: return value <= number;
    case Op::gt: return value > number;
    case Op::ge: return value >= number;
    case Op::eq: return value == number;
  }
  return false;
}

}  // namespace

struct Evaluator::Impl {
  Impl(const Criteria& c, const tables::Tables& t) : criteria(c), tables(t), ucum(t.make_ucum()) {}

  const Criteria& criteria;
  const tables::Tables& tables;
  units::Ucum ucum;
  const clinical::Timeline* timeline = nullptr;
  // Per event node: the events of the timeline that match it apart from the window (their
  // indices), computed once per timeline.
  std::vector<std::vector<std::size_t>> matches;
  std::vector<bool> matched;
  Judgement* judgement = nullptr;

  // A lab value test on one result: true / false, or a reason it cannot be judged.
  bool value_passes(const clinical::Event& e, const Node& node, std::string& reason) {
    if (!e.numeric) {
      reason = "not-numeric";
      return false;
    }
    double value = e.value;
    if (!node.unit.empty()) {
      const std::string sent = !e.unit.empty() ? e.unit : e.unit_text;
      if (sent.empty()) {
        reason = "unit-missing";
        return false;
      }
      lab::UnitResolution r =
          lab::resolve_unit(tables, ucum, sent, e.code, e.local_code, nullptr, e.unit_system == "UCUM");
      if (r.status != lab::UnitStatus::mapped && !e.unit_text.empty() && e.unit_text != sent)
        r = lab::resolve_unit(tables, ucum, e.unit_text, e.code, e.local_code, nullptr, false);
      if (r.status != lab::UnitStatus::mapped) {
        // refused: valid UCUM of another quantity than the analyte's (mg/dL for HbA1c).
        reason = r.status == lab::UnitStatus::refused ? "unit-incompatible" : "unit-unknown";
        return false;
      }
      units::Conversion converted = ucum.convert(value, r.ucum, node.unit);
      if (!converted.ok() && e.code.size() >= 5) {
        // Mass <-> substance (mg/dL <-> umol/L) through the analyte's molar mass and charge.
        if (const tables::Analyte* analyte = tables.analytes.find(e.code.substr(0, 5)))
          if (analyte->molar_mass)
            converted = ucum.convert_with_molar_mass(value, r.ucum, node.unit, analyte->molar_mass->grams_per_mole,
                                                     analyte->charge);
      }
      if (!converted.ok()) {
        reason = "unit-incompatible";
        return false;
      }
      value = converted.value;
    }
    if (e.comparator.empty()) return compare(value, node.op, node.number);
    // "<0.5" means some value below 0.5: decided only when every such value gives one answer.
    const bool below = e.comparator[0] == '<';
    const bool open = e.comparator.size() == 1;
    bool all_pass = false, none_pass = false;
    switch (node.op) {
      case Op::ge: all_pass = !below && value >= node.number; none_pass = below && (open ? value <= node.number : value < node.number); break;
      case Op::gt: all_pass = !below && (open ? value >= node.number : value > node.number); none_pass = below && value <= node.number; break;
      case Op::le: all_pass = below && value <= node.number; none_pass = !below && (open ? value >= node.number : value > node.number); break;
      case Op::lt: all_pass = below && (open ? value <= node.number : value < node.number); none_pass = !below && value >= node.number; break;
      case Op::eq: none_pass = below ? value <= node.number : value >= node.number; break;
    }
    if (all_pass) return true;
    if (!none_pass) reason = "inequality";
    return false;
  }

  const std::vector<std::size_t>& candidates(std::size_t n) {
    if (matched[n]) return matches[n];
    matched[n] = true;
    const Node& node = criteria.nodes[n];
    const CodeSet* set = node.code_set >= 0 ? &criteria.code_sets[static_cast<std::size_t>(node.code_set)] : nullptr;
    std::vector<std::size_t>& out = matches[n];
    for (std::size_t i = 0; i < timeline->events.size(); ++i) {
      const clinical::Event& e = timeline->events[i];
      if (e.kind != node.event || e.day == clinical::kNoDay) continue;
      if (set && !in_set(e, *set)) continue;
      if (node.has_value) {
        std::string reason;
        const bool pass = value_passes(e, node, reason);
        if (!reason.empty()) ++judgement->excluded[reason];
        if (!pass) continue;
      }
      out.push_back(i);
    }
    return out;
  }

  bool holds(std::size_t n, clinical::Day index) {
    const Node& node = criteria.nodes[n];
    switch (node.kind) {
      case NodeKind::all:
        for (std::size_t child : node.children)
          if (!holds(child, index)) return false;
        return true;
      case NodeKind::any:
        for (std::size_t child : node.children)
          if (holds(child, index)) return true;
        return false;
      case NodeKind::negation:
        return !holds(node.children[0], index);
      case NodeKind::age: {
        const int age = clinical::age_in_years(timeline->birth, index);
        if (age < 0) return false;
        return (node.age_min < 0 || age >= node.age_min) && (node.age_max < 0 || age <= node.age_max);
      }
      case NodeKind::sex:
        return timeline->sex == node.sex;
      case NodeKind::event: {
        // Circe's correlated criteria count events (at least `count`) whose start lies in the window.
        std::vector<clinical::Day> days;
        for (std::size_t i : candidates(n)) {
          const clinical::Day d = timeline->events[i].day;
          const Window& w = node.window;
          if (w.set && !w.unbounded_before && d < index - w.before) continue;
          if (w.set && !w.unbounded_after && d > index + w.after) continue;
          days.push_back(d);
        }
        return static_cast<int>(days.size()) >= node.min_count;
      }
    }
    return false;
  }
};

Evaluator::Evaluator(const Criteria& criteria, const tables::Tables& tables)
    : impl_(std::make_unique<Impl>(criteria, tables)) {}
Evaluator::~Evaluator() = default;

Judgement Evaluator::judge(const clinical::Timeline& timeline) {
  Judgement j;
  Impl& s = *impl_;
  s.timeline = &timeline;
  s.judgement = &j;
  s.matches.assign(s.criteria.nodes.size(), {});
  s.matched.assign(s.criteria.nodes.size(), false);
  // Every event criterion's matching events first, so that the lab results excluded from a value
  // test are counted for every patient alike (not only where an earlier rule let the test run).
  for (std::size_t n = 0; n < s.criteria.nodes.size(); ++n)
    if (s.criteria.nodes[n].kind == NodeKind::event) s.candidates(n);
  // Index days: the qualifying index events' days, distinct, in order; "first": the earliest.
  std::vector<clinical::Day> index_days;
  for (std::size_t i : s.candidates(s.criteria.index)) index_days.push_back(timeline.events[i].day);
  std::sort(index_days.begin(), index_days.end());
  index_days.erase(std::unique(index_days.begin(), index_days.end()), index_days.end());
  if (!s.criteria.every && index_days.size() > 1) index_days.resize(1);
  if (!index_days.empty()) {
    j.steps = 1;
    j.age = clinical::age_in_years(timeline.birth, index_days.front());
  }
  for (clinical::Day index : index_days) {
    std::size_t passed = 0;
    while (passed < s.criteria.inclusion.size() && s.holds(s.criteria.inclusion[passed].node, index)) ++passed;
    j.steps = std::max(j.steps, 1 + passed);
    if (passed == s.criteria.inclusion.size()) {
      if (j.index_days.empty()) j.age = clinical::age_in_years(timeline.birth, index);
      j.index_days.push_back(index);
    }
  }
  s.timeline = nullptr;
  s.judgement = nullptr;
  return j;
}

}  // namespace smx::cohort
