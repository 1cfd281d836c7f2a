// libFuzzer entry point: the bytes are a de-identification profile (smx-deid-profile/1), loaded
// against the shipped HL7 v2.5 type table (extends: resolves in the shipped profile directory).
// Loading must either succeed or throw smx::config_error whose message starts with
// "fuzz.yaml:LINE:COL: " or "PATH-OF-A-BASE:LINE:COL: ". A profile that loads is applied to a
// fixed synthetic message, which must not crash and must leave MSH first.
#include "positioned.hpp"

#include <smx/deid.hpp>
#include <smx/error.hpp>
#include <smx/hl7.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

const std::filesystem::path kSource = SMX_SOURCE_DIR;

const smx::deid::TypeTable& types() {
  static const smx::deid::TypeTable t = smx::deid::TypeTable::load(smx::deid::types_path(kSource));
  return t;
}

// "NAME:LINE:COL: " for some NAME ending in ".yaml" (the fuzzed file or a base it extends).
bool positioned(std::string_view message) {
  const std::size_t yaml = message.find(".yaml:");
  return yaml != std::string_view::npos && smx_fuzz::line_col_at(message, yaml + 5);
}

const char kMessage[] =
    "MSH|^~\\&|A|B|C|D|20230514103012||ADT^A08^ADT_A01|1|P|2.5\r"
    "EVN||20230514103012\r"
    "PID|1||0001234567^^^^PI||山田^太郎||19800512|M|||^^^^100-0001\r"
    "PV1|1|O|01^101||||D1^鈴木|||||||||||V1|||||||||||||||||||||||||20230514\r"
    "OBX|1|NM|3D010^GLU^JC10||98|mg/dL|||||F|||20230514\r"
    "OBX|2|ST|X^Y^99||陰性|||||F\r"
    "NTE|1||free text\r"
    "ZPD|1|x\r";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<smx::deid::Profile> profile;
  try {
    profile = smx::deid::profile_from_string(text, "fuzz.yaml", types(), smx::deid::profiles_dir(kSource));
  } catch (const smx::config_error& e) {
    if (!positioned(e.what())) std::abort();
    return 0;
  }
  // Any other exception escapes and libFuzzer reports it.
  const smx::deid::Deidentifier deid(std::move(*profile), types(),
                                     smx::deid::Key::from_bytes(std::string(smx::deid::kKeyBytes, 'f')));
  smx::hl7::Message message;
  if (!message.assign(kMessage)) std::abort();
  const smx::deid::DeidResult result = deid.apply(message, deid.patient("0001234567"));
  if (result.text.rfind("MSH|^~\\&|", 0) != 0) std::abort();
  return 0;
}
