// Per-message checks (grammar, required fields, data types, tables, expected values, escapes,
// JLAC10, SS-MIX2 file name <-> content) and the tree-wide condition-flag lifecycle.
// Which segments/fields/tables/severities is the profile's business; this file is the mechanism.
#include <algorithm>
#include <mutex>

#include "smx/ssmix2.hpp"
#include "smx/validate.hpp"

namespace smx::validate {
namespace {

std::string basename_of(std::string_view path) {
  std::size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string_view strip_leading_zeros(std::string_view s) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  return s;
}

std::string squeeze(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t') out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  return out;
}

bool all_nines(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c == '9'; });
}

// One file's key and version facts for the condition-flag lifecycle (reference §3.1).
struct FlagFact {
  std::string key;        // patient \x1F date \x1F type \x1F order
  int flag = -1;
  std::string timestamp;
  std::string path;
  // --deidentified: the name's care date and timestamp are the padding of a date cut to the
  // profile's precision, and MSH-7 holds no more than that date: nothing tells the files apart.
  bool coarse = false;
};

}  // namespace

struct Checker::Impl {
  const Profile& profile;
  bool show_phi;
  std::optional<DeidentifiedExpectation> deidentified;
  std::vector<FlagFact> facts;
  // Rules looked up once.
  struct Cached {
    const Rule* rule = nullptr;
  };
  std::map<std::string, const Rule*, std::less<>> rule_cache;

  // Per-message scratch.
  const Record* record = nullptr;
  DiagnosticSink* sink = nullptr;
  std::vector<std::string_view> ids;
  std::vector<int> occurrence;  // 1-based occurrence of each segment's ID
  std::vector<int> id_count;    // how many segments share the ID of segment i
  std::map<std::string_view, int> counts_scratch;
  std::string scratch;
  std::vector<hl7::EscapeProblem> escape_problems;

  Impl(const Profile& p, bool phi, std::optional<DeidentifiedExpectation> deid)
      : profile(p), show_phi(phi), deidentified(std::move(deid)) {
    for (const auto& r : profile.rules) rule_cache[r.code] = &r;
  }

  const Rule* active(std::string_view code) const {
    auto it = rule_cache.find(code);
    if (it == rule_cache.end() || !it->second->enabled) return nullptr;
    return it->second;
  }
  bool on(std::string_view code) const { return active(code) != nullptr; }

  void emit(std::string_view code, std::string hl7_path, std::string text) {
    const Rule* r = active(code);
    if (!r) return;
    sink->report(Diagnostic{r->severity, std::string(code), record->location(std::move(hl7_path)), std::move(text)});
  }

  // A finding the --deidentified profile writes by design: a note VAL-DEID-EXPECTED (severity
  // from the profile when it lists the code) whose subject is the finding's own code. A rule
  // switched off stays off. `why` names the profile's rule, never a value.
  Diagnostic expected_finding(std::string_view code, Location where, const std::string& why) const {
    auto it = rule_cache.find(kDeidExpectedCode);
    Severity severity = it == rule_cache.end() ? Severity::note : it->second->severity;
    return Diagnostic{severity, std::string(kDeidExpectedCode), std::move(where),
                      std::string(code) + " by design of the de-identification profile " + deidentified->profile + ": " + why,
                      std::string(code)};
  }
  void emit_expected(std::string_view code, std::string hl7_path, const std::string& why) {
    if (!active(code)) return;
    sink->report(expected_finding(code, record->location(std::move(hl7_path)), why));
  }
  std::size_t date_digits() const { return deidentified ? deidentified->date_digits : 0; }
  std::string date_precision() const { return date_digits() == 4 ? "the year" : "the year and month"; }
  // MSH-7 (component 1) when it holds only a date cut to the profile's precision, else empty.
  std::string_view coarse_msh7() const {
    std::string_view msh7 = hl7::nth_piece(first_value(FieldSpec{"MSH", 7, 0, ""}), comp(), 0);
    if (date_digits() == 0 || msh7.size() != date_digits()) return {};
    return std::all_of(msh7.begin(), msh7.end(), [](char c) { return c >= '0' && c <= '9'; }) ? msh7 : std::string_view();
  }

  const hl7::Message& msg() const { return record->message; }
  char comp() const { return msg().delimiters().component; }
  char rep() const { return msg().delimiters().repetition; }
  char sub() const { return msg().delimiters().subcomponent; }

  std::string seg_name(std::size_t i) const {
    std::string s(ids[i]);
    if (id_count[i] > 1) s += "[" + std::to_string(occurrence[i]) + "]";
    return s;
  }
  std::string path_of(std::size_t i, int field, int repetition = 1, int component = 0) const {
    std::string s = seg_name(i) + "-" + std::to_string(field);
    if (repetition > 1) s += "[" + std::to_string(repetition) + "]";
    if (component > 0) s += "." + std::to_string(component);
    return s;
  }

  // First occurrence of a segment, npos if none.
  std::size_t first(std::string_view id) const {
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (ids[i] == id) return i;
    return hl7::Message::npos;
  }

  std::string_view value_of(std::size_t seg, const FieldSpec& f) const {
    return msg().value(seg, static_cast<std::size_t>(f.field), 1, static_cast<std::size_t>(f.component));
  }
  // The value of "SEG-F[.C]" in the first occurrence of SEG (empty when absent).
  std::string_view first_value(const FieldSpec& f) const {
    std::size_t i = first(f.segment);
    return i == hl7::Message::npos ? std::string_view() : value_of(i, f);
  }

  template <class Fn>
  void for_each_repetition(std::size_t seg, int field, Fn&& fn) const {
    std::string_view raw = msg().field(seg, static_cast<std::size_t>(field));
    if (raw.empty()) return;
    if (ids[seg] == "MSH" && field <= 2) {
      fn(raw, 1);
      return;
    }
    std::size_t n = hl7::count_pieces(raw, rep());
    for (std::size_t r = 0; r < n; ++r) fn(hl7::nth_piece(raw, rep(), r), static_cast<int>(r + 1));
  }

  std::string data_type_of() const {
    if (record->ssmix2 && !record->ssmix2->type.empty()) return record->ssmix2->type;
    const std::string event = msg().message_type().type_event();
    for (const auto& t : ssmix2::data_types())
      for (auto m : t.msh9)
        if (m == event) return std::string(t.folder);
    return {};
  }

  // ------------------------------------------------------------------------------------------
  void check(const Record& r, DiagnosticSink& s) {
    record = &r;
    sink = &s;
    const hl7::Message& m = r.message;
    std::size_t n = m.segment_count();
    ids.resize(n);
    occurrence.assign(n, 0);
    id_count.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) ids[i] = m.segment_id(i);
    counts_scratch.clear();
    for (std::size_t i = 0; i < n; ++i) occurrence[i] = ++counts_scratch[ids[i]];
    for (std::size_t i = 0; i < n; ++i) id_count[i] = counts_scratch[ids[i]];
    std::string data_type = data_type_of();

    check_structure();
    check_version();
    check_required(data_type);
    check_field_types();
    check_tables();
    check_expected_values();
    check_escapes();
    check_obx(data_type);
    check_jlac10();
    check_charset();
    if (r.ssmix2) check_name(*r.ssmix2);
  }

  void check_structure() {
    const hl7::MessageType type = msg().message_type();
    const std::string type_event = type.type_event();
    std::string structure(type.structure);
    auto mapped = profile.structure_of.find(type_event);
    if (structure.empty()) {
      emit("HL7-MSH9", "MSH-9", "MSH-9 has no message structure (third component)");
      if (mapped != profile.structure_of.end()) structure = mapped->second;
    } else if (mapped != profile.structure_of.end() && mapped->second != structure) {
      emit("HL7-MSH9", "MSH-9.3",
           "message structure " + structure + " does not belong to " + type_event + " (expected " + mapped->second + ")");
    }
    if (structure.empty()) {
      emit("HL7-STRUCTURE-UNKNOWN", "MSH-9", "no segment grammar for message type " + type_event);
      return;
    }
    auto g = profile.structures.find(structure);
    if (g == profile.structures.end()) {
      emit("HL7-STRUCTURE-UNKNOWN", "MSH-9.3", "no segment grammar for message structure " + structure);
      return;
    }
    if (!on("HL7-SEG-ORDER")) return;
    if (auto mismatch = g->second.match(ids)) {
      std::string where = mismatch->index < ids.size() ? seg_name(mismatch->index) : std::string();
      emit("HL7-SEG-ORDER", where, structure + ": " + mismatch->text);
    }
  }

  void check_version() {
    if (profile.hl7_version.empty()) return;
    const std::string_view v = first_value(FieldSpec{"MSH", 12, 1, ""});
    if (v != profile.hl7_version)
      emit("HL7-VERSION", "MSH-12",
           "HL7 version '" + std::string(v) + "' (MSH-12), expected " + profile.hl7_version);
  }

  void check_required(const std::string& data_type) {
    if (!on("HL7-REQUIRED")) return;
    for (const auto& set : profile.required) {
      if (set.data_type != "*" && set.data_type != data_type) continue;
      for (const auto& f : set.fields) {
        for (std::size_t i = 0; i < ids.size(); ++i) {
          if (ids[i] != f.segment) continue;
          // Present when any repetition holds a value (MSH-18 "~ISO IR87" has an empty first one).
          bool present = false;
          for_each_repetition(i, f.field, [&](std::string_view v, int) {
            if (f.component > 0) v = hl7::nth_piece(v, comp(), static_cast<std::size_t>(f.component - 1));
            if (!v.empty()) present = true;
          });
          if (present) continue;
          const int removed_at = deidentified ? deidentified->birth_removed_at_age : 0;
          if (removed_at != 0 && f.segment == "PID" && f.field == 7 && f.component == 0)
            emit_expected("HL7-REQUIRED", path_of(i, f.field, 1, f.component),
                          removed_at < 0 ? std::string("PID-7 (birth date) is not kept")
                                         : "PID-7 (birth date) is removed at age " + std::to_string(removed_at) + " or over");
          else
            emit("HL7-REQUIRED", path_of(i, f.field, 1, f.component),
                 f.text + " is required" + (set.data_type == "*" ? std::string() : " for " + set.data_type) +
                     " but empty");
        }
      }
    }
  }

  void check_value(ValueType type, std::string_view v, const std::string& path, const std::string& what) {
    if (v.empty() || v == "\"\"") return;
    switch (type) {
      case ValueType::ts:
      case ValueType::dtm:
      case ValueType::dt: {
        if (type == ValueType::ts) v = hl7::nth_piece(v, comp(), 0);
        if (v.empty()) return;
        DtmResult res = check_dtm(v, type == ValueType::dt ? 8 : 14);
        if (res == DtmResult::hour_24_47)
          emit("HL7-DT-DTM-HOUR24", path, what + " has an hour from 24 to 47 (a next-day time written on the previous date)");
        else if (res == DtmResult::bad_format)
          emit("HL7-DT-DTM", path, what + " is not a " + (type == ValueType::dt ? "DT (YYYY[MM[DD]])" : "DTM (YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ])"));
        else if (res == DtmResult::bad_value)
          emit("HL7-DT-DTM", path, what + " is not a possible date/time");
        break;
      }
      case ValueType::nm: {
        bool exponent = false;
        if (!check_nm(v, &exponent))
          emit("HL7-DT-NM", path, what + (exponent ? " uses exponent notation, not allowed in NM" : " is not a number (NM)"));
        break;
      }
      case ValueType::si: {
        bool ok = !v.empty() && v.size() <= 4 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!ok || strip_leading_zeros(v) == "0") emit("HL7-DT-SI", path, what + " is not a sequence ID (positive integer)");
        break;
      }
      case ValueType::cwe: {
        std::string_view code = hl7::nth_piece(v, comp(), 0), system = hl7::nth_piece(v, comp(), 2);
        std::string_view alt = hl7::nth_piece(v, comp(), 3), alt_system = hl7::nth_piece(v, comp(), 5);
        if (!code.empty() && system.empty())
          emit("HL7-DT-CWE", path, what + " has a code without a coding system (CWE.3)");
        else if (!alt.empty() && alt_system.empty())
          emit("HL7-DT-CWE", path, what + " has an alternate code without a coding system (CWE.6)");
        break;
      }
      case ValueType::cx: {
        if (hl7::nth_piece(v, comp(), 0).empty())
          emit("HL7-DT-CX", path, what + " has no ID number (CX.1)");
        break;
      }
      case ValueType::xpn: {
        if (hl7::nth_piece(v, comp(), 0).empty())
          emit("HL7-DT-XPN", path, what + " has no family name (XPN.1)");
        else if (hl7::nth_piece(v, comp(), 6).empty())
          emit("HL7-DT-XPN", path, what + " has no name type code (XPN.7)");
        break;
      }
      case ValueType::st:
      case ValueType::id:
        break;
    }
  }

  void check_field_types() {
    for (const auto& tf : profile.field_types) {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] != tf.where.segment) continue;
        for_each_repetition(i, tf.where.field, [&](std::string_view v, int r) {
          if (tf.where.component > 0) v = hl7::nth_piece(v, comp(), static_cast<std::size_t>(tf.where.component - 1));
          check_value(tf.type, v, path_of(i, tf.where.field, r, tf.where.component), tf.where.text);
        });
      }
    }
  }

  bool known_variant(const FieldSpec& where, std::string_view value) const {
    for (const auto& e : profile.expected_values) {
      if (e.where.segment != where.segment || e.where.field != where.field) continue;
      // A value is a known variant when it is a repetition (or component 1 of one) of a listed
      // misspelling, or the expected value with spaces moved.
      auto in = [&](std::string_view whole) {
        std::size_t reps = hl7::count_pieces(whole, rep());
        for (std::size_t k = 0; k < reps; ++k) {
          std::string_view piece = hl7::nth_piece(whole, rep(), k);
          if (piece == value || hl7::nth_piece(piece, comp(), 0) == value) return true;
          if (squeeze(piece) == squeeze(value) || squeeze(hl7::nth_piece(piece, comp(), 0)) == squeeze(value)) return true;
        }
        return false;
      };
      for (const auto& v : e.variants)
        if (in(v)) return true;
      if (in(e.expected)) return true;
    }
    return false;
  }

  void check_tables() {
    for (const auto& tf : profile.table_fields) {
      std::string code = "HL7-TABLE-" + tf.table;
      if (!on(code)) continue;
      auto table = profile.tables.find(tf.table);
      if (table == profile.tables.end()) continue;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] != tf.where.segment) continue;
        for_each_repetition(i, tf.where.field, [&](std::string_view v, int r) {
          if (tf.where.component > 0) v = hl7::nth_piece(v, comp(), static_cast<std::size_t>(tf.where.component - 1));
          else v = hl7::nth_piece(v, comp(), 0);
          if (v.empty() || v == "\"\"") return;
          if (std::find(table->second.begin(), table->second.end(), v) != table->second.end()) return;
          if (known_variant(tf.where, v)) return;  // reported once, by the expected-value rule
          emit(code, path_of(i, tf.where.field, r, tf.where.component),
               tf.where.text + " value '" + std::string(v) + "' is not in HL7 table " + tf.table);
        });
      }
    }
  }

  void check_expected_values() {
    for (const auto& e : profile.expected_values) {
      std::size_t i = first(e.where.segment);
      if (i == hl7::Message::npos) continue;
      std::string_view v = msg().field(i, static_cast<std::size_t>(e.where.field));
      if (e.where.component > 0) v = hl7::nth_piece(v, comp(), static_cast<std::size_t>(e.where.component - 1));
      if (v == e.expected || (v.empty() && e.if_present)) continue;
      bool variant = std::find(e.variants.begin(), e.variants.end(), v) != e.variants.end() ||
                     (!v.empty() && squeeze(v) == squeeze(e.expected));
      std::string shown = v.empty() ? std::string("empty") : "'" + std::string(v) + "'";
      if (variant)
        emit(e.variant_code, path_of(i, e.where.field, 1, e.where.component),
             e.where.text + " is " + shown + ", a known misspelling of '" + e.expected + "'");
      else
        emit(e.code, path_of(i, e.where.field, 1, e.where.component),
             e.where.text + " is " + shown + ", expected '" + e.expected + "'");
    }
  }

  void check_escapes() {
    const hl7::Delimiters& d = msg().delimiters();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      std::string_view seg = msg().segment(i);
      std::size_t from = ids[i] == "MSH" ? 3 : 0;
      std::size_t first_escape = seg.find(d.escape, from);
      if (ids[i] == "MSH") {  // skip MSH-2 (the encoding characters themselves)
        std::size_t msh2_end = seg.find(d.field, 4);
        if (msh2_end == std::string_view::npos) continue;
        first_escape = seg.find(d.escape, msh2_end);
      }
      if (first_escape == std::string_view::npos) continue;
      std::size_t count = msg().field_count(i);
      for (std::size_t f = ids[i] == "MSH" ? 3 : 1; f <= count; ++f) {
        std::string_view raw = msg().field(i, f);
        if (!hl7::has_escape(raw, d)) continue;
        escape_problems.clear();
        scratch.clear();
        hl7::unescape(raw, d, scratch, &escape_problems);
        for (const auto& p : escape_problems)
          emit(p.code, path_of(i, static_cast<int>(f)), p.text + " (at character " + std::to_string(p.offset + 1) + " of the field)");
      }
    }
  }

  void check_obx(const std::string& data_type) {
    auto allowed = profile.obx2_allowed.find(data_type);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] != "OBX") continue;
      std::string_view type = msg().field(i, 2);
      std::string_view value = msg().field(i, 5);
      if (type.empty()) {
        if (!value.empty()) emit("HL7-OBX-VALUE-TYPE", path_of(i, 2), "OBX-5 has a value but OBX-2 (value type) is empty");
        continue;
      }
      if (allowed != profile.obx2_allowed.end() &&
          std::find(allowed->second.begin(), allowed->second.end(), type) == allowed->second.end())
        emit("SSMX-OBX2-TYPE", path_of(i, 2),
             "value type '" + std::string(type) + "' is not allowed in " + data_type + " (allowed: " + [&] {
               std::string s;
               for (const auto& a : allowed->second) s += (s.empty() ? "" : ", ") + a;
               return s;
             }() + ")");
      ValueType vt;
      if (type == "NM") vt = ValueType::nm;
      else if (type == "TS") vt = ValueType::ts;
      else if (type == "DT") vt = ValueType::dt;
      else if (type == "DTM") vt = ValueType::dtm;
      else if (type == "CWE" || type == "CE") vt = ValueType::cwe;
      else continue;
      for_each_repetition(i, 5, [&](std::string_view v, int r) {
        check_value(vt, v, path_of(i, 5, r), "OBX-5 (" + std::string(type) + ")");
      });
    }
  }

  void check_jlac10() {
    if (profile.jlac10_fields.empty()) return;
    for (const auto& f : profile.jlac10_fields) {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (ids[i] != f.segment) continue;
        for_each_repetition(i, f.field, [&](std::string_view v, int r) {
          for (std::size_t triplet = 0; triplet < 2; ++triplet) {
            if (hl7::nth_piece(v, comp(), triplet * 3 + 2) != "JC10") continue;
            std::string_view code = hl7::nth_piece(hl7::nth_piece(v, comp(), triplet * 3), sub(), 0);
            std::string path = path_of(i, f.field, r, static_cast<int>(triplet * 3 + 1));
            if (code.size() == 17 && all_nines(code)) {
              emit("SSMX-JLAC10-UNCODED", path, f.text + " is the JLAC10 'uncoded' placeholder (17 nines)");
            } else if (std::find(profile.jlac10_short_lengths.begin(), profile.jlac10_short_lengths.end(), code.size()) !=
                       profile.jlac10_short_lengths.end()) {
              emit("SSMX-JLAC10-LENGTH", path,
                   f.text + " labelled JC10 has " + std::to_string(code.size()) + " characters, not 17 (" +
                       (code.size() == 5 ? "analyte code only" : code.size() == 15 ? "no result-identification part" : "a digit missing") + ")");
            } else if (!matches_shape(code, profile.jlac10_shape)) {
              emit("SSMX-JLAC10-SHAPE", path,
                   f.text + " labelled JC10 is not a 17-character JLAC10 code (analyte 5, identification 4, material 3, method 3, result 2)");
            }
          }
        });
      }
    }
  }

  void check_charset() {
    if (record->charset.empty() || profile.charsets.empty()) return;
    if (std::find(profile.charsets.begin(), profile.charsets.end(), record->charset) != profile.charsets.end()) return;
    emit("CHARSET-NOT-ISO2022JP", "", "message is encoded as " + record->charset + ", not ISO-2022-JP");
  }

  // ---- SS-MIX2 file name <-> content ---------------------------------------------------------
  // Patient ID vs PID-3 (any repetition's CX.1).
  void check_name_patient(const ssmix2::FileName& name) {
    if (std::size_t pid = first("PID"); pid != hl7::Message::npos && !name.patient.empty()) {
      bool found = false, any = false;
      std::string first_id;
      for_each_repetition(pid, 3, [&](std::string_view v, int) {
        std::string_view id = hl7::nth_piece(v, comp(), 0);
        if (id.empty()) return;
        if (!any) first_id = std::string(id);
        any = true;
        if (id == name.patient) found = true;
      });
      if (any && !found)
        emit("SSMX-PATIENT-ID", "PID-3",
             show_phi ? "PID-3 '" + first_id + "' differs from the file name's patient ID '" + name.patient + "'"
                      : std::string("PID-3 differs from the file name's patient ID"));
      bool has_pi = false, any_rep = false;
      for_each_repetition(pid, 3, [&](std::string_view v, int) {
        any_rep = true;
        if (hl7::nth_piece(v, comp(), 4) == "PI") has_pi = true;
      });
      if (any_rep && !has_pi) emit("SSMX-PID3-TYPE", "PID-3.5", "PID-3 has no identifier type code PI (CX.5)");
    }
  }

  // Data type vs MSH-9 (reference §4).
  void check_name_type(const ssmix2::FileName& name, const ssmix2::DataType* dt, std::string_view msh9,
                       const std::string& type_event) {
    if (dt != nullptr && !msh9.empty()) {
      bool ok = std::find(dt->msh9.begin(), dt->msh9.end(), type_event) != dt->msh9.end();
      if (!ok) {
        std::string expect;
        for (auto m : dt->msh9) expect += (expect.empty() ? "" : " or ") + std::string(m);
        emit("SSMX-DATA-TYPE", "MSH-9",
             "message type " + type_event + " does not belong in data type " + name.type + " (expected " + expect + ")");
      }
    }
  }

  // Care date vs the data type's source field (reference §2 table).
  void check_name_care_date(const ssmix2::FileName& name, const ssmix2::DataType* dt, const std::string& type_event) {
    if (dt != nullptr && name.date.size() == 8) {
      std::string source(dt->care_date_field);
      if (auto o = profile.care_date_by_event.find(type_event); o != profile.care_date_by_event.end()) source = o->second;
      if (!source.empty()) {
        FieldSpec spec = parse_field_spec(source);
        std::string_view v = first_value(spec);
        v = hl7::nth_piece(v, comp(), 0);
        if (v.empty()) {
          emit("SSMX-CARE-DATE-SOURCE", source, source + " is empty; the care date of the file name cannot be checked");
        } else if (v.substr(0, 8) != name.date && is_padded_date(name.date, v, date_digits())) {
          emit_expected("SSMX-CARE-DATE", source,
                        source + " holds only " + date_precision() + "; the file name's care date is it padded with 01");
        } else if (v.substr(0, 8) != name.date) {
          emit("SSMX-CARE-DATE", source,
               show_phi ? "care date " + name.date + " of the file name differs from " + source + " (" + std::string(v.substr(0, 8)) + ")"
                        : "care date of the file name differs from the date in " + source);
        }
      }
    }
  }

  // Order number vs ORC-2 (15 digits, zero-padded) for ordered data types.
  void check_name_order(const ssmix2::FileName& name) {
    if (std::find(profile.order_types.begin(), profile.order_types.end(), name.type) != profile.order_types.end() &&
        !name.order.empty()) {
      std::string_view order = hl7::nth_piece(first_value(FieldSpec{"ORC", 2, 0, ""}), comp(), 0);
      std::string source = "ORC-2";
      if (order.empty()) {
        order = hl7::nth_piece(first_value(FieldSpec{"OBR", 2, 0, ""}), comp(), 0);
        source = "OBR-2";
      }
      if (!order.empty() && strip_leading_zeros(order) != strip_leading_zeros(name.order))
        emit("SSMX-ORDER-NUMBER", source, "order number of the file name differs from " + source + " (first occurrence)");
    }
  }

  // Timestamp vs MSH-7 truncated to milliseconds ([INFERRED], reference §3).
  void check_name_timestamp(const ssmix2::FileName& name) {
    std::string_view msh7 = hl7::nth_piece(first_value(FieldSpec{"MSH", 7, 0, ""}), comp(), 0);
    if (!msh7.empty()) {
      std::size_t digits = 0;
      while (digits < msh7.size() && msh7[digits] >= '0' && msh7[digits] <= '9') ++digits;
      std::string expected(msh7.substr(0, std::min<std::size_t>(digits, 14)));
      const std::string_view coarse = coarse_msh7();
      if (digits < 14 && !coarse.empty())
        emit_expected("SSMX-MSH7-PRECISION", "MSH-7", "MSH-7 holds only " + date_precision());
      else if (digits < 14)
        emit("SSMX-MSH7-PRECISION", "MSH-7", "MSH-7 has no seconds; SS-MIX2 file names need them");
      expected.resize(14, '0');
      std::string fraction;
      if (digits < msh7.size() && msh7[digits] == '.') {
        for (std::size_t i = digits + 1; i < msh7.size() && msh7[i] >= '0' && msh7[i] <= '9'; ++i) fraction += msh7[i];
      }
      fraction.resize(3, '0');
      expected += fraction;
      if (!name.timestamp.empty()) {
        std::size_t common = std::min(expected.size(), name.timestamp.size());
        const bool padded = !coarse.empty() && name.timestamp.size() >= 8 &&
                            is_padded_date(std::string_view(name.timestamp).substr(0, 8), coarse, date_digits());
        if (name.timestamp.compare(0, common, expected, 0, common) != 0 && padded)
          emit_expected("SSMX-TIMESTAMP", "MSH-7",
                        "MSH-7 holds only " + date_precision() +
                            "; the file name's timestamp is it padded (smx deid makes names that meet distinct)");
        else if (name.timestamp.compare(0, common, expected, 0, common) != 0)
          emit("SSMX-TIMESTAMP", "MSH-7", "timestamp of the file name differs from MSH-7 truncated to milliseconds");
      }
    }
  }

  // Department vs ORC-17 / PV1-10 ([INFERRED], reference §3).
  void check_name_dept(const ssmix2::FileName& name) {
    if (!profile.dept_sources.empty()) {
      std::string_view value;
      std::string source;
      for (const auto& s : profile.dept_sources) {
        value = first_value(parse_field_spec(s));
        if (!value.empty()) {
          source = s;
          break;
        }
      }
      if (!value.empty() && value != "\"\"" && value != name.dept)
        emit("SSMX-DEPT", source,
             name.dept == "-" ? "file name has no department ('-') but " + source + " is '" + std::string(value) + "'"
                              : "department '" + name.dept + "' of the file name differs from " + source + " '" +
                                    std::string(value) + "'");
    }
  }

  void check_name(const ssmix2::FileName& name) {
    const bool first_message = record->src.n <= 1;
    if (record->src.n == 2)
      emit("SSMX-ONE-MESSAGE", "", "more than one message in a standardized-storage file");
    const std::string_view msh9 = msg().value(0, 9, 1);
    const std::string type_event = msg().message_type().type_event();
    const ssmix2::DataType* dt = ssmix2::find_data_type(name.type);

    check_name_patient(name);
    check_name_type(name, dt, msh9, type_event);
    check_name_care_date(name, dt, type_event);
    check_name_order(name);
    check_name_timestamp(name);
    check_name_dept(name);
    check_limits(name);
    if (first_message && name.flag >= 0) {
      const std::string_view msh7 = coarse_msh7();
      const bool coarse = !msh7.empty() && name.timestamp.size() >= 8 &&
                          is_padded_date(name.date, std::string_view(name.date).substr(0, date_digits()), date_digits()) &&
                          is_padded_date(std::string_view(name.timestamp).substr(0, 8), msh7, date_digits());
      facts.push_back(FlagFact{name.patient + '\x1F' + name.date + '\x1F' + name.type + '\x1F' + name.order, name.flag,
                               name.timestamp, record->src.path, coarse});
    }
  }

  void check_limits(const ssmix2::FileName& name) {
    if (!on("SSMX-LENGTH")) return;
    std::string file = basename_of(record->src.path);
    std::string directory;
    {  // relative directory: the 5 levels above the file
      std::string_view p = record->src.path;
      std::size_t end = p.find_last_of('/');
      std::size_t begin = end;
      for (int level = 0; level < 5 && begin != std::string_view::npos && begin > 0; ++level)
        begin = p.find_last_of('/', begin - 1);
      if (end != std::string_view::npos)
        directory = std::string(p.substr(begin == std::string_view::npos ? 0 : begin + 1, end - (begin == std::string_view::npos ? 0 : begin + 1)));
    }
    for (const auto& l : profile.limits) {
      std::size_t size = 0;
      if (l.item == "patient") size = name.patient.size();
      else if (l.item == "order") size = name.order.size();
      else if (l.item == "data_kind") size = name.type.size();
      else if (l.item == "timestamp") size = name.timestamp.size();
      else if (l.item == "dept") size = name.dept.size();
      else if (l.item == "file_name") size = file.size();
      else if (l.item == "directory") size = directory.size();
      if (size > l.max)
        emit("SSMX-LENGTH", "",
             l.item + " is " + std::to_string(size) + " characters; the index database holds at most " + std::to_string(l.max));
    }
  }

  // ---- condition-flag lifecycle (reference §3.1) ----------------------------------------------
  void finish(DiagnosticSink& s) {
    std::sort(facts.begin(), facts.end(), [](const FlagFact& a, const FlagFact& b) {
      return std::tie(a.key, a.timestamp, a.path) < std::tie(b.key, b.timestamp, b.path);
    });
    auto report = [&](std::string_view code, const FlagFact& f, std::string text) {
      const Rule* r = active(code);
      if (!r) return;
      s.report(Diagnostic{r->severity, std::string(code), Location{f.path, 0, 0, ""}, std::move(text)});
    };
    for (std::size_t begin = 0; begin < facts.size();) {
      std::size_t end = begin;
      while (end < facts.size() && facts[end].key == facts[begin].key) ++end;
      // Within [begin, end): same patient, date, type, order; sorted by timestamp.
      std::vector<const FlagFact*> current, history, deleted;
      for (std::size_t i = begin; i < end; ++i) {
        const FlagFact& f = facts[i];
        (f.flag == 1 ? current : f.flag == 2 ? history : deleted).push_back(&f);
      }
      // Dates cut to the year (or month) give the files of a patient's visits of that period one
      // key; when no file of it holds more than the cut date, that is the profile's doing.
      const bool collapsed = deidentified && std::all_of(current.begin(), current.end(), [](const FlagFact* f) { return f->coarse; });
      if (current.size() > 1 && collapsed && active("SSMX-FLAG-LIFECYCLE"))
        for (std::size_t i = 0; i + 1 < current.size(); ++i)
          s.report(expected_finding("SSMX-FLAG-LIFECYCLE", Location{current[i]->path, 0, 0, ""},
                                    std::to_string(current.size()) + " current files share this key: dates hold only " +
                                        date_precision() + ", so files of different days meet in one care-date folder"));
      else if (current.size() > 1)
        for (std::size_t i = 0; i + 1 < current.size(); ++i)
          report("SSMX-FLAG-LIFECYCLE", *current[i],
                 std::to_string(current.size()) + " current (flag 1) files share this key (patient, date, type, order); "
                 "older versions must be renamed to flag 2");
      if (!deleted.empty()) {
        const std::string& deleted_at = deleted.back()->timestamp;
        for (const auto* f : current)
          if (f->timestamp < deleted_at)
            report("SSMX-FLAG-DELETED", *f, "flag 1 file older than a deletion (flag 0) of the same key; it should be flag 0");
        for (const auto* f : history)
          if (f->timestamp < deleted_at)
            report("SSMX-FLAG-DELETED", *f, "flag 2 file older than a deletion (flag 0) of the same key; it should be flag 0");
      }
      if (!current.empty()) {
        const std::string& newest_current = current.back()->timestamp;
        for (const auto* f : history)
          if (f->timestamp > newest_current)
            report("SSMX-FLAG-HISTORY", *f, "history (flag 2) file newer than the current (flag 1) file of the same key");
      } else if (deleted.empty()) {
        for (const auto* f : history)
          report("SSMX-FLAG-HISTORY", *f, "history (flag 2) file without a current (flag 1) or deleted (flag 0) version");
      }
      begin = end;
    }
    facts.clear();
  }
};

Checker::Checker(const Profile& profile, bool show_phi, std::optional<DeidentifiedExpectation> deidentified)
    : impl_(std::make_unique<Impl>(profile, show_phi, std::move(deidentified))) {}
Checker::~Checker() = default;
void Checker::check(const Record& record, DiagnosticSink& sink) { impl_->check(record, sink); }
void Checker::finish(DiagnosticSink& sink) { impl_->finish(sink); }
void Checker::merge(Checker& other) {
  auto& mine = impl_->facts;
  auto& theirs = other.impl_->facts;
  mine.insert(mine.end(), std::make_move_iterator(theirs.begin()), std::make_move_iterator(theirs.end()));
  theirs.clear();
}

}  // namespace smx::validate
