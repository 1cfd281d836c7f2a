// Lab messages and OBX-3 codes (lab_message.hpp).
#include "smx/lab_message.hpp"

#include <array>
#include <string_view>

#include "smx/tables.hpp"

namespace smx::lab {

bool is_lab_message(const hl7::Message& m) {
  if (m.segment_count() == 0) return false;
  const std::string_view type = m.message_type().code;
  return type == "OUL" || type == "ORU";
}

ObservationCode observation_code(const hl7::Message& m, std::size_t seg) {
  // The six CWE components of the first repetition, split once and decoded only when they
  // hold an escape (this runs for every OBX: no allocation in the common case).
  const hl7::Delimiters& d = m.delimiters();
  std::string_view first = hl7::nth_piece(m.field(seg, 3), d.repetition, 0);
  std::array<std::string_view, 6> part{};
  for (std::size_t n = 0, start = 0; n < part.size(); ++n) {
    std::size_t end = first.find(d.component, start);
    part[n] = first.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::array<std::string, 6> unescaped;
  for (std::size_t n = 0; n < part.size(); ++n)
    if (hl7::has_escape(part[n], d)) part[n] = unescaped[n] = hl7::decoded(part[n], d);
  ObservationCode c;
  const std::string_view id1 = part[0], text1 = part[1], sys1 = part[2];
  const std::string_view id2 = part[3], text2 = part[4], sys2 = part[5];
  if (sys1 == "JC10" && tables::is_jlac10_code(id1)) {
    c.jlac10 = id1;
    c.name = text1;
    if (!id2.empty()) {
      c.local = id2;
      c.local_system = sys2;
    }
  } else if (sys2 == "JC10" && tables::is_jlac10_code(id2)) {
    c.jlac10 = id2;
    c.name = text2.empty() ? text1 : text2;
    c.local = id1;
    c.local_system = sys1;
  } else {
    c.local = id1;
    c.local_system = sys1;
    c.name = text1;
  }
  return c;
}

}  // namespace smx::lab
