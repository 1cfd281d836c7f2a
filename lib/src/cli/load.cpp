// The library call of smx load (smx/job.hpp).
#include <chrono>
#include <ctime>

#include "smx/job.hpp"
#include "smx/load.hpp"

namespace smx::cli {

JobResult load(const MessageOptions& options, const LoadOptions& load, Output& out, DiagnosticSink& diagnostics) {
  if (load.db.empty()) throw usage_error("--db is required (sqlite:PATH or postgresql://...)");
  // Records are applied in stream order (a delete record after the upsert it retires), on this
  // thread: the database is the bottleneck, not the reading.
  MessageOptions one = options;
  one.jobs = 1;
  Loader loader(load.db, load.batch, load.run.empty() ? utc_now() : load.run);
  const auto started = std::chrono::steady_clock::now();
  MessageJob job("load", one, out, diagnostics);  // writes nothing to `out`
  job.for_each_record<Piece>([](std::size_t, const Record&, Piece&) {},
                             [&](const Record& record, Piece&) {
                               loader.apply(record);
                               if (!record.deletion) ++job.counts().written;
                             });
  loader.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const LoadCounts& c = loader.counts();
  char rate[64];
  std::snprintf(rate, sizeof rate, "%.1f s, %.0f rows/s", seconds,
                seconds > 0 ? static_cast<double>(c.rows_inserted + c.rows_deleted) / seconds : 0.0);
  diagnostics.report(Diagnostic{
      Severity::note, "LOAD-SUMMARY", Location{},
      std::to_string(c.messages) + " messages (" + std::to_string(c.replaced) + " written, " +
          std::to_string(c.unchanged) + " unchanged, " + std::to_string(c.retired) + " flag 0/2), " +
          std::to_string(c.deletions) + " delete records; rows inserted " + std::to_string(c.rows_inserted) +
          ", deleted " + std::to_string(c.rows_deleted) + "; " + std::to_string(c.batches) + " transactions; " + rate});
  return job.finish();
}

}  // namespace smx::cli
