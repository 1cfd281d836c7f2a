// What a message's content says about its SS-MIX2 name: patient ID, data type, care date.
// Used for messages read without a file name (raw HL7, stream records without "ssmix2").
#include <algorithm>
#include <charconv>

#include "name_internal.hpp"

namespace smx::ssmix2 {
namespace {

// "SPM-17" -> {"SPM", 17}; {"", 0} when the text is not SEG-N.
std::pair<std::string_view, std::size_t> split_field(std::string_view spec) {
  if (spec.size() < 5 || spec[3] != '-') return {{}, 0};
  std::size_t number = 0;
  auto [end, error] = std::from_chars(spec.data() + 4, spec.data() + spec.size(), number);
  if (error != std::errc() || end != spec.data() + spec.size() || number == 0) return {{}, 0};
  return {spec.substr(0, 3), number};
}

// MSH-9 type^event ("RDE^O11"), read raw: message codes hold no escapes.
std::string type_event(const hl7::Message& message) {
  if (message.segment_count() == 0) return {};
  return message.message_type().type_event();
}

}  // namespace

bool is_valid_date(std::string_view yyyymmdd) { return detail::is_valid_date(yyyymmdd); }

std::string content_patient(const hl7::Message& message) {
  std::size_t pid = message.find_segment("PID");
  if (pid == hl7::Message::npos) return {};
  const hl7::Delimiters& d = message.delimiters();
  std::string_view ids = message.field(pid, 3);
  std::string_view chosen = hl7::nth_piece(ids, d.repetition, 0);
  for (std::size_t k = 0, n = hl7::count_pieces(ids, d.repetition); k < n; ++k) {
    std::string_view rep = hl7::nth_piece(ids, d.repetition, k);
    if (hl7::nth_piece(rep, d.component, 4) == "PI") {
      chosen = rep;
      break;
    }
  }
  return hl7::decoded(hl7::nth_piece(chosen, d.component, 0), d);
}

std::vector<const DataType*> content_data_types(const hl7::Message& message) {
  std::vector<const DataType*> found;
  std::string key = type_event(message);
  if (key.size() < 3) return found;  // "^": no MSH-9
  for (const DataType& type : data_types())
    if (std::find(type.msh9.begin(), type.msh9.end(), key) != type.msh9.end()) found.push_back(&type);
  return found;
}

std::string_view care_date_field(const DataType& type, const hl7::Message& message) {
  // Reference §2 (DTT SSMIX_CAREDATE.json): the cancel of a return from leave (A53) takes its
  // care date from PV2-47, not from the folder's EVN-6. mappings/profiles/ssmix2-1.2i.yaml
  // (care_date_by_event) gives validate the same rule.
  if (!type.care_date_field.empty() && type_event(message) == "ADT^A53") return "PV2-47";
  return type.care_date_field;
}

std::optional<std::string> content_care_date(const hl7::Message& message, std::string_view field) {
  auto [segment_id, number] = split_field(field);
  if (number == 0) return std::nullopt;
  std::size_t segment = message.find_segment(segment_id);
  if (segment == hl7::Message::npos) return std::nullopt;
  const hl7::Delimiters& d = message.delimiters();
  std::string_view first = hl7::nth_piece(message.field(segment, number), d.repetition, 0);
  std::string_view value = hl7::nth_piece(first, d.component, 0);
  if (value.size() < 8 || !detail::is_valid_date(value.substr(0, 8))) return std::nullopt;
  return std::string(value.substr(0, 8));
}

}  // namespace smx::ssmix2
