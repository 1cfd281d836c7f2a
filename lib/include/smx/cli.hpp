// lib/cli: what every command shares: common options, diagnostics printing, the run wrapper
// that maps exceptions and findings to exit statuses (0 ok, 1 data problems, 2 job failed).
#pragma once
#include <functional>
#include <memory>
#include <string>
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
};

// Prints diagnostics to stderr as `smx CMD: PATH:MSG:SEG-FIELD: severity: [CODE] text` or as
// NDJSON, and counts them by severity.
class StderrSink final : public DiagnosticSink {
 public:
  StderrSink(std::string command, bool json, bool quiet);
  void report(Diagnostic diagnostic) override;
  std::size_t errors() const { return errors_; }
  std::size_t warnings() const { return warnings_; }

 private:
  std::string command_;
  bool json_;
  bool quiet_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
};

std::string format_diagnostic(const std::string& command, const Diagnostic& diagnostic);
std::string format_diagnostic_json(const std::string& command, const Diagnostic& diagnostic);

// Runs a command body; turns usage_error/config_error/io_error/other exceptions into a message
// on stderr ("smx CMD: ...") and exit status 2. The body returns 0 or 1.
int run(const std::string& command, const std::function<int()>& body);

// Prints counts to stderr: text "smx CMD: read N, written N, rejected N" or a stats record.
void print_stats(const std::string& command, const std::string& mode, const Counts& counts);

}  // namespace smx::cli
