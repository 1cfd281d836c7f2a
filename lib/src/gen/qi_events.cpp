// smx gen --qi: the indicator events of a patient (gen/qi.hpp) and the truth of the indicators
// computed from them. The definitions mirror mappings/qi/indicators.yaml and smx-qi(1); a change
// to either must change this file (the props test props.qi_gen compares them).
#include <algorithm>
#include <cstdio>
#include <set>

#include "gen/qi.hpp"
#include "smx/json.hpp"

namespace smx::gen::detail {

namespace {

// Month key (year * 12 + month - 1) of a day number.
std::int64_t month_of(std::int64_t day) {
  std::string text;
  append_yyyymmdd(text, day);
  return std::stoll(text.substr(0, 4)) * 12 + std::stoll(text.substr(4, 2)) - 1;
}
// The last day of the month of `key`.
std::int64_t month_end(std::int64_t key) {
  const std::int64_t next = key + 1;
  char text[48];
  std::snprintf(text, sizeof text, "%04lld%02lld01", static_cast<long long>(next / 12), static_cast<long long>(next % 12 + 1));
  return days_from_yyyymmdd(text) - 1;
}

std::int64_t minute_of(const Moment& m) { return m.ms / 60000; }

}  // namespace

const std::vector<QiDrug>& qi_antibacterials() {
  // Therapeutic categories (KEGG br08301, "Therapeutic Category of Drugs in Japan"): 6131
  // penicillins, 6132 cephems, 6139 others (613: acting on gram-positive and -negative bacteria).
  static const std::vector<QiDrug> list = {
      {"6132901A9011", "セファゾリン注（合成）", "J01DB04", 3000, false, 1000, 3},
      {"6132902A9011", "セフトリアキソン注（合成）", "J01DD04", 2000, false, 2000, 1},
      {"6139901A9011", "メロペネム注（合成）", "J01DH02", 3000, true, 1000, 3},
      {"6131901A9011", "タゾバクタム・ピペラシリン注（合成）", "J01CR05", 14000, true, 4500, 3},
  };
  return list;
}

const std::vector<QiDrug>& qi_diabetes_drugs() {
  // 396: antidiabetic agents (reference secondary-use.md §2 row 6: "YJ 396*").
  static const std::vector<QiDrug> list = {
      {"3969901F9011", "メトホルミン錠（合成）", "A10BA02", 0, false, 1000, 1},
      {"3969902F9011", "シタグリプチン錠（合成）", "A10BH01", 0, false, 50, 1},
  };
  return list;
}

std::string qi_drugs_master() {
  std::string out =
      "# smx gen --drugs-master: a SYNTHETIC drug master for the codes smx gen invents. The codes are not\n"
      "# real YJ codes and the DDD values are test values, not the WHO ATC/DDD index.\n"
      "code,yj,atc,ddd,ddd_unit\n";
  for (const QiDrug& d : qi_antibacterials())
    out += std::string(d.yj) + "," + std::string(d.yj) + "," + std::string(d.atc) + "," + std::to_string(d.ddd_mg) + ",mg\n";
  for (const QiDrug& d : qi_diabetes_drugs())
    out += std::string(d.yj) + "," + std::string(d.yj) + "," + std::string(d.atc) + ",,\n";
  return out;
}

// ---- events -------------------------------------------------------------------------------------

void QiEvents::draw(Patient& p, int facility, const std::vector<QiStay>& stays, bool diabetic, std::int64_t first_day,
                    QiPatientFacts& facts) {
  Rng rng(mix(mix(options_.seed, kQiStream + static_cast<std::uint64_t>(facility)), static_cast<std::uint64_t>(p.index)));
  facts.stays = stays;
  for (const QiStay& stay : stays)
    if (!stay.cancelled && rng.chance(0.55)) antibacterial_course(p, rng, stay, facts);
  if (diabetic && rng.chance(0.85)) diabetes(p, rng, first_day, facts);
}

void QiEvents::antibacterial_course(Patient& p, Rng& rng, const QiStay& stay, QiPatientFacts& facts) {
  const std::int64_t last_day = stay.discharged ? stay.discharge_day : to_;
  std::int64_t start = stay.admit.day + rng.between(0, 1);
  const int courses = rng.chance(0.3) ? 2 : 1;
  const Department& dept = *p.dept;
  for (int c = 0; c < courses && start <= last_day; ++c) {
    const QiDrug& drug = rng.pick(qi_antibacterials());
    const int planned = rng.between(1, 7);
    const int days = static_cast<int>(std::min<std::int64_t>(planned, last_day - start + 1));
    Moment first{start, 0, 0};
    if (start == stay.admit.day)
      first = stay.admit.plus_minutes(rng.between(60, 180));
    else
      first.ms = (8 * 60 + rng.between(0, 120)) * 60000LL;
    first.ms -= first.ms % 60000;  // whole minutes: RXA-3 carries seconds, the indicator minutes
    if (c == 0) {
      const double draw = rng.unit();
      Moment collected;
      bool culture = true;
      if (draw < 0.6) collected = Moment{first.day, first.ms - rng.between(15, 45) * 60000LL, 0};
      else if (draw < 0.75) collected = first.plus_minutes(rng.between(60, 180));
      else culture = false;
      if (culture) {
        const std::string order = writer_.next_order(p);
        files_.push_back(writer_.qi_culture(p, order, collected, dept, 'I', false));
        files_.push_back(writer_.qi_culture(p, order, collected, dept, 'I', true));
        facts.cultures.emplace_back(collected.day, minute_of(collected));
      }
    }
    const std::string order = writer_.next_order(p);
    Moment ordered = first;
    ordered.ms -= 10 * 60000LL;
    files_.push_back(writer_.qi_injection_order(p, order, ordered, dept, drug.yj, drug.name, drug.dose_mg,
                                                drug.doses_per_day, days));
    for (int d = 0; d < days; ++d) {
      std::vector<std::pair<Moment, int>> doses;
      if (d == 0) {
        for (int k = 0; k < drug.doses_per_day; ++k) {
          Moment when = first;
          when.ms += k * 240 * 60000LL;
          if (when.ms < 23 * 3600000LL) doses.emplace_back(when, drug.dose_mg);
        }
      } else {
        for (int k = 0; k < drug.doses_per_day; ++k)
          doses.emplace_back(Moment{start + d, (6 + 8 * k) * 3600000LL, 0}, drug.dose_mg);
      }
      for (const auto& [when, mg] : doses) facts.administrations.push_back({when.day, minute_of(when), &drug, mg});
      files_.push_back(writer_.qi_administration(p, order, dept, drug.yj, drug.name, doses));
    }
    start += days - rng.between(0, 1);
    if (days < 1) break;
  }
}

void QiEvents::diabetes(Patient& p, Rng& rng, std::int64_t first_day, QiPatientFacts& facts) {
  const QiDrug& drug = rng.pick(qi_diabetes_drugs());
  const Department& dept = *p.dept;
  static constexpr int kSupplies[] = {28, 28, 56, 14};
  for (std::int64_t day = first_day + rng.between(0, 60); day <= to_;) {
    const int days = rng.pick(kSupplies);
    if (rng.chance(0.6)) {
      const Moment collected{day, (9 * 60 + rng.between(0, 30)) * 60000LL, 0};
      const int tenths = rng.between(55, 95);
      const std::string order = writer_.next_order(p);
      files_.push_back(writer_.qi_hba1c(p, order, collected, dept, tenths, false));
      files_.push_back(writer_.qi_hba1c(p, order, collected, dept, tenths, true));
      facts.hba1c.push_back({day, minute_of(collected), tenths});
    }
    const Moment at{day, (10 * 60 + rng.between(0, 60)) * 60000LL, 0};
    files_.push_back(writer_.qi_oral(p, writer_.next_order(p), at, dept, drug.yj, drug.name, drug.dose_mg, days));
    facts.diabetes_prescriptions.push_back({day, days});
    day += days + rng.between(-3, 10);
  }
}

// ---- the truth ----------------------------------------------------------------------------------

bool QiTally::Month::active() const {
  return patient_days || dot || lot || !mg_by_agent.empty() || culture_den || hba1c_den;
}

void QiTally::add(const QiPatientFacts& f) {
  using Facts = QiPatientFacts;
  for (const QiStay& stay : f.stays) {
    if (stay.cancelled || !stay.discharged) continue;  // qi: open stays are excluded
    for (std::int64_t d = stay.admit.day; d <= stay.discharge_day; ++d) ++months_[month_of(d)].patient_days;
    std::set<std::pair<std::string, std::int64_t>> agent_days;
    std::set<std::int64_t> days;
    const Facts::Administration* first_broad = nullptr;
    for (const Facts::Administration& a : f.administrations) {
      if (a.day < stay.admit.day || a.day > stay.discharge_day) continue;
      agent_days.emplace(std::string(a.drug->yj.substr(0, 7)), a.day);
      days.insert(a.day);
      Month& m = months_[month_of(a.day)];
      m.mg_by_agent[std::string(a.drug->yj)] += a.mg;
      m.ddd_by_agent[std::string(a.drug->yj)] = a.drug->ddd_mg;
      if (a.drug->broad && (!first_broad || a.day < first_broad->day))
        first_broad = &a;
    }
    for (const auto& agent_day : agent_days) ++months_[month_of(agent_day.second)].dot;
    for (std::int64_t d : days) ++months_[month_of(d)].lot;
    if (first_broad) {
      Month& m = months_[month_of(stay.discharge_day)];
      ++m.culture_den;
      // Days, not times: the patient timeline of smx qi keeps days (a culture on the day of the
      // first dose counts).
      for (const auto& culture : f.cultures)
        if (culture.first >= stay.admit.day && culture.first <= first_broad->day) {
          ++m.culture_num;
          break;
        }
    }
  }
  // HbA1c: every month with an outpatient diabetes prescription; the 365-day window ending with it.
  // Outpatient: a prescription day in no stay (an open stay lasts to the end of the data).
  std::vector<Facts::Prescription> outpatient;
  for (const Facts::Prescription& rx : f.diabetes_prescriptions) {
    bool inside = false;
    for (const QiStay& stay : f.stays)
      if (!stay.cancelled && rx.day >= stay.admit.day && (!stay.discharged || rx.day <= stay.discharge_day)) inside = true;
    if (!inside) outpatient.push_back(rx);
  }
  std::set<std::int64_t> months;
  for (const Facts::Prescription& rx : outpatient) months.insert(month_of(rx.day));
  for (std::int64_t key : months) {
    const std::int64_t end = month_end(key), begin = end - 364;
    std::int64_t supplied = 0;
    for (const Facts::Prescription& rx : outpatient)
      if (rx.day >= begin && rx.day <= end) supplied += rx.days;
    if (supplied < 90) continue;
    Month& m = months_[key];
    ++m.hba1c_den;
    const Facts::Hba1c* last = nullptr;
    std::int64_t first_day = 0, last_day = 0;
    int tests = 0;
    for (const Facts::Hba1c& h : f.hba1c) {
      if (h.day < begin || h.day > end) continue;
      if (!last || std::pair(h.day, h.minute) >= std::pair(last->day, last->minute)) last = &h;
      first_day = tests == 0 ? h.day : std::min(first_day, h.day);
      last_day = tests == 0 ? h.day : std::max(last_day, h.day);
      ++tests;
    }
    if (last && last->tenths < 70) ++m.hba1c_control_num;
    if (tests >= 2 && last_day - first_day >= 91) ++m.hba1c_tested_num;
  }
}

void QiTally::write_truth(std::string& out, std::string_view facility) const {
  std::int64_t first = -1, last = -1;
  for (const auto& [key, month] : months_)
    if (month.active()) {
      if (first < 0) first = key;
      last = key;
    }
  if (first < 0) return;
  const Month empty;
  for (std::int64_t key = first; key <= last; ++key) {
    auto found = months_.find(key);
    const Month& m = found == months_.end() ? empty : found->second;
    char period[48];
    std::snprintf(period, sizeof period, "%04lld-%02lld", static_cast<long long>(key / 12), static_cast<long long>(key % 12 + 1));
    double aud = 0;
    for (const auto& [code, mg] : m.mg_by_agent)
      aud += static_cast<double>(mg) / static_cast<double>(m.ddd_by_agent.at(code));
    char aud_text[64];
    std::snprintf(aud_text, sizeof aud_text, "%.4f", aud);
    const std::string days = std::to_string(m.patient_days);
    const std::pair<std::string_view, std::pair<std::string, std::string>> rows[] = {
        {"abx-dot", {std::to_string(m.dot), days}},
        {"abx-lot", {std::to_string(m.lot), days}},
        {"abx-aud", {aud_text, days}},
        {"culture-before-broad", {std::to_string(m.culture_num), std::to_string(m.culture_den)}},
        {"hba1c-control", {std::to_string(m.hba1c_control_num), std::to_string(m.hba1c_den)}},
        {"hba1c-testing", {std::to_string(m.hba1c_tested_num), std::to_string(m.hba1c_den)}},
    };
    for (const auto& [indicator, counts] : rows) {
      json::Writer w(out);
      w.begin_object();
      w.string("kind", "qi");
      w.string("facility", facility);
      w.string("period", period);
      w.string("indicator", indicator);
      w.string("numerator", counts.first);
      w.string("denominator", counts.second);
      w.end_object();
      out.push_back('\n');
    }
  }
}

}  // namespace smx::gen::detail

namespace smx::gen {
std::string drugs_master() { return detail::qi_drugs_master(); }
}  // namespace smx::gen
