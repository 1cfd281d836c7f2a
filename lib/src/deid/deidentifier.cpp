// Deidentifier: a profile, the type table and the sub-keys, applied to messages and names.
#include "smx/deid.hpp"

#include "deid/internal.hpp"

namespace smx::deid {

// ---- Audit -------------------------------------------------------------------------------------

void Audit::add(std::string_view rule, std::string_view criterion, std::uint64_t count) {
  auto it = counts_.find(rule);
  if (it == counts_.end()) it = counts_.emplace(std::string(rule), std::make_pair(std::string(criterion), 0)).first;
  it->second.second += count;
}

void Audit::merge(const Audit& other) {
  for (const auto& [rule, entry] : other.counts_) add(rule, entry.first, entry.second);
}

std::vector<AuditEntry> Audit::entries() const {
  std::vector<AuditEntry> out;
  out.reserve(counts_.size());
  for (const auto& [rule, entry] : counts_) out.push_back(AuditEntry{rule, entry.first, entry.second});
  return out;
}

std::uint64_t Audit::count(std::string_view rule) const {
  const auto it = counts_.find(rule);
  return it == counts_.end() ? 0 : it->second.second;
}

// ---- state -------------------------------------------------------------------------------------

namespace detail {

DeidState::DeidState(Profile p, TypeTable t, const Key& key, std::string_view release)
    : profile(std::move(p)), types(std::move(t)), keyring(key, release) {
  for (const std::string& purpose : profile.purposes()) subkeys.emplace("pseudonym:" + purpose, keyring.subkey("pseudonym:" + purpose));
  for (const auto& [segment, rule] : profile.segments)
    for (const auto& [field, f] : rule.fields)
      if (f.action == Action::hash) subkeys.emplace("hash:" + f.purpose, keyring.subkey("hash:" + f.purpose));
  subkeys.emplace("date-shift", keyring.subkey("date-shift"));
}

const Digest& DeidState::subkey(std::string_view use) const {
  const auto it = subkeys.find(use);
  if (it == subkeys.end()) throw usage_error("no sub-key for '" + std::string(use) + "' in profile " + profile.name);
  return it->second;
}

Pseudonym DeidState::pseudonym(std::string_view purpose, std::string_view value) const {
  const PseudonymShape& shape = profile.shape(purpose);
  if (shape.strip_leading_zeros) {
    const std::size_t first = value.find_first_not_of('0');
    value = first == std::string_view::npos ? value.substr(value.empty() ? 0 : value.size() - 1) : value.substr(first);
  }
  Pseudonym out;
  out.mac = hmac_sha256(subkey("pseudonym:" + std::string(purpose)), value);
  out.text = format_pseudonym(out.mac, shape);
  return out;
}

}  // namespace detail

// ---- Deidentifier --------------------------------------------------------------------------------

struct Deidentifier::Impl : detail::DeidState {
  using DeidState::DeidState;
};

Deidentifier::Deidentifier(Profile profile, TypeTable types, const Key& key, std::string_view release)
    : impl_(std::make_unique<Impl>(std::move(profile), std::move(types), key, release)) {}
Deidentifier::~Deidentifier() = default;
Deidentifier::Deidentifier(Deidentifier&&) noexcept = default;

const Profile& Deidentifier::profile() const { return impl_->profile; }
const TypeTable& Deidentifier::types() const { return impl_->types; }
const std::string& Deidentifier::key_fingerprint() const { return impl_->keyring.fingerprint(); }
const std::string& Deidentifier::release() const { return impl_->keyring.release(); }

Pseudonym Deidentifier::pseudonym(std::string_view purpose, std::string_view value) const {
  return impl_->pseudonym(purpose, value);
}

PatientContext Deidentifier::patient(std::string_view patient_id) const {
  PatientContext context;
  context.pseudonym = impl_->pseudonym("patient", patient_id).text;
  const Digest mac = hmac_sha256(impl_->subkey("date-shift"), context.pseudonym);
  std::uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | mac[static_cast<std::size_t>(i)];
  context.shift_days = impl_->profile.dates == DatePolicy::keep ? 0 : shift_from_bits(bits, impl_->profile.shift);
  return context;
}

DeidResult Deidentifier::apply(const hl7::Message& message, const PatientContext& patient) const {
  return detail::apply_profile(*impl_, message, patient);
}

namespace {

// Pads a date cut to the policy's precision back to `width` digits: 01 for month and day,
// 0 for the time. The padding carries no information.
std::string pad(std::string value, DatePolicy policy, std::size_t date_width) {
  const std::size_t keep = policy == DatePolicy::shift_year ? 4 : policy == DatePolicy::shift_month ? 6 : value.size();
  if (keep >= value.size()) return value;
  std::string out = value.substr(0, keep);
  while (out.size() < value.size()) out += (out.size() < date_width && out.size() >= 4) ? (out.size() % 2 ? '1' : '0') : '0';
  return out;
}

}  // namespace

std::optional<std::string> Deidentifier::care_date(std::string_view yyyymmdd, const PatientContext& patient) const {
  if (yyyymmdd == "-") return std::string("-");
  if (!patient.shift_days) return std::nullopt;
  std::optional<std::string> shifted = shift_care_date(yyyymmdd, *patient.shift_days);
  if (!shifted) return std::nullopt;
  return pad(*shifted, impl_->profile.dates, 8);
}

std::optional<std::string> Deidentifier::file_timestamp(std::string_view timestamp, const PatientContext& patient) const {
  if (!patient.shift_days) return std::nullopt;
  std::optional<std::string> shifted = shift_file_timestamp(timestamp, *patient.shift_days);
  if (!shifted) return std::nullopt;
  return pad(*shifted, impl_->profile.dates, 8);
}

}  // namespace smx::deid
