// Progress on stderr and the Prometheus textfile of a run (smx/cli.hpp).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "smx/cli.hpp"

namespace smx::cli {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buffer[32];
  if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buffer, sizeof buffer, "%ld:%02ld", s / 60, s % 60);
  return buffer;
}

}  // namespace

Progress::Progress(std::string command, const std::string& mode) : command_(std::move(command)) {
  if (mode == "on") enabled_ = true;
  else if (mode == "auto") {
    const char* term = std::getenv("TERM");
    enabled_ = ::isatty(2) == 1 && !(term != nullptr && std::string_view(term) == "dumb");
  }
  started_ = last_draw_ = now_seconds();
}

Progress::~Progress() { clear(); }

std::string Progress::line(const Counts& c, double seconds) const {
  char buffer[256];
  const double rate = seconds > 0 ? static_cast<double>(c.read) / seconds : 0;
  std::string text = "smx " + command_ + ": ";
  if (total_files_ > 0) {
    const double done = static_cast<double>(c.files) / static_cast<double>(total_files_);
    std::snprintf(buffer, sizeof buffer, "%llu/%llu files (%.0f%%)", static_cast<unsigned long long>(c.files),
                  static_cast<unsigned long long>(total_files_), 100 * done);
    text += buffer;
  } else {
    text += std::to_string(c.files) + " files";
  }
  std::snprintf(buffer, sizeof buffer, ", %llu messages, %.0f/s, %s", static_cast<unsigned long long>(c.read), rate,
                clock_text(seconds).c_str());
  text += buffer;
  if (total_files_ > 0 && c.files > 0 && c.files < total_files_)
    text += ", ETA " + clock_text(seconds * static_cast<double>(total_files_ - c.files) / static_cast<double>(c.files));
  return text;
}

void Progress::draw(const Counts& counts, bool force) {
  const double now = now_seconds();
  if (!force && now - last_draw_ < 0.2) return;
  last_draw_ = now;
  // \r and "erase to end of line" (ECMA-48 EL): the line is redrawn in place.
  std::string text = "\r" + line(counts, now - started_) + "\x1b[K";
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  std::fputs("\r\x1b[K", stderr);
  drawn_ = false;
}

void Progress::finish(const Counts& counts) {
  if (!enabled_) return;
  draw(counts, true);
  std::fputs("\n", stderr);
  drawn_ = false;
  enabled_ = false;
}

void write_metrics(const std::string& path, const std::string& command, const Counts& c, double seconds, int status) {
  // The last success survives a failed run: read it back from the file being replaced.
  std::string last_success;
  if (status == kFailed) {
    std::ifstream previous(path);
    std::string l;
    const std::string prefix = "smx_last_success_timestamp_seconds{command=\"" + command + "\"} ";
    while (std::getline(previous, l))
      if (l.rfind(prefix, 0) == 0) last_success = l.substr(prefix.size());
  } else {
    last_success = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  }
  std::string text;
  const std::string label = "{command=\"" + command + "\"} ";
  auto metric = [&](const char* name, const char* type, const char* help, const std::string& value) {
    text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    text += std::string(name) + label + value + "\n";
  };
  metric("smx_files_read", "gauge", "Files read by the last run.", std::to_string(c.files));
  metric("smx_messages_read", "gauge", "Messages read by the last run.", std::to_string(c.read));
  metric("smx_messages_written", "gauge", "Messages written by the last run.", std::to_string(c.written));
  metric("smx_messages_rejected", "gauge", "Messages rejected by the last run.", std::to_string(c.rejected));
  metric("smx_messages_filtered", "gauge", "Messages left out by filters in the last run.", std::to_string(c.filtered));
  metric("smx_delete_records", "gauge", "Delete records passed on by the last run.", std::to_string(c.deletions));
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.3f", seconds);
  metric("smx_run_duration_seconds", "gauge", "Wall time of the last run.", duration);
  metric("smx_run_exit_status", "gauge", "Exit status of the last run (0 ok, 1 data problems, 2 failed).",
         std::to_string(status));
  if (!last_success.empty())
    metric("smx_last_success_timestamp_seconds", "gauge", "When a run last ended with exit status 0 or 1 (Unix time).",
           last_success);
  Output out(path);
  out.write(text);
  out.commit();
}

}  // namespace smx::cli
