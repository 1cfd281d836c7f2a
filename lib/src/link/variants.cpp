// mappings/link/kanji-variants.yaml: the kanji variant table of the normalizer.
//
//   format: smx-link-kanji-variants/1
//   sources:            # key -> where the facts come from (named once, cited by each row)
//     joyo: "..."
//   variants:
//     - {from: 邊, to: 辺, source: joyo}
//
// Every row names a source among `sources`. Chains are resolved (邉 -> 邊, 邊 -> 辺 gives
// 邉 -> 辺); a cycle, a duplicate `from`, a side that is not one code point, or a side that
// NFKC_Casefold would change (it could never be seen after step 2 of the normalizer) is an
// error at the row.
#include "link/internal.hpp"
#include "tables/yaml_tree.hpp"

#include <smx/error.hpp>
#include <smx/link.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace smx::link {

namespace {

using tables::detail::Document;
using tables::detail::YamlNode;

char32_t one_code_point(const Document& doc, const YamlNode& node, std::string_view what) {
  const std::string& text = doc.string(node, what);
  const std::u32string points = detail::decode_utf8(text);
  if (points.size() != 1 || points[0] == 0xFFFD)
    doc.fail(node, std::string(what) + " must be exactly one character, not '" + text + "'");
  if (detail::nfkc(text, true) != text)
    doc.fail(node, std::string(what) + " '" + text +
                       "' is not in NFKC_Casefold form: the normalizer would never see it");
  return points[0];
}

std::string code_point_name(char32_t c) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
  return buffer;
}

}  // namespace

KanjiVariants KanjiVariants::from_string(std::string_view text, std::string name) {
  const Document doc(text, std::move(name));
  const YamlNode& root = doc.root();
  doc.expect_map(root, "the table");
  doc.check_keys(root, {"format", "sources", "variants"}, {"format", "sources", "variants"});
  doc.expect_format(root, "smx-link-kanji-variants/1");

  const YamlNode& sources_node = *doc.find(root, "sources");
  doc.expect_map(sources_node, "sources");
  doc.check_unique_keys(sources_node, "sources");
  std::map<std::string, std::string> sources;
  for (std::size_t i = 0; i < sources_node.map_size(); ++i)
    sources[doc.string(sources_node.key(i), "source key")] = doc.string(sources_node.value(i), "source");

  const YamlNode& rows_node = *doc.find(root, "variants");
  doc.expect_sequence(rows_node, "variants");
  std::map<char32_t, const YamlNode*> row_of;
  std::map<char32_t, KanjiVariant> direct;
  for (const YamlNode& row : rows_node.children) {
    doc.expect_map(row, "a variant");
    doc.check_keys(row, {"from", "to", "source", "note"}, {"from", "to", "source"});
    KanjiVariant variant;
    variant.from = one_code_point(doc, *doc.find(row, "from"), "from");
    variant.to = one_code_point(doc, *doc.find(row, "to"), "to");
    const YamlNode& source = *doc.find(row, "source");
    const auto known = sources.find(doc.string(source, "source"));
    if (known == sources.end()) doc.fail(source, "source '" + source.text + "' is not among `sources`");
    variant.source = known->second;
    variant.rule = doc.rule(row);
    if (variant.from == variant.to) doc.fail(row, "from and to are the same character");
    if (row_of.count(variant.from))
      doc.fail(row, "duplicate from " + code_point_name(variant.from) + " (first at " +
                        doc.rule(*row_of[variant.from]) + ")");
    row_of[variant.from] = &row;
    direct[variant.from] = std::move(variant);
  }

  KanjiVariants table;
  for (auto& [from, variant] : direct) {
    // Follow the chain to its end; more steps than rows means a cycle.
    char32_t to = variant.to;
    std::size_t steps = 0;
    for (auto next = direct.find(to); next != direct.end(); next = direct.find(to)) {
      to = next->second.to;
      if (++steps > direct.size() || to == from)
        doc.fail(*row_of[from], "variant chain from " + code_point_name(from) + " is a cycle");
    }
    KanjiVariant resolved = variant;
    resolved.to = to;
    table.map_[from] = to;
    table.rows_.push_back(std::move(resolved));
  }
  std::string material;
  for (const KanjiVariant& row : table.rows_)  // rows_ is in code-point order (std::map)
    material += code_point_name(row.from) + " " + code_point_name(row.to) + "\n";
  table.digest_ = to_hex(sha256(material));
  return table;
}

KanjiVariants KanjiVariants::from_file(const std::filesystem::path& path) {
  return from_string(tables::detail::read_table_file(path), path.string());
}

char32_t KanjiVariants::map(char32_t c) const {
  if (map_.empty()) return c;
  const auto it = map_.find(c);
  return it == map_.end() ? c : it->second;
}

}  // namespace smx::link
