// Lab parsing layer: OBX-5 values, OBX-7 reference ranges, flags, scaling and number
// formatting, and the unit-spelling pre-normalization that runs before the alias table.
//
// Pure functions over decoded strings (HL7 escapes already undone, text already UTF-8): no
// tables, no I/O, no globals besides ICU's NFKC instance. The tables layer (lib/tables) maps
// unit spellings and codes; `smx labnorm` combines both. Every rule cites its source:
//   [UF §x]   ../shared/reference/units-fhir.md section x
//   [SS §8.n] ../shared/reference/ssmix2.md §8 item n (NHO 'pain points')
//   [NHO-SN]  NHO convert_to_sn.md / master/convert_to_sn.ptn (as quoted in UF §3.5, SS §8.18)
//   [NHO-EXP] exponential_notation.md (UF §3.5, SS §8.17)   [NHO-SPLIT] split_value.md (SS §8.19)
//   [NHO-EXC] NHO exceptions list (SS §8.20)                 [T0078] HL7 v2.5 table 0078
// NHO documents are in github.com/nhoHQ/SSMIX2_support_documents, read at these commits:
//   doc/convert_to_sn.md @204afeb2 (updated 2019-06-26), master/convert_to_sn.ptn @d4790444,
//   doc/split_value.md @1d13a20a (2017-01-31), doc/exception_case.md @80e0325b (2016-10-14).
//   [NHO-SN §n] is section n of convert_to_sn.md; [NHO-SPLIT] forms are its 検査値のパターン.
//
// Nothing is guessed: input that does not match one of the documented forms comes back with
// kind `text` and the caller keeps it verbatim (and reports it).
//
// Performance: parse_value is on the labnorm hot path (~300k calls/s). It uses no regex, works
// on a fixed stack buffer, and allocates nothing for plain numbers, inequalities and
// qualitative results beyond the small strings inside the result (SSO-sized).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smx::lab {

// ---------------------------------------------------------------------------------------------
// Comparators (FHIR Quantity.comparator: `<`, `<=`, `>=`, `>`; UF §3.5, §5.1)

enum class Comparator : std::uint8_t { none, lt, le, gt, ge };
// "", "<", "<=", ">", ">="
std::string_view comparator_text(Comparator c);

// ---------------------------------------------------------------------------------------------
// Qualitative results. Codes follow HL7 table 0078 where it has one (NEG, POS, ND, DET, IND);
// the graded forms use the SN-style grades Japanese reports print ([NHO-SN]: `(2+)`, `3+`).
//
//   code    enum            written as (examples; full-width and katakana forms included)
//   NEG     negative        陰性 インセイ (-) - （－） （ー） neg negative
//   ND      not_detected    検出せず 検出されず 未検出 不検出 ND N.D. not detected
//   TR      trace           微量 trace tr
//   EQV     equivocal       ± (±) +- +/- 疑陽性 擬陽性   (HL7 v3 ObservationInterpretation "EQV")
//   WPOS    weak_positive   弱陽性 ジャクヨウセイ (kept apart from ±: not the same statement)
//   POS     positive        陽性 ヨウセイ + (+) pos positive   (`+` alone is *not* rewritten to 1+)
//   1+..4+  plus1..plus4    1+ (1+) 2+ ++ (2+) （２＋） 3+ +++ 4+ ++++
//   DET     detected        検出 detected
//   IND     indeterminate   判定保留 保留 判定不能 indeterminate
//   SMALL   small_amount    少量   (urine dipstick amount words, SS §8.18)
//   MOD     moderate_amount 中等量
//   LARGE   large_amount    多量
enum class Qualitative : std::uint8_t {
  none,
  negative,
  not_detected,
  trace,
  equivocal,
  weak_positive,
  positive,
  plus1,
  plus2,
  plus3,
  plus4,
  detected,
  indeterminate,
  small_amount,
  moderate_amount,
  large_amount,
};
// The ASCII code above ("" for none).
std::string_view qualitative_code(Qualitative q);
// Parses a code written by qualitative_code() back (exact, case-sensitive); none if unknown.
Qualitative qualitative_from_code(std::string_view code);
// Position on the negative -> positive scale, used only to compare a result with a qualitative
// reference range: NEG/ND 0; TR/EQV/WPOS 1; POS/1+/DET 2; 2+/MOD 3; 3+/LARGE 4; 4+ 5.
// -1 for none, IND and SMALL (少量: ± for NHO convert_to_sn §7, 1+ on dipstick charts; no flag
// is computed rather than a guessed one).
int qualitative_rank(Qualitative q);

// ---------------------------------------------------------------------------------------------
// OBX-5 values

enum class ValueKind : std::uint8_t {
  empty,        // nothing but spaces/colons (HL7 null `""` is text: the caller handles it)
  numeric,      // 12.5, -3, 1,234, ．５, 2.3x10^3 (number + exponent)
  inequality,   // <0.5, 100<, 300未満, U100, ↑200, 200↑ ... (number + comparator)
  qualitative,  // 陰性, (2+), ± ... (qualitative)
  compound,     // 3+(300), 100 (2+), 0.13(0), >1000(+), 8.42:4 (typed parts) [NHO-SPLIT]
  range,        // 0.5～2 written as a value (number .. upper)             [NHO-SN]
  fraction,     // 52/3 (CSF cells per 3 uL: number / upper)               [SS §8.16, §8.18]
  ratio,        // titre 1:40, 1/40 (numerator `number` : denominator `upper`; FHIR valueRatio)
  text,         // anything else; `text` holds the trimmed input
};
std::string_view kind_name(ValueKind k);  // "empty", "numeric", ...

// What one part of a compound value states, so that each part can be recorded on its own
// ([NHO-SPLIT]: "qualitative part and quantity, each recorded"). A whole value has role none.
enum class PartRole : std::uint8_t {
  none,          // not a part
  quantity,      // a numeric or inequality part: the measured amount (`3+(300)` -> 300)
  qualitative,   // a qualitative part (`100 (2+)` -> 2+; `>1000(+)` -> POS)
  class_value,   // an allergen-specific IgE class, a single digit 0-6 (`0.13(0)` -> 0,
                 // `8.42:4` -> 4; NHO 数値(クラス値)). Kind numeric, but never a quantity:
                 // it has no unit and must not be converted or compared with the range.
};
std::string_view role_name(PartRole r);  // "", "quantity", "qualitative", "class"

struct Value {
  ValueKind kind = ValueKind::empty;
  Comparator comparator = Comparator::none;
  Qualitative qualitative = Qualitative::none;

  // numeric / inequality / range (lower end) / fraction and ratio (numerator):
  // `number` is the mantissa as written; `number_text` is the same in canonical ASCII keeping
  // every digit written (full-width -> ASCII, thousands separators and '+' removed, ".5" ->
  // "0.5", trailing zeros kept so significant digits survive: "0.50").
  bool has_number = false;
  double number = 0.0;
  std::string number_text;
  // Power-of-ten factor written with the number ([NHO-EXP], SS §8.17): `2.3x10^3`, `1.3E+2`,
  // `50×10^2`, `1X10E4`, `2.3×10³` give mantissa 2.3 / 1.3 / 50 / 1 and exponent 3 / 2 / 2 / 4;
  // `10**2` and `10^3` alone give mantissa 1. Kept apart so the caller can either move it into
  // the unit (x10^3 -> 10*3/uL) or multiply (apply_exponent). 0 when none was written.
  int exponent = 0;

  // range: the upper end; fraction and ratio: the denominator. Same conventions as
  // number/number_text.
  bool has_upper = false;
  double upper = 0.0;
  std::string upper_text;

  // compound: the parts in written order, each parsed on its own (never compound itself),
  // each with its role: `3+(300)` -> [qualitative 3+, quantity 300]; `>1000(+)` ->
  // [quantity >1000, qualitative POS]; `0.13(0)` -> [quantity 0.13, class_value 0].
  std::vector<Value> parts;
  // compound: how the parts were joined: '(' when one part is in parentheses (`A(B)`, `(A)B`,
  // `A(B)W`), ')' when both are (`(A)(B)`), ':' for `a:b`. ratio: ':' or '/' as written (`1/4`
  // must stay `1/4`: `1:4` is text). 0 otherwise.
  char separator = 0;
  // compound parts only: what the part states (see PartRole); none for a whole value.
  PartRole role = PartRole::none;

  // text: the trimmed input, verbatim (original spelling, not normalized). Empty otherwise.
  std::string text;

  // number x 10^exponent (the quantity the sender meant). 0 when !has_number.
  double magnitude() const;
};

// Parses one decoded OBX-5 value (one repetition, HL7 escapes undone, UTF-8).
//
// Accepted forms (anything else is kind text):
// - numbers: ASCII or full-width digits, signs (`+`, `-`, `－`, `−`), `,` thousands groups of
//   exactly three digits (`1,5` is text: a decimal comma would be a guess), `.5`.
// - comparator before the number ([NHO-SN], UF §3.5): `<` `>` `<=` `>=` `=<` `=>` `≦` `≤`
//   `≧` `≥` `＜` `＞`; `U100` (= >100), `L300` (= <300); `↑200` (= >=200), `↓5` (= <=5).
//   Spaces between comparator and number are allowed (`> 100`, NHO's SN-with-space form).
// - comparator after the number, read as Japanese writes it, "the number is <op> the value":
//   `100<` `100＜` `100〈` = >100;  `300>` `300〉` = <300;  `200≦` `200<=` = >=200;
//   `400≧` `400>=` = <=400; words `超過` `超` `チョウカ` (>), `未満` `ミマン` (<), `以上`
//   `イジョウ` (>=), `以下` `イカ` (<=); a trailing `～`/`~` (`200～`) = >=200.
// - arrows after a number are comparators, as NHO reads them: `200↑` `5 ↑` = >=, `400↓` = <=
//   ([NHO-SN §2, §4]; convert_to_sn.ptn `>=^d1` `(以上|↑)`, `<=^d1` `(以下|イカ|↓)`). NHO
//   files the arrow with 以上/以下 ("at or above/below the limit"), not as the sender's H/L
//   flag, so the arrow becomes the comparator and no flag is kept. `1+↓` = EQV (NHO §7 lists it
//   with ± and +-: "weaker than 1+"); other graded arrows (`2+↓`, `1+↑`) and two arrows are text.
// - leading/trailing colons and full-width spaces are dropped (`:<0.5`, [NHO-EXC] SS §8.20).
// - qualitative words and signs, bare, in (full-width) parentheses or square brackets (`[-]`,
//   `[＋]`, NHO §5-6): see Qualitative; `-/+` = EQV (NHO §7). A word and its sign written
//   together are one result: `陰性(-)`, `(-)インセイ`, `(-) 陰性`, `(+)ヨウセイ` (NHO §5-6).
// - `判定` ("judgement") then a qualitative result: `判定 （－）` = NEG (NHO §5 lists exactly this
//   label; the result after it is read like any qualitative, `判定 （＋）` = POS). A number after
//   the label (`判定 5`) is text.
// - exponents ([NHO-EXP]): `E`/`e` (`1.3E+2`, no space before E), `x` `X` `×` `*` then `10`
//   then `^` `**` `E` or superscript digits (`2.3 x10^3`, `50×10^2`, `1X10E4`, `2.3×10³`),
//   `10^3` / `10**2` alone.
// - compound ([NHO-SPLIT]), each part typed by PartRole:
//   * `A(B)`, A and B each a number, inequality or qualitative: `3+(300)` [qualitative,
//     quantity], `100 (2+)` `>1000(+)` `2.3(±)` [quantity, qualitative]. Two agreeing
//     qualitative spellings (`陰性(-)`) are one qualitative value; two others (`弱陽性(±)`) stay
//     two qualitative parts.
//   * number(number) only as NHO's 数値(クラス値): `0.13(0)`, `<0.35(0)` [quantity, class_value]
//     when B is one digit 0-6 (IgE classes run 0-6). Any other number in the parentheses
//     (`12(15)`, `0.13(0.5)`, `0.13(7)`) is text: NHO documents no such form.
//   * `(A)B`, NHO's (記号)数値: a parenthesized qualitative then a number or inequality,
//     `(+)2`, `(-)<32`, `(+)512<`, `(-) <0.5`, `(2+)100` [qualitative, quantity].
//   * `A(B)W`, NHO's 数値(記号)[文字列]: a plain number, a parenthesized qualitative and a
//     comparator word after it, which belongs to the number (NHO's 検査結果1 is 数値＋文字列):
//     `5.0(+)以上` = [quantity >=5.0, POS], `2.0(-)未満` = [quantity <2.0, NEG].
//   * `(A)(B)`, NHO's (記号1)(記号2) (two results in one field): `(-)(-)` [qualitative,
//     qualitative]; never merged, even when equal.
//   * `a:b` as value:class (NHO's `8.42:4`): a non-negative plain number, then one digit 0-6
//     [quantity, class_value]; except `1:0`..`1:6` and `+1:0`..`+1:6`, which are text (see
//     ratios; `+1:4` would be written `1:4`).
// - value ranges `0.5～2`, `0.5~2` (tilde only: `0.5-2` is text, a minus would be a guess).
// - ratios (titres): `1:40`, `1/40`, `１：４０`, `1 : 1,280`. The rule that keeps them apart from
//   value:class (`8.42:4`), fractions (`52/3`) and clock times (`12:30`):
//   * the left side is exactly `1` (no sign, point, exponent) and the right side an integer
//     written with digits only (thousands groups allowed), no leading zero;
//   * `1:n` is a ratio for n >= 7. For n <= 6 it is text: `1:4` could be a titre or an IgE
//     value 1 with class 4 (classes run 0-6, so n >= 7 cannot be a class);
//   * `1/n` is a ratio for n >= 2 except n = 3: `1/3` is a CSF count, one cell per 3 uL
//     (SS §8.16; NHO §11 lists CSF cell counts `52/3`, `7/3` as its fractions), and stays a
//     fraction. NHO §11 also lists blood-film counts per 100-300 cells (`15/200`): `1/200`
//     reads as a ratio, with the same two numbers a fraction would hold, so nothing is
//     misread; the caller may prefer `fraction` for those codes. `1/1`, `1/2.5` stay fractions.
//   * anything else with `:` (`2:40`, `8.42:40`, `12:30`, `1:2.5`) is text: neither a titre
//     nor a value:class.
// - fractions `52/3` (two unsigned numbers without exponent, denominator not 0); a signed
//   spelling of a titre (`+1/40`, `1/+40`) is text, as its canonical `1/40` is a ratio.
// Not parsed on purpose (stay text): two comparators (`≧10＜20`), numbers with units or marks
// (`5.0 mg/dL`, `12.5H`, `150*`, `(2+)60%`, `陰性（6%)`), decimal commas, NHO's labelled pairs
// (`Hb＋Tr＋`, `A(+)B(-)`), a sign and a number apart (`+ 640`, `64.5 +`, `-:0.01`: NHO splits
// these only for named codes, doc/split_value.md), grades above 4+ (`5+`, `+++++`: no code),
// numbers longer than 64 characters.
Value parse_value(std::string_view decoded_obx5);

// Canonical text of a parsed value, for writing OBX-5 back:
// numeric `12.5` (exponent written as `2.3E3`), inequality `<0.5` / `>=200`, qualitative code
// (`NEG`, `2+`), range `0.5~2`, fraction `52/3`, ratio `1:40` / `1/40` as written, compound parts
// joined as `A(B)` (`(-)(-)` as `(NEG)(NEG)`, value:class as `8.42:4`), text verbatim.
// parse_value(format_value(v)) gives v back for every kind except text.
std::string format_value(const Value& v);

// ---------------------------------------------------------------------------------------------
// OBX-7 reference ranges (UF §4.2, §4.3; SS §6.3 OBX-7, §8.16)

// One bound. Limits are inclusive unless written `<x`, `>x`, `x未満`, `x超` (FHIR low/high are
// inclusive, UF §4.2; an exclusive limit is kept as written so flags stay exact).
struct Limit {
  bool present = false;
  double value = 0.0;
  std::string text;  // canonical ASCII as written ("0.30")
  bool inclusive = true;
};

enum class RangeKind : std::uint8_t {
  empty,
  interval,      // a-b, a～b, a − b       both limits
  lower,         // >x, ≧x, x以上, x超, a～  low only
  upper,         // <x, ≦x, x未満, x以下, ～b, -b  high only
  qualitative,   // 陰性, (-), (-)～(±)    normal up to `qualitative_high`
  sex_specific,  // M:3.8-7.0 F:2.5-7.0   (Range only; see male/female)
  text,          // anything else (age-qualified, units inside, single numbers, ...)
};
std::string_view kind_name(RangeKind k);

struct Interval {
  RangeKind kind = RangeKind::empty;  // interval, lower, upper or qualitative; empty if absent
  Limit low;
  Limit high;
  Qualitative qualitative_low = Qualitative::none;   // `(-)～(±)` -> NEG
  Qualitative qualitative_high = Qualitative::none;  // `(-)～(±)` -> EQV; `陰性` -> NEG
};

struct Range {
  RangeKind kind = RangeKind::empty;
  Interval all;     // kind interval/lower/upper/qualitative
  Interval male;    // kind sex_specific (either may be absent: kind empty)
  Interval female;
  std::string text;  // the trimmed input, verbatim (always set when not empty)

  // The interval that applies to a patient of sex 'M', 'F' (PID-8) or anything else: `all`
  // when the range is not sex-specific; for sex-specific ranges the male/female row, or for an
  // unknown sex the common row only when both rows are equal. nullptr when none applies.
  const Interval* for_sex(char sex) const;
};

// Parses one decoded OBX-7.
// - `a-b`, `a～b`, `a~b`, `a〜b`, `a − b`, `a – b` (spaces allowed); negative limits are read
//   with their sign first (`-2.2-2.2`, `-2.0～+2.0`, `-5--1`).
// - one-sided: every inequality parse_value accepts (`<x`, `≦x`, `x以上`, `x未満`, `x以下`,
//   `x超`, `>10`); `～b` and `-b` (nothing before the dash: an upper limit, as Japanese
//   reports print `～0.30`; a single negative number is never a range); `a～` / `a-` (lower).
// - sex-specific rows: markers `M` `F` `男` `女` `男性` `女性` `Male` `Female`, then `:`,
//   `：`, a space or nothing, then a range; rows separated by spaces, `/`, `,`, `;`, `、`
//   (`M:3.8-7.0 F:2.5-7.0`, `男:43～57　女：38～50`, `M 3.8-7.0/F 2.5-7.0`). Each sex at most
//   once; every row must parse, else the whole range is text.
// - qualitative (`陰性`, `(-)`, `(-)～(±)`): normal up to the (higher) code.
// - age-qualified (`成人：10-20 小児：20-30`), ranges with units, single numbers, HL7 RFR
//   (`3.0&5.5`): text, not converted (UF §4.3, SS §8.16: "free-text ranges cannot be converted").
Range parse_range(std::string_view decoded_obx7);

// Canonical OBX-7 text: `3.8-7.0`, `>=70`, `<5`, `<=0.30`, `M:3.8-7.0 F:2.5-7.0`, the qualitative
// code (`NEG`, `NEG~EQV`), or the original text. parse_range(format_range(r)) gives r's limits
// back (except kind text).
std::string format_range(const Range& r);

// ---------------------------------------------------------------------------------------------
// Scaling and number formatting (UF §4.3 step 2: value and range use the same factor)

// Significant digits written in a canonical number text: from the first non-zero digit to the
// last digit, trailing zeros included ("0.50" -> 2, "100" -> 3, "0.00" -> 1, "7.2" -> 2).
int significant_digits(std::string_view number_text);

// Writes `x` in plain decimal notation (never exponent notation), rounded to
// `significant_digits_hint` significant digits, keeping trailing zeros that are significant
// (72.0 with hint 3). The rounding is done on the decimal digits, so float noise never shows
// (7.2*10 -> "72", 0.1*10 -> "1", 71.99999999999999 with hint 2 -> "72"). A hint <= 0 means
// "as precise as the double": 15 significant digits, trailing zeros dropped. -0 is written
// "0"; NaN/inf give "" (callers should not ask).
std::string format_number(double x, int significant_digits_hint);

// Multiplies the quantity by `factor` (a proper-unit conversion factor from smx::units: special
// units such as Cel are the caller's business). numeric, inequality, range and fraction
// (numerator only) are scaled; texts are re-formatted with the significant digits of the text
// as written. Qualitative, compound, ratio, text and empty values come back unchanged (split
// compounds before converting their quantity parts; a titre has no unit). The exponent is
// kept: (m x f) x 10^e.
Value scaled(const Value& v, double factor);
// Same factor on every numeric limit of every row. A limit keeps at least the resolution the
// sender wrote it with: the sender's step (1 in the last written place) times the factor gives the
// decimal place it is written to, one place finer when that step is not a power of ten
// (4.2-5.2 x 2.004 -> 8.42-10.42; 0.00-0.14 x 10 -> 0.0-1.4), and never fewer decimals than
// its significant digits give (issue 11: rounding a range must never flip a flag).
// Qualitative and text ranges come back unchanged.
Range scaled(const Range& r, double factor);
// Folds the power-of-ten factor into the number: 50×10^2 -> 5000 (exponent 0), keeping the
// significant digits of the mantissa as written. Unchanged when exponent is 0.
Value apply_exponent(const Value& v);

// ---------------------------------------------------------------------------------------------
// Flags (UF §4.3 steps 4-5; OBX-8 is HL7 table 0078)

enum class Flag : std::uint8_t {
  unknown,   // cannot decide: no range for this sex, text, indeterminate comparator, ...
  normal,    // N
  low,       // L
  high,      // H
  abnormal,  // A: a qualitative result above the qualitative reference (table 0078 "A")
};
// "", "N", "L", "H", "A"
std::string_view flag_code(Flag f);

// Recomputes the flag of `value` against the row of `range` for `sex` (PID-8: 'M', 'F',
// anything else = unknown). Numbers use magnitude() (exponent applied), so value and range must
// be in the same unit.
// - plain number x: x below low (or equal to an exclusive low) -> L; above high -> H; else N.
// - `<x` / `<=x`: L when every possible value is below low; N when every possible value is
//   within the range, counting a low limit <= 0 as no limit (lab quantities are not negative,
//   so `<0.5` against 0-1 is N); otherwise unknown.
// - `>x` / `>=x`: H when every possible value is above high; N when high is absent and every
//   possible value is >= low; otherwise unknown.
// - qualitative value against a qualitative range: rank above the range's high code -> A, at
//   or below -> N; IND -> unknown. Qualitative vs numeric (or the reverse) -> unknown.
// - compound, range-as-value, fraction, ratio, text, empty -> unknown.
Flag compute_flag(const Value& value, const Range& range, char sex);

enum class FlagAgreement : std::uint8_t {
  agree,         // same meaning (H/HH vs H; L/LL vs L; N vs N; A/AA vs A; A vs H or L)
  disagree,      // e.g. sender N, computed H
  sender_blank,  // OBX-8 empty: sender gave no flag (often means normal; the caller decides)
  undecided,     // computed flag is unknown
  unrecognized,  // OBX-8 holds something not in the list below
};
std::string_view agreement_name(FlagAgreement a);

// Compares the sender's OBX-8 (trimmed; full-width letters accepted) with a computed flag.
// Recognized OBX-8: N; H, HH, >, ↑ (high); L, LL, <, ↓ (low); A, AA, * (abnormal, no direction);
// POS (as A), NEG (as N). Computed A agrees with any high/low/abnormal sender flag; computed
// H/L agree with A/AA (less specific but consistent).
FlagAgreement compare_flags(std::string_view sender_obx8, Flag computed);

// ---------------------------------------------------------------------------------------------
// Unit spelling pre-normalization (UF §3.2, §3.3 steps 3-5; the alias table is lib/tables')

struct UnitText {
  std::string text;
  // What changed, for the change record ("nothing silent", design.md).
  bool superscript_exponent = false;  // 10⁴ -> 10*4 (must precede NFKC, which gives "104")
  bool nfkc = false;                  // ICU NFKC changed something (ｍｇ／ｄＬ, ㎎, ＾, µ -> μ)
  bool micro = false;                 // μ (U+03BC) / µ (U+00B5) -> u
  bool spaces = false;                // trimmed or collapsed spaces (incl. U+3000 after NFKC)
  bool changed() const { return superscript_exponent || nfkc || micro || spaces; }
};

// Runs, in this order (UF §3.3): superscript pre-pass (`10` or `１０` followed by superscript
// digits, optionally ⁺/⁻, becomes `10*n`; other superscripts such as m² are left to NFKC which
// gives m2, the UCUM meaning), ICU NFKC (icu::Normalizer2::getNFKCInstance), μ/µ -> `u` (then
// NFKC again if a combining mark followed: the result is idempotent), trim and collapse
// whitespace. Case is never changed (UCUM c/s). Invalid UTF-8 is passed through by
// ICU as U+FFFD (and reported as an nfkc change). Pure ASCII input skips ICU.
UnitText normalize_unit_text_detailed(std::string_view raw_unit);
// The text only.
std::string normalize_unit_text(std::string_view raw_unit);

}  // namespace smx::lab
