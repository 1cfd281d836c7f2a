// libFuzzer entry point: Path::parse. A path either parses or throws parse_error with a position
// inside the text; a parsed path prints in canonical form, and that form parses to the same path.
#include <smx/error.hpp>
#include <smx/hl7.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same(const smx::hl7::Path& a, const smx::hl7::Path& b) {
  return a.segment == b.segment && a.segment_index == b.segment_index &&
         a.segment_index_given == b.segment_index_given && a.field == b.field && a.repetition == b.repetition &&
         a.repetition_given == b.repetition_given && a.component == b.component && a.subcomponent == b.subcomponent;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  smx::hl7::Path path;
  try {
    path = smx::hl7::Path::parse(text);
  } catch (const smx::parse_error& e) {
    check(e.position <= text.size());
    return 0;
  }
  check(path.text == text);
  check(path.segment.size() == 3);
  check(path.field >= 0 && path.component >= 0 && path.subcomponent >= 0);
  check(path.subcomponent == 0 || path.component > 0);
  check(path.segment_index >= 1 || path.segment_index == smx::hl7::Path::kAll);
  check(path.repetition >= 1 || path.repetition == smx::hl7::Path::kAll);
  const std::string canonical = path.to_string();
  smx::hl7::Path again;
  try {
    again = smx::hl7::Path::parse(canonical);
  } catch (const smx::parse_error&) {
    __builtin_trap();  // the canonical form must parse
  }
  check(same(path, again));
  check(again.to_string() == canonical);
  return 0;
}
