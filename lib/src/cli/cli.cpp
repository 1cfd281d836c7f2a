#include <cstdio>
#include <exception>

#include "smx/cli.hpp"

namespace smx {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::note: return "note";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

}  // namespace smx

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
  std::string s = "{\"smx\":1,\"kind\":\"diag\",\"command\":";
  append_json_string(s, command);
  s += ",\"severity\":\"" + std::string(severity_name(d.severity)) + "\",\"code\":";
  append_json_string(s, d.code);
  s += ",\"src\":{\"path\":";
  append_json_string(s, d.where.path);
  s += ",\"n\":" + std::to_string(d.where.message) + ",\"offset\":" + std::to_string(d.where.offset) + "}";
  if (!d.where.hl7_path.empty()) {
    s += ",\"hl7_path\":";
    append_json_string(s, d.where.hl7_path);
  }
  s += ",\"text\":";
  append_json_string(s, d.text);
  s += "}\n";
  return s;
}

StderrSink::StderrSink(std::string command, bool json, bool quiet)
    : command_(std::move(command)), json_(json), quiet_(quiet) {}

void StderrSink::report(Diagnostic d) {
  if (d.severity == Severity::error) ++errors_;
  if (d.severity == Severity::warning) ++warnings_;
  if (quiet_ && d.severity != Severity::error) return;
  std::string line = json_ ? format_diagnostic_json(command_, d) : format_diagnostic(command_, d);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

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

void print_stats(const std::string& command, const std::string& mode, const Counts& c) {
  std::string line;
  if (mode == "json") {
    line = "{\"smx\":1,\"kind\":\"stats\",\"command\":\"" + command + "\",\"files\":" + std::to_string(c.files) +
           ",\"read\":" + std::to_string(c.read) + ",\"written\":" + std::to_string(c.written) +
           ",\"rejected\":" + std::to_string(c.rejected) + ",\"filtered\":" + std::to_string(c.filtered) +
           ",\"undetermined\":" + std::to_string(c.undetermined) + "}\n";
  } else {
    line = "smx " + command + ": files " + std::to_string(c.files) + ", read " + std::to_string(c.read) +
           ", written " + std::to_string(c.written) + ", rejected " + std::to_string(c.rejected);
    if (c.filtered) line += ", filtered " + std::to_string(c.filtered);
    if (c.undetermined) line += " (" + std::to_string(c.undetermined) + " undetermined)";
    line += "\n";
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace smx::cli
