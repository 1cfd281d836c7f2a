// The HL7 v2.5 data-type table (mappings/deid/hl7-2.5-types.yaml).
#include "smx/deid.hpp"

#include "tables/yaml_tree.hpp"

namespace smx::deid {

using tables::detail::Document;
using tables::detail::YamlNode;

namespace {

bool is_type_name(std::string_view text) {
  if (text.empty() || text.size() > 8) return false;
  for (char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

bool is_segment_name(std::string_view text) {
  if (text.size() != 3) return false;
  for (char c : text)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

}  // namespace

TypeTable TypeTable::from_string(std::string_view yaml, std::string name) {
  const Document doc(yaml, std::move(name));
  const YamlNode& root = doc.root();
  doc.expect_map(root, "the type table");
  doc.check_keys(root, {"format", "hl7_version", "primitives", "segments", "composites"},
                 {"format", "primitives", "segments", "composites"});
  doc.expect_format(root, "smx-hl7-types/1");

  TypeTable table;
  std::map<std::string, TypeId, std::less<>> ids;
  const auto declare = [&](const YamlNode& node) {
    const std::string& type = doc.string(node, "a type name");
    if (!is_type_name(type)) doc.fail(node, "'" + type + "' is not a type name");
    if (table.names_.size() >= kNone) doc.fail(node, "too many types");
    if (!ids.emplace(type, static_cast<TypeId>(table.names_.size())).second)
      doc.fail(node, "type '" + type + "' is declared twice");
    table.names_.push_back(type);
    table.components_.emplace_back();
  };
  const YamlNode& primitives = *doc.find(root, "primitives");
  doc.expect_sequence(primitives, "primitives");
  for (const YamlNode& p : primitives.children) declare(p);
  const YamlNode& composites = *doc.find(root, "composites");
  doc.expect_map(composites, "composites");
  for (std::size_t i = 0; i < composites.map_size(); ++i) declare(composites.key(i));

  const auto lookup = [&](const YamlNode& node) {
    const std::string& type = doc.string(node, "a type name");
    const auto it = ids.find(type);
    if (it == ids.end()) doc.fail(node, "unknown data type '" + type + "'");
    return it->second;
  };
  const auto type_list = [&](const YamlNode& list, std::string_view what) {
    doc.expect_sequence(list, what);
    if (list.children.empty()) doc.fail(list, std::string(what) + " is empty");
    std::vector<TypeId> out;
    for (const YamlNode& item : list.children) out.push_back(lookup(item));
    return out;
  };
  for (std::size_t i = 0; i < composites.map_size(); ++i)
    table.components_[ids.at(composites.key(i).text)] = type_list(composites.value(i), "a composite");

  const YamlNode& segments = *doc.find(root, "segments");
  doc.expect_map(segments, "segments");
  doc.check_unique_keys(segments, "segment");
  for (std::size_t i = 0; i < segments.map_size(); ++i) {
    const YamlNode& key = segments.key(i);
    if (!is_segment_name(key.text)) doc.fail(key, "'" + key.text + "' is not a segment name");
    table.segments_.emplace(key.text, type_list(segments.value(i), "a segment"));
  }
  const auto find_id = [&](std::string_view type) {
    const auto it = ids.find(type);
    return it == ids.end() ? kNone : it->second;
  };
  table.dt_ = find_id("DT");
  table.dtm_ = find_id("DTM");
  table.varies_ = find_id("varies");
  if (table.dt_ == kNone || table.dtm_ == kNone || table.varies_ == kNone)
    doc.fail(primitives, "primitives must declare DT, DTM and varies");
  for (TypeId t = 0; t < table.names_.size(); ++t)
    if (t == table.dt_ || t == table.dtm_ || t == table.varies_)
      if (!table.components_[t].empty()) doc.fail(composites, table.names_[t] + " must be a primitive");
  return table;
}

TypeTable TypeTable::load(const std::filesystem::path& path) {
  return from_string(tables::detail::read_table_file(path), path.string());
}

bool TypeTable::has_segment(std::string_view segment) const { return segments_.find(segment) != segments_.end(); }

std::size_t TypeTable::field_count(std::string_view segment) const {
  const auto it = segments_.find(segment);
  return it == segments_.end() ? 0 : it->second.size();
}

TypeTable::TypeId TypeTable::field_type(std::string_view segment, std::size_t field) const {
  const auto it = segments_.find(segment);
  if (it == segments_.end() || field == 0 || field > it->second.size()) return kNone;
  return it->second[field - 1];
}

TypeTable::TypeId TypeTable::find(std::string_view type_name) const {
  for (TypeId t = 0; t < names_.size(); ++t)
    if (names_[t] == type_name) return t;
  return kNone;
}

bool TypeTable::holds_date(TypeId type) const {
  // Level 0 (the field), 1 (components), 2 (subcomponents: a composite there is its first leaf).
  const auto first_leaf = [&](TypeId t) {
    for (int guard = 0; guard < 16 && !components_[t].empty(); ++guard) t = components_[t].front();
    return t;
  };
  if (is_date(type)) return true;
  for (TypeId c : components_[type]) {
    if (is_date(c)) return true;
    for (TypeId s : components_[c])
      if (is_date(first_leaf(s))) return true;
  }
  return false;
}

}  // namespace smx::deid
