// Shared by the fuzz entry points whose parser reports errors as "NAME:LINE:COL: ...":
// positioned() is true when `message` starts with `name`, ':', digits, ':', digits, ": ".
#pragma once
#include <string_view>

namespace smx_fuzz {

// True when message[i...] is ':', digits, ':', digits, ": ".
inline bool line_col_at(std::string_view message, std::size_t i) {
  for (int part = 0; part < 2; ++part) {
    if (i >= message.size() || message[i] != ':') return false;
    ++i;
    const std::size_t digits = i;
    while (i < message.size() && message[i] >= '0' && message[i] <= '9') ++i;
    if (i == digits) return false;
  }
  return message.substr(i, 2) == ": ";
}

inline bool positioned(std::string_view message, std::string_view name) {
  return message.substr(0, name.size()) == name && line_col_at(message, name.size());
}

}  // namespace smx_fuzz
