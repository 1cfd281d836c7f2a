// libFuzzer entry point: the bytes are a cohort criteria file (smx cohort --criteria), parsed
// against the shipped tables and UCUM essence. It must either parse or throw config_error whose
// message starts with "fuzz.yaml:LINE:COL: ", or "fuzz.yaml: [COHORT-" for what concerns the
// whole file (an empty file, a document that is not a mapping).
#include "positioned.hpp"

#include <smx/cohort.hpp>
#include <smx/error.hpp>
#include <smx/tables.hpp>
#include <smx/units.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

const smx::tables::Tables& shipped() {
  static const smx::tables::Tables tables = smx::tables::load_tables(SMX_SOURCE_DIR);
  return tables;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static smx::units::Ucum ucum = shipped().make_ucum();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    smx::cohort::parse_criteria(text, "fuzz.yaml", shipped(), ucum);
  } catch (const smx::config_error& e) {
    const std::string_view what = e.what();
    if (!smx_fuzz::positioned(what, "fuzz.yaml") && what.substr(0, 18) != "fuzz.yaml: [COHORT") std::abort();
  }
  return 0;
}
