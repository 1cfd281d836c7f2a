// smx labnorm's library call (smx/job.hpp): one Normalizer per worker (a Normalizer and its Ucum
// are not thread-safe), records and their changes in input order, coverage summed over workers.
#include <filesystem>

#include "smx/job.hpp"
#include "smx/labnorm.hpp"

namespace smx::cli {
namespace {

// A message's labnorm result on its way from a worker to the output.
struct LabnormPiece : Piece {
  std::string changes;  // --changes records
  void clear() {
    Piece::clear();
    changes.clear();
  }
};

}  // namespace

JobResult labnorm(const MessageOptions& options, const LabnormOptions& o, Output& out, DiagnosticSink& diagnostics) {
  const bool auto_site = o.site == "auto";
  tables::Tables tables =
      tables::load_tables(tables_root(o.tables),
                          auto_site ? "auto" : o.site);
  if (!o.site.empty() && !auto_site && !tables.site_named(o.site))
    throw usage_error("--site: no site table named '" + o.site + "'");
  MessageJob job("labnorm", options, out, diagnostics);
  std::vector<lab::Normalizer> normalizers;
  normalizers.reserve(job.jobs());
  for (unsigned w = 0; w < job.jobs(); ++w) normalizers.emplace_back(tables, lab::NormalizeOptions{o.site, o.jccls});
  std::optional<Output> changes_out, coverage_out;
  if (!o.changes.empty()) changes_out.emplace(o.changes);
  if (!o.coverage.empty()) coverage_out.emplace(o.coverage);

  job.for_each_record<LabnormPiece>(
      [&](std::size_t worker, const Record& record, LabnormPiece& p) {
        if (pass_deletion(record, p.output, p.diagnostics, true, "smx")) return;
        lab::Normalized n = normalizers[worker].normalize(record, p.diagnostics);
        if (o.strict && (n.unmapped || n.implausible)) {
          p.diagnostics.report(
              Diagnostic{Severity::error, "LAB-STRICT", record.location(),
                         "message has an unmapped code or unit or an implausible result; rejected (--strict)"});
          p.reject_code = "LAB-STRICT";
          p.reject_reason = "unmapped code or unit, or implausible result";
          return;
        }
        if (!n.changed && n.jccls_json.empty()) {
          RecordWriter::append(p.output, OutputFormat::stream, record);  // as it came, byte for byte
        } else {
          // The record's earlier changes first, then these (RecordWriter writes both).
          RecordAdditions additions{&n.changes, n.jccls_json.empty() ? std::string_view() : "jccls", n.jccls_json};
          RecordWriter::append(p.output, OutputFormat::stream, record,
                               n.changed ? std::string_view(n.hl7) : record.message.text(), additions);
        }
        if (changes_out)
          for (const auto& c : n.changes) append_change_record(p.changes, record.src, c);
      },
      [&](const Record& record, LabnormPiece& p) {
        job.deliver_standard(record, p);
        if (changes_out) changes_out->write(p.changes);
      });

  if (coverage_out) {
    // Sums are the same whichever worker saw which message.
    std::map<std::string, lab::Coverage> coverage;
    for (const lab::Normalizer& n : normalizers)
      for (const auto& [site, counts] : n.coverage()) coverage[site].add(counts);
    for (const auto& [site, counts] : coverage) coverage_out->write(lab::coverage_json(site, counts));
    coverage_out->commit();
  }
  if (changes_out) changes_out->commit();
  return job.finish();
}

}  // namespace smx::cli
