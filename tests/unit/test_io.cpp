#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "smx/error.hpp"
#include "smx/io.hpp"
#include "smx/json.hpp"

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

TEST_CASE("json::Writer numbers and strings: members listed as data, in order, as the single calls write them") {
  std::string listed, one_by_one;
  json::Writer a(listed);
  a.begin_object();
  a.numbers({{"files", 2}, {"read", std::uint64_t{18446744073709551615ULL}}, {"zero", 0}});
  a.strings({{"site", "H\"01"}, {"empty", ""}});
  a.end_object();
  json::Writer b(one_by_one);
  b.begin_object();
  b.number("files", 2);
  b.number("read", std::uint64_t{18446744073709551615ULL});
  b.number("zero", 0);
  b.string("site", "H\"01");
  b.string("empty", "");
  b.end_object();
  CHECK(listed == "{\"files\":2,\"read\":18446744073709551615,\"zero\":0,\"site\":\"H\\\"01\",\"empty\":\"\"}");
  CHECK(listed == one_by_one);
  std::string omitted;
  json::Writer c(omitted, json::Writer::Empty::omit);
  c.begin_object();
  c.strings({{"a", ""}, {"b", "x"}});
  c.end_object();
  CHECK(omitted == "{\"b\":\"x\"}");  // omit leaves an empty string out, as string() does
}
