#include "tables/yaml_tree.hpp"

#include <smx/error.hpp>

#include <unicode/utf8.h>
#include <yaml.h>

#include <cerrno>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace smx::tables::detail {
namespace {

std::string position(std::string_view name, std::uint32_t line, std::uint32_t column) {
  std::string out(name);
  out += ':';
  out += std::to_string(line);
  out += ':';
  out += std::to_string(column);
  return out;
}

// A refusal at a position (1-based), turned into config_error by Document.
struct Refusal {
  std::uint32_t line;
  std::uint32_t column;
  std::string message;
};

std::uint32_t one_based(std::size_t zero_based) { return static_cast<std::uint32_t>(zero_based) + 1u; }

// Builds YamlNode trees from libyaml's parser events, refusing what tables never need.
class Builder {
 public:
  YamlNode root;
  int documents = 0;

  // One event; false at the end of the stream.
  bool on(const yaml_event_t& e) {
    const yaml_mark_t& mark = e.start_mark;
    switch (e.type) {
      case YAML_STREAM_END_EVENT: return false;
      case YAML_DOCUMENT_START_EVENT: ++documents; break;
      case YAML_ALIAS_EVENT:
        refuse(mark, "YAML aliases ('*name') are not allowed in tables (they can expand without bound)");
      case YAML_SCALAR_EVENT: scalar(e); break;
      case YAML_SEQUENCE_START_EVENT:
        open(mark, e.data.sequence_start.anchor, e.data.sequence_start.tag, YamlNode::Kind::sequence);
        break;
      case YAML_MAPPING_START_EVENT:
        open(mark, e.data.mapping_start.anchor, e.data.mapping_start.tag, YamlNode::Kind::map);
        break;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: close(); break;
      default: break;  // stream start, document end, no event
    }
    return true;
  }

 private:
  std::vector<YamlNode> stack_;
  std::size_t nodes_ = 0;

  [[noreturn]] static void refuse(const yaml_mark_t& mark, std::string message) {
    throw Refusal{one_based(mark.line), one_based(mark.column), std::move(message)};
  }
  static void check(const yaml_mark_t& mark, const yaml_char_t* anchor, const yaml_char_t* tag) {
    if (anchor) refuse(mark, "YAML anchors ('&name') are not allowed in tables");
    if (tag)
      refuse(mark, "YAML tags ('" + std::string(reinterpret_cast<const char*>(tag)) + "') are not used in tables");
  }
  void scalar(const yaml_event_t& e) {
    const auto& sc = e.data.scalar;
    check(e.start_mark, sc.anchor, nullptr);
    // An explicit tag on a scalar (`!!str 1`): the plain/quoted implicit flags say none was written.
    if (sc.tag && !sc.plain_implicit && !sc.quoted_implicit) check(e.start_mark, nullptr, sc.tag);
    const std::string_view value(reinterpret_cast<const char*>(sc.value), sc.length);
    const bool plain = sc.style == YAML_PLAIN_SCALAR_STYLE;
    // YAML 1.2 core schema nulls, as yaml-cpp reported them: a plain ~, null, Null, NULL or nothing.
    if (plain && (value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL")) {
      add(make(e.start_mark, YamlNode::Kind::null));
      return;
    }
    YamlNode node = make(e.start_mark, YamlNode::Kind::scalar);
    node.quoted = !plain;
    node.text.assign(value);
    add(std::move(node));
  }
  YamlNode make(const yaml_mark_t& mark, YamlNode::Kind kind) {
    // Refused at the second document's first node, where the reader will look.
    if (documents > 1) refuse(mark, "more than one YAML document ('---'): a table is one document");
    if (++nodes_ > max_table_nodes) refuse(mark, "more than " + std::to_string(max_table_nodes) + " YAML nodes");
    YamlNode node;
    node.kind = kind;
    node.line = one_based(mark.line);
    node.column = one_based(mark.column);
    return node;
  }
  void open(const yaml_mark_t& mark, const yaml_char_t* anchor, const yaml_char_t* tag, YamlNode::Kind kind) {
    check(mark, anchor, tag);
    if (stack_.size() >= static_cast<std::size_t>(max_table_depth))
      refuse(mark, "nested deeper than " + std::to_string(max_table_depth) + " levels");
    stack_.push_back(make(mark, kind));
  }
  void close() {
    YamlNode done = std::move(stack_.back());
    stack_.pop_back();
    add(std::move(done));
  }
  void add(YamlNode node) {
    if (stack_.empty()) {
      root = std::move(node);
      return;
    }
    YamlNode& parent = stack_.back();
    if (parent.kind == YamlNode::Kind::map && parent.children.size() % 2 == 0 && node.kind != YamlNode::Kind::scalar)
      throw Refusal{node.line, node.column, "a map key must be a plain or quoted string"};
    parent.children.push_back(std::move(node));
  }
};

// libyaml's parser and event, released on every path.
struct Parser {
  yaml_parser_t parser;
  Parser(std::string_view text) {
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
  }
  ~Parser() { yaml_parser_delete(&parser); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};
struct Event {
  yaml_event_t event{};
  ~Event() { yaml_event_delete(&event); }
};

// Position of the first byte that is not well-formed UTF-8 (RFC 3629, ICU's U8_NEXT), or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
  const auto length = static_cast<std::int64_t>(s.size());
  for (std::int64_t i = 0; i < length;) {
    const std::int64_t at = i;
    UChar32 cp = 0;
    U8_NEXT(bytes, i, length, cp);
    if (cp < 0) return static_cast<std::size_t>(at);
  }
  return std::string_view::npos;
}

void line_column_at(std::string_view s, std::size_t at, std::uint32_t& line,
                    std::uint32_t& column) {
  line = 1;
  column = 1;
  for (std::size_t i = 0; i < at && i < s.size(); ++i) {
    if (s[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
}

std::string_view kind_name(YamlNode::Kind kind) {
  switch (kind) {
    case YamlNode::Kind::null: return "null";
    case YamlNode::Kind::scalar: return "a scalar";
    case YamlNode::Kind::sequence: return "a sequence";
    case YamlNode::Kind::map: return "a map";
  }
  return "?";
}

}  // namespace

Document::Document(std::string_view text, std::string name) : name_(std::move(name)) {
  if (text.size() > max_table_bytes)
    throw config_error(name_ + ":1:1: larger than " + std::to_string(max_table_bytes) +
                       " bytes");
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    std::uint32_t line = 0, column = 0;
    line_column_at(text, bad, line, column);
    throw config_error(position(name_, line, column) + ": not UTF-8 (byte offset " +
                       std::to_string(bad) + ")");
  }
  if (text.find('\0') != std::string_view::npos) {
    std::uint32_t line = 0, column = 0;
    line_column_at(text, text.find('\0'), line, column);
    throw config_error(position(name_, line, column) + ": NUL byte in a table");
  }
  Parser parser(text);
  Builder builder;
  try {
    for (;;) {
      Event e;
      if (!yaml_parser_parse(&parser.parser, &e.event)) {
        const yaml_mark_t& at = parser.parser.problem_mark;
        std::string what = parser.parser.problem ? parser.parser.problem : "syntax error";
        if (parser.parser.context) what = std::string(parser.parser.context) + ": " + what;
        throw Refusal{one_based(at.line), one_based(at.column), "YAML: " + what};
      }
      if (!builder.on(e.event)) break;
    }
  } catch (const Refusal& refusal) {
    throw config_error(position(name_, refusal.line, refusal.column) + ": " + refusal.message);
  }
  root_ = std::move(builder.root);
  if (root_.line == 0) root_.line = root_.column = 1;
}

void Document::fail(const YamlNode& at, const std::string& message) const {
  throw config_error(position(name_, at.line, at.column) + ": " + message);
}

std::string Document::rule(const YamlNode& at) const {
  return name_ + ':' + std::to_string(at.line);
}

void Document::expect_map(const YamlNode& node, std::string_view what) const {
  if (node.kind != YamlNode::Kind::map)
    fail(node, std::string(what) + " must be a map, not " + std::string(kind_name(node.kind)));
}

void Document::expect_format(const YamlNode& root, std::string_view expected) const {
  const YamlNode* format = find(root, "format");
  if (!format) fail(root, "missing key 'format' (expected '" + std::string(expected) + "')");
  if (string(*format, "format") != expected)
    fail(*format, "format '" + format->text + "' is not '" + std::string(expected) + "' (wrong kind of table?)");
}

void Document::expect_sequence(const YamlNode& node, std::string_view what) const {
  if (node.kind != YamlNode::Kind::sequence)
    fail(node,
         std::string(what) + " must be a sequence, not " + std::string(kind_name(node.kind)));
}

void Document::check_unique_keys(const YamlNode& map, std::string_view what) const {
  StringMap<const YamlNode*> seen;
  seen.reserve(map.map_size());
  for (std::size_t i = 0; i < map.map_size(); ++i) {
    const YamlNode& key = map.key(i);
    auto [it, inserted] = seen.emplace(key.text, &key);
    if (!inserted)
      fail(key, "duplicate " + std::string(what) + " '" + key.text + "' (first at line " +
                    std::to_string(it->second->line) + ")");
  }
}

void Document::check_keys(const YamlNode& map, std::initializer_list<std::string_view> allowed,
                          std::initializer_list<std::string_view> required) const {
  check_unique_keys(map, "key");
  for (std::size_t i = 0; i < map.map_size(); ++i) {
    const YamlNode& key = map.key(i);
    bool known = false;
    for (std::string_view a : allowed) known = known || key.text == a;
    if (!known) {
      std::string list;
      for (std::string_view a : allowed) {
        if (!list.empty()) list += ", ";
        list += a;
      }
      fail(key, "unknown key '" + key.text + "' (expected one of: " + list + ")");
    }
  }
  for (std::string_view r : required)
    if (!find(map, r)) fail(map, "missing key '" + std::string(r) + "'");
}

const YamlNode* Document::find(const YamlNode& map, std::string_view key) const {
  for (std::size_t i = 0; i < map.map_size(); ++i)
    if (map.key(i).text == key) return &map.value(i);
  return nullptr;
}

const std::string& Document::string(const YamlNode& node, std::string_view what) const {
  if (node.kind != YamlNode::Kind::scalar)
    fail(node, std::string(what) + " must be a string, not " + std::string(kind_name(node.kind)));
  return node.text;
}

std::string Document::optional_string(const YamlNode& map, std::string_view key) const {
  const YamlNode* node = find(map, key);
  if (!node || node->kind == YamlNode::Kind::null) return {};
  return string(*node, key);
}

double Document::number(const YamlNode& node, std::string_view what) const {
  if (node.kind != YamlNode::Kind::scalar || node.quoted || node.text.empty())
    fail(node, std::string(what) + " must be a number");
  const std::string& t = node.text;
  // Plain decimal only: no hex, inf or nan, which strtod would take.
  for (char c : t)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      fail(node, std::string(what) + " must be a number, not '" + t + "'");
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v))
    fail(node, std::string(what) + " must be a number, not '" + t + "'");
  return v;
}

long long Document::integer(const YamlNode& node, std::string_view what) const {
  if (node.kind != YamlNode::Kind::scalar || node.quoted || node.text.empty())
    fail(node, std::string(what) + " must be an integer");
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(node.text.c_str(), &end, 10);
  if (end != node.text.c_str() + node.text.size() || errno == ERANGE)
    fail(node, std::string(what) + " must be an integer, not '" + node.text + "'");
  return v;
}

bool Document::boolean(const YamlNode& node, std::string_view what) const {
  if (node.kind == YamlNode::Kind::scalar && !node.quoted) {
    if (node.text == "true") return true;
    if (node.text == "false") return false;
  }
  fail(node, std::string(what) + " must be true or false");
}

std::vector<std::string> Document::string_list(const YamlNode& node,
                                               std::string_view what) const {
  expect_sequence(node, what);
  std::vector<std::string> out;
  out.reserve(node.children.size());
  for (const YamlNode& item : node.children) out.push_back(string(item, what));
  return out;
}

std::string read_table_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw io_error(path.string() + ": " + ec.message());
  if (size > max_table_bytes)
    throw config_error(path.string() + ":1:1: larger than " + std::to_string(max_table_bytes) +
                       " bytes (" + std::to_string(size) + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path.string() + ": cannot open: " + std::strerror(errno));
  std::string text;
  text.resize(static_cast<std::size_t>(size));
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.gcount() != static_cast<std::streamsize>(text.size()))
    throw io_error(path.string() + ": short read");
  return text;
}

}  // namespace smx::tables::detail
