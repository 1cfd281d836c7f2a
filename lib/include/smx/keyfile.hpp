// lib/io: secret key files (smx link --key, smx deid's key once issue 13 lands on main).
//
// A key file holds exactly `size` raw bytes (32 for smx: HKDF-SHA256 input keying material,
// RFC 5869 §3.1 recommends at least the hash length) and should be readable by its owner only
// (mode 0600). The key is never printed; a fingerprint names it in reports.
#pragma once
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace smx {

inline constexpr std::size_t kKeyFileBytes = 32;

struct KeyFile {
  std::vector<std::uint8_t> bytes;
  bool readable_by_others = false;  // group or other permission bits set: the caller warns
};

// Throws io_error "[KEY-MISSING]" (no such file), "[KEY-UNREADABLE]" (not a regular file, or
// read failed), config_error "[KEY-SIZE]" (not exactly `size` bytes). Messages name the path,
// never the content.
KeyFile read_key_file(const std::filesystem::path& path, std::size_t size = kKeyFileBytes);

// Writes `size` bytes from OpenSSL's RAND_bytes to a new file created with mode 0600 (O_EXCL:
// an existing file is never overwritten, io_error "[KEY-EXISTS]").
void write_new_key_file(const std::filesystem::path& path, std::size_t size = kKeyFileBytes);

}  // namespace smx
