// libFuzzer entry point: the bytes are read as each of smx qi's site files, which the loaders
// take by path (written to a per-process scratch file first): an indicator file
// (--indicator-file), a drug-class table, and a drug master CSV (--drugs). Each must either load
// or throw config_error naming the file and a [QI-...] code.
#include <smx/error.hpp>
#include <smx/qi.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace {

const smx::qi::ClassTable& shipped_classes() {
  static const smx::qi::ClassTable classes =
      smx::qi::load_class_table(std::string(SMX_SOURCE_DIR) + "/mappings/qi/drug-classes.yaml");
  return classes;
}

template <typename Load>
void expect_clean(const std::string& path, Load&& load) {
  try {
    load();
  } catch (const smx::config_error& e) {
    const std::string_view what = e.what();
    if (what.substr(0, path.size()) != path || what.find(" [QI-") == std::string_view::npos) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("smx-fuzz-qi-" + std::to_string(getpid()) + ".txt")).string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) std::abort();
  }
  expect_clean(path, [&] { smx::qi::load_indicators({path}, shipped_classes()); });
  expect_clean(path, [&] { smx::qi::load_class_table(path); });
  expect_clean(path, [&] { smx::qi::load_drug_master(path); });
  return 0;
}
