// libFuzzer entry point: the bytes are a UCUM expression, parsed against the shipped essence.
// Checks that parsing never crashes, always answers, and that the cached path agrees.
#include <smx/units.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {
smx::units::Ucum& engine() {
  static smx::units::Ucum ucum =
      smx::units::Ucum::from_file(std::string(SMX_SOURCE_DIR) + "/units/ucum-essence.xml");
  return ucum;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  smx::units::Ucum& ucum = engine();
  const smx::units::ParseResult fresh = smx::units::parse(ucum.essence(), text);
  const smx::units::ParseResult& cached = ucum.lookup(text);
  if (fresh.ok() != cached.ok()) std::abort();
  if (fresh.ok()) {
    if (!std::isfinite(fresh.canonical().magnitude)) std::abort();
    // A valid unit converts to itself (or is refused for a documented reason).
    const smx::units::Conversion same = ucum.convert(1.0, text, text);
    if (same.ok() && !(std::fabs(same.value - 1.0) < 1e-9)) std::abort();
  } else if (fresh.error().position > size) {
    std::abort();
  }
  return 0;
}
