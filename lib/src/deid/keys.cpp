// Key file, HKDF sub-keys, HMAC pseudonyms, collision detection (OpenSSL libcrypto 3).
#include "smx/deid.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace smx::deid {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

// Writes all of `data` to `fd`; false with errno set on failure.
bool write_all(int fd, const unsigned char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

// ---- Key ---------------------------------------------------------------------------------------

Key Key::from_bytes(std::string_view bytes) {
  if (bytes.size() != kKeyBytes)
    throw config_error("[DEID-KEY-SIZE] a key is " + std::to_string(kKeyBytes) + " bytes, not " +
                       std::to_string(bytes.size()) + " (make one with smx deid --new-key FILE)");
  Key key;
  std::memcpy(key.bytes_.data(), bytes.data(), kKeyBytes);
  return key;
}

Key::~Key() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

std::string Key::fingerprint() const {
  const Digest mac = hmac_sha256(bytes_, "smx-deid key fingerprint v1");
  return hex(mac.data(), 8);
}

void new_key(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST)
      throw io_error("[DEID-KEY-EXISTS] " + path.string() + " exists; a key file is never overwritten");
    throw io_error("[DEID-KEY-WRITE] cannot create " + path.string() + ": " + errno_text(error));
  }
  Digest bytes{};
  bool ok = RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) == 1;
  std::string reason = ok ? "" : "RAND_bytes failed (no entropy source?)";
  // The umask may have cleared bits of 0600 but never added any; fchmod makes it exactly 0600.
  if (ok && ::fchmod(fd, S_IRUSR | S_IWUSR) != 0) ok = false, reason = errno_text(errno);
  if (ok && !write_all(fd, bytes.data(), bytes.size())) ok = false, reason = errno_text(errno);
  if (ok && ::fsync(fd) != 0) ok = false, reason = errno_text(errno);
  if (::close(fd) != 0 && ok) ok = false, reason = errno_text(errno);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (!ok) {
    ::unlink(path.c_str());
    throw io_error("[DEID-KEY-WRITE] cannot write " + path.string() + ": " + reason);
  }
}

Key load_key(const std::filesystem::path& path, KeyFileInfo* info) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT)
      throw io_error("[DEID-KEY-MISSING] no key file " + path.string() +
                     " (make one with smx deid --new-key FILE)");
    throw io_error("[DEID-KEY-UNREADABLE] cannot read key file " + path.string() + ": " + errno_text(error));
  }
  if (!S_ISREG(st.st_mode))
    throw io_error("[DEID-KEY-UNREADABLE] key file " + path.string() + " is not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw io_error("[DEID-KEY-UNREADABLE] cannot read key file " + path.string() + ": " + errno_text(errno));
  std::string bytes(kKeyBytes + 1, '\0');  // one more, to see a file that is too long
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw io_error("[DEID-KEY-UNREADABLE] cannot read key file " + path.string() + ": " + errno_text(error));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (info) info->readable_by_others = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
  bytes.resize(got);
  try {
    Key key = Key::from_bytes(bytes);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return key;
  } catch (...) {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    throw;
  }
}

// ---- primitives ----------------------------------------------------------------------------------

Digest hmac_sha256(const Digest& key, std::string_view data) {
  Digest out{};
  unsigned int size = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &size) ||
      size != out.size())
    throw io_error("[DEID-CRYPTO] HMAC-SHA256 failed in libcrypto");
  return out;
}

Digest sha256(std::string_view data) {
  Digest out{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != out.size())
    throw io_error("[DEID-CRYPTO] SHA-256 failed in libcrypto");
  return out;
}

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0F];
  }
  return out;
}

// ---- Keyring -------------------------------------------------------------------------------------

Keyring::Keyring(const Key& key, std::string_view release)
    : key_(key), release_(release), fingerprint_(key.fingerprint()) {}

Digest hkdf_sha256(std::string_view key, std::string_view salt, std::string_view info) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  if (!ctx) throw io_error("[DEID-CRYPTO] HKDF is not available in libcrypto");
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char*>(key.data()), key.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  Digest out{};
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) throw io_error("[DEID-CRYPTO] HKDF-SHA256 failed in libcrypto");
  return out;
}

Digest Keyring::subkey(std::string_view use) const {
  std::string info = release_;
  info += '\0';
  info += use;
  const std::string_view key(reinterpret_cast<const char*>(key_.bytes().data()), key_.bytes().size());
  return hkdf_sha256(key, "smx-deid/1", info);
}

// ---- pseudonyms ----------------------------------------------------------------------------------

PseudonymShape parse_pseudonym_shape(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  const std::string_view number = colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  PseudonymShape shape;
  int max = 0;
  if (kind == "digits") {
    shape.kind = PseudonymShape::Kind::digits;
    max = 38;
  } else if (kind == "hex") {
    shape.kind = PseudonymShape::Kind::hex;
    max = 64;
  } else {
    throw usage_error("pseudonym shape '" + std::string(text) + "' is not digits:N or hex:N");
  }
  int length = 0;
  bool digits = !number.empty() && number.size() <= 3;
  for (char c : number) {  // at most 3 digits are summed: a longer number never overflows
    if (c < '0' || c > '9') digits = false;
    else if (digits) length = length * 10 + (c - '0');
  }
  if (!digits || length < 6 || length > max)
    throw usage_error("pseudonym shape '" + std::string(text) + "': length must be 6 to " +
                      std::to_string(max) + " (SS-MIX2 folders need at least 6 characters)");
  shape.length = length;
  return shape;
}

std::string format_pseudonym(const Digest& mac, const PseudonymShape& shape) {
  if (shape.kind == PseudonymShape::Kind::hex)
    return hex(mac.data(), mac.size()).substr(0, static_cast<std::size_t>(shape.length));
  // The first 16 bytes as a big-endian number; its `length` lowest decimal digits by repeated
  // long division by 10.
  std::array<unsigned, 16> number{};
  for (std::size_t i = 0; i < number.size(); ++i) number[i] = mac[i];
  std::string digits(static_cast<std::size_t>(shape.length), '0');
  for (int d = shape.length - 1; d >= 0; --d) {
    unsigned remainder = 0;
    for (unsigned& byte : number) {
      const unsigned value = remainder * 256 + byte;
      byte = value / 10;
      remainder = value % 10;
    }
    digits[static_cast<std::size_t>(d)] = static_cast<char>('0' + remainder);
  }
  return digits;
}

bool CollisionDetector::observe(std::string_view purpose, const Pseudonym& pseudonym) {
  std::string key(purpose);
  key += '\0';
  key += pseudonym.text;
  std::lock_guard lock(mutex_);
  const auto [it, inserted] = seen_.emplace(std::move(key), pseudonym.mac);
  if (inserted || it->second == pseudonym.mac) return false;
  ++collisions_;
  return true;
}

std::size_t CollisionDetector::collisions() const {
  std::lock_guard lock(mutex_);
  return collisions_;
}

std::size_t CollisionDetector::distinct() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

// ---- shift ---------------------------------------------------------------------------------------

ShiftRange parse_shift_range(std::string_view text) {
  const auto parse = [&](std::string_view part, int& out) {
    std::size_t i = 0;
    bool negative = false;
    if (i < part.size() && (part[i] == '-' || part[i] == '+')) negative = part[i++] == '-';
    if (i == part.size() || part.size() - i > 5) return false;
    int value = 0;
    for (; i < part.size(); ++i) {
      if (part[i] < '0' || part[i] > '9') return false;
      value = value * 10 + (part[i] - '0');
    }
    out = negative ? -value : value;
    return value <= 36500;
  };
  const auto colon = text.find(':');
  ShiftRange range;
  if (colon == std::string_view::npos || !parse(text.substr(0, colon), range.min_days) ||
      !parse(text.substr(colon + 1), range.max_days) || range.min_days > range.max_days)
    throw usage_error("shift range '" + std::string(text) +
                      "' is not MIN:MAX in days (MIN <= MAX, at most 36500 days either way)");
  range.allow_zero = range.min_days == 0 && range.max_days == 0;
  return range;
}

int shift_from_bits(std::uint64_t bits, const ShiftRange& range) {
  const bool skip_zero = !range.allow_zero && range.min_days <= 0 && range.max_days >= 0;
  const std::uint64_t span =
      static_cast<std::uint64_t>(static_cast<std::int64_t>(range.max_days) - range.min_days + 1) -
      (skip_zero ? 1 : 0);
  if (span == 0) return 0;  // only reachable for 0:0, which sets allow_zero
  const auto offset = static_cast<std::int64_t>(bits % span);
  std::int64_t days = range.min_days + offset;
  if (skip_zero && days >= 0) ++days;  // the values from 0 up move one step, skipping 0
  return static_cast<int>(days);
}

}  // namespace smx::deid
