// lib/deid: de-identification of HL7 v2.5 messages for secondary use (see smx-deid(1)).
//
//  - keys: a 32-byte key file, sub-keys per purpose derived with HKDF-SHA256, keyed pseudonyms
//    (HMAC-SHA256) of a fixed shape, a key fingerprint for the audit (never the key);
//  - dates: one shift per patient, derived from the keyed patient pseudonym, applied to every
//    value whose HL7 v2.5 data type holds a date (DT, DTM, TS and the composites that hold them),
//    keeping the precision as sent;
//  - profiles: allow-lists in YAML (mappings/deid/profiles/) naming, per segment and field, one
//    action; anything a profile does not name is removed;
//  - apply(): one message in, the de-identified text and an audit (rule, criterion, count: never
//    a value) out.
// Everything here is pure computation on memory except new_key()/load_key() and the loaders.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "smx/error.hpp"
#include "smx/hl7.hpp"
#include "smx/ssmix2.hpp"

namespace smx::deid {

// ---- keys ------------------------------------------------------------------------------------

inline constexpr std::size_t kKeyBytes = 32;
using Digest = std::array<unsigned char, 32>;  // HMAC-SHA256 output, HKDF sub-keys

class Key {
 public:
  // Exactly kKeyBytes bytes, else config_error "[DEID-KEY-SIZE] ...".
  static Key from_bytes(std::string_view bytes);
  Key(const Key&) = default;
  Key& operator=(const Key&) = default;
  ~Key();
  const Digest& bytes() const { return bytes_; }
  // 16 hex digits of HMAC-SHA256(key, "smx-deid key fingerprint v1"): names the key in audits
  // and reports without revealing it (the MAC is one-way).
  std::string fingerprint() const;

 private:
  Key() = default;
  Digest bytes_{};
};

// Writes kKeyBytes bytes from OpenSSL's RAND_bytes to a new file created with mode 0600.
// Refuses an existing path (io_error "[DEID-KEY-EXISTS] ..."); any other failure is io_error
// "[DEID-KEY-WRITE] ..." and leaves no partial file.
void new_key(const std::filesystem::path& path);

struct KeyFileInfo {
  bool readable_by_others = false;  // group or other may read the file (the caller warns)
};
// Reads a key file: io_error "[DEID-KEY-MISSING]" / "[DEID-KEY-UNREADABLE]", config_error
// "[DEID-KEY-SIZE]" when it does not hold exactly kKeyBytes bytes.
Key load_key(const std::filesystem::path& path, KeyFileInfo* info = nullptr);

// Sub-keys: HKDF-SHA256 (RFC 5869) of the key with salt "smx-deid/1" and info
// "<release>\0<use>". The release (smx deid --purpose) scopes every pseudonym and shift: two
// releases of the same data under one key share nothing (the NDB ID5 model, privacy.md §1.1).
class Keyring {
 public:
  explicit Keyring(const Key& key, std::string_view release = "default");
  Digest subkey(std::string_view use) const;
  const std::string& release() const { return release_; }
  const std::string& fingerprint() const { return fingerprint_; }

 private:
  Key key_;
  std::string release_;
  std::string fingerprint_;
};

Digest hmac_sha256(const Digest& key, std::string_view data);
// HKDF-SHA256 (RFC 5869): the first 32 bytes of the output keying material.
Digest hkdf_sha256(std::string_view key, std::string_view salt, std::string_view info);
Digest sha256(std::string_view data);
std::string hex(const unsigned char* data, std::size_t size);

// ---- pseudonyms --------------------------------------------------------------------------------

// The shape of a pseudonym: `digits` decimal digits taken from the first 128 bits of the MAC
// (value mod 10^length, zero-padded; the bias is below 10^length / 2^128), or `hex` lower-case
// hex digits of the MAC. SS-MIX2 folders need at least 6 characters (ssmix2.md §2).
struct PseudonymShape {
  enum class Kind : std::uint8_t { digits, hex };
  Kind kind = Kind::digits;
  int length = 16;
  // Leading '0's are removed before the MAC, so "000000000012345" and "12345" (the same SS-MIX2
  // order number, file name and ORC-2) get one pseudonym. Off for patient IDs.
  bool strip_leading_zeros = false;
};
// "digits:N" (6 <= N <= 38) or "hex:N" (6 <= N <= 64); usage_error otherwise.
PseudonymShape parse_pseudonym_shape(std::string_view text);
std::string format_pseudonym(const Digest& mac, const PseudonymShape& shape);

struct Pseudonym {
  std::string text;
  Digest mac{};  // the full MAC: what CollisionDetector compares
};

// Detects two different values that got the same pseudonym (possible when the shape is shorter
// than the MAC). Keeps the full MAC per pseudonym, never the value. Thread-safe.
class CollisionDetector {
 public:
  // True when `pseudonym` already stood for another value of this purpose: the caller reports
  // it ([DEID-COLLISION]) and decides what to do.
  bool observe(std::string_view purpose, const Pseudonym& pseudonym);
  std::size_t collisions() const;
  std::size_t distinct() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Digest> seen_;  // purpose NUL pseudonym -> MAC
  std::size_t collisions_ = 0;
};

// ---- dates -------------------------------------------------------------------------------------

struct ShiftRange {
  int min_days = -180;
  int max_days = 180;
  bool allow_zero = false;  // a range that holds 0 never yields 0 unless this is set
};
// "MIN:MAX" in days, MIN <= MAX, |MIN|,|MAX| <= 36500 (usage_error otherwise). A range of only
// 0 sets allow_zero.
ShiftRange parse_shift_range(std::string_view text);
// Where in `range` a 64-bit value lands (uniform up to a bias below 2^-40).
int shift_from_bits(std::uint64_t bits, const ShiftRange& range);

// A DT/DTM value YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ] (HL7 v2.5 §2A.21, §2A.22)
// moved by `days` days on the proleptic Gregorian calendar (<chrono>). Only the date digits
// change: the time of day, fraction and offset are kept as sent, so every interval between two
// values of one patient is the same after the shift. An hour of 24 to 47 (SS-MIX2 data that
// counts the small hours as the day before, ssmix2.md §8 item 6) stays as written: "date + 24:30"
// moved by n days is the same instant moved by n days. YYYYMM and YYYY values denote a period:
// the period's middle day is moved and the value keeps its precision (the month or year that
// holds the moved middle). nullopt when the value is not such a date (then it is removed).
std::optional<std::string> shift_date_time(std::string_view value, int days);

enum class DatePrecision : std::uint8_t { year, month, day, full };
// The first 4, 6 or 8 characters (full: unchanged); a shorter value stays as it is.
std::string_view truncate_date_time(std::string_view value, DatePrecision precision);
// The SS-MIX2 care-date folder (YYYYMMDD; "-" stays "-") and the 14 to 17-digit file-name
// timestamp moved by `days`; nullopt when not readable.
std::optional<std::string> shift_care_date(std::string_view yyyymmdd, int days);
std::optional<std::string> shift_file_timestamp(std::string_view timestamp, int days);

// ---- HL7 v2.5 data types -----------------------------------------------------------------------

// The data type of every field of the segments SS-MIX2 uses and the components of the composite
// types (mappings/deid/hl7-2.5-types.yaml, with its source). Immutable once loaded.
class TypeTable {
 public:
  using TypeId = std::uint16_t;
  static constexpr TypeId kNone = 0xFFFF;

  // config_error "NAME:LINE:COL: ..." on any fault (unknown type, cycle, duplicate...).
  static TypeTable from_string(std::string_view yaml, std::string name);
  static TypeTable load(const std::filesystem::path& path);

  bool has_segment(std::string_view segment) const;
  std::size_t field_count(std::string_view segment) const;
  TypeId field_type(std::string_view segment, std::size_t field) const;  // kNone when unknown
  TypeId find(std::string_view type_name) const;                         // kNone when unknown
  const std::string& name(TypeId type) const { return names_[type]; }
  bool is_primitive(TypeId type) const { return components_[type].empty(); }
  const std::vector<TypeId>& components(TypeId type) const { return components_[type]; }
  bool is_date(TypeId type) const { return type == dt_ || type == dtm_; }
  // A DT/DTM leaf is reachable in a value of this type within HL7's three levels (field,
  // component, subcomponent; a composite at the third level stands for its first leaf).
  bool holds_date(TypeId type) const;
  TypeId varies() const { return varies_; }

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<TypeId>> components_;
  std::map<std::string, std::vector<TypeId>, std::less<>> segments_;
  TypeId dt_ = kNone, dtm_ = kNone, varies_ = kNone;
};

// ---- profiles ----------------------------------------------------------------------------------

enum class Action : std::uint8_t { keep, drop, pseudonymize, shift, generalize, hash };
enum class Generalization : std::uint8_t { birth_date, year, year_month, postal3, insurer_houbetsu, masked };
enum class ValueTypeAction : std::uint8_t { keep, drop, lab_text };
enum class DatePolicy : std::uint8_t { shift, shift_month, shift_year, keep };

struct FieldRule {
  Action action = Action::drop;
  std::string purpose;                 // pseudonymize, hash
  Generalization generalization = Generalization::year;
  std::vector<int> components;         // keep: only these components; pseudonymize/generalize:
                                       // other components kept besides the rewritten one
  int hash_length = 16;                // hash: hex digits
  // OBX-5 (type varies): what to do by OBX-2; a value type not listed is removed.
  std::vector<std::pair<std::string, ValueTypeAction>> value_types;
  std::string criterion;               // key of Profile::criteria
  std::string id;                      // "PID-3 pseudonymize patient": the audit's rule name
};

struct SegmentRule {
  bool drop = false;                   // named to be removed (documents the intent)
  std::string criterion;
  std::map<int, FieldRule> fields;
};

struct BirthPolicy {
  DatePrecision precision = DatePrecision::month;
  int top_code_age = 90;               // ages at or above it are top-coded (0: never)
  enum class OverAge : std::uint8_t { drop, cap } over_age = OverAge::drop;
};

struct Profile {
  std::string name;
  std::string title;
  std::string sha256;                  // of the profile text and every profile it extends
  std::vector<std::string> chain;      // names, the profile first, then what it extends
  std::map<std::string, std::string> criteria;  // key -> citation (privacy.md)
  std::string unlisted_criterion;      // why what the profile does not name is removed
  DatePolicy dates = DatePolicy::shift;
  ShiftRange shift;
  BirthPolicy birth;
  std::map<std::string, PseudonymShape> pseudonyms;  // purpose -> shape ("default" for others)
  std::vector<std::string> lab_text_words;           // OBX-5 ST kept by lab-text when listed
  std::map<std::string, SegmentRule, std::less<>> segments;

  const PseudonymShape& shape(std::string_view purpose) const;
  std::vector<std::string> purposes() const;  // every purpose a rule names, and "patient"
};

// Reads a profile (format smx-deid-profile/1). `extends: NAME` is looked up next to the file
// first, then in `profiles_dir`. config_error "FILE:LINE:COL: ..." for a bad file: unknown
// segment (not in the type table), field number, action, generalization, value type, criterion,
// or an action the field's data type cannot take (shift on a field without a date, ...).
Profile profile_from_string(std::string_view yaml, std::string name, const TypeTable& types,
                            const std::filesystem::path& profiles_dir);
// NAME (letters, digits, '-', '_': PROFILES_DIR/NAME.yaml) or a path to a file.
Profile load_profile(std::string_view name_or_path, const std::filesystem::path& profiles_dir,
                     const TypeTable& types);
// The tables' profile directory and type table: DIR/mappings/deid/profiles, DIR/mappings/deid/
// hl7-2.5-types.yaml.
std::filesystem::path profiles_dir(const std::filesystem::path& tables_dir);
std::filesystem::path types_path(const std::filesystem::path& tables_dir);

// ---- audit -------------------------------------------------------------------------------------

// What the profile did: rule name, criterion key, how many values. Never a value.
struct AuditEntry {
  std::string rule;       // "PID-3 pseudonymize patient", "segment NK1 unlisted", ...
  std::string criterion;  // key of Profile::criteria
  std::uint64_t count = 0;
};

class Audit {
 public:
  void add(std::string_view rule, std::string_view criterion, std::uint64_t count = 1);
  void merge(const Audit& other);
  std::vector<AuditEntry> entries() const;  // sorted by rule
  std::uint64_t count(std::string_view rule) const;
  bool empty() const { return counts_.empty(); }

 private:
  std::map<std::string, std::pair<std::string, std::uint64_t>, std::less<>> counts_;
};

// ---- applying a profile -------------------------------------------------------------------------

struct PatientContext {
  std::string pseudonym;             // the patient's pseudonym ("" when the message has none)
  std::optional<int> shift_days;     // nullopt: no patient known, every date is removed
};

struct DeidResult {
  std::string text;                  // the message, CR after every segment
  Audit audit;
};

// Owns a profile, the type table and the sub-keys of every purpose the profile names. Const
// member functions are thread-safe.
class Deidentifier {
 public:
  Deidentifier(Profile profile, TypeTable types, const Key& key, std::string_view release = "default");
  ~Deidentifier();
  Deidentifier(Deidentifier&&) noexcept;

  const Profile& profile() const;
  const TypeTable& types() const;
  const std::string& key_fingerprint() const;
  const std::string& release() const;

  // The pseudonym of a value of one purpose (throws usage_error for a purpose the profile does
  // not name).
  Pseudonym pseudonym(std::string_view purpose, std::string_view value) const;
  // The patient's pseudonym and date shift (HMAC of the pseudonym with the "date-shift" sub-key
  // mapped onto profile().shift). The same for every message of the patient, every run.
  PatientContext patient(std::string_view patient_id) const;
  // Applies the profile to one message. `patient` is the context of the message's patient
  // (from its SS-MIX2 folder, or ssmix2::content_patient()).
  DeidResult apply(const hl7::Message& message, const PatientContext& patient) const;
  // The care-date folder and the file-name timestamp under the profile's date policy:
  // moved by the patient's shift; under shift-month/shift-year padded with 01 (day, month) and
  // zeros (time), which carry no information. nullopt when unreadable or no shift is known.
  std::optional<std::string> care_date(std::string_view yyyymmdd, const PatientContext& patient) const;
  std::optional<std::string> file_timestamp(std::string_view timestamp,
                                            const PatientContext& patient) const;
  // The de-identified SS-MIX2 name of a file of `patient` (ssmix2.md §3): the patient's
  // pseudonym, the care date and timestamp moved as above, the order number pseudonymized with
  // purpose "order" (the 15 nines of "no order" stay), data type, department and flag as sent.
  // nullopt when the care date or timestamp cannot be read, or no shift is known.
  std::optional<ssmix2::FileName> file_name(const ssmix2::FileName& name, const PatientContext& patient) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- SS-MIX2 trees -----------------------------------------------------------------------------

// The standardized-storage folder of a file: pid[0:3]/pid[3:6]/pid/date/type (ssmix2.md §2).
// The patient ID must have at least 6 characters.
std::string storage_directory(const ssmix2::FileName& name);
// The name a message read without an SS-MIX2 name (raw HL7, a stream record without "ssmix2")
// would be filed under, from its content: patient from PID-3 (`patient`), the first data type
// whose MSH-9 it has, its care date (or "-"), ORC-2 or OBR-2 digits as the order number (15
// nines when none), MSH-7 as the timestamp (digits, padded with zeros to 17), department "-",
// flag 1. nullopt when the message has no data type of the table or no readable MSH-7.
std::optional<ssmix2::FileName> name_from_content(const hl7::Message& message, std::string_view patient);
// The message text (UTF-8, CR after every segment) as the bytes of a file in `charset` (the
// charset the source file was read in, as the stream names it): ISO-2022-JP and Shift_JIS are
// written back in that charset so MSH-18 stays true. When the text holds a character the charset
// cannot carry, it is written in UTF-8 with MSH-18 set to "UNICODE UTF-8" and false is
// returned (the caller reports DEID-CHARSET).
bool encode_message(std::string_view utf8, std::string_view charset, std::string& out);
// `text` with field MSH-18 replaced by `value` (added when the MSH is shorter).
std::string set_msh18(std::string_view text, std::string_view value);

// ---- generalizations (public for tests) --------------------------------------------------------

// 7-digit Japanese postal code (ASCII or full-width digits, any hyphen) -> its first 3 digits;
// 3 digits stay. nullopt otherwise.
std::optional<std::string> postal_prefix(std::string_view decoded);
// 8-digit insurer number (保険者番号) -> 法別番号 (its first 2 digits). 6-digit 国保 numbers have
// no 法別番号: nullopt, like anything else.
std::optional<std::string> insurer_houbetsu(std::string_view decoded);
// An OBX-5 ST value that reads as a lab result: a number with an optional comparator, a range,
// a titre (1:N), a semi-quantitative grade ((-), (+), 2+, ±...), one of those followed by
// another in parentheses ("3+(300)"), or one of `words`. Full-width ASCII is read as ASCII.
// Numbers have at most 5 integer digits, so IDs and phone numbers never pass.
bool is_lab_text(std::string_view decoded, const std::vector<std::string>& words);
// Age in completed years at `reference` (both YYYY[MM[DD]]); a partial birth date counts from
// its earliest day (the oldest age it can mean). nullopt when unreadable.
std::optional<int> age_at(std::string_view birth, std::string_view reference);

}  // namespace smx::deid
