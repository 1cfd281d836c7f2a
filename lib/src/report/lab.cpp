// The lab half of smx report: per (facility, JLAC10 code) summaries read from the normalized
// stream in one pass, the flag rules, and labnorm's coverage records (smx-report(1)).
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "smx/flat.hpp"
#include "smx/lab.hpp"
#include "smx/report.hpp"
#include "smx/stream.hpp"

#include "lines.hpp"

namespace smx::report {

void Cell::add_value(double value, std::size_t cap) {
  ++seen_values;
  if (values.size() < cap) {
    values.push_back(value);
    return;
  }
  // Reservoir sampling (Vitter's algorithm R) with a fixed xorshift64 stream: every value seen
  // has the same chance cap/seen to be kept, and the same input gives the same page.
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  const std::uint64_t slot = rng % seen_values;
  if (slot < cap) values[slot] = value;
}

void Cell::add_unit(const std::string& unit) {
  auto it = units.find(unit);
  if (it != units.end()) {
    ++it->second;
  } else if (units.size() < 8) {
    units.emplace(unit, 1);
  } else {
    ++units["…"];
  }
}

Quantiles quantiles(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  // Linear interpolation between order statistics (Hyndman & Fan type 7, R's default).
  auto at = [&](double p) {
    const double h = (static_cast<double>(values.size()) - 1) * p;
    const std::size_t lo = static_cast<std::size_t>(std::floor(h));
    const std::size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
  };
  return Quantiles{values.front(), at(0.25), at(0.5), at(0.75), values.back()};
}

namespace {

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::vector<FacilityJudgement> judge(const Analyte& analyte, std::size_t min_count) {
  std::vector<FacilityJudgement> out;
  for (const auto& [facility, cell] : analyte.facilities) {
    FacilityJudgement j;
    j.facility = facility;
    if (!cell.values.empty()) j.quantiles = quantiles(cell.values);
    const std::uint64_t results = cell.quantitative + cell.qualitative;
    j.qualitative_share = results ? static_cast<double>(cell.qualitative) / static_cast<double>(results) : 0;
    out.push_back(std::move(j));
  }
  auto eligible_numbers = [&](std::size_t i) {
    const Cell& c = analyte.facilities.at(out[i].facility);
    return out[i].quantiles && c.values.size() >= min_count;
  };
  auto eligible_mix = [&](std::size_t i) {
    const Cell& c = analyte.facilities.at(out[i].facility);
    return c.quantitative + c.qualitative >= min_count;
  };
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (eligible_numbers(i)) {
      std::vector<double> others;
      bool positive = out[i].quantiles->median > 0;
      for (std::size_t k = 0; k < out.size(); ++k) {
        if (k == i || !eligible_numbers(k)) continue;
        others.push_back(out[k].quantiles->median);
        positive = positive && out[k].quantiles->median > 0;
      }
      if (others.size() >= 2 && positive) {
        out[i].log10_ratio = std::log10(out[i].quantiles->median / median_of(others));
        out[i].unit_flag = std::fabs(*out[i].log10_ratio) >= kUnitLog10;
      }
    }
    if (eligible_mix(i)) {
      std::vector<double> others;
      for (std::size_t k = 0; k < out.size(); ++k)
        if (k != i && eligible_mix(k)) others.push_back(out[k].qualitative_share);
      if (others.size() >= 2) {
        out[i].mix_difference = out[i].qualitative_share - median_of(others);
        out[i].mix_flag = std::fabs(*out[i].mix_difference) >= kMixDifference;
      }
    }
  }
  return out;
}

LabSummary read_lab(const std::string& path, std::size_t max_values, DiagnosticSink& diagnostics, bool& input_failed) {
  LabSummary summary;
  Counts counts;
  ReaderOptions reader_options;
  reader_options.keep_stream_line = false;
  RecordReader reader({path}, reader_options, diagnostics, nullptr, counts);
  // Columns of smx flat's obs rows (flat_columns(FlatKind::obs)).
  constexpr std::size_t kFacility = 1, kJlac10 = 7, kName = 9, kValue = 10, kComparator = 11, kUnit = 12,
                        kUnitRaw = 14;
  while (const Record* record = reader.next()) {
    if (record->deletion) continue;
    ++summary.records;
    flat_values(FlatKind::obs, *record, [&](const std::vector<std::string>& row, const std::vector<bool>& numeric) {
      ++summary.observations;
      const std::string& facility = row[kFacility];
      const std::string& code = row[kJlac10];
      if (code.empty()) {
        ++summary.no_jlac10[facility];
        return;
      }
      Analyte& analyte = summary.analytes[code];
      if (analyte.code.empty()) {
        analyte.code = code;
        analyte.name = row[kName];
      }
      Cell& cell = analyte.facilities[facility];
      if (numeric[kValue]) {
        ++cell.quantitative;
        cell.add_unit(row[kUnit].empty() ? row[kUnitRaw] : row[kUnit]);
        if (!row[kComparator].empty()) {
          ++cell.censored;
          return;
        }
        char* end = nullptr;
        const double v = std::strtod(row[kValue].c_str(), &end);
        if (end != row[kValue].c_str() && std::isfinite(v)) cell.add_value(v, max_values);
        summary.sampled = summary.sampled || cell.sampled();
        return;
      }
      if (lab::parse_value(row[kValue]).kind == lab::ValueKind::qualitative)
        ++cell.qualitative;
      else
        ++cell.other;
    });
  }
  input_failed = reader.had_input_error();
  return summary;
}

std::vector<CoverageRow> parse_coverage(std::string_view text, const std::string& path) {
  std::vector<CoverageRow> rows;
  simdjson::dom::parser parser;
  detail::LineReader lines(text);
  auto fail = [&](const std::string& code, const std::string& what) {
    throw config_error(path + ":" + std::to_string(lines.number()) + ":1: [" + code + "] " + what);
  };
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    simdjson::dom::element doc;
    if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS || !doc.is_object())
      fail("REPORT-COVERAGE-JSON", "not a JSON object");
    std::string_view kind;
    if (doc["kind"].get(kind) != simdjson::SUCCESS) fail("REPORT-COVERAGE-JSON", "no \"kind\"");
    if (kind != "coverage") continue;  // a stream may hold stats or diag records too
    CoverageRow row;
    row.line = lines.number();
    std::string_view site;
    if (doc["site"].get(site) != simdjson::SUCCESS) fail("REPORT-COVERAGE-FIELD", "\"site\" is missing or not text");
    row.site = std::string(site);
    auto count = [&](const char* name, std::uint64_t& into) {
      if (doc[name].get(into) != simdjson::SUCCESS)
        fail("REPORT-COVERAGE-FIELD", std::string("\"") + name + "\" is missing or not a whole number");
    };
    count("obx", row.obx);
    count("codes_mapped", row.codes_mapped);
    count("units_mapped", row.units_mapped);
    count("values_parsed", row.values_parsed);
    auto keys = [&](const char* name, std::uint64_t& into) {
      simdjson::dom::object o;
      if (doc[name].get(o) != simdjson::SUCCESS)
        fail("REPORT-COVERAGE-FIELD", std::string("\"") + name + "\" is missing or not an object");
      into = o.size();
    };
    keys("unmapped_codes", row.unmapped_codes);
    keys("unmapped_units", row.unmapped_units);
    if (row.codes_mapped > row.obx || row.units_mapped > row.obx)
      fail("REPORT-COVERAGE-FIELD", "more mapped than OBX");
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace smx::report
