// OBX-5 value parsing (UF §3.5; SS §8.17-§8.21) and the names of the lab enums.
#include "lab/scan.hpp"

#include <smx/lab.hpp>

#include <cmath>

namespace smx::lab {

using detail::Folded;
using detail::parse_atom;
using detail::trim_spaces;

std::string_view comparator_text(Comparator c) {
  switch (c) {
    case Comparator::lt: return "<";
    case Comparator::le: return "<=";
    case Comparator::gt: return ">";
    case Comparator::ge: return ">=";
    case Comparator::none: break;
  }
  return "";
}

std::string_view qualitative_code(Qualitative q) {
  switch (q) {
    case Qualitative::none: return "";
    case Qualitative::negative: return "NEG";
    case Qualitative::not_detected: return "ND";
    case Qualitative::trace: return "TR";
    case Qualitative::equivocal: return "EQV";
    case Qualitative::weak_positive: return "WPOS";
    case Qualitative::positive: return "POS";
    case Qualitative::plus1: return "1+";
    case Qualitative::plus2: return "2+";
    case Qualitative::plus3: return "3+";
    case Qualitative::plus4: return "4+";
    case Qualitative::detected: return "DET";
    case Qualitative::indeterminate: return "IND";
    case Qualitative::small_amount: return "SMALL";
    case Qualitative::moderate_amount: return "MOD";
    case Qualitative::large_amount: return "LARGE";
  }
  return "";
}

Qualitative qualitative_from_code(std::string_view code) {
  for (int i = 1; i <= static_cast<int>(Qualitative::large_amount); ++i) {
    const auto q = static_cast<Qualitative>(i);
    if (qualitative_code(q) == code) return q;
  }
  return Qualitative::none;
}

int qualitative_rank(Qualitative q) {
  switch (q) {
    case Qualitative::negative:
    case Qualitative::not_detected: return 0;
    case Qualitative::trace:
    case Qualitative::equivocal:
    case Qualitative::weak_positive: return 1;
    case Qualitative::positive:
    case Qualitative::plus1:
    case Qualitative::detected: return 2;
    case Qualitative::plus2:
    case Qualitative::moderate_amount: return 3;
    case Qualitative::plus3:
    case Qualitative::large_amount: return 4;
    case Qualitative::plus4: return 5;
    // 少量 (small) has no agreed place on the scale: NHO convert_to_sn.md §7 reads it as ±,
    // dipstick charts as 1+. Ranking it either way could flip a flag, so it is not ranked.
    case Qualitative::small_amount:
    case Qualitative::none:
    case Qualitative::indeterminate: break;
  }
  return -1;
}

std::string_view kind_name(ValueKind k) {
  switch (k) {
    case ValueKind::empty: return "empty";
    case ValueKind::numeric: return "numeric";
    case ValueKind::inequality: return "inequality";
    case ValueKind::qualitative: return "qualitative";
    case ValueKind::compound: return "compound";
    case ValueKind::range: return "range";
    case ValueKind::fraction: return "fraction";
    case ValueKind::ratio: return "ratio";
    case ValueKind::text: return "text";
  }
  return "";
}

std::string_view role_name(PartRole r) {
  switch (r) {
    case PartRole::none: return "";
    case PartRole::quantity: return "quantity";
    case PartRole::qualitative: return "qualitative";
    case PartRole::class_value: return "class";
  }
  return "";
}

double Value::magnitude() const {
  if (!has_number) return 0.0;
  if (exponent == 0) return number;
  // 10^e exactly for the exponents we accept (|e| <= 999 parses; beyond 308 gives inf/0).
  return number * std::pow(10.0, exponent);
}

namespace {

// A plain number: numeric kind, no comparator.
bool is_plain_number(const Value& v) {
  return v.kind == ValueKind::numeric && v.comparator == Comparator::none;
}

// `a~b`, `a/b`, `a:b`: both sides plain numbers. `left_text` / `right_text` get the two sides
// as written (folded, trimmed), for the ratio and class rules that look at the spelling.
bool split_pair(std::string_view s, char separator, Value& left, Value& right,
                std::string_view& left_text, std::string_view& right_text) {
  const std::size_t at = s.find(separator);
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find(separator, at + 1) != std::string_view::npos) return false;
  left_text = trim_spaces(s.substr(0, at));
  right_text = trim_spaces(s.substr(at + 1));
  if (!parse_atom(left_text, left) || !parse_atom(right_text, right)) return false;
  return is_plain_number(left) && is_plain_number(right);
}

// An IgE class as NHO writes it in 数値(クラス値): one digit 0-6 and nothing else.
bool is_class_text(std::string_view t) {
  return t.size() == 1 && t[0] >= '0' && t[0] <= '6';
}

// The right side of a titre: digits (thousands groups allowed), no leading zero; its value.
bool titre_denominator(std::string_view t, const Value& parsed, long& n) {
  if (t.empty() || t[0] < '1' || t[0] > '9') return false;
  for (char c : t)
    if (!detail::is_digit(c) && c != ',') return false;
  if (parsed.exponent != 0 || parsed.number > 1e15) return false;
  n = static_cast<long>(parsed.number);
  return true;
}

// `A(B)` ([NHO-SPLIT]): A and B each an atom. Returns false unless the closing parenthesis
// ends the text and A is not empty (`(2+)` alone is a qualitative atom).
bool split_parenthesized(std::string_view s, Value& left, Value& inner) {
  if (s.empty() || s.back() != ')') return false;
  const std::size_t open = s.find('(');
  if (open == std::string_view::npos || open == 0) return false;
  if (s.find('(', open + 1) != std::string_view::npos) return false;
  const std::string_view a = trim_spaces(s.substr(0, open));
  const std::string_view b = s.substr(open + 1, s.size() - open - 2);
  if (a.empty() || trim_spaces(b).empty()) return false;
  return parse_atom(a, left) && parse_atom(b, inner);
}

bool is_graded(Qualitative q) {
  return q == Qualitative::plus1 || q == Qualitative::plus2 || q == Qualitative::plus3 ||
         q == Qualitative::plus4;
}

// Two spellings of one result: the same code; two negatives (検出せず(-) keeps the word's ND);
// or POS with a grade (陽性(2+) -> 2+). Anything else (陰性(+), 弱陽性(±)) is not merged.
Qualitative merge_qualitative(Qualitative a, Qualitative b) {
  if (a == b) return a;
  if (qualitative_rank(a) == 0 && qualitative_rank(b) == 0) return a;
  if (a == Qualitative::positive && is_graded(b)) return b;
  if (b == Qualitative::positive && is_graded(a)) return a;
  return Qualitative::none;
}

void set_text(Value& v, std::string_view original) {
  v = Value{};
  v.kind = ValueKind::text;
  v.text.assign(detail::trim_original(original));
}

void set_qualitative(Value& v, Qualitative q) {
  v = Value{};
  v.kind = ValueKind::qualitative;
  v.qualitative = q;
}

// The role a part plays next to the other part; none when the pair is not a documented form.
// number(number) is NHO's 数値(クラス値) only: the second a class digit, the first >= 0.
bool type_parts(Value& first, Value& second, std::string_view second_text) {
  const bool q1 = first.kind == ValueKind::qualitative;
  const bool q2 = second.kind == ValueKind::qualitative;
  if (q1 || q2) {
    first.role = q1 ? PartRole::qualitative : PartRole::quantity;
    second.role = q2 ? PartRole::qualitative : PartRole::quantity;
    return true;
  }
  if (is_plain_number(second) && is_class_text(second_text) && first.has_number &&
      first.number_text[0] != '-') {
    first.role = PartRole::quantity;
    second.role = PartRole::class_value;
    return true;
  }
  return false;
}

void set_compound(Value& v, char separator, Value&& first, Value&& second) {
  v = Value{};
  v.kind = ValueKind::compound;
  v.separator = separator;
  v.parts.reserve(2);
  v.parts.push_back(std::move(first));
  v.parts.push_back(std::move(second));
}

constexpr std::string_view kJudgementLabel = "\xE5\x88\xA4\xE5\xAE\x9A";  // 判定

// `A(B)`, `A(B)W`: one part in parentheses at the end ([NHO-SPLIT] 数値(記号)[文字列]).
bool parse_trailing_parenthesis(std::string_view s, Value& v) {
  Value left;
  Value right;
  const std::size_t close = s.rfind(')');
  if (close == std::string_view::npos) return false;
  if (close + 1 < s.size()) {
    // `5.0(+)以上`: the word after the parenthesis is the number's comparator (NHO 数値＋文字列).
    const std::size_t open = s.find('(');
    if (open == std::string_view::npos || open == 0 || open > close) return false;
    const std::string_view word = trim_spaces(s.substr(close + 1));
    const std::string_view number = trim_spaces(s.substr(0, open));
    if (word.find_first_of("()") != std::string_view::npos) return false;
    if (!parse_atom(number, left) || !is_plain_number(left) || left.exponent != 0) return false;
    std::string joined(number);
    joined.append(word);
    left = Value{};
    if (!parse_atom(joined, left) || left.kind != ValueKind::inequality) return false;
    Value unused;
    if (!split_parenthesized(s.substr(0, close + 1), unused, right) ||
        right.kind != ValueKind::qualitative)
      return false;
    left.role = PartRole::quantity;
    right.role = PartRole::qualitative;
    set_compound(v, '(', std::move(left), std::move(right));
    return true;
  }
  if (!split_parenthesized(s, left, right)) return false;
  // 陰性(-), 陽性(+), 陽性(2+): one statement written twice is one qualitative result.
  if (left.kind == ValueKind::qualitative && right.kind == ValueKind::qualitative) {
    if (const Qualitative merged = merge_qualitative(left.qualitative, right.qualitative);
        merged != Qualitative::none) {
      set_qualitative(v, merged);
      return true;
    }
  }
  const std::size_t open = s.find('(');
  if (!type_parts(left, right, trim_spaces(s.substr(open + 1, s.size() - open - 2))))
    return false;
  set_compound(v, '(', std::move(left), std::move(right));
  return true;
}

// `(A)B`, `(A)(B)`: a parenthesized qualitative first ([NHO-SPLIT] (記号)数値, (記号1)(記号2);
// [NHO-SN §5-6] `(-)インセイ`, `(+) 陽性`).
bool parse_leading_parenthesis(std::string_view s, Value& v) {
  if (s.empty() || s.front() != '(') return false;
  const std::size_t close = s.find(')');
  if (close == std::string_view::npos || close + 1 >= s.size()) return false;
  const Qualitative first = detail::match_qualitative(s.substr(0, close + 1));
  if (first == Qualitative::none) return false;
  const std::string_view rest = trim_spaces(s.substr(close + 1));
  if (rest.empty()) return false;
  Value second;
  if (!parse_atom(rest, second)) return false;
  Value head;
  head.kind = ValueKind::qualitative;
  head.qualitative = first;
  if (second.kind == ValueKind::qualitative) {
    if (rest.front() == '(') {
      // Two results side by side (NHO: gonococcus and chlamydia in one field): never merged.
      if (rest.back() != ')' || rest.find('(', 1) != std::string_view::npos) return false;
      head.role = PartRole::qualitative;
      second.role = PartRole::qualitative;
      set_compound(v, ')', std::move(head), std::move(second));
      return true;
    }
    const Qualitative merged = merge_qualitative(first, second.qualitative);
    if (merged == Qualitative::none) return false;
    set_qualitative(v, merged);
    return true;
  }
  head.role = PartRole::qualitative;
  second.role = PartRole::quantity;
  set_compound(v, '(', std::move(head), std::move(second));
  return true;
}

// `1:40`, `1/40`: see lab.hpp for why `1:n` needs n >= 7 and `1/3` is a fraction.
bool parse_ratio(const Value& right, std::string_view left_text, std::string_view right_text,
                 char separator, Value& v) {
  long n = 0;
  if (left_text != "1" || !titre_denominator(right_text, right, n)) return false;
  if (separator == ':' ? n < 7 : (n < 2 || n == 3)) return false;
  v = Value{};
  v.kind = ValueKind::ratio;
  v.has_number = true;
  v.number = 1.0;
  v.number_text = "1";
  v.has_upper = true;
  v.upper = right.number;
  v.upper_text = right.number_text;
  v.separator = separator;
  return true;
}

// The two-number forms: value range `a~b`, ratio `1:n` / `1/n`, fraction `a/b`, value:class.
bool parse_pair(std::string_view s, Value& v) {
  Value left;
  Value right;
  std::string_view lt;
  std::string_view rt;
  auto two_numbers = [&](ValueKind kind) {
    v = Value{};
    v.kind = kind;
    v.has_number = true;
    v.number = left.number;
    v.number_text = std::move(left.number_text);
    v.has_upper = true;
    v.upper = right.number;
    v.upper_text = std::move(right.number_text);
    return true;
  };
  // Value range 0.5～2 (UF §3.5). Tildes only: `0.5-2` could be a minus and stays text.
  if (split_pair(s, '~', left, right, lt, rt))
    return left.exponent == 0 && right.exponent == 0 && two_numbers(ValueKind::range);
  left = Value{};
  right = Value{};
  if (split_pair(s, '/', left, right, lt, rt)) {
    if (parse_ratio(right, lt, rt, '/', v)) return true;
    // Fraction 52/3: CSF cell counts per 3 uL are kept as fractions (SS §8.16, §8.18). Both
    // sides plain numbers: `1/2E+0` would be written `1/2`, which reads as the titre 1:2
    // (fuzz_lab), so a side in exponent notation leaves the value as text.
    const auto exponent_notation = [](std::string_view t) {
      return t.find_first_of("Ee^xX*") != std::string_view::npos || t.find("\xC3\x97") != std::string_view::npos;
    };
    if (left.exponent != 0 || right.exponent != 0 || exponent_notation(lt) || exponent_notation(rt) ||
        left.number_text[0] == '-' || right.number_text[0] == '-' || right.number == 0.0)
      return false;
    // `+1/40`, `1/+40` would be written 1/40, which reads back as the titre 1:40 (fuzz_lab): a
    // fraction whose canonical text is a titre was not written as one, and stays text.
    Value titre;
    if (left.number_text == "1" && parse_ratio(right, "1", right.number_text, '/', titre)) return false;
    return two_numbers(ValueKind::fraction);
  }
  left = Value{};
  right = Value{};
  if (split_pair(s, ':', left, right, lt, rt)) {
    if (parse_ratio(right, lt, rt, ':', v)) return true;
    // `8.42:4`: value and IgE class (NHO split_value); `1:4` could be a titre: text. So could
    // `+1:4`, whose canonical text is 1:4 (fuzz_lab): the number, not its spelling, decides.
    if (left.number_text == "1" || left.exponent != 0 || !type_parts(left, right, rt)) return false;
    set_compound(v, ':', std::move(left), std::move(right));
    return true;
  }
  return false;
}

// Everything after the folding: atom, label, compound and pair forms, in that order.
bool parse_folded(std::string_view s, Value& v, bool allow_label) {
  if (parse_atom(s, v)) return true;
  v = Value{};
  // `判定 （－）` (NHO §5): the label, then a qualitative result (also after a colon).
  if (allow_label && s.substr(0, kJudgementLabel.size()) == kJudgementLabel) {
    std::string_view rest = trim_spaces(s.substr(kJudgementLabel.size()));
    if (!rest.empty() && rest.front() == ':') rest = trim_spaces(rest.substr(1));
    Value inner;
    if (!rest.empty() && parse_folded(rest, inner, false) &&
        inner.kind == ValueKind::qualitative) {
      v = std::move(inner);
      return true;
    }
  }
  if (parse_trailing_parenthesis(s, v)) return true;
  v = Value{};
  if (parse_leading_parenthesis(s, v)) return true;
  v = Value{};
  return parse_pair(s, v);
}

}  // namespace

Value parse_value(std::string_view decoded_obx5) {
  Value v;
  Folded folded;
  detail::fold(decoded_obx5, folded);
  if (folded.overflow) {
    set_text(v, decoded_obx5);
    return v;
  }
  std::string_view s = trim_spaces(folded.view());
  // Leading/trailing colons around a value (`:<0.5`, NHO exceptions, SS §8.20).
  while (!s.empty() && s.front() == ':') s = trim_spaces(s.substr(1));
  while (!s.empty() && s.back() == ':') s = trim_spaces(s.substr(0, s.size() - 1));
  if (s.empty()) return v;  // kind empty
  if (!parse_folded(s, v, true)) set_text(v, decoded_obx5);
  return v;
}

namespace {
void append_number(std::string& out, const std::string& number_text, int exponent) {
  out += number_text;
  if (exponent != 0) {
    out += 'E';
    out += std::to_string(exponent);
  }
}
}  // namespace

std::string format_value(const Value& v) {
  std::string out;
  switch (v.kind) {
    case ValueKind::empty: break;
    case ValueKind::numeric: append_number(out, v.number_text, v.exponent); break;
    case ValueKind::inequality:
      out += comparator_text(v.comparator);
      append_number(out, v.number_text, v.exponent);
      break;
    case ValueKind::qualitative: out += qualitative_code(v.qualitative); break;
    case ValueKind::compound:
      if (v.parts.size() == 2) {
        if (v.separator == ':') {
          out += format_value(v.parts[0]);
          out += ':';
          out += format_value(v.parts[1]);
        } else if (v.separator == ')') {
          out += '(';
          out += format_value(v.parts[0]);
          out += ")(";
          out += format_value(v.parts[1]);
          out += ')';
        } else {
          out += format_value(v.parts[0]);
          out += '(';
          out += format_value(v.parts[1]);
          out += ')';
        }
      }
      break;
    case ValueKind::range:
      out += v.number_text;
      out += '~';
      out += v.upper_text;
      break;
    case ValueKind::fraction:
      out += v.number_text;
      out += '/';
      out += v.upper_text;
      break;
    case ValueKind::ratio:
      out += v.number_text;
      out += v.separator == '/' ? '/' : ':';
      out += v.upper_text;
      break;
    case ValueKind::text: out = v.text; break;
  }
  return out;
}

}  // namespace smx::lab
