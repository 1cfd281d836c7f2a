// libFuzzer entry point: charset detection and conversion. detect_charset never fails; to_utf8
// either refuses or yields valid UTF-8 (checked against the SIMD is_valid_utf8 and against a
// plain reference decoder here); the fast ASCII/UTF-8 checks agree with the reference; names
// round-trip; HL7 ISO-2022 fragments (\Cxxyy\ \Mxxyyzz\) decode to valid UTF-8 or refuse.
#include <smx/charset.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// Reference UTF-8 validation (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  while (i < s.size()) {
    const unsigned char c = byte(i);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const unsigned char t = byte(i + k);
      if ((t & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (t & 0x3Fu);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

bool reference_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

constexpr smx::Charset kAll[] = {smx::Charset::ascii,     smx::Charset::utf8,   smx::Charset::iso2022jp,
                                 smx::Charset::shift_jis, smx::Charset::euc_jp, smx::Charset::unknown};
constexpr std::string_view kHints[] = {"", "ISO IR87", "UNICODE UTF-8", "SHIFT_JIS", "EUC-JP", "ISO IR6"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view hint = kHints[data[0] % std::size(kHints)];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  check(smx::is_valid_utf8(bytes) == reference_utf8(bytes));
  check(smx::is_ascii(bytes) == reference_ascii(bytes));

  const smx::Charset detected = smx::detect_charset(bytes, hint);
  if (detected == smx::Charset::ascii) check(reference_ascii(bytes));
  // utf8 may also mean "broken UTF-8" (a BOM, or mostly well-formed sequences): by design the
  // conversion then refuses, which the loop below checks like any other refusal.

  std::string out;
  std::vector<smx::CharsetFinding> findings;
  for (smx::Charset charset : kAll) {
    out.assign("prefix");  // to_utf8 appends; on refusal nothing new may be added
    findings.clear();
    const bool ok = smx::to_utf8(bytes, charset, out, findings);
    check(out.compare(0, 6, "prefix") == 0);
    if (ok) {
      check(smx::is_valid_utf8(out));
      check(reference_utf8(out));
    } else {
      check(out.size() == 6);
    }
    for (const auto& finding : findings) check(finding.offset <= bytes.size());
    check(smx::charset_from_name(smx::charset_name(charset)) == charset);
  }
  (void)smx::charset_from_name(bytes);

  // An HL7 character-set switch: the first 4 or 6 bytes as the escape's hex, the rest as text.
  if (bytes.size() >= 6) {
    const std::size_t n = (data[0] & 0x80) ? 6 : 4;
    out.clear();
    if (smx::iso2022_fragment_to_utf8(bytes.substr(0, n), bytes.substr(n), out)) check(reference_utf8(out));
  }
  return 0;
}
