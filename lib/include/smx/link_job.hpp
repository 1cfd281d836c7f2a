// lib/link: what `smx link encode | match | audit` do, as library calls (tools/link.cpp only
// binds options). The model and the formats are in man/smx-link.1.md.
#pragma once

#include <smx/deid.hpp>
#include <smx/error.hpp>
#include <smx/io.hpp>
#include <smx/link.hpp>
#include <smx/stream.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace smx::link {

// ---- encode: messages -> one Person per (facility, patient) -------------------------------
// Reads PID (PID-3 patient ID, PID-5 names by XPN.8 representation I/P, PID-7, PID-8, PID-11
// postal code) and IN1 (IN1-3 insurer number, IN1-10 card symbol 記号, IN1-11 card number 番号)
// of every message. Per patient, each field comes from the latest ADT message that sends it
// (MSH-7, then input order), else from the first other message that sends it.
class PatientCollector {
 public:
  // `facility`: the facility of every record; empty = MSH-4.1 of each message.
  explicit PatientCollector(std::string facility = {}) : facility_(std::move(facility)) {}
  // Where this site's messages carry the 枝番 (an HL7 path such as IN1-46 or IN1-11.2): the
  // specifications read do not settle it, so it is only read when the user names it.
  void branch_field(hl7::Path path) { branch_ = std::move(path); }
  // False (and LINK-NO-PATIENT reported) when the message has no PID-3 or no facility.
  bool add(const Record& record, DiagnosticSink& sink);
  // By facility, then patient ID (bytes).
  std::vector<Person> persons() const;
  std::size_t size() const { return patients_.size(); }

 private:
  struct Slot {
    std::string value;
    std::string rank;  // "1"+MSH-7 for ADT, "0" for others: a higher rank replaces
    bool set = false;
  };
  struct Entry {
    std::map<std::string, Slot> fields;
    std::uint64_t first = 0;
  };
  std::string facility_;
  std::optional<hl7::Path> branch_;
  std::map<std::pair<std::string, std::string>, Entry> patients_;
  std::uint64_t sequence_ = 0;
};

// smx deid's patient pseudonym, computed by deid itself (deid::Keyring, the "patient" purpose,
// the shape of the deid profile used), so encodings join `smx deid` exports of the same key,
// release and profile.
std::string deid_patient_pseudonym(std::span<const std::uint8_t> key, std::string_view release,
                                   const deid::PseudonymShape& shape, std::string_view patient_id);

// 16 hex digits of HMAC-SHA256(key, "smx-link key fingerprint v1"): names the key, so the
// matcher can refuse encodings made under different keys; reveals nothing of the key.
std::string key_fingerprint(std::span<const std::uint8_t> key);

struct EncodeSettings {
  bool id1_with_branch = false;         // --id1-branch
  std::vector<std::uint8_t> deid_key;   // --deid-key: the patient column is the pseudonym
  std::string deid_release = "default";
  deid::PseudonymShape deid_shape;      // the "patient" shape of the deid profile (--deid-profile)
  std::string schema_digest;            // first 16 hex of SHA-256 of the schema file bytes
};

struct EncodeCounts {
  std::size_t patients = 0, with_id1 = 0, with_id2 = 0, without_birth_date = 0;
};

// Writes one NDJSON line per person (smx-link(1) ENCODED RECORDS).
EncodeCounts write_encodings(const std::vector<Person>& persons, const Normalizer& normalizer,
                             const BloomEncoder& encoder, std::span<const std::uint8_t> key,
                             const EncodeSettings& settings, Output& out, DiagnosticSink& sink);

// ---- match ---------------------------------------------------------------------------------
struct EncodedSet {
  std::vector<EncodedRecord> records;
  std::string normalizer, schema, key;  // as the records say (all must agree)
};
// Reads encodings (NDJSON, one record per line) in order; the fields are placed in `schema`'s
// feature order. Throws config_error [LINK-MIXED-KEY] / [LINK-MIXED-SCHEMA] when inputs were
// made under different keys or schemas; a line that is not an encoding is reported
// (LINK-BAD-RECORD, error) and skipped. A different normalizer version is a warning
// (LINK-MIXED-NORMALIZER): tokens then differ for some people.
// `first_line`: the lines of `name` before `ndjson` (a file read in pieces, whole lines each).
void read_encodings(std::string_view ndjson, const std::string& name, const Schema& schema, EncodedSet& set,
                    DiagnosticSink& sink, std::uint64_t first_line = 0);

// The link table (TSV with a header): facility, patient, link_id, how, score; in input order.
void write_link_table(const std::vector<EncodedRecord>& records, const LinkResult& result, Output& out);
// The possible matches: facility_a, patient_a, facility_b, patient_b, probability, then the
// comparison level of each comparison (0 null, 1 best ... else).
void write_review(const std::vector<EncodedRecord>& records, const LinkResult& result,
                  const MatchConfig& config, Output& out);
// The fitted model as JSON: λ, m and u per comparison level, iterations (stderr with --stats).
std::string model_json(const LinkResult& result, const MatchConfig& config);

// ---- audit ---------------------------------------------------------------------------------
struct AuditRow {
  std::string hardening;  // "none", "salt", "balance", "xor1", "salt+balance"...
  AttackResult global, per_block;
};
// The frequency attack on the kana family name as `schema` encodes it, without hardening and
// with each option (salting by birth year, balancing, one XOR fold, all three); the attacker
// knows the public name list and (per_block) the blocking token the data centre sees.
std::vector<AuditRow> run_audit(const std::vector<NormalizedPerson>& people, const Schema& schema,
                                std::span<const std::uint8_t> key, const std::vector<NameFrequency>& public_names,
                                std::size_t top_n);

}  // namespace smx::link
