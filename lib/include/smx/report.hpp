// lib/report: one self-contained HTML page that compares facilities (smx-report(1)): indicator
// funnel plots from smx qi's CSV, per-facility distributions of lab values from the normalized
// stream, and labnorm's mapping coverage. The SVG is drawn here; the page needs no network.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "smx/error.hpp"
#include "smx/io.hpp"

namespace smx::report {

struct Options {
  std::string qi;        // --qi FILE: smx qi CSV (required)
  std::string coverage;  // --coverage FILE: labnorm coverage records (optional)
  std::string lab;       // --lab FILE: the smx stream after labnorm (optional)
  std::string facility;  // --facility ID: the facility to highlight
  std::string period;    // --period P: only this period of the QI file ("" = all, summed)
  std::string title = "施設間比較レポート";
  std::size_t min_count = 20;         // --min-count: results a facility needs to be judged
  std::size_t max_values = 100000;    // --max-values: values kept per (facility, analyte)
};

// ---- indicators -----------------------------------------------------------------------------
// One row of the QI CSV (header facility,period,indicator,numerator,denominator,value,suppressed).
struct QiRow {
  std::string facility, period, indicator;
  std::optional<double> numerator, denominator, value;
  bool suppressed = false;
  std::uint64_t line = 0;
};
// Throws config_error "PATH:LINE:COL: [REPORT-QI-...] ..." on the first bad row.
std::vector<QiRow> parse_qi(std::string_view text, const std::string& path);

enum class FunnelModel { binomial, poisson };
// Spiegelhalter (2005) funnel limits by the normal approximation around the target:
// binomial p0 ± z·sqrt(p0(1-p0)/n), Poisson λ0 ± z·sqrt(λ0/n); clipped to [0, 1] / [0, ∞).
struct Limits {
  double low = 0, high = 0;
};
Limits funnel_limits(FunnelModel model, double target, double n, double z);
constexpr double kZ95 = 1.959964;   // two-sided 95 %
constexpr double kZ998 = 3.090232;  // two-sided 99.8 %

struct FunnelPoint {
  std::string facility;
  double numerator = 0, denominator = 0;
  double rate = 0;  // numerator / denominator (before the display scale)
  int outside = 0;  // 0 inside 95 %, ±1 outside 95 %, ±2 outside 99.8 % (sign: above/below)
};
struct Indicator {
  std::string name;
  FunnelModel model = FunnelModel::binomial;
  double scale = 1;   // value = scale × numerator / denominator (from the CSV's value column)
  double target = 0;  // Σ numerators / Σ denominators
  std::vector<FunnelPoint> points;  // by facility
  std::size_t suppressed = 0, zero_denominator = 0;
  std::vector<std::string> periods;
};
// Groups rows by indicator and facility (summing the periods, or only `period`), infers the
// scale and the model, computes the target and each facility's position. Warnings (a value
// that does not equal scale × numerator / denominator) go to `diagnostics`.
std::vector<Indicator> build_indicators(const std::vector<QiRow>& rows, const std::string& period,
                                        const std::string& path, DiagnosticSink& diagnostics);

// ---- lab values -----------------------------------------------------------------------------
// What one facility sent for one JLAC10 code. Values are exact up to `cap`; past it a uniform
// reservoir sample of `cap` values (deterministic) stands for them.
struct Cell {
  std::uint64_t quantitative = 0;  // numbers and inequalities
  std::uint64_t censored = 0;      // of those, inequalities (<0.5): not in the distribution
  std::uint64_t qualitative = 0;   // NEG, 1+ ...
  std::uint64_t other = 0;         // text, titres, ranges kept as sent
  std::uint64_t seen_values = 0;   // numbers offered to the sample
  std::vector<double> values;
  std::map<std::string, std::uint64_t> units;  // at most 8 spellings, then "…"
  std::uint64_t rng = 0x9E3779B97F4A7C15ull;
  void add_value(double value, std::size_t cap);
  void add_unit(const std::string& unit);
  bool sampled() const { return seen_values > values.size(); }
};
struct Analyte {
  std::string code, name;
  std::map<std::string, Cell> facilities;
};
struct Quantiles {
  double min = 0, q1 = 0, median = 0, q3 = 0, max = 0;
};
Quantiles quantiles(std::vector<double> values);  // values non-empty

// The flag rules of smx-report(1). Unit: a facility with >= min_count numbers whose median m
// satisfies |log10(m / r)| >= 0.9, r the median of the other such facilities' medians (at
// least 2 others, all medians > 0). Mix: a facility with >= min_count results whose share of
// qualitative results differs from the median share of the others (at least 2) by >= 0.5.
constexpr double kUnitLog10 = 0.9;
constexpr double kMixDifference = 0.5;
struct FacilityJudgement {
  std::string facility;
  std::optional<Quantiles> quantiles;
  std::optional<double> log10_ratio;  // against the others' medians
  double qualitative_share = 0;
  std::optional<double> mix_difference;
  bool unit_flag = false, mix_flag = false;
};
std::vector<FacilityJudgement> judge(const Analyte& analyte, std::size_t min_count);

struct LabSummary {
  std::map<std::string, Analyte> analytes;         // by JLAC10 code
  std::map<std::string, std::uint64_t> no_jlac10;  // OBX without a JLAC10 code, by facility
  std::uint64_t records = 0, observations = 0;
  bool sampled = false;
};
// Reads the stream at `path` (messages; other records are skipped) through the record reader;
// its diagnostics name the file and line. Memory: facilities × codes cells of at most
// `max_values` numbers each.
LabSummary read_lab(const std::string& path, std::size_t max_values, DiagnosticSink& diagnostics, bool& input_failed);

// ---- coverage -------------------------------------------------------------------------------
struct CoverageRow {
  std::string site;
  std::uint64_t obx = 0, codes_mapped = 0, units_mapped = 0, values_parsed = 0;
  std::uint64_t unmapped_codes = 0, unmapped_units = 0;  // distinct keys
  std::uint64_t line = 0;
};
// labnorm --coverage records (kind "coverage"); other kinds are skipped. Throws config_error
// "PATH:LINE:COL: [REPORT-COVERAGE-...]" on a line that is not such a record.
std::vector<CoverageRow> parse_coverage(std::string_view text, const std::string& path);

// ---- the page -------------------------------------------------------------------------------
struct Page {
  std::vector<Indicator> indicators;
  std::optional<LabSummary> lab;
  std::optional<std::vector<CoverageRow>> coverage;
};
std::string render_html(const Page& page, const Options& options);

// Reads the inputs named in `options`, writes the page to `out`. Returns 0, or 1 when the lab
// stream had errors (the page is written). Throws usage_error/config_error/io_error.
int write_report(const Options& options, Output& out, DiagnosticSink& diagnostics);

// Text helpers shared by the SVG and the page (exposed for tests).
std::string escape_html(std::string_view text);
std::string format_number(double value);

}  // namespace smx::report
