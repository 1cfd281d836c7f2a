// JSON writer, FHIR decimal check, NDJSON sinks.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "smx/fhir.hpp"

namespace smx::fhir {

void JsonWriter::prefix() {
  if (stack_.empty()) return;
  if (!stack_.back().empty) out_.push_back(',');
  stack_.back().empty = false;
}

void JsonWriter::open(std::string_view key, bool has_key, char bracket) {
  Level level{out_.size(), true, stack_.empty() ? true : stack_.back().empty};
  prefix();
  if (has_key) {
    append_json_string(out_, key);
    out_.push_back(':');
  }
  out_.push_back(bracket);
  stack_.push_back(level);
}

bool JsonWriter::close(char bracket) {
  Level level = stack_.back();
  stack_.pop_back();
  if (level.empty) {
    out_.resize(level.rollback);
    if (!stack_.empty()) stack_.back().empty = level.parent_was_empty;
    return false;
  }
  out_.push_back(bracket);
  return true;
}

void JsonWriter::begin_object() { open({}, false, '{'); }
void JsonWriter::begin_object(std::string_view key) { open(key, true, '{'); }
bool JsonWriter::end_object() { return close('}'); }
void JsonWriter::begin_array(std::string_view key) { open(key, true, '['); }
bool JsonWriter::end_array() { return close(']'); }

void JsonWriter::string(std::string_view key, std::string_view value) {
  if (value.empty()) return;
  prefix();
  append_json_string(out_, key);
  out_.push_back(':');
  append_json_string(out_, value);
}

void JsonWriter::string_element(std::string_view value) {
  if (value.empty()) return;
  prefix();
  append_json_string(out_, value);
}

void JsonWriter::number(std::string_view key, std::string_view json_number) {
  prefix();
  append_json_string(out_, key);
  out_.push_back(':');
  out_.append(json_number);
}

void JsonWriter::boolean(std::string_view key, bool value) {
  prefix();
  append_json_string(out_, key);
  out_.push_back(':');
  out_.append(value ? "true" : "false");
}

// FHIR decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?  (same as JSON number)
bool is_json_number(std::string_view t) {
  std::size_t i = 0, n = t.size();
  auto digit = [&](std::size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
  if (i < n && t[i] == '-') ++i;
  if (!digit(i)) return false;
  if (t[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n && n <= 64;
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
    b.append("{\"resourceType\":");
    append_json_string(b, type);
    b.append(",\"id\":");
    append_json_string(b, id);
    b.append("}\n");
    out.maybe_flush();
  }
}

}  // namespace smx::fhir
