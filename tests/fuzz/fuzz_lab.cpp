// libFuzzer entry point: the bytes are one OBX-5 value, OBX-7 range or OBX-6 unit text (all
// three parsers get the same bytes). Checks that nothing crashes and the documented
// properties hold:
// - a parsed (non-text) value or range formats to canonical text that parses back to itself;
// - text results keep the input (trimmed) verbatim;
// - compound parts are typed (a role that agrees with their kind), a whole value has no role;
//   a ratio is a titre 1:n (n >= 7 with ':', n >= 2 and not 3 with '/');
// - scaling by 1 and applying the exponent keep the quantity; flags never throw;
// - unit-text pre-normalization is idempotent.
#include <smx/lab.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace smx::lab;

namespace {

void check_parts(const Value& v) {
  if (v.parts.size() != 2) std::abort();
  for (const Value& p : v.parts) {
    if (!p.parts.empty() || p.kind == ValueKind::compound) std::abort();
    switch (p.role) {
      case PartRole::none: std::abort();
      case PartRole::qualitative:
        if (p.kind != ValueKind::qualitative) std::abort();
        break;
      case PartRole::quantity:
        if (p.kind != ValueKind::numeric && p.kind != ValueKind::inequality) std::abort();
        break;
      case PartRole::class_value:
        if (p.kind != ValueKind::numeric || p.number < 0 || p.number > 6) std::abort();
        break;
    }
  }
}

void check_value(std::string_view text) {
  const Value v = parse_value(text);
  if (v.kind == ValueKind::text) {
    if (v.text.empty() || v.text.size() > text.size()) std::abort();
    return;
  }
  if (v.kind == ValueKind::empty) return;
  if (v.role != PartRole::none) std::abort();
  if (v.kind == ValueKind::compound) check_parts(v);
  if (v.kind == ValueKind::ratio) {
    if (v.number_text != "1" || !v.has_upper || v.upper != std::floor(v.upper)) std::abort();
    if (v.separator == ':' ? v.upper < 7 : (v.separator != '/' || v.upper < 2 || v.upper == 3))
      std::abort();
  }
  const std::string canonical = format_value(v);
  const Value again = parse_value(canonical);
  if (again.kind != v.kind || format_value(again) != canonical) std::abort();
  if (v.has_number) {
    if (!std::isfinite(v.number)) std::abort();
    const Value same = scaled(v, 1.0);
    if (v.kind != ValueKind::compound && same.number != v.number &&
        std::fabs(same.number - v.number) > 1e-9 * std::fabs(v.number))
      std::abort();
    const Value folded = apply_exponent(v);
    if (folded.exponent != 0) std::abort();
    const double a = folded.magnitude();
    const double b = v.magnitude();
    if (std::isfinite(a) && std::isfinite(b) && b != 0.0 && std::fabs(a - b) > 1e-9 * std::fabs(b))
      std::abort();
  }
}

void check_range(std::string_view text) {
  const Range r = parse_range(text);
  if (r.kind == RangeKind::text) {
    if (r.text.empty()) std::abort();
    return;
  }
  if (r.kind == RangeKind::empty) return;
  const std::string canonical = format_range(r);
  const Range again = parse_range(canonical);
  if (again.kind != r.kind || format_range(again) != canonical) std::abort();
  const Range ten = scaled(r, 10.0);
  if (ten.kind != r.kind) std::abort();
  for (const char sex : {'M', 'F', 'U'}) {
    const Interval* row = r.for_sex(sex);
    if (row != nullptr && row->low.present && row->high.present && row->low.value > row->high.value)
      std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_value(text);
  check_range(text);
  // Value against range, both from the input split at the first TAB.
  const std::size_t tab = text.find('\t');
  if (tab != std::string_view::npos) {
    const Value v = parse_value(text.substr(0, tab));
    const Range r = parse_range(text.substr(tab + 1));
    for (const char sex : {'M', 'F', 'U'}) {
      const Flag f = compute_flag(v, r, sex);
      (void)compare_flags(text.substr(0, tab), f);
    }
  }
  const std::string unit = normalize_unit_text(text);
  if (normalize_unit_text(unit) != unit) std::abort();
  return 0;
}
