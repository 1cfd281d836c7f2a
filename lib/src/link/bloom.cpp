// Bloom-filter encodings as clkhash computes them (data61/clkhash clkhash/bloomfilter.py,
// comparators.py, key_derivation.py; read with the search tool, no code copied; the algorithm
// is restated in man/smx-link.1.md ENCODINGS), plus smx's hardening:
//  - salting: a salted feature's tokens get U+001F and the birth year appended before hashing
//    (Christen et al.'s "salting" of q-grams with a record value);
//  - balancing (Schnell & Borgs 2016): the filter and its complement, concatenated and put
//    through a keyed permutation, so every filter has exactly l ones.
#include "link/internal.hpp"

#include <smx/error.hpp>
#include <smx/link.hpp>

#include <numeric>

namespace smx::link {

namespace {

// A big-endian integer (Python's int(hexdigest, 16)) modulo l.
std::size_t mod_big_endian(std::span<const std::uint8_t> digest, std::size_t l) {
  std::uint64_t r = 0;
  for (std::uint8_t b : digest) r = (r * 256 + b) % l;
  return static_cast<std::size_t>(r);
}

// Python's chr(i).encode() (UTF-8) for the non-singular re-hash.
std::string utf8_of(std::uint32_t i) { return detail::encode_utf8(std::u32string(1, static_cast<char32_t>(i))); }

// Keyed permutation of 0..n-1: Fisher–Yates, j uniform in [0, i] by rejection sampling over
// 64-bit words read big-endian from HMAC-SHA256(key, 8-byte big-endian counter), counter 0, 1, …
std::vector<std::uint32_t> keyed_permutation(std::size_t n, const Bytes& key) {
  std::vector<std::uint32_t> p(n);
  std::iota(p.begin(), p.end(), 0u);
  std::uint64_t counter = 0;
  std::array<std::uint8_t, 32> block{};
  std::size_t used = 32;
  auto next = [&]() -> std::uint64_t {
    if (used == 32) {
      std::string message(8, '\0');
      for (int b = 0; b < 8; ++b) message[static_cast<std::size_t>(b)] = static_cast<char>(counter >> (56 - 8 * b));
      ++counter;
      block = hmac_sha256(key, message);
      used = 0;
    }
    std::uint64_t x = 0;
    for (int b = 0; b < 8; ++b) x = (x << 8) | block[used + static_cast<std::size_t>(b)];
    used += 8;
    return x;
  };
  for (std::size_t i = n; i-- > 1;) {
    const std::uint64_t range = i + 1;
    const std::uint64_t limit = UINT64_MAX - (UINT64_MAX % range + 1) % range;  // multiple of range, minus 1
    std::uint64_t x = next();
    while (x > limit) x = next();
    std::swap(p[i], p[static_cast<std::size_t>(x % range)]);
  }
  return p;
}

std::string_view field_of(const NormalizedPerson& p, std::string_view identifier) {
  if (identifier == "kana_family") return p.kana_family;
  if (identifier == "kana_given") return p.kana_given;
  if (identifier == "kana_name") return p.kana_name;
  if (identifier == "kanji_family") return p.kanji_family;
  if (identifier == "kanji_name") return p.kanji_name;
  if (identifier == "birth_date") return p.birth_date;
  if (identifier == "sex") return p.sex;
  if (identifier == "postal_code") return p.postal_code;
  return {};
}

}  // namespace

std::vector<std::string> tokenize(const Feature& feature, std::string_view value) {
  std::string text(value);
  if (feature.missing_sentinel && text == *feature.missing_sentinel && feature.missing_replacement)
    text = *feature.missing_replacement;
  std::vector<std::string> tokens;
  if (text.empty()) return tokens;
  if (feature.comparison == Comparison::exact) {
    tokens.push_back(std::move(text));
    return tokens;
  }
  const auto n = static_cast<std::size_t>(feature.n);
  std::u32string word = detail::decode_utf8(text);
  if (n > 1) word = std::u32string(n - 1, U' ') + word + std::u32string(n - 1, U' ');
  if (word.size() < n) return tokens;
  tokens.reserve(word.size() - n + 1);
  for (std::size_t i = 0; i + n <= word.size(); ++i) {
    std::string gram = detail::encode_utf8(std::u32string_view(word).substr(i, n));
    tokens.push_back(feature.positional ? std::to_string(i + 1) + " " + gram : std::move(gram));
  }
  return tokens;
}

std::vector<int> bits_per_token(const Feature& feature, std::size_t tokens) {
  if (tokens == 0) return {};
  if (feature.strategy == Strategy::bits_per_token) return std::vector<int>(tokens, feature.bits);
  const auto bits = static_cast<std::size_t>(feature.bits);
  const std::size_t k = bits / tokens, residue = bits % tokens;
  std::vector<int> ks(tokens, static_cast<int>(k));
  for (std::size_t i = 0; i < residue; ++i) ks[i] = static_cast<int>(k + 1);
  return ks;
}

void double_hash(BitVector& filter, std::string_view token, int k, std::span<const std::uint8_t> key_sha1,
                 std::span<const std::uint8_t> key_md5, bool non_singular) {
  const std::size_t l = filter.size();
  const std::size_t h1 = mod_big_endian(detail::hmac_sha1(key_sha1, token), l);
  std::size_t h2 = mod_big_endian(detail::hmac_md5(key_md5, token), l);
  // clkhash issue #33: h2 ≡ 0 (mod l) sets one bit whatever k is; the non-singular variant
  // re-hashes the token with chr(0), chr(1)… appended until it is not.
  for (std::uint32_t i = 0; non_singular && h2 == 0; ++i)
    h2 = mod_big_endian(detail::hmac_md5(key_md5, std::string(token) + utf8_of(i)), l);
  for (int i = 0; i < k; ++i) filter.set((h1 + static_cast<std::size_t>(i) * h2) % l);
}

void blake_hash(BitVector& filter, std::string_view token, int k, std::span<const std::uint8_t> key) {
  const std::size_t l = filter.size();
  int done = 0;
  for (int mac = 0; done < k; ++mac) {
    const auto digest = detail::blake2b_keyed(key, std::to_string(mac), token);
    // struct.unpack('32H', digest): 32 unsigned shorts in the machine's (little-endian) order.
    for (int j = 0; j < 32 && done < k; ++j, ++done) {
      const std::size_t value = digest[static_cast<std::size_t>(2 * j)] |
                                (static_cast<std::size_t>(digest[static_cast<std::size_t>(2 * j + 1)]) << 8);
      filter.set(value % l);
    }
  }
}

BloomEncoder::BloomEncoder(Schema schema, std::span<const std::uint8_t> secret) : schema_(std::move(schema)) {
  const std::size_t count = schema_.features.size();
  const Bytes material = hkdf(secret, schema_.kdf_salt, schema_.kdf_info, 2 * count * schema_.key_size, schema_.kdf_hash);
  keys_.resize(count);
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t j = 0; j < 2; ++j) {
      const auto begin = material.begin() + static_cast<std::ptrdiff_t>((2 * i + j) * schema_.key_size);
      keys_[i][j].assign(begin, begin + static_cast<std::ptrdiff_t>(schema_.key_size));
    }
  if (schema_.balance) {
    const Bytes key = hkdf(secret, {}, bytes_of("smx-link/1 balance"), 32, "SHA256");
    permutation_ = keyed_permutation(2 * schema_.l, key);
  }
}

BitVector BloomEncoder::finish(BitVector filter) const {
  BitVector folded = fold_xor(filter, schema_.xor_folds);
  if (!schema_.balance) return folded;
  const std::size_t l = folded.size();
  BitVector balanced(2 * l);
  for (std::size_t i = 0; i < 2 * l; ++i) {
    const bool bit = i < l ? folded.test(i) : !folded.test(i - l);
    if (bit) balanced.set(permutation_[i]);
  }
  return balanced;
}

Encoding BloomEncoder::encode(const std::vector<std::string>& values, std::string_view salt) const {
  if (values.size() != schema_.features.size())
    throw std::invalid_argument("BloomEncoder::encode: one value per feature");
  const std::size_t hash_l = schema_.l << schema_.xor_folds;
  Encoding out;
  BitVector clk(hash_l);
  out.fields.resize(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const Feature& f = schema_.features[i];
    if (f.ignored) continue;
    std::vector<std::string> tokens = tokenize(f, values[i]);
    if (tokens.empty()) continue;  // a missing value: the field filter stays empty
    if (f.salted && !salt.empty())
      for (std::string& t : tokens) (t += detail::unit_separator) += salt;
    const std::vector<int> ks = bits_per_token(f, tokens.size());
    BitVector field(hash_l);
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      if (f.hash == HashKind::double_hash)
        double_hash(field, tokens[t], ks[t], keys_[i][0], keys_[i][1], f.prevent_singularity);
      else
        blake_hash(field, tokens[t], ks[t], keys_[i][0]);
    }
    clk |= field;
    out.fields[i] = finish(std::move(field));
  }
  out.clk = finish(std::move(clk));
  return out;
}

std::vector<std::string> BloomEncoder::values(const NormalizedPerson& person) const {
  std::vector<std::string> out;
  out.reserve(schema_.features.size());
  for (const Feature& f : schema_.features) out.emplace_back(f.ignored ? std::string_view{} : field_of(person, f.identifier));
  return out;
}

Encoding BloomEncoder::encode_person(const NormalizedPerson& person) const {
  const std::string_view year = person.birth_date.size() == 8 ? std::string_view(person.birth_date).substr(0, 4)
                                                               : std::string_view{};
  return encode(values(person), year);
}

}  // namespace smx::link
