// Helpers shared by the charset sources (not public API).
#pragma once
#include <unicode/ucnv.h>

#include "smx/charset.hpp"

namespace smx::detail {

// The ICU converters smx uses. ISO-2022-JP is read with version=3 (JIS X 0208, JIS X 0212,
// half-width katakana: everything the detector reports) and written with version=0 (plain RFC
// 1468: only ESC ( B and ESC $ B, SS-MIX2 reference §5).
enum class IcuConverter { iso2022jp_read, iso2022jp_write, cp932, euc_jp, count };
// The calling thread's converter of that kind, reset, with STOP callbacks both ways (a byte or a
// character the charset cannot carry fails the call, never becomes U+FFFD, '?' or a look-alike).
// ICU converters are expensive to open and cheap to reset, so each thread opens each kind once
// and closes it when the thread ends. nullptr when ICU cannot open it.
UConverter* icu_converter(IcuConverter kind);

// True when `bytes` holds one of the ISO-2022-JP designations ESC $ B, ESC $ @, ESC ( B,
// ESC ( J or ESC ( I.
bool has_iso2022jp_escape(std::string_view bytes);
// Lead/trail byte structure of CP932 (not whether each code is assigned).
bool is_valid_shift_jis_structure(std::string_view bytes);
// Byte structure of EUC-JP (G1 JIS X 0208, SS2 katakana, SS3 JIS X 0212).
bool is_valid_euc_jp_structure(std::string_view bytes);

}  // namespace smx::detail
