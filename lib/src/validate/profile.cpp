// Validation profiles (mappings/profiles/*.yaml) and site configs: loaded with yaml-cpp, every
// problem reported as config_error "file:line:col: what".
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "smx/validate.hpp"

namespace smx::validate {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail_at(const std::string& file, const YAML::Mark& mark, const std::string& what) {
  std::string where = file;
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  throw config_error(where + ": " + what);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path + ": cannot read profile");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

YAML::Node parse_yaml(std::string_view text, const std::string& file) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    fail_at(file, e.mark, e.msg);
  }
}

std::optional<Severity> parse_severity(const std::string& s, bool& off) {
  off = false;
  if (s == "error") return Severity::error;
  if (s == "warning") return Severity::warning;
  if (s == "note") return Severity::note;
  if (s == "off") {
    off = true;
    return Severity::note;
  }
  return std::nullopt;
}

class Loader {
 public:
  Loader(Profile& profile, std::vector<std::string> search_path) : p_(profile), search_(std::move(search_path)) {}

  std::string resolve(const std::string& name_or_file) const {
    bool is_file = name_or_file.find('/') != std::string::npos || name_or_file.ends_with(".yaml") ||
                   name_or_file.ends_with(".yml");
    if (is_file) return name_or_file;
    for (const auto& dir : search_) {
      fs::path candidate = fs::path(dir) / (name_or_file + ".yaml");
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec)) return candidate.string();
    }
    std::string places;
    for (const auto& dir : search_) places += (places.empty() ? "" : ", ") + dir;
    throw config_error("profile '" + name_or_file + "' not found" +
                       (places.empty() ? std::string(" (no profile folder to look in)") : " in " + places) +
                       "; give a profile file, or a data folder whose mappings/profiles/ has it");
  }

  void load_file(const std::string& path) { load_text(read_text(path), path); }

  void load_text(std::string_view text, const std::string& file) {
    if (loading_.count(file)) throw config_error(file + ": profile extends itself");
    loading_.insert(file);
    YAML::Node root = parse_yaml(text, file);
    if (!root.IsMap()) fail_at(file, root.Mark(), "a profile is a mapping (profile:, rules:, ...)");
    if (root["extends"]) {
      const YAML::Node& base = root["extends"];
      if (!base.IsScalar()) fail_at(file, base.Mark(), "extends: takes one profile name");
      std::string base_file;
      try {
        base_file = resolve(base.as<std::string>());
      } catch (const config_error& e) {
        fail_at(file, base.Mark(), e.what());
      }
      load_file(base_file);
    }
    p_.files.push_back(file);
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string key = it->first.as<std::string>();
      YAML::Node v = it->second;
      if (key == "extends") continue;
      if (key == "profile") p_.name = scalar(file, v, key);
      else if (key == "title") p_.title = scalar(file, v, key);
      else if (key == "hl7_version") p_.hl7_version = scalar(file, v, key);
      else if (key == "charsets") p_.charsets = strings(file, v, key);
      else if (key == "rules") rules(file, v);
      else if (key == "structures") structures(file, v);
      else if (key == "structure_of") {
        for (auto& [k, value] : string_map(file, v, key)) {
          p_.structure_of[k] = value.first;
          refs_.push_back({file, value.second, "structure", value.first});
        }
      } else if (key == "required") required(file, v);
      else if (key == "field_types") field_types(file, v);
      else if (key == "tables") tables(file, v);
      else if (key == "table_fields") {
        for (auto& [k, value] : string_map(file, v, key)) {
          Profile::TableField t{field(file, value.second, k), value.first};
          const std::string& path_text = k;  // clang 14 cannot capture a structured binding
          std::erase_if(p_.table_fields, [&](const auto& x) { return x.where.text == path_text; });
          p_.table_fields.push_back(t);
          refs_.push_back({file, value.second, "table", value.first});
          refs_.push_back({file, value.second, "rule", "HL7-TABLE-" + value.first});
        }
      } else if (key == "expected_values") expected_values(file, v);
      else if (key == "obx2_allowed") {
        if (!v.IsMap()) fail_at(file, v.Mark(), "obx2_allowed: maps a data type to a list of value types");
        for (auto i = v.begin(); i != v.end(); ++i)
          p_.obx2_allowed[i->first.as<std::string>()] = strings(file, i->second, "obx2_allowed");
      } else if (key == "jlac10") jlac10(file, v);
      else if (key == "care_date_by_event") {
        for (auto& [k, value] : string_map(file, v, key)) {
          field(file, value.second, value.first);
          p_.care_date_by_event[k] = value.first;
        }
      } else if (key == "order_types") p_.order_types = strings(file, v, key);
      else if (key == "dept_sources") {
        p_.dept_sources = strings(file, v, key);
        for (const auto& s : p_.dept_sources) field(file, v, s);
      } else if (key == "limits") {
        if (!v.IsMap()) fail_at(file, v.Mark(), "limits: maps an item to a maximum length");
        static const std::set<std::string> items = {"patient", "order", "data_kind", "timestamp",
                                                    "dept",    "file_name", "directory"};
        for (auto i = v.begin(); i != v.end(); ++i) {
          std::string item = i->first.as<std::string>();
          if (!items.count(item)) fail_at(file, i->first.Mark(), "unknown limit '" + item + "'");
          std::size_t max = 0;
          try {
            max = i->second.as<std::size_t>();
          } catch (const YAML::Exception&) {
            fail_at(file, i->second.Mark(), "limit must be a number");
          }
          std::erase_if(p_.limits, [&](const auto& l) { return l.item == item; });
          p_.limits.push_back({item, max});
        }
      } else {
        fail_at(file, it->first.Mark(), "unknown key '" + key + "'");
      }
    }
    loading_.erase(file);
  }

  // Checks that every code, table and structure a profile refers to exists.
  void check_references() {
    for (const auto& r : refs_) {
      bool ok = true;
      if (r.kind == "rule") ok = p_.rule(r.name) != nullptr;
      else if (r.kind == "table") ok = p_.tables.count(r.name) > 0;
      else if (r.kind == "structure") ok = p_.structures.count(r.name) > 0;
      if (!ok) fail_at(r.file, r.mark, r.kind + " '" + r.name + "' is not defined in the profile");
    }
  }

 private:
  struct Ref {
    std::string file;
    YAML::Mark mark;
    std::string kind;
    std::string name;
  };

  std::string scalar(const std::string& file, const YAML::Node& v, const std::string& what) {
    if (!v.IsScalar()) fail_at(file, v.Mark(), what + ": expected a single value");
    return v.as<std::string>();
  }
  std::vector<std::string> strings(const std::string& file, const YAML::Node& v, const std::string& what) {
    if (!v.IsSequence()) fail_at(file, v.Mark(), what + ": expected a list");
    std::vector<std::string> out;
    for (const auto& item : v) out.push_back(scalar(file, item, what));
    return out;
  }
  std::vector<std::pair<std::string, std::pair<std::string, YAML::Mark>>> string_map(const std::string& file,
                                                                                    const YAML::Node& v,
                                                                                    const std::string& what) {
    if (!v.IsMap()) fail_at(file, v.Mark(), what + ": expected a mapping");
    std::vector<std::pair<std::string, std::pair<std::string, YAML::Mark>>> out;
    for (auto i = v.begin(); i != v.end(); ++i)
      out.push_back({i->first.as<std::string>(), {scalar(file, i->second, what), i->second.Mark()}});
    return out;
  }
  FieldSpec field(const std::string& file, const YAML::Node& at, const std::string& text) {
    try {
      return parse_field_spec(text);
    } catch (const parse_error& e) {
      fail_at(file, at.Mark(), e.what());
    }
  }
  FieldSpec field(const std::string& file, const YAML::Mark& at, const std::string& text) {
    try {
      return parse_field_spec(text);
    } catch (const parse_error& e) {
      fail_at(file, at, e.what());
    }
  }

  void rules(const std::string& file, const YAML::Node& v) {
    if (!v.IsSequence()) fail_at(file, v.Mark(), "rules: expected a list of {code, severity, description, clause}");
    for (const auto& item : v) {
      if (!item.IsMap()) fail_at(file, item.Mark(), "a rule is a mapping {code, severity, description, clause}");
      Rule r;
      for (const char* required_key : {"code", "severity", "description", "clause"})
        if (!item[required_key]) fail_at(file, item.Mark(), std::string("rule without '") + required_key + "'");
      for (auto i = item.begin(); i != item.end(); ++i) {
        std::string k = i->first.as<std::string>();
        if (k != "code" && k != "severity" && k != "description" && k != "clause")
          fail_at(file, i->first.Mark(), "unknown rule key '" + k + "'");
      }
      r.code = scalar(file, item["code"], "code");
      bool off = false;
      auto severity = parse_severity(scalar(file, item["severity"], "severity"), off);
      if (!severity) fail_at(file, item["severity"].Mark(), "severity must be error, warning, note or off");
      r.severity = *severity;
      r.enabled = !off;
      r.description = scalar(file, item["description"], "description");
      r.clause = scalar(file, item["clause"], "clause");
      r.origin = file + ":" + std::to_string(item.Mark().line + 1);
      if (Rule* existing = p_.rule(r.code))
        *existing = r;
      else
        p_.rules.push_back(r);
    }
  }

  void structures(const std::string& file, const YAML::Node& v) {
    if (!v.IsMap()) fail_at(file, v.Mark(), "structures: maps a message structure to its grammar");
    for (auto i = v.begin(); i != v.end(); ++i) {
      std::string name = i->first.as<std::string>();
      std::string text = scalar(file, i->second, name);
      try {
        p_.structures[name] = Grammar::compile(text);
      } catch (const parse_error& e) {
        fail_at(file, i->second.Mark(), "structure " + name + ": " + e.what());
      }
    }
  }

  void required(const std::string& file, const YAML::Node& v) {
    if (!v.IsMap()) fail_at(file, v.Mark(), "required: maps a data type (or \"*\") to a list of fields");
    for (auto i = v.begin(); i != v.end(); ++i) {
      Profile::Required r;
      r.data_type = i->first.as<std::string>();
      if (!i->second.IsSequence()) fail_at(file, i->second.Mark(), "required: expected a list of fields");
      const YAML::Node seq_1 = i->second;  // i-> is a temporary proxy (yaml-cpp)
      for (const auto& f : seq_1) r.fields.push_back(field(file, f, scalar(file, f, "field")));
      std::erase_if(p_.required, [&](const auto& x) { return x.data_type == r.data_type; });
      p_.required.push_back(std::move(r));
    }
  }

  void field_types(const std::string& file, const YAML::Node& v) {
    static const std::map<std::string, ValueType> names = {
        {"ST", ValueType::st},   {"NM", ValueType::nm},   {"SI", ValueType::si},   {"DTM", ValueType::dtm},
        {"DT", ValueType::dt},   {"TS", ValueType::ts},   {"CWE", ValueType::cwe}, {"CE", ValueType::cwe},
        {"CX", ValueType::cx},   {"XPN", ValueType::xpn}, {"ID", ValueType::id},   {"DR", ValueType::ts}};
    if (!v.IsMap()) fail_at(file, v.Mark(), "field_types: maps a data type (DTM, NM, ...) to a list of fields");
    for (auto i = v.begin(); i != v.end(); ++i) {
      std::string type = i->first.as<std::string>();
      auto t = names.find(type);
      if (t == names.end()) fail_at(file, i->first.Mark(), "unknown data type '" + type + "'");
      if (!i->second.IsSequence()) fail_at(file, i->second.Mark(), "field_types: expected a list of fields");
      const YAML::Node seq_2 = i->second;  // i-> is a temporary proxy (yaml-cpp)
      for (const auto& f : seq_2) {
        FieldSpec spec = field(file, f, scalar(file, f, "field"));
        std::erase_if(p_.field_types, [&](const auto& x) { return x.where.text == spec.text; });
        p_.field_types.push_back({spec, t->second});
      }
    }
  }

  void tables(const std::string& file, const YAML::Node& v) {
    if (!v.IsMap()) fail_at(file, v.Mark(), "tables: maps a table number to its values");
    for (auto i = v.begin(); i != v.end(); ++i) {
      std::string id = i->first.as<std::string>();
      YAML::Node t = i->second;
      if (t.IsMap()) {  // {extend: [...]}: add local values to a table of a base profile
        if (!t["extend"] || t.size() != 1) fail_at(file, t.Mark(), "table " + id + ": a list, or {extend: [values]}");
        if (!p_.tables.count(id)) fail_at(file, t.Mark(), "table " + id + " extends a table that is not defined");
        for (auto& s : strings(file, t["extend"], "extend")) p_.tables[id].push_back(s);
      } else {
        p_.tables[id] = strings(file, t, "table " + id);
      }
    }
  }

  void expected_values(const std::string& file, const YAML::Node& v) {
    if (!v.IsSequence()) fail_at(file, v.Mark(), "expected_values: expected a list");
    for (const auto& item : v) {
      if (!item.IsMap() || !item["field"] || !item["expected"] || !item["code"])
        fail_at(file, item.Mark(), "expected value needs field, expected and code (variants, variant_code optional)");
      Profile::ExpectedValue e;
      e.where = field(file, item["field"], scalar(file, item["field"], "field"));
      e.expected = scalar(file, item["expected"], "expected");
      e.code = scalar(file, item["code"], "code");
      refs_.push_back({file, item["code"].Mark(), "rule", e.code});
      if (item["if_present"]) e.if_present = item["if_present"].as<bool>();
      if (item["variants"]) e.variants = strings(file, item["variants"], "variants");
      if (item["variant_code"]) {
        e.variant_code = scalar(file, item["variant_code"], "variant_code");
        refs_.push_back({file, item["variant_code"].Mark(), "rule", e.variant_code});
      } else {
        e.variant_code = e.code;
      }
      std::erase_if(p_.expected_values, [&](const auto& x) { return x.where.text == e.where.text; });
      p_.expected_values.push_back(std::move(e));
    }
  }

  void jlac10(const std::string& file, const YAML::Node& v) {
    if (!v.IsMap()) fail_at(file, v.Mark(), "jlac10: expected {fields, shape, short_lengths}");
    for (auto i = v.begin(); i != v.end(); ++i) {
      std::string k = i->first.as<std::string>();
      if (k == "fields") {
        p_.jlac10_fields.clear();
        const YAML::Node seq_3 = i->second;  // i-> is a temporary proxy (yaml-cpp)
        for (const auto& f : seq_3) p_.jlac10_fields.push_back(field(file, f, scalar(file, f, "field")));
      } else if (k == "shape") {
        p_.jlac10_shape = scalar(file, i->second, k);
      } else if (k == "short_lengths") {
        p_.jlac10_short_lengths.clear();
        const YAML::Node seq_4 = i->second;  // i-> is a temporary proxy (yaml-cpp)
        for (const auto& n : seq_4) {
          try {
            p_.jlac10_short_lengths.push_back(n.as<std::size_t>());
          } catch (const YAML::Exception&) {
            fail_at(file, n.Mark(), "short_lengths: expected numbers");
          }
        }
      } else {
        fail_at(file, i->first.Mark(), "unknown jlac10 key '" + k + "'");
      }
    }
  }

  Profile& p_;
  std::vector<std::string> search_;
  std::set<std::string> loading_;
  std::vector<Ref> refs_;
};

}  // namespace

const Rule* Profile::rule(std::string_view code) const {
  for (const auto& r : rules)
    if (r.code == code) return &r;
  return nullptr;
}

Rule* Profile::rule(std::string_view code) {
  for (auto& r : rules)
    if (r.code == code) return &r;
  return nullptr;
}

std::vector<std::string> profile_search_path(const fs::path& data_root) {
  if (data_root.empty()) return {};
  return {(data_root / "mappings" / "profiles").string()};
}

Profile load_profile(const std::string& name_or_file, const std::vector<std::string>& search_path) {
  Profile p;
  Loader loader(p, search_path);
  loader.load_file(loader.resolve(name_or_file));
  loader.check_references();
  if (p.name.empty()) p.name = name_or_file;
  return p;
}

Profile parse_profile(std::string_view yaml, const std::string& file_name, const std::vector<std::string>& search_path) {
  Profile p;
  Loader loader(p, search_path);
  loader.load_text(yaml, file_name);
  loader.check_references();
  if (p.name.empty()) p.name = file_name;
  return p;
}

void apply_config_text(Profile& profile, std::string_view yaml, const std::string& file) {
  YAML::Node root = parse_yaml(yaml, file);
  if (root.IsNull()) return;
  if (!root.IsMap()) fail_at(file, root.Mark(), "a site config is a mapping (severities: {CODE: level})");
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string key = it->first.as<std::string>();
    if (key != "severities") fail_at(file, it->first.Mark(), "unknown key '" + key + "' (expected severities)");
    YAML::Node v = it->second;
    if (!v.IsMap()) fail_at(file, v.Mark(), "severities: maps a rule code to error, warning, note or off");
    for (auto i = v.begin(); i != v.end(); ++i) {
      std::string code = i->first.as<std::string>();
      Rule* rule = profile.rule(code);
      if (!rule) fail_at(file, i->first.Mark(), "rule '" + code + "' is not in profile " + profile.name);
      if (!i->second.IsScalar()) fail_at(file, i->second.Mark(), "severity must be error, warning, note or off");
      bool off = false;
      auto severity = parse_severity(i->second.as<std::string>(), off);
      if (!severity) fail_at(file, i->second.Mark(), "severity must be error, warning, note or off");
      rule->enabled = !off;
      if (!off) rule->severity = *severity;
      rule->origin = file + ":" + std::to_string(i->first.Mark().line + 1);
    }
  }
}

void apply_config(Profile& profile, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config_error(file + ": cannot read site config");
  std::ostringstream s;
  s << in.rdbuf();
  apply_config_text(profile, s.str(), file);
}

std::string list_rules(const Profile& profile) {
  std::string out;
  for (const auto& r : profile.rules) {
    out += r.code;
    out += '\t';
    out += r.enabled ? std::string(severity_name(r.severity)) : std::string("off");
    out += '\t';
    out += r.description;
    out += '\t';
    out += r.clause;
    out += '\n';
  }
  return out;
}

}  // namespace smx::validate
