// One record of quasi-identifiers per patient, built from the messages (smx-risk(1), --qi).
#include <algorithm>
#include <set>
#include <unordered_map>

#include "smx/error.hpp"
#include "smx/risk.hpp"

namespace smx::risk {
namespace {

struct QiName {
  Qi qi;
  std::string_view name;
};
constexpr QiName kNames[] = {
    {Qi::birth_month, "birth-month"}, {Qi::birth_year, "birth-year"},   {Qi::sex, "sex"},
    {Qi::postal3, "postal3"},         {Qi::admit_month, "admit-month"}, {Qi::admit_dates, "admit-dates"},
    {Qi::rare_codes, "rare-codes"},
};

// Full-width digits (U+FF10..U+FF19, UTF-8 EF BC 90..99) read as ASCII; other characters dropped.
std::string ascii_digits(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      out += c;
    } else if (i + 2 < text.size() && static_cast<unsigned char>(c) == 0xEF &&
               static_cast<unsigned char>(text[i + 1]) == 0xBC) {
      const auto third = static_cast<unsigned char>(text[i + 2]);
      if (third >= 0x90 && third <= 0x99) {
        out += static_cast<char>('0' + (third - 0x90));
        i += 2;
      }
    }
  }
  return out;
}

std::string first_component(const hl7::Message& m, std::size_t segment, std::size_t field, std::size_t component = 0) {
  const hl7::Delimiters& d = m.delimiters();
  std::string_view value = hl7::nth_piece(m.field(segment, field), d.repetition, 0);
  return hl7::decoded(hl7::nth_piece(value, d.component, component), d);
}

}  // namespace

std::string_view qi_name(Qi qi) {
  for (const QiName& n : kNames)
    if (n.qi == qi) return n.name;
  return "?";
}

std::vector<Qi> parse_qi_list(std::string_view text) {
  if (text.empty()) return {Qi::birth_month, Qi::sex, Qi::postal3, Qi::admit_month};
  std::vector<Qi> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view name = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    const QiName* found = nullptr;
    for (const QiName& n : kNames)
      if (n.name == name) found = &n;
    if (!found)
      throw usage_error("--qi: unknown quasi-identifier '" + std::string(name) +
                        "' (birth-month, birth-year, sex, postal3, admit-month, admit-dates, rare-codes)");
    if (std::find(out.begin(), out.end(), found->qi) != out.end())
      throw usage_error("--qi: '" + std::string(name) + "' named twice");
    out.push_back(found->qi);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string coarsen(Qi qi, std::string_view value) {
  auto count_of = [](std::string_view list) {
    if (list.empty()) return std::string("0");
    return std::to_string(std::count(list.begin(), list.end(), ' ') + 1);
  };
  switch (qi) {
    case Qi::birth_month:
    case Qi::admit_month:
      return value.size() >= 4 ? std::string(value.substr(0, 4)) + "**" : std::string(value);
    case Qi::postal3:
      return value.empty() ? std::string() : std::string(value.substr(0, 1)) + "**";
    case Qi::admit_dates:
      return count_of(value) + " dates";
    case Qi::rare_codes:
      return count_of(value) + " rare codes";
    case Qi::birth_year:
      return value.size() >= 3 ? std::string(value.substr(0, 3)) + "0s" : std::string(value);
    case Qi::sex:
      break;
  }
  return std::string(value);
}

struct PatientTable::Impl {
  struct Patient {
    std::string birth, sex, postal;
    std::set<std::string> admits;
    std::set<std::string> codes;
  };
  std::vector<Qi> qis;
  std::uint64_t rare_below = 5;
  bool want_codes = false, want_admits = false;
  std::unordered_map<std::string, Patient> patients;
};

PatientTable::PatientTable(std::vector<Qi> qis, std::uint64_t rare_below) : impl_(std::make_unique<Impl>()) {
  impl_->qis = std::move(qis);
  impl_->rare_below = rare_below;
  for (Qi qi : impl_->qis) {
    if (qi == Qi::rare_codes) impl_->want_codes = true;
    if (qi == Qi::admit_month || qi == Qi::admit_dates) impl_->want_admits = true;
  }
}
PatientTable::~PatientTable() = default;
PatientTable::PatientTable(PatientTable&&) noexcept = default;

std::size_t PatientTable::patients() const { return impl_->patients.size(); }
const std::vector<Qi>& PatientTable::qis() const { return impl_->qis; }

void PatientTable::add(const hl7::Message& m, std::string_view patient_id) {
  Impl::Patient& p = impl_->patients[std::string(patient_id)];
  const std::size_t pid = m.find_segment("PID");
  if (pid != hl7::Message::npos) {
    // The first non-empty value a message of the patient gives.
    if (p.birth.empty()) p.birth = ascii_digits(first_component(m, pid, 7));
    if (p.sex.empty()) p.sex = first_component(m, pid, 8);
    if (p.postal.empty()) p.postal = ascii_digits(first_component(m, pid, 11, 4)).substr(0, 3);
  }
  if (impl_->want_admits)
    for (std::size_t k = 0, i; (i = m.find_segment("PV1", k)) != hl7::Message::npos; ++k) {
      std::string admit = ascii_digits(first_component(m, i, 44));
      if (admit.size() >= 8) p.admits.insert(admit.substr(0, 8));
    }
  if (impl_->want_codes) {
    for (std::size_t k = 0, i; (i = m.find_segment("DG1", k)) != hl7::Message::npos; ++k) {
      std::string code = first_component(m, i, 3);
      if (!code.empty()) p.codes.insert("DG1:" + code);
    }
    for (std::size_t k = 0, i; (i = m.find_segment("OBX", k)) != hl7::Message::npos; ++k) {
      std::string code = first_component(m, i, 3);
      if (!code.empty()) p.codes.insert("OBX:" + code);
    }
  }
}

std::vector<Record> PatientTable::records() const {
  std::vector<Record> out;
  for (auto& [id, record] : records_by_patient()) out.push_back(std::move(record));
  return out;
}

std::vector<std::pair<std::string, Record>> PatientTable::records_by_patient() const {
  std::unordered_map<std::string, std::uint64_t> holders;  // code -> patients
  if (impl_->want_codes)
    for (const auto& [id, p] : impl_->patients)
      for (const std::string& code : p.codes) ++holders[code];
  std::vector<std::pair<std::string, Record>> out;
  out.reserve(impl_->patients.size());
  for (const auto& [id, p] : impl_->patients) {
    Record r;
    for (Qi qi : impl_->qis) {
      switch (qi) {
        case Qi::birth_month: r.push_back(p.birth.substr(0, std::min<std::size_t>(6, p.birth.size()))); break;
        case Qi::birth_year: r.push_back(p.birth.substr(0, std::min<std::size_t>(4, p.birth.size()))); break;
        case Qi::sex: r.push_back(p.sex); break;
        case Qi::postal3: r.push_back(p.postal); break;
        case Qi::admit_month: r.push_back(p.admits.empty() ? std::string() : p.admits.begin()->substr(0, 6)); break;
        case Qi::admit_dates: {
          std::string all;
          for (const std::string& a : p.admits) all += (all.empty() ? "" : " ") + a;
          r.push_back(all);
          break;
        }
        case Qi::rare_codes: {
          std::string rare;
          for (const std::string& code : p.codes)
            if (holders[code] < impl_->rare_below) rare += (rare.empty() ? "" : " ") + code;
          r.push_back(rare);
          break;
        }
      }
    }
    out.emplace_back(id, std::move(r));
  }
  return out;
}

}  // namespace smx::risk
