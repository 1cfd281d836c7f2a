// smx cohort as one library call: timelines -> criteria -> member rows and attrition
// (smx-cohort(1)).
#include <map>

#include "smx/clinical.hpp"
#include "smx/cohort.hpp"
#include "smx/cohort_cli.hpp"
#include "smx/json.hpp"

namespace smx::cli {
namespace {

// What one facility's patients came to.
struct FacilityCounts {
  std::vector<std::uint64_t> steps;  // patients reaching each step (step_names order)
  std::map<std::string, std::uint64_t> excluded;
};

void cell(std::string& out, std::string_view value, char separator) {
  if (separator == '\t' || value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void row(std::string& out, const std::vector<std::string_view>& values, char separator) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out.push_back(separator);
    cell(out, values[i], separator);
  }
  out.append(separator == ',' ? "\r\n" : "\n");
}

void member_row(std::string& out, const std::string& format, const clinical::Timeline& t, clinical::Day index) {
  const std::string date = clinical::iso_date(index);
  if (format == "ndjson") {
    json::Writer w(out);
    w.begin_object();
    w.string("facility", t.facility);
    w.string("patient", t.patient);
    w.string("index_date", date);
    w.end_object();
    out.push_back('\n');
    return;
  }
  row(out, {t.facility, t.patient, date}, format == "tsv" ? '\t' : ',');
}

// --attrition: per facility (byte order), then all facilities together ("(all)"): the patients
// after each step, then the lab results a value test could not judge, by reason.
void write_attrition(const std::string& path, const std::vector<std::string>& names,
                     const std::map<std::string, FacilityCounts>& by_facility) {
  Output file(path);
  std::string& b = file.buffer();
  row(b, {"facility", "kind", "step", "name", "count"}, ',');
  FacilityCounts all;
  all.steps.assign(names.size(), 0);
  auto write = [&](const std::string& facility, const FacilityCounts& c) {
    for (std::size_t i = 0; i < names.size(); ++i)
      row(b, {facility, "attrition", std::to_string(i), names[i], std::to_string(c.steps[i])}, ',');
    for (const char* reason : cohort::kLabReasons) {
      const auto it = c.excluded.find(reason);
      row(b, {facility, "excluded", "-", reason, std::to_string(it == c.excluded.end() ? 0 : it->second)}, ',');
    }
  };
  for (const auto& [facility, c] : by_facility) {
    write(facility, c);
    for (std::size_t i = 0; i < names.size(); ++i) all.steps[i] += c.steps[i];
    for (const auto& [reason, n] : c.excluded) all.excluded[reason] += n;
  }
  write("(all)", all);
  file.commit();
}

}  // namespace

JobResult cohort(const MessageOptions& options, const CohortOptions& o, Output& out, DiagnosticSink& diagnostics) {
  // A cohort is judged on whole patients: the files changed since the last run are not them.
  if (!options.state.empty()) throw usage_error("--state: smx cohort judges whole patients; run it without --state");
  if (o.criteria.empty()) throw usage_error("--criteria FILE is required");
  if (o.format != "csv" && o.format != "tsv" && o.format != "ndjson") throw usage_error("-t must be csv, tsv or ndjson");
  const tables::Tables tables = tables::load_tables(tables_root(o.tables));
  units::Ucum ucum = tables.make_ucum();
  const cohort::Criteria criteria = cohort::load_criteria(o.criteria, tables, ucum);
  const std::vector<std::string> names = cohort::step_names(criteria);
  cohort::Evaluator evaluator(criteria, tables);
  std::map<std::string, FacilityCounts> by_facility;

  if (o.format != "ndjson") row(out.buffer(), {"facility", "patient", "index_date"}, o.format == "tsv" ? '\t' : ',');
  MessageJob job("cohort", options, out, diagnostics);
  clinical::TimelineBuilder builder(
      [&](clinical::Timeline& t) {
        const cohort::Judgement j = evaluator.judge(t);
        FacilityCounts& c = by_facility[t.facility];
        if (c.steps.empty()) c.steps.assign(names.size(), 0);
        ++c.steps[0];
        for (std::size_t s = 1; s <= j.steps && s < names.size(); ++s) ++c.steps[s];
        for (const auto& [reason, n] : j.excluded) c.excluded[reason] += n;
        for (clinical::Day day : j.index_days) member_row(out.buffer(), o.format, t, day);
        out.maybe_flush();
      },
      job.diagnostics());
  struct EventsPiece : Piece {
    clinical::MessageEvents events;
    void clear() {
      Piece::clear();
      events = {};
    }
  };
  // The events of a message are read on the workers (-j); timelines are built in input order.
  job.for_each_record<EventsPiece>(
      [](std::size_t, const Record& r, EventsPiece& piece) {
        if (!r.deletion) piece.events = clinical::extract_events(r);
      },
      [&](const Record& r, EventsPiece& piece) {
        builder.add(r, std::move(piece.events));
        if (!r.deletion) ++job.counts().written;
      });
  builder.finish();
  const clinical::TimelineCounts& counts = builder.counts();
  std::map<std::string, std::uint64_t> excluded;
  for (const auto& [facility, c] : by_facility)
    for (const auto& [reason, n] : c.excluded) excluded[reason] += n;
  for (const auto& [reason, n] : excluded)
    if (n > 0)
      job.diagnostics().report(Diagnostic{Severity::warning, "COHORT-LAB-NOT-JUDGED", Location{},
                                          std::to_string(n) + " lab result(s) matched a value test's codes but could not be "
                                          "judged (" + reason + "): they do not meet the test; counted in --attrition",
                                          reason});
  if (counts.cancels > 0)
    job.diagnostics().report(Diagnostic{Severity::warning, "CLINICAL-CANCEL-UNFLAGGED", Location{},
                                        std::to_string(counts.cancels) + " cancel message(s) read without an SS-MIX2 "
                                        "condition flag: what they cancel is still in the timelines", {}});
  if (counts.deletions_unmatched > 0)
    job.diagnostics().report(Diagnostic{Severity::warning, "CLINICAL-DELETE-UNMATCHED", Location{},
                                        std::to_string(counts.deletions_unmatched) + " delete record(s) name files this "
                                        "stream did not hold before them: nothing to remove", {}});
  JobResult result = job.finish();
  if (result.status == kFailed) return result;
  if (!o.attrition.empty()) write_attrition(o.attrition, names, by_facility);
  return result;
}

}  // namespace smx::cli
