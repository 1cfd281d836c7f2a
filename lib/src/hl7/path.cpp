// Field paths: SEG[i]-F[r].C.S and the dotted form SEG.F.C.S.
#include <string>

#include "smx/hl7.hpp"

namespace smx::hl7 {
namespace {

bool is_upper_or_digit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

struct Cursor {
  std::string_view text;
  std::size_t pos = 0;
  [[noreturn]] void fail(const std::string& why) const {
    throw parse_error("bad path '" + std::string(text) + "': " + why + " at character " + std::to_string(pos + 1), pos);
  }
  bool done() const { return pos >= text.size(); }
  char peek() const { return done() ? '\0' : text[pos]; }
  int number(const char* what) {
    std::size_t start = pos;
    long value = 0;
    while (!done() && text[pos] >= '0' && text[pos] <= '9') {
      value = value * 10 + (text[pos] - '0');
      if (value > 1000000) fail(std::string(what) + " number too large");
      ++pos;
    }
    if (pos == start) fail(std::string("expected a ") + what + " number");
    if (value == 0) fail(std::string(what) + " numbers start at 1");
    return static_cast<int>(value);
  }
  // [n] or [*]; returns true when present.
  bool index(int& out, const char* what) {
    if (peek() != '[') return false;
    ++pos;
    if (peek() == '*') {
      ++pos;
      out = Path::kAll;
    } else {
      out = number(what);
    }
    if (peek() != ']') fail("expected ']'");
    ++pos;
    return true;
  }
};

}  // namespace

Path Path::parse(std::string_view text) {
  Path path;
  path.text = std::string(text);
  Cursor c{text};
  if (text.size() < 3 || !(text[0] >= 'A' && text[0] <= 'Z') || !is_upper_or_digit(text[1]) ||
      !is_upper_or_digit(text[2]))
    c.fail("expected a segment name such as PID");
  path.segment = std::string(text.substr(0, 3));
  c.pos = 3;
  path.segment_index_given = c.index(path.segment_index, "segment occurrence");
  if (c.done()) return path;
  char sep = c.peek();
  if (sep != '-' && sep != '.') c.fail("expected '-' or '.' after the segment");
  ++c.pos;
  path.field = c.number("field");
  path.repetition_given = c.index(path.repetition, "repetition");
  if (c.peek() == '.') {
    ++c.pos;
    path.component = c.number("component");
    if (c.peek() == '.') {
      ++c.pos;
      path.subcomponent = c.number("subcomponent");
    }
  }
  if (!c.done()) c.fail("unexpected character");
  return path;
}

std::string Path::to_string() const {
  auto idx = [](int i) { return i == kAll ? std::string("[*]") : "[" + std::to_string(i) + "]"; };
  std::string s = segment;
  if (segment_index_given) s += idx(segment_index);
  if (field == 0) return s;
  s += "-" + std::to_string(field);
  if (repetition_given) s += idx(repetition);
  if (component) s += "." + std::to_string(component);
  if (subcomponent) s += "." + std::to_string(subcomponent);
  return s;
}

std::string_view select(const Message& message, std::size_t segment_index, const Path& path, int repetition) {
  if (path.field == 0) return message.segment(segment_index);
  std::string_view f = message.field(segment_index, static_cast<std::size_t>(path.field));
  // MSH-1 and MSH-2 hold the delimiters themselves; they have no inner structure.
  if (path.segment == "MSH" && path.field <= 2) return (repetition == 1 && path.component <= 1) ? f : std::string_view{};
  const Delimiters& d = message.delimiters();
  std::string_view r = nth_piece(f, d.repetition, static_cast<std::size_t>(repetition - 1));
  if (path.component == 0) return r;
  std::string_view comp = nth_piece(r, d.component, static_cast<std::size_t>(path.component - 1));
  if (path.subcomponent == 0) return comp;
  return nth_piece(comp, d.subcomponent, static_cast<std::size_t>(path.subcomponent - 1));
}

std::size_t repetition_count(const Message& message, std::size_t segment_index, int field) {
  std::string_view f = message.field(segment_index, static_cast<std::size_t>(field));
  if (message.segment_id(segment_index) == "MSH" && field <= 2) return 1;
  if (f.empty()) return 0;
  return count_pieces(f, message.delimiters().repetition);
}

}  // namespace smx::hl7
