#include <chrono>
#include <ctime>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include "smx/error.hpp"
#include "smx/io.hpp"

namespace smx {
namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, std::string name, bool owned) : fd_(fd), name_(std::move(name)), owned_(owned) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  std::size_t read(char* buffer, std::size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      throw io_error(errno_text("cannot read", name_));
    }
  }
  const std::string& name() const override { return name_; }

 private:
  int fd_;
  std::string name_;
  bool owned_;
};

class MemorySource final : public ByteSource {
 public:
  MemorySource(std::string bytes, std::string name) : bytes_(std::move(bytes)), name_(std::move(name)) {}
  std::size_t read(char* buffer, std::size_t size) override {
    std::size_t n = std::min(size, bytes_.size() - position_);
    std::memcpy(buffer, bytes_.data() + position_, n);
    position_ += n;
    return n;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string bytes_;
  std::string name_;
  std::size_t position_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> open_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw io_error(errno_text("cannot open", path));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw io_error("cannot read " + path + ": is a directory");
  }
  return std::make_unique<FdSource>(fd, path, true);
}

std::unique_ptr<ByteSource> open_stdin() { return std::make_unique<FdSource>(0, "-", false); }

std::unique_ptr<ByteSource> memory_source(std::string bytes, std::string name) {
  return std::make_unique<MemorySource>(std::move(bytes), std::move(name));
}

std::string read_all(ByteSource& source, std::size_t limit) {
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    std::size_t n = source.read(buffer, sizeof buffer);
    if (n == 0) return out;
    if (out.size() + n > limit) throw io_error(source.name() + ": larger than " + std::to_string(limit) + " bytes");
    out.append(buffer, n);
  }
}

int read_file(const std::string& path, std::string& out, std::string& error, std::size_t limit) {
  out.clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int code = errno;
    error = std::strerror(code);
    return code;
  }
  // One-message-per-file trees: most files are a few KB, so try one read into the reused
  // buffer before asking the size.
  if (out.capacity() < 65536) out.reserve(65536);
  std::size_t used = 0;
  for (;;) {
    if (used == out.capacity()) {
      if (used >= limit + 1) break;
      out.reserve(used * 2);
    }
    out.resize(out.capacity());
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int code = errno;
      error = std::strerror(code);
      ::close(fd);
      out.clear();
      return code;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used > limit) break;
  }
  ::close(fd);
  out.resize(used);
  if (used > limit) {
    error = "larger than " + std::to_string(limit) + " bytes";
    return EFBIG;
  }
  return 0;
}

Output::Output(const std::string& path) : path_(path.empty() ? "-" : path) {
  buffer_.reserve(kFlushAt * 2);
  if (path_ == "-") return;
  // An existing device, FIFO or socket (-o /dev/null, -o /dev/stdout, a named pipe) is written
  // in place: renaming a temporary file over it would replace the device with a regular file.
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw io_error("cannot write " + path_ + ": is a directory");
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw io_error(errno_text("cannot open", path_));
    direct_ = true;
    return;
  }
  // Temporary file in the target's directory so rename() is atomic on the same file system.
  temp_path_ = path_ + ".tmp.XXXXXX";
  fd_ = ::mkstemp(temp_path_.data());
  if (fd_ < 0) throw io_error(errno_text("cannot create", path_));
  ::fchmod(fd_, 0644 & ~[] { mode_t m = ::umask(0); ::umask(m); return m; }());
}

Output::~Output() {
  if (direct_) {
    ::close(fd_);
    return;
  }
  if (fd_ != 1 && !committed_) {
    ::close(fd_);
    ::unlink(temp_path_.c_str());
  }
}

void Output::flush_buffer() {
  const char* p = buffer_.data();
  std::size_t left = buffer_.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      buffer_.clear();
      throw io_error(errno_text("cannot write", path_ == "-" ? std::string("standard output") : path_));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  buffer_.clear();
}

void Output::commit() {
  if (committed_) return;
  flush_buffer();
  if (fd_ == 1 || direct_) {
    committed_ = true;
    return;
  }
  if (::fsync(fd_) != 0) throw io_error(errno_text("cannot sync", path_));
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw io_error(errno_text("cannot close", path_));
  }
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    int e = errno;
    ::unlink(temp_path_.c_str());
    committed_ = true;
    errno = e;
    throw io_error(errno_text("cannot rename to", path_));
  }
  committed_ = true;
}

std::string utc_now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace smx
