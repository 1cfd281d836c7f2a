// UCUM expression parser (case-sensitive symbols), straight from the UCUM specification
// §§3-10 and its BNF:
//   main-term   ::= "/" term | term
//   term        ::= term "." component | term "/" component | component
//   component   ::= annotatable annotation | annotatable | annotation | factor | "(" term ")"
//   annotatable ::= simple-unit exponent | simple-unit
//   simple-unit ::= ATOM | PREFIX ATOM[metric]
// The parser evaluates while it reads (no syntax tree): every component is reduced to a
// Canonical and folded into the term from left to right (§7.4). Errors are values, never
// exceptions, so bad units from the wild are cheap.
#include "essence_data.hpp"

#include <smx/ascii.hpp>
#include <smx/error.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace smx::units {

namespace detail {
namespace {

constexpr int exponent_limit = 127;  // dimension exponents are stored in an int8

using ascii::is_digit;

// §3.2: a terminal symbol may use ASCII 33-126 except these, which have a syntactic meaning.
// Inside square brackets the full range 33-126 is allowed (§5.2).
bool is_symbol_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u < 33 || u > 126) return false;
  switch (c) {
    case '"': case '(': case ')': case '+': case '-': case '.': case '/': case '=':
    case '[': case ']': case '{': case '}':
      return false;
    default:
      return true;
  }
}

bool fits(int v) { return v >= -exponent_limit && v <= exponent_limit; }

// Multiplies (sign +1) or divides (sign -1) `into` by `other`. False when an exponent overflows
// or more than 4 arbitrary atoms meet.
bool fold(Canonical& into, const Canonical& other, int sign, ParseErrc& why) {
  why = ParseErrc::out_of_range;
  into.magnitude = sign > 0 ? into.magnitude * other.magnitude : into.magnitude / other.magnitude;
  for (std::size_t i = 0; i < base_unit_count; ++i) {
    const int v = into.dimension[i] + sign * other.dimension[i];
    if (!fits(v)) return false;
    into.dimension[i] = static_cast<std::int8_t>(v);
  }
  const int substance = into.substance + sign * other.substance;
  const int equivalents = into.equivalents + sign * other.equivalents;
  if (!fits(substance) || !fits(equivalents)) return false;
  into.substance = static_cast<std::int8_t>(substance);
  into.equivalents = static_cast<std::int8_t>(equivalents);
  for (std::uint8_t k = 0; k < other.arbitrary_count; ++k) {
    const ArbitraryPower& p = other.arbitrary[k];
    auto* begin = into.arbitrary.data();
    auto* end = begin + into.arbitrary_count;
    auto* at = std::find_if(begin, end, [&](const ArbitraryPower& q) { return q.atom >= p.atom; });
    if (at != end && at->atom == p.atom) {
      const int v = at->exponent + sign * p.exponent;
      if (!fits(v)) return false;
      at->exponent = static_cast<std::int8_t>(v);
      if (v == 0) {  // [IU]/[IU] cancels
        std::copy(at + 1, end, at);
        --into.arbitrary_count;
      }
    } else {
      if (into.arbitrary_count == into.arbitrary.size()) {
        why = ParseErrc::too_many_arbitrary;
        return false;
      }
      std::copy_backward(at, end, end + 1);
      *at = ArbitraryPower{p.atom, static_cast<std::int8_t>(sign * p.exponent)};
      ++into.arbitrary_count;
    }
  }
  if (other.special != SpecialFunction::none) {
    into.special = other.special;
    into.special_unit_magnitude = other.special_unit_magnitude;
  }
  into.special_misused = into.special_misused || other.special_misused;
  return std::isfinite(into.magnitude) && into.magnitude != 0.0;
}

class Parser {
 public:
  Parser(const EssenceData& data, AtomResolver& resolver, std::string_view text,
         std::string* display, std::vector<Symbol>* symbols = nullptr)
      : data_(data), resolver_(resolver), text_(text), display_(display), symbols_(symbols) {}

  ParseResult run() {
    if (text_.empty()) return fail(ParseErrc::empty, 0, "empty unit expression");
    if (text_.size() > max_expression_length)
      return fail(ParseErrc::too_long, static_cast<std::uint32_t>(max_expression_length),
                  "unit expression longer than " + std::to_string(max_expression_length) +
                      " bytes");
    for (std::size_t i = 0; i < text_.size(); ++i) {
      const auto u = static_cast<unsigned char>(text_[i]);
      if (u >= 128)
        return fail(ParseErrc::non_ascii, i, "non-ASCII byte (UCUM §3.1 allows 7-bit ASCII only)");
      if (u == ' ' || u == '\t' || u == '\r' || u == '\n')
        return fail(ParseErrc::whitespace, i, "white space inside a unit expression (UCUM §3)");
      if (u < 33 || u == 127) return fail(ParseErrc::unexpected_character, i, "control character");
    }
    Canonical result;
    if (!parse_term(result, 1, 0, true)) return ParseResult(std::move(error_));
    if (pos_ < text_.size()) {  // only a stray ')' stops a top-level term early
      return fail(ParseErrc::unbalanced, pos_, "')' without a matching '('");
    }
    if (special_count_ > 0 && !finish_special(result))
      return ParseResult(std::move(error_));
    result.magnitude = snap_to_power_of_ten(result.magnitude);
    return ParseResult(result);
  }

 private:
  ParseResult fail(ParseErrc code, std::size_t position, std::string message) {
    set_error(code, position, std::move(message));
    return ParseResult(std::move(error_));
  }
  bool set_error(ParseErrc code, std::size_t position, std::string message) {
    error_.code = code;
    error_.position = static_cast<std::uint32_t>(position);
    error_.message = std::move(message);
    return false;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void show(std::string_view s) {
    if (display_) display_->append(s);
  }

  // term: components joined by '.' and '/', evaluated left to right (§7.4). A leading '/' at
  // the top level inverts what follows (§7.3): "/m.s" is read as "1/m.s".
  bool parse_term(Canonical& accumulated, int sign, int depth, bool top) {
    int op = 1;
    if (top && !at_end() && peek() == '/') {
      op = -1;
      ++pos_;
      show("1 / ");
    }
    for (;;) {
      const std::size_t component_start = pos_;
      Canonical component;
      if (!parse_component(component, sign * op, depth)) return false;
      ParseErrc why;
      if (!fold(accumulated, component, op, why))
        return set_error(why, component_start,
                         why == ParseErrc::too_many_arbitrary
                             ? "more than 4 distinct arbitrary units in one expression"
                             : "unit magnitude or exponent out of range");
      if (at_end() || peek() == ')') return true;
      const char c = peek();
      if (c == '.') {
        op = 1;
        show(" * ");
      } else if (c == '/') {
        op = -1;
        show(" / ");
      } else if (is_symbol_char(c) || c == '[' || c == '(' || c == '{') {
        // §7.2: the multiplication operator is mandatory ("12h", "ug(8.h)", "{a}rad").
        return set_error(ParseErrc::missing_operator, pos_,
                         std::string("missing '.' or '/' before '") + c + "' (UCUM §7.2)");
      } else {
        return set_error(ParseErrc::unexpected_character, pos_,
                         std::string("unexpected '") + c + "'");
      }
      ++pos_;
      if (at_end())
        return set_error(ParseErrc::missing_operand, pos_,
                         std::string("'") + c + "' is not followed by a unit");
    }
  }

  bool parse_component(Canonical& out, int sign, int depth) {
    if (at_end()) return set_error(ParseErrc::missing_operand, pos_, "unit expected");
    const char c = peek();
    if (c == '(') {
      // §10: a parenthesized term stands in place of a simple unit; no prefix, no exponent.
      if (depth >= max_nesting)
        return set_error(ParseErrc::too_deep, pos_, "parentheses nested too deeply");
      const std::size_t open = pos_;
      ++pos_;
      show("(");
      if (!parse_term(out, sign, depth + 1, false)) return false;
      if (at_end() || peek() != ')')
        return set_error(ParseErrc::unbalanced, open, "'(' without a matching ')'");
      ++pos_;
      show(")");
      return true;
    }
    if (c == '{') {
      // §6.4: an annotation without a leading symbol is the unity.
      const std::size_t start = pos_;
      if (!skip_annotation()) return false;
      show(text_.substr(start, pos_ - start));
      return true;
    }
    if (c == ')' || c == '.' || c == '/')
      return set_error(ParseErrc::missing_operand, pos_,
                       std::string("unit expected before '") + c + "'");
    if (!is_symbol_char(c) && c != '[')
      return set_error(ParseErrc::unexpected_character, pos_,
                       std::string("unexpected '") + c + "'");
    return parse_simple_unit(out, sign);
  }

  // §6: '{' annotation-string '}', characters 33-126 without braces; no semantic value.
  bool skip_annotation() {
    const std::size_t open = pos_;
    std::size_t j = pos_ + 1;
    while (j < text_.size() && text_[j] != '}') {
      if (text_[j] == '{')
        return set_error(ParseErrc::bad_annotation, j, "curly braces must not be nested (UCUM §6.5)");
      ++j;
    }
    if (j >= text_.size()) return set_error(ParseErrc::unbalanced, open, "'{' without a matching '}'");
    pos_ = j + 1;
    return true;
  }

  // A symbol run: symbol characters, with square-bracketed parts taken whole (§5).
  bool scan_symbol_run() {
    while (!at_end()) {
      const char c = peek();
      if (c == '[') {
        std::size_t j = pos_ + 1;
        while (j < text_.size() && text_[j] != ']') {
          if (text_[j] == '[')
            return set_error(ParseErrc::unbalanced, j, "square brackets must not be nested (UCUM §5.4)");
          ++j;
        }
        if (j >= text_.size()) return set_error(ParseErrc::unbalanced, pos_, "'[' without a matching ']'");
        pos_ = j + 1;
        continue;
      }
      if (c == ']') return set_error(ParseErrc::unbalanced, pos_, "']' without a matching '['");
      if (!is_symbol_char(c)) break;
      ++pos_;
    }
    return true;
  }

  // §9: the exponent follows the simple unit immediately: trailing digits of the run, or a
  // sign and digits right after it ("s-1", "10*-3", "10*+3"). Leaves the run without its
  // exponent digits in `body`.
  bool read_exponent(std::string_view run, std::size_t start, std::string_view& body, int& exponent) {
    std::size_t body_length = run.size();
    while (body_length > 0 && is_digit(run[body_length - 1])) --body_length;
    body = run.substr(0, body_length);
    std::string_view exponent_digits = run.substr(body_length);
    int exponent_sign = 1;
    std::size_t exponent_position = start + body_length;
    if (exponent_digits.empty() && !at_end() && (peek() == '+' || peek() == '-') &&
        pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1])) {
      exponent_sign = peek() == '-' ? -1 : 1;
      exponent_position = pos_;
      std::size_t j = pos_ + 1;
      while (j < text_.size() && is_digit(text_[j])) ++j;
      exponent_digits = text_.substr(pos_ + 1, j - pos_ - 1);
      pos_ = j;
    }
    exponent = 1;
    if (!exponent_digits.empty()) {
      int magnitude = 0;
      const auto [end, ec] = std::from_chars(exponent_digits.data(),
                                             exponent_digits.data() + exponent_digits.size(), magnitude);
      if (ec != std::errc() || end != exponent_digits.data() + exponent_digits.size() ||
          magnitude > exponent_limit)
        return set_error(ParseErrc::bad_exponent, exponent_position, "exponent out of range");
      exponent = exponent_sign * magnitude;
    }
    return true;
  }

  // `out` = (prefix · definition) ^ exponent, each exponent checked to fit (errors at `start`).
  bool raise(Canonical& out, const Canonical& definition, const Prefix* prefix, int exponent, std::size_t start) {
    out = definition;
    const double scale = (prefix ? prefix->value : 1.0) * definition.magnitude;
    out.magnitude = exponent == 1 ? scale : std::pow(scale, exponent);
    for (std::size_t i = 0; i < base_unit_count; ++i) {
      const int v = definition.dimension[i] * exponent;
      if (!fits(v)) return set_error(ParseErrc::out_of_range, start, "exponent out of range");
      out.dimension[i] = static_cast<std::int8_t>(v);
    }
    const int substance = definition.substance * exponent;
    const int equivalents = definition.equivalents * exponent;
    if (!fits(substance) || !fits(equivalents))
      return set_error(ParseErrc::out_of_range, start, "exponent out of range");
    out.substance = static_cast<std::int8_t>(substance);
    out.equivalents = static_cast<std::int8_t>(equivalents);
    for (std::uint8_t k = 0; k < out.arbitrary_count; ++k) {
      const int v = out.arbitrary[k].exponent * exponent;
      if (!fits(v)) return set_error(ParseErrc::out_of_range, start, "exponent out of range");
      out.arbitrary[k].exponent = static_cast<std::int8_t>(v);
    }
    if (exponent == 0) out.arbitrary_count = 0;
    if (!std::isfinite(out.magnitude) || out.magnitude == 0.0)
      return set_error(ParseErrc::out_of_range, start, "unit magnitude out of range");
    return true;
  }

  bool parse_simple_unit(Canonical& out, int sign) {
    const std::size_t start = pos_;
    if (!scan_symbol_run()) return false;
    const std::string_view run = text_.substr(start, pos_ - start);

    if (std::all_of(run.begin(), run.end(), is_digit)) {
      // §8: a pure string of digits is a positive integer factor.
      double value = 0.0;
      std::from_chars(run.data(), run.data() + run.size(), value);
      if (!(value > 0.0) || !std::isfinite(value))
        return set_error(ParseErrc::out_of_range, start,
                         "a number in a unit must be a positive integer (UCUM §8)");
      out.magnitude = value;
      show(run);
      if (!at_end() && peek() == '{') return skip_annotation();
      return true;
    }

    std::string_view body;
    int exponent = 1;
    if (!read_exponent(run, start, body, exponent)) return false;

    // §4.4: the prefix is the longest leading substring that is a prefix and leaves a metric
    // atom; otherwise the whole symbol is the atom.
    const Prefix* prefix = nullptr;
    const Atom* atom = nullptr;
    for (const Prefix& p : data_.prefixes) {
      if (body.size() > p.code.size() && body.substr(0, p.code.size()) == p.code) {
        const Atom* candidate = data_.find_atom(body.substr(p.code.size()));
        if (candidate && candidate->is_metric) {
          prefix = &p;
          atom = candidate;
          break;
        }
      }
    }
    if (!atom) atom = data_.find_atom(body);
    if (!atom)
      return set_error(ParseErrc::unknown_unit, start,
                       "unknown unit '" + std::string(body) + "'");

    const std::size_t atom_number = static_cast<std::size_t>(atom - data_.atoms.data());
    std::string why;
    const Canonical* definition = resolver_.resolve(atom_number, why);
    if (!definition)
      return set_error(ParseErrc::unknown_unit, start,
                       "unit '" + atom->code + "' can not be resolved: " + why);
    if (!raise(out, *definition, prefix, exponent, start)) return false;
    if (atom->is_special) {
      ++special_count_;
      special_exponent_ += sign * exponent;
      special_atom_ = atom_number;
    }

    if (symbols_) symbols_->push_back(Symbol{prefix ? prefix->code : std::string(), atom->code, sign * exponent});
    if (display_) {
      display_->append("(");
      if (prefix) display_->append(prefix->name);
      display_->append(atom->name);
      if (exponent != 1) {
        display_->append(" ^ ");
        display_->append(std::to_string(exponent));
      }
      display_->append(")");
    }
    if (!at_end() && peek() == '{') return skip_annotation();
    return true;
  }

  // §22: a special unit may only be scaled (prefix, numeric factor, dimensionless proper
  // unit); any other algebra (Cel/h, Cel2, /Cel, Cel.Cel) leaves it valid but not convertible.
  bool finish_special(Canonical& result) {
    const Canonical& unit = data_.atoms[special_atom_].canonical;
    const bool scaled_only = special_count_ == 1 && special_exponent_ == 1 &&
                             result.dimension == unit.dimension &&
                             result.substance == unit.substance &&
                             result.equivalents == unit.equivalents && result.arbitrary_count == 0;
    result.special = unit.special;
    result.special_unit_magnitude = unit.special_unit_magnitude;
    if (!scaled_only) result.special_misused = true;
    return true;
  }

  const EssenceData& data_;
  AtomResolver& resolver_;
  std::string_view text_;
  std::string* display_;
  std::vector<Symbol>* symbols_;
  std::size_t pos_ = 0;
  ParseError error_;
  int special_count_ = 0;
  int special_exponent_ = 0;
  std::size_t special_atom_ = 0;
};

}  // namespace

double snap_to_power_of_ten(double value) {
  if (!(value > 0.0) || !std::isfinite(value)) return value;
  const double exponent = std::round(std::log10(value));
  const double power = std::pow(10.0, exponent);
  return std::fabs(value - power) <= 1e-13 * power ? power : value;
}

ParseResult parse_expression(const EssenceData& data, AtomResolver& resolver,
                             std::string_view expression, std::string* display) {
  return Parser(data, resolver, expression, display).run();
}

}  // namespace detail

bool Canonical::is_dimensionless() const {
  return std::all_of(dimension.begin(), dimension.end(), [](std::int8_t e) { return e == 0; }) &&
         arbitrary_count == 0;
}

bool commensurable(const Canonical& a, const Canonical& b) {
  if (a.dimension != b.dimension || a.arbitrary_count != b.arbitrary_count) return false;
  return std::equal(a.arbitrary.begin(), a.arbitrary.begin() + a.arbitrary_count,
                    b.arbitrary.begin());
}

namespace {
Canonical combine_proper(const Canonical& a, const Canonical& b, int sign) {
  Canonical result = a;
  ParseErrc why;
  const bool ok = detail::fold(result, b, sign, why);
  if (a.is_special() || b.is_special()) result.special_misused = true;
  if (!ok) result.magnitude = std::numeric_limits<double>::quiet_NaN();
  return result;
}
}  // namespace

Canonical multiply(const Canonical& a, const Canonical& b) { return combine_proper(a, b, 1); }
Canonical divide(const Canonical& a, const Canonical& b) { return combine_proper(a, b, -1); }

std::string_view errc_name(ParseErrc code) {
  switch (code) {
    case ParseErrc::empty: return "empty";
    case ParseErrc::too_long: return "too-long";
    case ParseErrc::non_ascii: return "non-ascii";
    case ParseErrc::whitespace: return "whitespace";
    case ParseErrc::unexpected_character: return "unexpected-character";
    case ParseErrc::unknown_unit: return "unknown-unit";
    case ParseErrc::missing_operator: return "missing-operator";
    case ParseErrc::missing_operand: return "missing-operand";
    case ParseErrc::unbalanced: return "unbalanced";
    case ParseErrc::bad_annotation: return "bad-annotation";
    case ParseErrc::bad_exponent: return "bad-exponent";
    case ParseErrc::too_deep: return "too-deep";
    case ParseErrc::out_of_range: return "out-of-range";
    case ParseErrc::too_many_arbitrary: return "too-many-arbitrary";
  }
  return "unknown";
}

ParseResult parse(const Essence& essence, std::string_view expression) {
  detail::LoadedResolver resolver(essence.data());
  return detail::parse_expression(essence.data(), resolver, expression, nullptr);
}

std::vector<Symbol> symbols(const Essence& essence, std::string_view expression) {
  detail::LoadedResolver resolver(essence.data());
  std::vector<Symbol> out;
  if (!detail::Parser(essence.data(), resolver, expression, nullptr, &out).run()) out.clear();
  return out;
}

std::string display_name(const Essence& essence, std::string_view expression) {
  if (expression.empty()) return "(unity)";
  detail::LoadedResolver resolver(essence.data());
  std::string out;
  ParseResult result = detail::parse_expression(essence.data(), resolver, expression, &out);
  if (!result) throw parse_error(result.error().message, result.error().position);
  return out;
}

}  // namespace smx::units
