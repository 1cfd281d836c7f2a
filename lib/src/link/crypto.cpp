// Hashes, MACs and key derivation for smx link, all from OpenSSL libcrypto (design.md: every
// hash and HMAC). HKDF is RFC 5869 through EVP_KDF; BLAKE2b is the keyed BLAKE2BMAC with a
// salt, which is what Python's hashlib.blake2b(data, key=…, salt=…) computes for clkhash.
#include "link/internal.hpp"

#include <smx/error.hpp>
#include <smx/link.hpp>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace smx::link {

namespace {

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

[[noreturn]] void crypto_failure(const char* what) {
  // A libcrypto call that cannot fail with valid arguments did: the installation is broken.
  throw std::runtime_error(std::string("libcrypto: ") + what + " failed");
}

// HMAC with a digest EVP_MD; out must hold EVP_MD_size(md) bytes.
void hmac(const EVP_MD* md, std::span<const std::uint8_t> key, const void* data, std::size_t size,
          std::uint8_t* out) {
  unsigned int length = 0;
  // HMAC() is the one-shot interface that OpenSSL 3.0 keeps (the HMAC_CTX functions are the
  // deprecated ones). An empty key is valid HMAC; give it a non-null pointer.
  static const std::uint8_t nothing = 0;
  if (HMAC(md, key.empty() ? &nothing : key.data(), static_cast<int>(key.size()),
           static_cast<const unsigned char*>(data), size, out, &length) == nullptr)
    crypto_failure("HMAC");
}

}  // namespace

std::array<std::uint8_t, 32> hmac_sha256(std::span<const std::uint8_t> key, std::string_view data) {
  std::array<std::uint8_t, 32> out{};
  hmac(EVP_sha256(), key, data.data(), data.size(), out.data());
  return out;
}

std::array<std::uint8_t, 32> sha256(std::string_view data) {
  std::array<std::uint8_t, 32> out{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) != 1)
    crypto_failure("SHA-256");
  return out;
}

namespace detail {

std::array<std::uint8_t, 20> hmac_sha1(std::span<const std::uint8_t> key, std::string_view data) {
  std::array<std::uint8_t, 20> out{};
  hmac(EVP_sha1(), key, data.data(), data.size(), out.data());
  return out;
}

std::array<std::uint8_t, 16> hmac_md5(std::span<const std::uint8_t> key, std::string_view data) {
  std::array<std::uint8_t, 16> out{};
  hmac(EVP_md5(), key, data.data(), data.size(), out.data());
  return out;
}

std::array<std::uint8_t, 64> blake2b_keyed(std::span<const std::uint8_t> key,
                                           std::string_view salt, std::string_view data) {
  static const std::unique_ptr<EVP_MAC, MacDeleter> mac(EVP_MAC_fetch(nullptr, "BLAKE2BMAC", nullptr));
  if (!mac) crypto_failure("BLAKE2BMAC fetch");
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) crypto_failure("BLAKE2BMAC context");
  std::size_t size = 64;
  OSSL_PARAM params[3];
  // BLAKE2b pads a salt shorter than 16 bytes with zeros, as hashlib does.
  params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_SALT, const_cast<char*>(salt.data()),
                                                salt.size());
  params[1] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
  params[2] = OSSL_PARAM_construct_end();
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) crypto_failure("BLAKE2BMAC init");
  if (EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
    crypto_failure("BLAKE2BMAC update");
  std::array<std::uint8_t, 64> out{};
  std::size_t length = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &length, out.size()) != 1 || length != 64)
    crypto_failure("BLAKE2BMAC final");
  return out;
}

}  // namespace detail

Bytes hkdf(std::span<const std::uint8_t> secret, std::span<const std::uint8_t> salt,
           std::span<const std::uint8_t> info, std::size_t length, std::string_view hash) {
  const char* digest = nullptr;
  if (hash == "SHA256") digest = "SHA256";
  if (hash == "SHA512") digest = "SHA512";
  if (digest == nullptr) throw config_error("HKDF hash must be SHA256 or SHA512, not '" + std::string(hash) + "'");
  static const std::unique_ptr<EVP_KDF, MacDeleter> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) crypto_failure("HKDF fetch");
  std::unique_ptr<EVP_KDF_CTX, MacDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) crypto_failure("HKDF context");
  // RFC 5869 §2.2: an absent salt is HashLen zero bytes, which OpenSSL does when none is set;
  // an empty salt means the same (HMAC pads keys with zeros), so "none" and "" agree.
  static const std::uint8_t nothing = 0;
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(digest), 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(secret.empty() ? &nothing : secret.data()), secret.size());
  if (!salt.empty())
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    const_cast<std::uint8_t*>(salt.data()), salt.size());
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.empty() ? &nothing : info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  Bytes out(length);
  if (length == 0) return out;
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1)
    throw config_error("HKDF cannot derive " + std::to_string(length) + " bytes (at most 255 digests)");
  return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

// RFC 4648 §4 base64 with padding: clkhash serializes CLKs this way.
std::string base64_encode(std::span<const std::uint8_t> bytes) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out.push_back(alphabet[v >> 18]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  if (i < bytes.size()) {
    std::uint32_t v = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    out.push_back(alphabet[v >> 18]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int v[4];
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      const char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        v[j] = 0;
        ++padding;
        continue;
      }
      if (padding > 0) return std::nullopt;  // data after '='
      v[j] = value(c);
      if (v[j] < 0) return std::nullopt;
    }
    const std::uint32_t bits = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                               (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out.push_back(static_cast<std::uint8_t>(bits >> 16));
    if (padding < 2) out.push_back(static_cast<std::uint8_t>(bits >> 8));
    if (padding < 1) out.push_back(static_cast<std::uint8_t>(bits));
  }
  return out;
}

}  // namespace smx::link
