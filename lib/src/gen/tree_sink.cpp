// smx gen's sinks: the SS-MIX2 tree (written by writer threads, moved into place whole) and the
// smx stream.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "smx/error.hpp"
#include "smx/gen.hpp"
#include "smx/pool.hpp"
#include "smx/stream.hpp"

namespace smx::gen {

namespace {
void make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST)
    throw io_error("cannot create folder " + path + ": " + std::strerror(errno));
}
}  // namespace

// Files are written by threads of their own: generating a patient (CPU) overlaps with the
// file-system calls of the previous ones (mkdir/open/write/close, most of the time in the kernel
// on a real disk), and two writers keep two kernel paths busy on a 2-core machine. Batches go
// through a bounded queue, one per patient; patients have disjoint folders below
// ROOT/facility/pid3/pid6 (shared prefixes are made with mkdir, EEXIST accepted), and every file
// name is fixed before it is queued, so the tree does not depend on which writer wrote what.
struct TreeSink::Impl {
  struct Item {
    std::string directory;  // ROOT/facility/pid3/pid6/pid/date/type
    std::string file_name;
    std::string bytes;
  };
  // One per writer thread.
  struct Writer {
    std::unordered_set<std::string> shared_made;  // ROOT/facility, .../pid3, .../pid6: made once
    std::vector<std::string> made;                 // the patient's own folders, this batch
    std::string path;
  };
  std::string root;        // where the files are written: the hidden folder (see TreeSink)
  std::string final_root;  // -o ROOT
  bool root_existed = false;
  bool temporary = false;  // `root` exists and is not yet moved into place
  std::vector<Item> batch;  // the current patient's files
  BoundedQueue<std::vector<Item>> queue{64};
  std::mutex error_mutex;
  std::string error;  // first write error, raised on the generating thread
  std::vector<std::thread> writers;

  // Folders from ROOT/facility down to ROOT/facility/pid3/pid6 are shared by many patients.
  bool is_shared_level(std::size_t depth) const { return depth <= 3; }

  void write_batch(Writer& w, const std::vector<Item>& items) {
    w.made.clear();
    for (const Item& item : items) {
      if (std::find(w.made.begin(), w.made.end(), item.directory) == w.made.end()) {
        std::size_t depth = 0;
        for (std::size_t slash = item.directory.find('/', root.size() + 1); slash != std::string::npos;
             slash = item.directory.find('/', slash + 1)) {
          std::string prefix = item.directory.substr(0, slash);
          if (is_shared_level(++depth)) {
            // Bounded: a forgotten folder only costs one more mkdir (EEXIST is accepted), and
            // pseudonymous IDs give almost every patient a pid3/pid6 of their own.
            if (w.shared_made.size() > 4096) w.shared_made.clear();
            if (w.shared_made.insert(prefix).second) make_directory(prefix);
          } else if (std::find(w.made.begin(), w.made.end(), prefix) == w.made.end()) {
            make_directory(prefix);
            w.made.push_back(prefix);
          }
        }
        make_directory(item.directory);
        w.made.push_back(item.directory);
      }
      w.path.assign(item.directory).append("/").append(item.file_name);
      const std::string& path = w.path;
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) throw io_error("cannot create " + path + ": " + std::strerror(errno));
      const char* data = item.bytes.data();
      std::size_t left = item.bytes.size();
      while (left > 0) {
        ssize_t written = ::write(fd, data, left);
        if (written < 0) {
          if (errno == EINTR) continue;
          int e = errno;
          ::close(fd);
          throw io_error("cannot write " + path + ": " + std::strerror(e));
        }
        data += written;
        left -= static_cast<std::size_t>(written);
      }
      if (::close(fd) != 0) throw io_error("cannot write " + path + ": " + std::strerror(errno));
    }
  }

  void run() {
    Writer w;
    while (std::optional<std::vector<Item>> items = queue.pop()) {
      try {
        write_batch(w, *items);
        done_one();
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(error_mutex);
          if (error.empty()) error = e.what();
        }
        queue.cancel();  // the generating side sees the error at its next push
        done_one();
        return;
      }
    }
  }

  // Batches queued and not yet written (sync() waits for none).
  std::mutex flight_mutex;
  std::condition_variable flight_done;
  std::size_t in_flight = 0;
  void done_one() {
    std::lock_guard lock(flight_mutex);
    --in_flight;
    flight_done.notify_all();
  }
  void sync() {
    push();
    std::unique_lock lock(flight_mutex);
    flight_done.wait(lock, [this] { return in_flight == 0 || queue_cancelled(); });
    lock.unlock();
    raise_error();
  }
  bool queue_cancelled() {
    std::lock_guard lock(error_mutex);
    return !error.empty();
  }

  void raise_error() {
    std::lock_guard lock(error_mutex);
    if (!error.empty()) throw io_error(error);
  }

  void push() {
    if (batch.empty()) return;
    {
      std::lock_guard lock(flight_mutex);
      ++in_flight;
    }
    const bool queued = queue.push(std::move(batch));
    batch.clear();
    if (!queued) {
      done_one();
      raise_error();
    }
  }

  // Waits for the writers; with `drop`, what is still queued is not written.
  void stop(bool drop) {
    if (drop) queue.cancel();
    else queue.close();
    for (std::thread& t : writers)
      if (t.joinable()) t.join();
  }
};

namespace {
// The names in a folder, without . and .. (empty when it cannot be read).
std::vector<std::string> folder_entries(const std::string& path) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(path.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

// rm -r of a partial tree (no symlinks are followed: gen writes none).
void remove_tree(const std::string& path) {
  ::nftw(
      path.c_str(),
      [](const char* p, const struct stat*, int type, struct FTW*) {
        if (type == FTW_DP) ::rmdir(p);
        else ::unlink(p);
        return 0;
      },
      64, FTW_DEPTH | FTW_PHYS);
}
}  // namespace

// The tree appears whole or not at all: it is written into a hidden folder and moved into place
// by finish(). A new ROOT: .ROOT.smx-gen-PID beside it, renamed to ROOT. An existing empty ROOT
// (it may be a mount point or someone's working folder, so it is kept): ROOT/.smx-gen-PID, whose
// facility folders are then renamed into ROOT one by one. On failure the hidden folder is
// removed, so a crashed or failed run leaves nothing a nightly job could pick up.
TreeSink::TreeSink(std::string root) : impl_(std::make_unique<Impl>()) {
  if (root.empty()) throw usage_error("no output root");
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  impl_->final_root = root;
  const std::string pid = std::to_string(::getpid());
  struct stat info {};
  if (::stat(root.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) throw usage_error("output root is not a folder: " + root);
    if (!folder_entries(root).empty()) throw usage_error("output root is not empty: " + root);
    impl_->root_existed = true;
    impl_->root = root + "/.smx-gen-" + pid;
  } else {
    // mkdir -p of the parent
    for (std::size_t slash = root.find('/', 1); slash != std::string::npos; slash = root.find('/', slash + 1))
      make_directory(root.substr(0, slash));
    const std::size_t slash = root.rfind('/');
    const std::string parent = slash == std::string::npos ? std::string() : root.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? root : root.substr(slash + 1);
    if (name == "." || name == "..") throw usage_error("output root does not exist: " + root);
    impl_->root = parent + "." + name + ".smx-gen-" + pid;
  }
  if (::mkdir(impl_->root.c_str(), 0777) != 0)
    throw io_error("cannot create folder " + impl_->root + ": " + std::strerror(errno));
  impl_->temporary = true;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // Two writers measured 1.4-1.6x one on this 2-core machine's ext4 (34,180 files in 1.15 s vs
  // 1.6-1.8 s); three or four were no faster.
  for (unsigned i = 0; i < std::min(cores, 2u); ++i)
    impl_->writers.emplace_back([impl = impl_.get()] { impl->run(); });
}

TreeSink::~TreeSink() {
  // An exception on the generating side: drop what is queued, stop, remove the partial tree.
  impl_->stop(true);
  if (impl_->temporary) remove_tree(impl_->root);
}

void TreeSink::finish() {
  impl_->push();
  impl_->stop(false);
  impl_->raise_error();
  Impl& s = *impl_;
  auto move = [](const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0)
      throw io_error("cannot move " + from + " to " + to + ": " + std::strerror(errno));
  };
  if (!s.root_existed) {
    move(s.root, s.final_root);
  } else {
    std::vector<std::string> names = folder_entries(s.root);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) move(s.root + "/" + name, s.final_root + "/" + name);
    if (::rmdir(s.root.c_str()) != 0) throw io_error("cannot remove " + s.root + ": " + std::strerror(errno));
  }
  s.temporary = false;
}

void TreeSink::patient_done() { impl_->push(); }

void TreeSink::sync() { impl_->sync(); }

bool TreeSink::written(std::string_view facility, std::string_view directory, std::string_view file_name) const {
  std::string path = impl_->root;
  path.append("/").append(facility).append("/").append(directory).append("/").append(file_name);
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0;
}

void TreeSink::file(const File& file) {
  Impl& s = *impl_;
  std::string directory;
  directory.reserve(s.root.size() + file.facility.size() + file.directory.size() + 2);
  directory.append(s.root).append("/").append(file.facility).append("/").append(file.directory);
  s.batch.push_back(Impl::Item{std::move(directory), std::string(file.file_name), std::string(file.bytes)});
}

void StreamSink::file(const File& file) {
  Record record;
  record.src.path = root_;
  if (!record.src.path.empty() && record.src.path.back() != '/') record.src.path += '/';
  record.src.path.append(file.facility).append("/").append(file.directory).append("/").append(file.file_name);
  record.src.n = 1;
  std::vector<ssmix2::NameProblem> problems;
  record.ssmix2 = ssmix2::parse_file_name(file.file_name, problems);
  record.charset = std::string(file.charset);
  std::string& b = out_.buffer();
  append_record_json(b, record, file.utf8);
  b.push_back('\n');
  out_.maybe_flush();
}

}  // namespace smx::gen
