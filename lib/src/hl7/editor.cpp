// Message editing for normalizers: replace raw values, keep everything else byte for byte.
#include "smx/hl7.hpp"

namespace smx::hl7 {

std::string replace_piece(std::string_view value, char sep, std::size_t n, std::string_view replacement) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (;;) {
    std::size_t e = value.find(sep, start);
    pieces.push_back(value.substr(start, e == std::string_view::npos ? std::string_view::npos : e - start));
    if (e == std::string_view::npos) break;
    start = e + 1;
  }
  while (pieces.size() <= n) pieces.emplace_back();
  pieces[n] = replacement;
  // Trailing empty pieces that we added are dropped again (HL7 v2.5 §2.5.3: trailing
  // delimiters may be omitted); the original ones stay.
  std::size_t original = count_pieces(value, sep);
  while (pieces.size() > original && pieces.size() > n + 1 && pieces.back().empty()) pieces.pop_back();
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i) out.push_back(sep);
    out.append(pieces[i]);
  }
  return out;
}

MessageEditor::MessageEditor(const Message& message)
    : message_(message), slot_(message.segment_count(), -1) {}

std::vector<std::string_view>& MessageEditor::fields_of(std::size_t segment_index) {
  if (slot_[segment_index] >= 0) return edited_[static_cast<std::size_t>(slot_[segment_index])].second;
  std::vector<std::string_view> fields;
  fields.reserve(16);
  std::string_view s = message_.segment(segment_index);
  char sep = message_.delimiters().field;
  std::size_t start = 0;
  for (;;) {
    std::size_t e = s.find(sep, start);
    fields.push_back(s.substr(start, e == std::string_view::npos ? std::string_view::npos : e - start));
    if (e == std::string_view::npos) break;
    start = e + 1;
  }
  slot_[segment_index] = static_cast<int>(edited_.size());
  edited_.emplace_back(segment_index, std::move(fields));
  return edited_.back().second;
}

const std::vector<std::string_view>* MessageEditor::edited_fields(std::size_t segment_index) const {
  if (segment_index >= slot_.size() || slot_[segment_index] < 0) return nullptr;
  return &edited_[static_cast<std::size_t>(slot_[segment_index])].second;
}

void MessageEditor::insert_after(std::size_t segment_index, std::string raw_segment) {
  inserted_.emplace_back(segment_index, std::move(raw_segment));
}

// Piece index of HL7 field n in a segment split on the field separator: MSH-1 is the separator
// itself, so MSH field n is piece n-1.
static std::size_t piece_of(const Message& m, std::size_t segment_index, int field) {
  return m.segment_id(segment_index) == "MSH" ? static_cast<std::size_t>(field - 1) : static_cast<std::size_t>(field);
}

void MessageEditor::set_field(std::size_t segment_index, int field, std::string_view raw_value) {
  if (field < 1 || (message_.segment_id(segment_index) == "MSH" && field <= 2)) return;
  auto& fields = fields_of(segment_index);
  std::size_t piece = piece_of(message_, segment_index, field);
  while (fields.size() <= piece) fields.emplace_back();
  fields[piece] = values_.emplace_back(raw_value);
}

void MessageEditor::set_component(std::size_t segment_index, int field, int repetition, int component,
                                  std::string_view raw_value) {
  const Delimiters& d = message_.delimiters();
  std::string current(this->field(segment_index, field));
  std::string rep(nth_piece(current, d.repetition, static_cast<std::size_t>(repetition - 1)));
  std::string new_rep = replace_piece(rep, d.component, static_cast<std::size_t>(component - 1), raw_value);
  set_field(segment_index, field, replace_piece(current, d.repetition, static_cast<std::size_t>(repetition - 1), new_rep));
}

std::string_view MessageEditor::field(std::size_t segment_index, int field) const {
  if (const std::vector<std::string_view>* fields = edited_fields(segment_index)) {
    std::size_t piece = piece_of(message_, segment_index, field);
    return piece < fields->size() ? (*fields)[piece] : std::string_view{};
  }
  return message_.field(segment_index, static_cast<std::size_t>(field));
}

std::string MessageEditor::text() const {
  std::string out;
  out.reserve(message_.text().size() + 64);
  const char sep = message_.delimiters().field;
  for (std::size_t i = 0; i < message_.segment_count(); ++i) {
    const std::vector<std::string_view>* fields = edited_fields(i);
    if (!fields) {
      out.append(message_.segment(i));
    } else {
      for (std::size_t p = 0; p < fields->size(); ++p) {
        if (p) out.push_back(sep);
        out.append((*fields)[p]);
      }
    }
    out.push_back('\r');
    for (const auto& [after, raw] : inserted_) {
      if (after != i) continue;
      out.append(raw);
      out.push_back('\r');
    }
  }
  return out;
}

}  // namespace smx::hl7
