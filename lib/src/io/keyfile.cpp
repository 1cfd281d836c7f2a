// Key files: raw bytes, owner-only permissions (smx/keyfile.hpp).
#include "smx/keyfile.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "smx/error.hpp"

namespace smx {

KeyFile read_key_file(const std::filesystem::path& path, std::size_t size) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int error = errno;
    if (error == ENOENT) throw io_error("[KEY-MISSING] no key file " + path.string());
    throw io_error("[KEY-UNREADABLE] cannot read key file " + path.string() + ": " + std::strerror(error));
  }
  if (!S_ISREG(st.st_mode)) throw io_error("[KEY-UNREADABLE] key file " + path.string() + " is not a regular file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw io_error("[KEY-UNREADABLE] cannot read key file " + path.string() + ": " + std::strerror(errno));
  KeyFile key;
  key.bytes.resize(size + 1);  // one more, to see a file that is too long
  std::size_t got = 0;
  while (got < key.bytes.size()) {
    const ssize_t n = ::read(fd, key.bytes.data() + got, key.bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      throw io_error("[KEY-UNREADABLE] cannot read key file " + path.string() + ": " + std::strerror(error));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (got != size)
    throw config_error("[KEY-SIZE] key file " + path.string() + " must hold exactly " + std::to_string(size) +
                       " bytes" + (got > size ? " (it is longer)" : " (it holds " + std::to_string(got) + ")"));
  key.bytes.resize(size);
  key.readable_by_others = (st.st_mode & (S_IRWXG | S_IRWXO)) != 0;
  return key;
}

void write_new_key_file(const std::filesystem::path& path, std::size_t size) {
  std::vector<unsigned char> bytes(size);
  if (RAND_bytes(bytes.data(), static_cast<int>(size)) != 1) throw io_error("[KEY-RANDOM] RAND_bytes failed");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int error = errno;
    if (error == EEXIST) throw io_error("[KEY-EXISTS] " + path.string() + " exists; a key file is never overwritten");
    throw io_error("[KEY-UNREADABLE] cannot create key file " + path.string() + ": " + std::strerror(error));
  }
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, bytes.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      std::filesystem::remove(path);
      throw io_error("[KEY-UNREADABLE] cannot write key file " + path.string() + ": " + std::strerror(error));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) throw io_error("[KEY-UNREADABLE] cannot write key file " + path.string());
  OPENSSL_cleanse(bytes.data(), bytes.size());
}

}  // namespace smx
