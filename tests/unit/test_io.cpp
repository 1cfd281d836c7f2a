#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "smx/error.hpp"
#include "smx/io.hpp"

using namespace smx;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}
std::string temp_dir() {
  char pattern[] = "/tmp/smx-io-XXXXXX";
  return ::mkdtemp(pattern);
}
}  // namespace

TEST_CASE("output: the file appears only on commit, whole") {
  std::string dir = temp_dir();
  std::string path = dir + "/out.txt";
  {
    Output out(path);
    out.write("hello ");
    out.write(std::string(200000, 'x'));
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);  // not there before commit
    out.commit();
  }
  CHECK(slurp(path).size() == 200006);
  {
    Output out(path);
    out.write("never committed");
  }
  CHECK(slurp(path).size() == 200006);  // an uncommitted writer leaves the old file alone
  CHECK(::rmdir(dir.c_str()) != 0);  // out.txt is still there, and nothing else
  std::remove(path.c_str());
  CHECK(::rmdir(dir.c_str()) == 0);  // no temporary file left behind
}

TEST_CASE("output: devices are written in place, never replaced") {
  {
    Output out("/dev/null");
    out.write("discarded");
    out.commit();
  }
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
}

TEST_CASE("output: a full disk is an error, not a success") {
  Output out("/dev/full");
  out.write(std::string(100, 'x'));
  CHECK_THROWS_AS(out.commit(), io_error);
}

TEST_CASE("output: a directory cannot be a target") { CHECK_THROWS_AS(Output("/tmp"), io_error); }

TEST_CASE("read_file and sources") {
  std::string dir = temp_dir();
  std::string path = dir + "/in.txt";
  {
    Output out(path);
    out.write("abc");
    out.commit();
  }
  std::string bytes, error;
  CHECK(read_file(path, bytes, error, 100) == 0);
  CHECK(bytes == "abc");
  CHECK(read_file(path, bytes, error, 2) == EFBIG);
  CHECK(read_file(dir + "/missing", bytes, error, 100) == ENOENT);
  CHECK(error.find("No such file") != std::string::npos);
  auto m = memory_source("xyz", "mem");
  CHECK(read_all(*m, 10) == "xyz");
  CHECK_THROWS_AS(open_file(dir + "/missing"), io_error);
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}
