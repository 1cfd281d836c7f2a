// smx link encode as library calls: patients collected from messages, deid pseudonyms, key
// fingerprints, and the encoded NDJSON records (man/smx-link.1.md ENCODED RECORDS).
#include "link/internal.hpp"

#include <smx/hl7.hpp>
#include <smx/json.hpp>
#include <smx/link_job.hpp>
#include <smx/ssmix2.hpp>

#include <algorithm>

namespace smx::link {

namespace {

std::string decoded_piece(const hl7::Message& m, std::string_view value, std::size_t component) {
  const hl7::Delimiters& d = m.delimiters();
  return hl7::decoded(hl7::nth_piece(hl7::nth_piece(value, d.component, component), d.subcomponent, 0), d);
}

bool looks_like_kana(std::string_view text) {
  // PID-5 without XPN.8: a repetition whose letters are all kana (any width) is the phonetic one.
  bool any = false;
  for (char32_t c : detail::decode_utf8(text)) {
    if (c == U' ' || c == U'　' || c == U'・') continue;
    const bool kana = (c >= 0x3041 && c <= 0x30FF) || (c >= 0xFF66 && c <= 0xFF9F);
    if (!kana) return false;
    any = true;
  }
  return any;
}

// A whole name sent in XPN.1 ("ヤマダ　タロウ", given name component empty) is split at its
// first space (ASCII or ideographic), so that family and given names compare field by field.
void split_one_field_name(std::string& family, std::string& given) {
  for (std::string_view space : {"\u3000", " "}) {
    const std::size_t at = family.find(space);
    if (at == std::string::npos || at == 0) continue;
    std::size_t rest = at + space.size();
    while (rest < family.size() && (family.compare(rest, 1, " ") == 0 || family.compare(rest, 3, "\u3000") == 0))
      rest += family[rest] == ' ' ? 1 : 3;
    given = family.substr(rest);
    family.resize(at);
    return;
  }
}

}  // namespace

bool PatientCollector::add(const Record& record, DiagnosticSink& sink) {
  const hl7::Message& m = record.message;
  const std::uint64_t sequence = sequence_++;
  const std::size_t pid = m.find_segment("PID");
  const hl7::Delimiters& d = m.delimiters();
  std::string patient = pid == hl7::Message::npos ? std::string() : ssmix2::content_patient(m);
  if (patient.empty() && record.ssmix2) patient = record.ssmix2->patient;
  std::string facility = facility_.empty() ? decoded_piece(m, m.field(0, 4), 0) : facility_;
  if (pid == hl7::Message::npos || patient.empty() || facility.empty()) {
    sink.report({Severity::warning, "LINK-NO-PATIENT", record.location(pid == hl7::Message::npos ? "" : "PID-3"),
                 "message without a PID-3 patient ID or an MSH-4 facility (give --facility); not encoded",
                 {}});
    return false;
  }
  Entry& entry = patients_[{facility, patient}];
  if (entry.fields.empty()) entry.first = sequence;
  const bool adt = decoded_piece(m, m.field(0, 9), 0) == "ADT";
  // Ranks compare as strings: every ADT rank ("1" + MSH-7, fixed-width by the sequence suffix)
  // beats every other ("0"); among others the first one stays.
  std::string sequence_text = std::to_string(sequence);
  sequence_text.insert(0, 20 - sequence_text.size(), '0');
  const std::string rank = adt ? "1" + decoded_piece(m, m.field(0, 7), 0) + "\x1f" + sequence_text : "0";
  auto offer = [&](const char* name, std::string value) {
    if (value.empty() || value == "\"\"") return;
    Slot& slot = entry.fields[name];
    if (slot.set && !(adt && rank > slot.rank)) return;
    slot = {std::move(value), rank, true};
  };
  const std::string_view names = m.field(pid, 5);
  for (std::size_t k = 0, n = hl7::count_pieces(names, d.repetition); k < n; ++k) {
    const std::string_view rep = hl7::nth_piece(names, d.repetition, k);
    std::string family = decoded_piece(m, rep, 0), given = decoded_piece(m, rep, 1);
    if (given.empty()) split_one_field_name(family, given);
    const std::string_view code = hl7::nth_piece(rep, d.component, 7);
    const bool phonetic = code == "P" || (code.empty() && looks_like_kana(family + given));
    offer(phonetic ? "kana_family" : "kanji_family", std::move(family));
    offer(phonetic ? "kana_given" : "kanji_given", std::move(given));
  }
  offer("birth_date", decoded_piece(m, m.field(pid, 7), 0));
  offer("sex", decoded_piece(m, m.field(pid, 8), 0));
  // PID-11: the home address (XAD.7 = H) when there are several; XAD.5 postal code.
  const std::string_view addresses = m.field(pid, 11);
  std::string_view address = hl7::nth_piece(addresses, d.repetition, 0);
  for (std::size_t k = 0, n = hl7::count_pieces(addresses, d.repetition); k < n; ++k)
    if (hl7::nth_piece(hl7::nth_piece(addresses, d.repetition, k), d.component, 6) == "H") {
      address = hl7::nth_piece(addresses, d.repetition, k);
      break;
    }
  offer("postal_code", decoded_piece(m, address, 4));
  // IN1 (JAMI ssmix2-to-fhir ConceptMap segment-adt-00-in1-to-coverage @3613ec1: IN1-3 保険者,
  // IN1-10 被保険者グループ雇用者ID = 記号, IN1-11 被保険者グループ雇用者名 = 番号).
  const std::size_t in1 = m.find_segment("IN1");
  if (in1 != hl7::Message::npos) {
    offer("insurer_number", decoded_piece(m, m.field(in1, 3), 0));
    offer("card_symbol", decoded_piece(m, m.field(in1, 10), 0));
    offer("card_number", decoded_piece(m, m.field(in1, 11), 0));
  }
  if (branch_) {
    hl7::for_each_segment(m, *branch_, false, [&](std::size_t i) {
      offer("card_branch", hl7::decoded(hl7::select(m, i, *branch_, branch_->repetition), d));
    });
  }
  return true;
}

std::vector<Person> PatientCollector::persons() const {
  std::vector<Person> out;
  out.reserve(patients_.size());
  for (const auto& item : patients_) {
    // Not a structured binding: clang before 16 cannot capture one in the lambda below.
    const auto& key = item.first;
    const auto& entry = item.second;
    Person p;
    p.facility = key.first;
    p.local_id = key.second;
    auto get = [&](const char* name) {
      auto it = entry.fields.find(name);
      return it == entry.fields.end() ? std::string() : it->second.value;
    };
    p.kana_family = get("kana_family");
    p.kana_given = get("kana_given");
    p.kanji_family = get("kanji_family");
    p.kanji_given = get("kanji_given");
    p.birth_date = get("birth_date");
    p.sex = get("sex");
    p.postal_code = get("postal_code");
    p.insurer_number = get("insurer_number");
    p.card_symbol = get("card_symbol");
    p.card_number = get("card_number");
    p.card_branch = get("card_branch");
    out.push_back(std::move(p));
  }
  return out;
}

std::string deid_patient_pseudonym(std::span<const std::uint8_t> key, std::string_view release,
                                   const deid::PseudonymShape& shape, std::string_view patient_id) {
  const deid::Keyring keyring(
      deid::Key::from_bytes(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())), release);
  return deid::format_pseudonym(deid::hmac_sha256(keyring.subkey("pseudonym:patient"), patient_id), shape);
}

std::string key_fingerprint(std::span<const std::uint8_t> key) {
  return to_hex(hmac_sha256(key, "smx-link key fingerprint v1")).substr(0, 16);
}

EncodeCounts write_encodings(const std::vector<Person>& persons, const Normalizer& normalizer,
                             const BloomEncoder& encoder, std::span<const std::uint8_t> key,
                             const EncodeSettings& settings, Output& out, DiagnosticSink& sink) {
  const TokenKeys keys(key);
  const std::string fingerprint = key_fingerprint(key);
  const Schema& schema = encoder.schema();
  EncodeCounts counts;
  std::string line;
  for (const Person& person : persons) {
    // Diagnostics name the facility and the row number, never the patient.
    const Location where{person.facility, counts.patients + 1, 0, {}};
    const NormalizedPerson n = normalize_person(normalizer, person, where, sink);
    const std::string patient = settings.deid_key.empty()
                                    ? person.local_id
                                    : deid_patient_pseudonym(settings.deid_key, settings.deid_release, settings.deid_shape, person.local_id);
    const auto id1 = id1_token(keys, n, settings.id1_with_branch);
    const auto id2 = id2_token(keys, n);
    const auto block = block_token(keys, n);
    const auto block_date = date_block_token(keys, n);
    const auto block_name = name_block_token(keys, n);
    const Encoding encoding = encoder.encode_person(n);
    line.clear();
    json::Writer w(line);
    w.begin_object();
    w.number("smx", 1);
    w.string("kind", "link-encoding");
    w.string("facility", person.facility);
    w.string("patient", patient);
    w.string("patient_is", settings.deid_key.empty() ? "local" : "deid");
    w.string("normalizer", normalizer.version());
    w.string("schema", settings.schema_digest);
    w.string("key", fingerprint);
    if (id1) w.string("id1", *id1);
    if (id2) w.string("id2", *id2);
    if (block) w.string("block", *block);
    if (block_date) w.string("block_date", *block_date);
    if (block_name) w.string("block_name", *block_name);
    w.begin_object("fields");
    for (std::size_t i = 0; i < schema.features.size(); ++i)  // a missing value has no filter
      if (!schema.features[i].ignored && i < encoding.fields.size() && !encoding.fields[i].empty())
        w.string(schema.features[i].identifier, encoding.fields[i].base64());
    w.end_object();
    w.string("clk", encoding.clk.base64());
    w.end_object();
    line += '\n';
    out.write(line);
    ++counts.patients;
    counts.with_id1 += id1.has_value();
    counts.with_id2 += id2.has_value();
    counts.without_birth_date += n.birth_date.empty();
  }
  return counts;
}

}  // namespace smx::link
