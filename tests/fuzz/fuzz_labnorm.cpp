// libFuzzer entry point: the bytes are the OBX segments (and anything else) of one OUL^R22 after a
// fixed MSH/PID/SPM/OBR, normalized with the shipped tables (issue 11). Checks:
// - normalize never throws and never crashes, whatever the OBX lines hold;
// - what it writes parses as a message again;
// - normalizing its output once more changes nothing (labnorm twice = once), so every rewrite
//   (units, values, ranges, splits, dropped labels) is stable.
#include <smx/labnorm.hpp>
#include <smx/tables.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

const smx::tables::Tables& tables() {
  static const smx::tables::Tables shipped = smx::tables::load_tables(SMX_SOURCE_DIR);
  return shipped;
}

smx::lab::Normalized run(smx::lab::Normalizer& normalizer, const std::string& text, bool& parsed) {
  smx::Record record;
  std::string reason;
  parsed = record.message.assign(text, &reason);
  if (!parsed) return {};
  record.src.path = "<fuzz>";
  record.src.n = 1;
  smx::NullSink quiet;
  return normalizer.normalize(record, quiet);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;
  std::string text =
      "MSH|^~\\&|LAB|H1|SMX|H1|20260101||OUL^R22^OUL_R22|1|P|2.5\rPID|1||1||X||19600101|F\r"
      "SPM|1|||023^血清^JC10\rOBR|1\r";
  text.append(reinterpret_cast<const char*>(data), size);
  smx::lab::Normalizer normalizer(tables(), {});
  bool parsed = false;
  const smx::lab::Normalized once = run(normalizer, text, parsed);
  if (!parsed || !once.changed) return 0;
  bool parsed_again = false;
  const smx::lab::Normalized twice = run(normalizer, once.hl7, parsed_again);
  if (!parsed_again) std::abort();  // labnorm wrote something that is not a message
  if (twice.changed) std::abort();  // not idempotent
  return 0;
}
