// smx fhir's library call (smx/job.hpp): one Converter per worker; each message's resources
// travel to the sink (stdout or the Bulk Data directory) and the delete list in input order.
#include "smx/fhir.hpp"
#include "smx/job.hpp"

namespace smx::cli {
namespace {

// What a worker's converter produced for one message: resources to write and retired ones, in
// the order it produced them.
struct FhirPiece : Piece, fhir::ResourceSink {
  struct Event {
    std::string type, id, json;
    bool retired = false;
  };
  std::vector<Event> events;
  std::size_t used = 0;  // events[0, used) are this message's; the rest keep their buffers
  void clear() {
    Piece::clear();
    used = 0;
  }
  void resource(std::string_view type, std::string_view id, std::string_view json) override { add(type, id, json, false); }
  void retired(std::string_view type, std::string_view id) override { add(type, id, {}, true); }
  void add(std::string_view type, std::string_view id, std::string_view json, bool retired) {
    if (used == events.size()) events.emplace_back();
    Event& e = events[used++];
    e.type.assign(type);
    e.id.assign(id);
    e.json.assign(json);
    e.retired = retired;
  }
};

}  // namespace

JobResult fhir(const MessageOptions& options, const FhirOptions& o, Output& out, DiagnosticSink& diagnostics) {
  fhir::Options convert;
  if (o.jp_core != "1.1" && o.jp_core != "1.2")
    throw usage_error("unknown JP Core version '" + o.jp_core + "' (1.1 or 1.2)");
  convert.jp_core = o.jp_core == "1.2" ? fhir::JpCoreVersion::v1_2 : fhir::JpCoreVersion::v1_1;
  convert.compute_flags = o.compute_flags;
  MessageJob job("fhir", options, out, diagnostics);
  std::optional<fhir::BulkDirectorySink> directory;
  std::optional<fhir::NdjsonSink> stdout_sink;
  fhir::ResourceSink* sink = nullptr;
  if (!o.directory.empty()) sink = &directory.emplace(o.directory);
  else sink = &stdout_sink.emplace(out);
  std::optional<fhir::DeleteTracker> tracker;  // only with a delete list: it remembers every id
  if (!o.deletes.empty()) sink = &tracker.emplace(*sink);

  // The converters write into the piece of the message they convert (FhirPiece is their sink).
  struct Worker {
    std::unique_ptr<fhir::Converter> converter;
    FhirPiece* piece = nullptr;
  };
  struct Forward final : fhir::ResourceSink {
    Worker* worker = nullptr;
    void resource(std::string_view type, std::string_view id, std::string_view json) override {
      worker->piece->resource(type, id, json);
    }
    void retired(std::string_view type, std::string_view id) override { worker->piece->retired(type, id); }
  };
  struct Diagnostics final : DiagnosticSink {
    Worker* worker = nullptr;
    void report(Diagnostic d) override { worker->piece->diagnostics.report(std::move(d)); }
  };
  std::vector<Worker> workers(job.jobs());
  std::vector<Forward> forwards(job.jobs());
  std::vector<Diagnostics> reports(job.jobs());
  for (std::size_t w = 0; w < workers.size(); ++w) {
    forwards[w].worker = reports[w].worker = &workers[w];
    workers[w].converter = std::make_unique<fhir::Converter>(convert, forwards[w], reports[w]);
  }

  job.for_each_record<FhirPiece>(
      [&](std::size_t w, const Record& record, FhirPiece& p) {
        // A key is a file, not a resource: which resources it made is not known here (smx-fhir(1)).
        std::string ignored;
        if (pass_deletion(record, ignored, p.diagnostics, false, "FHIR")) return;
        workers[w].piece = &p;
        workers[w].converter->convert(record);
      },
      [&](const Record& record, FhirPiece& p) {
        if (record.deletion) return;
        for (std::size_t k = 0; k < p.used; ++k) {
          const FhirPiece::Event& e = p.events[k];
          if (e.retired) sink->retired(e.type, e.id);
          else sink->resource(e.type, e.id, e.json);
        }
        ++job.counts().written;
      });

  if (directory) directory->commit();
  if (!o.deletes.empty()) {
    Output deletes(o.deletes);
    fhir::write_delete_list(deletes, tracker->delete_list());
    deletes.commit();
  }
  return job.finish();
}

}  // namespace smx::cli
