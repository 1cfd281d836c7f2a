// Helpers shared by the charset sources (not public API).
#pragma once
#include "smx/charset.hpp"

namespace smx::detail {

// True when `bytes` holds one of the ISO-2022-JP designations ESC $ B, ESC $ @, ESC ( B,
// ESC ( J or ESC ( I.
bool has_iso2022jp_escape(std::string_view bytes);
// Lead/trail byte structure of CP932 (not whether each code is assigned).
bool is_valid_shift_jis_structure(std::string_view bytes);
// Byte structure of EUC-JP (G1 JIS X 0208, SS2 katakana, SS3 JIS X 0212).
bool is_valid_euc_jp_structure(std::string_view bytes);

}  // namespace smx::detail
