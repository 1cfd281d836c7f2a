// libFuzzer entry point: the bytes are read as smx report's inputs that come from elsewhere:
// the QI CSV (parse_qi) and the coverage NDJSON (parse_coverage). Each must either parse or
// throw config_error whose message starts with "NAME:LINE:COL: ".
#include "positioned.hpp"

#include <smx/error.hpp>
#include <smx/report.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    smx::report::parse_qi(text, "fuzz.csv");
  } catch (const smx::config_error& e) {
    if (!smx_fuzz::positioned(e.what(), "fuzz.csv")) std::abort();
  }
  try {
    smx::report::parse_coverage(text, "fuzz.ndjson");
  } catch (const smx::config_error& e) {
    if (!smx_fuzz::positioned(e.what(), "fuzz.ndjson")) std::abort();
  }
  return 0;
}
