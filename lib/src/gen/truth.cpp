// smx gen: lab result values as each facility writes them, with the answer a perfect normalizer
// gives (the --truth rows, smx-gen(1) "TRUTH").
#include <algorithm>
#include <charconv>
#include <cmath>

#include "gen/messages.hpp"
#include "smx/lab.hpp"
#include "smx/stream.hpp"

namespace smx::gen::detail {

namespace {

double parse_double(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void append_shortest(std::string& out, double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

// Urine dipstick grades and infection markers: the text the facility writes, the code, the flag.
TruthObx qualitative_result(const FacilityProfile& f, const ItemModel& item, Rng& rng) {
  static const char* const bare[] = {"", "±", "1+", "2+", "3+"};
  static const char* const in_parens[] = {"(-)", "(±)", "(1+)", "(2+)", "(3+)"};
  static const char* const codes[] = {"NEG", "EQV", "1+", "2+", "3+"};
  TruthObx t;
  bool parens = f.negative_text == "(-)";
  bool infection = item.item->specimen != Specimen::urine;
  int grade = 0;
  double draw = rng.unit();
  if (infection)
    grade = draw < 0.97 ? 0 : -1;  // -1 = positive
  else
    grade = draw < 0.8 ? 0 : draw < 0.88 ? 1 : draw < 0.94 ? 2 : draw < 0.98 ? 3 : 4;
  if (grade == 0) {
    t.sent_value = f.negative_text;
    t.qualitative = "NEG";
  } else if (grade < 0) {
    t.sent_value = parens ? "(+)" : "陽性";
    t.qualitative = "POS";
  } else {
    t.sent_value = parens ? in_parens[grade] : bare[grade];
    t.qualitative = codes[grade];
  }
  t.sent_range = f.negative_text == "-" ? "陰性" : f.negative_text;
  t.flag = grade == 0 ? "N" : "A";
  t.sent_flag = f.flag_style == "none" ? "" : (grade == 0 ? (f.flag_style == "HLN" ? "N" : "") : "A");
  t.sent_unit.clear();
  return t;
}

// A value in canonical units around the JCCLS interval of sex `s`: 12% abnormal (low only when
// the interval starts above zero), never below the smallest written step unless the item has a
// detection limit.
double draw_canonical(const ItemModel& item, int s, Rng& rng) {
  double low = item.jccls_low[s], high = item.jccls_high[s];
  double width = high - low;
  double v;
  if (rng.chance(0.12)) {
    if (low > 0 && rng.chance(0.5))
      v = low - (0.02 + 0.25 * std::abs(rng.normal())) * width;
    else
      v = high + (0.02 + 0.6 * std::abs(rng.normal())) * width;
  } else {
    v = (low + high) / 2 + rng.normal() * width / 4;
  }
  double smallest = 1.0;
  for (int i = 0; i < item.canonical_decimals; ++i) smallest /= 10.0;
  if (v < smallest && item.item->detection_limit <= 0) v = std::max(smallest, low > 0 ? low / 2 : smallest);
  return v;
}

// Canonical -> reported text, keeping the precision the canonical text has.
struct Reporter {
  const ItemModel& item;
  int digits;  // significant digits of the canonical text (at least 2)
  bool same_unit() const { return item.reported_unit == item.canonical_unit; }
  std::string text(double canonical_value, const std::string& canonical_written) const {
    if (same_unit()) return canonical_written;
    return lab::format_number(canonical_value / item.to_canonical, digits);
  }
  // The text of a canonical value written with the item's decimals, in the reported unit.
  std::string fixed(double canonical_value, int decimals) const {
    std::string written;
    append_fixed(written, canonical_value, decimals);
    return text(canonical_value, written);
  }
  double to_canonical(double reported) const { return same_unit() ? reported : reported * item.to_canonical; }
};

// The value as the facility writes a "<" or ">" result (its less_style / greater_style).
std::string comparator_text(const FacilityProfile& f, const std::string& comparator, const std::string& number) {
  if (comparator == "<") {
    const std::string& style = f.less_style;
    return style == "<X" ? "<" + number : style == "< X" ? "< " + number : number + "未満";
  }
  if (comparator == ">") {
    const std::string& style = f.greater_style;
    return style == "X<" ? number + "<" : style == ">X" ? ">" + number : number + "超";
  }
  return number;
}

// OBX-7 as the facility writes it for sex `s` (both rows for the mf / kanji styles when the item
// has sex-specific ranges); the row of the patient's sex in the reported unit.
std::string range_text(const FacilityModel& model, const Reporter& reporter, int s, double& sent_low,
                       double& sent_high) {
  const FacilityProfile& f = model.profile;
  const ItemModel& item = reporter.item;
  auto row = [&](int row_sex, double& low_out, double& high_out) {
    std::string low_text = reporter.fixed(item.site_low[row_sex], item.canonical_decimals);
    std::string high_text = reporter.fixed(item.site_high[row_sex], item.canonical_decimals);
    low_out = parse_double(low_text);
    high_out = parse_double(high_text);
    std::string separator = f.range_style == "dash" ? "-" : f.range_style == "spaced" ? " - " : model.wave_dash;
    return low_text + separator + high_text;
  };
  double other_low = 0, other_high = 0;
  std::string own = row(s, sent_low, sent_high);
  if (!item.sex_specific || f.sex_range_style == "patient") return own;
  std::string male = s == 0 ? own : row(0, other_low, other_high);
  std::string female = s == 1 ? own : row(1, other_low, other_high);
  return f.sex_range_style == "mf" ? "M:" + male + " F:" + female : "男:" + male + " 女:" + female;
}

// The correct flag against the range sent (same unit as the value sent), and OBX-8 as the
// facility writes it.
void flags(const FacilityProfile& f, TruthObx& t) {
  const double sent = t.sent_number;
  if (t.comparator.empty())
    t.flag = sent < t.sent_low ? "L" : sent > t.sent_high ? "H" : "N";
  else if (t.comparator == "<")
    t.flag = sent <= t.sent_low ? "L" : (t.sent_low <= 0 && sent <= t.sent_high) ? "N" : "";
  else
    t.flag = sent >= t.sent_high ? "H" : "";
  if (f.flag_style == "none" || t.flag.empty())
    t.sent_flag.clear();
  else if (t.flag == "N")
    t.sent_flag = f.flag_style == "HLN" ? "N" : "";
  else
    t.sent_flag = t.flag;
}

}  // namespace

TruthObx result_value(const FacilityModel& model, const ItemModel& item, char sex, Rng& rng) {
  const FacilityProfile& f = model.profile;
  if (item.item->qualitative) return qualitative_result(f, item, rng);
  TruthObx t;
  int s = sex == 'M' ? 0 : 1;
  std::string canonical_text;
  append_fixed(canonical_text, draw_canonical(item, s, rng), item.canonical_decimals);
  const Reporter reporter{item, std::max(2, lab::significant_digits(canonical_text))};
  double vc = parse_double(canonical_text);
  std::string sent_number;
  if (item.item->detection_limit > 0 && vc < item.item->detection_limit) {
    sent_number = reporter.fixed(item.item->detection_limit, item.canonical_decimals);
    t.comparator = "<";
  } else if (item.item->report_limit > 0 && vc > item.item->report_limit) {
    sent_number = reporter.fixed(item.item->report_limit, 0);
    t.comparator = ">";
  } else {
    sent_number = reporter.text(vc, canonical_text);
  }
  t.sent_number = parse_double(sent_number);
  t.has_value = true;
  t.value = reporter.to_canonical(t.sent_number);
  t.sent_value = comparator_text(f, t.comparator, sent_number);
  t.sent_range = range_text(model, reporter, s, t.sent_low, t.sent_high);
  t.has_range = true;
  t.low = reporter.to_canonical(t.sent_low);
  t.high = reporter.to_canonical(t.sent_high);
  flags(f, t);
  t.sent_unit = item.unit_spelling;
  return t;
}

void append_truth_rows(std::string& out, std::string_view path, std::string_view facility, const PendingFile& file,
                       char sex) {
  for (const TruthObx& t : file.truth) {
    json::Writer w(out);
    auto number_or_null = [&](std::string_view key, bool present, double value) {
      if (!present) return w.null(key);
      w.key(key);
      append_shortest(out, value);
    };
    w.begin_object();
    w.string("file", path);
    w.string("facility", facility);
    w.number("ssmix2_flag", file.flag);
    w.number("obx", t.obx);
    w.string("code", t.code);
    w.string("jlac10", t.item->jlac10);
    w.string("sex", std::string_view(&sex, 1));
    w.string_or_null("unit", t.unit);
    number_or_null("value", t.has_value, t.value);
    w.string("comparator", t.comparator);
    w.string_or_null("qualitative", t.qualitative);
    number_or_null("low", t.has_range, t.low);
    number_or_null("high", t.has_range, t.high);
    w.string("flag", t.flag);
    w.string_or_null("gap", t.gap);
    write_variance_members(w, t);
    w.begin_object("sent");
    w.string("value", t.sent_value);
    w.string("unit", t.sent_unit);
    w.string("unit_ucum", t.item->reported_unit);
    w.string("range", t.sent_range);
    w.string("flag", t.sent_flag);
    w.end_object();
    w.end_object();
    out.push_back('\n');
  }
}

}  // namespace smx::gen::detail
