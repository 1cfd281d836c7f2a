// OBX-5 forms added for issue 11 item 6: titres as ratios (and the rule that keeps them apart
// from value:class, CSF fractions and clock times), NHO's arrow and label forms, and compound
// values whose parts are typed (quantity / qualitative / class). Sources are cited in lab.hpp:
// [NHO-SN §n] doc/convert_to_sn.md, [NHO-SPLIT] doc/split_value.md (nhoHQ/SSMIX2_support_documents).
#include <smx/lab.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

using namespace smx::lab;

namespace {

using VK = ValueKind;
using PR = PartRole;

struct Case {
  const char* input;
  ValueKind kind;
  const char* canonical;  // format_value(parse_value(input)); text: the trimmed input
};

void check_cases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO("input: [" << std::string(c.input) << "]");
    const Value v = parse_value(c.input);
    CHECK(kind_name(v.kind) == kind_name(c.kind));
    CHECK(format_value(v) == c.canonical);
    if (v.kind == VK::text) CHECK(v.text == c.canonical);
    if (v.kind != VK::text && v.kind != VK::empty) {
      const Value again = parse_value(format_value(v));
      CHECK(again.kind == v.kind);
      CHECK(format_value(again) == c.canonical);
      REQUIRE(again.parts.size() == v.parts.size());
      for (std::size_t i = 0; i < v.parts.size(); ++i) CHECK(again.parts[i].role == v.parts[i].role);
    }
  }
}

// ---- titres and the boundaries with value:class (`8.42:4`), CSF `n/3` and times -------------
const std::vector<Case> ratio_cases = {
    {"1:40", VK::ratio, "1:40"},
    {"1/40", VK::ratio, "1/40"},
    {"１：４０", VK::ratio, "1:40"},
    {"１／４０", VK::ratio, "1/40"},
    {"1：40", VK::ratio, "1:40"},
    {"1 : 40", VK::ratio, "1:40"},
    {" 1/80 ", VK::ratio, "1/80"},
    {"1:1,280", VK::ratio, "1:1280"},
    {"1:10240", VK::ratio, "1:10240"},
    {"1:7", VK::ratio, "1:7"},            // smallest n that cannot be an IgE class
    {"1:8", VK::ratio, "1:8"},
    {"1/2", VK::ratio, "1/2"},            // `/` is never value:class
    {"1/4", VK::ratio, "1/4"},
    {"1/5", VK::ratio, "1/5"},
    {"1/160", VK::ratio, "1/160"},
    // value:class (NHO split_value `8.42:4`) and the ambiguous 1:0..1:6
    {"8.42:4", VK::compound, "8.42:4"},
    {"0.35:1", VK::compound, "0.35:1"},
    {"100:6", VK::compound, "100:6"},
    {"2:0", VK::compound, "2:0"},
    {"1.0:4", VK::compound, "1.0:4"},     // a decimal point: a value, not a titre's 1
    {"1:6", VK::text, "1:6"},             // titre 1:6 or value 1 with class 6: not guessed
    {"1:4", VK::text, "1:4"},
    {"1:2", VK::text, "1:2"},
    {"1:0", VK::text, "1:0"},
    {"１：４", VK::text, "１：４"},
    // neither a titre nor value:class
    {"8.42:40", VK::text, "8.42:40"},     // class 40 does not exist
    {"8.42:7", VK::text, "8.42:7"},
    {"2:40", VK::text, "2:40"},           // a titre starts at 1
    {"12:30", VK::text, "12:30"},         // a clock time, not a class
    {"1:2.5", VK::text, "1:2.5"},
    {"1:040", VK::text, "1:040"},         // leading zero
    {"+1:40", VK::text, "+1:40"},
    // fuzz_lab: a signed 1 would be written 1, and 1:4 / 1/40 read back as something else
    {"+1:4", VK::text, "+1:4"},
    {"+1:0", VK::text, "+1:0"},
    {"+1:0\t:", VK::text, "+1:0\t:"},
    {"+1/40", VK::text, "+1/40"},
    {"+1/2", VK::text, "+1/2"},
    {"1/+40", VK::text, "1/+40"},
    {"+1/3", VK::fraction, "1/3"},        // 1/3 is a fraction either way
    {"+1.0:4", VK::compound, "1.0:4"},
    {"1.0:40", VK::text, "1.0:40"},
    {"-1:4", VK::text, "-1:4"},
    {"1:-40", VK::text, "1:-40"},
    {"1:4E2", VK::text, "1:4E2"},
    {"8.42:+4", VK::text, "8.42:+4"},
    {"8.42:4.0", VK::text, "8.42:4.0"},
    {"1:", VK::numeric, "1"},             // trailing colon dropped (NHO exceptions): number 1
    // fractions: CSF counts per 3 uL, blood-film counts, and what is not a titre
    {"1/3", VK::fraction, "1/3"},         // one cell per 3 uL, not a titre 1:3
    {"52/3", VK::fraction, "52/3"},
    {"7/3", VK::fraction, "7/3"},
    {"15/200", VK::fraction, "15/200"},
    {"2.0/300", VK::fraction, "2.0/300"},
    {"1/1", VK::fraction, "1/1"},
    {"1/2.5", VK::fraction, "1/2.5"},
    {"2/40", VK::fraction, "2/40"},
    {"1/0", VK::text, "1/0"},
    {"1/040", VK::fraction, "1/040"},     // not a titre spelling; numbers kept as written
};

// ---- NHO convert_to_sn: arrows, 1+↓, the 判定 label, brackets and katakana words -------------
const std::vector<Case> nho_sn_cases = {
    {"5↑", VK::inequality, ">=5"},        // NHO §2: 200↑ = >=200
    {"200↑", VK::inequality, ">=200"},
    {"200 ↑", VK::inequality, ">=200"},
    {"0.5↑", VK::inequality, ">=0.5"},
    {"400↓", VK::inequality, "<=400"},    // NHO §4: 400↓ = <=400
    {"5 ↓", VK::inequality, "<=5"},
    {"1↓", VK::inequality, "<=1"},        // a number with an arrow, not the graded 1+↓
    {"↑200", VK::inequality, ">=200"},
    {"↑5↑", VK::text, "↑5↑"},
    {"5↑↑", VK::text, "5↑↑"},
    {"5↑H", VK::text, "5↑H"},
    {"<5↑", VK::text, "<5↑"},
    {"1+↓", VK::qualitative, "EQV"},      // NHO §7: filed with ± and +-
    {"１＋↓", VK::qualitative, "EQV"},
    {"(1+↓)", VK::qualitative, "EQV"},
    {"2+↓", VK::text, "2+↓"},             // NHO documents only 1+↓
    {"1+↑", VK::text, "1+↑"},
    {"+↓", VK::text, "+↓"},
    {"判定 （－）", VK::qualitative, "NEG"},  // NHO §5, exactly as listed
    {"判定 （−）", VK::qualitative, "NEG"},   // U+2212 minus, as ISO-2022-JP decoders give it
    {"判定（－）", VK::qualitative, "NEG"},
    {"判定　(-)", VK::qualitative, "NEG"},
    {"判定 （＋）", VK::qualitative, "POS"},
    {"判定：陰性", VK::qualitative, "NEG"},
    {"判定 陽性(2+)", VK::qualitative, "2+"},
    {"判定保留", VK::qualitative, "IND"},  // a word of its own, unchanged
    {"判定 5", VK::text, "判定 5"},
    {"判定", VK::text, "判定"},
    {"判定 （－）（＋）", VK::text, "判定 （－）（＋）"},
    {"判定 判定 (-)", VK::text, "判定 判定 (-)"},
    {"[-]", VK::qualitative, "NEG"},      // NHO §5-6 examples
    {"[－]", VK::qualitative, "NEG"},
    {"[+]", VK::qualitative, "POS"},
    {"［＋］", VK::qualitative, "POS"},
    {"-/+", VK::qualitative, "EQV"},      // NHO §7
    {"検出セズ", VK::qualitative, "ND"},
    {"ケンシュツセズ", VK::qualitative, "ND"},
    {"ケンシユツセズ", VK::qualitative, "ND"},
    {"フケンシュツ", VK::qualitative, "ND"},
    {"ミケンシユツ", VK::qualitative, "ND"},
    {"(-)インセイ", VK::qualitative, "NEG"},
    {"(-) 陰性", VK::qualitative, "NEG"},
    {"(+)ヨウセイ", VK::qualitative, "POS"},
    {"(+) 陽性", VK::qualitative, "POS"},
    {"インセイ(-)", VK::qualitative, "NEG"},
    {"(-)陽性", VK::text, "(-)陽性"},     // a contradiction is not merged
};

// ---- compound values: every part typed --------------------------------------------------------
const std::vector<Case> compound_cases = {
    {"3+(300)", VK::compound, "3+(300)"},
    {"100 (2+)", VK::compound, "100(2+)"},
    {">1000(+)", VK::compound, ">1000(POS)"},
    {">1000(＋)", VK::compound, ">1000(POS)"},
    {"0.13(0)", VK::compound, "0.13(0)"},
    {"8.39(2)", VK::compound, "8.39(2)"},
    {"2.00(1)", VK::compound, "2.00(1)"},
    {"<0.35(0)", VK::compound, "<0.35(0)"},
    {"0.13(6)", VK::compound, "0.13(6)"},
    {"<0.5 (-)", VK::compound, "<0.5(NEG)"},     // NHO split_value, procalcitonin
    {"< 1.5(-)", VK::compound, "<1.5(NEG)"},
    {"0.92(+-)", VK::compound, "0.92(EQV)"},
    {"<2.1(+)", VK::compound, "<2.1(POS)"},
    {"5.0(+)以上", VK::compound, ">=5.0(POS)"},   // 数値(記号)[文字列]: the word is the number's
    {"2.0(-)未満", VK::compound, "<2.0(NEG)"},
    {"128(+)以上", VK::compound, ">=128(POS)"},
    {"5(-)未満", VK::compound, "<5(NEG)"},
    {"(+)2", VK::compound, "POS(2)"},             // (記号)数値
    {"(-)<32", VK::compound, "NEG(<32)"},
    {"(+)512<", VK::compound, "POS(>512)"},
    {"(-) <0.5", VK::compound, "NEG(<0.5)"},
    {"(2+)100", VK::compound, "2+(100)"},
    {"(-)(-)", VK::compound, "(NEG)(NEG)"},       // (記号1)(記号2): two results, never merged
    {"(+)(-)", VK::compound, "(POS)(NEG)"},
    {"（－）（－）", VK::compound, "(NEG)(NEG)"},
    {"陰性(2+)", VK::compound, "NEG(2+)"},
    {"0.13(7)", VK::text, "0.13(7)"},             // not a class: no documented form
    {"12(15)", VK::text, "12(15)"},
    {"0.13(0.5)", VK::text, "0.13(0.5)"},
    {"0.13(+4)", VK::text, "0.13(+4)"},
    {"-0.13(0)", VK::text, "-0.13(0)"},
    {"5.0(+)以上以下", VK::text, "5.0(+)以上以下"},
    {"<5.0(+)以上", VK::text, "<5.0(+)以上"},     // two comparators
    {"5.0(12)以上", VK::text, "5.0(12)以上"},
    {"5.0(+)abc", VK::text, "5.0(+)abc"},
    {"(2+)60%", VK::text, "(2+)60%"},             // a unit inside the value
    {"陰性（6%)", VK::text, "陰性（6%)"},
    {"A(+)B(-)", VK::text, "A(+)B(-)"},           // NHO's labelled pair: needs the code
    {"Hb＋Tr＋", VK::text, "Hb＋Tr＋"},
    {"+ 640", VK::text, "+ 640"},                 // NHO splits these only for named codes
    {"64.5 +", VK::text, "64.5 +"},
    {"-:0.01", VK::text, "-:0.01"},
    {"+/-1.10", VK::text, "+/-1.10"},
    {"(-)(-)(-)", VK::text, "(-)(-)(-)"},
    {"(-)(5)", VK::text, "(-)(5)"},
    {"(5)(-)", VK::text, "(5)(-)"},
};

struct PartsCase {
  const char* input;
  PartRole first;
  PartRole second;
};

const PartsCase parts_cases[] = {
    {"3+(300)", PR::qualitative, PR::quantity},
    {"100 (2+)", PR::quantity, PR::qualitative},
    {">1000(+)", PR::quantity, PR::qualitative},
    {"0.13(0)", PR::quantity, PR::class_value},
    {"8.42:4", PR::quantity, PR::class_value},
    {"<0.35(0)", PR::quantity, PR::class_value},
    {"(+)2", PR::qualitative, PR::quantity},
    {"(-)<32", PR::qualitative, PR::quantity},
    {"5.0(+)以上", PR::quantity, PR::qualitative},
    {"(-)(-)", PR::qualitative, PR::qualitative},
    {"弱陽性(±)", PR::qualitative, PR::qualitative},
    {"3+(3)", PR::qualitative, PR::quantity},  // next to a grade a number is an amount
};

}  // namespace

TEST_CASE("lab values: titres are ratios; value:class, CSF fractions and times are not") {
  check_cases(ratio_cases);
  const Value t = parse_value("１：１，２８０");
  CHECK(t.kind == VK::ratio);
  CHECK(t.has_number);
  CHECK(t.number == 1.0);
  CHECK(t.number_text == "1");
  CHECK(t.has_upper);
  CHECK(t.upper == 1280.0);
  CHECK(t.upper_text == "1280");
  CHECK(t.exponent == 0);
  CHECK(t.parts.empty());
  CHECK(kind_name(VK::ratio) == "ratio");
  // A titre has no unit: scaling leaves it alone, and no flag is computed from it.
  CHECK(format_value(scaled(t, 10.0)) == "1:1280");
  CHECK(compute_flag(t, parse_range("0-40"), 'M') == Flag::unknown);
  // The fraction keeps its numbers as written, as before.
  const Value f = parse_value("1/3");
  CHECK(f.number == 1.0);
  CHECK(f.upper == 3.0);
}

TEST_CASE("lab values: NHO arrows, 1+↓, the 判定 label") {
  check_cases(nho_sn_cases);
  const Value up = parse_value("5↑");
  CHECK(up.comparator == Comparator::ge);
  CHECK(up.number == 5.0);
  const Value down = parse_value("400↓");
  CHECK(down.comparator == Comparator::le);
  CHECK(parse_value("判定 （－）").qualitative == Qualitative::negative);
  CHECK(parse_value("1+↓").qualitative == Qualitative::equivocal);
}

TEST_CASE("lab values: compound values have typed parts") {
  check_cases(compound_cases);
  for (const PartsCase& c : parts_cases) {
    INFO("input: [" << std::string(c.input) << "]");
    const Value v = parse_value(c.input);
    REQUIRE(v.kind == VK::compound);
    CHECK(v.role == PR::none);
    REQUIRE(v.parts.size() == 2);
    CHECK(role_name(v.parts[0].role) == role_name(c.first));
    CHECK(role_name(v.parts[1].role) == role_name(c.second));
    for (const Value& p : v.parts) {
      CHECK(p.kind != VK::compound);
      CHECK(p.parts.empty());
      // A role agrees with the part's kind: quantities and classes carry a number.
      if (p.role == PR::qualitative) CHECK(p.kind == VK::qualitative);
      if (p.role == PR::quantity) CHECK((p.kind == VK::numeric || p.kind == VK::inequality));
      if (p.role == PR::class_value) {
        CHECK(p.kind == VK::numeric);
        CHECK(p.number_text.size() == 1);
      }
    }
  }
  const Value ige = parse_value("0.13(0)");
  CHECK(ige.parts[0].number_text == "0.13");
  CHECK(ige.parts[1].number == 0.0);
  const Value hcg = parse_value(">1000(＋)");
  CHECK(hcg.parts[0].comparator == Comparator::gt);
  CHECK(hcg.parts[0].number == 1000.0);
  CHECK(hcg.parts[1].qualitative == Qualitative::positive);
  const Value ge = parse_value("5.0(+)以上");
  CHECK(ge.parts[0].comparator == Comparator::ge);
  CHECK(ge.parts[0].number_text == "5.0");
  const Value urine = parse_value("3+(300)");
  CHECK(urine.parts[0].qualitative == Qualitative::plus3);
  CHECK(urine.parts[1].number == 300.0);
  CHECK(urine.separator == '(');
  CHECK(parse_value("(-)(-)").separator == ')');
  CHECK(parse_value("8.42:4").separator == ':');
  // A whole value never has a role.
  for (const char* whole : {"12.5", "<0.5", "陰性", "1:40", "52/3", "0.5~2"})
    CHECK(parse_value(whole).role == PR::none);
  CHECK(role_name(PR::class_value) == "class");
  CHECK(role_name(PR::none).empty());
}

TEST_CASE("lab values: malformed UTF-8 is never folded into a digit (ICU U8_NEXT, RFC 3629)") {
  // U+FF11 (full-width 1) written as an overlong 4-byte sequence: not UTF-8, so not a number;
  // the hand-written decoder before ICU read it as １ and folded it to 1.
  CHECK(parse_value("\xF0\x8F\xBC\x91").kind == VK::text);
  CHECK(parse_value("1\xF0\x8F\xBC\x91").kind == VK::text);
  // A surrogate (U+D835) and a truncated sequence are junk too; the well-formed １ still folds.
  CHECK(parse_value("\xED\xA0\xB5").kind == VK::text);
  CHECK(parse_value("1\xEF\xBC").kind == VK::text);
  CHECK(parse_value("\xEF\xBC\x91").kind == VK::numeric);
  CHECK(parse_value("\xEF\xBC\x91").number == 1.0);
}
