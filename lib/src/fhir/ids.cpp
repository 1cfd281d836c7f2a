// Deterministic logical ids (SHA-256, FIPS 180-4) and HL7 DTM -> FHIR date/dateTime/instant.
#include <array>
#include <cstring>

#include "smx/fhir.hpp"

namespace smx::fhir {

namespace {

constexpr std::array<std::uint32_t, 64> kRound = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
  std::uint32_t w[64];
  for (int i = 0; i < 16; ++i)
    w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
           (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
  for (int i = 16; i < 64; ++i) {
    std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
    std::uint32_t ch = (e & f) ^ (~e & g);
    std::uint32_t t1 = k + s1 + ch + kRound[i] + w[i];
    std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
    std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
    std::uint32_t t2 = s0 + maj;
    k = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

}  // namespace

std::string sha256(std::string_view bytes) {
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  std::size_t full = n / 64;
  for (std::size_t i = 0; i < full; ++i) compress(h, p + 64 * i);
  unsigned char tail[128] = {};
  std::size_t rest = n - 64 * full;
  if (rest) std::memcpy(tail, p + 64 * full, rest);
  tail[rest] = 0x80;
  std::size_t tail_len = rest + 1 + 8 <= 64 ? 64 : 128;
  std::uint64_t bits = static_cast<std::uint64_t>(n) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
  compress(h, tail);
  if (tail_len == 128) compress(h, tail + 64);
  std::string out(32, '\0');
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<char>(h[i] >> (24 - 8 * j));
  return out;
}

std::string make_id(const std::vector<std::string_view>& parts) {
  std::string key;
  key.reserve(128);
  for (std::string_view part : parts) {
    // Length prefix: ("ab","c") and ("a","bc") must not collide.
    auto len = static_cast<std::uint32_t>(part.size());
    for (int i = 0; i < 4; ++i) key.push_back(static_cast<char>(len >> (8 * i)));
    key.append(part);
  }
  std::string digest = sha256(key);
  static const char* hex = "0123456789abcdef";
  std::string id(32, '0');
  for (int i = 0; i < 16; ++i) {
    auto b = static_cast<unsigned char>(digest[i]);
    id[2 * i] = hex[b >> 4];
    id[2 * i + 1] = hex[b & 15];
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// DTM

namespace {

// FHIR dateTime needs a real clock time: hours 24-47 (hl7::DtmStatus::hour_24_47) are not
// converted. Spaces around the value are ignored; no offset means Japan (+09:00), as SS-MIX2
// sends none (reference §5, MSH-7).
std::optional<hl7::Dtm> parse_dtm(std::string_view t) {
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  hl7::Dtm d = hl7::parse_dtm(t);
  if (!d.ok()) return std::nullopt;
  return d;
}

std::string offset_text(const hl7::Dtm& d) {
  if (!d.has_offset) return "+09:00";
  return std::string(d.offset.substr(0, 3)) + ":" + std::string(d.offset.substr(3, 2));
}

std::string date_part(const hl7::Dtm& d) {
  std::string out(d.text.substr(0, 4));
  if (d.digits >= 6) out.append("-").append(d.text.substr(4, 2));
  if (d.digits >= 8) out.append("-").append(d.text.substr(6, 2));
  return out;
}

std::string time_part(const hl7::Dtm& d) {
  std::string out = "T";
  out.append(d.text.substr(8, 2)).append(":");
  out.append(d.digits >= 12 ? d.text.substr(10, 2) : std::string_view("00")).append(":");
  out.append(d.digits >= 14 ? d.text.substr(12, 2) : std::string_view("00"));
  if (!d.fraction.empty()) out.append(".").append(d.fraction);
  out.append(offset_text(d));
  return out;
}

}  // namespace

std::optional<std::string> dtm_to_date_time(std::string_view dtm) {
  auto d = parse_dtm(dtm);
  if (!d) return std::nullopt;
  std::string out = date_part(*d);
  if (d->digits >= 10) out += time_part(*d);
  return out;
}

std::optional<std::string> dtm_to_date(std::string_view dtm) {
  auto d = parse_dtm(dtm);
  if (!d) return std::nullopt;
  return date_part(*d);
}

std::optional<std::string> dtm_to_instant(std::string_view dtm) {
  auto d = parse_dtm(dtm);
  if (!d || d->digits < 12) return std::nullopt;
  return date_part(*d) + time_part(*d);
}

}  // namespace smx::fhir
