// Deterministic logical ids (SHA-256 through OpenSSL libcrypto) and HL7 DTM -> FHIR
// date/dateTime/instant.
#include <openssl/evp.h>


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
