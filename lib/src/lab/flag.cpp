// Flag recomputation against the converted range (UF §4.3 steps 3-5; OBX-8 = HL7 table 0078).
#include "lab/scan.hpp"

#include <smx/lab.hpp>

namespace smx::lab {

std::string_view flag_code(Flag f) {
  switch (f) {
    case Flag::unknown: return "";
    case Flag::normal: return "N";
    case Flag::low: return "L";
    case Flag::high: return "H";
    case Flag::abnormal: return "A";
  }
  return "";
}

std::string_view agreement_name(FlagAgreement a) {
  switch (a) {
    case FlagAgreement::agree: return "agree";
    case FlagAgreement::disagree: return "disagree";
    case FlagAgreement::sender_blank: return "sender_blank";
    case FlagAgreement::undecided: return "undecided";
    case FlagAgreement::unrecognized: return "unrecognized";
  }
  return "";
}

namespace {

// x is below the low limit.
bool below(double x, const Limit& low) {
  return low.present && (x < low.value || (x == low.value && !low.inclusive));
}
bool above(double x, const Limit& high) {
  return high.present && (x > high.value || (x == high.value && !high.inclusive));
}

Flag flag_number(double x, const Interval& in) {
  if (below(x, in.low)) return Flag::low;
  if (above(x, in.high)) return Flag::high;
  return Flag::normal;
}

// `<x` (strict) or `<=x`: every possible value v satisfies v < x (v <= x).
Flag flag_less_than(double x, bool strict, const Interval& in) {
  // L when every possible value is below low: v < x <= low (strict), v <= x < low.
  if (in.low.present) {
    const bool all_below = strict ? x <= in.low.value
                                  : (x < in.low.value || (x == in.low.value && !in.low.inclusive));
    if (all_below) return Flag::low;
  }
  // N when every possible value is within: no effective low (absent or <= 0, lab quantities are
  // not negative) and every value is within high.
  const bool no_low = !in.low.present || (in.low.value <= 0.0 && in.low.inclusive);
  if (no_low) {
    if (!in.high.present) return Flag::normal;
    const bool within_high =
        strict ? x <= in.high.value
               : (x < in.high.value || (x == in.high.value && in.high.inclusive));
    if (within_high) return Flag::normal;
  }
  return Flag::unknown;
}

// `>x` (strict) or `>=x`.
Flag flag_greater_than(double x, bool strict, const Interval& in) {
  if (in.high.present) {
    const bool all_above = strict ? (x >= in.high.value)
                                  : (x > in.high.value || (x == in.high.value && !in.high.inclusive));
    if (all_above) return Flag::high;
    return Flag::unknown;
  }
  if (!in.low.present) return Flag::normal;
  // strict `>x` with x == low: v > low, so even an exclusive low is satisfied.
  const bool within_low = strict ? x >= in.low.value
                                 : (x > in.low.value || (x == in.low.value && in.low.inclusive));
  return within_low ? Flag::normal : Flag::unknown;
}

}  // namespace

Flag compute_flag(const Value& value, const Range& range, char sex) {
  const Interval* in = range.for_sex(sex);
  if (in == nullptr) return Flag::unknown;
  if (in->kind == RangeKind::qualitative) {
    if (value.kind != ValueKind::qualitative) return Flag::unknown;
    const int rank = qualitative_rank(value.qualitative);
    const int normal_up_to = qualitative_rank(in->qualitative_high);
    if (rank < 0 || normal_up_to < 0) return Flag::unknown;
    return rank > normal_up_to ? Flag::abnormal : Flag::normal;
  }
  if (!value.has_number) return Flag::unknown;
  const double x = value.magnitude();
  switch (value.kind) {
    case ValueKind::numeric: return flag_number(x, *in);
    case ValueKind::inequality:
      switch (value.comparator) {
        case Comparator::lt: return flag_less_than(x, true, *in);
        case Comparator::le: return flag_less_than(x, false, *in);
        case Comparator::gt: return flag_greater_than(x, true, *in);
        case Comparator::ge: return flag_greater_than(x, false, *in);
        case Comparator::none: return flag_number(x, *in);
      }
      break;
    default: break;
  }
  return Flag::unknown;
}

namespace {

enum class SenderFlag { blank, normal, low, high, abnormal, unrecognized };

SenderFlag read_sender_flag(std::string_view obx8) {
  detail::Folded folded;
  detail::fold(obx8, folded);
  if (folded.overflow) return SenderFlag::unrecognized;
  const std::string_view s = detail::trim_spaces(folded.view());
  if (s.empty()) return SenderFlag::blank;
  if (s == "N" || s == "NEG") return SenderFlag::normal;
  if (s == "H" || s == "HH" || s == ">" || s == std::string_view(&detail::kUpArrow, 1))
    return SenderFlag::high;
  if (s == "L" || s == "LL" || s == "<" || s == std::string_view(&detail::kDownArrow, 1))
    return SenderFlag::low;
  if (s == "A" || s == "AA" || s == "*" || s == "POS") return SenderFlag::abnormal;
  return SenderFlag::unrecognized;
}

}  // namespace

FlagAgreement compare_flags(std::string_view sender_obx8, Flag computed) {
  const SenderFlag sender = read_sender_flag(sender_obx8);
  if (sender == SenderFlag::unrecognized) return FlagAgreement::unrecognized;
  if (computed == Flag::unknown) return FlagAgreement::undecided;
  if (sender == SenderFlag::blank) return FlagAgreement::sender_blank;
  switch (computed) {
    case Flag::normal:
      return sender == SenderFlag::normal ? FlagAgreement::agree : FlagAgreement::disagree;
    case Flag::high:
      return sender == SenderFlag::high || sender == SenderFlag::abnormal ? FlagAgreement::agree
                                                                          : FlagAgreement::disagree;
    case Flag::low:
      return sender == SenderFlag::low || sender == SenderFlag::abnormal ? FlagAgreement::agree
                                                                         : FlagAgreement::disagree;
    case Flag::abnormal:
      return sender == SenderFlag::normal ? FlagAgreement::disagree : FlagAgreement::agree;
    case Flag::unknown: break;
  }
  return FlagAgreement::undecided;
}

}  // namespace smx::lab
