// lib/io data_root: the one resolver of data folders (issue 12): the option, $SMX_TABLES, then
// for a build the source tree recorded at configure time, for an installation its prefix.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "smx/data_root.hpp"
#include "smx/error.hpp"

using namespace smx;
namespace fs = std::filesystem;

namespace {

// A scratch folder removed at the end of the test.
struct Scratch {
  fs::path dir;
  Scratch() {
    char pattern[] = "/tmp/smx-data-root-XXXXXX";
    dir = ::mkdtemp(pattern);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  // A folder that holds the tables (units/aliases.yaml) or only a name.
  fs::path tables(const std::string& name) const {
    fs::create_directories(dir / name / "units");
    std::ofstream(dir / name / "units" / "aliases.yaml") << "aliases: []\n";
    return dir / name;
  }
  fs::path file(const std::string& name) const {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name) << "";
    return dir / name;
  }
};

// Restores $SMX_TABLES when the test ends.
struct SavedEnvironment {
  std::string value;
  bool set;
  SavedEnvironment() : set(std::getenv("SMX_TABLES") != nullptr) {
    if (set) value = std::getenv("SMX_TABLES");
  }
  ~SavedEnvironment() {
    if (set)
      ::setenv("SMX_TABLES", value.c_str(), 1);
    else
      ::unsetenv("SMX_TABLES");
  }
};

}  // namespace

TEST_CASE("data root: the option first, then SMX_TABLES, both used as given") {
  DataRootInputs in;
  in.given = "/given";
  in.environment = "/from-env";
  DataRoot root = resolve_data_root(in);
  CHECK(root.dir == fs::path("/given"));
  CHECK(root.origin == "given");
  in.given.clear();
  root = resolve_data_root(in);
  CHECK(root.dir == fs::path("/from-env"));
  CHECK(root.origin == "SMX_TABLES");
}

TEST_CASE("data root: a program in its build folder reads its source tree, never an installation") {
  Scratch s;
  DataRootInputs in;
  in.source_dir = s.tables("src");
  in.install_dir = s.tables("prefix/share/smx");  // an installed (maybe older) version
  in.build_dir = s.dir / "build";
  in.executable = s.file("build/smx");
  DataRoot root = resolve_data_root(in);
  CHECK(root.dir == in.source_dir);
  CHECK(root.origin == "source tree");
  // Below the build folder too (tests/smx_unit_tests), and through ".." in the recorded path.
  in.executable = s.file("build/tests/smx_unit_tests");
  in.build_dir = s.dir / "build" / "tests" / "..";
  CHECK(resolve_data_root(in).dir == in.source_dir);
  // The source tree gone: nothing found (not the installation), and the message says where it looked.
  fs::remove_all(in.source_dir);
  root = resolve_data_root(in);
  CHECK(root.dir.empty());
  REQUIRE(root.tried.size() == 2);
  CHECK(root.tried[0] == "$SMX_TABLES (unset)");
  CHECK(root.tried[1] == in.source_dir.string());
}

TEST_CASE("data root: an installed program reads its prefix, then share/smx beside its bin/") {
  Scratch s;
  DataRootInputs in;
  in.source_dir = s.tables("src");
  in.build_dir = s.dir / "b";
  in.install_dir = s.tables("usr-local/share/smx");
  in.executable = s.file("bb/smx");  // a sibling of the build folder whose name starts the same
  DataRoot root = resolve_data_root(in);
  CHECK(root.dir == in.install_dir);
  CHECK(root.origin == "install");
  // Installed under another prefix than the one compiled in (a .deb in /usr).
  fs::remove_all(in.install_dir);
  const fs::path relocated = s.tables("usr/share/smx");
  in.executable = s.file("usr/bin/smx");
  root = resolve_data_root(in);
  CHECK(root.dir == relocated);
  CHECK(root.origin == "relocated install");
  // A copied program with nothing beside it: not found; both places named.
  in.executable = s.file("elsewhere/bin/smx");
  root = resolve_data_root(in);
  CHECK(root.dir.empty());
  REQUIRE(root.tried.size() == 3);
  CHECK(root.tried[1] == in.install_dir.string());
  CHECK(root.tried[2] == (s.dir / "elsewhere" / "share" / "smx").string());
}

TEST_CASE("data root: this test program, in the build folder, finds the source tree it was built from") {
  SavedEnvironment saved;
  ::unsetenv("SMX_TABLES");
  const DataRootInputs in = current_data_root_inputs();
  CHECK(fs::equivalent(in.source_dir, SMX_SOURCE_DIR));
  CHECK_FALSE(in.executable.empty());
  CHECK(fs::equivalent(data_root(), SMX_SOURCE_DIR));
  ::setenv("SMX_TABLES", "/somewhere/else", 1);
  CHECK(data_root() == fs::path("/somewhere/else"));
  CHECK(data_root("/given") == fs::path("/given"));
}

TEST_CASE("data root: nothing found is a config_error that names every place and no option") {
  SavedEnvironment saved;
  ::setenv("SMX_TABLES", "", 1);  // empty counts as unset
  DataRootInputs in = current_data_root_inputs();
  CHECK(in.environment.empty());
  in.source_dir = "/no/such/source";
  DataRoot root = resolve_data_root(in);
  CHECK(root.dir.empty());
  CHECK(root.tried.back() == "/no/such/source");
  std::string message;
  try {
    require_data_root(root);
  } catch (const config_error& e) {
    message = e.what();
  }
  CHECK(message ==
        "no tables found (units/aliases.yaml); tried $SMX_TABLES (unset), /no/such/source; set SMX_TABLES to the "
        "folder that holds units/ and mappings/");
  CHECK(message.find("--") == std::string::npos);
  root.dir = "/found";
  CHECK(require_data_root(root) == fs::path("/found"));
}
