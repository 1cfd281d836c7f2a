// The indicator half of smx report: smx qi's CSV, grouped per indicator and facility, with the
// funnel-plot limits of Spiegelhalter (2005) around the overall rate (smx-report(1)).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>

#include "smx/report.hpp"

#include "lines.hpp"

namespace smx::report {
namespace {

constexpr std::string_view kHeader = "facility,period,indicator,numerator,denominator,value,suppressed";

[[noreturn]] void fail(const std::string& path, std::uint64_t line, std::size_t column, const std::string& code,
                       const std::string& text) {
  throw config_error(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": [" + code + "] " + text);
}

// One CSV record (RFC 4180: a field in double quotes may hold commas and "" for a quote), with
// the 1-based column where each field starts.
struct Field {
  std::string text;
  std::size_t column = 1;
};
std::vector<Field> split_csv(std::string_view line, const std::string& path, std::uint64_t number) {
  std::vector<Field> fields;
  std::size_t i = 0;
  while (true) {
    Field field;
    field.column = i + 1;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (true) {
        if (i >= line.size()) fail(path, number, field.column, "REPORT-QI-CSV", "a quoted field is not closed");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.text.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.text.push_back(line[i++]);
      }
      if (i < line.size() && line[i] != ',')
        fail(path, number, i + 1, "REPORT-QI-CSV", "text after a closing quote");
    } else {
      const std::size_t end = std::min(line.find(',', i), line.size());
      field.text.assign(line.substr(i, end - i));
      i = end;
    }
    fields.push_back(std::move(field));
    if (i >= line.size()) return fields;
    ++i;  // the comma
  }
}

std::optional<double> number_field(const Field& field, const std::string& path, std::uint64_t line,
                                   const char* column_name) {
  if (field.text.empty()) return std::nullopt;
  double value = 0;
  const char* begin = field.text.data();
  const char* end = begin + field.text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    fail(path, line, field.column, "REPORT-QI-NUMBER", std::string(column_name) + " is not a number");
  return value;
}

}  // namespace

std::vector<QiRow> parse_qi(std::string_view text, const std::string& path) {
  std::vector<QiRow> rows;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  detail::LineReader lines(text, text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);  // a BOM (Excel's UTF-8 CSV)
  bool header = false;
  std::string_view line;
  while (lines.next(line)) {
    const std::uint64_t number = lines.number();
    if (!header) {
      if (line != kHeader)
        fail(path, number, 1, "REPORT-QI-HEADER", "the header must be '" + std::string(kHeader) + "' (smx qi -t csv)");
      header = true;
      continue;
    }
    if (line.empty()) continue;
    std::vector<Field> f = split_csv(line, path, number);
    if (f.size() != 7)
      fail(path, number, 1, "REPORT-QI-COLUMNS", "expected 7 columns, found " + std::to_string(f.size()));
    QiRow row;
    row.line = number;
    row.facility = f[0].text;
    row.period = f[1].text;
    row.indicator = f[2].text;
    if (row.facility.empty()) fail(path, number, f[0].column, "REPORT-QI-EMPTY-KEY", "facility is empty");
    if (row.indicator.empty()) fail(path, number, f[2].column, "REPORT-QI-EMPTY-KEY", "indicator is empty");
    row.numerator = number_field(f[3], path, number, "numerator");
    row.denominator = number_field(f[4], path, number, "denominator");
    row.value = number_field(f[5], path, number, "value");
    if (f[6].text == "true")
      row.suppressed = true;
    else if (f[6].text != "false")
      fail(path, number, f[6].column, "REPORT-QI-SUPPRESSED", "suppressed must be true or false");
    if ((row.numerator && *row.numerator < 0) || (row.denominator && *row.denominator < 0))
      fail(path, number, f[3].column, "REPORT-QI-NUMBER", "numerator and denominator cannot be negative");
    if (!row.suppressed && (!row.numerator || !row.denominator))
      fail(path, number, f[3].column, "REPORT-QI-MISSING",
           "a row that is not suppressed needs a numerator and a denominator");
    if (!seen.emplace(row.facility, row.period, row.indicator).second)
      fail(path, number, 1, "REPORT-QI-DUPLICATE", "a second row for the same facility, period and indicator");
    rows.push_back(std::move(row));
  }
  if (!header) fail(path, 1, 1, "REPORT-QI-EMPTY", "the file is empty (no header)");
  return rows;
}

Limits funnel_limits(FunnelModel model, double target, double n, double z) {
  if (n <= 0) return {0, 0};
  const double variance = model == FunnelModel::binomial ? target * (1 - target) : target;
  const double half = z * std::sqrt(std::max(0.0, variance) / n);
  Limits l{target - half, target + half};
  l.low = std::max(0.0, l.low);
  if (model == FunnelModel::binomial) l.high = std::min(1.0, l.high);
  return l;
}

namespace {

// The display scale: value / (numerator / denominator) rounded to a power of ten (qi writes
// per-1,000 rates and plain proportions); 1 when no row tells.
double infer_scale(const std::vector<const QiRow*>& rows) {
  for (const QiRow* r : rows) {
    if (!r->value || !r->numerator || !r->denominator || *r->numerator <= 0 || *r->denominator <= 0) continue;
    const double ratio = *r->value / (*r->numerator / *r->denominator);
    if (ratio > 0) return std::pow(10.0, std::round(std::log10(ratio)));
  }
  return 1;
}

}  // namespace

std::vector<Indicator> build_indicators(const std::vector<QiRow>& rows, const std::string& period,
                                        const std::string& path, DiagnosticSink& diagnostics) {
  std::map<std::string, std::vector<const QiRow*>> by_indicator;
  for (const QiRow& r : rows)
    if (period.empty() || r.period == period) by_indicator[r.indicator].push_back(&r);
  std::vector<Indicator> out;
  for (const auto& entry : by_indicator) {
    Indicator ind;
    ind.name = entry.first;
    const std::vector<const QiRow*>& group = entry.second;
    ind.scale = infer_scale(group);
    bool proportion = true;
    std::map<std::string, FunnelPoint> points;
    std::set<std::string> periods;
    for (const QiRow* r : group) {
      periods.insert(r->period);
      if (r->suppressed) {
        ++ind.suppressed;  // a suppressed cell is never summed into another figure
        continue;
      }
      if (*r->denominator == 0) {
        ++ind.zero_denominator;
        continue;
      }
      if (*r->numerator > *r->denominator) proportion = false;
      const double expected = ind.scale * *r->numerator / *r->denominator;
      if (r->value && std::fabs(*r->value - expected) > 1e-3 * std::max(std::fabs(expected), 1e-9) + 1e-9)
        diagnostics.report(Diagnostic{Severity::warning, "REPORT-QI-VALUE", Location{path, r->line, 0, {}},
                                      "value differs from " + format_number(ind.scale) +
                                          " x numerator / denominator; the report uses the counts",
                                      ind.name});
      FunnelPoint& p = points[r->facility];
      p.facility = r->facility;
      p.numerator += *r->numerator;
      p.denominator += *r->denominator;
    }
    // A proportion (numerator within its denominator, shown as a share or percent) follows the
    // binomial; anything else (days of therapy per 1,000 patient-days can exceed 1) a Poisson rate.
    ind.model = proportion && (ind.scale == 1 || ind.scale == 100) ? FunnelModel::binomial : FunnelModel::poisson;
    double total_numerator = 0, total_denominator = 0;
    for (auto& [name, p] : points) {
      total_numerator += p.numerator;
      total_denominator += p.denominator;
    }
    ind.target = total_denominator > 0 ? total_numerator / total_denominator : 0;
    for (auto& [name, p] : points) {
      p.rate = p.numerator / p.denominator;
      const Limits l95 = funnel_limits(ind.model, ind.target, p.denominator, kZ95);
      const Limits l998 = funnel_limits(ind.model, ind.target, p.denominator, kZ998);
      p.outside = p.rate > l998.high ? 2 : p.rate > l95.high ? 1 : p.rate < l998.low ? -2 : p.rate < l95.low ? -1 : 0;
      ind.points.push_back(p);
    }
    ind.periods.assign(periods.begin(), periods.end());
    out.push_back(std::move(ind));
  }
  return out;
}

}  // namespace smx::report
