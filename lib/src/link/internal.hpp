// Internals shared by the files of lib/src/link (not part of the public API).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace smx::link::detail {

// clkhash's doubleHash uses HMAC-SHA1 and HMAC-MD5 (data61/clkhash clkhash/bloomfilter.py).
std::array<std::uint8_t, 20> hmac_sha1(std::span<const std::uint8_t> key, std::string_view data);
std::array<std::uint8_t, 16> hmac_md5(std::span<const std::uint8_t> key, std::string_view data);
// Keyed BLAKE2b-512 with a salt (at most 16 bytes, zero-padded), as hashlib.blake2b.
std::array<std::uint8_t, 64> blake2b_keyed(std::span<const std::uint8_t> key, std::string_view salt,
                                           std::string_view data);

// UTF-8 <-> code points through ICU's U8_NEXT / U8_APPEND; ill-formed bytes become U+FFFD.
std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);
// ICU NFKC (or NFKC_Casefold) of UTF-8 text.
std::string nfkc(std::string_view text, bool casefold = false);

// Tokens join their fields with U+001F (unit separator), which no normalized field contains.
constexpr char unit_separator = '\x1f';

}  // namespace smx::link::detail
