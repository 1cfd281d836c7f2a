// UTF-8 -> ISO-2022-JP / CP932 for writers (smx gen). The decoder (convert.cpp) documents the
// converters; this is the same pair in the other direction.
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "charset/internal.hpp"
#include "smx/charset.hpp"

namespace smx {
namespace {

// ICU maps six JIS X 0208 codes to the Microsoft code points (convert.cpp); to_utf8 gives the
// JIS ones back. Writing the JIS code point as its Microsoft twin makes the round trip exact.
UChar microsoft_twin(UChar unit) {
  switch (unit) {
    case 0x301C: return 0xFF5E;  // WAVE DASH            JIS 0x2141
    case 0x2016: return 0x2225;  // DOUBLE VERTICAL LINE JIS 0x2142
    case 0x2212: return 0xFF0D;  // MINUS SIGN           JIS 0x215D
    case 0x00A2: return 0xFFE0;  // CENT SIGN            JIS 0x2171
    case 0x00A3: return 0xFFE1;  // POUND SIGN           JIS 0x2172
    case 0x00AC: return 0xFFE2;  // NOT SIGN             JIS 0x224C
    default: return unit;
  }
}

}  // namespace

bool from_utf8(std::string_view utf8, Charset charset, std::string& out) {
  switch (charset) {
    case Charset::ascii:
      if (!is_ascii(utf8)) return false;
      out.append(utf8);
      return true;
    case Charset::utf8:
      if (!is_valid_utf8(utf8)) return false;
      out.append(utf8);
      return true;
    case Charset::iso2022jp:
    case Charset::shift_jis:
      break;
    default:
      return false;
  }
  if (is_ascii(utf8)) {  // both charsets are ASCII below 0x80 (CP932 0x5C and 0x7E included)
    out.append(utf8);
    return true;
  }
  thread_local std::vector<UChar> utf16;
  if (utf16.size() < utf8.size() + 1) utf16.resize(utf8.size() + 1);
  std::int32_t length = 0;
  UErrorCode status = U_ZERO_ERROR;
  u_strFromUTF8(utf16.data(), static_cast<std::int32_t>(utf16.size()), &length, utf8.data(),
                static_cast<std::int32_t>(utf8.size()), &status);
  if (U_FAILURE(status)) return false;
  for (std::int32_t i = 0; i < length; ++i) utf16[i] = microsoft_twin(utf16[i]);

  UConverter* converter = detail::icu_converter(charset == Charset::iso2022jp ? detail::IcuConverter::iso2022jp_write
                                                                             : detail::IcuConverter::cp932);
  if (converter == nullptr) return false;
  std::size_t start = out.size();
  // ISO-2022-JP: 2 bytes per UTF-16 unit plus escapes around each switch; CP932: at most 2.
  std::size_t capacity = static_cast<std::size_t>(length) * 4 + 16;
  out.resize(start + capacity);
  char* target = out.data() + start;
  const UChar* source = utf16.data();
  status = U_ZERO_ERROR;
  ucnv_fromUnicode(converter, &target, out.data() + out.size(), &source, utf16.data() + length,
                   nullptr, true, &status);
  if (U_FAILURE(status)) {
    out.resize(start);
    return false;
  }
  out.resize(static_cast<std::size_t>(target - out.data()));
  return true;
}

// ---------------------------------------------------------------------------------------------

struct CharsetEncoder::Cache {
  std::unordered_map<std::int32_t, std::string> bytes;  // code point -> its bytes (no shifts); looked up only
};

CharsetEncoder::CharsetEncoder(Charset charset) : charset_(charset), cache_(std::make_unique<Cache>()) {}
CharsetEncoder::~CharsetEncoder() = default;

// The bytes of one character in the charset (for ISO-2022-JP the two JIS X 0208 bytes, without
// the shifts), or nullptr when the charset cannot carry it.
const std::string* CharsetEncoder::lookup(std::int32_t code_point, std::string_view character) {
  auto found = cache_->bytes.find(code_point);
  if (found != cache_->bytes.end()) return &found->second;
  std::string bytes;
  if (!from_utf8(character, charset_, bytes)) return nullptr;
  if (charset_ == Charset::iso2022jp) {
    // ESC $ B b1 b2 ESC ( B: keep the two JIS X 0208 bytes; encode() writes the shifts.
    if (bytes.size() != 8 || bytes.compare(0, 3, "\x1B$B") != 0) return nullptr;
    bytes = bytes.substr(3, 2);
  }
  return &cache_->bytes.emplace(code_point, std::move(bytes)).first->second;
}

bool CharsetEncoder::encode(std::string_view utf8, std::string& out) {
  failed_.clear();
  if (charset_ == Charset::utf8) {
    if (!is_valid_utf8(utf8)) return false;
    out.append(utf8);
    return true;
  }
  const std::size_t start = out.size();
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<std::int32_t>(utf8.size());
  bool jis = false;  // ISO-2022-JP: inside ESC $ B
  for (std::int32_t i = 0; i < length;) {
    const std::int32_t at = i;
    UChar32 code_point = 0;
    U8_NEXT(bytes, i, length, code_point);
    if (code_point < 0) {
      out.resize(start);
      return false;
    }
    if (code_point < 0x80) {
      if (jis) {
        out.append("\x1B(B");
        jis = false;
      }
      out.push_back(static_cast<char>(code_point));
      continue;
    }
    std::string_view character = utf8.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(i - at));
    const std::string* encoded = lookup(code_point, character);
    if (encoded == nullptr) {
      failed_.assign(character);
      out.resize(start);
      return false;
    }
    if (charset_ == Charset::iso2022jp && !jis) {
      out.append("\x1B$B");
      jis = true;
    }
    out.append(*encoded);
  }
  if (jis) out.append("\x1B(B");  // every run ends in ASCII (RFC 1468)
  return true;
}

}  // namespace smx
