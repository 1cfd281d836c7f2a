// Internal to smx flat: the patient table (rows held until the end) and shared field helpers.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "smx/stream.hpp"

namespace smx::detail {

// Decoded component (1-based c; 0 = whole first repetition) of field f of segment s.
std::string flat_value(const hl7::Message& m, std::size_t s, int f, int c = 0);

// The address of PID-11 as one Japanese line, and its postal code (XAD.5), from the first
// repetition of address type H (home), else the first repetition. The line reads as a Japanese
// address does: prefecture (XAD.4), city (XAD.3), street (XAD.1), other designation (XAD.2);
// SS-MIX2 senders put the whole address in XAD.8 instead (reference §6.5 samples), which is used
// when the parts are empty or already all inside it, else appended after a space.
struct PostalAddress {
  std::string postal_code;
  std::string address;
};
PostalAddress pid_address(const hl7::Message& m, std::size_t pid);

// When a message was sent, for "latest wins": MSH-7, then the SS-MIX2 file-name timestamp, then
// input order. A value that is missing or not digits ranks below every present one.
struct SentOrder {
  std::string msh7;       // YYYYMMDDHHMMSS + 4 fraction digits, "" when MSH-7 is unusable
  std::string timestamp;  // 17 digits, "" when there is no name or it is not digits
  std::uint64_t sequence = 0;
  auto tie() const { return std::tie(msh7, timestamp, sequence); }
  bool operator<(const SentOrder& other) const { return tie() < other.tie(); }
};
SentOrder sent_order(const Record& record, std::uint64_t sequence);

// One row per patient (facility MSH-4.1 + patient ID) from ADT messages. Each column comes from
// the latest message that sends its field: HL7 v2.5 §2.5.3 reads an empty field as "not sent,
// keep the value" and "" as "delete it". Memory grows with the number of patients only.
class PatientTable {
 public:
  void add(const Record& record, const std::string& facility, const std::string& patient, std::uint64_t sequence);
  // Rows in the columns of flat_columns(FlatKind::patients), ordered by facility, then patient
  // ID; messages without a patient ID each keep their own row (input order, after the key).
  void for_each_row(const std::function<void(const std::vector<std::string>&)>& emit) const;
  std::size_t size() const { return patients_.size(); }

 private:
  // A group of columns that one field fills (name and kana from PID-5, ...).
  struct Field {
    std::vector<std::string> values;
    SentOrder from;
    bool sent = false;
  };
  struct Patient {
    std::string facility, patient;
    Field name, sex, birth, address;
    SentOrder latest;
    std::string src, msg, updated;
    std::uint64_t sources = 0;
  };
  // key: facility, patient ID, 0 (or the input order of a message without a patient ID)
  std::map<std::tuple<std::string, std::string, std::uint64_t>, Patient> patients_;
};

}  // namespace smx::detail
