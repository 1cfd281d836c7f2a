// Allow-list profiles (format smx-deid-profile/1), loaded with file:line:col errors.
#include "smx/deid.hpp"

#include "tables/yaml_tree.hpp"

#include <algorithm>

namespace smx::deid {

using tables::detail::Document;
using tables::detail::YamlNode;
namespace fs = std::filesystem;

namespace {

constexpr int kMaxExtends = 4;

struct PendingCriterion {
  std::string key;
  std::string where;  // FILE:LINE:COL
};

struct Loader {
  const TypeTable& types;
  fs::path profiles_dir;
  std::string hashed;  // every file's text, base first
  std::vector<PendingCriterion> criteria_used;
};

std::string where(const Document& doc, const YamlNode& node) {
  return doc.name() + ':' + std::to_string(node.line) + ':' + std::to_string(node.column);
}

bool is_word(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (char c : text)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

std::string_view action_name(Action a) {
  switch (a) {
    case Action::keep: return "keep";
    case Action::drop: return "drop";
    case Action::pseudonymize: return "pseudonymize";
    case Action::shift: return "shift";
    case Action::generalize: return "generalize";
    case Action::hash: return "hash";
  }
  return "?";
}

Action parse_action(const Document& doc, const YamlNode& node) {
  const std::string& text = doc.string(node, "action");
  for (Action a : {Action::keep, Action::drop, Action::pseudonymize, Action::shift, Action::generalize, Action::hash})
    if (text == action_name(a)) return a;
  doc.fail(node, "unknown action '" + text + "' (expected keep, drop, pseudonymize, shift, generalize, hash)");
}

Generalization parse_generalization(const Document& doc, const YamlNode& node) {
  const std::string& text = doc.string(node, "to");
  if (text == "birth-date") return Generalization::birth_date;
  if (text == "year") return Generalization::year;
  if (text == "year-month") return Generalization::year_month;
  if (text == "postal-3") return Generalization::postal3;
  if (text == "insurer-houbetsu") return Generalization::insurer_houbetsu;
  if (text == "masked") return Generalization::masked;
  doc.fail(node, "unknown generalization '" + text +
                     "' (expected birth-date, year, year-month, postal-3, insurer-houbetsu, masked)");
}

DatePrecision parse_precision(const Document& doc, const YamlNode& node) {
  const std::string& text = doc.string(node, "precision");
  if (text == "year") return DatePrecision::year;
  if (text == "year-month") return DatePrecision::month;
  if (text == "day") return DatePrecision::day;
  doc.fail(node, "unknown precision '" + text + "' (expected year, year-month, day)");
}

// The types whose identifier is their first leaf (pseudonymize, insurer-houbetsu).
bool has_identifier(const TypeTable& types, TypeTable::TypeId type) {
  static constexpr std::string_view kIdentifierTypes[] = {"ST", "IS", "ID", "NM", "CX", "XCN", "EI",
                                                          "EIP", "HD", "PLN", "DLN", "CNN", "CE", "CWE"};
  for (std::string_view name : kIdentifierTypes)
    if (types.name(type) == name) return true;
  return false;
}

std::vector<int> parse_components(const Document& doc, const YamlNode& node, const TypeTable& types,
                                  TypeTable::TypeId type) {
  doc.expect_sequence(node, "components");
  const std::size_t count = types.components(type).size();
  if (count == 0) doc.fail(node, "components: " + types.name(type) + " is not a composite type");
  std::vector<int> out;
  for (const YamlNode& item : node.children) {
    const long long c = doc.integer(item, "a component number");
    if (c < 1 || static_cast<std::size_t>(c) > count)
      doc.fail(item, types.name(type) + " has components 1 to " + std::to_string(count));
    out.push_back(static_cast<int>(c));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::pair<std::string, ValueTypeAction>> parse_value_types(const Document& doc, const YamlNode& node,
                                                                       const TypeTable& types) {
  doc.expect_map(node, "value_types");
  doc.check_unique_keys(node, "value type");
  std::vector<std::pair<std::string, ValueTypeAction>> out;
  for (std::size_t i = 0; i < node.map_size(); ++i) {
    const YamlNode& key = node.key(i);
    const TypeTable::TypeId t = types.find(key.text);
    if (t == TypeTable::kNone || t == types.varies())
      doc.fail(key, "unknown value type '" + key.text + "'");
    const std::string& action = doc.string(node.value(i), "a value-type action");
    ValueTypeAction a = ValueTypeAction::drop;
    if (action == "keep") a = ValueTypeAction::keep;
    else if (action == "drop") a = ValueTypeAction::drop;
    else if (action == "lab-text" && types.is_primitive(t) && !types.is_date(t)) a = ValueTypeAction::lab_text;
    else if (action == "lab-text") doc.fail(node.value(i), "lab-text applies to text value types, not " + key.text);
    else doc.fail(node.value(i), "unknown value-type action '" + action + "' (expected keep, drop, lab-text)");
    out.emplace_back(key.text, a);
  }
  return out;
}

// Checks that the field's data type can take the action.
void check_rule_type(const Document& doc, const YamlNode& at, const FieldRule& rule, const TypeTable& types,
                     TypeTable::TypeId type, std::string_view field) {
  const std::string type_name = types.name(type);
  const auto refuse = [&](const std::string& why) {
    doc.fail(at, std::string(field) + " (" + type_name + "): " + why);
  };
  const bool varies = type == types.varies();
  if (varies && rule.action != Action::drop && rule.value_types.empty())
    refuse("a field of type varies needs value_types (what to do for each OBX-2 value type)");
  if (!varies && !rule.value_types.empty()) refuse("value_types apply only to fields of type varies (OBX-5)");
  switch (rule.action) {
    case Action::shift:
      if (!types.holds_date(type)) refuse("shift: the data type holds no date");
      break;
    case Action::pseudonymize:
      if (!has_identifier(types, type)) refuse("pseudonymize: the data type holds no identifier");
      break;
    case Action::generalize:
      switch (rule.generalization) {
        case Generalization::birth_date:
        case Generalization::year:
        case Generalization::year_month:
          if (!types.holds_date(type)) refuse("generalize to a date precision: the data type holds no date");
          break;
        case Generalization::postal3:
          if (type_name != "XAD" && type_name != "ST") refuse("postal-3 applies to XAD (component 5) or ST");
          break;
        case Generalization::insurer_houbetsu:
          if (!has_identifier(types, type)) refuse("insurer-houbetsu: the data type holds no identifier");
          break;
        case Generalization::masked: break;
      }
      break;
    case Action::keep:
    case Action::drop:
    case Action::hash: break;
  }
}

FieldRule parse_field_rule(Loader& loader, const Document& doc, const YamlNode& node, std::string_view segment,
                           int field, const std::string& segment_criterion, const YamlNode& segment_node) {
  const TypeTable& types = loader.types;
  const TypeTable::TypeId type = types.field_type(segment, static_cast<std::size_t>(field));
  const std::string field_name = std::string(segment) + "-" + std::to_string(field);
  FieldRule rule;
  const YamlNode* criterion_node = nullptr;
  if (node.kind == YamlNode::Kind::scalar) {
    rule.action = parse_action(doc, node);
    if (rule.action == Action::pseudonymize || rule.action == Action::generalize)
      doc.fail(node, std::string(action_name(rule.action)) + " needs a map with its parameters");
  } else {
    doc.expect_map(node, field_name);
    doc.check_keys(node, {"action", "purpose", "to", "components", "keep_components", "length", "value_types",
                          "criterion"},
                   {"action"});
    rule.action = parse_action(doc, *doc.find(node, "action"));
    const auto allow = [&](std::string_view key, std::initializer_list<Action> actions) {
      const YamlNode* n = doc.find(node, key);
      if (!n) return n;
      if (std::find(actions.begin(), actions.end(), rule.action) == actions.end())
        doc.fail(*n, "'" + std::string(key) + "' does not apply to " + std::string(action_name(rule.action)));
      return n;
    };
    if (const YamlNode* n = allow("purpose", {Action::pseudonymize, Action::hash})) {
      rule.purpose = doc.string(*n, "purpose");
      if (!is_word(rule.purpose)) doc.fail(*n, "purpose must be lower-case letters, digits, '-' or '_'");
    } else if (rule.action == Action::pseudonymize) {
      doc.fail(node, "pseudonymize needs a purpose (patient, order, staff...)");
    }
    if (const YamlNode* n = allow("to", {Action::generalize})) rule.generalization = parse_generalization(doc, *n);
    else if (rule.action == Action::generalize) doc.fail(node, "generalize needs 'to'");
    if (const YamlNode* n = allow("components", {Action::keep, Action::shift}))
      rule.components = parse_components(doc, *n, types, type);
    if (const YamlNode* n = allow("keep_components", {Action::pseudonymize, Action::generalize}))
      rule.components = parse_components(doc, *n, types, type);
    if (const YamlNode* n = allow("length", {Action::hash})) {
      const long long length = doc.integer(*n, "length");
      if (length < 8 || length > 64) doc.fail(*n, "length must be 8 to 64 hex digits");
      rule.hash_length = static_cast<int>(length);
    }
    if (const YamlNode* n = allow("value_types", {Action::keep})) rule.value_types = parse_value_types(doc, *n, types);
    criterion_node = doc.find(node, "criterion");
  }
  if (rule.action == Action::hash && rule.purpose.empty()) rule.purpose = "hash-" + field_name;
  check_rule_type(doc, node, rule, types, type, field_name);
  if (criterion_node) {
    rule.criterion = doc.string(*criterion_node, "criterion");
    loader.criteria_used.push_back({rule.criterion, where(doc, *criterion_node)});
  } else if (!segment_criterion.empty()) {
    rule.criterion = segment_criterion;
  } else {
    doc.fail(node, field_name + " needs a criterion (criterion: KEY here or on segment " + std::string(segment) + ")");
  }
  (void)segment_node;
  rule.id = field_name + " " + std::string(action_name(rule.action));
  if (!rule.purpose.empty() && rule.action == Action::pseudonymize) rule.id += " " + rule.purpose;
  if (rule.action == Action::generalize) rule.id += " " + doc.string(*doc.find(node, "to"), "to");
  return rule;
}

void parse_segment(Loader& loader, const Document& doc, const YamlNode& key, const YamlNode& value, Profile& profile) {
  const std::string& segment = key.text;
  if (!loader.types.has_segment(segment))
    doc.fail(key, "unknown segment '" + segment + "' (not in the HL7 v2.5 type table; unknown segments are always removed)");
  if (value.kind == YamlNode::Kind::scalar) {
    if (value.text != "drop") doc.fail(value, "a segment is a map of fields or 'drop', not '" + value.text + "'");
    if (segment == "MSH") doc.fail(value, "MSH cannot be dropped");
    profile.segments[segment] = SegmentRule{true, {}, {}};
    return;
  }
  doc.expect_map(value, "segment " + segment);
  doc.check_keys(value, {"criterion", "fields", "drop"});
  std::string criterion;
  if (const YamlNode* c = doc.find(value, "criterion")) {
    criterion = doc.string(*c, "criterion");
    loader.criteria_used.push_back({criterion, where(doc, *c)});
  }
  if (const YamlNode* d = doc.find(value, "drop")) {
    if (!doc.boolean(*d, "drop")) doc.fail(*d, "drop: write true, or leave it out");
    if (segment == "MSH") doc.fail(*d, "MSH cannot be dropped");
    if (doc.find(value, "fields")) doc.fail(*d, "a dropped segment has no fields");
    profile.segments[segment] = SegmentRule{true, criterion, {}};
    return;
  }
  if (!doc.find(value, "fields")) doc.fail(value, "missing key 'fields' (or drop: true)");
  SegmentRule& rule = profile.segments[segment];
  if (rule.drop) rule = SegmentRule{};
  if (!criterion.empty()) rule.criterion = criterion;
  const YamlNode& fields = *doc.find(value, "fields");
  doc.expect_map(fields, "fields");
  doc.check_unique_keys(fields, "field");
  const std::size_t count = loader.types.field_count(segment);
  for (std::size_t i = 0; i < fields.map_size(); ++i) {
    const YamlNode& field_key = fields.key(i);
    const long long n = doc.integer(field_key, "a field number");
    if (n < 1 || static_cast<std::size_t>(n) > count)
      doc.fail(field_key, segment + " has fields 1 to " + std::to_string(count));
    if (segment == "MSH" && n <= 2) doc.fail(field_key, "MSH-1 and MSH-2 are always kept");
    rule.fields[static_cast<int>(n)] =
        parse_field_rule(loader, doc, fields.value(i), segment, static_cast<int>(n), rule.criterion, value);
  }
}

void parse_birth(const Document& doc, const YamlNode& node, BirthPolicy& birth) {
  doc.expect_map(node, "birth");
  doc.check_keys(node, {"precision", "top_code_age", "over_age"});
  if (const YamlNode* n = doc.find(node, "precision")) birth.precision = parse_precision(doc, *n);
  if (const YamlNode* n = doc.find(node, "top_code_age")) {
    const long long age = doc.integer(*n, "top_code_age");
    if (age < 0 || age > 150) doc.fail(*n, "top_code_age must be 0 (off) to 150");
    birth.top_code_age = static_cast<int>(age);
  }
  if (const YamlNode* n = doc.find(node, "over_age")) {
    const std::string& text = doc.string(*n, "over_age");
    if (text == "drop") birth.over_age = BirthPolicy::OverAge::drop;
    else if (text == "cap") birth.over_age = BirthPolicy::OverAge::cap;
    else doc.fail(*n, "over_age must be drop or cap");
  }
}

void parse_shift_days(const Document& doc, const YamlNode& node, ShiftRange& range) {
  doc.expect_map(node, "shift_days");
  doc.check_keys(node, {"min", "max", "allow_zero"}, {"min", "max"});
  const long long min = doc.integer(*doc.find(node, "min"), "min");
  const long long max = doc.integer(*doc.find(node, "max"), "max");
  if (min > max || min < -36500 || max > 36500) doc.fail(node, "shift_days: need min <= max within +-36500");
  range.min_days = static_cast<int>(min);
  range.max_days = static_cast<int>(max);
  range.allow_zero = (min == 0 && max == 0);
  if (const YamlNode* n = doc.find(node, "allow_zero")) range.allow_zero = range.allow_zero || doc.boolean(*n, "allow_zero");
}

void parse_pseudonyms(const Document& doc, const YamlNode& node, Profile& profile) {
  doc.expect_map(node, "pseudonyms");
  doc.check_unique_keys(node, "purpose");
  for (std::size_t i = 0; i < node.map_size(); ++i) {
    const YamlNode& key = node.key(i);
    const YamlNode& value = node.value(i);
    if (!is_word(key.text)) doc.fail(key, "purpose must be lower-case letters, digits, '-' or '_'");
    const YamlNode* shape_node = &value;
    bool strip = false;
    if (value.kind == YamlNode::Kind::map) {
      doc.check_keys(value, {"shape", "strip_leading_zeros"}, {"shape"});
      shape_node = doc.find(value, "shape");
      if (const YamlNode* s = doc.find(value, "strip_leading_zeros")) strip = doc.boolean(*s, "strip_leading_zeros");
    }
    try {
      PseudonymShape shape = parse_pseudonym_shape(doc.string(*shape_node, "shape"));
      shape.strip_leading_zeros = strip;
      profile.pseudonyms[key.text] = shape;
    } catch (const usage_error& e) {
      doc.fail(*shape_node, e.what());
    }
  }
}

DatePolicy parse_dates(const Document& doc, const YamlNode& node) {
  const std::string& text = doc.string(node, "dates");
  if (text == "shift") return DatePolicy::shift;
  if (text == "shift-month") return DatePolicy::shift_month;
  if (text == "shift-year") return DatePolicy::shift_year;
  if (text == "keep") return DatePolicy::keep;
  doc.fail(node, "dates must be shift, shift-month, shift-year or keep");
}

Profile read_profile(Loader& loader, std::string_view text, std::string name, int depth, const fs::path& own_dir);

void apply_document(Loader& loader, const Document& doc, Profile& profile) {
  const YamlNode& root = doc.root();
  if (const YamlNode* n = doc.find(root, "title")) profile.title = doc.string(*n, "title");
  if (const YamlNode* n = doc.find(root, "criteria")) {
    doc.expect_map(*n, "criteria");
    doc.check_unique_keys(*n, "criterion");
    for (std::size_t i = 0; i < n->map_size(); ++i) {
      if (!is_word(n->key(i).text)) doc.fail(n->key(i), "a criterion key is lower-case letters, digits, '-', '_'");
      profile.criteria[n->key(i).text] = doc.string(n->value(i), "a criterion");
    }
  }
  if (const YamlNode* n = doc.find(root, "unlisted")) {
    profile.unlisted_criterion = doc.string(*n, "unlisted");
    loader.criteria_used.push_back({profile.unlisted_criterion, where(doc, *n)});
  }
  if (const YamlNode* n = doc.find(root, "dates")) profile.dates = parse_dates(doc, *n);
  if (const YamlNode* n = doc.find(root, "shift_days")) parse_shift_days(doc, *n, profile.shift);
  if (const YamlNode* n = doc.find(root, "birth")) parse_birth(doc, *n, profile.birth);
  if (const YamlNode* n = doc.find(root, "pseudonyms")) parse_pseudonyms(doc, *n, profile);
  if (const YamlNode* n = doc.find(root, "lab_text_words")) {
    profile.lab_text_words.clear();
    doc.expect_sequence(*n, "lab_text_words");
    for (const YamlNode& w : n->children) profile.lab_text_words.push_back(doc.string(w, "a word"));
  }
  if (const YamlNode* n = doc.find(root, "segments")) {
    doc.expect_map(*n, "segments");
    doc.check_unique_keys(*n, "segment");
    for (std::size_t i = 0; i < n->map_size(); ++i) parse_segment(loader, doc, n->key(i), n->value(i), profile);
  }
}

Profile read_profile(Loader& loader, std::string_view text, std::string name, int depth, const fs::path& own_dir) {
  const Document doc(text, std::move(name));
  const YamlNode& root = doc.root();
  doc.expect_map(root, "a profile");
  doc.check_keys(root, {"format", "name", "title", "extends", "criteria", "unlisted", "dates", "shift_days", "birth",
                        "pseudonyms", "lab_text_words", "segments"},
                 {"format", "name"});
  doc.expect_format(root, "smx-deid-profile/1");
  const YamlNode& name_node = *doc.find(root, "name");
  const std::string& profile_name = doc.string(name_node, "name");
  if (!is_word(profile_name)) doc.fail(name_node, "name must be lower-case letters, digits, '-', '_'");
  Profile profile;
  if (const YamlNode* n = doc.find(root, "extends")) {
    const std::string& base = doc.string(*n, "extends");
    if (!is_word(base)) doc.fail(*n, "extends names a profile (lower-case letters, digits, '-', '_')");
    if (depth >= kMaxExtends) doc.fail(*n, "profiles extend each other more than " + std::to_string(kMaxExtends) + " deep");
    fs::path path = own_dir / (base + ".yaml");
    std::error_code ec;
    if (own_dir.empty() || !fs::is_regular_file(path, ec)) path = loader.profiles_dir / (base + ".yaml");
    if (!fs::is_regular_file(path, ec)) doc.fail(*n, "profile '" + base + "' not found (" + path.string() + ")");
    const std::string base_text = tables::detail::read_table_file(path);
    profile = read_profile(loader, base_text, path.string(), depth + 1, path.parent_path());
  }
  loader.hashed += "\n--- ";
  loader.hashed += profile_name;
  loader.hashed += '\n';
  loader.hashed += text;
  profile.chain.insert(profile.chain.begin(), profile_name);
  profile.name = profile_name;
  apply_document(loader, doc, profile);
  return profile;
}

Profile finish(Loader& loader, Profile profile, const std::string& name) {
  for (const PendingCriterion& used : loader.criteria_used)
    if (!profile.criteria.count(used.key)) throw config_error(used.where + ": unknown criterion '" + used.key + "'");
  for (const auto& [segment, rule] : profile.segments)
    for (const auto& [field, f] : rule.fields)
      if (!profile.criteria.count(f.criterion))
        throw config_error(name + ":1:1: " + f.id + ": unknown criterion '" + f.criterion + "'");
  if (profile.unlisted_criterion.empty())
    throw config_error(name + ":1:1: the profile (or one it extends) must set 'unlisted' (why what it does not name is removed)");
  const auto msh = profile.segments.find("MSH");
  if (msh == profile.segments.end() || msh->second.drop)
    throw config_error(name + ":1:1: the profile must name MSH (a message without it is not HL7)");
  const Digest digest = sha256(loader.hashed);
  profile.sha256 = hex(digest.data(), digest.size());
  return profile;
}

}  // namespace

const PseudonymShape& Profile::shape(std::string_view purpose) const {
  static const PseudonymShape kDefault{};
  if (const auto it = pseudonyms.find(std::string(purpose)); it != pseudonyms.end()) return it->second;
  if (const auto it = pseudonyms.find("default"); it != pseudonyms.end()) return it->second;
  return kDefault;
}

std::vector<std::string> Profile::purposes() const {
  std::vector<std::string> out{"patient"};
  for (const auto& [segment, rule] : segments)
    for (const auto& [field, f] : rule.fields)
      if (!f.purpose.empty()) out.push_back(f.purpose);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Profile profile_from_string(std::string_view yaml, std::string name, const TypeTable& types,
                            const fs::path& profiles_dir) {
  Loader loader{types, profiles_dir, {}, {}};
  const fs::path own_dir = fs::path(name).has_parent_path() ? fs::path(name).parent_path() : fs::path();
  Profile profile = read_profile(loader, yaml, name, 0, own_dir);
  return finish(loader, std::move(profile), name);
}

Profile load_profile(std::string_view name_or_path, const fs::path& dir, const TypeTable& types) {
  fs::path path(name_or_path);
  if (is_word(name_or_path)) path = dir / (std::string(name_or_path) + ".yaml");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw config_error("[DEID-PROFILE-MISSING] no profile '" + std::string(name_or_path) + "' (" + path.string() + ")");
  return profile_from_string(tables::detail::read_table_file(path), path.string(), types, dir);
}

fs::path profiles_dir(const fs::path& tables_dir) { return tables_dir / "mappings" / "deid" / "profiles"; }
fs::path types_path(const fs::path& tables_dir) { return tables_dir / "mappings" / "deid" / "hl7-2.5-types.yaml"; }

}  // namespace smx::deid
