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
    case Qualitative::detected:
    case Qualitative::small_amount: return 2;
    case Qualitative::plus2:
    case Qualitative::moderate_amount: return 3;
    case Qualitative::plus3:
    case Qualitative::large_amount: return 4;
    case Qualitative::plus4: return 5;
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
    case ValueKind::text: return "text";
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

// `a~b` (value range) or `a/b` (fraction) or `a:b` (compound): both sides plain numbers.
bool split_pair(std::string_view s, char separator, Value& left, Value& right) {
  const std::size_t at = s.find(separator);
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find(separator, at + 1) != std::string_view::npos) return false;
  if (!parse_atom(s.substr(0, at), left) || !parse_atom(s.substr(at + 1), right)) return false;
  return is_plain_number(left) && is_plain_number(right);
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

  if (parse_atom(s, v)) return v;
  v = Value{};

  // Compound A(B): value + class or grade, split into parts ([NHO-SPLIT], SS §8.19).
  Value left;
  Value right;
  if (split_parenthesized(s, left, right)) {
    // 陰性(-), 陽性(+), 陽性(2+): one statement written twice is one qualitative result.
    if (left.kind == ValueKind::qualitative && right.kind == ValueKind::qualitative) {
      const Qualitative merged = merge_qualitative(left.qualitative, right.qualitative);
      if (merged != Qualitative::none) {
        v.kind = ValueKind::qualitative;
        v.qualitative = merged;
        return v;
      }
    }
    v.kind = ValueKind::compound;
    v.separator = '(';
    v.parts.reserve(2);
    v.parts.push_back(std::move(left));
    v.parts.push_back(std::move(right));
    return v;
  }
  left = Value{};
  right = Value{};
  // Value range 0.5～2 (UF §3.5). Tildes only: `0.5-2` could be a minus and stays text.
  // Both forms below keep the left number and the right one as the value's two ends.
  auto two_numbers = [&](ValueKind kind) {
    v.kind = kind;
    v.has_number = true;
    v.number = left.number;
    v.number_text = std::move(left.number_text);
    v.has_upper = true;
    v.upper = right.number;
    v.upper_text = std::move(right.number_text);
    return v;
  };
  if (split_pair(s, '~', left, right) && left.exponent == 0 && right.exponent == 0) return two_numbers(ValueKind::range);
  left = Value{};
  right = Value{};
  // Fraction 52/3: CSF cell counts per 3 uL are kept as fractions (SS §8.16, §8.18).
  if (split_pair(s, '/', left, right) && left.exponent == 0 && right.exponent == 0 &&
      left.number_text[0] != '-' && right.number_text[0] != '-' && right.number != 0.0)
    return two_numbers(ValueKind::fraction);
  left = Value{};
  right = Value{};
  // `8.42:4`: two numbers in one result (NHO split_value, SS §8.19).
  if (split_pair(s, ':', left, right)) {
    v.kind = ValueKind::compound;
    v.separator = ':';
    v.parts.reserve(2);
    v.parts.push_back(std::move(left));
    v.parts.push_back(std::move(right));
    return v;
  }
  set_text(v, decoded_obx5);
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
        out += format_value(v.parts[0]);
        if (v.separator == ':') {
          out += ':';
          out += format_value(v.parts[1]);
        } else {
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
    case ValueKind::text: out = v.text; break;
  }
  return out;
}

}  // namespace smx::lab
