// smx flat: tidy rows. One place decides every column, so CSV, TSV and NDJSON agree.
#include "smx/flat.hpp"

#include "smx/lab.hpp"
#include "smx/lab_message.hpp"
#include "smx/query.hpp"
#include "flat_internal.hpp"

namespace smx {
namespace detail {

std::string flat_value(const hl7::Message& m, std::size_t s, int f, int c) {
  if (s == hl7::Message::npos) return {};
  return hl7::decoded(m.value(s, static_cast<std::size_t>(f), 1, static_cast<std::size_t>(c)), m.delimiters());
}

}  // namespace detail

namespace {

std::string decoded(const hl7::Message& m, std::string_view raw) { return hl7::decoded(raw, m.delimiters()); }

std::string value_of(const hl7::Message& m, std::size_t s, int f, int c = 0) { return detail::flat_value(m, s, f, c); }

std::string first_of(std::initializer_list<std::string> values) {
  for (const auto& v : values)
    if (!v.empty()) return v;
  return {};
}

// What the sender wrote in OBX-5, -6 and -7 of one OBX when a normalizer changed them: the
// first change of a field holds the value as sent (smx-stream(5) "changes", oldest first).
struct SentValues {
  const std::string* value = nullptr;
  const std::string* unit = nullptr;
  const std::string* range = nullptr;
};
SentValues sent_values(const Record& r, std::size_t obx) {
  SentValues sent;
  for (const Change& c : r.changes) {
    if (c.obx != obx || c.field.size() != 5 || c.field.compare(0, 4, "OBX-") != 0) continue;
    const std::string** slot = c.field[4] == '5' ? &sent.value : c.field[4] == '6' ? &sent.unit
                             : c.field[4] == '7' ? &sent.range : nullptr;
    if (slot && *slot == nullptr) *slot = &c.from;
  }
  return sent;
}
std::string text_of(const std::string* value) { return value ? *value : std::string(); }

const std::vector<std::string> kObs = {"patient", "facility", "data_type", "order", "obs_time", "specimen_time",
                                       "reported_time", "jlac10", "local_code", "name", "value", "comparator",
                                       "unit", "value_raw", "unit_raw", "ref_low", "ref_high", "ref_text", "flag",
                                       "flag_src", "status", "src", "msg", "obx"};
const std::vector<std::string> kPatients = {"patient", "facility", "name", "name_kana", "sex", "birth_date",
                                            "postal_code", "address", "sources", "updated", "src", "msg"};
const std::vector<std::string> kEncounters = {"patient", "facility", "data_type", "event", "class", "location",
                                              "dept", "admit", "discharge", "src", "msg"};
const std::vector<std::string> kMeds = {"patient", "facility", "data_type", "order", "segment", "line",
                                        "component", "component_type", "code", "name", "system", "dose",
                                        "dose_unit", "start", "src", "msg"};
const std::vector<std::string> kDiagnoses = {"patient", "facility", "code", "name", "system", "icd10",
                                             "start", "src", "msg"};

// What every row of a message shares.
struct RowContext {
  const std::string& patient;
  const std::string& facility;
  const std::string& data_type;
  const std::string& src;
  const std::string& msg;
};

// A unit as text (CE.2), else its code (CE.1), so a unit sent only as a code is kept.
std::string unit_of(const hl7::Message& m, std::size_t s, int f) {
  return first_of({value_of(m, s, f, 2), value_of(m, s, f, 1)});
}

// One row per drug line. RDE^O11 (HL7 v2.5 RDE_O11: ORC, [TQ1], RXE, {TQ1}, {RXR}, [{RXC}]): an
// RXE without RXC is one row (prescriptions, OMP-01); an RXE with RXC components gives one row
// per RXC instead, since its own RXE-2 names the mixture (SS-MIX2 injections, OMP-02: "00^一般").
// RXC (HL7 v2.5 §4.14.3): 1 component type (B base, A additive), 2 code, 3 amount, 4 units.
// RAS^O17 (OMP-11/12): one row per RXA. `line` numbers the RXE/RXA segments of the message,
// `component` the RXC of an RXE.
template <class Emit>
void med_rows(const hl7::Message& m, const RowContext& c, Emit&& emit) {
  const std::size_t npos = hl7::Message::npos;
  std::size_t orc = npos, order_tq1 = npos, line = 0;  // order_tq1: the order's TQ1, before its RXE
  bool rxe_seen = false;
  const std::vector<bool> numeric = {false, false, false, false, false, true, true, false,
                                     false, false, false, false, false, false, false, true};
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    std::string_view id = m.segment_id(i);
    if (id == "ORC") orc = i, order_tq1 = npos, rxe_seen = false;
    if (id == "TQ1" && order_tq1 == npos && !rxe_seen) order_tq1 = i;
    if (id == "RXA") {
      emit({c.patient, c.facility, c.data_type, value_of(m, orc, 2, 1), "RXA", std::to_string(++line), "", "",
            value_of(m, i, 5, 1), value_of(m, i, 5, 2), value_of(m, i, 5, 3), value_of(m, i, 6), unit_of(m, i, 7),
            value_of(m, i, 3, 1), c.src, c.msg},
           numeric);
    }
    if (id != "RXE") continue;
    rxe_seen = true;
    // The RXE's own segments run to the next ORC, RXE or RXA.
    std::size_t tq1 = npos;
    std::vector<std::size_t> components;
    for (std::size_t j = i + 1; j < m.segment_count(); ++j) {
      std::string_view next = m.segment_id(j);
      if (next == "ORC" || next == "RXE" || next == "RXA") break;
      if (next == "TQ1" && tq1 == npos) tq1 = j;
      if (next == "RXC") components.push_back(j);
    }
    if (tq1 == npos) tq1 = order_tq1;
    std::string order = value_of(m, orc, 2, 1), start = value_of(m, tq1, 7, 1), number = std::to_string(++line);
    if (components.empty()) {
      emit({c.patient, c.facility, c.data_type, order, "RXE", number, "", "", value_of(m, i, 2, 1), value_of(m, i, 2, 2),
            value_of(m, i, 2, 3), value_of(m, i, 3), unit_of(m, i, 5), start, c.src, c.msg},
           numeric);
      continue;
    }
    for (std::size_t k = 0; k < components.size(); ++k) {
      std::size_t rxc = components[k];
      emit({c.patient, c.facility, c.data_type, order, "RXC", number, std::to_string(k + 1), value_of(m, rxc, 1),
            value_of(m, rxc, 2, 1), value_of(m, rxc, 2, 2), value_of(m, rxc, 2, 3), value_of(m, rxc, 3),
            unit_of(m, rxc, 4), start, c.src, c.msg},
           numeric);
    }
  }
}

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
  if (kind_ == FlatKind::patients) patients_ = std::make_unique<detail::PatientTable>();
  if (format_ == FlatFormat::ndjson) return;
  if (bom && format_ == FlatFormat::csv) out_.write("\xEF\xBB\xBF");  // for Excel
  const auto& cols = flat_columns(kind_);
  row(out_.buffer(), cols, std::vector<bool>(cols.size(), false));
  out_.maybe_flush();
}

FlatWriter::~FlatWriter() = default;

std::size_t FlatWriter::finish() {
  if (!patients_) return 0;
  std::size_t rows = 0;
  std::vector<bool> numeric(kPatients.size(), false);
  numeric[8] = numeric[11] = true;  // sources, msg
  patients_->for_each_row([&](const std::vector<std::string>& values) {
    row(out_.buffer(), values, numeric);
    out_.maybe_flush();
    ++rows;
  });
  patients_.reset();
  return rows;
}

void FlatWriter::row(std::string& b, const std::vector<std::string>& values, const std::vector<bool>& numeric) const {
  const auto& cols = flat_columns(kind_);
  if (format_ == FlatFormat::ndjson) {
    json::Writer w(b);
    begin_record(w, kind_ == FlatKind::obs ? "obs" : kind_ == FlatKind::patients ? "patient"
                    : kind_ == FlatKind::encounters ? "encounter" : kind_ == FlatKind::meds ? "med" : "diagnosis");
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i].empty()) w.null(cols[i]);
      else if (numeric[i]) w.number(cols[i], values[i]);
      else w.string(cols[i], values[i]);
    }
    w.end_object();
    b.push_back('\n');
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
}

std::size_t FlatWriter::write(const Record& r) {
  std::size_t rows = kind_ == FlatKind::patients ? 0 : this->rows(r, out_.buffer());
  out_.maybe_flush();
  hold(r);
  return rows;
}

void FlatWriter::hold(const Record& r) {
  const hl7::Message& m = r.message;
  if (m.segment_count() == 0) return;
  const std::uint64_t sequence = sequence_++;
  if (kind_ != FlatKind::patients || !patients_) return;
  // Held until finish(): one row per patient (flat_internal.hpp).
  if (value_of(m, 0, 9, 1) != "ADT" || m.find_segment("PID") == hl7::Message::npos) return;
  std::string patient = first_of({ssmix2::content_patient(m), r.ssmix2 ? r.ssmix2->patient : std::string()});
  patients_->add(r, value_of(m, 0, 4, 1), patient, sequence);
}

// One row per OBX of a lab message, with the sender's value, unit and range as labnorm recorded
// them and the flag computed from those.
template <class Emit>
void obs_rows(const Record& r, const RowContext& c, Emit&& emit) {
  const hl7::Message& m = r.message;
  const std::size_t pid = m.find_segment("PID");
  const std::string type = value_of(m, 0, 9, 1);
  std::size_t orc = m.find_segment("ORC"), obr = m.find_segment("OBR");
  std::string order = first_of({value_of(m, orc, 2, 1), value_of(m, obr, 2, 1), r.ssmix2 ? r.ssmix2->order : ""});
  // Each OBX takes its times from its own groups (HL7 v2.5): in OUL^R22 an SPM opens a
  // specimen group that holds OBR groups; in ORU^R01 an OBR opens an order group that holds SPM.
  const bool specimen_outer = type == "OUL";
  std::size_t group_spm = hl7::Message::npos, group_obr = hl7::Message::npos;
  std::string_view sex_field = pid == hl7::Message::npos ? std::string_view{} : m.field(pid, 8);
  char sex = sex_field == "M" ? 'M' : sex_field == "F" ? 'F' : 'U';
  std::size_t obx = 0;
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    std::string_view id = m.segment_id(i);
    if (id == "SPM") {
      group_spm = i;
      if (specimen_outer) group_obr = hl7::Message::npos;
    } else if (id == "OBR") {
      group_obr = i;
      if (!specimen_outer) group_spm = hl7::Message::npos;
    }
    if (id != "OBX") continue;
    ++obx;
    // Observation time: OBX-14, else the order's OBR-7 (vitals of one OBR differ by OBX-14),
    // else the collection time SPM-17, which is what OBR-7 means for specimen observations.
    std::string obs_time =
        first_of({value_of(m, i, 14, 1), value_of(m, group_obr, 7, 1), value_of(m, group_spm, 17, 1)});
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
    const SentValues sent = sent_values(r, obx);
    std::string unit_raw = first_of({text_of(sent.unit).empty() ? std::string() : value_of(m, i, 6, 2),
                                     unit_sys == "UCUM" ? value_of(m, i, 6, 2) : value_of(m, i, 6, 1)});
    std::string value_raw = first_of({text_of(sent.value), value_text});
    std::string ref_text = value_of(m, i, 7);
    lab::Range range = lab::parse_range(ref_text);
    std::string low, high;
    if (const lab::Interval* iv = range.for_sex(sex)) {
      if (iv->low.present) low = iv->low.text;
      if (iv->high.present) high = iv->high.text;
    }
    // The flag from the numbers as the sender wrote them (before labnorm converted and rounded
    // them: issue 11, 5.15 mEq/L against 4.2-5.2 is N; rounded to 10.3 mg/dL against 8.4-10 it
    // read H). labnorm records the sender's OBX-5 and OBX-7 in its changes. The stream carries
    // text, not labnorm's parsed values (the two commands meet through a pipe): the sender's
    // value and range are parsed here again, once each, and only when labnorm changed them.
    const std::string sent_value = text_of(sent.value);
    const std::string sent_range = text_of(sent.range);
    const lab::Value flag_value = sent_value.empty() ? v : lab::parse_value(sent_value);
    const lab::Flag flag = lab::compute_flag(flag_value.exponent ? lab::apply_exponent(flag_value) : flag_value,
                                             sent_range.empty() ? range : lab::parse_range(sent_range), sex);
    std::string sender = value_of(m, i, 8);
    std::string flag_text = flag != lab::Flag::unknown ? std::string(lab::flag_code(flag)) : sender;
    std::string flag_src = flag != lab::Flag::unknown ? "computed" : sender.empty() ? "" : "sender";
    emit({c.patient, c.facility, c.data_type, order, obs_time, value_of(m, group_spm, 17, 1), value_of(m, group_obr, 22, 1),
          code.jlac10, code.local, code.name, value, comparator, unit, value_raw, unit_raw, low, high, ref_text,
          flag_text, flag_src, value_of(m, i, 11), c.src, c.msg, std::to_string(obx)},
         {false, false, false, false, false, false, false, false, false, false, numeric, false, false, false,
          false, !low.empty(), !high.empty(), false, false, false, false, false, true, true});
  }
}

std::size_t FlatWriter::rows(const Record& r, std::string& out) const {
  if (kind_ == FlatKind::patients) return 0;  // held by hold() until finish()
  return flat_values(kind_, r, [&](const std::vector<std::string>& values, const std::vector<bool>& numeric) {
    row(out, values, numeric);
  });
}

std::size_t flat_values(FlatKind kind, const Record& r, const FlatRowSink& sink) {
  const hl7::Message& m = r.message;
  if (m.segment_count() == 0) return 0;
  std::string patient = first_of({ssmix2::content_patient(m), r.ssmix2 ? r.ssmix2->patient : std::string()});
  std::string facility = value_of(m, 0, 4, 1);
  std::string msh9 = decoded(m, m.field(0, 9));
  std::string data_type = r.ssmix2 ? r.ssmix2->type : msh9;
  std::string msg = std::to_string(r.src.n);
  std::string type = value_of(m, 0, 9, 1);
  std::size_t rows = 0;
  auto emit = [&](std::vector<std::string> values, std::vector<bool> numeric = {}) {
    numeric.resize(values.size(), false);
    sink(values, numeric);
    ++rows;
  };
  switch (kind) {
    case FlatKind::obs:
      if (!lab::is_lab_message(m)) return 0;
      obs_rows(r, RowContext{patient, facility, data_type, r.src.path, msg}, emit);
      break;
    case FlatKind::patients: {
      // The patient row of this one message (FlatWriter merges them over messages instead).
      if (type != "ADT" || m.find_segment("PID") == hl7::Message::npos) return 0;
      detail::PatientTable one;
      one.add(r, facility, patient, 0);
      std::vector<bool> numeric(kPatients.size(), false);
      numeric[8] = numeric[11] = true;  // sources, msg
      one.for_each_row([&](const std::vector<std::string>& values) { emit(values, numeric); });
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
    case FlatKind::meds:
      med_rows(m, RowContext{patient, facility, data_type, r.src.path, msg}, emit);
      break;
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
