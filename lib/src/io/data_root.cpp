// The data-folder resolver (data_root.hpp). SMX_DATADIR, SMX_SOURCE_DIR_AT_BUILD and
// SMX_BUILD_DIR_AT_BUILD are compiled into this file only (CMakeLists.txt).
#include "smx/data_root.hpp"

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "smx/error.hpp"

namespace smx {
namespace {

namespace fs = std::filesystem;

bool holds_tables(const fs::path& dir) {
  std::error_code ec;
  return !dir.empty() && fs::is_regular_file(dir / "units" / "aliases.yaml", ec);
}

fs::path canonical_or_plain(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : c;
}

// True when `file` lies below `folder` (both made canonical, so symlinks and ".." do not fool it).
bool is_inside(const fs::path& file, const fs::path& folder) {
  if (file.empty() || folder.empty()) return false;
  const fs::path f = canonical_or_plain(file), d = canonical_or_plain(folder);
  auto [end_d, end_f] = std::mismatch(d.begin(), d.end(), f.begin(), f.end());
  if (end_d == d.end()) return true;
  // weakly_canonical keeps a trailing separator as an empty last element.
  return std::next(end_d) == d.end() && end_d->empty();
}

}  // namespace

DataRoot resolve_data_root(const DataRootInputs& in) {
  DataRoot found;
  if (!in.given.empty()) {
    found.dir = in.given;
    found.origin = "given";
    return found;
  }
  if (!in.environment.empty()) {
    found.dir = in.environment;
    found.origin = "SMX_TABLES";
    return found;
  }
  found.tried.emplace_back("$SMX_TABLES (unset)");
  auto try_place = [&](const fs::path& dir, const char* origin) {
    if (dir.empty()) return false;
    if (holds_tables(dir)) {
      found.dir = dir;
      found.origin = origin;
      return true;
    }
    found.tried.push_back(dir.string());
    return false;
  };
  if (is_inside(in.executable, in.build_dir)) {
    try_place(in.source_dir, "source tree");
    return found;
  }
  if (try_place(in.install_dir, "install")) return found;
  if (!in.executable.empty()) {
    const fs::path relocated = (in.executable.parent_path() / ".." / "share" / "smx").lexically_normal();
    if (relocated != in.install_dir.lexically_normal()) try_place(relocated, "relocated install");
  }
  return found;
}

fs::path executable_path() {
#if defined(__linux__)
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) return exe;
#endif
  return {};
}

DataRootInputs current_data_root_inputs(std::string given) {
  DataRootInputs in;
  in.given = std::move(given);
  if (const char* env = std::getenv("SMX_TABLES"); env != nullptr) in.environment = env;
  in.executable = executable_path();
#ifdef SMX_DATADIR
  in.install_dir = SMX_DATADIR;
#endif
#if defined(SMX_SOURCE_DIR_AT_BUILD) && defined(SMX_BUILD_DIR_AT_BUILD)
  in.source_dir = SMX_SOURCE_DIR_AT_BUILD;
  in.build_dir = SMX_BUILD_DIR_AT_BUILD;
#endif
  return in;
}

fs::path data_root(std::string given) {
  return require_data_root(resolve_data_root(current_data_root_inputs(std::move(given))));
}

fs::path require_data_root(const DataRoot& root) {
  if (!root.dir.empty()) return root.dir;
  std::string list;
  for (const auto& place : root.tried) list += (list.empty() ? "" : ", ") + place;
  throw config_error("no tables found (units/aliases.yaml); tried " + list +
                     "; set SMX_TABLES to the folder that holds units/ and mappings/");
}

}  // namespace smx
