// The patient ID and dates that an SS-MIX2 path carries, masked for diagnostics (design: no
// patient IDs or dates in diagnostics unless --show-phi).
#include <algorithm>
#include <vector>

#include "smx/ssmix2.hpp"

namespace smx::ssmix2 {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// PID_DATE_TYPE_ORDER_TIMESTAMP_DEPT_FLAG: the patient, the care date and the timestamp go
// (whatever patient the name holds: it may differ from its folder's).
std::string mask_file_name(std::string_view name) {
  if (std::count(name.begin(), name.end(), '_') != 6) return std::string(name);
  const std::size_t first = name.find('_');
  std::vector<std::string_view> parts;
  for (std::size_t start = first + 1;;) {
    const std::size_t end = name.find('_', start);
    parts.push_back(name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  // Only a name of the SS-MIX2 shape: a care date (8 digits or -) and a timestamp of digits.
  if (parts.size() != 6 || !(parts[0] == "-" || (parts[0].size() == 8 && all_digits(parts[0]))) || !all_digits(parts[3]))
    return std::string(name);
  std::string out = "*";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const bool date = i == 0 && parts[i] != "-";
    const bool timestamp = i == 3;
    out += '_';
    out += date || timestamp ? std::string_view("*") : parts[i];
  }
  return out;
}

// Inside a patient's folders even a name of another shape hides its patient and its dates:
// every '_'-separated part that is the folder's patient or of 8 or more digits.
std::string mask_name_in_tree(std::string_view name, std::string_view patient) {
  std::string masked = mask_file_name(name);
  if (masked != name) return masked;
  masked.clear();
  for (std::size_t start = 0;;) {
    const std::size_t end = name.find('_', start);
    const std::string_view part = name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (start) masked += '_';
    masked += part == patient || (part.size() >= 8 && all_digits(part)) ? std::string_view("*") : part;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return masked;
}

}  // namespace

std::string mask_path(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  // pid3/pid6/pid: the storage's three patient levels (SS-MIX2 標準化ストレージ 構成の説明).
  std::size_t at = parts.size();
  for (std::size_t i = 0; i + 2 < parts.size(); ++i) {
    const std::string_view a = parts[i], b = parts[i + 1], c = parts[i + 2];
    if (a.size() == 3 && b.size() == 3 && c.size() >= 6 && c.substr(0, 3) == a && c.substr(3, 3) == b) at = i;
  }
  if (at == parts.size()) {
    // Not inside a storage tree: a lone SS-MIX2 file name still names its patient.
    if (parts.size() == 1) return mask_file_name(parts[0]);
    std::string out(path.substr(0, path.size() - parts.back().size()));
    return out + mask_file_name(parts.back());
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    if (i >= at && i <= at + 2) out += '*';
    else if (i == at + 3 && parts[i].size() == 8 && all_digits(parts[i])) out += '*';
    else if (i > at + 2) out += mask_name_in_tree(parts[i], parts[at + 2]);
    else out += parts[i];
  }
  return out;
}

}  // namespace smx::ssmix2
