// OBX-7 reference range parsing (UF §4.2, §4.3 step 1; SS §6.3 OBX-7, §8.16).
#include "lab/scan.hpp"

#include <smx/lab.hpp>

namespace smx::lab {

using detail::Folded;
using detail::is_space;
using detail::NumberToken;
using detail::parse_atom;
using detail::scan_number;
using detail::trim_spaces;

std::string_view kind_name(RangeKind k) {
  switch (k) {
    case RangeKind::empty: return "empty";
    case RangeKind::interval: return "interval";
    case RangeKind::lower: return "lower";
    case RangeKind::upper: return "upper";
    case RangeKind::qualitative: return "qualitative";
    case RangeKind::sex_specific: return "sex_specific";
    case RangeKind::text: return "text";
  }
  return "";
}

namespace {

void set_limit(Limit& limit, const NumberToken& number, bool inclusive) {
  limit.present = true;
  limit.value = number.value;
  limit.text.assign(number.text_view());
  limit.inclusive = inclusive;
}

void set_limit(Limit& limit, const Value& v, bool inclusive) {
  limit.present = true;
  limit.value = v.number;
  limit.text = v.number_text;
  limit.inclusive = inclusive;
}

bool is_range_separator(char c) { return c == '-' || c == '~'; }

// One row without a sex marker: interval, one-sided limit or qualitative.
bool parse_interval(std::string_view s, Interval& out) {
  out = Interval{};
  s = trim_spaces(s);
  // A lone dash or tilde is a placeholder ("no range") as often as it is (-): not guessed.
  if (s.empty() || s == "-" || s == "~") return false;

  Value atom;
  if (parse_atom(s, atom)) {
    if (atom.kind == ValueKind::qualitative) {
      out.kind = RangeKind::qualitative;
      out.qualitative_high = atom.qualitative;
      return true;
    }
    if (atom.kind == ValueKind::inequality && atom.exponent == 0) {
      switch (atom.comparator) {
        case Comparator::lt: set_limit(out.high, atom, false); out.kind = RangeKind::upper; break;
        case Comparator::le: set_limit(out.high, atom, true); out.kind = RangeKind::upper; break;
        case Comparator::gt: set_limit(out.low, atom, false); out.kind = RangeKind::lower; break;
        case Comparator::ge: set_limit(out.low, atom, true); out.kind = RangeKind::lower; break;
        case Comparator::none: return false;
      }
      return true;
    }
    // A single number (or an exponent form) is not a range: nothing says which limit it is.
    if (atom.kind != ValueKind::numeric || atom.number_text.empty() ||
        atom.number_text[0] != '-' || atom.exponent != 0)
      return false;
    // `-0.3`: read as "up to 0.3" below (a single negative number is never a range).
  }

  // Qualitative pair (-)～(±).
  if (const std::size_t tilde = s.find('~'); tilde != std::string_view::npos && tilde > 0) {
    const Qualitative a = detail::match_qualitative(s.substr(0, tilde));
    const Qualitative b = detail::match_qualitative(s.substr(tilde + 1));
    if (a != Qualitative::none && b != Qualitative::none) {
      if (qualitative_rank(a) < 0 || qualitative_rank(b) < qualitative_rank(a)) return false;
      out.kind = RangeKind::qualitative;
      out.qualitative_low = a;
      out.qualitative_high = b;
      return true;
    }
  }

  // `～0.30`, `-0.3`: upper limit only (Japanese reports print "up to" this way).
  if (is_range_separator(s[0])) {
    std::size_t i = 1;
    while (i < s.size() && is_space(s[i])) ++i;
    const NumberToken high = scan_number(s, i, false);
    if (high.ok && high.end == s.size()) {
      set_limit(out.high, high, true);
      out.kind = RangeKind::upper;
      return true;
    }
  }

  // a-b, a～b, with signed limits (-2.2-2.2, -5--1, -2.0～+2.0).
  const NumberToken low = scan_number(s, 0, true);
  if (!low.ok) return false;
  std::size_t i = low.end;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i >= s.size() || !is_range_separator(s[i])) return false;
  ++i;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i == s.size()) {  // `10-`, `0.3～`: lower limit only
    set_limit(out.low, low, true);
    out.kind = RangeKind::lower;
    return true;
  }
  const NumberToken high = scan_number(s, i, true);
  if (!high.ok || high.end != s.size()) return false;
  // A reversed range (7.0-3.8) is a typo we do not repair.
  if (high.value < low.value) return false;
  set_limit(out.low, low, true);
  set_limit(out.high, high, true);
  out.kind = RangeKind::interval;
  return true;
}

struct Marker {
  std::string_view word;
  char sex;
};
// Longer spellings first so 男性 is not read as 男 + 性.
constexpr Marker kMarkers[] = {
    {"男性", 'M'}, {"女性", 'F'}, {"男", 'M'}, {"女", 'F'},
    {"Female", 'F'}, {"female", 'F'}, {"FEMALE", 'F'},
    {"Male", 'M'}, {"male", 'M'}, {"MALE", 'M'},
    {"M", 'M'}, {"F", 'F'},
};

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// A sex marker at s[i] (optionally in parentheses), followed by `:`, a space, or the start of
// the limits. Returns the index just past the marker and its separator, or 0 if none.
std::size_t match_marker(std::string_view s, std::size_t i, char& sex) {
  std::size_t k = i;
  const bool parenthesized = k < s.size() && s[k] == '(';
  if (parenthesized) ++k;
  for (const auto& m : kMarkers) {
    if (s.substr(k, m.word.size()) != m.word) continue;
    std::size_t e = k + m.word.size();
    if (parenthesized) {
      if (e >= s.size() || s[e] != ')') return 0;
      ++e;
    }
    // An ASCII marker must not run into a word (`Max`, `F.`-like abbreviations of other things).
    if (is_ascii_letter(m.word.back()) && e < s.size() && is_ascii_letter(s[e])) return 0;
    while (e < s.size() && is_space(s[e])) ++e;
    if (e < s.size() && s[e] == ':') ++e;
    while (e < s.size() && is_space(s[e])) ++e;
    if (e >= s.size()) return 0;
    sex = m.sex;
    return e;
  }
  return 0;
}

bool is_row_separator(char c) { return c == ' ' || c == '/' || c == ',' || c == ';'; }

// M:3.8-7.0 F:2.5-7.0, 男:43～57　女：38～50, M 3.8-7.0/F 2.5-7.0 (UF §4.2, SS §8.16).
bool parse_sex_rows(std::string_view s, Range& out) {
  std::size_t i = 0;
  char sex = 0;
  std::size_t body = match_marker(s, 0, sex);
  if (body == 0) return false;
  bool seen_male = false;
  bool seen_female = false;
  for (;;) {
    // The row runs to the next separator that is followed by a marker.
    std::size_t end = s.size();
    char next_sex = 0;
    std::size_t next_body = 0;
    std::size_t next_start = 0;
    for (std::size_t k = body; k < s.size(); ++k) {
      if (!is_row_separator(s[k])) continue;
      std::size_t m = k;
      while (m < s.size() && is_row_separator(s[m])) ++m;
      if (m >= s.size()) break;
      char candidate = 0;
      if (const std::size_t b = match_marker(s, m, candidate)) {
        end = k;
        next_sex = candidate;
        next_body = b;
        next_start = m;
        break;
      }
      k = m - 1;
    }
    std::string_view row = s.substr(body, end - body);
    while (!row.empty() && is_row_separator(row.back())) row.remove_suffix(1);
    Interval interval;
    if (!parse_interval(row, interval)) return false;
    if (sex == 'M') {
      if (seen_male) return false;
      seen_male = true;
      out.male = std::move(interval);
    } else {
      if (seen_female) return false;
      seen_female = true;
      out.female = std::move(interval);
    }
    if (next_body == 0) break;
    (void)next_start;
    sex = next_sex;
    body = next_body;
    i = body;
  }
  (void)i;
  out.kind = RangeKind::sex_specific;
  return true;
}

bool same_limit(const Limit& a, const Limit& b) {
  return a.present == b.present && (!a.present || (a.value == b.value && a.inclusive == b.inclusive));
}

bool same_interval(const Interval& a, const Interval& b) {
  return a.kind == b.kind && same_limit(a.low, b.low) && same_limit(a.high, b.high) &&
         a.qualitative_low == b.qualitative_low && a.qualitative_high == b.qualitative_high;
}

}  // namespace

const Interval* Range::for_sex(char sex) const {
  switch (kind) {
    case RangeKind::interval:
    case RangeKind::lower:
    case RangeKind::upper:
    case RangeKind::qualitative: return &all;
    case RangeKind::sex_specific:
      if (sex == 'M') return male.kind == RangeKind::empty ? nullptr : &male;
      if (sex == 'F') return female.kind == RangeKind::empty ? nullptr : &female;
      if (male.kind != RangeKind::empty && same_interval(male, female)) return &male;
      return nullptr;
    case RangeKind::empty:
    case RangeKind::text: break;
  }
  return nullptr;
}

Range parse_range(std::string_view decoded_obx7) {
  Range r;
  const std::string_view original = detail::trim_original(decoded_obx7);
  Folded folded;
  detail::fold(original, folded);
  const std::string_view s = trim_spaces(folded.view());
  if (!folded.overflow && s.empty()) return r;  // kind empty
  r.text.assign(original);
  if (folded.overflow) {
    r.kind = RangeKind::text;
    return r;
  }
  if (parse_interval(s, r.all)) {
    r.kind = r.all.kind;
    return r;
  }
  r.all = Interval{};
  if (parse_sex_rows(s, r)) return r;
  r.male = Interval{};
  r.female = Interval{};
  r.kind = RangeKind::text;
  return r;
}

namespace {

void append_interval(std::string& out, const Interval& in) {
  switch (in.kind) {
    case RangeKind::interval:
      out += in.low.text;
      out += '-';
      out += in.high.text;
      break;
    case RangeKind::lower:
      out += in.low.inclusive ? ">=" : ">";
      out += in.low.text;
      break;
    case RangeKind::upper:
      out += in.high.inclusive ? "<=" : "<";
      out += in.high.text;
      break;
    case RangeKind::qualitative:
      if (in.qualitative_low != Qualitative::none) {
        out += qualitative_code(in.qualitative_low);
        out += '~';
      }
      out += qualitative_code(in.qualitative_high);
      break;
    default: break;
  }
}

}  // namespace

std::string format_range(const Range& r) {
  std::string out;
  switch (r.kind) {
    case RangeKind::empty: break;
    case RangeKind::text: out = r.text; break;
    case RangeKind::sex_specific:
      if (r.male.kind != RangeKind::empty) {
        out += "M:";
        append_interval(out, r.male);
      }
      if (r.female.kind != RangeKind::empty) {
        if (!out.empty()) out += ' ';
        out += "F:";
        append_interval(out, r.female);
      }
      break;
    default: append_interval(out, r.all); break;
  }
  return out;
}

}  // namespace smx::lab
