// The JSON writer (smx/json.hpp).
#include "smx/json.hpp"

#include <charconv>
#include <stdexcept>

namespace smx::json {
namespace {

// 0 = copy as is; otherwise the character after the backslash ('u' = \u00XX).
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['"'] = '"';
  t['\\'] = '\\';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  return t;
}
constexpr auto kEscape = make_escape_table();

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char e = kEscape[static_cast<unsigned char>(s[i])];
    if (e == 0) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    out.push_back(e);
    if (e == 'u') {
      static constexpr const char* hex = "0123456789abcdef";
      unsigned char c = static_cast<unsigned char>(s[i]);
      out.append("00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_integer(std::string& out, std::int64_t value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_unsigned(std::string& out, std::uint64_t value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

bool is_number(std::string_view t) {
  std::size_t i = 0, n = t.size();
  auto digit = [&](std::size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
  if (i < n && t[i] == '-') ++i;
  if (!digit(i)) return false;
  if (t[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n && n <= 64;
}

void Writer::separator() {
  if (depth_ == 0) return;
  Level& level = stack_[depth_ - 1];
  if (!level.empty) out_.push_back(',');
  level.empty = false;
}

void Writer::open(std::string_view key, bool has_key, char bracket) {
  if (depth_ == kMaxDepth) throw std::length_error("JSON nesting deeper than 32 levels");
  Level level{out_.size(), true, depth_ == 0 ? true : stack_[depth_ - 1].empty};
  separator();
  if (has_key) {
    append_string(out_, key);
    out_.push_back(':');
  }
  out_.push_back(bracket);
  stack_[depth_++] = level;
}

bool Writer::close(char bracket) {
  const Level level = stack_[--depth_];
  if (level.empty && empty_ == Empty::omit) {
    out_.resize(level.rollback);
    if (depth_ > 0) stack_[depth_ - 1].empty = level.parent_was_empty;
    return false;
  }
  out_.push_back(bracket);
  return true;
}

void Writer::begin_object() { open({}, false, '{'); }
void Writer::begin_object(std::string_view key) { open(key, true, '{'); }
bool Writer::end_object() { return close('}'); }
void Writer::begin_array() { open({}, false, '['); }
void Writer::begin_array(std::string_view key) { open(key, true, '['); }
bool Writer::end_array() { return close(']'); }

void Writer::string(std::string_view key, std::string_view value) {
  if (value.empty() && empty_ == Empty::omit) return;
  member(key);
  append_string(out_, value);
}

void Writer::string_element(std::string_view value) {
  if (value.empty() && empty_ == Empty::omit) return;
  separator();
  append_string(out_, value);
}

void Writer::string_or_null(std::string_view key, std::string_view value) {
  if (value.empty()) return null(key);
  member(key);
  append_string(out_, value);
}

void Writer::number(std::string_view key, std::string_view json_number) {
  member(key);
  out_.append(json_number);
}

void Writer::number_element(std::string_view json_number) {
  separator();
  out_.append(json_number);
}

void Writer::boolean(std::string_view key, bool value) {
  member(key);
  out_.append(value ? "true" : "false");
}

void Writer::null(std::string_view key) {
  member(key);
  out_.append("null");
}

void Writer::numbers(std::initializer_list<Count> members) {
  for (const Count& m : members) number(m.key, m.value);
}

void Writer::strings(std::initializer_list<Text> members) {
  for (const Text& m : members) string(m.key, m.value);
}

}  // namespace smx::json
