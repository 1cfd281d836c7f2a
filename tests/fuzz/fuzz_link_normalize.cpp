// libFuzzer entry point for smx link's normalizer and schema loader. The first byte picks
// what the rest is:
//   0: text for every normalizer function (name, birth_date, sex, number, symbol, postal code);
//      name() must be idempotent, birth dates either normalize to 8 digits or name a problem;
//   1: a linkage schema (JSON): loads or throws smx::config_error, and a loaded schema encodes a
//      short record without crashing;
//   2: a kanji-variant table (YAML): loads or throws smx::config_error "NAME:LINE:COL: ".
// Anything else (a crash, another exception, a non-idempotent name) is a bug.
#include <smx/error.hpp>
#include <smx/link.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

const smx::link::Normalizer& normalizer() {
  static const smx::link::Normalizer n(
      smx::link::KanjiVariants::from_file(std::filesystem::path(SMX_SOURCE_DIR) / "mappings/link/kanji-variants.yaml"));
  return n;
}

void normalize(std::string_view text) {
  const auto& n = normalizer();
  const std::string once = n.name(text);
  if (n.name(once) != once) std::abort();
  const smx::link::DateResult date = n.birth_date(text);
  if (date.problem == smx::link::DateProblem::none) {
    if (date.value.size() != 8) std::abort();
    // A normalized date reads back as itself.
    if (n.birth_date(date.value).value != date.value) std::abort();
  } else if (!date.value.empty()) {
    std::abort();
  }
  const std::string sex = n.sex(text);
  if (!sex.empty() && sex != "M" && sex != "F" && sex != "O") std::abort();
  (void)n.number(text);
  (void)n.symbol(text);
  (void)n.postal_code(text);
}

void schema(std::string_view json) {
  try {
    const smx::link::Schema s = smx::link::schema_from_string(json, "fuzz.json");
    // Keep the work bounded: encode only small filters.
    if ((s.l << s.xor_folds) > (1u << 16)) return;
    const smx::link::BloomEncoder encoder(s, smx::link::bytes_of("fuzz"));
    std::vector<std::string> values(s.features.size(), "サトウ");
    (void)encoder.encode(values, "1970");
  } catch (const smx::config_error&) {
  }
}

void variants(std::string_view yaml) {
  try {
    (void)smx::link::KanjiVariants::from_string(yaml, "fuzz.yaml");
  } catch (const smx::config_error& e) {
    if (std::string_view(e.what()).substr(0, 10) != "fuzz.yaml:") std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: normalize(rest); break;
    case 1: schema(rest); break;
    default: variants(rest); break;
  }
  return 0;
}
