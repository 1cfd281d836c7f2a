#include <cstdio>
#include <exception>
#include <functional>

#include "smx/cli.hpp"
#include "smx/ssmix2.hpp"

namespace smx::cli {

std::string format_diagnostic(const std::string& command, const Diagnostic& d) {
  std::string s = "smx " + command + ": ";
  if (!d.where.path.empty()) {
    s += d.where.path;
    if (d.where.message) s += ":" + std::to_string(d.where.message);
    if (!d.where.hl7_path.empty()) s += ":" + d.where.hl7_path;
    s += ": ";
  }
  s += std::string(severity_name(d.severity)) + ": [" + d.code + "] " + d.text + "\n";
  return s;
}

std::string format_diagnostic_json(const std::string& command, const Diagnostic& d) {
  std::string s;
  json::Writer w(s);
  begin_record(w, kinds::diag);
  w.string(keys::command, command);
  w.string(keys::severity, severity_name(d.severity));
  w.string(keys::code, d.code);
  write_source(w, Source{d.where.path, d.where.message, d.where.offset});
  if (!d.where.hl7_path.empty()) w.string(keys::hl7_path, d.where.hl7_path);
  w.string(keys::text, d.text);
  if (!d.subject.empty()) w.string(keys::subject, d.subject);
  w.end_object();
  s.push_back('\n');
  return s;
}

DiagnosticLimiter::DiagnosticLimiter(std::size_t limit, std::size_t max_subjects)
    : limit_(limit), max_subjects_(max_subjects) {}

bool DiagnosticLimiter::admit(const Diagnostic& d) {
  auto [it, inserted] = index_.try_emplace(d.code, tallies_.size());
  if (inserted) {
    tallies_.emplace_back();
    tallies_.back().code = d.code;
  }
  CodeTally& t = tallies_[it->second];
  ++t.count;
  ++t.by_severity[static_cast<int>(d.severity)];
  if (d.subject.empty()) {
    ++t.without_subject;
  } else {
    // 64-bit hashes: memory stays a few bytes a subject, and a collision between two of at most
    // 100,000 subjects has a probability below 1e-9.
    std::uint64_t h = std::hash<std::string_view>{}(d.subject);
    if (t.subjects.size() < max_subjects_)
      t.subjects.insert(h);
    else if (!t.subjects_capped && t.subjects.find(h) == t.subjects.end())
      t.subjects_capped = true;
  }
  return limit_ == 0 || t.count <= limit_;
}

std::vector<const DiagnosticLimiter::CodeTally*> DiagnosticLimiter::over_limit() const {
  std::vector<const CodeTally*> out;
  if (limit_ == 0) return out;
  for (const CodeTally& t : tallies_)
    if (t.count > limit_) out.push_back(&t);
  return out;
}

std::string format_summary(const std::string& command, const DiagnosticLimiter::CodeTally& t, std::size_t shown,
                           std::size_t max_subjects) {
  static constexpr const char* names[3] = {"note", "warning", "error"};
  std::string s = "smx " + command + ": summary: [" + t.code + "] ";
  bool first = true;
  for (int k = 2; k >= 0; --k) {
    if (t.by_severity[k] == 0) continue;
    if (!first) s += " and ";
    first = false;
    s += std::to_string(t.by_severity[k]) + " " + names[k] + (t.by_severity[k] == 1 ? "" : "s");
  }
  s += " (first " + std::to_string(shown) + " shown)";
  if (t.subjects_capped) {
    s += "; more than " + std::to_string(max_subjects) + " distinct values";
  } else if (!t.subjects.empty()) {
    s += "; " + std::to_string(t.subjects.size()) + " distinct value" + (t.subjects.size() == 1 ? "" : "s");
  }
  if (!t.subjects.empty() && t.without_subject > 0) s += " (" + std::to_string(t.without_subject) + " without one)";
  s += "\n";
  return s;
}

DiagnosticPrinter::DiagnosticPrinter(std::string command, bool json, bool quiet, std::size_t max_per_code,
                                     Writer write)
    : command_(std::move(command)), json_(json), quiet_(quiet), limiter_(json ? 0 : max_per_code),
      write_(std::move(write)) {}

DiagnosticPrinter::~DiagnosticPrinter() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw; the summary is only lost
  }
}

void DiagnosticPrinter::report(Diagnostic d) {
  if (d.severity == Severity::error) ++errors_;
  if (d.severity == Severity::warning) ++warnings_;
  if (quiet_ && d.severity != Severity::error) return;
  if (!limiter_.admit(d)) return;
  if (!show_phi_) {
    // An SS-MIX2 path names the patient and the care date; so do the texts of the tree checks
    // (they quote the parts of the name): those get their code's fixed summary.
    if (!d.where.path.empty()) d.where.path = ssmix2::mask_path(d.where.path);
    for (const ssmix2::DiagnosticCode& c : ssmix2::diagnostic_codes())
      if (c.code == d.code) {
        d.text = std::string(c.summary);
        break;
      }
  }
  write_(json_ ? format_diagnostic_json(command_, d) : format_diagnostic(command_, d));
}

void DiagnosticPrinter::finish() {
  if (finished_) return;
  finished_ = true;
  for (const auto* tally : limiter_.over_limit())
    write_(format_summary(command_, *tally, limiter_.limit(), limiter_.max_subjects()));
}

StderrSink::StderrSink(std::string command, bool json, bool quiet, std::size_t max_per_code)
    : DiagnosticPrinter(std::move(command), json, quiet, max_per_code,
                        [](std::string_view line) { std::fwrite(line.data(), 1, line.size(), stderr); }) {}

int run(const std::string& command, const std::function<int()>& body) {
  auto fail = [&](const std::string& what) {
    std::string line = "smx " + command + ": error: " + what + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    return kFailed;
  };
  try {
    return body();
  } catch (const usage_error& e) {
    return fail(e.what());
  } catch (const config_error& e) {
    return fail(e.what());
  } catch (const io_error& e) {
    return fail(e.what());
  } catch (const parse_error& e) {
    return fail(e.what());
  } catch (const std::bad_alloc&) {
    return fail("out of memory");
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what());
  }
}

std::string format_stats(const std::string& command, const std::string& mode, const Counts& c) {
  std::string line;
  if (mode == "json") {
    json::Writer w(line);
    begin_stats(w, command);
    w.numbers({{"files", c.files}, {"read", c.read}, {"written", c.written}, {"rejected", c.rejected},
               {"filtered", c.filtered}, {"undetermined", c.undetermined}});
    w.end_object();
  } else {
    line = "smx " + command + ": files " + std::to_string(c.files) + ", read " + std::to_string(c.read) +
           ", written " + std::to_string(c.written) + ", rejected " + std::to_string(c.rejected);
    if (c.filtered) line += ", filtered " + std::to_string(c.filtered);
    if (c.undetermined) line += " (" + std::to_string(c.undetermined) + " undetermined)";
  }
  line += "\n";
  return line;
}

void print_text(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stderr); }

void print_stats(const std::string& command, const std::string& mode, const Counts& c) {
  print_text(format_stats(command, mode, c));
}

}  // namespace smx::cli
