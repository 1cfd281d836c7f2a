// lib/cli: the diagnostics limiter (issue 11 item 7: one warning line per OBX is unreadable).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
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
