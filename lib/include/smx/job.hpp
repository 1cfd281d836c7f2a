// lib/cli: a command that reads messages, as one library call (GDAL's *_lib / *_bin split): the
// read loop, -j workers, --rejects, the counts and the exit status live here, so tools/<cmd>.cpp
// only binds options and a unit test can run a whole command in memory.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smx/cli.hpp"
#include "smx/error.hpp"
#include "smx/io.hpp"
#include "smx/gen.hpp"
#include "smx/pool.hpp"
#include "smx/query.hpp"
#include "smx/state.hpp"
#include "smx/stream.hpp"
#include "smx/validate.hpp"

namespace smx::cli {

// What the command line gives every command that reads messages.
struct MessageOptions {
  std::vector<std::string> inputs;  // SS-MIX2 roots, files, "-" (default "-")
  CommonOptions common;
  ReaderOptions reader;             // walk filters, charset; max_message_bytes from `common`
  std::string since;                // --since and --shard as given, checked when the job starts
  std::string shard;
  unsigned jobs = 1;                // -j: worker threads; output is the same for any number
  std::string state;                // --state FILE: read only what changed since the last run
};

// Checks --from/--to dates and parses --since and --shard into `walk` (throws usage_error).
void apply_filter_text(const std::string& since, const std::string& shard, ssmix2::WalkOptions& walk);
// The data root for a command's --tables option (smx::data_root: --tables, $SMX_TABLES, the
// installation or the source tree of a build); the error names --tables.
std::filesystem::path tables_root(const std::string& option);

// What a command's library call returns: the exit status (kOk, kDataProblems, kFailed) and the
// counts (read = written + rejected + filtered for the commands that pass messages on).
struct JobResult {
  int status = kOk;
  Counts counts;
  // --state: saved by run_job once the output is committed (never when the job failed).
  std::shared_ptr<TreeState> state;
};

// A delete record in a command's work: passed on as the stream line when the command writes the
// stream (`as_stream`), else reported (STREAM-DELETE-NOT-WRITTEN, naming `format`). True when
// `record` was a delete record (the caller does nothing else with it).
bool pass_deletion(const Record& record, std::string& output, DiagnosticSink& diagnostics, bool as_stream,
                   std::string_view format);

// A message's share of a command's work: done by a worker (or inline with -j 1) and delivered
// in input order. Commands extend it with what else their work gives.
struct Piece {
  CollectingSink diagnostics;  // what the work reported; passed on in order
  std::string output;          // bytes for the command's output
  bool keep = true;            // grep: the message matched
  std::string reject_code;     // set: the message goes to --rejects with this reason
  std::string reject_reason;
  void clear() {
    diagnostics.items.clear();
    output.clear();
    keep = true;
    reject_code.clear();
    reject_reason.clear();
  }
};

// Everything a message-reading command sets up before its loop and closes after it: the reader
// over the inputs, the output, --rejects, the counts, the exit status.
class MessageJob {
 public:
  // `out` is the command's output (not committed here); diagnostics go to `diagnostics`.
  MessageJob(std::string command, const MessageOptions& options, Output& out, DiagnosticSink& diagnostics);
  ~MessageJob();
  MessageJob(const MessageJob&) = delete;
  MessageJob& operator=(const MessageJob&) = delete;

  Output& out() { return out_; }
  DiagnosticSink& diagnostics();  // counts errors for the exit status
  Counts& counts() { return counts_; }
  unsigned jobs() const { return jobs_; }

  // Reads every record and runs work(worker, record, piece) on it with options.jobs workers;
  // deliver(record, piece) runs on this thread in input order, after the diagnostics and rejects
  // of reading that record and the diagnostics of its work were passed on. With -j 1 there are
  // no threads and no copies. Memory: at most 4 records per worker in flight.
  template <class P>
  void for_each_record(const std::function<void(std::size_t worker, const Record&, P&)>& work,
                       const std::function<void(const Record&, P&)>& deliver);

  // The piece's output to the output, its reject (if any) to --rejects; counts written or
  // rejected (not filtered: grep counts that itself).
  void deliver_standard(const Record& record, Piece& piece);
  // Sends a record that was read to --rejects (e.g. --strict) and counts it.
  void reject(const Record& record, const std::string& code, const std::string& reason);
  // Commits --rejects and returns the exit status: 2 when an input failed as a whole, 1 for
  // errors or rejected messages, else 0.
  JobResult finish();

 private:
  // A record with what reading it reported, on its way to a worker (-j > 1).
  struct Task {
    Record record;
    std::vector<Diagnostic> diagnostics;
    struct OwnedReject {
      Source src;
      std::string code, reason, bytes;
      std::uint64_t part = 0;
    };
    std::vector<OwnedReject> rejects;
  };
  template <class P>
  struct Done {
    const Task* task = nullptr;
    P piece;
  };
  class Buffered;
  class CountingSink final : public DiagnosticSink {
   public:
    explicit CountingSink(DiagnosticSink& next) : next_(next) {}
    void report(Diagnostic d) override {
      if (d.severity == Severity::error) ++errors;
      if (progress != nullptr) progress->clear();
      next_.report(std::move(d));
    }
    std::size_t errors = 0;
    Progress* progress = nullptr;

   private:
    DiagnosticSink& next_;
  };

  const Record* next_record();
  void take_task(Task& task);       // the record just read and what reading it reported
  void pass_on(const Task& task);   // what reading a task's record reported, to the sinks
  void pass_on_rest();              // what reading reported after the last record
  void forward(std::vector<Diagnostic>& diagnostics);

  std::string command_;
  unsigned jobs_;
  Output& out_;
  CountingSink sink_;
  Counts counts_;
  std::optional<Output> rejects_out_;
  std::optional<RejectWriter> rejects_;
  std::unique_ptr<Buffered> buffered_;  // -j > 1: what reading reports, held for its record
  std::shared_ptr<TreeState> state_;    // --state
  std::unique_ptr<Progress> progress_;
  std::unique_ptr<RecordReader> reader_;
};

template <class P>
void MessageJob::for_each_record(const std::function<void(std::size_t, const Record&, P&)>& work,
                                 const std::function<void(const Record&, P&)>& deliver) {
  if (jobs_ <= 1) {
    P piece;
    while (const Record* record = next_record()) {
      piece.clear();
      work(0, *record, piece);
      forward(piece.diagnostics.items);
      deliver(*record, piece);
      progress_->update(counts_);
    }
    return;
  }
  OrderedPool<Task, Done<P>> pool(
      jobs_, 4 * std::size_t{jobs_},
      [&](std::size_t worker, Task& task, Done<P>& done) {
        done.task = &task;
        done.piece.clear();
        work(worker, task.record, done.piece);
      },
      [&](Done<P>& done) {
        pass_on(*done.task);
        forward(done.piece.diagnostics.items);
        deliver(done.task->record, done.piece);
        progress_->update(counts_);
      });
  try {
    while (next_record()) pool.submit([&](Task& task) { take_task(task); });
  } catch (...) {
    // Reading failed (an unreadable input): what was read before goes out as with -j 1.
    try {
      pool.finish();
      pass_on_rest();
    } catch (...) {
    }
    throw;
  }
  pool.finish();
  pass_on_rest();
}

// ---- The commands: options -> output, diagnostics -> exit status and counts ------------------
// Each reads what `options` names, writes its output to `out` (not committed: the caller does,
// so a failed run leaves no -o file), reports to `diagnostics` and returns the exit status.
// Throws usage_error, config_error, io_error for a job that cannot run (exit status 2).

// smx cat: the records in `format` ("smx", "er7", "mllp").
JobResult cat(const MessageOptions& options, const std::string& format, Output& out, DiagnosticSink& diagnostics);

// smx show: a person's view of each message.
JobResult show(const MessageOptions& options, Output& out, DiagnosticSink& diagnostics);

// smx get: `args` are field paths, then inputs (added to options.inputs).
JobResult get(const MessageOptions& options, const std::vector<std::string>& args, GetOptions get, Output& out,
              DiagnosticSink& diagnostics);

// smx grep: `args` are expressions, then inputs; `format` "auto" writes raw HL7 when the first
// message came as raw HL7 (not from a tree or the stream), else the stream.
struct GrepOptions {
  bool invert = false;
  std::string format = "auto";
};
JobResult grep(const MessageOptions& options, const std::vector<std::string>& args, const GrepOptions& grep,
               Output& out, DiagnosticSink& diagnostics);

// smx flat: rows of `kind` in `format` (parse_flat_kind, parse_flat_format).
struct FlatOptions {
  std::string kind = "obs";
  std::string format = "csv";
  bool bom = false;
};
JobResult flat(const MessageOptions& options, const FlatOptions& flat, Output& out, DiagnosticSink& diagnostics);

// smx labnorm: every message through a Normalizer (one per worker), the records with their
// changes to `out`, every change to `changes` and the coverage by site to `coverage` when named.
struct LabnormOptions {
  std::string tables;  // "" = tables_root("")
  std::string site;    // "", "auto" or a site table's name
  bool strict = false;
  bool jccls = false;
  std::string changes;
  std::string coverage;
};
JobResult labnorm(const MessageOptions& options, const LabnormOptions& labnorm, Output& out,
                  DiagnosticSink& diagnostics);

// smx fhir: resources as NDJSON to `out`, or one file per type under `directory`; the delete list
// to `deletes` when named.
struct FhirOptions {
  std::string directory;
  std::string deletes;
  std::string jp_core = "1.1";
  bool compute_flags = false;
};
JobResult fhir(const MessageOptions& options, const FhirOptions& fhir, Output& out, DiagnosticSink& diagnostics);

// smx gen: loads the tables (tables_root(`tables`)) and runs gen::run, the
// stream (--stream) to `out`. smx gen's command line: run_gen, which prints `stats` ("", "text",
// "json") on stderr at the end.
struct GenOptions {
  gen::RunOptions run;
  std::string tables;
};
gen::Summary gen(const GenOptions& options, Output& out);
int run_gen(const GenOptions& options, const std::string& stats);

// smx load: every record into the database `db` (sqlite:PATH or postgresql://...), `batch`
// records per transaction; `run` is stored with each source row ("" = the start time, UTC).
// Writes nothing to `out`; a summary note (LOAD-SUMMARY) goes to `diagnostics`.
struct LoadOptions {
  std::string db;
  std::size_t batch = 10000;
  std::string run;
};
JobResult load(const MessageOptions& options, const LoadOptions& load, Output& out, DiagnosticSink& diagnostics);

// smx validate: findings are the output (stdout or -o FILE, text or json), run problems and the
// count line go to stderr; --report FILE.md|.html|- writes a report (with "-" the report takes
// stdout and the findings go to stderr unless -o names a file). Returns the exit status.
struct ValidateOptions {
  validate::RunOptions run;
  std::string profile = "ssmix2-1.2i";
  std::string config;
  std::string deidentified;        // --deidentified: an smx deid profile (name or file), "" = none
  std::string tables;
  bool list_rules = false;
  std::string output = "-";
  std::string diagnostics = "text";
  bool diagnostics_given = false;  // --diagnostics was on the command line
  std::string deprecated_format;   // --format, the old spelling of --diagnostics (one release)
  std::string report;
  std::string stats;
  bool quiet = false;
  CommonOptions common;            // only --max-message-bytes and --max-diagnostics are used
  std::string since, shard;
};
int run_validate(ValidateOptions& options);

// Runs a command's library call as the command line does: `out` is stdout or -o FILE (written
// atomically), diagnostics go to stderr as `common` asks (--diagnostics, -q, --max-diagnostics)
// with the summary lines at the end, then --stats; exceptions become exit status 2 (run()).
int run_job(const std::string& command, const CommonOptions& common,
            const std::function<JobResult(Output& out, DiagnosticSink& diagnostics)>& call);

}  // namespace smx::cli
