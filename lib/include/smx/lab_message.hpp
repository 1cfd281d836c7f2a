// Which messages and OBX segments are lab results, and the codes of an OBX-3: what labnorm's
// engine and the readers of its output (flat) both need, without the engine and its tables.
#pragma once
#include <cstddef>
#include <string>

#include "smx/hl7.hpp"

namespace smx::lab {

// True when the message carries lab results (OUL^R22 = OML-11, ORU^R01).
bool is_lab_message(const hl7::Message& message);

// The JLAC10 code and the local code of an OBX-3 (decoded components): JLAC10 is the
// identifier whose coding system is JC10 and that has the JLAC10 shape.
struct ObservationCode {
  std::string jlac10;
  std::string local;
  std::string local_system;
  std::string name;
};
ObservationCode observation_code(const hl7::Message& message, std::size_t segment_index);

}  // namespace smx::lab
