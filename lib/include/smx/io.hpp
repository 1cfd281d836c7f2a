// lib/io: byte sources (file, stdin, memory) and output files written atomically.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace smx {

// A forward-only source of bytes. read() returns 0 at end; failures throw io_error.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read(char* buffer, std::size_t size) = 0;
  // The name diagnostics use: the path as given, or "-" for stdin.
  virtual const std::string& name() const = 0;
};

std::unique_ptr<ByteSource> open_file(const std::string& path);  // throws io_error
std::unique_ptr<ByteSource> open_stdin();
// The current time in UTC as ISO 8601 "YYYY-MM-DDTHH:MM:SSZ" (run records of --state and smx load).
std::string utc_now();
std::unique_ptr<ByteSource> memory_source(std::string bytes, std::string name = "<memory>");

// Reads a whole (small) source. Throws io_error when it exceeds `limit` bytes.
std::string read_all(ByteSource& source, std::size_t limit);
// Reads a whole file into `out` (reused buffer, no allocation when it fits). Returns 0, or the
// errno (EFBIG when larger than `limit`) and sets `error` (strerror text) when the file cannot be
// opened or read.
int read_file(const std::string& path, std::string& out, std::string& error, std::size_t limit);

// Buffered output to stdout or to a file that appears only when commit() succeeds:
// a temporary file in the same directory, fsync, rename. Destroying an uncommitted
// writer removes the temporary file. Write errors (ENOSPC, EPIPE...) throw io_error.
class Output {
 public:
  // path "-" or empty = stdout. An existing non-regular file (device, FIFO) is written in
  // place, without the temporary file.
  explicit Output(const std::string& path);
  ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  void write(std::string_view bytes) {
    if (buffer_.size() + bytes.size() > kFlushAt) flush_buffer();
    buffer_.append(bytes);
  }
  void put(char c) {
    buffer_.push_back(c);
    if (buffer_.size() > kFlushAt) flush_buffer();
  }
  std::string& buffer() { return buffer_; }  // append directly, then call maybe_flush()
  void maybe_flush() {
    if (buffer_.size() > kFlushAt) flush_buffer();
  }
  void commit();  // flush, fsync + rename for files, check stdout; throws io_error
  const std::string& path() const { return path_; }

 private:
  static constexpr std::size_t kFlushAt = 1 << 16;
  void flush_buffer();
  std::string path_;
  std::string temp_path_;
  std::string buffer_;
  int fd_ = 1;
  bool committed_ = false;
  bool direct_ = false;  // a device or FIFO, written in place
};

// Text for HTML element content and attribute values (& < > " ' as character references): the
// pages smx writes (smx report, smx risk --report FILE.html).
std::string escape_html(std::string_view text);

}  // namespace smx
