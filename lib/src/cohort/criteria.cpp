// The criteria file of smx cohort (smx-cohort(1) "CRITERIA FILE"): YAML (yaml-cpp, whose marks
// give every error its line and column).
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "smx/ascii.hpp"
#include "smx/cohort.hpp"
#include "smx/error.hpp"
#include "smx/labnorm.hpp"

namespace smx::cohort {

namespace {

class Parser {
 public:
  Parser(const std::string& file, const tables::Tables& tables, units::Ucum& ucum)
      : file_(file), tables_(tables), ucum_(ucum) {}

  Criteria parse(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      fail(e.mark, e.msg);
    }
    if (!root.IsMap()) fail(root.Mark(), "a criteria file is a mapping (name:, code_sets:, index:, inclusion:)");
    only(root, {"name", "code_sets", "index", "inclusion"});
    if (root["name"]) c_.name = scalar(root["name"], "name");
    if (const YAML::Node sets = root["code_sets"]) code_sets(sets);
    const YAML::Node index = root["index"];
    if (!index) fail(root.Mark(), "index: is required (the event that sets the index date)");
    index_event(index);
    if (const YAML::Node rules = root["inclusion"]) {
      if (!rules.IsSequence()) fail(rules.Mark(), "inclusion: is a list of rules");
      std::set<std::string> names;
      for (const YAML::Node& rule : rules) {
        if (!rule.IsMap()) fail(rule.Mark(), "an inclusion rule is a mapping with name: and one criterion");
        if (!rule["name"]) fail(rule.Mark(), "an inclusion rule needs a name: (the attrition step)");
        Rule r;
        r.name = scalar(rule["name"], "name");
        if (!names.insert(r.name).second) fail(rule["name"].Mark(), "inclusion rule '" + r.name + "' is named twice");
        r.node = criterion(rule, true);
        c_.inclusion.push_back(std::move(r));
      }
    }
    return std::move(c_);
  }

 private:
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& what) const {
    std::string where = file_;
    if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
    throw config_error(where + ": [COHORT-CRITERIA] " + what);
  }
  std::string where(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  }
  void only(const YAML::Node& map, const std::vector<std::string_view>& keys) const {
    for (const auto& item : map) {
      const std::string key = item.first.Scalar();
      bool known = false;
      for (std::string_view k : keys) known = known || k == key;
      if (!known) {
        std::string list;
        for (std::string_view k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
        fail(item.first.Mark(), "unknown key '" + key + "' (expected one of: " + list + ")");
      }
    }
  }
  std::string scalar(const YAML::Node& n, std::string_view what) const {
    if (!n.IsScalar()) fail(n.Mark(), std::string(what) + ": expected a single value");
    return n.Scalar();
  }
  int integer(const YAML::Node& n, std::string_view what, int low, int high) const {
    const std::string s = scalar(n, what);
    const bool negative = !s.empty() && s[0] == '-';
    const std::string digits = negative ? s.substr(1) : s;
    if (digits.empty() || digits.size() > 6 || !ascii::all_digits(digits))
      fail(n.Mark(), std::string(what) + ": expected a whole number, not '" + s + "'");
    const int v = (negative ? -1 : 1) * std::stoi(digits);
    if (v < low || v > high)
      fail(n.Mark(), std::string(what) + ": " + s + " is outside " + std::to_string(low) + ".." + std::to_string(high));
    return v;
  }

  void code_sets(const YAML::Node& sets) {
    if (!sets.IsMap()) fail(sets.Mark(), "code_sets: maps a name to its codes (icd10:, medis:, jlac10:, yj:, hot:, local:)");
    for (const auto& item : sets) {
      CodeSet set;
      set.name = item.first.Scalar();
      const YAML::Node& body = item.second;
      if (!body.IsMap()) fail(body.Mark(), "code set '" + set.name + "': a mapping of coding system to code prefixes");
      only(body, {"icd10", "medis", "jlac10", "yj", "hot", "local"});
      for (const auto& system : body) {
        const std::string key = system.first.Scalar();
        std::vector<std::string>& into = key == "icd10" ? set.icd10 : key == "medis" ? set.medis : key == "jlac10" ? set.jlac10
                                         : key == "yj" ? set.yj : key == "hot" ? set.hot : set.local;
        const YAML::Node& list = system.second;
        if (!list.IsSequence()) fail(list.Mark(), key + ": a list of code prefixes");
        for (const YAML::Node& code : list) into.push_back(code_prefix(key, code));
      }
      for (const CodeSet& other : c_.code_sets)
        if (other.name == set.name) fail(item.first.Mark(), "code set '" + set.name + "' is defined twice");
      c_.code_sets.push_back(std::move(set));
    }
  }

  std::string code_prefix(const std::string& system, const YAML::Node& n) const {
    std::string code = scalar(n, system);
    if (system == "icd10") std::erase(code, '.');
    if (system != "local")
      for (char& ch : code)
        if (ascii::is_lower(ch)) ch = static_cast<char>(ch - 'a' + 'A');
    if (code.empty()) fail(n.Mark(), system + ": an empty code would match every code");
    for (char ch : code)
      if (system != "local" && !ascii::is_alnum(ch))
        fail(n.Mark(), system + ": '" + n.Scalar() + "' is not a code (letters and digits only)");
    if (system == "jlac10" && code.size() > 17) fail(n.Mark(), "jlac10: a JLAC10 code has 17 characters at most");
    return code;
  }

  int find_set(const YAML::Node& n) const {
    const std::string name = scalar(n, "code set");
    if (name == "any") return -1;
    for (std::size_t i = 0; i < c_.code_sets.size(); ++i)
      if (c_.code_sets[i].name == name) return static_cast<int>(i);
    fail(n.Mark(), "code set '" + name + "' is not defined under code_sets:");
  }

  void index_event(const YAML::Node& index) {
    if (!index.IsMap()) fail(index.Mark(), "index: a mapping with one event (diagnosis:, drug:, lab:, visit:, admission:) and occurrence:");
    if (const YAML::Node occurrence = index["occurrence"]) {
      const std::string o = scalar(occurrence, "occurrence");
      if (o != "first" && o != "every") fail(occurrence.Mark(), "occurrence: first or every, not '" + o + "'");
      c_.every = o == "every";
    }
    c_.index = criterion(index, false, true);
    if (c_.nodes[c_.index].kind != NodeKind::event) fail(index.Mark(), "index: must be one event criterion");
    if (c_.nodes[c_.index].window.set) fail(index["window"].Mark(), "index: an index event has no window");
  }

  static bool event_key(const std::string& key, clinical::EventKind& kind) {
    static const std::pair<std::string_view, clinical::EventKind> keys[] = {
        {"diagnosis", clinical::EventKind::diagnosis}, {"drug", clinical::EventKind::drug},
        {"lab", clinical::EventKind::lab},             {"visit", clinical::EventKind::visit},
        {"admission", clinical::EventKind::admission}, {"transfer", clinical::EventKind::transfer},
        {"discharge", clinical::EventKind::discharge}};
    for (const auto& [name, k] : keys)
      if (name == key) {
        kind = k;
        return true;
      }
    return false;
  }

  // One criterion of a mapping: exactly one of all:, any:, not:, age:, sex:, or an event key
  // with its options. `in_rule`: the mapping also holds name:; `in_index`: occurrence:.
  std::size_t criterion(const YAML::Node& map, bool in_rule, bool in_index = false) {
    if (!map.IsMap()) fail(map.Mark(), "a criterion is a mapping (all:, any:, not:, age:, sex: or an event)");
    std::string main;
    for (const auto& item : map) {
      const std::string key = item.first.Scalar();
      clinical::EventKind kind;
      if (key == "all" || key == "any" || key == "not" || key == "age" || key == "sex" || event_key(key, kind)) {
        if (!main.empty()) fail(item.first.Mark(), "one criterion per mapping: '" + main + "' and '" + key + "' (use all: or any:)");
        main = key;
      }
    }
    if (main.empty()) fail(map.Mark(), "no criterion here (all:, any:, not:, age:, sex:, diagnosis:, drug:, lab:, visit:, admission:, transfer:, discharge:)");
    Node node;
    node.where = where(map);
    const YAML::Node body = map[main];
    std::vector<std::string_view> allowed = {main};
    if (in_rule) allowed.push_back("name");
    if (in_index) allowed.push_back("occurrence");
    clinical::EventKind kind;
    if (main == "all" || main == "any") {
      node.kind = main == "all" ? NodeKind::all : NodeKind::any;
      if (!body.IsSequence() || body.size() == 0) fail(body.Mark(), main + ": a non-empty list of criteria");
      for (const YAML::Node& child : body) node.children.push_back(criterion(child, false));
      node.text = main + " of " + std::to_string(node.children.size());
    } else if (main == "not") {
      node.kind = NodeKind::negation;
      node.children.push_back(criterion(body, false));
      node.text = "not " + c_.nodes[node.children[0]].text;
    } else if (main == "age") {
      node.kind = NodeKind::age;
      if (!body.IsMap()) fail(body.Mark(), "age: {min: N, max: N} in whole years at the index date");
      only(body, {"min", "max"});
      if (body["min"]) node.age_min = integer(body["min"], "age min", 0, 150);
      if (body["max"]) node.age_max = integer(body["max"], "age max", 0, 150);
      if (node.age_min < 0 && node.age_max < 0) fail(body.Mark(), "age: give min:, max: or both");
      if (node.age_max >= 0 && node.age_min > node.age_max) fail(body.Mark(), "age: min is above max");
      node.text = "age";
    } else if (main == "sex") {
      node.kind = NodeKind::sex;
      const std::string s = scalar(body, "sex");
      if (s != "M" && s != "F") fail(body.Mark(), "sex: M or F (PID-8), not '" + s + "'");
      node.sex = s[0];
      node.text = "sex " + s;
    } else if (event_key(main, kind)) {
      event(map, body, kind, node, allowed);
    }
    only(map, allowed);
    return add(std::move(node));
  }

  void event(const YAML::Node& map, const YAML::Node& body, clinical::EventKind kind, Node& node,
             std::vector<std::string_view>& allowed) {
    node.kind = NodeKind::event;
    node.event = kind;
    node.code_set = find_set(body);
    node.text = std::string(clinical::event_kind_name(kind)) + " " + body.Scalar();
    for (std::string_view k : {"window", "count", "value", "unit"}) allowed.push_back(k);
    if (const YAML::Node w = map["window"]) {
      if (!w.IsMap()) fail(w.Mark(), "window: {before: DAYS|all, after: DAYS|all} around the index date");
      only(w, {"before", "after"});
      node.window.set = true;
      side(w["before"], node.window.before, node.window.unbounded_before, "before");
      side(w["after"], node.window.after, node.window.unbounded_after, "after");
    }
    if (const YAML::Node count = map["count"]) node.min_count = integer(count, "count", 1, 100000);
    const YAML::Node value = map["value"], unit = map["unit"];
    if (unit && !value) fail(unit.Mark(), "unit: belongs to a value: test");
    if (value) {
      if (kind != clinical::EventKind::lab) fail(value.Mark(), "value: tests lab results only");
      value_test(value, unit, node);
    }
  }

  void side(const YAML::Node& n, int& days, bool& unbounded, std::string_view what) const {
    if (!n) return;
    if (n.IsScalar() && n.Scalar() == "all") {
      unbounded = true;
      return;
    }
    days = integer(n, what, 0, 100000);
  }

  void value_test(const YAML::Node& value, const YAML::Node& unit, Node& node) {
    std::string t = scalar(value, "value");
    std::size_t at = 0;
    auto starts = [&](std::string_view p) { return t.compare(0, p.size(), p) == 0 ? (at = p.size(), true) : false; };
    if (starts(">=") || starts("≥")) node.op = Op::ge;
    else if (starts("<=") || starts("≤")) node.op = Op::le;
    else if (starts(">")) node.op = Op::gt;
    else if (starts("<")) node.op = Op::lt;
    else if (starts("=")) node.op = Op::eq;
    else fail(value.Mark(), "value: an operator (>=, >, <=, <, =) then a number, e.g. \">= 6.5\"");
    std::string number = t.substr(at);
    while (!number.empty() && number.front() == ' ') number.erase(0, 1);
    char* end = nullptr;
    node.number = std::strtod(number.c_str(), &end);
    if (number.empty() || end == nullptr || *end != 0 || !std::isfinite(node.number))
      fail(value.Mark(), "value: '" + number + "' is not a number");
    node.has_value = true;
    if (unit) {
      node.unit_text = scalar(unit, "unit");
      const lab::UnitResolution r = lab::resolve_unit(tables_, ucum_, node.unit_text, {}, {}, nullptr);
      if (r.status != lab::UnitStatus::mapped)
        fail(unit.Mark(), "unit: '" + node.unit_text + "' is neither UCUM nor a spelling the tables know");
      node.unit = r.ucum;
    }
    node.text += " " + t + (node.unit_text.empty() ? "" : " " + node.unit_text);
  }

  std::size_t add(Node node) {
    c_.nodes.push_back(std::move(node));
    return c_.nodes.size() - 1;
  }

  const std::string& file_;
  const tables::Tables& tables_;
  units::Ucum& ucum_;
  Criteria c_;
};

}  // namespace

Criteria parse_criteria(std::string_view text, const std::string& file, const tables::Tables& tables, units::Ucum& ucum) {
  return Parser(file, tables, ucum).parse(text);
}

Criteria load_criteria(const std::string& path, const tables::Tables& tables, units::Ucum& ucum) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("[COHORT-CRITERIA] cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return parse_criteria(s.str(), path, tables, ucum);
}

std::vector<std::string> step_names(const Criteria& criteria) {
  std::vector<std::string> out = {"patients", "index: " + criteria.nodes[criteria.index].text};
  for (const Rule& r : criteria.inclusion) out.push_back(r.name);
  return out;
}

}  // namespace smx::cohort
