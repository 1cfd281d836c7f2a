// Typed failures and per-message diagnostics shared by every layer.
// Fatal problems throw; per-message problems go to a DiagnosticSink.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smx {

// Bad command line or option value: exit status 2.
struct usage_error : std::runtime_error { using std::runtime_error::runtime_error; };
// Unreadable or invalid configuration / table: exit status 2.
struct config_error : std::runtime_error { using std::runtime_error::runtime_error; };
// A read or write that failed (EIO, ENOSPC, EPIPE...): exit status 2.
struct io_error : std::runtime_error { using std::runtime_error::runtime_error; };
// Unparseable text with a position (a path expression, a YAML table...).
struct parse_error : std::runtime_error {
  parse_error(const std::string& what, std::size_t at) : std::runtime_error(what), position(at) {}
  std::size_t position;
};

enum class Severity { note, warning, error };
std::string_view severity_name(Severity s);

// Where a finding is: file (or "-"), message number in that file (1-based, 0 = whole file),
// byte offset of the message in the file, and an HL7 path such as "PID-5[1].1".
struct Location {
  std::string path;
  std::uint64_t message = 0;
  std::uint64_t offset = 0;
  std::string hl7_path;
};

struct Diagnostic {
  Severity severity = Severity::error;
  std::string code;   // stable code, e.g. "HL7-NO-MSH"; listed in smx(1) DIAGNOSTICS
  Location where;
  std::string text;   // never contains patient names or IDs
  // What the finding is about, when that is not patient data: a local code, a unit spelling, a
  // rule id, a character. The end-of-run summaries count distinct subjects; JSON records carry
  // it; text lines do not print it. Never names, IDs, dates or free text.
  std::string subject;
};

class DiagnosticSink {
 public:
  virtual ~DiagnosticSink() = default;
  virtual void report(Diagnostic diagnostic) = 0;
};

// Keeps everything; for tests and for commands that summarise.
class CollectingSink final : public DiagnosticSink {
 public:
  void report(Diagnostic diagnostic) override { items.push_back(std::move(diagnostic)); }
  bool has(std::string_view code) const {
    for (const auto& d : items)
      if (d.code == code) return true;
    return false;
  }
  std::vector<Diagnostic> items;
};

// Drops everything (benchmarks, probes).
class NullSink final : public DiagnosticSink {
 public:
  void report(Diagnostic) override {}
};

}  // namespace smx
