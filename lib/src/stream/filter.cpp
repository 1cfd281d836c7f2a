// The record filters (--type --patient --from --to --flag) on records read from any input: by
// the record's SS-MIX2 name when it has one, else by what its content says (reference §2-§5).
#include <algorithm>

#include "smx/stream.hpp"

namespace smx {
namespace {

enum class Match { yes, no, unknown };

template <class List, class Value>
Match member(const List& list, const Value& value) {
  return std::find(list.begin(), list.end(), value) != list.end() ? Match::yes : Match::no;
}

Match in_range(const std::string& date, const ssmix2::WalkOptions& f) {
  if (!f.from.empty() && date < f.from) return Match::no;
  if (!f.to.empty() && date > f.to) return Match::no;
  return Match::yes;
}

Match type_match(const Record& r, const std::vector<const ssmix2::DataType*>& candidates,
                 const ssmix2::WalkOptions& f) {
  if (r.ssmix2) return member(f.types, r.ssmix2->type);
  if (candidates.empty()) return Match::unknown;
  std::size_t wanted = 0;
  for (const ssmix2::DataType* t : candidates)
    if (member(f.types, t->folder) == Match::yes) ++wanted;
  if (wanted == candidates.size()) return Match::yes;
  return wanted == 0 ? Match::no : Match::unknown;
}

Match patient_match(const Record& r, const ssmix2::WalkOptions& f) {
  std::string patient = r.ssmix2 && !r.ssmix2->patient.empty() ? r.ssmix2->patient : ssmix2::content_patient(r.message);
  if (patient.empty()) return Match::unknown;
  return member(f.patients, patient);
}

Match date_match(const Record& r, const std::vector<const ssmix2::DataType*>& candidates,
                 const ssmix2::WalkOptions& f) {
  if (r.ssmix2) {
    // §2: "-" holds undated data, which no date range selects (as the tree walk does).
    if (r.ssmix2->date == "-") return Match::no;
    if (!ssmix2::is_valid_date(r.ssmix2->date)) return Match::unknown;
    return in_range(r.ssmix2->date, f);
  }
  if (candidates.empty()) return Match::unknown;
  // The candidate data types must agree on where the care date comes from.
  std::string_view field = ssmix2::care_date_field(*candidates.front(), r.message);
  for (const ssmix2::DataType* t : candidates)
    if (ssmix2::care_date_field(*t, r.message) != field) return Match::unknown;
  if (field.empty()) return Match::no;  // undated type
  std::optional<std::string> date = ssmix2::content_care_date(r.message, field);
  if (!date) return Match::unknown;
  return in_range(*date, f);
}

Match flag_match(const Record& r, const ssmix2::WalkOptions& f) {
  // The condition flag exists only in the file name (reference §3 field 7).
  if (!r.ssmix2 || r.ssmix2->flag < 0) return Match::unknown;
  return member(f.flags, r.ssmix2->flag);
}

}  // namespace

bool has_record_filters(const ssmix2::WalkOptions& f) {
  return !f.types.empty() || !f.patients.empty() || !f.from.empty() || !f.to.empty() || !f.flags.empty();
}

FilterVerdict filter_record(const Record& record, const ssmix2::WalkOptions& f) {
  if (!has_record_filters(f)) return FilterVerdict::keep;
  std::vector<const ssmix2::DataType*> candidates;
  const bool need_types = !record.ssmix2 && (!f.types.empty() || !f.from.empty() || !f.to.empty());
  if (need_types) candidates = ssmix2::content_data_types(record.message);
  bool unknown = false;
  // A filter that fails decides; one that cannot be derived only when no other fails.
  auto fails = [&](Match m) {
    if (m == Match::unknown) unknown = true;
    return m == Match::no;
  };
  if (!f.types.empty() && fails(type_match(record, candidates, f))) return FilterVerdict::drop;
  if (!f.patients.empty() && fails(patient_match(record, f))) return FilterVerdict::drop;
  if ((!f.from.empty() || !f.to.empty()) && fails(date_match(record, candidates, f))) return FilterVerdict::drop;
  if (!f.flags.empty() && fails(flag_match(record, f))) return FilterVerdict::drop;
  return unknown ? FilterVerdict::undetermined : FilterVerdict::keep;
}

}  // namespace smx
