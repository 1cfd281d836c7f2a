// A per-thread memo of answers that depend only on a UCUM expression and the loaded essence
// (labnorm asks the same few spellings for every OBX). Bounded: cleared when it grows past
// `limit` entries or when asked about another essence.
#pragma once

#include <smx/units.hpp>

#include <string>
#include <string_view>
#include <unordered_map>

namespace smx::lab::detail {

// One memo per function: `Compute` is the function itself, so two callers never share answers.
template <auto Compute>
const auto& per_expression(const units::Essence& essence, std::string_view expression, std::size_t limit = 65536) {
  using Answer = decltype(Compute(essence, expression));
  struct Cache {
    const units::Essence* essence = nullptr;
    std::unordered_map<std::string, Answer> answers;
  };
  thread_local Cache cache;
  if (cache.essence != &essence || cache.answers.size() > limit) {
    cache.essence = &essence;
    cache.answers.clear();
  }
  std::string key(expression);
  if (auto it = cache.answers.find(key); it != cache.answers.end()) return it->second;
  return cache.answers.emplace(std::move(key), Compute(essence, expression)).first->second;
}

}  // namespace smx::lab::detail
