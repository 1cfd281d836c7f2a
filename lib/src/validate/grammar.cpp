// Segment grammars: HL7 v2.5 abstract message syntax compiled to a Thompson NFA and matched over
// the segment IDs of a message. No backtracking: a set of states advances one segment at a time,
// so nested optional/repeating groups cost the same as flat ones.
#include <algorithm>
#include <set>

#include "smx/validate.hpp"

namespace smx::validate {

struct Grammar::Nfa {
  struct State {
    std::string label;      // segment ID for a labelled transition, empty for none
    int next = -1;          // target of the labelled transition
    std::vector<int> epsilon;
  };
  std::vector<State> states;
  std::vector<std::vector<int>> closure;  // epsilon closure of each state, sorted
  int start = -1;
  int accept = -1;
  std::string text;

  int add() {
    states.push_back({});
    return static_cast<int>(states.size()) - 1;
  }
};

namespace {

struct Fragment {
  int start;
  int end;
};

class GrammarParser {
 public:
  GrammarParser(std::string_view text, Grammar::Nfa& nfa) : text_(text), nfa_(nfa) {}

  Fragment parse() {
    Fragment f = sequence();
    skip_space();
    if (pos_ < text_.size()) fail(std::string("unexpected '") + text_[pos_] + "'");
    return f;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw parse_error("grammar: " + what + " at character " + std::to_string(pos_ + 1), pos_);
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r'))
      ++pos_;
  }
  static bool is_id_char(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

  Fragment epsilon() {
    int s = nfa_.add();
    return {s, s};
  }
  void link(int from, int to) { nfa_.states[from].epsilon.push_back(to); }

  // sequence := item*   (stops at ] } | > or the end)
  Fragment sequence() {
    Fragment whole = epsilon();
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) break;
      char c = text_[pos_];
      if (c == ']' || c == '}' || c == '|' || c == '>') break;
      Fragment f = item();
      link(whole.end, f.start);
      whole.end = f.end;
    }
    return whole;
  }

  Fragment item() {
    char c = text_[pos_];
    if (c == '[') {
      ++pos_;
      Fragment inner = sequence();
      expect(']');
      int s = nfa_.add(), e = nfa_.add();
      link(s, inner.start);
      link(s, e);
      link(inner.end, e);
      return {s, e};
    }
    if (c == '{') {
      ++pos_;
      Fragment inner = sequence();
      expect('}');
      int s = nfa_.add(), e = nfa_.add();
      link(s, inner.start);
      link(inner.end, e);
      link(inner.end, inner.start);
      return {s, e};
    }
    if (c == '<') {
      ++pos_;
      int s = nfa_.add(), e = nfa_.add();
      for (;;) {
        Fragment alternative = sequence();
        link(s, alternative.start);
        link(alternative.end, e);
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == '|') {
          ++pos_;
          continue;
        }
        expect('>');
        break;
      }
      return {s, e};
    }
    if (!is_id_char(c)) fail(std::string("unexpected '") + c + "'");
    std::size_t begin = pos_;
    while (pos_ < text_.size() && is_id_char(text_[pos_])) ++pos_;
    if (pos_ - begin != 3) {
      pos_ = begin;
      fail("segment ID '" + std::string(text_.substr(begin, 3)) + "...' is not 3 characters");
    }
    int s = nfa_.add(), e = nfa_.add();
    nfa_.states[s].label = std::string(text_.substr(begin, 3));
    nfa_.states[s].next = e;
    return {s, e};
  }

  void expect(char c) {
    skip_space();
    if (pos_ >= text_.size()) fail(std::string("missing '") + c + "'");
    if (text_[pos_] != c) fail(std::string("expected '") + c + "', found '" + text_[pos_] + "'");
    ++pos_;
  }

  std::string_view text_;
  Grammar::Nfa& nfa_;
  std::size_t pos_ = 0;
};

}  // namespace

Grammar::Grammar() = default;
Grammar::~Grammar() = default;
Grammar::Grammar(const Grammar& other) : nfa_(other.nfa_ ? std::make_unique<Nfa>(*other.nfa_) : nullptr) {}
Grammar& Grammar::operator=(const Grammar& other) {
  if (this != &other) nfa_ = other.nfa_ ? std::make_unique<Nfa>(*other.nfa_) : nullptr;
  return *this;
}
Grammar::Grammar(Grammar&&) noexcept = default;
Grammar& Grammar::operator=(Grammar&&) noexcept = default;

const std::string& Grammar::text() const {
  static const std::string empty;
  return nfa_ ? nfa_->text : empty;
}

Grammar Grammar::compile(std::string_view text) {
  Grammar g;
  g.nfa_ = std::make_unique<Nfa>();
  Nfa& nfa = *g.nfa_;
  nfa.text = std::string(text);
  GrammarParser parser(text, nfa);
  Fragment f = parser.parse();
  nfa.start = f.start;
  nfa.accept = f.end;
  // Epsilon closures, computed once.
  nfa.closure.resize(nfa.states.size());
  std::vector<char> seen(nfa.states.size());
  std::vector<int> stack;
  for (std::size_t i = 0; i < nfa.states.size(); ++i) {
    std::fill(seen.begin(), seen.end(), 0);
    stack.assign(1, static_cast<int>(i));
    seen[i] = 1;
    while (!stack.empty()) {
      int s = stack.back();
      stack.pop_back();
      nfa.closure[i].push_back(s);
      for (int t : nfa.states[s].epsilon)
        if (!seen[t]) {
          seen[t] = 1;
          stack.push_back(t);
        }
    }
    std::sort(nfa.closure[i].begin(), nfa.closure[i].end());
  }
  return g;
}

std::optional<Grammar::Mismatch> Grammar::match(const std::vector<std::string_view>& ids) const {
  if (!nfa_) return std::nullopt;
  const Nfa& nfa = *nfa_;
  std::vector<char> in_set(nfa.states.size(), 0);
  std::vector<int> current, next;
  auto add_closure = [&](std::vector<int>& set, int state) {
    for (int s : nfa.closure[state])
      if (!in_set[s]) {
        in_set[s] = 1;
        set.push_back(s);
      }
  };
  auto expected = [&](const std::vector<int>& set) {
    std::set<std::string> labels;
    for (int s : set)
      if (!nfa.states[s].label.empty()) labels.insert(nfa.states[s].label);
    std::string out;
    std::size_t n = 0;
    for (const auto& l : labels) {
      if (n++ == 12) {
        out += ", ...";
        break;
      }
      if (!out.empty()) out += ", ";
      out += l;
    }
    return out;
  };
  add_closure(current, nfa.start);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (int s : current) in_set[s] = 0;
    next.clear();
    for (int s : current) {
      const auto& st = nfa.states[s];
      if (st.next >= 0 && st.label == ids[i]) add_closure(next, st.next);
    }
    if (next.empty()) {
      Mismatch m;
      m.index = i;
      std::string where = i == 0 ? "at the start" : "after " + std::string(ids[i - 1]);
      std::string want = expected(current);
      bool accepting = std::find(current.begin(), current.end(), nfa.accept) != current.end();
      m.text = std::string(ids[i]) + " not allowed " + where + " (segment " + std::to_string(i + 1) + ")";
      if (!want.empty()) m.text += "; expected " + want + (accepting ? " or the end of the message" : "");
      else if (accepting) m.text += "; expected the end of the message";
      return m;
    }
    for (int s : next) in_set[s] = 0;
    std::swap(current, next);
    for (int s : current) in_set[s] = 1;
  }
  if (std::find(current.begin(), current.end(), nfa.accept) == current.end()) {
    Mismatch m;
    m.index = ids.size();
    m.text = "message ends " + (ids.empty() ? std::string("before any segment") : "after " + std::string(ids.back())) +
             "; a required segment is missing: expected " + expected(current);
    return m;
  }
  return std::nullopt;
}

}  // namespace smx::validate
