// SS-MIX2 trees: where a file sits (reference §2, §7), the deterministic walk, filters.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <utility>

#include "name_internal.hpp"

namespace smx::ssmix2 {
namespace {

using detail::add_problem;

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    start = end + 1;
  }
  return parts;
}

std::string join_path(std::string_view root, std::string_view relative) {
  if (relative.empty()) return std::string(root);
  if (root.empty()) return std::string(relative);
  std::string out(root);
  if (out.back() != '/') out += '/';
  out += relative;
  return out;
}

bool looks_like_date_folder(std::string_view s) { return s == "-" || detail::is_valid_date(s); }

bool looks_like_type_folder(std::string_view s) {
  if (find_data_type(s) != nullptr) return true;
  if (s.size() != 3 && s.size() != 6) return false;
  for (std::size_t i = 0; i < 3; ++i)
    if (s[i] < 'A' || s[i] > 'Z') return false;
  return s.size() == 3 || (s[3] == '-' && s[4] >= '0' && s[4] <= '9' && s[5] >= '0' && s[5] <= '9');
}

std::string_view prefix_of(std::string_view patient, std::size_t begin) {
  if (begin >= patient.size()) return {};
  return patient.substr(begin, 3);
}

std::string errno_text(int error) { return std::strerror(error); }

// The folder levels above a file: the relative path's, and when that is shorter than the layout,
// the root's own ones in front of them.
struct Levels {
  std::vector<std::string> full;     // folders, top down (the root's first when borrowed)
  std::string file;                  // the last part (the root itself for describe(dir, ""))
  std::optional<std::size_t> kind;   // index in `full` of the §7 data-kind folder (with '^')
  std::size_t relative_levels = 0;   // folders below the root
  std::size_t offset = 0;            // levels taken from the root
  bool borrowed = false;
};

Levels read_levels(const std::string& root, const std::string& relative) {
  Levels l;
  l.full = split_path(relative);
  if (!l.full.empty()) {
    l.file = std::move(l.full.back());
    l.full.pop_back();
  }
  l.relative_levels = l.full.size();
  for (std::size_t i = 0; i < l.full.size(); ++i)
    if (l.full[i].find('^') != std::string::npos) {
      l.kind = i;
      break;
    }
  if (l.kind ? *l.kind >= 4 : l.full.size() >= 5) return l;
  std::error_code error;
  auto absolute = std::filesystem::absolute(root.empty() ? "." : root, error).lexically_normal();
  std::vector<std::string> root_parts = split_path(error ? root : absolute.generic_string());
  if (l.file.empty() && !root_parts.empty()) {  // describe(dir, ""): the root is the file itself
    l.file = std::move(root_parts.back());
    root_parts.pop_back();
  }
  l.offset = root_parts.size();
  l.borrowed = l.offset > 0;
  if (l.kind) {
    *l.kind += l.offset;
  } else {
    for (std::size_t i = root_parts.size(); i-- > 0;)
      if (root_parts[i].find('^') != std::string::npos) {
        l.kind = i;
        break;
      }
  }
  l.full.insert(l.full.begin(), std::make_move_iterator(root_parts.begin()),
                std::make_move_iterator(root_parts.end()));
  return l;
}

}  // namespace

// §2: <pid[0:3]>/<pid[3:6]>/<pid>/<date|->/<type>/<file>; §7 extended storage:
// <pid[0:3]>/<pid[3:6]>/<pid>/<date>/<data kind with ^>/<content folder>/<files...>.
// When the relative path is shorter than the layout (the root is a patient, date or type folder,
// or a single file), the missing upper levels are read from the root's own path.
Entry describe(const std::string& root, const std::string& relative) {
  Entry entry;
  entry.root = root;
  entry.relative = relative;
  entry.path = join_path(root, relative);

  Levels levels = read_levels(root, relative);
  std::vector<std::string>& full = levels.full;
  const std::string& file = levels.file;
  std::optional<std::size_t>& kind = levels.kind;
  const std::size_t relative_levels = levels.relative_levels, offset = levels.offset;
  const bool borrowed = levels.borrowed;

  std::vector<NameProblem>& problems = entry.problems;
  auto depth_problem = [&](std::string_view expected) {
    add_problem(problems, "SSMX-PATH-DEPTH",
                "file is " + std::to_string(relative_levels) + " folder levels below the root; expected " +
                    std::string(expected));
  };
  static constexpr std::string_view standard_layout = "pid[0:3]/pid[3:6]/pid/date/type/file";
  static constexpr std::string_view extended_layout =
      "pid[0:3]/pid[3:6]/pid/date/<data kind>/<content folder>/files";

  std::size_t pid_index = 0;
  std::string date_folder, type_folder;
  bool placed = true;
  if (kind) {
    entry.extended = true;
    entry.data_kind = full[*kind];
    if (*kind + 1 >= full.size()) {
      depth_problem(extended_layout);
      // No content folder: the file name is the only name there is.
      entry.name = detail::parse_name(file, detail::NameKind::extended_content, problems);
      return entry;
    }
    entry.name = detail::parse_name(full[*kind + 1], detail::NameKind::extended_content, problems);
    if (*kind < 2) {
      placed = false;
      depth_problem(extended_layout);
    } else {
      pid_index = *kind - 2;
      date_folder = full[*kind - 1];
    }
  } else {
    entry.name = detail::parse_name(file, detail::NameKind::standardized, problems);
    if (full.size() < 3) {
      placed = false;
      depth_problem(standard_layout);
    } else {
      pid_index = full.size() - 3;
      date_folder = full[full.size() - 2];
      type_folder = full[full.size() - 1];
    }
  }
  if (!placed) return entry;

  const std::string& pid = full[pid_index];
  const bool short_id = pid.size() < 6;  // §2: unconfirmed rule; any prefix folders tolerated
  auto prefix_matches = [&](std::size_t level) {  // level 0 = pid[0:3], 1 = pid[3:6]
    return short_id || full[pid_index - 2 + level] == prefix_of(pid, 3 * level);
  };
  if (borrowed) {
    // Levels read from the root's own path must look like the layout; if they do not, the file
    // simply sits too shallow below the root.
    bool root_levels_fit = short_id || pid_index >= 2;
    for (std::size_t level = 0; level < 2 && root_levels_fit; ++level)
      if (pid_index + level >= 2 && pid_index - 2 + level < offset) root_levels_fit = prefix_matches(level);
    if (pid_index + 1 < offset) root_levels_fit = root_levels_fit && looks_like_date_folder(date_folder);
    if (!kind && pid_index + 2 < offset) root_levels_fit = root_levels_fit && looks_like_type_folder(type_folder);
    if (!root_levels_fit) {
      depth_problem(kind ? extended_layout : standard_layout);
      return entry;
    }
    for (std::size_t level = 0; level < 2; ++level)
      if (pid_index + level >= 2 && pid_index - 2 + level >= offset && !prefix_matches(level))
        add_problem(problems, "SSMX-PATH-PATIENT",
                    "prefix folders are not the first 3 and next 3 characters of the patient folder");
  } else if (short_id ? pid_index > 2 : pid_index != 2) {
    depth_problem(kind ? extended_layout : standard_layout);
  } else if (!prefix_matches(0) || !prefix_matches(1)) {
    add_problem(problems, "SSMX-PATH-PATIENT",
                "prefix folders are not the first 3 and next 3 characters of the patient folder");
  }

  if (!entry.name) return entry;
  const FileName& name = *entry.name;
  // Patient IDs stay out of diagnostic text (design: no IDs unless --show-phi); the path has them.
  if (name.patient != pid)
    add_problem(problems, "SSMX-PATH-PATIENT", "patient ID in the name differs from the patient folder");
  if (name.date != date_folder)
    add_problem(problems, "SSMX-PATH-DATE",
                "care date '" + name.date + "' in the name differs from the date folder '" + date_folder + "'");
  if (!kind && name.type != type_folder)
    add_problem(problems, "SSMX-PATH-TYPE",
                "data type '" + name.type + "' in the name differs from the folder '" + type_folder + "'");
  return entry;
}

bool passes(const Entry& entry, const WalkOptions& options) {
  const FileName* name = entry.name ? &*entry.name : nullptr;
  auto contains = [](const auto& list, const auto& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
  };
  // Readers decide unnamed files by their content (stream RecordFilter); only the file-level
  // filters below (since, shard) apply to them here.
  const bool by_name = name != nullptr || !options.keep_unnamed;
  if (by_name && !options.types.empty()) {
    if (name == nullptr) return false;
    if (!contains(options.types, name->type) && !(entry.extended && contains(options.types, entry.data_kind)))
      return false;
  }
  if (by_name && !options.patients.empty() && (name == nullptr || !contains(options.patients, name->patient)))
    return false;
  if (by_name && (!options.from.empty() || !options.to.empty())) {
    // §2: "-" folders hold undated data; no date range can select them.
    if (name == nullptr || !detail::is_valid_date(name->date)) return false;
    if (!options.from.empty() && name->date < options.from) return false;
    if (!options.to.empty() && name->date > options.to) return false;
  }
  if (options.since && entry.mtime < *options.since) return false;
  if (by_name && !options.flags.empty() && (name == nullptr || !contains(options.flags, name->flag))) return false;
  if (options.shard_count > 0) {
    // Unnamed files are spread by path so the shards still cover every file exactly once.
    std::string_view key = name != nullptr ? std::string_view(name->patient) : std::string_view(entry.relative);
    if (shard_of(key, options.shard_count) != options.shard_index) return false;
  }
  return true;
}

int shard_of(std::string_view patient, int shard_count) {
  if (shard_count <= 0) return 0;
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a 64
  for (unsigned char c : patient) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<int>(hash % static_cast<std::uint64_t>(shard_count)) + 1;
}

std::pair<int, int> parse_shard(std::string_view text) {
  auto fail = [&]() -> std::pair<int, int> {
    throw usage_error("'" + std::string(text) + "' is not I/N with 1 <= I <= N");
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return fail();
  int index = 0, count = 0;
  auto parse = [](std::string_view s, int& value) {
    auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), value);
    return !s.empty() && error == std::errc() && end == s.data() + s.size();
  };
  if (!parse(text.substr(0, slash), index) || !parse(text.substr(slash + 1), count)) return fail();
  if (count < 1 || index < 1 || index > count) return fail();
  return {index, count};
}

std::int64_t parse_since(std::string_view text) {
  auto fail = [&]() -> std::int64_t {
    throw usage_error("cannot read '" + std::string(text) +
                      "' (expected YYYY-MM-DD, YYYYMMDD, YYYY-MM-DDTHH:MM[:SS] or @EPOCH)");
  };
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  auto number = [](std::string_view s) {
    int value = 0;
    for (char c : s) value = value * 10 + (c - '0');
    return value;
  };
  if (!text.empty() && text[0] == '@') {
    std::int64_t value = 0;
    std::string_view rest = text.substr(1);
    auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (rest.empty() || error != std::errc() || end != rest.data() + rest.size()) return fail();
    return value;
  }
  std::string date;
  std::string_view time;
  if (text.size() == 8 && digits(text)) {
    date = std::string(text);
  } else if (text.size() >= 10 && text[4] == '-' && text[7] == '-' && digits(text.substr(0, 4)) &&
             digits(text.substr(5, 2)) && digits(text.substr(8, 2))) {
    date = std::string(text.substr(0, 4)) + std::string(text.substr(5, 2)) + std::string(text.substr(8, 2));
    if (text.size() > 10) {
      if (text[10] != 'T' && text[10] != ' ') return fail();
      time = text.substr(11);
    }
  } else {
    return fail();
  }
  if (!detail::is_valid_date(date)) return fail();
  int hour = 0, minute = 0, second = 0;
  if (!time.empty() || text.size() > 10) {
    if (!(time.size() == 5 || time.size() == 8) || time[2] != ':' || !digits(time.substr(0, 2)) ||
        !digits(time.substr(3, 2)))
      return fail();
    hour = number(time.substr(0, 2));
    minute = number(time.substr(3, 2));
    if (time.size() == 8) {
      if (time[5] != ':' || !digits(time.substr(6, 2))) return fail();
      second = number(time.substr(6, 2));
    }
    if (hour > 23 || minute > 59 || second > 60) return fail();
  }
  std::tm tm{};
  tm.tm_year = number(std::string_view(date).substr(0, 4)) - 1900;
  tm.tm_mon = number(std::string_view(date).substr(4, 2)) - 1;
  tm.tm_mday = number(std::string_view(date).substr(6, 2));
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  tm.tm_isdst = -1;  // local time, whatever the season
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1) && !(tm.tm_year == 69 && tm.tm_mday == 31)) return fail();
  return static_cast<std::int64_t>(t);
}

namespace {

void fill_stat(Entry& entry, const struct stat& st) {
  entry.mtime = static_cast<std::int64_t>(st.st_mtime);
  entry.size = static_cast<std::uint64_t>(st.st_size);
  entry.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  entry.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  entry.inode = static_cast<std::uint64_t>(st.st_ino);
}


class Walker {
 public:
  Walker(std::string root, const WalkOptions& options, DiagnosticSink& diagnostics,
         const std::function<void(const Entry&)>& visit)
      : root_(std::move(root)), options_(options), diagnostics_(diagnostics), visit_(visit) {}

  void run() {
    struct stat st {};
    if (::stat(root_.c_str(), &st) != 0) {
      int error = errno;
      if (error == ENOENT || error == ENOTDIR) throw io_error(root_ + ": " + errno_text(error));
      report(Severity::error, "SSMX-WALK-UNREADABLE", root_, "cannot read root: " + errno_text(error));
      return;
    }
    if (S_ISREG(st.st_mode)) {
      // A root that is a file: its own path, its name and its folders checked from the path.
      std::filesystem::path path(root_);
      std::string parent = path.parent_path().string();
      Entry entry = describe(parent.empty() ? std::string(".") : parent, path.filename().string());
      entry.path = root_;
      fill_stat(entry, st);
      deliver(entry);
      return;
    }
    if (!S_ISDIR(st.st_mode)) {
      report(Severity::note, "SSMX-WALK-SPECIAL", root_, "not a regular file or directory; skipped");
      return;
    }
    char* real = ::realpath(root_.c_str(), nullptr);
    if (real == nullptr) {
      report(Severity::error, "SSMX-WALK-UNREADABLE", root_, "cannot resolve root: " + errno_text(errno));
      return;
    }
    root_real_ = real;
    std::free(real);
    walk_directory(root_, "");
  }

 private:
  struct Child {
    std::string name;
    unsigned char type;
  };

  void report(Severity severity, std::string_view code, const std::string& path, std::string text) {
    diagnostics_.report(Diagnostic{severity, std::string(code), Location{path, 0, 0, ""}, std::move(text)});
  }

  bool inside_root(const std::string& real) const {
    if (root_real_ == "/") return true;
    return real == root_real_ ||
           (real.size() > root_real_.size() && real.compare(0, root_real_.size(), root_real_) == 0 &&
            real[root_real_.size()] == '/');
  }

  void walk_directory(const std::string& path, const std::string& relative) {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) {
      int error = errno;
      if (error == ENOENT)
        report(Severity::warning, "SSMX-WALK-VANISHED", path, "directory disappeared during the walk");
      else
        report(Severity::error, "SSMX-WALK-UNREADABLE", path, "cannot open directory: " + errno_text(error));
      return;
    }
    struct stat self {};
    bool have_self = ::fstat(::dirfd(dir), &self) == 0;
    std::vector<Child> children;
    int read_error = 0;
    for (;;) {
      errno = 0;
      dirent* item = ::readdir(dir);
      if (item == nullptr) {
        read_error = errno;
        break;
      }
      std::string_view name = item->d_name;
      if (name == "." || name == "..") continue;
      children.push_back(Child{std::string(name), item->d_type});
    }
    ::closedir(dir);
    if (read_error != 0)
      report(Severity::error, "SSMX-WALK-UNREADABLE", path, "error reading directory: " + errno_text(read_error));
    // Byte order: std::string compares as unsigned char (like memcmp), independent of locale.
    std::sort(children.begin(), children.end(), [](const Child& a, const Child& b) { return a.name < b.name; });

    if (have_self) ancestors_.emplace_back(self.st_dev, self.st_ino);
    for (const Child& child : children) {
      std::string child_path = join_path(path, child.name);
      std::string child_relative = join_path(relative, child.name);
      unsigned char type = child.type;
      if (type == DT_UNKNOWN) {  // some file systems (XFS v4, NFS) leave d_type empty
        struct stat st {};
        if (::lstat(child_path.c_str(), &st) != 0) {
          vanished_or_unreadable(child_path, errno);
          continue;
        }
        type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : S_ISLNK(st.st_mode) ? DT_LNK : DT_FIFO;
      }
      if (type == DT_DIR)
        walk_directory(child_path, child_relative);
      else if (type == DT_REG)
        visit_file(child_path, child_relative, nullptr);
      else if (type == DT_LNK)
        symlink(child_path, child_relative);
      else
        report(Severity::note, "SSMX-WALK-SPECIAL", child_path, "not a regular file or directory; skipped");
    }
    if (have_self) ancestors_.pop_back();
  }

  void vanished_or_unreadable(const std::string& path, int error) {
    if (error == ENOENT)
      report(Severity::warning, "SSMX-WALK-VANISHED", path, "disappeared during the walk");
    else
      report(Severity::error, "SSMX-WALK-UNREADABLE", path, "cannot read: " + errno_text(error));
  }

  void symlink(const std::string& path, const std::string& relative) {
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (resolved == nullptr) {
      int error = errno;
      if (error == ENOENT)
        report(Severity::warning, "SSMX-WALK-DANGLING", path, "symbolic link to nothing");
      else if (error == ELOOP)
        report(Severity::warning, "SSMX-WALK-LOOP", path, "symbolic link loop; not followed");
      else
        report(Severity::error, "SSMX-WALK-UNREADABLE", path, "cannot resolve symbolic link: " + errno_text(error));
      return;
    }
    std::string real = resolved;
    std::free(resolved);
    if (!inside_root(real)) {
      report(Severity::warning, "SSMX-WALK-OUTSIDE", path, "symbolic link leaves the root; not followed");
      return;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      vanished_or_unreadable(path, errno);
      return;
    }
    if (S_ISDIR(st.st_mode) &&
        std::find(ancestors_.begin(), ancestors_.end(), std::pair{st.st_dev, st.st_ino}) != ancestors_.end()) {
      report(Severity::warning, "SSMX-WALK-LOOP", path, "symbolic link to a directory that contains it; not followed");
      return;
    }
    if (!options_.follow_symlinks) {
      report(Severity::note, "SSMX-WALK-SYMLINK", path, "symbolic link not followed");
      return;
    }
    if (S_ISDIR(st.st_mode))
      walk_directory(path, relative);
    else if (S_ISREG(st.st_mode))
      visit_file(path, relative, &st);
    else
      report(Severity::note, "SSMX-WALK-SPECIAL", path, "not a regular file or directory; skipped");
  }

  void visit_file(const std::string& path, const std::string& relative, const struct stat* known) {
    Entry entry = describe(root_, relative);
    entry.path = path;
    if (known != nullptr) {
      fill_stat(entry, *known);
    } else if (options_.since || options_.stat_files) {  // stat only when asked: trees are large
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) {
        vanished_or_unreadable(path, errno);
        return;
      }
      fill_stat(entry, st);
    }
    deliver(entry);
  }

  void deliver(const Entry& entry) {
    if (!passes(entry, options_)) return;
    for (const NameProblem& problem : entry.problems) {
      if (!options_.lenient_names) {
        report(problem.severity, problem.code, entry.path, problem.text);
      } else if (problem.code != "SSMX-NAME-FIELDS" && problem.code != "SSMX-PATH-DEPTH") {
        report(std::min(problem.severity, Severity::warning), problem.code, entry.path, problem.text);
      }
    }
    visit_(entry);
  }

  std::string root_;
  std::string root_real_;
  const WalkOptions& options_;
  DiagnosticSink& diagnostics_;
  const std::function<void(const Entry&)>& visit_;
  std::vector<std::pair<dev_t, ino_t>> ancestors_;
};

}  // namespace

void walk(const std::vector<std::string>& roots, const WalkOptions& options, DiagnosticSink& diagnostics,
          const std::function<void(const Entry&)>& visit) {
  // A missing root fails the whole job before anything is visited (exit status 2 in commands).
  for (const std::string& root : roots) {
    struct stat st {};
    if (::stat(root.c_str(), &st) == 0) continue;
    int error = errno;
    if (error == ENOENT || error == ENOTDIR) throw io_error(root + ": " + errno_text(error));
  }
  for (const std::string& root : roots) Walker(root, options, diagnostics, visit).run();
}

}  // namespace smx::ssmix2
