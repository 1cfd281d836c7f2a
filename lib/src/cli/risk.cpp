// smx risk as one library call: one record per patient -> equivalence classes and risk figures
// (smx-risk(1)).
#include <cctype>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <unordered_map>

#include "smx/cli.hpp"
#include "smx/deid_cli.hpp"
#include "smx/json.hpp"
#include "smx/risk.hpp"
#include "smx/ssmix2.hpp"

namespace smx::cli {
namespace {

std::string number(double value) {
  if (!std::isfinite(value)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string percent(double share) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f%%", share * 100);
  return buffer;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(separator, start);
    out.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

// --population FILE: CSV, a header naming the QI columns (in --qi order) then "count"; one row
// per cell.
std::unordered_map<std::string, std::uint64_t> load_population(const std::string& path, const std::vector<risk::Qi>& qis) {
  std::ifstream in(path);
  if (!in) throw io_error("[RISK-POPULATION] cannot read " + path);
  std::string line;
  std::uint64_t line_number = 1;
  if (!std::getline(in, line)) throw config_error(path + ":1:1: [RISK-POPULATION] empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::string expected;
  for (risk::Qi qi : qis) expected += std::string(risk::qi_name(qi)) + ",";
  expected += "count";
  if (line != expected) throw config_error(path + ":1:1: [RISK-POPULATION] header must be '" + expected + "'");
  std::unordered_map<std::string, std::uint64_t> cells;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields = split(line, ',');
    if (fields.size() != qis.size() + 1)
      throw config_error(path + ":" + std::to_string(line_number) + ":1: [RISK-POPULATION] expected " +
                         std::to_string(qis.size() + 1) + " columns");
    const std::string count_text = fields.back();
    fields.pop_back();
    std::uint64_t count = 0;
    try {
      std::size_t used = 0;
      count = std::stoull(count_text, &used);
      if (used != count_text.size()) throw std::invalid_argument("count");
    } catch (const std::exception&) {
      throw config_error(path + ":" + std::to_string(line_number) + ":" + std::to_string(line.size() - count_text.size() + 1) +
                         ": [RISK-POPULATION] count is not a whole number");
    }
    cells[risk::EquivalenceClasses::key(fields)] += count;
  }
  return cells;
}

struct Findings {
  risk::SampleSummary sample;
  risk::RiskSummary prosecutor;
  double marketer = 0;
  std::optional<risk::PopulationRisk> population;
  risk::UniquenessEstimate uniqueness;
  risk::GlobalRisk global;
  std::vector<std::pair<risk::Record, std::uint64_t>> worst;  // smallest classes, coarsened values
  bool over_risk = false, under_k = false;
};

std::string text_report(const RiskOptions& o, const std::vector<risk::Qi>& qis, const Findings& f, bool markdown) {
  std::string t;
  const std::string bullet = markdown ? "- " : "";
  if (markdown) t += "# smx risk\n\n";
  std::string names;
  for (risk::Qi qi : qis) names += (names.empty() ? "" : ", ") + std::string(risk::qi_name(qi));
  t += bullet + "patients: " + std::to_string(f.sample.records) + "\n";
  t += bullet + "quasi-identifiers: " + names + "\n";
  t += bullet + "equivalence classes: " + std::to_string(f.sample.classes) + "\n";
  t += bullet + "k-min: " + std::to_string(f.sample.k_min) + ", k-max: " + std::to_string(f.sample.k_max) +
       ", k-mean: " + number(f.sample.k_mean) + "\n";
  std::string histogram;
  for (const risk::ClassSizeCount& c : f.sample.histogram)
    histogram += (histogram.empty() ? "" : ", ") + std::to_string(c.size) + ":" + std::to_string(c.classes);
  t += bullet + "class sizes (size:classes): " + histogram + "\n";
  for (const risk::KShare& s : f.sample.below)
    t += bullet + "patients in classes with k < " + std::to_string(s.k) + ": " + std::to_string(s.records) + " (" +
         percent(s.share) + ")\n";
  t += bullet + "prosecutor risk: highest " + number(f.prosecutor.highest) + " (rB), success rate " +
       number(f.prosecutor.success_rate) + " (rC), records at risk " + number(f.prosecutor.records_at_risk) +
       " (rA, 1/k > " + number(o.threshold) + ")\n";
  t += bullet + "marketer risk: " + number(f.marketer) + "\n";
  if (f.population) {
    t += bullet + "journalist risk: highest " + number(f.population->journalist.highest) + ", success rate " +
         number(f.population->journalist.success_rate) + ", records at risk " +
         number(f.population->journalist.records_at_risk) + "\n";
    t += bullet + "marketer risk (population): " + number(f.population->marketer) + "\n";
    if (f.population->inconsistent_cells)
      t += bullet + "population cells missing or smaller than the sample: " +
           std::to_string(f.population->inconsistent_cells) + " (counted as F = f)\n";
  }
  const risk::UniquenessEstimate& u = f.uniqueness;
  auto opt = [](const std::optional<double>& v) { return v ? number(*v) : std::string("no solution"); };
  t += bullet + "population uniqueness: sampling fraction " + number(u.sampling_fraction) +
       (o.sampling_fraction_given ? "" : " (default)") + ", population " + number(u.population_size) +
       ", sample uniqueness " + number(u.sample_uniqueness) + "\n";
  t += bullet + "  Zayatz " + opt(u.zayatz) + ", Pitman " + opt(u.pitman) + ", SNB " + opt(u.snb) +
       " population uniques; Dankar's rule: " + std::string(risk::model_name(u.dankar_model)) + ", " +
       number(u.dankar) + " (" + percent(u.dankar_fraction) + " of the population)\n";
  t += bullet + "expected re-identifications (sdcMicro, approx): " + number(f.global.expected_reidentifications) +
       " (" + percent(f.global.share) + ")\n";
  if (f.over_risk) t += bullet + "FAIL: highest prosecutor risk " + number(f.prosecutor.highest) + " > --max-risk " + number(o.max_risk) + "\n";
  if (f.under_k) t += bullet + "FAIL: k-min " + std::to_string(f.sample.k_min) + " < --min-k " + std::to_string(o.min_k) + "\n";
  if (f.over_risk || f.under_k) {
    t += bullet + "smallest classes (values one level coarser):\n";
    for (const auto& [values, size] : f.worst) {
      std::string line;
      for (std::size_t i = 0; i < values.size(); ++i)
        line += (i ? ", " : "") + std::string(risk::qi_name(qis[i])) + " " + (values[i].empty() ? "-" : values[i]);
      t += (markdown ? "  - " : "  ") + std::string("k=") + std::to_string(size) + ": " + line + "\n";
    }
  }
  return t;
}

// The Markdown report as HTML (--report FILE.html): the same lines, its one heading and its
// two-level list as <h1>/<ul>, every text HTML-escaped (class values come from the data).
std::string html_report(std::string_view markdown) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>smx risk</title></head>\n<body>\n";
  int depth = 0;  // open <ul> levels
  std::size_t at = 0;
  while (at < markdown.size()) {
    std::size_t end = markdown.find('\n', at);
    if (end == std::string_view::npos) end = markdown.size();
    std::string_view line = markdown.substr(at, end - at);
    at = end + 1;
    const int level = line.rfind("  - ", 0) == 0 ? 2 : line.rfind("- ", 0) == 0 ? 1 : 0;
    for (; depth > level; --depth) h += depth == 2 ? "</ul></li>\n" : "</ul>\n";
    if (level == 0) {
      if (line.rfind("# ", 0) == 0) h += "<h1>" + escape_html(line.substr(2)) + "</h1>\n";
      continue;
    }
    if (depth < level) {
      if (level == 2 && depth == 1 && h.size() >= 6 && h.compare(h.size() - 6, 6, "</li>\n") == 0) h.resize(h.size() - 6);
      for (; depth < level; ++depth) h += "<ul>\n";
    }
    h += "<li>" + escape_html(line.substr(level == 2 ? 4 : 2)) + "</li>\n";
  }
  for (; depth > 0; --depth) h += depth == 2 ? "</ul></li>\n" : "</ul>\n";
  return h + "</body>\n</html>\n";
}

bool html_name(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    if (path.size() < suffix.size()) return false;
    for (std::size_t i = 0; i < suffix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(path[path.size() - suffix.size() + i])) != suffix[i]) return false;
    return true;
  };
  return ends(".html") || ends(".htm");
}

std::string json_report(const RiskOptions& o, const std::vector<risk::Qi>& qis, const Findings& f) {
  std::string j = "{\"smx\":1,\"kind\":\"risk\",\"patients\":" + std::to_string(f.sample.records) + ",\"qi\":[";
  for (std::size_t i = 0; i < qis.size(); ++i) {
    if (i) j += ',';
    json::append_string(j, risk::qi_name(qis[i]));
  }
  j += "],\"classes\":" + std::to_string(f.sample.classes) + ",\"k_min\":" + std::to_string(f.sample.k_min) +
       ",\"k_max\":" + std::to_string(f.sample.k_max) + ",\"k_mean\":" + number(f.sample.k_mean) + ",\"histogram\":[";
  for (std::size_t i = 0; i < f.sample.histogram.size(); ++i)
    j += std::string(i ? "," : "") + "{\"size\":" + std::to_string(f.sample.histogram[i].size) +
         ",\"classes\":" + std::to_string(f.sample.histogram[i].classes) + "}";
  j += "],\"below\":[";
  for (std::size_t i = 0; i < f.sample.below.size(); ++i)
    j += std::string(i ? "," : "") + "{\"k\":" + std::to_string(f.sample.below[i].k) +
         ",\"records\":" + std::to_string(f.sample.below[i].records) + ",\"share\":" + number(f.sample.below[i].share) + "}";
  j += "],\"prosecutor\":{\"highest\":" + number(f.prosecutor.highest) + ",\"success_rate\":" +
       number(f.prosecutor.success_rate) + ",\"records_at_risk\":" + number(f.prosecutor.records_at_risk) +
       ",\"threshold\":" + number(o.threshold) + "},\"marketer\":" + number(f.marketer);
  if (f.population)
    j += ",\"journalist\":{\"highest\":" + number(f.population->journalist.highest) + ",\"success_rate\":" +
         number(f.population->journalist.success_rate) + ",\"records_at_risk\":" +
         number(f.population->journalist.records_at_risk) + "},\"marketer_population\":" +
         number(f.population->marketer) + ",\"inconsistent_cells\":" + std::to_string(f.population->inconsistent_cells);
  const risk::UniquenessEstimate& u = f.uniqueness;
  auto opt = [](const std::optional<double>& v) { return v ? number(*v) : std::string("null"); };
  j += ",\"uniqueness\":{\"sampling_fraction\":" + number(u.sampling_fraction) +
       ",\"sampling_fraction_default\":" + (o.sampling_fraction_given ? "false" : "true") +
       ",\"population_size\":" + number(u.population_size) + ",\"sample_uniqueness\":" + number(u.sample_uniqueness) +
       ",\"zayatz\":" + opt(u.zayatz) + ",\"pitman\":" + opt(u.pitman) + ",\"snb\":" + opt(u.snb) + ",\"dankar_model\":";
  json::append_string(j, risk::model_name(u.dankar_model));
  j += ",\"dankar\":" + number(u.dankar) + ",\"dankar_fraction\":" + number(u.dankar_fraction) + "}";
  j += ",\"expected_reidentifications\":" + number(f.global.expected_reidentifications) +
       ",\"expected_share\":" + number(f.global.share);
  j += std::string(",\"fail\":{\"max_risk\":") + (f.over_risk ? "true" : "false") + ",\"min_k\":" + (f.under_k ? "true" : "false") + "}";
  j += ",\"smallest_classes\":[";
  for (std::size_t w = 0; w < f.worst.size(); ++w) {
    j += std::string(w ? "," : "") + "{\"k\":" + std::to_string(f.worst[w].second) + ",\"values\":[";
    for (std::size_t i = 0; i < f.worst[w].first.size(); ++i) {
      if (i) j += ',';
      json::append_string(j, f.worst[w].first[i]);
    }
    j += "]}";
  }
  j += "]}\n";
  return j;
}

}  // namespace

JobResult risk(const MessageOptions& options, const RiskOptions& o, Output& out, DiagnosticSink& diagnostics) {
  // Risk is a property of the whole release: the files changed since the last run are not it.
  if (!options.state.empty()) throw usage_error("--state: smx risk measures a whole release; run it without --state");
  const std::vector<risk::Qi> qis = risk::parse_qi_list(o.qi);
  if (!(o.sampling_fraction > 0 && o.sampling_fraction <= 1)) throw usage_error("--sampling-fraction must be in (0, 1]");
  if (o.format != "text" && o.format != "json") throw usage_error("-t must be text or json");
  std::unordered_map<std::string, std::uint64_t> population;
  if (!o.population.empty()) population = load_population(o.population, qis);

  risk::PatientTable table(qis, o.rare_below);
  MessageJob job("risk", options, out, diagnostics);
  // The table is filled in input order on the delivering thread: workers have nothing to do.
  job.for_each_record<Piece>([](std::size_t, const Record&, Piece&) {},
                             [&](const Record& r, Piece&) {
                               const std::string patient =
                                   r.ssmix2 ? r.ssmix2->patient : ssmix2::content_patient(r.message);
                               if (patient.empty()) {
                                 job.diagnostics().report(Diagnostic{
                                     Severity::warning, "RISK-NO-PATIENT", r.location(),
                                     "message without a patient ID (SS-MIX2 name or PID-3): not counted", {}});
                                 return;
                               }
                               table.add(r.message, patient);
                               ++job.counts().written;
                             });
  JobResult result = job.finish();
  if (result.status == kFailed) return result;

  const std::vector<risk::Record> records = table.records();
  const risk::EquivalenceClasses classes(records);
  Findings f;
  const std::vector<risk::ClassSizeCount> histogram = classes.histogram();
  f.sample = risk::summarize(histogram);
  f.prosecutor = risk::prosecutor_risk(histogram, o.threshold);
  f.marketer = risk::marketer_risk(histogram);
  if (!o.population.empty()) f.population = risk::population_risk(classes, population, o.threshold);
  f.uniqueness = risk::population_uniqueness(histogram, o.sampling_fraction);
  std::vector<std::pair<std::uint64_t, double>> fk;
  classes.for_each([&](const risk::Record&, std::uint64_t size) {
    fk.emplace_back(size, static_cast<double>(size) / o.sampling_fraction);
  });
  f.global = risk::global_risk(fk, risk::IndividualRiskMethod::approx);
  f.over_risk = o.max_risk >= 0 && f.prosecutor.highest > o.max_risk;
  f.under_k = o.min_k > 0 && records.size() > 0 && f.sample.k_min < o.min_k;
  if (f.over_risk || f.under_k) {
    // The five smallest classes, described one level coarser (never a patient's own values).
    classes.for_each([&](const risk::Record& values, std::uint64_t size) {
      risk::Record coarse;
      for (std::size_t i = 0; i < values.size(); ++i) coarse.push_back(risk::coarsen(qis[i], values[i]));
      f.worst.emplace_back(std::move(coarse), size);
    });
    std::sort(f.worst.begin(), f.worst.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
    if (f.worst.size() > 5) f.worst.resize(5);
  }
  out.write(o.format == "json" ? json_report(o, qis, f) : text_report(o, qis, f, false));
  if (!o.report.empty()) {
    Output report(o.report);
    const std::string markdown = text_report(o, qis, f, true);
    report.write(html_name(o.report) ? html_report(markdown) : markdown);
    report.commit();
  }
  if (f.over_risk || f.under_k) result.status = kDataProblems;
  return result;
}

}  // namespace smx::cli
