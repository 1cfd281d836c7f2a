// smx gen: every facility's patients and their timelines (registration, visits, lab orders and
// results, prescriptions, admissions, diagnoses, address changes) and the SS-MIX2 flag lifecycle
// of their files (reference §3.1).
#include <algorithm>

#include "gen/messages.hpp"
#include "gen/qi.hpp"
#include "smx/error.hpp"

namespace smx::gen::detail {

namespace {

constexpr std::uint64_t kPatientStream = 0x50415449454E54ULL;  // "PATIENT"

// ---- draws --------------------------------------------------------------------------------------
// Every random draw is its own statement: the operands of + are unsequenced in C++, and gcc and
// clang evaluate them in different orders, so two draws in one expression would make the tree
// depend on the compiler (the determinism test compares builds).

// Milliseconds since midnight: base minutes plus up to `spread` minutes, plus random ms.
std::int64_t time_of_day(Rng& rng, int base_minutes, int spread_minutes) {
  const std::int64_t minutes = base_minutes + rng.between(0, spread_minutes);
  const std::int64_t ms = rng.between(0, 59999);
  return minutes * 60000LL + ms;
}

// A day in [first, last], drawn.
std::int64_t day_between(Rng& rng, std::int64_t first, std::int64_t last) {
  return first + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(last - first + 1)));
}

void sort_unique(std::vector<const Diagnosis*>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

class Generator {
 public:
  Generator(const Options& options, const tables::Tables& tables, FileWriter& files)
      : options_(options), tables_(tables), ucum_(tables.make_ucum()), files_(files) {
    from_ = days_from_yyyymmdd(parse_date(options.from));
    to_ = days_from_yyyymmdd(parse_date(options.to));
    if (to_ < from_) throw usage_error("the last care date is before the first");
  }

  void run() {
    std::uint64_t facilities = static_cast<std::uint64_t>(options_.facilities);
    if (options_.shared_persons > 0) {
      std::vector<std::uint64_t> counts;
      for (int f = 0; f < options_.facilities; ++f)
        counts.push_back(options_.patients / facilities + (static_cast<std::uint64_t>(f) < options_.patients % facilities));
      shared_ = std::make_unique<SharedPlan>(options_, counts, facility_profiles(options_), from_);
    }
    for (int f = 0; f < options_.facilities; ++f) {
      model_ = build_facility(options_, tables_, ucum_, f);
      writer_ = std::make_unique<MessageWriter>(options_, tables_, ucum_, model_);
      if (options_.qi) qi_ = std::make_unique<QiEvents>(options_, *writer_, to_);
      files_.start_facility(model_.profile);
      std::uint64_t count = options_.patients / facilities + (static_cast<std::uint64_t>(f) < options_.patients % facilities);
      std::uint64_t modulus = 1;
      for (int i = 0; i < model_.profile.patient_id_digits; ++i) modulus *= 10;
      if (count > modulus) throw usage_error("too many patients for " + std::to_string(model_.profile.patient_id_digits) + "-digit IDs");
      // Patient IDs: a bijection of the index modulo 10^digits (multiplier coprime to 10), so
      // IDs are unique, fixed-width and spread over the pid[0:3]/pid[3:6] folders.
      std::uint64_t offset = mix(options_.seed, 0x4944ULL + static_cast<std::uint64_t>(f)) % modulus;
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t number = (i * 1000003ULL + offset) % modulus;  // < 2^64: i < 10^10
        patient(f, i, number);
      }
      if (options_.qi) {
        std::string rows;
        qi_tally_.write_truth(rows, model_.profile.id);
        files_.append_truth(rows);
        qi_tally_.clear();
      }
    }
  }

 private:
  // ---- one patient --------------------------------------------------------------------------
  Patient draw_patient(Rng& rng, std::uint64_t index, std::uint64_t number) const {
    Patient p;
    p.index = static_cast<int>(index);
    p.id = std::to_string(number);
    p.id.insert(0, static_cast<std::size_t>(model_.profile.patient_id_digits) - p.id.size(), '0');
    p.sex = rng.chance(0.5) ? 'M' : 'F';
    const std::int64_t age_years = rng.between(1, 95);
    const std::int64_t age_days = rng.between(0, 364);
    p.birth = from_ - 365 * age_years - age_days;
    p.family = rng.pick(family_names);
    p.given = p.sex == 'M' ? rng.pick(male_names) : rng.pick(female_names);
    const Place& place = rng.pick(places);
    p.postal = std::string(place.postal_prefix) + "-" + std::to_string(rng.between(1000, 9999)).substr(0, 4);
    p.address = std::string(place.prefecture_city) + random_street(rng);
    p.dept = &rng.pick(departments);
    return p;
  }

  // --shared-persons: the person behind this local patient overrides what was drawn (after the
  // draws, so the patient's timeline is the one it has without the option), and the truth
  // gets a "person" row.
  void recorded_identity(Patient& p, int facility, std::uint64_t index) {
    if (const RecordedIdentity* shared = shared_->find(facility, index)) {
      p.identity = shared;
      p.sex = shared->sex;
      p.birth = shared->birth;
      p.family = NamePart{shared->family_kanji, shared->family_kana};
      p.given = NamePart{shared->given_kanji, shared->given_kana};
      p.postal = shared->postal;
      p.address = shared->address;
    } else {
      own_identity_ = RecordedIdentity{};
      own_identity_.person = "U-" + model_.profile.id + "-" + std::to_string(index);
      draw_insurance(options_.seed, facility, index, own_identity_);
      p.identity = &own_identity_;
    }
    files_.write_person(p);
  }

  void patient(int facility, std::uint64_t index, std::uint64_t number) {
    Rng rng(mix(mix(options_.seed, kPatientStream + static_cast<std::uint64_t>(facility)), index));
    Patient p = draw_patient(rng, index, number);
    if (options_.phi) {
      const Charset charset = model_.profile.charset;
      draw_phi(p, mix(mix(options_.seed, kPatientStream + static_cast<std::uint64_t>(facility)), index),
               charset != Charset::iso2022jp, charset == Charset::iso2022jp);
    }
    if (shared_) recorded_identity(p, facility, index);
    pending_.clear();
    stays_.clear();
    diabetic_ = false;

    std::int64_t span = to_ - from_ + 1;
    std::int64_t registered = from_ + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(std::max<std::int64_t>(1, span / 2))));
    Moment registration{registered, time_of_day(rng, 9 * 60, 120), rng.between(0, 9)};
    add(writer_->adt00(p, registration, false));

    // Visits: distinct dates from registration to the end of the range.
    bool chronic = rng.chance(0.3);
    int visit_count = 1 + static_cast<int>(rng.below(6));
    if (chronic) visit_count += static_cast<int>(rng.below(8));
    std::vector<std::int64_t> days;
    for (int v = 0; v < visit_count; ++v) days.push_back(day_between(rng, registered, to_));
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    for (std::int64_t day : days) {
      const Department& dept = rng.chance(0.8) ? *p.dept : rng.pick(departments);
      Moment start{day, time_of_day(rng, 8 * 60 + 30, 360), rng.between(0, 9)};
      add(writer_->adt_visit(p, "ADT-12", "ADT^A04^ADT_A01", start, dept, 'O', start, nullptr));
      if (rng.chance(0.75)) lab(p, rng, start.plus_minutes(10), dept, 'O');
      if (rng.chance(0.6)) prescription(p, rng, start.plus_minutes(40), dept, 'O');
    }
    if (rng.chance(0.12)) admission(p, rng, registered);
    if (rng.chance(0.6)) problem_lists(p, rng, days.empty() ? registered : days.front());
    if (rng.chance(0.2) && registered < to_) {
      // Address change: ADT-00 again, same key, so the first file becomes history (§3.1).
      const Place& new_place = rng.pick(places);
      p.address = std::string(new_place.prefecture_city) + random_street(rng);
      Moment changed{day_between(rng, registered + 1, to_), time_of_day(rng, 13 * 60, 120), rng.between(0, 9)};
      add(writer_->adt00(p, changed, true));
    }
    if (qi_) {
      // --qi: last, so that the files above (order numbers, MSH-10) are those without it.
      QiPatientFacts facts;
      qi_->patient(p, facility, stays_, diabetic_, days.empty() ? registered : days.front(), facts,
                   [this](PendingFile file) { add(std::move(file)); });
      qi_tally_.add(facts);
    }
    files_.write(p, pending_, rng);
  }

  void admission(Patient& p, Rng& rng, std::int64_t registered) {
    std::int64_t admit_day = day_between(rng, registered, to_);
    const Department& dept = *p.dept;
    Moment admit{admit_day, time_of_day(rng, 10 * 60, 240), rng.between(0, 9)};
    add(writer_->adt_visit(p, "ADT-22", "ADT^A01^ADT_A01", admit, dept, 'I', admit, nullptr));
    stays_.push_back(QiStay{admit, 0, false, false});
    if (rng.chance(0.04)) {
      stays_.back().cancelled = true;
      // Admission cancelled (ADT^A11 shares the ADT-22 folder, reference §4): a deletion.
      remove(writer_->adt_visit(p, "ADT-22", "ADT^A11^ADT_A09", admit.plus_minutes(90), dept, 'I', admit, nullptr));
      return;
    }
    if (admit_day + 1 <= to_) lab(p, rng, Moment{admit_day + 1, 6 * 3600000LL + rng.between(0, 3599999), 0}, dept, 'I');
    std::int64_t discharge_day = admit_day + rng.between(2, 14);
    if (discharge_day <= to_) {
      Moment discharge{discharge_day, time_of_day(rng, 11 * 60, 180), rng.between(0, 9)};
      add(writer_->adt_visit(p, "ADT-52", "ADT^A03^ADT_A03", discharge, dept, 'I', admit, &discharge));
      stays_.back().discharge_day = discharge_day;
      stays_.back().discharged = true;
    }
  }

  // A problem list from the first visit, sometimes extended later (same key: an update).
  void problem_lists(Patient& p, Rng& rng, std::int64_t first_day) {
    std::vector<const Diagnosis*> list;
    int count = rng.between(1, 3);
    for (int k = 0; k < count; ++k) list.push_back(&rng.pick(diagnoses));
    sort_unique(list);
    Moment first{first_day, 15 * 3600000LL + rng.between(0, 3599999), rng.between(0, 9)};
    add(writer_->problems(p, first, list));
    if (rng.chance(0.3) && first.day < to_) {
      list.push_back(&rng.pick(diagnoses));
      sort_unique(list);
      Moment later{day_between(rng, first.day + 1, to_), 16 * 3600000LL + rng.between(0, 3599999), rng.between(0, 9)};
      add(writer_->problems(p, later, list));
    }
    for (const Diagnosis* d : list) diabetic_ = diabetic_ || d->icd10.substr(0, 3) == "E11";
  }

  // Lab: OML-01 order (care date ORC-9) and OML-11 result (care date SPM-17), or a cancelled
  // order (deletion), or a preliminary result replaced by the final one (update).
  void lab(Patient& p, Rng& rng, const Moment& ordered, const Department& dept, char patient_class) {
    LabOrder order;
    order.order = writer_->next_order(p);
    append_yyyymmdd(order.date, ordered.day);
    order.ordered = ordered;
    order.collected = ordered.plus_minutes(20);
    order.dept = &dept;
    order.patient_class = patient_class;
    order.items = panel(p, rng);
    add(writer_->lab_order(p, order, ordered, "NW"));
    if (rng.chance(0.04)) {
      remove(writer_->lab_order(p, order, ordered.plus_minutes(30), "CA"));
      return;
    }
    std::uint64_t value_seed = rng.next();
    if (rng.chance(0.15)) add(writer_->lab_result(p, order, order.collected.plus_minutes(60), value_seed, false));
    add(writer_->lab_result(p, order, order.collected.plus_minutes(150), value_seed, true));
  }

  // The panel: 10-40 distinct items, in table order, grouped by specimen.
  std::vector<std::size_t> panel(const Patient& p, Rng& rng) const {
    std::vector<std::size_t> pick(model_.regular_items);
    for (std::size_t i = 0; i < pick.size(); ++i) pick[i] = i;
    std::size_t count = static_cast<std::size_t>(rng.between(10, static_cast<int>(std::min<std::size_t>(40, pick.size()))));
    for (std::size_t i = 0; i < count; ++i) std::swap(pick[i], pick[i + rng.below(pick.size() - i)]);
    pick.resize(count);
    if (model_.variance) {
      Rng variance(mix(mix(options_.seed, kVarianceStream + static_cast<std::uint64_t>(model_.index)),
                       (static_cast<std::uint64_t>(p.index) << 16) + static_cast<std::uint64_t>(p.order_serial)));
      extend_panel(model_, variance, pick);
    }
    // --qi writes HbA1c results of its own (qi.hpp); the panel leaves the analyte out, so the
    // indicators' truth knows every HbA1c result.
    if (options_.qi)
      pick.erase(std::remove_if(pick.begin(), pick.end(),
                                [&](std::size_t i) { return model_.items[i].item->analyte == "3D046"; }),
                 pick.end());
    std::sort(pick.begin(), pick.end(), [&](std::size_t a, std::size_t b) {
      auto sa = model_.items[a].item->specimen, sb = model_.items[b].item->specimen;
      return sa != sb ? sa < sb : a < b;
    });
    return pick;
  }

  // OMP-01: one to four drugs; cancelled sometimes (deletion).
  void prescription(Patient& p, Rng& rng, const Moment& at, const Department& dept, char patient_class) {
    std::string order = writer_->next_order(p);
    int count = rng.between(1, 4);
    std::vector<PrescribedDrug> lines(static_cast<std::size_t>(count));
    for (PrescribedDrug& line : lines) line.drug = &rng.pick(drugs);
    for (PrescribedDrug& line : lines) {
      line.dose = rng.between(line.drug->dose_min, line.drug->dose_max);
      line.days = rng.between(1, 8) * 7;
      line.usage = &rng.pick(usages);
    }
    add(writer_->prescription(p, order, at, at, dept, patient_class, lines, "NW"));
    if (rng.chance(0.04)) remove(writer_->prescription(p, order, at, at.plus_minutes(10), dept, patient_class, lines, "CA"));
  }

  // ---- the flag lifecycle (reference §3.1) --------------------------------------------------
  static bool same_key(const PendingFile& a, const PendingFile& b) {
    return a.date == b.date && a.type == b.type && a.order == b.order;
  }
  // New or updated data: files with the same key and flag 1 become history (2, or 0 for
  // vendors that rename to _0), then the new file is written with flag 1.
  void add(PendingFile file) {
    for (PendingFile& old : pending_)
      if (old.flag == 1 && same_key(old, file)) old.flag = model_.profile.update_flag;
    file.flag = 1;
    pending_.push_back(std::move(file));
  }
  // Deletion: every file of the key with flag 1 or 2 becomes 0, and the delete message itself
  // is written with flag 0 (standardized storage).
  void remove(PendingFile file) {
    for (PendingFile& old : pending_)
      if ((old.flag == 1 || old.flag == 2) && same_key(old, file)) old.flag = 0;
    file.flag = 0;
    pending_.push_back(std::move(file));
  }

  const Options& options_;
  const tables::Tables& tables_;
  units::Ucum ucum_;
  FileWriter& files_;
  std::int64_t from_ = 0, to_ = 0;
  FacilityModel model_;
  std::unique_ptr<SharedPlan> shared_;
  RecordedIdentity own_identity_;
  std::unique_ptr<MessageWriter> writer_;
  std::vector<PendingFile> pending_;
  std::unique_ptr<QiEvents> qi_;  // --qi
  QiTally qi_tally_;
  std::vector<QiStay> stays_;
  bool diabetic_ = false;
};

}  // namespace

void generate_patients(const Options& options, const tables::Tables& tables, FileWriter& files) {
  Generator(options, tables, files).run();
}

}  // namespace smx::gen::detail
