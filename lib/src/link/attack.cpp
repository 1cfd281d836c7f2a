// The frequency attack on Bloom-filter encodings (Christen et al., PAKDD 2017/2018, the simple
// form: identical encodings are counted and aligned by rank with a public list of name
// frequencies), run by a site against its own encodings: it knows the true names, so it can
// count how many the attacker would have recovered. `smx link audit` wires it.
#include "tables/yaml_tree.hpp"

#include <smx/link.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace smx::link {

namespace {

struct PatternGroup {
  const BitVector* pattern = nullptr;
  std::vector<std::size_t> records;
};

}  // namespace

std::vector<NameFrequency> load_name_frequencies(const std::filesystem::path& path, const Normalizer& normalizer) {
  using tables::detail::Document;
  using tables::detail::YamlNode;
  const Document doc(tables::detail::read_table_file(path), path.string());
  const YamlNode& root = doc.root();
  doc.expect_map(root, "the table");
  doc.check_keys(root, {"format", "source", "note", "names"}, {"format", "source", "names"});
  doc.expect_format(root, "smx-link-family-names/1");
  const YamlNode& names = *doc.find(root, "names");
  doc.expect_sequence(names, "names");
  std::vector<NameFrequency> out;
  std::set<std::string> seen;
  for (const YamlNode& row : names.children) {
    doc.expect_map(row, "a name");
    doc.check_keys(row, {"kanji", "kana", "count", "rank"}, {"kanji", "kana", "count"});
    NameFrequency f;
    f.name = normalizer.name(doc.string(*doc.find(row, "kana"), "kana"));
    f.share = doc.number(*doc.find(row, "count"), "count");
    if (f.share <= 0) doc.fail(row, "count must be positive");
    if (!seen.insert(f.name).second) doc.fail(row, "duplicate kana after normalization");
    out.push_back(std::move(f));
  }
  return out;
}

AttackResult frequency_attack(const std::vector<BitVector>& encodings, const std::vector<std::string>& truth,
                              const std::vector<NameFrequency>& public_names, std::size_t top_n,
                              const std::vector<std::string>* groups) {
  if (truth.size() != encodings.size() || (groups && groups->size() != encodings.size()))
    throw std::invalid_argument("frequency_attack: one truth (and group) per encoding");
  std::vector<NameFrequency> ranked = public_names;
  std::stable_sort(ranked.begin(), ranked.end(), [](const NameFrequency& a, const NameFrequency& b) {
    return a.share != b.share ? a.share > b.share : a.name < b.name;
  });
  if (ranked.size() > top_n) ranked.resize(top_n);

  // group -> pattern bytes -> records
  std::map<std::string, std::map<Bytes, PatternGroup>> by_group;
  AttackResult result;
  for (std::size_t i = 0; i < encodings.size(); ++i) {
    if (encodings[i].empty()) continue;
    ++result.records;
    PatternGroup& g = by_group[groups ? (*groups)[i] : std::string()][encodings[i].bytes()];
    g.pattern = &encodings[i];
    g.records.push_back(i);
  }
  std::set<std::string> recovered;
  for (auto& [group, patterns] : by_group) {
    std::vector<const PatternGroup*> order;
    order.reserve(patterns.size());
    for (const auto& [bytes, g] : patterns) order.push_back(&g);
    // Most frequent first; ties by first appearance in the input, which the attacker sees too
    // and which does not depend on the bits (so hardening that keeps the partition of the
    // records into patterns gives the same result).
    std::sort(order.begin(), order.end(), [](const PatternGroup* a, const PatternGroup* b) {
      return a->records.size() != b->records.size() ? a->records.size() > b->records.size()
                                                    : a->records.front() < b->records.front();
    });
    const std::size_t guesses = std::min(order.size(), ranked.size());
    for (std::size_t rank = 0; rank < guesses; ++rank) {
      ++result.guesses;
      const std::string& guess = ranked[rank].name;
      std::size_t right = 0;
      for (std::size_t r : order[rank]->records)
        if (truth[r] == guess) ++right;
      result.records_reidentified += right;
      // A name counts as recovered when most records of the pattern really carry it.
      if (2 * right > order[rank]->records.size()) recovered.insert(guess);
    }
  }
  for (const NameFrequency& f : ranked)
    if (recovered.count(f.name)) result.recovered.push_back(f.name);
  result.names_recovered = result.recovered.size();
  return result;
}

}  // namespace smx::link
