// lib/link: privacy-preserving record linkage of Japanese patients across facilities (issue 14).
//
// Four parts, each usable alone (man/smx-link.1.md states the model in full):
//  - Normalizer: one versioned Japanese normalizer for names, kana, dates and IDs, shared by
//    the keyed tokens and the Bloom filters, so two hospitals get the same bytes for the same
//    person whatever width, script or era their registers used.
//  - Keyed tokens: HMAC-SHA256 (OpenSSL libcrypto) of normalized fields under HKDF sub-keys
//    (ID2-style: kana name + birth date + sex; ID1-style: insurer + card symbol + number [+ 枝番]
//    + birth date + sex).
//  - Bloom-filter encodings in the clkhash linkage-schema format (n-grams, keyed double hashing
//    or BLAKE2b, bits per token/feature, XOR folding), plus hardening (salting by birth year,
//    balancing).
//  - Matcher: blocking, field-wise Dice, Fellegi–Sunter with m/u by EM, thresholds, union-find
//    clusters with a stable link ID; and the frequency attack run against our own encodings.
//
// The library never prints; per-record problems go to a DiagnosticSink with LINK-* codes and
// never carry a name, an ID or a date in their text.
#pragma once

#include <smx/error.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smx::link {

using Bytes = std::vector<std::uint8_t>;

// ---- Crypto primitives (OpenSSL libcrypto; lib/src/link/crypto.cpp) ----------------------
std::array<std::uint8_t, 32> hmac_sha256(std::span<const std::uint8_t> key, std::string_view data);
std::array<std::uint8_t, 32> sha256(std::string_view data);
// RFC 5869 HKDF with SHA-256 or SHA-512 ("SHA256" / "SHA512"); throws config_error otherwise.
Bytes hkdf(std::span<const std::uint8_t> secret, std::span<const std::uint8_t> salt,
           std::span<const std::uint8_t> info, std::size_t length,
           std::string_view hash = "SHA256");
std::string to_hex(std::span<const std::uint8_t> bytes);
Bytes bytes_of(std::string_view text);
std::string base64_encode(std::span<const std::uint8_t> bytes);
std::optional<Bytes> base64_decode(std::string_view text);  // nullopt when not base64

// ---- Normalizer (normalize.cpp, variants.cpp, dates.cpp) ---------------------------------
// The code half of the normalizer version. Bump it whenever a rule in normalize.cpp or
// dates.cpp changes; the table half is a digest of the loaded kanji-variant rows.
inline constexpr std::string_view normalizer_code_version = "jpn-norm/2";

struct KanjiVariant {
  char32_t from = 0;
  char32_t to = 0;     // after resolving chains (邉 -> 邊 -> 辺 gives 邉 -> 辺)
  std::string source;  // where the fact comes from (repository@commit path, or document)
  std::string rule;    // "FILE:LINE" of the row
};

// mappings/link/kanji-variants.yaml: old/variant kanji form -> the form we compare on.
// Loading validates: one code point per side, no duplicate `from`, no cycle, a source per row.
class KanjiVariants {
 public:
  KanjiVariants() = default;
  static KanjiVariants from_string(std::string_view text, std::string name);  // config_error
  static KanjiVariants from_file(const std::filesystem::path& path);

  char32_t map(char32_t c) const;  // c itself when the table has no row
  const std::vector<KanjiVariant>& rows() const { return rows_; }
  // SHA-256 (hex) of the resolved rows "U+FROM U+TO\n" in code-point order: comments, sources
  // and layout of the file do not change it, a mapping does.
  const std::string& digest() const { return digest_; }

 private:
  std::vector<KanjiVariant> rows_;
  std::unordered_map<char32_t, char32_t> map_;
  std::string digest_;
};

// Why a birth date was not normalized; the value then stays as sent and no token uses it.
enum class DateProblem : std::uint8_t {
  none,
  empty,
  unrecognized,  // no date shape we know (LINK-DATE-UNRECOGNIZED)
  invalid,       // a day that does not exist, e.g. 2月30日 (LINK-DATE-INVALID)
  outside_era,   // 昭和64年2月1日: after the era ended, or before it began (LINK-DATE-ERA-RANGE)
  before_1873,   // Japan counted lunar dates until 明治5年 (LINK-DATE-LUNAR)
};
std::string_view date_problem_code(DateProblem problem);

struct DateResult {
  std::string value;  // "YYYYMMDD" (Gregorian) when problem == none
  DateProblem problem = DateProblem::none;
  bool from_era = false;  // the input was a 和暦 date
};

class Normalizer {
 public:
  explicit Normalizer(KanjiVariants variants = {});

  // "jpn-norm/1+" and the first 16 hex digits of SHA-256(code version, table digest).
  const std::string& version() const { return version_; }
  const KanjiVariants& variants() const { return variants_; }

  // Kana or kanji names: NFKC, spaces and name separators removed, hiragana -> katakana,
  // iteration marks expanded, ヴ/ヂ/ヅ/ヰ/ヱ/ヲ folded, small kana -> large, long vowels folded,
  // kanji variants folded, Latin case-folded (NFKC_Casefold). Idempotent. smx-link(1) NORMALIZER.
  std::string name(std::string_view text) const;
  // Birth dates: Gregorian (1970-03-12, 1970/3/12, 19700312, 1970年3月12日, HL7 TS) or 和暦
  // (昭和45年3月12日, 昭和元年…, S45.3.12, S45/03/12, S450312; M T S H R in either case).
  DateResult birth_date(std::string_view text) const;
  // "M" "F" "O", or "" when unknown: HL7 table 0001, ISO/IEC 5218 digits (1 male, 2 female),
  // 男/女/男性/女性.
  std::string sex(std::string_view text) const;
  // Numbers (insurer number, card number, 枝番): NFKC, spaces and dashes removed.
  std::string number(std::string_view text) const;
  // Card symbol (記号, may hold kanji and kana): the name rules, then dashes removed.
  std::string symbol(std::string_view text) const;
  // Postal code: NFKC, 〒 and dashes removed ("100-0001" -> "1000001").
  std::string postal_code(std::string_view text) const;

 private:
  KanjiVariants variants_;
  std::string version_;
};

// A patient as one facility's register has it (identified data: stays inside the hospital).
struct Person {
  std::string facility;
  std::string local_id;  // or the smx deid pseudonym
  std::string kana_family, kana_given, kanji_family, kanji_given;
  std::string birth_date, sex, postal_code;
  std::string insurer_number, card_symbol, card_number, card_branch;  // IN1; 枝番 = branch
};

struct NormalizedPerson {
  std::string kana_family, kana_given, kanji_family, kanji_given;
  std::string kana_name;   // kana_family + kana_given (the split point is not compared)
  std::string kanji_name;  // kanji_family + kanji_given
  std::string birth_date;  // "YYYYMMDD", or "" when it could not be normalized
  std::string sex, postal_code;
  std::string insurer_number, card_symbol, card_number, card_branch;
};

// Normalizes every field; problems (a birth date kept as sent, an unknown sex, an insurer
// number that is not 6 or 8 digits) go to `sink` as LINK-* warnings at `where`.
NormalizedPerson normalize_person(const Normalizer& normalizer, const Person& person,
                                  const Location& where, DiagnosticSink& sink);

// ---- Keyed deterministic tokens (tokens.cpp) ---------------------------------------------
// Sub-keys: HKDF-SHA256(master key, salt = "", info = "smx-link/1 " + purpose, 32 bytes) with
// purposes "id1", "id2", "block", "bloom". A token is the lowercase hex of
// HMAC-SHA256(sub-key, fields joined by U+001F), every field the normalized UTF-8 value.
class TokenKeys {
 public:
  explicit TokenKeys(std::span<const std::uint8_t> master_key);
  const Bytes& id1() const { return id1_; }
  const Bytes& id2() const { return id2_; }
  const Bytes& block() const { return block_; }
  const Bytes& bloom_secret() const { return bloom_; }  // the clkhash "secret"

 private:
  Bytes id1_, id2_, block_, bloom_;
};

// ID2: kana_name, birth_date, sex. nullopt when one of them is empty.
std::optional<std::string> id2_token(const TokenKeys& keys, const NormalizedPerson& person);
// ID1: insurer_number, card_symbol, card_number, [card_branch,] birth_date, sex. The symbol
// may be empty (some cards have none); the others must not be. With `with_branch` a missing
// 枝番 gives nullopt (cards before 2021 had none: the default leaves it out).
std::optional<std::string> id1_token(const TokenKeys& keys, const NormalizedPerson& person,
                                     bool with_branch = false);
// Blocking key: birth year and sex ("1970", "F"): equal for records that may be compared, and
// nothing else about them. nullopt when either is unknown.
std::optional<std::string> block_token(const TokenKeys& keys, const NormalizedPerson& person);
// Finer blocking keys for large inputs (the same sub-key, another first field): birth date and
// sex; kana family name and birth year (catches a one-digit error in month or day).
std::optional<std::string> date_block_token(const TokenKeys& keys, const NormalizedPerson& person);
std::optional<std::string> name_block_token(const TokenKeys& keys, const NormalizedPerson& person);

// ---- Bloom filters (bits.cpp, schema.cpp, bloom.cpp) -------------------------------------
// A bit vector in clkhash's byte layout: bit i is byte i / 8, mask 0x80 >> (i % 8) (Python
// bitarray, big-endian bit order), so base64() is what clkhash serializes.
class BitVector {
 public:
  BitVector() = default;
  explicit BitVector(std::size_t bits) : bits_(bits), bytes_((bits + 7) / 8, 0) {}
  static BitVector from_bytes(Bytes bytes, std::size_t bits);

  void set(std::size_t i) { bytes_[i >> 3] |= static_cast<std::uint8_t>(0x80u >> (i & 7)); }
  bool test(std::size_t i) const { return (bytes_[i >> 3] >> (7 - (i & 7))) & 1u; }
  std::size_t size() const { return bits_; }
  bool empty() const { return bits_ == 0; }
  std::size_t count() const;
  const Bytes& bytes() const { return bytes_; }
  std::string base64() const { return base64_encode(bytes_); }
  BitVector& operator|=(const BitVector& other);
  bool operator==(const BitVector& other) const = default;

 private:
  std::size_t bits_ = 0;
  Bytes bytes_;
};

// Sørensen–Dice coefficient 2|A∧B| / (|A| + |B|); 0 when both are empty of ones.
double dice(const BitVector& a, const BitVector& b);
// clkhash fold_xor: `folds` times, first half XOR second half. Throws when the length is not
// divisible by 2^folds.
BitVector fold_xor(const BitVector& filter, int folds);

enum class HashKind : std::uint8_t { double_hash, blake };
enum class Comparison : std::uint8_t { ngram, exact };
enum class Strategy : std::uint8_t { bits_per_token, bits_per_feature };

// The fields a schema feature may encode (its `identifier`), from NormalizedPerson.
inline constexpr std::array<std::string_view, 8> schema_fields = {
    "kana_family", "kana_given", "kana_name", "kanji_name", "birth_date", "sex",
    "postal_code", "kanji_family"};

struct Feature {
  std::string identifier;  // one of schema_fields, or anything when ignored
  bool ignored = false;
  std::string format;      // clkhash format type: "string", "date", "enum", "integer"
  Comparison comparison = Comparison::ngram;
  int n = 2;
  bool positional = false;
  Strategy strategy = Strategy::bits_per_token;
  int bits = 20;           // bitsPerToken or bitsPerFeature
  HashKind hash = HashKind::blake;  // clkhash v3 default
  bool prevent_singularity = false;
  std::optional<std::string> missing_sentinel, missing_replacement;
  bool salted = false;     // smx hardening: tokens salted with the birth year
};

// A clkhash linkage schema (version 2 or 3 layout; man/smx-link.1.md SCHEMA) with smx's
// optional "smx" member (hardening). Throws config_error "NAME: json/path: message".
struct Schema {
  int version = 3;
  std::size_t l = 1024;
  int xor_folds = 0;
  std::string kdf_hash = "SHA256";
  Bytes kdf_salt, kdf_info;
  std::size_t key_size = 64;
  std::vector<Feature> features;
  bool balance = false;  // smx hardening: keyed permutation of filter || ~filter
  std::string name;      // for messages
};
Schema schema_from_string(std::string_view json, std::string name);
Schema schema_from_file(const std::filesystem::path& path);

// clkhash's tokenizer for one feature: n-grams padded with n-1 spaces on both sides,
// positional ones prefixed "POS " (1-based), exact = the value; "" gives no token. Counted
// in Unicode code points, as Python does.
std::vector<std::string> tokenize(const Feature& feature, std::string_view value);
// clkhash strategy: k per token (bitsPerFeature divides the bits, the first tokens get the
// remainder).
std::vector<int> bits_per_token(const Feature& feature, std::size_t tokens);
// clkhash doubleHash: bit i of token m at (HMAC-SHA1(key_sha1, m) + i·HMAC-MD5(key_md5, m)) mod
// l, digests read as big-endian integers; non-singular re-hashes m + chr(j) while MD5 ≡ 0.
void double_hash(BitVector& filter, std::string_view token, int k, std::span<const std::uint8_t> key_sha1,
                 std::span<const std::uint8_t> key_md5, bool non_singular);
// clkhash blakeHash: ceil(k/32) keyed BLAKE2b-512 digests with salt "0", "1"…, read as
// little-endian 16-bit words, each mod l (l a power of two).
void blake_hash(BitVector& filter, std::string_view token, int k, std::span<const std::uint8_t> key);

struct Encoding {
  BitVector clk;                  // the record-level filter, as clkhash computes it
  std::vector<BitVector> fields;  // one per feature (ignored ones stay empty), same folding
};

class BloomEncoder {
 public:
  // Per-feature keys as clkhash derives them: HKDF(secret, schema salt/info/hash) of
  // 2 · features · keySize bytes, feature i taking keys 2i (SHA-1 / BLAKE2b) and 2i+1 (MD5).
  BloomEncoder(Schema schema, std::span<const std::uint8_t> secret);
  const Schema& schema() const { return schema_; }
  // `values` in feature order, already normalized; `salt` is used by salted features.
  Encoding encode(const std::vector<std::string>& values, std::string_view salt = {}) const;
  // The values of a NormalizedPerson in this schema's feature order.
  std::vector<std::string> values(const NormalizedPerson& person) const;
  Encoding encode_person(const NormalizedPerson& person) const;  // salt = birth year

 private:
  BitVector finish(BitVector filter) const;  // fold, then balance
  Schema schema_;
  std::vector<std::array<Bytes, 2>> keys_;
  std::vector<std::uint32_t> permutation_;  // balancing
};

// ---- Matcher (em.cpp, match.cpp) ---------------------------------------------------------
// What the data centre sees of one (facility, patient): tokens and filters, nothing else.
struct EncodedRecord {
  std::string facility;
  std::string local_id;  // the facility's ID or pseudonym; only used to name the row
  std::string id1, id2;  // hex tokens, "" when absent
  std::string block;     // birth-year+sex token, "" when absent
  std::vector<BitVector> fields;  // per-feature filters; an empty BitVector is missing
  std::string block_date, block_name;  // finer blocking tokens, "" when absent
};

// Comparison levels of one comparison, Splink style: level 0 is "null" (a side is missing,
// the comparison is left out), then from the best agreement down to "else".
struct ComparisonSpec {
  std::string name;
  enum class Kind : std::uint8_t { dice, token_id1, token_id2 } kind = Kind::dice;
  std::size_t field = 0;              // index into EncodedRecord::fields (dice)
  std::vector<double> thresholds;     // descending Dice thresholds: levels 1..n, n+1 = else
  std::size_t levels() const { return kind == Kind::dice ? thresholds.size() + 1 : 2; }
};

struct MatchConfig {
  // combined: Fellegi–Sunter over every comparison, token and Bloom. tokens_only: a pair
  // matches when its id1 or id2 tokens are equal (the NDB way). bloom_only: Fellegi–Sunter
  // over the Dice comparisons alone, no token blocking.
  enum class Mode : std::uint8_t { combined, tokens_only, bloom_only } mode = Mode::combined;
  std::vector<ComparisonSpec> comparisons;
  bool block_on_block_key = true, block_on_id1 = true, block_on_id2 = true;
  // Finer blocking (smx link match --blocking fine, the default of the command): equal birth
  // date + sex, or equal kana family name + birth year, instead of birth year + sex.
  bool block_on_date = false, block_on_name = false;
  bool cross_facility_only = true;
  double match_probability = 0.99;     // posterior P(match | γ) at or above: a match
  double possible_probability = 0.50;  // at or above (and below match): for review
  int max_iterations = 1000;
  double tolerance = 1e-5;             // stop when no parameter moves more than this
  double initial_lambda = 0.01;
  // u estimated from this many random pairs of records of different facilities (nearly all
  // non-matches), then held fixed while EM estimates λ and m on the candidate pairs: Splink's
  // estimate_u_using_random_sampling. 0: u by EM too. Needed with fine blocking, where the
  // candidate pairs are mostly matches and EM alone can settle on another split.
  std::size_t u_random_pairs = 0;
  std::uint64_t u_seed = 1;
  Bytes link_key;                      // HMAC key of the link IDs
  // Twin guard: a pair where every comparison named here is at or below the given level (1 =
  // best agreement, 0 = the comparison's "else" level; both sides present) is never a match,
  // whatever the other fields say; it goes to review when its probability is at or above
  // possible_probability. Same-sex twins share family name, birth date, address and (before
  // 2021, as dependants) the insurance card: only the given name tells them apart (privacy.md
  // §1.1, ID1 row). Default: the kana given name disagrees and the kanji name is not the same.
  struct Guard {
    std::string comparison;
    int level = 0;  // the pair's level must be >= this (0: the "else" level)
  };
  std::vector<Guard> guard = {{"kana_given", 0}, {"kanji_name", 2}};
  // Keep the possible matches in LinkResult::review (smx link match --review); without it
  // they are only counted, so a large run holds no pair list.
  bool keep_review = true;
};

// The comparison vector of one candidate pair: a level per comparison (0 = null).
struct PairVector {
  std::uint32_t a = 0, b = 0;  // record indices; a has the smaller member key
  std::vector<std::uint8_t> levels;
  bool blocked_by_token = false;  // a deterministic token was equal
};

// A distinct comparison vector and how many candidate pairs have it: EM and scoring work on
// these, so memory grows with the number of distinct vectors, not of pairs.
struct LevelPattern {
  std::vector<std::uint8_t> levels;
  double count = 0;
};

struct FsModel {
  double lambda = 0;  // prior P(match) among candidate pairs
  // m[c][level], u[c][level] for level >= 1 (index 0 unused: null levels are left out).
  std::vector<std::vector<double>> m, u;
  int iterations = 0;
  bool converged = false;
  double weight(const std::vector<std::uint8_t>& levels) const;  // log2 Bayes factor + log2 prior odds
  double probability(const std::vector<std::uint8_t>& levels) const;  // 2^w / (1 + 2^w)
  double weight(const PairVector& pair) const { return weight(pair.levels); }
  double probability(const PairVector& pair) const { return probability(pair.levels); }
};

// Candidate pairs by blocking (equal block key, id1 or id2 token), each pair once, in a
// canonical order (by the records' facility and local_id), so that the input order changes
// nothing downstream.
std::vector<PairVector> candidate_pairs(const std::vector<EncodedRecord>& records,
                                        const MatchConfig& config);
// EM for λ, m and u (man/smx-link.1.md MODEL). `start` gives the initial m/u (empty: a
// default that favours the top levels for m and uses the observed level shares for u).
FsModel estimate(const std::vector<PairVector>& pairs, const MatchConfig& config,
                 const FsModel* start = nullptr, bool fix_u = false);
// The same over distinct comparison vectors with their counts (what link_records uses).
FsModel estimate(const std::vector<LevelPattern>& patterns, const MatchConfig& config,
                 const FsModel* start = nullptr, bool fix_u = false);
// u from `count` random pairs of records of different facilities (deterministic for a seed and
// the records, in canonical order): the share of each level, add-one smoothed.
std::vector<std::vector<double>> u_from_random_pairs(const std::vector<EncodedRecord>& records,
                                                     const MatchConfig& config, std::size_t count,
                                                     std::uint64_t seed);

enum class LinkHow : std::uint8_t { single, token, probabilistic };
std::string_view link_how_name(LinkHow how);  // "single", "token", "probabilistic"

struct LinkRow {
  std::string link_id;  // "L" + 32 hex: HMAC(link_key, smallest member key of the cluster)
  LinkHow how = LinkHow::single;
  double score = 0;     // best posterior probability of an edge into the cluster (1 for token)
};

struct ReviewPair {
  std::uint32_t a = 0, b = 0;
  double probability = 0;
  bool guarded = false;   // held back by the twin guard
  std::uint32_t pattern = 0;  // index into LinkResult::patterns: the pair's comparison levels
};

struct LinkResult {
  std::vector<LinkRow> rows;  // one per input record, same order
  std::vector<ReviewPair> review;  // kept only with MatchConfig::keep_review
  std::vector<LevelPattern> patterns;  // the distinct comparison vectors, by level order
  FsModel model;
  std::size_t candidate_pairs = 0, matched_pairs = 0, clusters = 0;
  std::size_t review_pairs = 0;   // possible matches (counted whether kept or not)
  std::size_t guarded_pairs = 0;  // above the match threshold but held back by the twin guard
};

// With `model`, its λ/m/u are used as they are (no EM): a model trained once, or a test's.
LinkResult link_records(const std::vector<EncodedRecord>& records, const MatchConfig& config,
                        const FsModel* model = nullptr);
// The key a record contributes to its cluster's link ID: facility U+001F local_id.
std::string member_key(const EncodedRecord& record);
// The default comparisons for a schema: one Dice comparison per non-ignored feature with
// thresholds {0.95, 0.85, 0.70}, plus token_id2 and token_id1.
std::vector<ComparisonSpec> default_comparisons(const Schema& schema);

// ---- Attack self-test (attack.cpp) -------------------------------------------------------
struct NameFrequency {
  std::string name;  // normalized, as the encoded field holds it
  double share = 0;  // public frequency (any unit; only the order matters)
};

// The public list shipped in mappings/link/family-names.yaml (name, kana, share, source).
std::vector<NameFrequency> load_name_frequencies(const std::filesystem::path& path,
                                                 const Normalizer& normalizer);

struct AttackResult {
  std::size_t records = 0;
  std::size_t guesses = 0;             // pattern -> name guesses made
  std::size_t names_recovered = 0;     // distinct names guessed right at least once
  std::size_t records_reidentified = 0;  // records whose pattern was guessed right
  std::vector<std::string> recovered;  // the names, in public-list order
};

// The frequency attack: identical encodings are counted, the most frequent patterns are
// aligned with the most frequent public names (rank i <-> rank i, top_n of them). With
// `groups` (e.g. the blocking token the data centre sees) the alignment runs in each group.
// `truth[i]` is record i's normalized name: the site knows it, the attacker does not.
AttackResult frequency_attack(const std::vector<BitVector>& encodings,
                              const std::vector<std::string>& truth,
                              const std::vector<NameFrequency>& public_names, std::size_t top_n,
                              const std::vector<std::string>* groups = nullptr);

}  // namespace smx::link
