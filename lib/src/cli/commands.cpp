// The library calls of smx cat, show, get, grep, flat and gen (smx/job.hpp), and run_job.
#include <chrono>
#include <filesystem>

#include "smx/flat.hpp"
#include "smx/job.hpp"
#include "smx/query.hpp"

namespace smx::cli {

int run_job(const std::string& command, const CommonOptions& common,
            const std::function<JobResult(Output&, DiagnosticSink&)>& call) {
  return run(command, [&] {
    const auto started = std::chrono::steady_clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
    StderrSink diagnostics(command, common.diagnostics == "json", common.quiet, common.max_diagnostics);
    diagnostics.show_phi(common.show_phi);
    Output out(common.output);
    JobResult result;
    try {
      result = call(out, diagnostics);
      out.commit();
    } catch (...) {
      if (!common.metrics.empty()) write_metrics(common.metrics, command, result.counts, seconds(), kFailed);
      throw;
    }
    // The state remembers this run only now that its output is in place: a run that failed or
    // was killed before this point is repeated in full by the next one.
    if (result.state && result.status != kFailed) result.state->commit(command, result.counts.written);
    diagnostics.finish();
    if (!common.stats.empty()) print_stats(command, common.stats, result.counts);
    if (!common.metrics.empty()) write_metrics(common.metrics, command, result.counts, seconds(), result.status);
    return result.status;
  });
}

JobResult cat(const MessageOptions& options, const std::string& format_name, Output& out, DiagnosticSink& diagnostics) {
  const OutputFormat format = parse_output_format(format_name);
  MessageJob job("cat", options, out, diagnostics);
  job.for_each_record<Piece>(
      [&](std::size_t, const Record& r, Piece& p) {
        if (pass_deletion(r, p.output, p.diagnostics, format == OutputFormat::stream, format_name)) return;
        RecordWriter::append(p.output, format, r);
      },
      [&](const Record& r, Piece& p) { job.deliver_standard(r, p); });
  return job.finish();
}

JobResult show(const MessageOptions& options, Output& out, DiagnosticSink& diagnostics) {
  MessageJob job("show", options, out, diagnostics);
  job.for_each_record<Piece>([&](std::size_t, const Record& r, Piece& p) {
                               if (pass_deletion(r, p.output, p.diagnostics, false, "show")) return;
                               show_message(r, p.output, p.diagnostics);
                             },
                             [&](const Record& r, Piece& p) { job.deliver_standard(r, p); });
  return job.finish();
}

JobResult get(const MessageOptions& options, const std::vector<std::string>& args, GetOptions get, Output& out,
              DiagnosticSink& diagnostics) {
  // Leading arguments that read as field paths are paths; the rest are inputs.
  MessageOptions with_inputs = options;
  std::size_t i = 0;
  for (; i < args.size() && GetQuery::is_path(args[i]); ++i) get.paths.push_back(args[i]);
  for (; i < args.size(); ++i) with_inputs.inputs.push_back(args[i]);
  if (get.paths.empty()) hl7::Path::parse(args.empty() ? std::string() : args.front());  // throws the reason
  const GetQuery query(get);
  MessageJob job("get", with_inputs, out, diagnostics);
  if (get.header) query.header(out.buffer());
  job.for_each_record<Piece>([&](std::size_t, const Record& r, Piece& p) {
                               if (pass_deletion(r, p.output, p.diagnostics, false, "get's TSV")) return;
                               query.rows(r, p.output, p.diagnostics);
                             },
                             [&](const Record& r, Piece& p) { job.deliver_standard(r, p); });
  return job.finish();
}

JobResult grep(const MessageOptions& options, const std::vector<std::string>& args, const GrepOptions& grep,
               Output& out, DiagnosticSink& diagnostics) {
  MessageOptions with_inputs = options;
  std::vector<GrepExpression> expressions;
  std::size_t i = 0;
  for (; i < args.size() && GrepExpression::is_expression(args[i]); ++i)
    expressions.push_back(GrepExpression::parse(args[i]));
  if (expressions.empty()) GrepExpression::parse(args.empty() ? std::string() : args.front());  // throws the reason
  for (; i < args.size(); ++i) with_inputs.inputs.push_back(args[i]);
  MessageJob job("grep", with_inputs, out, diagnostics);
  // The format is the first message's (auto), so records are written as they are delivered.
  std::optional<RecordWriter> writer;
  job.for_each_record<Piece>(
      [&](std::size_t, const Record& r, Piece& p) {
        if (r.deletion) return;  // passed on whatever the expressions: the key may have matched
        bool match = true;
        for (const auto& e : expressions) match = match && e.matches(r.message);
        p.keep = match != grep.invert;
      },
      [&](const Record& r, Piece& p) {
        if (!writer) {
          OutputFormat f = grep.format != "auto" ? parse_output_format(grep.format)
                           : (r.stream_line.empty() && !r.ssmix2) ? OutputFormat::er7
                                                                   : OutputFormat::stream;
          writer.emplace(job.out(), f);
        }
        if (r.deletion) {
          std::string ignored;
          if (!writer->write(r)) pass_deletion(r, ignored, job.diagnostics(), false, "raw HL7");
          return;
        }
        if (p.keep) {
          writer->write(r);
          ++job.counts().written;
        } else {
          ++job.counts().filtered;
        }
      });
  return job.finish();
}

JobResult flat(const MessageOptions& options, const FlatOptions& flat, Output& out, DiagnosticSink& diagnostics) {
  const FlatKind kind = parse_flat_kind(flat.kind);
  const FlatFormat format = parse_flat_format(flat.format);
  MessageJob job("flat", options, out, diagnostics);
  FlatWriter writer(out, kind, format, flat.bom);
  job.for_each_record<Piece>([&](std::size_t, const Record& r, Piece& p) {
                               // NDJSON rows pass deletions on for a loader; CSV and TSV rows cannot carry them.
                               if (pass_deletion(r, p.output, p.diagnostics, format == FlatFormat::ndjson, flat.format))
                                 return;
                               writer.rows(r, p.output);
                             },
                             [&](const Record& r, Piece& p) {
                               if (!r.deletion) writer.hold(r);
                               job.deliver_standard(r, p);
                             });
  writer.finish();
  return job.finish();
}

gen::Summary gen(const GenOptions& options, Output& out) {
  tables::Tables tables =
      tables::load_tables(tables_root(options.tables));
  return gen::run(options.run, tables, out);
}

int run_gen(const GenOptions& options, const std::string& stats) {
  return run("gen", [&] {
    Output out("-");
    gen::Summary summary = gen(options, out);
    out.commit();
    if (!stats.empty()) print_text(gen::format_stats(summary, stats));
    return kOk;
  });
}

}  // namespace smx::cli
