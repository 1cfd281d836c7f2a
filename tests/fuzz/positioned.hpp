// Shared by the fuzz entry points whose parser reports errors as "NAME:LINE:COL: ...": true
// when `message` starts with `name`, ':', digits, ':', digits, ": ".
#pragma once
#include <string_view>

namespace smx_fuzz {

inline bool positioned(std::string_view message, std::string_view name) {
  if (message.substr(0, name.size()) != name) return false;
  std::size_t i = name.size();
  for (int part = 0; part < 2; ++part) {
    if (i >= message.size() || message[i] != ':') return false;
    ++i;
    const std::size_t digits = i;
    while (i < message.size() && message[i] >= '0' && message[i] <= '9') ++i;
    if (i == digits) return false;
  }
  return message.substr(i, 2) == ": ";
}

}  // namespace smx_fuzz
