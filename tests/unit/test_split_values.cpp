// mappings/split-values.yaml (NHO doc/split_value.md restated per JLAC10 code): the shipped
// table covers every source row once, look-ups prefer the most specific rule, '?' is filled
// from the OBX-3 code, the numeric part takes unit and range, NHO's examples parse into parts
// whose roles agree with the rule, and every loader error names FILE:LINE:COL.
#include <smx/error.hpp>
#include <smx/lab.hpp>
#include <smx/tables.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

using namespace smx::tables;

namespace {

const std::filesystem::path source_dir = SMX_SOURCE_DIR;

const SplitValues& shipped() {
  static const SplitValues table = load_split_values(source_dir / "mappings" / "split-values.yaml");
  return table;
}

std::string error_of(const std::string& text) {
  try {
    split_values_from_string(text, "s.yaml");
  } catch (const smx::config_error& e) {
    return e.what();
  }
  return {};
}

// "s.yaml:LINE:COL: " where COL is where `token` starts on that line of `text`.
std::string at(const std::string& text, int line, const std::string& token) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) start = text.find('\n', start) + 1;
  const std::size_t end = text.find('\n', start);
  const std::size_t col = text.substr(start, end - start).find(token);
  REQUIRE(col != std::string::npos);
  return "s.yaml:" + std::to_string(line) + ":" + std::to_string(col + 1) + ": ";
}

#define CHECK_ERROR(text, line, token, message)                         \
  do {                                                                  \
    const std::string text_ = (text);                                   \
    const std::string error_ = error_of(text_);                         \
    INFO("message: " << error_);                                        \
    CHECK(error_ == at(text_, (line), (token)) + (message));            \
  } while (false)

const std::string head =
    "format: smx-split-values/1\n"
    "sources:\n"
    "  SV: {repository: r, path: p, commit: \"0123456789abcdef0123456789abcdef01234567\"}\n"
    "rules:\n";

// One rule on one line (line 5 of head + rule).
std::string rule(const std::string& code, const std::string& form, const std::string& first,
                 const std::string& second, const std::string& extra = ", source: SV, row: 1") {
  return "  - {code: \"" + code + "\", test: t, form: " + form + ", first: " + first +
         ", second: " + second + extra + "}\n";
}

const std::string ige = rule("5A100????02302301", "number_class",
                             "{code: \"5A100????02302301\", gets: number}",
                             "{code: \"5A100????02302312\", gets: class}");

smx::lab::PartRole role_for(SplitGets gets) {
  switch (gets) {
    case SplitGets::number:
    case SplitGets::number_and_text: return smx::lab::PartRole::quantity;
    case SplitGets::symbol: return smx::lab::PartRole::qualitative;
    case SplitGets::class_value: return smx::lab::PartRole::class_value;
    case SplitGets::text: break;
  }
  return smx::lab::PartRole::none;
}

}  // namespace

TEST_CASE("split values: the shipped table has one rule per NHO row") {
  const SplitValues& t = shipped();
  REQUIRE(t.sources().size() == 2);
  CHECK(t.sources()[0].repository == "nhoHQ/SSMIX2_support_documents");
  CHECK(t.sources()[0].path == "doc/split_value.md");
  CHECK(t.sources()[0].commit == "1d13a20a3f4a505910e804a6489fb24fe558c216");
  // doc/split_value.md at that commit has 289 table rows; rows 216 and 228 repeat 215 and 227.
  std::set<int> rows;
  std::size_t from_table = 0;
  for (const SplitRule& r : t.items()) {
    if (r.source != "SV") continue;
    ++from_table;
    CHECK(rows.insert(r.row).second);
    for (const int also : r.also_rows) CHECK(rows.insert(also).second);
  }
  CHECK(from_table == 287);
  CHECK(rows.size() == 289);
  CHECK(*rows.begin() == 1);
  CHECK(*rows.rbegin() == 289);
  CHECK(t.size() == 288);  // + RPR from doc/exception_case.md
  // Every rule: 17-character codes, parts that fit the form, a numeric part unless two signs.
  for (const SplitRule& r : t.items()) {
    INFO("rule " << r.rule);
    CHECK(r.code.size() == 17);
    CHECK((r.first.present || r.second.present));
    const bool two_signs = r.form == SplitForm::labelled_symbols || r.form == SplitForm::symbol_symbol;
    CHECK((r.numeric_part() == nullptr) == two_signs);
  }
}

TEST_CASE("split values: look-up by full JLAC10 code") {
  const SplitValues& t = shipped();
  // Own row before the generic IgE pattern 5A100????02302301 (whose class code ends 12).
  const SplitRule* view = t.find("5A100280602302301");
  REQUIRE(view != nullptr);
  CHECK(view->code == "5A100280602302301");
  CHECK(view->form == SplitForm::number_class);
  CHECK(view->second.code_for("5A100280602302301") == "5A100280602302302");
  const auto all = t.matching("5A100280602302301");
  REQUIRE(all.size() == 4);  // own row, IgE pattern, the two rules for every code
  CHECK(all[1]->code == "5A100????02302301");
  CHECK(all[2]->applies_to_every_code());
  // The IgE pattern for an allergen without its own row: '?' copied from the code.
  const SplitRule* cedar = t.find("5A100123402302301");
  REQUIRE(cedar != nullptr);
  CHECK(cedar->code == "5A100????02302301");
  CHECK(cedar->first.code_for("5A100123402302301") == "5A100123402302301");
  CHECK(cedar->second.code_for("5A100123402302301") == "5A100123402302312");
  CHECK(cedar->numeric_part() == &cedar->first);
  // Influenza A/B: both results get new codes, '?' filled.
  const SplitRule* flu = t.find("5F399141006398711");
  REQUIRE(flu != nullptr);
  CHECK(flu->form == SplitForm::labelled_symbols);
  CHECK(flu->labels == std::vector<std::string>{"A", "B"});
  CHECK(flu->first.code_for("5F399141006398711") == "5F399141006398751");
  CHECK(flu->second.code_for("5F399141006398711") == "5F399141006398752");
  CHECK(flu->numeric_part() == nullptr);
  // (記号)数値: the number is the second part and takes unit and range.
  const SplitRule* candida = t.find("5E142000002302311");
  REQUIRE(candida != nullptr);
  CHECK(candida->form == SplitForm::symbol_number);
  CHECK(candida->numeric_part() == &candida->second);
  CHECK(candida->second.code == "5E142000002302301");
  CHECK_FALSE(candida->note.empty());
  // A code without a rule of its own: only the rules for every code, by form.
  CHECK(t.find("3D010000002227101") == nullptr);
  const SplitRule* unit = t.find("3D010000002227101", SplitForm::number_unit);
  REQUIRE(unit != nullptr);
  CHECK(unit->applies_to_every_code());
  CHECK_FALSE(unit->second.present);
  const SplitRule* label = t.find("3D010000002227101", SplitForm::label_number);
  REQUIRE(label != nullptr);
  CHECK_FALSE(label->first.present);
  CHECK(label->numeric_part() == &label->second);
  CHECK(label->second.code_for("3D010000002227101") == "3D010000002227101");
  // By form: HCG has number_symbol only (and the two generic forms).
  CHECK(t.find("4F080000000119001", SplitForm::number_symbol) != nullptr);
  CHECK(t.find("4F080000000119001", SplitForm::number_class) == nullptr);
  // Exception case: RPR's sign and number.
  const SplitRule* rpr = t.find("5E074000002311711");
  REQUIRE(rpr != nullptr);
  CHECK(rpr->source == "EX");
  CHECK(rpr->row == 0);
  CHECK_FALSE(rpr->section.empty());
  // Not a full code: nothing.
  CHECK(t.find("5A100") == nullptr);
  CHECK(t.matching("5A1002806023023010").empty());
  CHECK(t.matching("").empty());
}

TEST_CASE("split values: NHO's examples parse into parts whose roles fit the rule") {
  std::size_t compound = 0;
  std::size_t text = 0;
  for (const SplitRule& r : shipped().items()) {
    if (r.applies_to_every_code() || r.example.empty()) continue;
    const smx::lab::Value v = smx::lab::parse_value(r.example);
    INFO("rule " << r.rule << " example " << r.example << " -> " << smx::lab::format_value(v));
    if (v.kind == smx::lab::ValueKind::text) {
      ++text;
      continue;
    }
    REQUIRE(v.kind == smx::lab::ValueKind::compound);
    ++compound;
    CHECK(v.parts[0].role == role_for(r.first.gets));
    CHECK(v.parts[1].role == role_for(r.second.gets));
  }
  MESSAGE("NHO examples parsed into typed parts: " << compound << ", kept as text: " << text);
  CHECK(compound > 250);
}

TEST_CASE("split values: errors name FILE:LINE:COL") {
  CHECK(error_of(head + ige).empty());
  CHECK_ERROR(head + rule("5A10O????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}"),
              5, "\"5A10O", "code '5A10O????02302301' is not a 17-character JLAC10 code or pattern (analyte 5 + 12 digits, '?' for any character)");
  CHECK_ERROR(head + rule("5A100280602302301", "number_class", "{code: \"5A100280602302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}"),
              5, "\"5A100????02302312", "code '5A100????02302312' has '?' at character 6 where the rule's code '5A100280602302301' has none to copy");
  CHECK_ERROR(head + rule("5A100????02302301", "number_klass", "none", "none"), 5, "number_klass",
              "unknown form 'number_klass'");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: symbol}"),
              5, "symbol}", "gets 'symbol' does not fit form number_class");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: score}"),
              5, "score}", "gets 'score' is not number, number_and_text, symbol, class or text");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "none", "{code: \"5A100????02302312\", gets: class}"),
              5, "none", "first of form number_class cannot be none");
  CHECK_ERROR(head + rule("?????????????????", "number_unit", "{code: \"?????????????????\", gets: number}",
                          "{code: \"?????????????????\", gets: number}"),
              5, "{code: \"?????????????????\", gets: number}, source", "second of form number_unit must be none");
  CHECK_ERROR(head + rule("5F3991410063???11", "labelled_symbols", "{code: \"5F3991410063???51\", gets: symbol}",
                          "{code: \"5F3991410063???52\", gets: symbol}"),
              5, "{code: \"5F3991410063???11\"", "form labelled_symbols needs 'labels' (the two labels)");
  CHECK_ERROR(head + rule("5F3991410063???11", "labelled_symbols", "{code: \"5F3991410063???51\", gets: symbol}",
                          "{code: \"5F3991410063???52\", gets: symbol}", ", labels: [A], source: SV, row: 1"),
              5, "[A]", "labels must be two non-empty strings");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", labels: [A, B], source: SV, row: 1"),
              5, "[A, B]", "labels belong to form labelled_symbols only");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", source: NHO, row: 1"),
              5, "NHO", "source 'NHO' is not in 'sources'");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", source: SV"),
              5, "{code: \"5A100????02302301\", test", "a rule needs exactly one of 'row' and 'section'");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", source: SV, row: 1, section: x"),
              5, "{code: \"5A100????02302301\", test", "a rule needs exactly one of 'row' and 'section'");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", source: SV, row: 0"),
              5, "0}", "row must be 1..1000000");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", source: SV, row: 2, also_rows: [2]"),
              5, "2]", "also_rows: a row 1..1000000 other than 'row'");
  CHECK_ERROR(head + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                          "{code: \"5A100????02302312\", gets: class}", ", source: SV, row: 1, colour: red"),
              5, "colour",
              "unknown key 'colour' (expected one of: code, test, form, labels, example, first, "
              "second, note, source, row, also_rows, section)");
  // duplicates: the same code and form; the same source row; overlapping patterns
  CHECK_ERROR(head + ige + rule("5A100????02302301", "number_class", "{code: \"5A100????02302301\", gets: number}",
                                "{code: \"5A100????02302302\", gets: class}", ", source: SV, row: 2"),
              6, "{code", "duplicate rule for 5A100????02302301 form number_class (first at s.yaml:5)");
  CHECK_ERROR(head + ige + rule("5A100280602302301", "number_class", "{code: \"5A100280602302301\", gets: number}",
                                "{code: \"5A100280602302302\", gets: class}"),
              6, "{code", "row 1 of source SV is already the rule at s.yaml:5");
  CHECK_ERROR(head + ige + rule("5A1002806????2301", "number_class", "{code: \"5A1002806????2301\", gets: number}",
                                "{code: \"5A1002806????2302\", gets: class}", ", source: SV, row: 2"),
              6, "{code", "patterns 5A100????02302301 and 5A1002806????2301 overlap with as many '?' for form number_class: which one applies is undefined");
  // An exact code next to a pattern it matches is fine (the exact code wins), and so is a
  // pattern with fewer '?'.
  CHECK(error_of(head + ige + rule("5A100280602302301", "number_class", "{code: \"5A100280602302301\", gets: number}",
                                   "{code: \"5A100280602302302\", gets: class}", ", source: SV, row: 2") +
                 rule("5A1002806??02301?", "number_class", "{code: \"5A1002806??02301?\", gets: number}",
                      "{code: \"5A1002806??023122\", gets: class}", ", source: SV, row: 3"))
            .empty());
  // sources and the document
  CHECK_ERROR("format: smx-split-values/1\nsources:\n  SV: {repository: r, path: p, commit: abc}\nrules: []\n", 3,
              "abc", "commit 'abc' is not 40 lower-case hex digits");
  CHECK_ERROR("format: smx-site/1\nsources: {}\nrules: []\n", 1, "smx-site",
              "format 'smx-site/1' is not 'smx-split-values/1' (wrong kind of table?)");
  CHECK_ERROR("format: smx-split-values/1\nsources: {}\n", 1, "format", "missing key 'rules'");
  CHECK(error_of("").rfind("s.yaml:1:1: ", 0) == 0);
  CHECK(error_of("format: smx-split-values/1\nsources: {}\nrules: []\n").empty());
}

TEST_CASE("split values: load_tables reads the file when it is there") {
  CHECK(load_tables(source_dir).split_values.size() == shipped().size());
  // A --tables DIR without the file (made before it existed) loads with an empty table.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("smx-split-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "mappings" / "reference-intervals");
  std::filesystem::create_directory_symlink(source_dir / "units", dir / "units");
  std::filesystem::create_symlink(source_dir / "mappings" / "analytes.yaml",
                                  dir / "mappings" / "analytes.yaml");
  std::filesystem::create_symlink(source_dir / "mappings" / "reference-intervals" / "jccls.yaml",
                                  dir / "mappings" / "reference-intervals" / "jccls.yaml");
  CHECK(load_tables(dir).split_values.empty());
  // A broken file stops the load and names itself.
  {
    std::ofstream out(dir / "mappings" / "split-values.yaml");
    out << head << rule("5A100????02302301", "number_class", "none", "none");
  }
  std::string message;
  try {
    load_tables(dir);
  } catch (const smx::config_error& e) {
    message = e.what();
  }
  CHECK(message.rfind((dir / "mappings" / "split-values.yaml").string() + ":5:", 0) == 0);
  std::filesystem::remove_all(dir);
}
