// smx flat -k patients: one row per patient, merged over every ADT message of that patient.
#include <algorithm>

#include "flat_internal.hpp"
#include "smx/ascii.hpp"

namespace smx::detail {
namespace {

using ascii::is_digit;

// PID-5: the ideographic (kanji) name and the phonetic (kana) one. XPN.8 (name representation
// code): I ideographic, P phonetic (reference §5: "…^L^I~…^L^P").
std::vector<std::string> names_of(const hl7::Message& m, std::size_t pid) {
  const hl7::Delimiters& d = m.delimiters();
  std::string name, kana;
  std::string_view names = m.field(pid, 5);
  for (std::size_t k = 0; k < hl7::count_pieces(names, d.repetition); ++k) {
    std::string_view rep = hl7::nth_piece(names, d.repetition, k);
    std::string full = hl7::decoded(hl7::nth_piece(rep, d.component, 0), d);
    std::string given = hl7::decoded(hl7::nth_piece(rep, d.component, 1), d);
    if (!given.empty()) full += " " + given;
    std::string_view representation = hl7::nth_piece(rep, d.component, 7);
    if (representation == "P") kana = full;
    else if (name.empty()) name = full;
  }
  return {name, kana};
}

}  // namespace

PostalAddress pid_address(const hl7::Message& m, std::size_t pid) {
  const hl7::Delimiters& d = m.delimiters();
  std::string_view field = m.field(pid, 11);
  std::string_view chosen = hl7::nth_piece(field, d.repetition, 0);
  for (std::size_t k = 0, n = hl7::count_pieces(field, d.repetition); k < n; ++k) {
    std::string_view rep = hl7::nth_piece(field, d.repetition, k);
    if (hl7::nth_piece(rep, d.component, 6) == "H") {  // XAD.7 address type (HL7 table 0190)
      chosen = rep;
      break;
    }
  }
  auto component = [&](std::size_t c) { return hl7::decoded(hl7::nth_piece(chosen, d.component, c - 1), d); };
  // XAD.1 is SAD: street or mailing address (the whole line), street name, dwelling number.
  std::string_view sad = hl7::nth_piece(chosen, d.component, 0);
  std::string street = hl7::decoded(hl7::nth_piece(sad, d.subcomponent, 0), d);
  if (street.empty())
    street = hl7::decoded(hl7::nth_piece(sad, d.subcomponent, 1), d) +
             hl7::decoded(hl7::nth_piece(sad, d.subcomponent, 2), d);
  const std::string parts[] = {component(4), component(3), street, component(2)};
  std::string joined;
  bool all_in_text = true;
  const std::string text = component(8);
  for (const std::string& part : parts) {
    joined += part;
    if (!part.empty() && text.find(part) == std::string::npos) all_in_text = false;
  }
  PostalAddress result{component(5), {}};
  if (joined.empty() || (!text.empty() && all_in_text)) result.address = text;
  else if (text.empty()) result.address = joined;
  else result.address = joined + " " + text;  // both, and they differ: nothing dropped
  return result;
}

SentOrder sent_order(const Record& record, std::uint64_t sequence) {
  SentOrder order;
  order.sequence = sequence;
  const hl7::Message& m = record.message;
  // HL7 v2.5 DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]. Digits past the seconds
  // without a dot (NHO's "20080203163012345") are read as the fraction. The time zone is not
  // read: SS-MIX2 sends none (reference §5, MSH-7).
  const hl7::Delimiters& d = m.delimiters();
  std::string_view msh7 = hl7::nth_piece(hl7::nth_piece(m.field(0, 7), d.repetition, 0), d.component, 0);
  std::size_t digits = 0;
  while (digits < msh7.size() && is_digit(msh7[digits])) ++digits;
  if (digits >= 4) {
    std::string whole(msh7.substr(0, std::min<std::size_t>(digits, 14)));
    whole.resize(14, '0');
    std::string fraction(digits > 14 ? msh7.substr(14, digits - 14) : std::string_view{});
    if (digits <= 14 && digits < msh7.size() && msh7[digits] == '.')
      for (std::size_t i = digits + 1; i < msh7.size() && is_digit(msh7[i]); ++i) fraction += msh7[i];
    fraction.resize(4, '0');
    order.msh7 = whole + fraction;
  }
  if (record.ssmix2) {
    const std::string& ts = record.ssmix2->timestamp;
    if (ts.size() >= 8 && std::all_of(ts.begin(), ts.end(), is_digit)) {
      order.timestamp = ts.substr(0, 17);
      order.timestamp.resize(17, '0');
    }
  }
  return order;
}

void PatientTable::add(const Record& record, const std::string& facility, const std::string& patient,
                       std::uint64_t sequence) {
  const hl7::Message& m = record.message;
  std::size_t pid = m.find_segment("PID");
  Patient& p = patients_[{facility, patient, patient.empty() ? sequence + 1 : 0}];
  if (p.sources++ == 0) {
    p.facility = facility;
    p.patient = patient;
  }
  const SentOrder order = sent_order(record, sequence);
  if (p.sources == 1 || p.latest < order) {
    p.latest = order;
    p.src = record.src.path;
    p.msg = std::to_string(record.src.n);
    p.updated = flat_value(m, 0, 7, 1);
  }
  // HL7 v2.5 §2.5.3: an empty field is not sent (the value stays); "" is sent as null (deleted).
  auto offer = [&](Field& field, int number, auto values_of) {
    std::string_view raw = m.field(pid, static_cast<std::size_t>(number));
    if (raw.empty() || (field.sent && order < field.from)) return;
    field.sent = true;
    field.from = order;
    field.values = raw == "\"\"" ? std::vector<std::string>{} : values_of();
  };
  offer(p.name, 5, [&] { return names_of(m, pid); });
  offer(p.birth, 7, [&] { return std::vector<std::string>{flat_value(m, pid, 7, 1)}; });
  offer(p.sex, 8, [&] { return std::vector<std::string>{flat_value(m, pid, 8)}; });
  offer(p.address, 11, [&] {
    PostalAddress a = pid_address(m, pid);
    return std::vector<std::string>{a.postal_code, a.address};
  });
}

void PatientTable::for_each_row(const std::function<void(const std::vector<std::string>&)>& emit) const {
  auto at = [](const Field& field, std::size_t i) { return i < field.values.size() ? field.values[i] : std::string(); };
  for (const auto& [key, p] : patients_)
    emit({p.patient, p.facility, at(p.name, 0), at(p.name, 1), at(p.sex, 0), at(p.birth, 0), at(p.address, 0),
          at(p.address, 1), std::to_string(p.sources), p.updated, p.src, p.msg});
}

}  // namespace smx::detail
