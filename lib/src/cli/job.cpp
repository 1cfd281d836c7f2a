// MessageJob: the read loop every message-reading command shares (smx/job.hpp).
#include "smx/job.hpp"

#include "smx/data_root.hpp"

#include <filesystem>

namespace smx::cli {

void apply_filter_text(const std::string& since, const std::string& shard, ssmix2::WalkOptions& walk) {
  auto check_date = [](const std::string& d, const char* name) {
    if (d.empty()) return;
    bool ok = d.size() == 8;
    for (char c : d) ok = ok && c >= '0' && c <= '9';
    if (!ok) throw usage_error(std::string(name) + " needs a date YYYYMMDD, got '" + d + "'");
  };
  check_date(walk.from, "--from");
  check_date(walk.to, "--to");
  // The library's text describes the value; the option's name is added here.
  try {
    if (!since.empty()) walk.since = ssmix2::parse_since(since);
  } catch (const usage_error& e) {
    throw usage_error(std::string("--since: ") + e.what());
  }
  try {
    if (!shard.empty()) std::tie(walk.shard_index, walk.shard_count) = ssmix2::parse_shard(shard);
  } catch (const usage_error& e) {
    throw usage_error(std::string("--shard: ") + e.what());
  }
}

std::filesystem::path tables_root(const std::string& option) {
  try {
    return data_root(option);
  } catch (const config_error& e) {
    throw config_error(std::string(e.what()) + ", or give --tables DIR");
  }
}

// With -j > 1 the reader runs ahead of the workers: what it reports (diagnostics, rejects) is
// held here and travels with the next record, so that it comes out where -j 1 puts it.
class MessageJob::Buffered final : public DiagnosticSink, public RejectSink {
 public:
  void report(Diagnostic d) override { diagnostics.push_back(std::move(d)); }
  void reject(const Reject& r) override {
    rejects.push_back(Task::OwnedReject{r.src, r.code, r.reason, std::string(r.bytes), r.part});
  }
  std::vector<Diagnostic> diagnostics;
  std::vector<Task::OwnedReject> rejects;
};

namespace {
ReaderOptions reader_options(const MessageOptions& o) {
  ReaderOptions reader = o.reader;
  reader.max_message_bytes = o.common.max_message_bytes;
  apply_filter_text(o.since, o.shard, reader.walk);
  return reader;
}
}  // namespace

MessageJob::MessageJob(std::string command, const MessageOptions& options, Output& out, DiagnosticSink& diagnostics)
    : command_(std::move(command)), jobs_(options.jobs == 0 ? 1 : options.jobs), out_(out), sink_(diagnostics) {
  ReaderOptions reader = reader_options(options);
  if (!options.common.rejects.empty()) {
    rejects_out_.emplace(options.common.rejects);
    rejects_.emplace(*rejects_out_);
  }
  progress_ = std::make_unique<Progress>(command_, options.common.progress);
  sink_.progress = progress_.get();
  if (!options.state.empty()) {
    // --state: the trees among the inputs are walked and compared here, before anything is read;
    // the reader then reads only the files the state says are new or changed.
    state_ = std::make_shared<TreeState>(options.state);
    std::vector<std::string> roots;
    for (const std::string& input : options.inputs) {
      std::error_code error;
      if (input != "-" && std::filesystem::is_directory(input, error)) roots.push_back(input);
    }
    state_->plan(roots, reader.walk, sink_);
    reader.incremental = state_.get();
    progress_->set_total_files(state_->summary().added + state_->summary().changed);
  }
  if (jobs_ > 1) buffered_ = std::make_unique<Buffered>();
  DiagnosticSink& reading = buffered_ ? static_cast<DiagnosticSink&>(*buffered_) : sink_;
  RejectSink* rejects = buffered_ ? static_cast<RejectSink*>(buffered_.get()) : rejects_ ? &*rejects_ : nullptr;
  reader_ = std::make_unique<RecordReader>(options.inputs, std::move(reader), reading, rejects, counts_);
}

MessageJob::~MessageJob() = default;

DiagnosticSink& MessageJob::diagnostics() { return sink_; }

const Record* MessageJob::next_record() { return reader_->next(); }

void MessageJob::take_task(Task& task) {
  reader_->take(task.record);
  task.diagnostics.clear();
  task.rejects.clear();
  std::swap(task.diagnostics, buffered_->diagnostics);
  std::swap(task.rejects, buffered_->rejects);
}

void MessageJob::forward(std::vector<Diagnostic>& diagnostics) {
  for (Diagnostic& d : diagnostics) sink_.report(std::move(d));
  diagnostics.clear();
}

void MessageJob::pass_on(const Task& task) {
  for (const Diagnostic& d : task.diagnostics) sink_.report(d);
  if (rejects_)
    for (const Task::OwnedReject& r : task.rejects) rejects_->reject(Reject{r.src, r.code, r.reason, r.bytes, r.part});
}

void MessageJob::pass_on_rest() {
  if (!buffered_) return;
  Task rest;
  std::swap(rest.diagnostics, buffered_->diagnostics);
  std::swap(rest.rejects, buffered_->rejects);
  pass_on(rest);
}

bool pass_deletion(const Record& record, std::string& output, DiagnosticSink& diagnostics, bool as_stream,
                   std::string_view format) {
  if (!record.deletion) return false;
  if (as_stream) {
    RecordWriter::append(output, OutputFormat::stream, record);
    return true;
  }
  // The key names a patient: the text does not quote it (smx(1) DIAGNOSTICS).
  Diagnostic d{Severity::warning, "STREAM-DELETE-NOT-WRITTEN", record.location(),
               "a delete record (" + record.deletion->reason + ") cannot be written as " + std::string(format) +
                   "; not passed on (write the smx stream to pass deletions on)"};
  d.subject = std::string(format);
  diagnostics.report(std::move(d));
  return true;
}

void MessageJob::deliver_standard(const Record& record, Piece& piece) {
  if (record.deletion) {  // not a message: outside read = written + rejected + filtered
    out_.write(piece.output);
    return;
  }
  if (!piece.reject_code.empty()) {
    reject(record, piece.reject_code, piece.reject_reason);
    return;
  }
  out_.write(piece.output);
  ++counts_.written;
}

void MessageJob::reject(const Record& record, const std::string& code, const std::string& reason) {
  ++counts_.rejected;
  if (rejects_)
    rejects_->reject(Reject{record.src, code, reason,
                            record.stream_line.empty() ? record.message.text() : std::string_view(record.stream_line)});
}

JobResult MessageJob::finish() {
  if (rejects_out_) rejects_out_->commit();
  JobResult result;
  result.counts = counts_;
  result.state = state_;
  progress_->finish(counts_);
  if (reader_->had_input_error()) result.status = kFailed;
  else if (sink_.errors > 0 || counts_.rejected > 0) result.status = kDataProblems;
  return result;
}

}  // namespace smx::cli
