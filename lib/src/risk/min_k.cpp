// k enforcement: global recoding over a lattice of generalization levels, plus suppression.
#include "smx/risk.hpp"

#include <algorithm>
#include <limits>

namespace smx::risk {

Hierarchy mask_hierarchy(std::string name, int levels) {
  return Hierarchy{std::move(name), levels, [](std::string_view value, int level) {
                     std::string out(value);
                     const std::size_t n = std::min(out.size(), static_cast<std::size_t>(level));
                     for (std::size_t i = out.size() - n; i < out.size(); ++i) out[i] = '*';
                     return out;
                   }};
}

Hierarchy prefix_hierarchy(std::string name, std::vector<std::size_t> prefix_lengths) {
  const int levels = static_cast<int>(prefix_lengths.size()) + 1;
  return Hierarchy{std::move(name), levels, [prefix_lengths](std::string_view value, int level) {
                     if (level == 0) return std::string(value);
                     if (static_cast<std::size_t>(level) > prefix_lengths.size()) return std::string("*");
                     const std::size_t keep = prefix_lengths[static_cast<std::size_t>(level) - 1];
                     if (keep >= value.size()) return std::string(value);
                     return std::string(value.substr(0, keep)) + "*";
                   }};
}

Hierarchy table_hierarchy(std::string name, std::map<std::string, std::vector<std::string>> table) {
  std::size_t depth = 0;
  for (const auto& [value, row] : table) depth = std::max(depth, row.size());
  return Hierarchy{std::move(name), static_cast<int>(depth), [table = std::move(table)](std::string_view value, int level) {
                     if (level == 0) return std::string(value);
                     const auto it = table.find(std::string(value));
                     if (it == table.end() || static_cast<std::size_t>(level) > it->second.size()) return std::string("*");
                     return it->second[static_cast<std::size_t>(level) - 1];
                   }};
}

namespace {

// Every record's values as small integers per level, so that a lattice node is judged by hashing
// integer tuples instead of calling the hierarchies again.
struct Encoded {
  // ids[q][level][record]
  std::vector<std::vector<std::vector<std::uint32_t>>> ids;
  std::vector<std::vector<std::vector<std::string>>> names;  // names[q][level][id]
};

Encoded encode(const std::vector<Record>& records, const std::vector<Hierarchy>& hierarchies) {
  Encoded e;
  e.ids.resize(hierarchies.size());
  e.names.resize(hierarchies.size());
  for (std::size_t q = 0; q < hierarchies.size(); ++q) {
    const Hierarchy& h = hierarchies[q];
    e.ids[q].resize(static_cast<std::size_t>(h.levels) + 1);
    e.names[q].resize(static_cast<std::size_t>(h.levels) + 1);
    for (int level = 0; level <= h.levels; ++level) {
      std::unordered_map<std::string, std::uint32_t> interned;
      auto& ids = e.ids[q][static_cast<std::size_t>(level)];
      auto& names = e.names[q][static_cast<std::size_t>(level)];
      ids.reserve(records.size());
      for (const Record& r : records) {
        std::string value = h.generalize(q < r.size() ? r[q] : std::string(), level);
        const auto [it, inserted] = interned.emplace(value, static_cast<std::uint32_t>(names.size()));
        if (inserted) names.push_back(std::move(value));
        ids.push_back(it->second);
      }
    }
  }
  return e;
}

// Class size of each record at `levels`.
std::vector<std::uint64_t> class_sizes(const Encoded& e, const std::vector<int>& levels, std::size_t n) {
  std::unordered_map<std::string, std::uint64_t> counts;
  std::vector<std::string> keys(n);
  for (std::size_t r = 0; r < n; ++r) {
    std::string& key = keys[r];
    for (std::size_t q = 0; q < levels.size(); ++q) {
      const std::uint32_t id = e.ids[q][static_cast<std::size_t>(levels[q])][r];
      key.append(reinterpret_cast<const char*>(&id), sizeof id);
    }
    ++counts[key];
  }
  std::vector<std::uint64_t> sizes(n);
  for (std::size_t r = 0; r < n; ++r) sizes[r] = counts[keys[r]];
  return sizes;
}

std::uint64_t k_min(const std::vector<std::uint64_t>& sizes) {
  std::uint64_t k = std::numeric_limits<std::uint64_t>::max();
  for (std::uint64_t s : sizes) k = std::min(k, s);
  return sizes.empty() ? 0 : k;
}

std::uint64_t class_count(const std::vector<std::uint64_t>& sizes) {
  double classes = 0;
  for (std::uint64_t s : sizes) classes += 1.0 / static_cast<double>(s);
  return static_cast<std::uint64_t>(classes + 0.5);
}

// Calls fn for every levels vector with sum `total` in lexicographic order; stops when fn is true.
bool for_each_with_sum(const std::vector<Hierarchy>& h, std::vector<int>& levels, std::size_t q, int remaining,
                       const std::function<bool(const std::vector<int>&)>& fn) {
  if (q + 1 == h.size()) {
    if (remaining > h[q].levels) return false;
    levels[q] = remaining;
    return fn(levels);
  }
  for (int level = 0; level <= std::min(remaining, h[q].levels); ++level) {
    levels[q] = level;
    if (for_each_with_sum(h, levels, q + 1, remaining - level, fn)) return true;
  }
  return false;
}

}  // namespace

MinKResult enforce_min_k(const std::vector<Record>& records, const std::vector<Hierarchy>& hierarchies,
                         const MinKOptions& options) {
  MinKResult result;
  const std::size_t n = records.size();
  result.levels.assign(hierarchies.size(), 0);
  if (n == 0 || hierarchies.empty()) {
    result.records = records;
    result.satisfied = n == 0 || n >= options.k;
    return result;
  }
  const Encoded encoded = encode(records, hierarchies);
  const std::vector<std::uint64_t> before = class_sizes(encoded, result.levels, n);
  result.k_min_before = k_min(before);
  result.classes_before = class_count(before);
  const auto allowed = static_cast<std::uint64_t>(options.max_suppression * static_cast<double>(n) + 1e-9);

  int top = 0;
  for (const Hierarchy& h : hierarchies) top += h.levels;
  std::vector<int> levels(hierarchies.size(), 0);
  std::vector<std::uint64_t> chosen_sizes;
  bool found = false;
  for (int total = 0; total <= top && !found; ++total) {
    found = for_each_with_sum(hierarchies, levels, 0, total, [&](const std::vector<int>& node) {
      ++result.nodes_tried;
      std::vector<std::uint64_t> sizes = class_sizes(encoded, node, n);
      std::uint64_t small = 0;
      for (std::uint64_t s : sizes) small += s < options.k ? 1 : 0;
      if (small > allowed) return false;
      result.levels = node;
      chosen_sizes = std::move(sizes);
      return true;
    });
  }
  if (!found) {  // even the top node leaves classes below k: fewer records than k
    for (std::size_t q = 0; q < hierarchies.size(); ++q) result.levels[q] = hierarchies[q].levels;
    chosen_sizes = class_sizes(encoded, result.levels, n);
  }
  result.records.reserve(n);
  for (std::size_t r = 0; r < n; ++r) {
    Record out;
    const bool suppress = chosen_sizes[r] < options.k;
    for (std::size_t q = 0; q < hierarchies.size(); ++q) {
      const auto level = static_cast<std::size_t>(result.levels[q]);
      out.push_back(suppress ? std::string("*") : encoded.names[q][level][encoded.ids[q][level][r]]);
    }
    if (suppress) result.suppressed.push_back(r);
    result.records.push_back(std::move(out));
  }
  // Suppressed records leave the release (ARX counts them as outliers, outside every class).
  EquivalenceClasses after;
  for (std::size_t r = 0; r < n; ++r)
    if (chosen_sizes[r] >= options.k) after.add(result.records[r]);
  const SampleSummary summary = summarize(after.histogram(), {});
  result.k_min_after = summary.k_min;
  result.classes_after = summary.classes;
  result.satisfied = found && (summary.classes == 0 ? n >= options.k : summary.k_min >= options.k);
  return result;
}

std::string MinKResult::describe(const std::vector<Hierarchy>& hierarchies) const {
  std::string out;
  for (std::size_t q = 0; q < levels.size() && q < hierarchies.size(); ++q) {
    if (!out.empty()) out += ", ";
    out += hierarchies[q].name + ": level " + std::to_string(levels[q]) + " of " + std::to_string(hierarchies[q].levels);
  }
  out += "; " + std::to_string(suppressed.size()) + " records suppressed; k-min " + std::to_string(k_min_before) +
         " -> " + std::to_string(k_min_after) + "; classes " + std::to_string(classes_before) + " -> " +
         std::to_string(classes_after);
  return out;
}

}  // namespace smx::risk
