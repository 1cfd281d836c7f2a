// smx flat: tidy rows. One place decides every column, so CSV, TSV and NDJSON agree.
#include "smx/flat.hpp"

#include <simdjson.h>

#include "smx/lab.hpp"
#include "smx/labnorm.hpp"
#include "smx/query.hpp"

namespace smx {
namespace {

std::string decoded(const hl7::Message& m, std::string_view raw) { return hl7::decoded(raw, m.delimiters()); }

// Decoded component (1-based c; 0 = whole first repetition) of field f of segment s.
std::string value_of(const hl7::Message& m, std::size_t s, int f, int c = 0) {
  if (s == hl7::Message::npos) return {};
  std::string_view field = m.field(s, static_cast<std::size_t>(f));
  std::string_view rep = hl7::nth_piece(field, m.delimiters().repetition, 0);
  if (c == 0) return decoded(m, rep);
  return decoded(m, hl7::nth_piece(rep, m.delimiters().component, static_cast<std::size_t>(c - 1)));
}

std::string first_of(std::initializer_list<std::string> values) {
  for (const auto& v : values)
    if (!v.empty()) return v;
  return {};
}

// Earlier normalizers' changes: field -> original value, for one OBX.
std::string original_value(const Record& r, std::size_t obx, std::string_view field) {
  if (r.changes.empty()) return {};
  static thread_local simdjson::dom::parser parser;
  std::string result;
  auto doc = parser.parse(r.changes);
  if (doc.error()) return {};
  simdjson::dom::array changes;
  if (doc.get_array().get(changes)) return {};
  for (auto c : changes) {
    std::int64_t n = 0;
    std::string_view f, from;
    if (c["obx"].get_int64().get(n) || c["field"].get_string().get(f) || c["from"].get_string().get(from)) continue;
    // The first change of a field holds the value as the sender wrote it.
    if (static_cast<std::size_t>(n) == obx && f == field) return std::string(from);
  }
  return result;
}

const std::vector<std::string> kObs = {"patient", "facility", "data_type", "order", "specimen_time", "jlac10",
                                       "local_code", "name", "value", "comparator", "unit", "value_raw",
                                       "unit_raw", "ref_low", "ref_high", "ref_text", "flag", "flag_src",
                                       "status", "src", "msg", "obx"};
const std::vector<std::string> kPatients = {"patient", "facility", "name", "name_kana", "sex", "birth_date",
                                            "postal_code", "address", "src", "msg"};
const std::vector<std::string> kEncounters = {"patient", "facility", "data_type", "event", "class", "location",
                                              "dept", "admit", "discharge", "src", "msg"};
const std::vector<std::string> kMeds = {"patient", "facility", "data_type", "order", "segment", "code", "name",
                                        "system", "dose", "dose_unit", "start", "src", "msg"};
const std::vector<std::string> kDiagnoses = {"patient", "facility", "code", "name", "system", "icd10",
                                             "start", "src", "msg"};

}  // namespace

FlatKind parse_flat_kind(std::string_view t) {
  if (t == "obs") return FlatKind::obs;
  if (t == "patients") return FlatKind::patients;
  if (t == "encounters") return FlatKind::encounters;
  if (t == "meds") return FlatKind::meds;
  if (t == "diagnoses") return FlatKind::diagnoses;
  throw usage_error("unknown row kind '" + std::string(t) + "' (obs, patients, encounters, meds, diagnoses)");
}

FlatFormat parse_flat_format(std::string_view t) {
  if (t == "csv") return FlatFormat::csv;
  if (t == "tsv") return FlatFormat::tsv;
  if (t == "ndjson") return FlatFormat::ndjson;
  throw usage_error("unknown format '" + std::string(t) + "' (csv, tsv, ndjson)");
}

const std::vector<std::string>& flat_columns(FlatKind kind) {
  switch (kind) {
    case FlatKind::obs: return kObs;
    case FlatKind::patients: return kPatients;
    case FlatKind::encounters: return kEncounters;
    case FlatKind::meds: return kMeds;
    case FlatKind::diagnoses: return kDiagnoses;
  }
  return kObs;
}

FlatWriter::FlatWriter(Output& out, FlatKind kind, FlatFormat format, bool bom)
    : out_(out), kind_(kind), format_(format) {
  if (format_ == FlatFormat::ndjson) return;
  if (bom && format_ == FlatFormat::csv) out_.write("\xEF\xBB\xBF");  // for Excel
  const auto& cols = flat_columns(kind_);
  row(cols, std::vector<bool>(cols.size(), false));
}

void FlatWriter::row(const std::vector<std::string>& values, const std::vector<bool>& numeric) {
  std::string& b = out_.buffer();
  const auto& cols = flat_columns(kind_);
  if (format_ == FlatFormat::ndjson) {
    b.append("{\"smx\":1,\"kind\":\"");
    b.append(kind_ == FlatKind::obs ? "obs" : kind_ == FlatKind::patients ? "patient"
             : kind_ == FlatKind::encounters ? "encounter" : kind_ == FlatKind::meds ? "med" : "diagnosis");
    b.push_back('"');
    for (std::size_t i = 0; i < values.size(); ++i) {
      b.append(",\"").append(cols[i]).append("\":");
      if (values[i].empty()) b.append("null");
      else if (numeric[i]) b.append(values[i]);
      else append_json_string(b, values[i]);
    }
    b.append("}\n");
  } else if (format_ == FlatFormat::tsv) {
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) b.push_back('\t');
      append_tsv_cell(b, values[i]);
    }
    b.push_back('\n');
  } else {
    // RFC 4180: fields with comma, quote, CR or LF are quoted, quotes doubled; CRLF ends rows.
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) b.push_back(',');
      const std::string& v = values[i];
      if (v.find_first_of(",\"\r\n") == std::string::npos) {
        b.append(v);
        continue;
      }
      b.push_back('"');
      for (char c : v) {
        if (c == '"') b.push_back('"');
        b.push_back(c);
      }
      b.push_back('"');
    }
    b.append("\r\n");
  }
  out_.maybe_flush();
}

std::size_t FlatWriter::write(const Record& r) {
  const hl7::Message& m = r.message;
  if (m.segment_count() == 0) return 0;
  std::size_t pid = m.find_segment("PID");
  std::string patient = first_of({value_of(m, pid, 3, 1), r.ssmix2 ? r.ssmix2->patient : std::string()});
  std::string facility = value_of(m, 0, 4, 1);
  std::string msh9 = decoded(m, m.field(0, 9));
  std::string data_type = r.ssmix2 ? r.ssmix2->type : msh9;
  std::string msg = std::to_string(r.src.n);
  std::string type = value_of(m, 0, 9, 1);
  std::size_t rows = 0;
  auto emit = [&](std::vector<std::string> values, std::vector<bool> numeric = {}) {
    numeric.resize(values.size(), false);
    row(values, numeric);
    ++rows;
  };
  switch (kind_) {
    case FlatKind::obs: {
      if (!lab::is_lab_message(m)) return 0;
      std::size_t orc = m.find_segment("ORC"), obr = m.find_segment("OBR"), spm = m.find_segment("SPM");
      std::string order = first_of({value_of(m, orc, 2, 1), value_of(m, obr, 2, 1), r.ssmix2 ? r.ssmix2->order : ""});
      std::string specimen_time = first_of({value_of(m, spm, 17, 1), value_of(m, obr, 7, 1)});
      std::string_view sex_field = pid == hl7::Message::npos ? std::string_view{} : m.field(pid, 8);
      char sex = sex_field == "M" ? 'M' : sex_field == "F" ? 'F' : 'U';
      std::size_t obx = 0;
      for (std::size_t i = 0; i < m.segment_count(); ++i) {
        if (m.segment_id(i) != "OBX") continue;
        ++obx;
        lab::ObservationCode code = lab::observation_code(m, i);
        std::string value_text = value_of(m, i, 5);
        lab::Value v = lab::parse_value(value_text);
        std::string value, comparator;
        bool numeric = false;
        if (v.kind == lab::ValueKind::numeric || v.kind == lab::ValueKind::inequality) {
          lab::Value plain = v.exponent ? lab::apply_exponent(v) : v;
          value = plain.number_text;
          comparator = std::string(lab::comparator_text(v.comparator));
          numeric = true;
        } else if (v.kind == lab::ValueKind::qualitative) {
          value = std::string(lab::qualitative_code(v.qualitative));
        } else {
          value = value_text;
        }
        std::string unit_sys = value_of(m, i, 6, 3);
        std::string unit = unit_sys == "UCUM" ? value_of(m, i, 6, 1) : std::string();
        std::string unit_raw = first_of({original_value(r, obx, "OBX-6").empty() ? std::string()
                                                                                   : value_of(m, i, 6, 2),
                                         unit_sys == "UCUM" ? value_of(m, i, 6, 2) : value_of(m, i, 6, 1)});
        std::string value_raw = first_of({original_value(r, obx, "OBX-5"), value_text});
        std::string ref_text = value_of(m, i, 7);
        lab::Range range = lab::parse_range(ref_text);
        std::string low, high;
        if (const lab::Interval* iv = range.for_sex(sex)) {
          if (iv->low.present) low = iv->low.text;
          if (iv->high.present) high = iv->high.text;
        }
        // The flag from the numbers as the sender wrote them (before labnorm converted and rounded
        // them: issue 11, 5.15 mEq/L against 4.2-5.2 is N; rounded to 10.3 mg/dL against 8.4-10 it
        // read H). labnorm records the sender's OBX-5 and OBX-7 in its changes.
        const std::string sent_value = original_value(r, obx, "OBX-5");
        const std::string sent_range = original_value(r, obx, "OBX-7");
        const lab::Value flag_value = sent_value.empty() ? v : lab::parse_value(sent_value);
        const lab::Flag flag = lab::compute_flag(flag_value.exponent ? lab::apply_exponent(flag_value) : flag_value,
                                                 sent_range.empty() ? range : lab::parse_range(sent_range), sex);
        std::string sender = value_of(m, i, 8);
        std::string flag_text = flag != lab::Flag::unknown ? std::string(lab::flag_code(flag)) : sender;
        std::string flag_src = flag != lab::Flag::unknown ? "computed" : sender.empty() ? "" : "sender";
        emit({patient, facility, data_type, order, first_of({specimen_time, value_of(m, i, 14, 1)}), code.jlac10,
              code.local, code.name, value, comparator, unit, value_raw, unit_raw, low, high, ref_text, flag_text,
              flag_src, value_of(m, i, 11), r.src.path, msg, std::to_string(obx)},
             {false, false, false, false, false, false, false, false, numeric, false, false, false, false,
              !low.empty(), !high.empty(), false, false, false, false, false, true, true});
      }
      break;
    }
    case FlatKind::patients: {
      if (type != "ADT" || pid == hl7::Message::npos) return 0;
      std::string name, kana;
      std::string_view names = m.field(pid, 5);
      for (std::size_t k = 0; k < hl7::count_pieces(names, m.delimiters().repetition); ++k) {
        std::string_view rep = hl7::nth_piece(names, m.delimiters().repetition, k);
        std::string full = decoded(m, hl7::nth_piece(rep, m.delimiters().component, 0));
        std::string given = decoded(m, hl7::nth_piece(rep, m.delimiters().component, 1));
        if (!given.empty()) full += " " + given;
        // XPN.8 (name representation code): I ideographic (kanji), P phonetic (kana).
        std::string_view repr = hl7::nth_piece(rep, m.delimiters().component, 7);
        if (repr == "P") kana = full;
        else if (name.empty()) name = full;
      }
      std::string address;
      for (int c : {4, 3, 1, 2}) {
        std::string part = value_of(m, pid, 11, c);
        address += part;
      }
      emit({patient, facility, name, kana, value_of(m, pid, 8), value_of(m, pid, 7, 1), value_of(m, pid, 11, 5),
            address, r.src.path, msg},
           {false, false, false, false, false, false, false, false, false, true});
      break;
    }
    case FlatKind::encounters: {
      if (type != "ADT") return 0;
      for (std::size_t i = 0; i < m.segment_count(); ++i) {
        if (m.segment_id(i) != "PV1") continue;
        emit({patient, facility, data_type, value_of(m, 0, 9, 2), value_of(m, i, 2), value_of(m, i, 3, 1),
              value_of(m, i, 10, 1), value_of(m, i, 44, 1), value_of(m, i, 45, 1), r.src.path, msg},
             {false, false, false, false, false, false, false, false, false, false, true});
      }
      break;
    }
    case FlatKind::meds: {
      std::size_t orc = m.find_segment("ORC");
      std::size_t tq1 = m.find_segment("TQ1");
      for (std::size_t i = 0; i < m.segment_count(); ++i) {
        std::string_view id = m.segment_id(i);
        if (id == "RXE") {
          emit({patient, facility, data_type, value_of(m, orc, 2, 1), "RXE", value_of(m, i, 2, 1), value_of(m, i, 2, 2),
                value_of(m, i, 2, 3), value_of(m, i, 3), value_of(m, i, 5, 2), value_of(m, tq1, 7, 1), r.src.path, msg},
               {false, false, false, false, false, false, false, false, false, false, false, false, true});
        } else if (id == "RXA") {
          emit({patient, facility, data_type, value_of(m, orc, 2, 1), "RXA", value_of(m, i, 5, 1), value_of(m, i, 5, 2),
                value_of(m, i, 5, 3), value_of(m, i, 6), value_of(m, i, 7, 2), value_of(m, i, 3, 1), r.src.path, msg},
               {false, false, false, false, false, false, false, false, false, false, false, false, true});
        }
      }
      break;
    }
    case FlatKind::diagnoses: {
      for (std::size_t i = 0; i < m.segment_count(); ++i) {
        if (m.segment_id(i) != "PRB") continue;
        emit({patient, facility, value_of(m, i, 3, 1), value_of(m, i, 3, 2), value_of(m, i, 3, 3), value_of(m, i, 10, 1),
              value_of(m, i, 7, 1), r.src.path, msg},
             {false, false, false, false, false, false, false, false, true});
      }
      break;
    }
  }
  return rows;
}

}  // namespace smx
