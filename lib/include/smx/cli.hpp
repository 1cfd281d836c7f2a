// lib/cli: what every command shares: common options, diagnostics printing, the run wrapper
// that maps exceptions and findings to exit statuses (0 ok, 1 data problems, 2 job failed).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "smx/error.hpp"
#include "smx/io.hpp"
#include "smx/stream.hpp"

namespace smx::cli {

enum ExitStatus { kOk = 0, kDataProblems = 1, kFailed = 2 };

// Options every message-reading command has.
struct CommonOptions {
  std::string output = "-";        // -o FILE (atomic)
  std::string diagnostics = "text";  // --diagnostics text|json
  bool quiet = false;              // -q: only errors on stderr
  std::string stats;               // --stats[=text|json]; empty = off
  bool show_phi = false;
  std::string rejects;             // --rejects FILE
  std::size_t max_message_bytes = std::size_t{64} << 20;
  std::size_t max_diagnostics = 10;  // --max-diagnostics: text lines per code, 0 = all
  std::string progress = "auto";   // --progress / --no-progress: on, off, auto (stderr a terminal)
  std::string metrics;             // --metrics FILE.prom: a Prometheus textfile at the end
};

// Progress of a long run on stderr (git's rule: only when stderr is a terminal, unless forced):
// files, messages, rate and elapsed time; percent and ETA when the number of files is known.
// Redrawn in place at most five times a second; cleared before a diagnostic line is printed.
class Progress {
 public:
  Progress(std::string command, const std::string& mode);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  bool enabled() const { return enabled_; }
  void set_total_files(std::uint64_t total) { total_files_ = total; }
  // Cheap enough for every record: the clock is read every 64 calls.
  void update(const Counts& counts) {
    if (enabled_ && (++calls_ & 63) == 0) draw(counts, false);
  }
  void clear();                     // erase the line (before a diagnostic)
  void finish(const Counts& counts);  // the last state, then a newline
  // The line as drawn, for tests: `seconds` since the start.
  std::string line(const Counts& counts, double seconds) const;

 private:
  void draw(const Counts& counts, bool force);
  std::string command_;
  bool enabled_ = false;
  bool drawn_ = false;
  std::uint64_t total_files_ = 0;
  std::uint64_t calls_ = 0;
  double started_ = 0, last_draw_ = 0;
};

// Writes the Prometheus textfile of a run (node_exporter's textfile collector) to `path` through
// a temporary file and a rename: counts, duration, exit status, and
// smx_last_success_timestamp_seconds (now when `status` is not 2, else carried over from the
// file being replaced, so an alert on its age fires after failed nights).
void write_metrics(const std::string& path, const std::string& command, const Counts& counts, double seconds,
                   int status);

// Decides which diagnostics are printed: the first `limit` of each code (0 = all). It counts
// every diagnostic it is shown, by code and severity, and the distinct subjects per code, so
// that a run can end with one summary line per code that went over the limit. Memory is bounded:
// at most `max_subjects` distinct subjects are remembered per code (as 64-bit hashes); past that
// the summary says "more than".
class DiagnosticLimiter {
 public:
  static constexpr std::size_t kDefaultMaxSubjects = 100000;
  explicit DiagnosticLimiter(std::size_t limit, std::size_t max_subjects = kDefaultMaxSubjects);
  // Counts `diagnostic`; true when it is among the first `limit` of its code.
  bool admit(const Diagnostic& diagnostic);

  struct CodeTally {
    std::string code;
    std::uint64_t count = 0;
    std::uint64_t by_severity[3] = {0, 0, 0};  // note, warning, error
    std::uint64_t without_subject = 0;
    std::unordered_set<std::uint64_t> subjects;  // hashes, at most max_subjects
    bool subjects_capped = false;                // a further distinct subject was seen
  };
  // The codes that went over the limit, in the order they first appeared.
  std::vector<const CodeTally*> over_limit() const;
  std::size_t limit() const { return limit_; }
  std::size_t max_subjects() const { return max_subjects_; }

 private:
  std::size_t limit_;
  std::size_t max_subjects_;
  std::vector<CodeTally> tallies_;  // first-appearance order
  std::unordered_map<std::string, std::size_t> index_;
};

// `smx CMD: summary: [CODE] 6012 warnings, 10 shown; 37 distinct values` (see smx(1)).
std::string format_summary(const std::string& command, const DiagnosticLimiter::CodeTally& tally, std::size_t shown,
                           std::size_t max_subjects = DiagnosticLimiter::kDefaultMaxSubjects);

// Prints diagnostics as `smx CMD: PATH:MSG:SEG-FIELD: severity: [CODE] text` lines or as
// NDJSON through `write`, and counts them by severity. Text output prints the first
// `max_per_code` of each code (0 = all) and, at finish(), one summary line per code that had
// more; NDJSON keeps every record. Severity counts (and so exit statuses) include what was not
// printed. `write` must stay callable until finish() (the destructor calls it).
class DiagnosticPrinter : public DiagnosticSink {
 public:
  using Writer = std::function<void(std::string_view)>;
  DiagnosticPrinter(std::string command, bool json, bool quiet, std::size_t max_per_code, Writer write);
  ~DiagnosticPrinter() override;
  DiagnosticPrinter(const DiagnosticPrinter&) = delete;
  DiagnosticPrinter& operator=(const DiagnosticPrinter&) = delete;
  void report(Diagnostic diagnostic) override;
  // Prints the summary lines (once; the destructor calls it when a run ends by an exception).
  void finish();
  // --show-phi: SS-MIX2 paths are printed as they are; by default their patient ID and dates
  // are masked (ssmix2::mask_path).
  void show_phi(bool show) { show_phi_ = show; }
  std::size_t errors() const { return errors_; }
  std::size_t warnings() const { return warnings_; }

 private:
  std::string command_;
  bool json_;
  bool quiet_;
  DiagnosticLimiter limiter_;
  Writer write_;
  bool finished_ = false;
  bool show_phi_ = false;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

// The diagnostics of every command but validate: on stderr.
class StderrSink final : public DiagnosticPrinter {
 public:
  StderrSink(std::string command, bool json, bool quiet, std::size_t max_per_code = 10);
};

std::string format_diagnostic(const std::string& command, const Diagnostic& diagnostic);
std::string format_diagnostic_json(const std::string& command, const Diagnostic& diagnostic);

// Runs a command body; turns usage_error/config_error/io_error/other exceptions into a message
// on stderr ("smx CMD: ...") and exit status 2. The body returns 0 or 1.
int run(const std::string& command, const std::function<int()>& body);

// Counts as text "smx CMD: files N, read N, written N, rejected N" or a stats record (mode "json").
std::string format_stats(const std::string& command, const std::string& mode, const Counts& counts);
// Writes `text` to stderr (closing lines: stats, summaries).
void print_text(std::string_view text);
// Prints format_stats() to stderr.
void print_stats(const std::string& command, const std::string& mode, const Counts& counts);

}  // namespace smx::cli
