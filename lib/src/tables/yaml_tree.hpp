// A small, checked YAML tree for the tables. Built from libyaml's event parser, so that every
// node, keys included, keeps its position, duplicate keys are seen (a YAML loader keeps one
// silently), and anchors/aliases are refused before anything could expand them. libyaml, not
// yaml-cpp: it parses the tables about six times faster (callgrind: 36M against ~225M
// instructions for mappings/jlac10-units.yaml), and table load is on every labnorm start.
#pragma once

#include <smx/tables.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace smx::tables::detail {

struct YamlNode {
  enum class Kind : std::uint8_t { null, scalar, sequence, map };
  Kind kind = Kind::null;
  bool quoted = false;  // a quoted scalar is always a string ("1.0" is not a number)
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based
  std::string text;          // scalars
  // Sequences: the items. Maps: key, value, key, value... (keys are scalars).
  std::vector<YamlNode> children;

  std::size_t map_size() const { return children.size() / 2; }
  const YamlNode& key(std::size_t i) const { return children[2 * i]; }
  const YamlNode& value(std::size_t i) const { return children[2 * i + 1]; }
};

class Document {
 public:
  // Parses one YAML document; an empty text gives a null root. Throws config_error.
  Document(std::string_view text, std::string name);

  const YamlNode& root() const { return root_; }
  const std::string& name() const { return name_; }

  [[noreturn]] void fail(const YamlNode& at, const std::string& message) const;
  std::string rule(const YamlNode& at) const;  // "NAME:LINE"

  // Checkers: each throws config_error at the node.
  void expect_map(const YamlNode& node, std::string_view what) const;
  // The root's `format:` must be `expected` ("smx-analytes/1"): a table of the wrong kind is
  // refused at its format line.
  void expect_format(const YamlNode& root, std::string_view expected) const;
  void expect_sequence(const YamlNode& node, std::string_view what) const;
  // A map whose keys are all distinct and drawn from `allowed`; `required` must be present.
  void check_keys(const YamlNode& map, std::initializer_list<std::string_view> allowed,
                  std::initializer_list<std::string_view> required = {}) const;
  // A map whose keys are all distinct (free-form keys, e.g. spellings).
  void check_unique_keys(const YamlNode& map, std::string_view what) const;
  const YamlNode* find(const YamlNode& map, std::string_view key) const;

  const std::string& string(const YamlNode& node, std::string_view what) const;
  std::string optional_string(const YamlNode& map, std::string_view key) const;
  double number(const YamlNode& node, std::string_view what) const;
  long long integer(const YamlNode& node, std::string_view what) const;
  bool boolean(const YamlNode& node, std::string_view what) const;
  std::vector<std::string> string_list(const YamlNode& node, std::string_view what) const;

 private:
  std::string name_;
  YamlNode root_;
};

std::string read_table_file(const std::filesystem::path& path);

}  // namespace smx::tables::detail
