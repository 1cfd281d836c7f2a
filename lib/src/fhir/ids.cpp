// Deterministic logical ids (SHA-256 through OpenSSL libcrypto) and HL7 DTM -> FHIR
// date/dateTime/instant.
#include <openssl/evp.h>

#include <chrono>

#include "smx/error.hpp"
#include "smx/fhir.hpp"

namespace smx::fhir {

namespace {

// One SHA-256 context per thread, with the algorithm fetched once: OpenSSL 3's one-shot SHA256()
// and EVP_Digest look the algorithm up by name on every call, which costs more than hashing an
// id key of a hundred bytes (make_id runs once per resource).
class Sha256 {
 public:
  Sha256() : algorithm_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), context_(EVP_MD_CTX_new()) {
    if (algorithm_ == nullptr || context_ == nullptr) throw config_error("OpenSSL libcrypto gives no SHA-256 (EVP_MD_fetch)");
  }
  ~Sha256() {
    EVP_MD_CTX_free(context_);
    EVP_MD_free(algorithm_);
  }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  std::string digest(std::string_view bytes) {
    std::string out(32, '\0');
    unsigned int length = 0;
    if (EVP_DigestInit_ex2(context_, algorithm_, nullptr) != 1 ||
        EVP_DigestUpdate(context_, bytes.data(), bytes.size()) != 1 ||
        EVP_DigestFinal_ex(context_, reinterpret_cast<unsigned char*>(out.data()), &length) != 1 || length != 32)
      throw config_error("OpenSSL libcrypto: SHA-256 failed");
    return out;
  }

 private:
  EVP_MD* algorithm_;
  EVP_MD_CTX* context_;
};

}  // namespace

std::string sha256(std::string_view bytes) {
  thread_local Sha256 hasher;
  return hasher.digest(bytes);
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

struct Dtm {
  int digits = 0;  // 4, 6, 8, 10, 12, 14
  std::string_view text;
  std::string_view fraction;  // digits after '.'
  std::string offset;         // "+09:00"
};

int number_at(std::string_view t, std::size_t at, std::size_t len) {
  int v = 0;
  for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (t[i] - '0');
  return v;
}

std::optional<Dtm> parse_dtm(std::string_view t) {
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  Dtm d;
  std::size_t i = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  if (i != 4 && i != 6 && i != 8 && i != 10 && i != 12 && i != 14) return std::nullopt;
  d.digits = static_cast<int>(i);
  d.text = t.substr(0, i);
  if (i < t.size() && t[i] == '.') {
    if (d.digits != 14) return std::nullopt;
    std::size_t s = ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == s || i - s > 4) return std::nullopt;
    d.fraction = t.substr(s, i - s);
  }
  if (i < t.size()) {
    if ((t[i] != '+' && t[i] != '-') || t.size() - i != 5) return std::nullopt;
    for (std::size_t k = i + 1; k < t.size(); ++k)
      if (t[k] < '0' || t[k] > '9') return std::nullopt;
    int hh = number_at(t, i + 1, 2), mm = number_at(t, i + 3, 2);
    if (hh > 14 || mm > 59 || (hh == 14 && mm != 0)) return std::nullopt;
    d.offset = std::string(1, t[i]) + std::string(t.substr(i + 1, 2)) + ":" + std::string(t.substr(i + 3, 2));
  } else {
    d.offset = "+09:00";
  }
  // Range checks.
  int year = number_at(t, 0, 4);
  if (year == 0) return std::nullopt;
  if (d.digits >= 6) {
    int month = number_at(t, 4, 2);
    if (month < 1 || month > 12) return std::nullopt;
    if (d.digits >= 8) {
      const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                             std::chrono::day{static_cast<unsigned>(number_at(t, 6, 2))}};
      if (!date.ok()) return std::nullopt;  // proleptic Gregorian (<chrono>)
    }
  }
  if (d.digits >= 10 && number_at(t, 8, 2) > 23) return std::nullopt;
  if (d.digits >= 12 && number_at(t, 10, 2) > 59) return std::nullopt;
  if (d.digits >= 14 && number_at(t, 12, 2) > 59) return std::nullopt;
  return d;
}

std::string date_part(const Dtm& d) {
  std::string out(d.text.substr(0, 4));
  if (d.digits >= 6) out.append("-").append(d.text.substr(4, 2));
  if (d.digits >= 8) out.append("-").append(d.text.substr(6, 2));
  return out;
}

std::string time_part(const Dtm& d) {
  std::string out = "T";
  out.append(d.text.substr(8, 2)).append(":");
  out.append(d.digits >= 12 ? d.text.substr(10, 2) : std::string_view("00")).append(":");
  out.append(d.digits >= 14 ? d.text.substr(12, 2) : std::string_view("00"));
  if (!d.fraction.empty()) out.append(".").append(d.fraction);
  out.append(d.offset);
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
