// Field readers and JSON shapes shared by the FHIR mapping files (internal.hpp).
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

std::string View::lines(std::string_view raw) const {
  std::string out;
  for (std::size_t k = 0; k < hl7::count_pieces(raw, d.repetition); ++k) {
    std::string piece = text(rep(raw, k));
    if (piece.empty()) continue;
    if (!out.empty()) out.push_back('\n');
    out += piece;
  }
  return out;
}

namespace {
// The two triplets of a CWE; `piece(n)` is the decoded text of part n (1-based).
template <class Piece>
Cwe triplets(Piece piece) {
  Cwe c;
  c.code = piece(1);
  c.display = piece(2);
  c.system = piece(3);
  c.alt_code = piece(4);
  c.alt_display = piece(5);
  c.alt_system = piece(6);
  return c;
}
}  // namespace

Cwe read_cwe(const View& v, std::string_view raw_rep) {
  auto piece = [&](std::size_t n) { return v.text(v.sub(v.comp(raw_rep, n), 1)); };
  Cwe c = triplets(piece);
  c.original_text = piece(9);
  return c;
}

// SS-MIX2 samples send TQ1-3 RPT.1 as `1013044400000000&内服・経口・１日３回朝昼夕食後&JAMISDP01`;
// OBR-26 PRL.1 is a CWE in subcomponents too (NHO bacteria_test.md).
Cwe read_cwe_subcomponents(const View& v, std::string_view component) {
  return triplets([&](std::size_t n) { return v.text(v.sub(component, n)); });
}

std::string_view observation_status(std::string_view obx11) {
  // [CM 0085]; departure for codes the map leaves unmapped (status is 1..1 in FHIR):
  // I, O registered; R, S preliminary; U, V final; B amended; N cancelled; empty unknown.
  if (obx11 == "F") return "final";
  if (obx11 == "P") return "preliminary";
  if (obx11 == "C") return "corrected";
  if (obx11 == "A") return "amended";
  if (obx11 == "D" || obx11 == "W") return "entered-in-error";
  if (obx11 == "X" || obx11 == "N") return "cancelled";
  if (obx11 == "I" || obx11 == "O") return "registered";
  if (obx11 == "R" || obx11 == "S") return "preliminary";
  if (obx11 == "U" || obx11 == "V") return "final";
  if (obx11 == "B") return "amended";
  return "";
}

std::string observation_key_code(const Cwe& code) {
  if (!code.code.empty() && !is_jlac(code.system)) return code.system + ":" + code.code;
  if (!code.alt_code.empty() && !is_jlac(code.alt_system)) return code.alt_system + ":" + code.alt_code;
  return code.code.empty() ? code.alt_code : code.code;
}

// ---------------------------------------------------------------------------------------------

namespace {
void open_object(JsonWriter& w, std::string_view key) {
  if (key.empty()) w.begin_object();
  else w.begin_object(key);
}
}  // namespace

void coding(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
            std::string_view display) {
  open_object(w, key);
  w.string("system", system);
  w.string("code", code);
  w.string("display", display);
  w.end_object();
}

void coding_concept(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code,
                    std::string_view display, std::string_view text) {
  open_object(w, key);
  w.begin_array("coding");
  coding(w, {}, system, code, display);
  w.end_array();
  w.string("text", text);
  w.end_object();
}

void coding_concepts(JsonWriter& w, std::string_view key, std::string_view system, std::string_view code) {
  w.begin_array(key);
  coding_concept(w, {}, system, code);
  w.end_array();
}

void reference(JsonWriter& w, std::string_view key, std::string_view type, std::string_view id) {
  thread_local std::string text;  // "Type/id" is longer than the short-string buffer
  text.assign(type).append("/").append(id);
  open_object(w, key);
  w.string("reference", text);
  w.end_object();
}

void display_reference(JsonWriter& w, std::string_view key, std::string_view display) {
  w.begin_object(key);
  w.string("display", display);
  w.end_object();
}

void identifier_element(JsonWriter& w, std::string_view value, std::string_view type_code) {
  if (value.empty()) return;
  w.begin_object();
  if (!type_code.empty()) coding_concept(w, "type", kIdentifierType, type_code);
  w.string("value", value);
  w.end_object();
}

void identifier(JsonWriter& w, std::string_view value, std::string_view type_code) {
  if (value.empty()) return;
  w.begin_array("identifier");
  identifier_element(w, value, type_code);
  w.end_array();
}

void quantity_members(JsonWriter& w, std::string_view number, lab::Comparator comparator, const Unit& unit) {
  w.number("value", number);
  w.string("comparator", lab::comparator_text(comparator));
  w.string("unit", unit.text);
  if (!unit.code.empty()) {
    w.string("system", kUcum);
    w.string("code", unit.code);
  }
}

void Host::write_date_time_or_period(JsonWriter& w, std::string_view name, std::string_view start,
                                     std::string_view end, std::string_view where, std::string_view where_start,
                                     std::string_view where_end) {
  if (end.empty()) {
    write_date_time(w, std::string(name) + "DateTime", start, where);
    return;
  }
  w.begin_object(std::string(name) + "Period");
  write_date_time(w, "start", start, where_start);
  write_date_time(w, "end", end, where_end);
  w.end_object();
}

std::string person_name(const View& v, std::string_view raw, bool xcn) {
  std::string_view r = v.rep(raw, 0);
  std::string family = v.text(v.sub(v.comp(r, xcn ? 2 : 1), 1));
  std::string given = v.text(v.comp(r, xcn ? 3 : 2));
  if (!family.empty() && !given.empty()) return family + " " + given;
  return family.empty() ? given : family;
}

}  // namespace smx::fhir::detail
