// Shared state of a Deidentifier (lib/src/deid only).
#pragma once
#include "smx/deid.hpp"

#include <functional>

namespace smx::deid::detail {

// Immutable after construction: every sub-key the profile needs is derived up front, so the
// const member functions are safe from many threads.
struct DeidState {
  DeidState(Profile p, TypeTable t, const Key& key, std::string_view release);

  Profile profile;
  TypeTable types;
  Keyring keyring;
  std::map<std::string, Digest, std::less<>> subkeys;  // "pseudonym:PURPOSE", "hash:PURPOSE", "date-shift"

  const Digest& subkey(std::string_view use) const;
  Pseudonym pseudonym(std::string_view purpose, std::string_view value) const;
};

DeidResult apply_profile(const DeidState& state, const hl7::Message& message, const PatientContext& patient);

}  // namespace smx::deid::detail
