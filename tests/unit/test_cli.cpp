// lib/cli: the diagnostics limiter (issue 11 item 7: one warning line per OBX is unreadable), the
// printers, the run wrapper and the stats line (issue 12).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <new>
#include <stdexcept>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "smx/cli.hpp"

using namespace smx;
using namespace smx::cli;

namespace {

Diagnostic diag(Severity severity, const std::string& code, const std::string& subject = {}) {
  Diagnostic d{severity, code, Location{"f.hl7", 1, 0, "OBX[1]-6"}, "text"};
  d.subject = subject;
  return d;
}

// Runs `body` with stderr sent to a temporary file; returns what was written.
template <class Body>
std::string capture_stderr(Body body) {
  char path[] = "/tmp/smx-cli-test-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  std::fflush(stderr);
  int saved = ::dup(2);
  ::dup2(fd, 2);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(fd);
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::remove(path);
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("limiter: the first N of each code pass, every one is counted") {
  DiagnosticLimiter limiter(3);
  std::vector<bool> admitted;
  for (const char* subject : {"U/ML", "Pg/mL", "U/ML", "EU/mL", ""})
    admitted.push_back(limiter.admit(diag(Severity::warning, "LAB-UNIT-UNMAPPED", subject)));
  CHECK(admitted == std::vector<bool>{true, true, true, false, false});
  CHECK(limiter.admit(diag(Severity::error, "HL7-NO-MSH")));
  CHECK(limiter.admit(diag(Severity::error, "HL7-NO-MSH")));
  auto over = limiter.over_limit();
  REQUIRE(over.size() == 1);
  CHECK(over[0]->code == "LAB-UNIT-UNMAPPED");
  CHECK(over[0]->count == 5);
  CHECK(over[0]->by_severity[1] == 5);
  CHECK(over[0]->subjects.size() == 3);
  CHECK(over[0]->without_subject == 1);
  CHECK(format_summary("labnorm", *over[0], 3) ==
        "smx labnorm: summary: [LAB-UNIT-UNMAPPED] 5 warnings (first 3 shown); 3 distinct values (1 without one)\n");
}

TEST_CASE("limiter: 0 means all; codes are counted apart; severities are listed worst first") {
  DiagnosticLimiter all(0);
  for (int i = 0; i < 50; ++i) CHECK(all.admit(diag(Severity::note, "X")));
  CHECK(all.over_limit().empty());
  DiagnosticLimiter limiter(1);
  CHECK(limiter.admit(diag(Severity::warning, "A")));
  CHECK(limiter.admit(diag(Severity::warning, "B")));
  CHECK_FALSE(limiter.admit(diag(Severity::error, "A")));
  CHECK_FALSE(limiter.admit(diag(Severity::warning, "A")));
  auto over = limiter.over_limit();
  REQUIRE(over.size() == 1);
  CHECK(format_summary("cat", *over[0], 1) == "smx cat: summary: [A] 1 error and 2 warnings (first 1 shown)\n");
}

TEST_CASE("limiter: the distinct set is bounded and then says 'more than'") {
  DiagnosticLimiter limiter(2, 4);
  for (int i = 0; i < 4; ++i) limiter.admit(diag(Severity::warning, "C", "s" + std::to_string(i)));
  for (int i = 0; i < 3; ++i) limiter.admit(diag(Severity::warning, "C", "s1"));  // seen: still 4
  auto over = limiter.over_limit();
  REQUIRE(over.size() == 1);
  CHECK_FALSE(over[0]->subjects_capped);
  CHECK(format_summary("x", *over[0], 2, 4) == "smx x: summary: [C] 7 warnings (first 2 shown); 4 distinct values\n");
  for (int i = 0; i < 1000; ++i) limiter.admit(diag(Severity::warning, "C", "t" + std::to_string(i)));
  over = limiter.over_limit();
  CHECK(over[0]->subjects.size() == 4);
  CHECK(over[0]->subjects_capped);
  CHECK(format_summary("x", *over[0], 2, 4) ==
        "smx x: summary: [C] 1007 warnings (first 2 shown); more than 4 distinct values\n");
}

TEST_CASE("stderr sink: N lines per code, a summary at finish, counts and exit inputs unchanged") {
  std::size_t errors = 0, warnings = 0;
  std::string text = capture_stderr([&] {
    StderrSink sink("labnorm", false, false, 10);
    for (int i = 0; i < 25; ++i) sink.report(diag(Severity::warning, "LAB-UNIT-UNMAPPED", "u" + std::to_string(i % 7)));
    sink.report(diag(Severity::error, "HL7-NO-MSH"));
    sink.finish();
    sink.finish();  // once only
    errors = sink.errors();
    warnings = sink.warnings();
  });
  auto lines = lines_of(text);
  REQUIRE(lines.size() == 12);
  CHECK(lines[0] == "smx labnorm: f.hl7:1:OBX[1]-6: warning: [LAB-UNIT-UNMAPPED] text");
  CHECK(lines[10] == "smx labnorm: f.hl7:1:OBX[1]-6: error: [HL7-NO-MSH] text");
  CHECK(lines[11] == "smx labnorm: summary: [LAB-UNIT-UNMAPPED] 25 warnings (first 10 shown); 7 distinct values");
  CHECK(warnings == 25);
  CHECK(errors == 1);
}

TEST_CASE("stderr sink: json keeps every record with its subject; quiet does not count what it hides") {
  std::string json = capture_stderr([] {
    StderrSink sink("cat", true, false, 10);
    for (int i = 0; i < 15; ++i) sink.report(diag(Severity::warning, "HL7-DELIM-YEN", "^~\u00A5&"));
    sink.report(diag(Severity::note, "CHARSET-JIS-ROMAN"));
  });
  auto lines = lines_of(json);
  REQUIRE(lines.size() == 16);
  CHECK(lines[0].find(",\"subject\":\"^~\u00A5&\"}") != std::string::npos);
  CHECK(lines[15].find("subject") == std::string::npos);
  std::string quiet = capture_stderr([] {
    StderrSink sink("cat", false, true, 2);
    for (int i = 0; i < 5; ++i) sink.report(diag(Severity::warning, "W"));
    for (int i = 0; i < 3; ++i) sink.report(diag(Severity::error, "E"));
  });  // the destructor prints the summary when finish() was not called
  lines = lines_of(quiet);
  REQUIRE(lines.size() == 3);
  CHECK(lines[2] == "smx cat: summary: [E] 3 errors (first 2 shown)");
}

// ---- issue 12: the rest of lib/cli -------------------------------------------------------------

TEST_CASE("format_diagnostic: path, message number and HL7 path only where known") {
  Diagnostic d{Severity::warning, "HL7-DT-NM", Location{"a/b.hl7", 3, 120, "OBX[2]-5"}, "not a number"};
  CHECK(format_diagnostic("validate", d) == "smx validate: a/b.hl7:3:OBX[2]-5: warning: [HL7-DT-NM] not a number\n");
  d.where.hl7_path.clear();
  CHECK(format_diagnostic("validate", d) == "smx validate: a/b.hl7:3: warning: [HL7-DT-NM] not a number\n");
  d.where.message = 0;
  CHECK(format_diagnostic("ls", d) == "smx ls: a/b.hl7: warning: [HL7-DT-NM] not a number\n");
  d.where.path.clear();
  d.severity = Severity::note;
  CHECK(format_diagnostic("ls", d) == "smx ls: note: [HL7-DT-NM] not a number\n");
}

TEST_CASE("format_diagnostic_json: one record, strings escaped, subject and hl7_path only when set") {
  Diagnostic d{Severity::error, "X-Y", Location{"dir/\"q\".hl7", 2, 7, ""}, "tab\there"};
  CHECK(format_diagnostic_json("cat", d) ==
        "{\"smx\":1,\"kind\":\"diag\",\"command\":\"cat\",\"severity\":\"error\",\"code\":\"X-Y\","
        "\"src\":{\"path\":\"dir/\\\"q\\\".hl7\",\"n\":2,\"offset\":7},\"text\":\"tab\\there\"}\n");
  d.where.hl7_path = "PID-3";
  d.subject = "U/ML";
  const std::string json = format_diagnostic_json("cat", d);
  CHECK(json.find(",\"hl7_path\":\"PID-3\",\"text\"") != std::string::npos);
  CHECK(json.find(",\"subject\":\"U/ML\"}\n") != std::string::npos);
}

TEST_CASE("diagnostic printer: writes through its writer, limits text, counts everything") {
  std::string out;
  std::size_t errors = 0, warnings = 0;
  {
    DiagnosticPrinter printer("validate", false, false, 2, [&](std::string_view line) { out += line; });
    for (int i = 0; i < 4; ++i) printer.report(diag(Severity::warning, "W", "s" + std::to_string(i)));
    printer.report(diag(Severity::error, "E"));
    printer.report(diag(Severity::note, "N"));
    errors = printer.errors();
    warnings = printer.warnings();
  }  // the destructor writes the summary through the writer
  auto lines = lines_of(out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0] == "smx validate: f.hl7:1:OBX[1]-6: warning: [W] text");
  CHECK(lines[2] == "smx validate: f.hl7:1:OBX[1]-6: error: [E] text");
  CHECK(lines[3] == "smx validate: f.hl7:1:OBX[1]-6: note: [N] text");
  CHECK(lines[4] == "smx validate: summary: [W] 4 warnings (first 2 shown); 4 distinct values");
  CHECK(errors == 1);
  CHECK(warnings == 4);
  // JSON is never limited and has no summary lines.
  std::string json;
  {
    DiagnosticPrinter printer("validate", true, false, 2, [&](std::string_view line) { json += line; });
    for (int i = 0; i < 5; ++i) printer.report(diag(Severity::warning, "W"));
    printer.finish();
  }
  CHECK(lines_of(json).size() == 5);
  // Quiet hides all but errors, and still counts the warnings (exit statuses depend on them).
  std::string quiet;
  DiagnosticPrinter printer("x", false, true, 10, [&](std::string_view line) { quiet += line; });
  printer.report(diag(Severity::warning, "W"));
  printer.report(diag(Severity::error, "E"));
  CHECK(lines_of(quiet).size() == 1);
  CHECK(printer.warnings() == 1);
}

TEST_CASE("run: exceptions become one line on stderr and exit status 2; the body's status passes") {
  int status = -1;
  std::string text = capture_stderr([&] { status = run("gen", [] { return kDataProblems; }); });
  CHECK(status == 1);
  CHECK(text.empty());
  struct Case {
    std::function<int()> body;
    std::string line;
  };
  const std::vector<Case> cases = {
      {[]() -> int { throw usage_error("the deviation rate must be 0-1"); },
       "smx gen: error: the deviation rate must be 0-1\n"},
      {[]() -> int { throw config_error("t.yaml:3:1: bad"); }, "smx gen: error: t.yaml:3:1: bad\n"},
      {[]() -> int { throw io_error("cannot write out: No space left on device"); },
       "smx gen: error: cannot write out: No space left on device\n"},
      {[]() -> int { throw parse_error("bad path", 3); }, "smx gen: error: bad path\n"},
      {[]() -> int { throw std::bad_alloc(); }, "smx gen: error: out of memory\n"},
      {[]() -> int { throw std::logic_error("oops"); }, "smx gen: error: internal error: oops\n"},
  };
  for (const Case& c : cases) {
    text = capture_stderr([&] { status = run("gen", c.body); });
    CHECK(status == kFailed);
    CHECK(text == c.line);
  }
}

TEST_CASE("print_stats: text names filtered and undetermined only when there are any; json always") {
  Counts c;
  c.files = 2;
  c.read = 10;
  c.written = 7;
  c.rejected = 1;
  std::string text = capture_stderr([&] { print_stats("cat", "text", c); });
  CHECK(text == "smx cat: files 2, read 10, written 7, rejected 1\n");
  c.filtered = 2;
  c.undetermined = 1;
  text = capture_stderr([&] { print_stats("cat", "text", c); });
  CHECK(text == "smx cat: files 2, read 10, written 7, rejected 1, filtered 2 (1 undetermined)\n");
  text = capture_stderr([&] { print_stats("cat", "json", c); });
  CHECK(text ==
        "{\"smx\":1,\"kind\":\"stats\",\"command\":\"cat\",\"files\":2,\"read\":10,\"written\":7,\"rejected\":1,"
        "\"filtered\":2,\"undetermined\":1}\n");
}
