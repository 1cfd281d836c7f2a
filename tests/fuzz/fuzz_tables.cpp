// libFuzzer entry point: the bytes are a YAML table, loaded as each table kind (unit aliases,
// analytes, reference intervals, site, split values) from memory against the shipped UCUM
// essence. Loading must either succeed or throw smx::config_error whose message starts with
// "NAME:LINE:COL: ";
// anything else (a crash, another exception, an unbounded expansion) is a bug.
#include "positioned.hpp"

#include <smx/error.hpp>
#include <smx/tables.hpp>
#include <smx/units.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

smx::units::Ucum& engine() {
  static smx::units::Ucum ucum =
      smx::units::Ucum::from_file(std::string(SMX_SOURCE_DIR) + "/units/ucum-essence.xml");
  return ucum;
}

using smx_fuzz::positioned;

template <typename Load>
void expect_clean(Load&& load, std::string_view name) {
  try {
    load();
  } catch (const smx::config_error& e) {
    if (!positioned(e.what(), name)) std::abort();
  }
  // Any other exception escapes and libFuzzer reports it.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  smx::units::Ucum& ucum = engine();
  expect_clean([&] { (void)smx::tables::aliases_from_string(text, "fuzz.yaml", ucum); },
               "fuzz.yaml");
  expect_clean([&] { (void)smx::tables::analytes_from_string(text, "fuzz.yaml", ucum); },
               "fuzz.yaml");
  expect_clean(
      [&] { (void)smx::tables::reference_intervals_from_string(text, "fuzz.yaml", ucum); },
      "fuzz.yaml");
  // The site name must equal the file stem: call it "fuzz" so valid sites can load.
  expect_clean([&] { (void)smx::tables::site_from_string(text, "sites/fuzz.yaml", ucum); },
               "sites/fuzz.yaml");
  expect_clean([&] { (void)smx::tables::split_values_from_string(text, "fuzz.yaml"); },
               "fuzz.yaml");
  return 0;
}
