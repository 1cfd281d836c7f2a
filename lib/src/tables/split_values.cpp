// mappings/split-values.yaml: NHO's split rules for compound OBX-5 values, per JLAC10 code
// (nhoHQ/SSMIX2_support_documents doc/split_value.md). Schema in man/smx-tables.5.md.
#include <smx/ascii.hpp>
#include <smx/error.hpp>
#include <smx/tables.hpp>

#include "tables/yaml_tree.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace smx::tables {

using detail::Document;
using detail::YamlNode;

namespace {

constexpr std::size_t code_length = 17;

using ascii::is_digit;

// What a JLAC10 code may hold at position i (SS-MIX2 reference §6.4): a digit 1-9, an upper-case
// letter, then digits. '?' is the wildcard.
bool fits_jlac10_position(char c, std::size_t i) {
  if (c == '?') return true;
  if (i == 0) return c >= '1' && c <= '9';
  if (i == 1) return c >= 'A' && c <= 'Z';
  return is_digit(c);
}

constexpr std::pair<std::string_view, SplitForm> form_names[] = {
    {"labelled_symbols", SplitForm::labelled_symbols},
    {"symbol_number", SplitForm::symbol_number},
    {"number_symbol", SplitForm::number_symbol},
    {"number_class", SplitForm::number_class},
    {"symbol_symbol", SplitForm::symbol_symbol},
    {"text_number", SplitForm::text_number},
    {"number_unit", SplitForm::number_unit},
    {"label_number", SplitForm::label_number},
};

constexpr std::pair<std::string_view, SplitGets> gets_names[] = {
    {"number", SplitGets::number},   {"number_and_text", SplitGets::number_and_text},
    {"symbol", SplitGets::symbol},   {"class", SplitGets::class_value},
    {"text", SplitGets::text},
};

// The gets each form allows for its first and second part (NHO's 検査結果1/2 columns); an
// empty list means the part must be `none`.
struct FormShape {
  std::vector<SplitGets> first;
  std::vector<SplitGets> second;
};

FormShape shape_of(SplitForm form) {
  using G = SplitGets;
  switch (form) {
    case SplitForm::labelled_symbols:
    case SplitForm::symbol_symbol: return {{G::symbol}, {G::symbol}};
    case SplitForm::symbol_number: return {{G::symbol}, {G::number}};
    case SplitForm::number_symbol: return {{G::number, G::number_and_text}, {G::symbol}};
    case SplitForm::number_class: return {{G::number}, {G::class_value}};
    case SplitForm::text_number: return {{G::text}, {G::number}};
    case SplitForm::number_unit: return {{G::number}, {}};
    case SplitForm::label_number: return {{}, {G::number}};
  }
  return {};
}

// Two patterns that some code matches both.
bool overlap(std::string_view a, std::string_view b) {
  for (std::size_t i = 0; i < code_length; ++i)
    if (a[i] != b[i] && a[i] != '?' && b[i] != '?') return false;
  return true;
}

}  // namespace

std::string_view split_form_name(SplitForm form) {
  for (const auto& [name, f] : form_names)
    if (f == form) return name;
  return "?";
}

std::string_view split_gets_name(SplitGets gets) {
  for (const auto& [name, g] : gets_names)
    if (g == gets) return name;
  return "?";
}

std::string SplitPart::code_for(std::string_view jlac10) const {
  std::string out = code;
  for (std::size_t i = 0; i < out.size() && i < jlac10.size(); ++i)
    if (out[i] == '?') out[i] = jlac10[i];
  return out;
}

bool SplitRule::matches(std::string_view jlac10) const {
  if (jlac10.size() != code.size()) return false;
  for (std::size_t i = 0; i < code.size(); ++i)
    if (code[i] != '?' && code[i] != jlac10[i]) return false;
  return true;
}

const SplitPart* SplitRule::numeric_part() const {
  if (first.numeric()) return &first;
  if (second.numeric()) return &second;
  return nullptr;
}

namespace {

// Calls `visit` on the rules matching `jlac10`, most specific first, until it returns true.
template <typename Visit>
const SplitRule* first_match(const std::vector<SplitRule>& items,
                             const detail::StringMap<std::vector<std::size_t>>& exact,
                             const std::vector<std::size_t>& patterns, std::string_view jlac10,
                             Visit&& visit) {
  if (jlac10.size() != code_length) return nullptr;
  if (const auto it = exact.find(jlac10); it != exact.end())
    for (const std::size_t i : it->second)
      if (visit(items[i])) return &items[i];
  for (const std::size_t i : patterns)
    if (items[i].matches(jlac10) && visit(items[i])) return &items[i];
  return nullptr;
}

}  // namespace

std::vector<const SplitRule*> SplitValues::matching(std::string_view jlac10) const {
  std::vector<const SplitRule*> out;
  first_match(items_, exact_, patterns_, jlac10, [&](const SplitRule& r) {
    out.push_back(&r);
    return false;
  });
  return out;
}

const SplitRule* SplitValues::find(std::string_view jlac10, SplitForm form) const {
  return first_match(items_, exact_, patterns_, jlac10,
                     [form](const SplitRule& r) { return r.form == form; });
}

const SplitRule* SplitValues::find(std::string_view jlac10) const {
  return first_match(items_, exact_, patterns_, jlac10,
                     [](const SplitRule& r) { return !r.applies_to_every_code(); });
}

struct SplitValuesBuilder {
  const Document& doc;
  SplitValues out;

  void check_code(const YamlNode& node, std::string_view what) const {
    const std::string& code = doc.string(node, what);
    bool ok = code.size() == code_length;
    for (std::size_t i = 0; ok && i < code.size(); ++i) ok = fits_jlac10_position(code[i], i);
    if (!ok)
      doc.fail(node, std::string(what) + " '" + code +
                         "' is not a 17-character JLAC10 code or pattern (analyte 5 + 12 digits, "
                         "'?' for any character)");
  }

  void read_sources(const YamlNode& sources) {
    doc.expect_map(sources, "sources");
    doc.check_unique_keys(sources, "source");
    for (std::size_t i = 0; i < sources.map_size(); ++i) {
      const YamlNode& entry = sources.value(i);
      doc.expect_map(entry, "a source");
      doc.check_keys(entry, {"repository", "path", "commit", "note"},
                     {"repository", "path", "commit"});
      SplitSource s;
      s.key = doc.string(sources.key(i), "source key");
      s.repository = doc.string(*doc.find(entry, "repository"), "repository");
      s.path = doc.string(*doc.find(entry, "path"), "path");
      const YamlNode& commit = *doc.find(entry, "commit");
      s.commit = doc.string(commit, "commit");
      const bool hex = s.commit.size() == 40 &&
                       std::all_of(s.commit.begin(), s.commit.end(), [](char c) {
                         return is_digit(c) || (c >= 'a' && c <= 'f');
                       });
      if (!hex) doc.fail(commit, "commit '" + s.commit + "' is not 40 lower-case hex digits");
      if (s.repository.empty() || s.path.empty())
        doc.fail(entry, "repository and path must not be empty");
      s.note = doc.optional_string(entry, "note");
      out.sources_.push_back(std::move(s));
    }
  }

  SplitPart read_part(const YamlNode& node, std::string_view what, const std::string& rule_code,
                      const std::vector<SplitGets>& allowed, SplitForm form) const {
    SplitPart part;
    if (node.kind == YamlNode::Kind::scalar && !node.quoted && node.text == "none") {
      if (!allowed.empty())
        doc.fail(node, std::string(what) + " of form " + std::string(split_form_name(form)) +
                           " cannot be none");
      return part;
    }
    doc.expect_map(node, what);
    doc.check_keys(node, {"code", "gets"}, {"code", "gets"});
    if (allowed.empty())
      doc.fail(node, std::string(what) + " of form " + std::string(split_form_name(form)) +
                         " must be none");
    const YamlNode& code = *doc.find(node, "code");
    check_code(code, "code");
    part.present = true;
    part.code = code.text;
    for (std::size_t i = 0; i < code_length; ++i)
      if (part.code[i] == '?' && rule_code[i] != '?')
        doc.fail(code, "code '" + part.code + "' has '?' at character " + std::to_string(i + 1) +
                           " where the rule's code '" + rule_code + "' has none to copy");
    const YamlNode& gets = *doc.find(node, "gets");
    const std::string& g = doc.string(gets, "gets");
    const auto known = std::find_if(std::begin(gets_names), std::end(gets_names),
                                    [&](const auto& p) { return p.first == g; });
    if (known == std::end(gets_names))
      doc.fail(gets, "gets '" + g + "' is not number, number_and_text, symbol, class or text");
    part.gets = known->second;
    if (std::find(allowed.begin(), allowed.end(), part.gets) == allowed.end())
      doc.fail(gets, "gets '" + g + "' does not fit form " + std::string(split_form_name(form)));
    return part;
  }

  void read_location(const YamlNode& row_node, SplitRule& r) const {
    const YamlNode* row = doc.find(row_node, "row");
    const YamlNode* section = doc.find(row_node, "section");
    if ((row == nullptr) == (section == nullptr))
      doc.fail(row_node, "a rule needs exactly one of 'row' and 'section'");
    if (section) {
      r.section = doc.string(*section, "section");
      if (r.section.empty()) doc.fail(*section, "section is empty");
    } else {
      const long long n = doc.integer(*row, "row");
      if (n < 1 || n > 1000000) doc.fail(*row, "row must be 1..1000000");
      r.row = static_cast<int>(n);
    }
    if (const YamlNode* also = doc.find(row_node, "also_rows")) {
      if (!row) doc.fail(*also, "also_rows needs 'row'");
      doc.expect_sequence(*also, "also_rows");
      for (const YamlNode& item : also->children) {
        const long long n = doc.integer(item, "row");
        if (n < 1 || n > 1000000 || n == r.row) doc.fail(item, "also_rows: a row 1..1000000 other than 'row'");
        r.also_rows.push_back(static_cast<int>(n));
      }
    }
  }

  SplitRule read_rule(const YamlNode& node) const {
    doc.expect_map(node, "a split rule");
    doc.check_keys(node,
                   {"code", "test", "form", "labels", "example", "first", "second", "note",
                    "source", "row", "also_rows", "section"},
                   {"code", "test", "form", "first", "second", "source"});
    SplitRule r;
    r.rule = doc.rule(node);
    const YamlNode& code = *doc.find(node, "code");
    check_code(code, "code");
    r.code = code.text;
    r.wildcards = static_cast<int>(std::count(r.code.begin(), r.code.end(), '?'));
    r.test = doc.string(*doc.find(node, "test"), "test");
    if (r.test.empty()) doc.fail(*doc.find(node, "test"), "test is empty");
    const YamlNode& form = *doc.find(node, "form");
    const std::string& f = doc.string(form, "form");
    const auto known = std::find_if(std::begin(form_names), std::end(form_names),
                                    [&](const auto& p) { return p.first == f; });
    if (known == std::end(form_names)) doc.fail(form, "unknown form '" + f + "'");
    r.form = known->second;
    const YamlNode* labels = doc.find(node, "labels");
    if (r.form == SplitForm::labelled_symbols) {
      if (!labels) doc.fail(node, "form labelled_symbols needs 'labels' (the two labels)");
      r.labels = doc.string_list(*labels, "labels");
      if (r.labels.size() != 2 || r.labels[0].empty() || r.labels[1].empty())
        doc.fail(*labels, "labels must be two non-empty strings");
    } else if (labels) {
      doc.fail(*labels, "labels belong to form labelled_symbols only");
    }
    r.example = doc.optional_string(node, "example");
    r.note = doc.optional_string(node, "note");
    const FormShape shape = shape_of(r.form);
    r.first = read_part(*doc.find(node, "first"), "first", r.code, shape.first, r.form);
    r.second = read_part(*doc.find(node, "second"), "second", r.code, shape.second, r.form);
    const YamlNode& source = *doc.find(node, "source");
    r.source = doc.string(source, "source");
    if (std::none_of(out.sources_.begin(), out.sources_.end(),
                     [&](const SplitSource& s) { return s.key == r.source; }))
      doc.fail(source, "source '" + r.source + "' is not in 'sources'");
    read_location(node, r);
    return r;
  }

  // Duplicates: one rule per (code, form); one rule per source row; two patterns with as many
  // '?' that some code matches both, for the same form, would make the winner depend on order.
  void check_unique(const YamlNode& rules) const {
    std::map<std::pair<std::string, SplitForm>, std::size_t> by_code;
    std::map<std::pair<std::string, int>, std::size_t> by_row;
    for (std::size_t i = 0; i < out.items_.size(); ++i) {
      const SplitRule& r = out.items_[i];
      const auto [it, fresh] = by_code.emplace(std::make_pair(r.code, r.form), i);
      if (!fresh)
        doc.fail(rules.children[i], "duplicate rule for " + r.code + " form " +
                                        std::string(split_form_name(r.form)) + " (first at " +
                                        out.items_[it->second].rule + ")");
      std::vector<int> rows = r.also_rows;
      if (r.row > 0) rows.push_back(r.row);
      for (const int row : rows) {
        const auto [at, new_row] = by_row.emplace(std::make_pair(r.source, row), i);
        if (!new_row)
          doc.fail(rules.children[i], "row " + std::to_string(row) + " of source " + r.source +
                                          " is already the rule at " + out.items_[at->second].rule);
      }
    }
    for (std::size_t a = 0; a < out.patterns_.size(); ++a)
      for (std::size_t b = a + 1; b < out.patterns_.size(); ++b) {
        const SplitRule& x = out.items_[out.patterns_[a]];
        const SplitRule& y = out.items_[out.patterns_[b]];
        if (x.wildcards == y.wildcards && x.form == y.form && overlap(x.code, y.code))
          doc.fail(rules.children[std::max(out.patterns_[a], out.patterns_[b])],
                   "patterns " + x.code + " and " + y.code + " overlap with as many '?' for form " +
                       std::string(split_form_name(x.form)) + ": which one applies is undefined");
      }
  }

  void read(const YamlNode& root) {
    doc.expect_map(root, "the split-value table");
    doc.check_keys(root, {"format", "sources", "rules"}, {"format", "sources", "rules"});
    doc.expect_format(root, "smx-split-values/1");
    read_sources(*doc.find(root, "sources"));
    const YamlNode& rules = *doc.find(root, "rules");
    doc.expect_sequence(rules, "rules");
    out.items_.reserve(rules.children.size());
    for (const YamlNode& node : rules.children) out.items_.push_back(read_rule(node));
    for (std::size_t i = 0; i < out.items_.size(); ++i) {
      if (out.items_[i].wildcards == 0)
        out.exact_[out.items_[i].code].push_back(i);
      else
        out.patterns_.push_back(i);
    }
    std::stable_sort(out.patterns_.begin(), out.patterns_.end(), [&](std::size_t a, std::size_t b) {
      return out.items_[a].wildcards < out.items_[b].wildcards;
    });
    check_unique(rules);
  }
};

SplitValues split_values_from_string(std::string_view text, std::string_view name) {
  const Document doc(text, std::string(name));
  SplitValuesBuilder builder{doc, {}};
  builder.read(doc.root());
  return std::move(builder.out);
}

SplitValues load_split_values(const std::filesystem::path& path) {
  return split_values_from_string(detail::read_table_file(path), path.string());
}

}  // namespace smx::tables
