// smx qi as one library call: messages -> patient timelines (lib/clinical) -> indicator cells
// (lib/qi) -> rows (smx-qi(1)).
#include <sstream>

#include "smx/json.hpp"
#include "smx/qi.hpp"
#include "smx/qi_command.hpp"

namespace smx::cli {
namespace {

struct QiPiece : Piece {
  clinical::MessageEvents events;
};

qi::Options parse_by(const QiOptions& o) {
  qi::Options out;
  out.min_cell = o.min_cell;
  out.by_facility = false;
  bool period = false;
  std::stringstream list(o.by);
  std::string item;
  while (std::getline(list, item, ',')) {
    if (item == "facility") out.by_facility = true;
    else if (item == "month" || item == "quarter" || item == "year") {
      if (period) throw usage_error("--by: one period (month, quarter or year)");
      period = true;
      out.period = item == "month" ? qi::Period::month : item == "quarter" ? qi::Period::quarter : qi::Period::year;
    } else {
      throw usage_error("--by: unknown '" + item + "' (facility, month, quarter, year)");
    }
  }
  if (!period) throw usage_error("--by: name a period (month, quarter or year)");
  return out;
}

std::vector<qi::Indicator> select(std::vector<qi::Indicator> all, const std::string& list) {
  if (list == "all") return all;
  std::vector<qi::Indicator> out;
  std::stringstream in(list);
  std::string id;
  while (std::getline(in, id, ',')) {
    auto found = std::find_if(all.begin(), all.end(), [&](const qi::Indicator& i) { return i.id == id; });
    if (found == all.end()) {
      std::string known;
      for (const qi::Indicator& i : all) known += (known.empty() ? "" : ", ") + i.id;
      throw usage_error("[QI-UNKNOWN-INDICATOR] --indicators: no indicator '" + id + "' (known: " + known + ")");
    }
    out.push_back(*found);
  }
  if (out.empty()) throw usage_error("--indicators: empty list");
  return out;
}

void write_rows(const std::vector<qi::Calculator::Row>& rows, const std::string& format, const std::string& sha256,
                Output& out) {
  std::string& b = out.buffer();
  if (format == "ndjson") {
    for (const auto& r : rows) {
      json::Writer w(b);
      w.begin_object();
      w.strings({{"facility", r.facility}, {"period", r.period}, {"indicator", r.indicator},
                 {"numerator", r.numerator}, {"denominator", r.denominator}});
      if (r.value.empty()) w.null("value");
      else w.string("value", r.value);
      w.boolean("suppressed", r.suppressed);
      if (!sha256.empty()) w.string("drugs_sha256", sha256);
      w.end_object();
      b.push_back('\n');
      out.maybe_flush();
    }
    return;
  }
  const char sep = format == "tsv" ? '\t' : ',';
  // Facility IDs and indicator ids hold no separators or quotes (MSH-4.1 of SS-MIX2 senders and
  // the YAML ids); a value that does is quoted.
  auto field = [&](const std::string& v) {
    if (v.find_first_of(std::string(1, sep) + "\"\n\r") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  b += format == "tsv" ? "facility\tperiod\tindicator\tnumerator\tdenominator\tvalue\tsuppressed\n"
                       : "facility,period,indicator,numerator,denominator,value,suppressed\n";
  for (const auto& r : rows) {
    b += field(r.facility) + sep + r.period + sep + field(r.indicator) + sep + r.numerator + sep + r.denominator + sep +
         r.value + sep + (r.suppressed ? "true" : "false") + "\n";
    out.maybe_flush();
  }
}

}  // namespace

JobResult qi(const MessageOptions& options, const QiOptions& o, Output& out, DiagnosticSink& diagnostics) {
  if (!options.state.empty()) throw usage_error("--state: indicators need whole patient timelines; run smx qi without --state");
  if (o.format != "csv" && o.format != "tsv" && o.format != "ndjson") throw usage_error("-t must be csv, tsv or ndjson");
  if (o.min_cell < 0) throw usage_error("--min-cell must be 0 or more");
  const qi::Options calc_options = parse_by(o);
  const std::filesystem::path root = tables_root(o.tables);
  const qi::ClassTable classes = qi::load_class_table((root / "mappings" / "qi" / "drug-classes.yaml").string());
  std::vector<std::string> files = {(root / "mappings" / "qi" / "indicators.yaml").string()};
  files.insert(files.end(), o.indicator_files.begin(), o.indicator_files.end());
  std::vector<qi::Indicator> indicators = select(qi::load_indicators(files, classes), o.indicators);
  std::optional<qi::DrugMaster> drugs;
  if (!o.drugs.empty()) drugs = qi::load_drug_master(o.drugs);
  std::optional<Output> exclusions_out;
  if (!o.exclusions.empty()) exclusions_out.emplace(o.exclusions);

  qi::Calculator calculator(std::move(indicators), classes, drugs ? &*drugs : nullptr, calc_options);
  MessageJob job("qi", options, out, diagnostics);
  clinical::TimelineBuilder builder([&](clinical::Timeline& t) { calculator.add(t); }, job.diagnostics());
  job.for_each_record<QiPiece>(
      [](std::size_t, const Record& r, QiPiece& piece) {
        piece.events = r.deletion ? clinical::MessageEvents{} : clinical::extract_events(r);
      },
      [&](const Record& r, QiPiece& piece) {
        builder.add(r, std::move(piece.events));
        ++job.counts().written;
      });
  builder.finish();
  JobResult result = job.finish();
  if (result.status == kFailed) return result;

  write_rows(calculator.rows(), o.format, drugs ? drugs->sha256 : std::string(), out);
  if (drugs)
    diagnostics.report(Diagnostic{Severity::note, "QI-DRUGS", Location{o.drugs, 0, 0, {}},
                                  "drug master: " + std::to_string(drugs->rows) + " rows, SHA-256 " + drugs->sha256, {}});
  const clinical::TimelineCounts& c = builder.counts();
  diagnostics.report(Diagnostic{Severity::note, "QI-SUMMARY", {},
                                std::to_string(calculator.patients()) + " patients, " + std::to_string(c.messages) +
                                    " messages used, " + std::to_string(c.not_current) + " not current (flag 0 or 2), " +
                                    std::to_string(c.no_patient) + " without a patient",
                                {}});
  std::uint64_t total = 0;
  std::map<std::string, std::uint64_t> by_reason;
  for (const qi::Exclusion& e : calculator.exclusions()) by_reason[e.reason] += e.count, total += e.count;
  for (const auto& [reason, count] : by_reason)
    diagnostics.report(Diagnostic{Severity::note, "QI-EXCLUDED", {}, reason + ": " + std::to_string(count), reason});
  if (exclusions_out) {
    std::string& b = exclusions_out->buffer();
    json::Writer header(b);
    header.begin_object();
    header.string("kind", "qi-inputs");
    if (drugs) {
      header.string("drugs", drugs->path);
      header.string("drugs_sha256", drugs->sha256);
    }
    header.number("patients", calculator.patients());
    header.number("not_current", c.not_current);
    header.end_object();
    b.push_back('\n');
    for (const qi::Exclusion& e : calculator.exclusions()) {
      json::Writer w(b);
      w.begin_object();
      w.string("kind", "qi-exclusion");
      w.string("facility", e.facility);
      w.string("reason", e.reason);
      w.number("count", e.count);
      w.end_object();
      b.push_back('\n');
    }
    exclusions_out->commit();
  }
  (void)total;
  return result;
}

}  // namespace smx::cli
