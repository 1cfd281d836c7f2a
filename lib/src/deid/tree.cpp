// SS-MIX2 names and file bytes of a de-identified tree (smx-deid(1), "Output").
#include <algorithm>

#include "smx/charset.hpp"
#include "smx/deid.hpp"

namespace smx::deid {
namespace {

// "No order" in a file name: 15 nines (ssmix2.md §3 field 4).
bool is_no_order(std::string_view order) {
  return !order.empty() && std::all_of(order.begin(), order.end(), [](char c) { return c == '9'; });
}

std::string digits_of(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c >= '0' && c <= '9') out += c;
  return out;
}

}  // namespace

std::optional<ssmix2::FileName> Deidentifier::file_name(const ssmix2::FileName& name,
                                                        const PatientContext& patient) const {
  if (patient.pseudonym.empty()) return std::nullopt;
  ssmix2::FileName out = name;
  out.patient = patient.pseudonym;
  std::optional<std::string> date = care_date(name.date, patient);
  std::optional<std::string> timestamp = file_timestamp(name.timestamp, patient);
  if (!date || !timestamp) return std::nullopt;
  out.date = *date;
  out.timestamp = *timestamp;
  if (!is_no_order(name.order)) {
    const auto purposes = profile().purposes();
    const bool named = std::find(purposes.begin(), purposes.end(), "order") != purposes.end();
    // A profile that names no order purpose keeps no order number: "no order" (15 nines) is
    // the only value that carries nothing.
    out.order = named ? pseudonym("order", name.order).text : std::string(15, '9');
  }
  return out;
}

std::string storage_directory(const ssmix2::FileName& name) {
  const std::string& p = name.patient;
  return p.substr(0, 3) + "/" + p.substr(3, 3) + "/" + p + "/" + name.date + "/" + name.type;
}

std::optional<ssmix2::FileName> name_from_content(const hl7::Message& message, std::string_view patient) {
  const std::vector<const ssmix2::DataType*> types = ssmix2::content_data_types(message);
  if (types.empty() || patient.empty()) return std::nullopt;
  const ssmix2::DataType& type = *types.front();
  ssmix2::FileName name;
  name.patient = std::string(patient);
  name.type = std::string(type.folder);
  const std::string_view date_field = ssmix2::care_date_field(type, message);
  if (date_field.empty()) {
    name.date = "-";
  } else {
    std::optional<std::string> date = ssmix2::content_care_date(message, date_field);
    if (!date) return std::nullopt;
    name.date = *date;
  }
  const hl7::Delimiters& d = message.delimiters();
  std::string order;
  for (std::string_view segment : {"ORC", "OBR"}) {
    const std::size_t index = message.find_segment(segment);
    if (index == hl7::Message::npos) continue;
    order = digits_of(hl7::nth_piece(message.field(index, 2), d.component, 0));
    if (!order.empty()) break;
  }
  if (order.size() > 15) order = order.substr(order.size() - 15);
  name.order = order.empty() ? std::string(15, '9') : std::string(15 - order.size(), '0') + order;
  const std::size_t msh = message.find_segment("MSH");
  std::string stamp = digits_of(hl7::nth_piece(message.field(msh, 7), d.component, 0));
  if (stamp.size() < 8) return std::nullopt;
  if (stamp.size() > 17) stamp.resize(17);
  stamp.resize(17, '0');
  name.timestamp = stamp;
  name.dept = "-";
  name.flag = 1;
  return name;
}

std::string set_msh18(std::string_view text, std::string_view value) {
  const std::size_t end = text.find('\r');
  std::string_view msh = text.substr(0, end);
  if (msh.size() < 4) return std::string(text);
  const char separator = msh[3];
  // Field n of MSH starts after the (n-1)-th separator (MSH-1 is the separator itself).
  std::size_t start = 3, count = 1;
  while (count < 17 && start != std::string_view::npos) {
    start = msh.find(separator, start + 1);
    ++count;
  }
  std::string out;
  if (start == std::string_view::npos) {  // fewer than 17 fields: pad
    out.assign(msh);
    for (std::size_t fields = count; fields < 17; ++fields) out += separator;
    out += separator;
    out += value;
  } else {
    const std::size_t stop = msh.find(separator, start + 1);
    out.assign(msh.substr(0, start + 1));
    out += value;
    if (stop != std::string_view::npos) out += msh.substr(stop);
  }
  if (end != std::string_view::npos) out += text.substr(end);
  return out;
}

bool encode_message(std::string_view utf8, std::string_view charset_text, std::string& out) {
  const Charset charset = charset_from_name(charset_text);
  if (charset != Charset::iso2022jp && charset != Charset::shift_jis) {
    out.append(utf8);  // UTF-8, ASCII, unknown: the stream's text as it is (UTF-8)
    return true;
  }
  if (from_utf8(utf8, charset, out)) return true;
  out.append(set_msh18(utf8, "UNICODE UTF-8"));
  return false;
}

}  // namespace smx::deid
