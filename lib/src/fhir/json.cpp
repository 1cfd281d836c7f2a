// NDJSON sinks and the delete list.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "smx/fhir.hpp"

namespace smx::fhir {

void DeleteTracker::resource(std::string_view type, std::string_view id, std::string_view json) {
  next_.resource(type, id, json);
  live_.insert(std::string(type) + "/" + std::string(id));
}

void DeleteTracker::retired(std::string_view type, std::string_view id) {
  if (candidate_seen_.insert(std::string(type) + "/" + std::string(id)).second)
    candidates_.emplace_back(std::string(type), std::string(id));
}

std::vector<std::pair<std::string, std::string>> DeleteTracker::delete_list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [type, id] : candidates_)
    if (!live_.count(type + "/" + id)) out.emplace_back(type, id);
  return out;
}

void NdjsonSink::resource(std::string_view, std::string_view, std::string_view json) {
  std::string& b = out_.buffer();
  b.append(json);
  b.push_back('\n');
  out_.maybe_flush();
}

BulkDirectorySink::BulkDirectorySink(std::string directory) : directory_(std::move(directory)) {
  if (directory_.empty()) throw usage_error("no output directory");
  if (::mkdir(directory_.c_str(), 0777) != 0 && errno != EEXIST)
    throw io_error(directory_ + ": cannot create directory: " + std::strerror(errno));
  struct stat st {};
  if (::stat(directory_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw io_error(directory_ + ": not a directory");
}

void BulkDirectorySink::resource(std::string_view type, std::string_view, std::string_view json) {
  auto it = files_.find(type);
  if (it == files_.end()) {
    std::string path = directory_ + "/" + std::string(type) + ".ndjson";
    it = files_.emplace(std::string(type), std::make_unique<Output>(path)).first;
  }
  std::string& b = it->second->buffer();
  b.append(json);
  b.push_back('\n');
  it->second->maybe_flush();
}

void BulkDirectorySink::commit() {
  for (auto& [type, out] : files_) out->commit();
}

void write_delete_list(Output& out, const std::vector<std::pair<std::string, std::string>>& deletes) {
  for (const auto& [type, id] : deletes) {
    std::string& b = out.buffer();
    JsonWriter w(b);
    w.begin_object();
    w.string("resourceType", type);
    w.string("id", id);
    w.end_object();
    b.push_back('\n');
    out.maybe_flush();
  }
}

}  // namespace smx::fhir
