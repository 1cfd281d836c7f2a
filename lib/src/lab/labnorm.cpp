// smx labnorm's engine (see labnorm.hpp). Order per units-fhir.md §3.3 / §4.3: code, unit
// spelling (unescape, pre-normalization, alias table, UCUM), conversion factor to the analyte's
// canonical unit, value (parse, exponent, scale), range (parse, same factor), flag.
#include "smx/labnorm.hpp"

#include "lab/cache.hpp"


#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace smx::lab {
namespace {

// A raw segment as a change record shows it: the field separator kept, each field decoded.
std::string decoded_segment(const hl7::Message& m, std::string_view raw) {
  std::string out;
  for (std::size_t start = 0;;) {
    const std::size_t end = raw.find(m.delimiters().field, start);
    out += hl7::decoded(raw.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start), m.delimiters());
    if (end == std::string_view::npos) break;
    out.push_back(m.delimiters().field);
    start = end + 1;
  }
  return out;
}

char patient_sex(const hl7::Message& m) {
  std::size_t pid = m.find_segment("PID");
  if (pid == hl7::Message::npos) return 'U';
  std::string_view sex = m.field(pid, 8);
  return sex == "M" ? 'M' : sex == "F" ? 'F' : 'U';
}

}  // namespace

ConversionFactor conversion_factor(units::Ucum& ucum, const tables::Analyte* analyte, std::string_view from,
                                   std::string_view to) {
  ConversionFactor f;
  if (from == to) {
    f.ok = true;
    return f;
  }
  auto one = ucum.convert(1.0, from, to);
  if (one.ok() && ucum.lookup(from).canonical().substance != ucum.lookup(to).canonical().substance) {
    // UCUM makes mol the number 6.02214076e23, so mmol/L and 10*3/uL are commensurable; a lab
    // result is an amount of substance or a count, and Avogadro never turns one into the other
    // (ucum-lhc refuses these too). Mass <-> substance goes through the molar mass below.
    f.why = "no conversion from " + std::string(from) + " to " + std::string(to) + " (mol <-> count)";
    return f;
  }
  bool molar = false;
  if (!one.ok() && analyte && (analyte->molar_mass || analyte->charge)) {
    double mm = analyte->molar_mass ? analyte->molar_mass->grams_per_mole : 0.0;
    one = ucum.convert_with_molar_mass(1.0, from, to, mm, analyte->charge);
    molar = true;
  }
  if (!one.ok()) {
    f.why = "no conversion from " + std::string(from) + " to " + std::string(to);
    return f;
  }
  auto two = ucum.convert(2.0, from, to);
  if (two.ok() && std::fabs(two.value - 2 * one.value) > 1e-12 * std::fabs(two.value)) {
    f.why = "special unit (not a proportional conversion)";
    return f;
  }
  f.ok = true;
  f.value = one.value;
  f.molar = molar;
  f.rule = molar ? analyte->rule + " (molar mass)" : "UCUM";
  return f;
}

namespace {

// resolve_unit once per (spelling, code, local code) and thread for the tables and site in use: a
// stream repeats the same few hundred combinations for every message.
const UnitResolution& resolve_unit_memo(const tables::Tables& tables, units::Ucum& ucum, std::string_view raw,
                                        std::string_view jlac10, std::string_view local, const tables::Site* site,
                                        bool labelled_ucum) {
  struct Memo {
    const tables::Tables* tables = nullptr;
    const tables::Site* site = nullptr;
    std::unordered_map<std::string, UnitResolution> answers;
  };
  thread_local Memo memo;
  if (memo.tables != &tables || memo.site != site || memo.answers.size() > 65536) {
    memo.tables = &tables;
    memo.site = site;
    memo.answers.clear();
  }
  // Length-prefixed parts: a spelling may hold any byte, so no separator could keep keys apart.
  std::string key;
  key.reserve(raw.size() + jlac10.size() + local.size() + 16);
  for (std::string_view part : {raw, jlac10, local}) key.append(std::to_string(part.size())).append(":").append(part);
  key.push_back(labelled_ucum ? 'U' : '-');
  if (auto it = memo.answers.find(key); it != memo.answers.end()) return it->second;
  return memo.answers
      .emplace(std::move(key), resolve_unit(tables, ucum, raw, jlac10, local, site, labelled_ucum))
      .first->second;
}

}  // namespace

Normalizer::Normalizer(const tables::Tables& tables, NormalizeOptions options)
    : tables_(tables), options_(std::move(options)), ucum_(tables.make_ucum()) {}

namespace {

// The unit atoms of a UCUM expression with their powers, sorted; numbers (10*, 10^) are left out
// (they are magnitude, not kind): mmol/L and umol/mL give the same list, /[LPF] and % do not.
using UnitAtoms = std::vector<std::pair<std::string, int>>;
UnitAtoms atoms_of(const units::Essence& essence, std::string_view expression) {
  UnitAtoms out;
  for (const units::Symbol& s : units::symbols(essence, expression)) {
    if (s.atom == "10*" || s.atom == "10^") continue;
    out.emplace_back(s.atom, s.exponent);
  }
  std::sort(out.begin(), out.end());
  return out;
}
const UnitAtoms& unit_atoms(const units::Essence& essence, std::string_view expression) {
  return detail::per_expression<atoms_of>(essence, expression);
}

bool same_factor(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); }

// The value kinds labnorm rewrites in the canonical unit. Every other form (compound, value
// range, fraction, ratio, text) is kept as sent, so its unit is never converted under it.
bool convertible_kind(ValueKind k) {
  return k == ValueKind::numeric || k == ValueKind::inequality || k == ValueKind::empty;
}

// One OBX through the pipeline (units-fhir.md §3.3 / §4.3). Decisions first (code, unit, factor,
// plausibility, value, range, flag), edits last, so a result judged implausible leaves its OBX as
// the sender wrote it.
class ObxPass {
 public:
  using Diag = std::function<void(Severity, const char* code, const char* field, std::string text, std::string subject)>;
  using ChangeFn = std::function<void(const char* field, std::string from, std::string to, std::string rule)>;
  using InsertFn = std::function<void(std::string raw_segment, std::string rule)>;

  ObxPass(const tables::Tables& tables, units::Ucum& ucum, const tables::Site* site, const hl7::Message& m,
          std::size_t segment, Coverage& coverage, Normalized& result, const Diag& diag, const ChangeFn& change,
          const InsertFn& insert)
      : tables_(tables), ucum_(ucum), site_(site), m_(m), seg_(segment), cov_(coverage), result_(result),
        diag_(diag), change_(change), insert_(insert) {
    const std::string_view segment_text = m.segment(segment);
    for (std::size_t n = 0, start = 0; n < fields_.size(); ++n) {
      const std::size_t end = segment_text.find(m.delimiters().field, start);
      fields_[n] = segment_text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
  }

  std::string_view type() const { return fields_[2]; }

  void run(char sex, hl7::MessageEditor& editor) {
    resolve_code();
    resolve_unit_field();
    decide_factor();
    read_value_and_range();
    check_plausible();
    compute_flag_in_sender_unit(sex);
    write(editor);
  }

  const std::string& jlac10() const { return code_.jlac10; }
  const tables::Analyte* analyte() const { return analyte_; }

 private:
  std::string decoded(std::string_view raw) const { return hl7::decoded(raw, m_.delimiters()); }
  std::string escaped(std::string_view text) const {
    std::string out;
    hl7::escape(text, m_.delimiters(), out);
    return out;
  }
  std::string component(std::string_view field, std::size_t n) const {
    const auto& d = m_.delimiters();
    return decoded(hl7::nth_piece(hl7::nth_piece(field, d.repetition, 0), d.component, n));
  }
  const std::string& code_key() const { return code_.jlac10.empty() ? code_.local : code_.jlac10; }

  // 1. JLAC10 first in OBX-3, the local code kept as the alternate identifier.
  void resolve_code() {
    code_ = observation_code(m_, seg_);
    if (code_.jlac10.empty() && site_ && !code_.local.empty()) {
      if (const tables::SiteCode* sc = site_->find_code(code_.local)) {
        code_.jlac10 = sc->jlac10;
        code_rule_ = sc->rule;
      }
    }
    if (code_.jlac10.empty() || code_.jlac10 == "99999999999999999") {
      result_.unmapped = true;
      ++cov_.unmapped_codes[code_.local + (code_.name.empty() ? "" : " " + code_.name)];
      diag_(Severity::warning, "LAB-CODE-UNMAPPED", "3", "no JLAC10 code for this local code", code_.local);
      code_.jlac10.clear();
      return;
    }
    ++cov_.codes_mapped;
    analyte_ = tables_.analytes.find(code_.jlac10);
    canonical_ = canonical_unit(tables_, ucum_, code_.jlac10);
  }

  // 2. OBX-6 = UCUM^original text^UCUM.
  void resolve_unit_field() {
    const std::string_view obx6 = fields_[6];
    const std::string unit_id = component(obx6, 0), unit_text = component(obx6, 1);
    unit_sys_ = component(obx6, 2);
    raw_unit_ = unit_id.empty() ? unit_text : unit_id;
    if (unit_sys_ == "UCUM" && !unit_text.empty()) raw_unit_ = unit_text;
    if (unit_id.empty() && unit_text.empty()) return;
    UnitResolution r = resolve_unit_memo(tables_, ucum_, unit_id.empty() ? unit_text : unit_id, code_.jlac10,
                                         code_.local, site_, unit_sys_ == "UCUM" && !unit_id.empty());
    if (r.status != UnitStatus::mapped && !unit_id.empty() && !unit_text.empty() && unit_text != unit_id &&
        !unit_sys_.empty()) {
      // CWE: OBX-6.2 is the same unit as text. When the identifier means nothing, the text decides
      // (and labnorm's output, `UCUM^text^UCUM`, reads back the same).
      const UnitResolution& by_text = resolve_unit_memo(tables_, ucum_, unit_text, code_.jlac10, code_.local, site_, false);
      if (by_text.status == UnitStatus::mapped) {
        r = by_text;
        unit_by_text_ = true;
      }
    }
    if (r.status != UnitStatus::mapped && !unit_id.empty() && !unit_text.empty() && unit_sys_.empty() &&
        hl7::count_pieces(hl7::nth_piece(obx6, m_.delimiters().repetition, 0), m_.delimiters().component) == 2) {
      // `×10^3/μl` sent without escaping the caret arrives as OBX-6.1 `×10`, OBX-6.2 `3/μl` and
      // no coding system. OBX-6.2 alone would read as "3 per microlitre"; the two joined are
      // the spelling the sender wrote.
      UnitResolution joined =
          resolve_unit_memo(tables_, ucum_, unit_id + "^" + unit_text, code_.jlac10, code_.local, site_, false);
      if (joined.status == UnitStatus::mapped) {
        diag_(Severity::note, "LAB-UNIT-CARET", "6", "OBX-6 holds an unescaped '^': read as one unit spelling",
              joined.spelling);
        raw_unit_ = unit_id + "^" + unit_text;
        r = std::move(joined);
      }
    }
    if (r.status == UnitStatus::mapped) {
      from_ucum_ = r.ucum;
      unit_rule_ = r.rule == "UCUM" && !canonical_.empty() && r.ucum != canonical_
                       ? "UCUM (commensurable with " + canonical_ + ")"
                       : r.rule;
      ++cov_.units_mapped;
      return;
    }
    result_.unmapped = true;
    if (r.status == UnitStatus::refused) {
      ++cov_.refused_units[r.spelling];
      diag_(Severity::warning, "LAB-UNIT-REFUSED", "6", "unit kept as sent: " + r.why, r.spelling);
    } else {
      ++cov_.unmapped_units[r.spelling];
      diag_(Severity::warning, "LAB-UNIT-UNMAPPED", "6", "unit spelling not in the tables", r.spelling);
    }
  }

  // 3. The factor to the canonical unit, only when the analyte declares the unit it came in.
  void decide_factor() {
    target_ = from_ucum_;
    if (from_ucum_.empty() || canonical_.empty() || canonical_ == from_ucum_) return;
    if (analyte_ && analyte_->never_converts_from(from_ucum_)) {
      diag_(Severity::note, "LAB-METHOD-NOT-CONVERTED", "6",
            "unit belongs to another method or standard; not converted (" + analyte_->rule + ")", from_ucum_);
      return;
    }
    const ConversionFactor f = conversion_factor(ucum_, analyte_, from_ucum_, canonical_);
    if (!f.ok) {
      diag_(Severity::warning, "LAB-UNIT-NOT-CONVERTIBLE", "6", f.why, from_ucum_);
      return;
    }
    if (!declares_units()) {
      // The canonical unit comes from the code (NHO's unit) or a result id: no table says which
      // units a result of this code may arrive in, so none is converted.
      diag_(Severity::warning, "LAB-UNIT-NOT-CONVERTED", "6",
            "kept in " + from_ucum_ + ": no conversion to " + canonical_ + " is declared for this code", from_ucum_);
      return;
    }
    if (!declared(f.value)) {
      implausible("unit " + from_ucum_ + " converts to " + canonical_ + " by x" + format_number(f.value, 0) +
                      ", a factor this analyte does not declare (" + declared_units() + ")",
                  from_ucum_);
      return;
    }
    factor_ = f;
    target_ = canonical_;
  }

  // The analyte's unit and alternative_units declare what a result may be converted from, for
  // codes whose canonical unit is the analyte's unit.
  bool declares_units() const { return analyte_ && !analyte_->unit.empty() && canonical_ == analyte_->unit; }
  bool declared(double factor) {
    // Declared = the same unit atoms as a declared unit (prefixes and powers of ten aside) and
    // the same factor. The factor alone is not enough: UCUM makes /[LPF] (per low power field,
    // [LPF] = 100) exactly equal to % (0.01), so a urine sediment count would pass as HbA1c %.
    const UnitAtoms atoms_from = unit_atoms(ucum_.essence(), from_ucum_);
    auto matches = [&](const std::string& unit) {
      const ConversionFactor f = conversion_factor(ucum_, analyte_, unit, canonical_);
      return f.ok && same_factor(f.value, factor) && unit_atoms(ucum_.essence(), unit) == atoms_from;
    };
    if (matches(analyte_->unit)) return true;
    for (const std::string& alt : analyte_->alternative_units)
      if (matches(alt)) return true;
    return false;
  }
  std::string declared_units() const {
    if (!analyte_ || analyte_->unit.empty()) return "no units declared for this code";
    std::string out = "declared: " + analyte_->unit;
    for (const std::string& alt : analyte_->alternative_units) out += ", " + alt;
    return out;
  }

  void implausible(std::string why, std::string subject) {
    keep_as_sent_ = true;
    result_.implausible = true;
    ++cov_.implausible[code_key()];
    diag_(Severity::warning, "LAB-IMPLAUSIBLE", "5", "kept as sent: " + why, std::move(subject));
  }

  // 4-5. Value and range as sent, then in the canonical unit.
  void read_value_and_range() {
    value_text_ = decoded(fields_[5]);
    value_ = parse_value(value_text_);
    plan_split();
    range_text_ = decoded(fields_[7]);
    range_ = parse_range(range_text_);
    if (split_) {
      ++cov_.values_parsed;
    } else if (value_.kind == ValueKind::text) {
      ++cov_.unparsed_values_by_code[code_key()];
      diag_(Severity::note, "LAB-VALUE-TEXT", "5", "value kept as text (no known form)", code_key());
    } else if (value_.kind == ValueKind::numeric || value_.kind == ValueKind::inequality ||
               value_.kind == ValueKind::qualitative) {
      ++cov_.values_parsed;
    } else if (value_.kind != ValueKind::empty) {
      ++cov_.values_kept;
      diag_(Severity::note, "LAB-VALUE-KEPT", "5",
            "value kept as sent (" + std::string(kind_name(value_.kind)) + ": not a single quantity)", code_key());
    }
    if (factor_.ok && factor_.value != 1.0 && !convertible_kind(value_.kind)) {
      // Converting the unit under a value that is not converted would relabel it silently.
      diag_(Severity::note, "LAB-UNIT-NOT-CONVERTED", "6",
            "unit normalized but not converted: the value is not a single quantity", from_ucum_);
      factor_ = ConversionFactor{};
      factor_.ok = true;
      target_ = from_ucum_;
    }
    sent_value_ = value_.exponent != 0 ? apply_exponent(value_) : value_;
    const double scale = factor_.ok ? factor_.value : 1.0;
    canonical_value_ = scale != 1.0 && convertible_kind(value_.kind) ? scaled(sent_value_, scale) : sent_value_;
    canonical_range_ = scale != 1.0 ? scaled(range_, scale) : range_;
  }

  // The plausibility gate: a value in the canonical unit (converted or as sent) outside what a
  // patient's blood can hold is a unit error. Only for blood specimens of analytes that declare
  // plausible limits for their canonical unit.
  void check_plausible() {
    if (keep_as_sent_ || !analyte_ || !analyte_->plausible || !canonical_value_.has_number) return;
    if (target_ != canonical_ || canonical_ != analyte_->unit || !tables::is_blood_material(code_.jlac10)) return;
    const double v = canonical_value_.number;
    const tables::Plausible& p = *analyte_->plausible;
    if (v >= p.low && v <= p.high) return;
    const bool converted = factor_.ok && factor_.value != 1.0;
    canonical_value_ = sent_value_;
    implausible((converted ? "converted value " : "value ") + std::string("outside what ") + analyte_->code +
                    " can be in blood (" + format_number(p.low, 0) + "-" + format_number(p.high, 0) + " " + canonical_ +
                    (converted ? ", after x" + format_number(factor_.value, 0) + " from " + from_ucum_ : std::string()) +
                    ")",
                std::string(analyte_->code));
  }

  // 6. H/L/N from the numbers as the sender wrote them, in the sender's unit: rounding a converted
  // value or range can never flip it. The sender's OBX-8 stays.
  void compute_flag_in_sender_unit(char sex) {
    flag_ = compute_flag(sent_value_, range_, sex);
    const std::string sender = decoded(fields_[8]);
    if (compare_flags(sender, flag_) == FlagAgreement::disagree)
      diag_(Severity::warning, "LAB-FLAG-DISAGREE", "8",
            "sender flag '" + sender + "' but the value against the range gives '" + std::string(flag_code(flag_)) + "'",
            code_key());
  }

  struct FieldEdit {
    int field = 0;
    std::string raw;  // escaped, as written into the segment
    std::string from, to, rule;
  };

  void write(hl7::MessageEditor& editor) {
    if (split_) return write_split(editor);
    apply(editor, code_edit());
    if (keep_as_sent_) return apply(editor, label_drop());
    if (!from_ucum_.empty() && target_ != from_ucum_) ++cov_.units_converted;
    apply(editor, unit_edit());
    apply(editor, value_edit());
    apply(editor, range_edit());
  }

  void apply(hl7::MessageEditor& editor, const std::optional<FieldEdit>& e) {
    if (!e) return;
    editor.set_field(seg_, e->field, e->raw);
    change_(("OBX-" + std::to_string(e->field)).c_str(), e->from, e->to, e->rule);
  }

  // JLAC10^name^JC10^local^local name^local system
  std::string code_field(const std::string& jlac10) const {
    const auto& d = m_.delimiters();
    const std::string name = code_.name.empty() && analyte_ ? analyte_->name_ja : code_.name;
    std::string out = escaped(jlac10) + d.component + escaped(name) + d.component + "JC10";
    if (code_.local.empty()) return out;
    return out + d.component + escaped(code_.local) + d.component +
           std::string(hl7::nth_piece(fields_[3], d.component, 1)) + d.component + escaped(code_.local_system);
  }

  std::optional<FieldEdit> code_edit() const {
    if (code_.jlac10.empty()) return std::nullopt;
    const std::string_view obx3 = fields_[3];
    const auto& d = m_.delimiters();
    const std::string_view first = hl7::nth_piece(obx3, d.component, 0);
    if (hl7::has_escape(first, d) ? decoded(first) == code_.jlac10 : first == code_.jlac10) return std::nullopt;
    const std::string rebuilt = code_field(code_.jlac10);
    return FieldEdit{3, rebuilt, decoded(obx3), decoded(rebuilt),
                     code_rule_.empty() ? "JC10 alternate identifier" : code_rule_};
  }

  // A result kept as sent must not keep a UCUM label either: `88|mg/dL^mg/dL^UCUM` for creatinine
  // would read as normalized in flat and fhir while the value is a umol/L number. Only the coding
  // system goes: identifier and text stay as sent, so that reading the result again finds the
  // same unit, the same gate and nothing more to change (fuzz_labnorm: `mg/dL^mg/$L^UCUM` became
  // `^mg/$L`, an unmapped spelling whose range a second run then rewrote). When the text decided
  // (the identifier means nothing), the coding system becomes L (HL7 table 0396: local): text is
  // only read when a coding system is present, so without one a second run would find no unit and
  // rewrite the range (fuzz_labnorm: `mg50/#dL^mg/dL^UCUM`).
  std::optional<FieldEdit> label_drop() const {
    if (unit_sys_ != "UCUM") return std::nullopt;
    const auto& d = m_.delimiters();
    const std::string_view obx6 = fields_[6];
    const std::string_view first = hl7::nth_piece(hl7::nth_piece(obx6, d.repetition, 0), d.component, 0);
    const std::string_view second = hl7::nth_piece(hl7::nth_piece(obx6, d.repetition, 0), d.component, 1);
    std::string new6(first);
    if (!second.empty()) new6 += d.component + std::string(second);
    if (unit_by_text_) new6 += d.component + std::string("L");
    return FieldEdit{6, new6, decoded(obx6), decoded(new6),
                     unit_by_text_ ? "kept as sent (LAB-IMPLAUSIBLE): coding system UCUM replaced by L (local)"
                                   : "kept as sent (LAB-IMPLAUSIBLE): coding system UCUM removed"};
  }

  std::optional<FieldEdit> unit_edit() const {
    const std::string_view obx6 = fields_[6];
    const auto& d = m_.delimiters();
    if (from_ucum_.empty()) {
      if (unit_sys_ != "UCUM" || raw_unit_.empty()) return std::nullopt;
      // The sender labels a spelling UCUM that is not ("U / L^U / L^UCUM", or "U/ML^U/ML^UCUM"
      // read as per megalitre): keep the text, drop the false label, so that flat and fhir do not
      // pass it on as a UCUM code.
      const std::string new6 = d.component + escaped(raw_unit_);
      return FieldEdit{6, new6, decoded(obx6), decoded(new6), "not a laboratory UCUM unit: coding system UCUM removed"};
    }
    const std::string new6 = escaped(target_) + d.component + escaped(raw_unit_) + d.component + "UCUM";
    if (new6 == obx6) return std::nullopt;
    std::string rule = unit_rule_;
    if (target_ != from_ucum_) rule += (rule.empty() ? "" : "; ") + from_ucum_ + " -> " + target_ + " by " + factor_.rule;
    return FieldEdit{6, new6, decoded(obx6), decoded(new6), rule.empty() ? "UCUM" : rule};
  }

  std::string written_value() const {
    if (value_.kind == ValueKind::numeric || value_.kind == ValueKind::inequality) return format_value(canonical_value_);
    if (value_.kind == ValueKind::qualitative) return format_value(value_);
    return value_text_;
  }

  std::optional<FieldEdit> value_edit() const {
    const double scale = factor_.ok ? factor_.value : 1.0;
    const std::string written = written_value();
    if (written == value_text_) return std::nullopt;
    return FieldEdit{5, escaped(written), value_text_, written,
                     value_.kind == ValueKind::qualitative ? "qualitative code"
                     : scale != 1.0                        ? "x" + format_number(scale, 0)
                                                           : "canonical number"};
  }

  std::optional<FieldEdit> range_edit() const {
    if (range_.kind == RangeKind::empty) return std::nullopt;
    const double scale = factor_.ok ? factor_.value : 1.0;
    const std::string written = range_.kind == RangeKind::text
                                    ? (scale != 1.0 ? range_text_ + "【" + raw_unit_ + "】" : range_text_)
                                    : format_range(canonical_range_);
    if (written == range_text_) return std::nullopt;
    return FieldEdit{7, escaped(written), range_text_, written,
                     range_.kind == RangeKind::text ? "text range kept, original unit appended"
                                                    : (scale != 1.0 ? "x" + format_number(scale, 0) : "canonical range")};
  }

  // ---- NHO split_value: a compound value whose code has a split rule becomes two results ------
  static std::optional<tables::SplitForm> split_form(const Value& v) {
    if (v.kind != ValueKind::compound || v.parts.size() != 2) return std::nullopt;
    const PartRole a = v.parts[0].role, b = v.parts[1].role;
    if (a == PartRole::quantity && b == PartRole::qualitative) return tables::SplitForm::number_symbol;
    if (a == PartRole::qualitative && b == PartRole::quantity) return tables::SplitForm::symbol_number;
    if (a == PartRole::quantity && b == PartRole::class_value) return tables::SplitForm::number_class;
    if (a == PartRole::qualitative && b == PartRole::qualitative && v.separator == ')')
      return tables::SplitForm::symbol_symbol;
    return std::nullopt;
  }

  // Called with the parsed value: when a rule applies, the numeric part becomes the value the
  // rest of the pipeline converts, ranges and flags (NHO: 単位・基準値は数値側).
  void plan_split() {
    if (code_.jlac10.empty()) return;
    const std::optional<tables::SplitForm> form = split_form(value_);
    if (!form) return;
    const tables::SplitRule* rule = tables_.split_values.find(code_.jlac10, *form);
    if (!rule || !rule->first.present || !rule->second.present) return;
    split_ = rule;
    whole_ = value_;
    numeric_side_ = rule->first.numeric() ? 0 : rule->second.numeric() ? 1 : -1;
    if (numeric_side_ >= 0) value_ = whole_.parts[static_cast<std::size_t>(numeric_side_)];
    ++cov_.values_split;
    diag_(Severity::note, "LAB-VALUE-SPLIT", "5",
          "compound value split into " + rule->first.code_for(code_.jlac10) + " and " +
              rule->second.code_for(code_.jlac10) + " (NHO split_value, " + rule->source + " row " +
              std::to_string(rule->row) + ")",
          code_.jlac10);
  }

  std::string part_text(std::size_t i) const {
    if (static_cast<int>(i) == numeric_side_) return written_value();
    const Value& part = whole_.parts[i];
    return part.kind == ValueKind::qualitative ? format_value(part) : part.number_text;
  }
  std::string part_type(std::size_t i) const {
    const Value& part = whole_.parts[i];
    if (static_cast<int>(i) == numeric_side_) return value_.kind == ValueKind::numeric ? "NM" : "ST";
    return part.role == PartRole::class_value ? "NM" : "ST";
  }

  void write_split(hl7::MessageEditor& editor) {
    const std::string rule = split_->rule + " (NHO split_value)";
    const bool keep_unit = !keep_as_sent_;
    if (keep_unit && numeric_side_ >= 0 && !from_ucum_.empty() && target_ != from_ucum_) ++cov_.units_converted;
    // The OBX as sent becomes the part written first.
    const std::string code1 = code_field(split_->first.code_for(code_.jlac10));
    apply(editor, FieldEdit{3, code1, decoded(fields_[3]), decoded(code1), rule});
    apply(editor, FieldEdit{5, escaped(part_text(0)), value_text_, part_text(0), rule});
    if (fields_[2] != part_type(0)) apply(editor, FieldEdit{2, part_type(0), std::string(fields_[2]), part_type(0), rule});
    if (numeric_side_ == 0) {
      if (keep_unit) {
        apply(editor, unit_edit());
        apply(editor, range_edit());
      } else {
        apply(editor, label_drop());
      }
    } else {
      for (int f : {6, 7, 8})
        if (!fields_[static_cast<std::size_t>(f)].empty())
          apply(editor, FieldEdit{f, "", decoded(fields_[static_cast<std::size_t>(f)]), "",
                                  rule + ": unit, range and flag go with the numeric part"});
    }
    // The second part: a new OBX after it, the OBX as sent with its own code, type and value.
    std::vector<std::string> out;
    const std::string_view segment = m_.segment(seg_);
    for (std::size_t start = 0;;) {
      const std::size_t end = segment.find(m_.delimiters().field, start);
      out.emplace_back(segment.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    out.resize(std::max<std::size_t>(out.size(), 9));
    out[2] = part_type(1);
    out[3] = code_field(split_->second.code_for(code_.jlac10));
    out[5] = escaped(part_text(1));
    if (numeric_side_ == 1) {
      if (keep_unit) {
        if (auto e = unit_edit()) out[6] = e->raw;
        if (auto e = range_edit()) out[7] = e->raw;
      } else if (auto e = label_drop()) {
        out[6] = e->raw;
      }
    } else {
      out[6].clear();
      out[7].clear();
      out[8].clear();
    }
    std::string raw;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (i) raw.push_back(m_.delimiters().field);
      raw += out[i];
    }
    insert_(std::move(raw), rule);
  }

  const tables::Tables& tables_;
  units::Ucum& ucum_;
  const tables::Site* site_;
  const hl7::Message& m_;
  std::size_t seg_;
  Coverage& cov_;
  Normalized& result_;
  const Diag& diag_;
  const ChangeFn& change_;
  const InsertFn& insert_;
  std::array<std::string_view, 15> fields_{};  // OBX-0 (the id) to OBX-14, split once

  ObservationCode code_;
  std::string code_rule_;
  const tables::Analyte* analyte_ = nullptr;
  std::string canonical_;
  std::string unit_sys_, raw_unit_, from_ucum_, unit_rule_, target_;
  bool unit_by_text_ = false;  // OBX-6.2 decided: OBX-6.1 is not a unit we know
  ConversionFactor factor_{true, 1.0, false, {}, {}};
  bool keep_as_sent_ = false;
  std::string value_text_, range_text_;
  Value value_, sent_value_, canonical_value_;
  Range range_, canonical_range_;
  Flag flag_ = Flag::unknown;
  const tables::SplitRule* split_ = nullptr;
  Value whole_;            // the compound value as parsed, when split
  int numeric_side_ = -1;  // which part (0, 1) is the number, when split
};

}  // namespace

Normalized Normalizer::normalize(const Record& record, DiagnosticSink& diagnostics) {
  Normalized result;
  const hl7::Message& m = record.message;
  if (!is_lab_message(m)) return result;
  const tables::Site* site = nullptr;
  if (options_.site == "auto") {
    site = tables_.site_for_sending_facility(m.field(0, 4));
  } else if (!options_.site.empty()) {
    site = tables_.site_named(options_.site);
  }
  Coverage& cov = coverage_[site ? site->name : options_.site == "auto" ? "" : options_.site];
  ++cov.messages;
  const char sex = patient_sex(m);
  hl7::MessageEditor editor(m);
  std::size_t obx_number = 0;
  std::string jccls;
  json::Writer jccls_writer(jccls);
  if (options_.jccls) jccls_writer.begin_array();
  std::string dir;  // the table directory with a trailing '/', at the first change
  std::size_t inserted = 0;  // OBX segments added so far (NHO split_value)
  ObxPass::Diag diag = [&](Severity s, const char* code, const char* field, std::string text, std::string subject) {
    Diagnostic d{s, code, record.location("OBX[" + std::to_string(obx_number) + "]-" + field), std::move(text)};
    d.subject = std::move(subject);
    diagnostics.report(std::move(d));
  };
  // Rules name table rows relative to the table directory, so records do not depend on where
  // the tables are installed.
  auto relative = [&](std::string rule) {
    if (dir.empty()) {
      dir = tables_.dir.string();
      if (!dir.empty() && dir.back() != '/') dir.push_back('/');
    }
    for (std::size_t at; !dir.empty() && (at = rule.find(dir)) != std::string::npos;) rule.erase(at, dir.size());
    return rule;
  };
  ObxPass::ChangeFn change = [&](const char* field, std::string from, std::string to, std::string rule) {
    rule = relative(std::move(rule));
    result.changes.push_back(Change{obx_number + inserted, field, std::move(from), std::move(to), std::move(rule)});
  };
  std::size_t segment = 0;
  ObxPass::InsertFn insert = [&](std::string raw, std::string rule) {
    // Change records number OBX as they are in the output: after an insertion, one more.
    std::string text = decoded_segment(m, raw);
    editor.insert_after(segment, std::move(raw));
    ++inserted;
    result.changes.push_back(Change{obx_number + inserted, "OBX", "", std::move(text), relative(std::move(rule))});
  };
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    if (m.segment_id(i) != "OBX") continue;
    ++obx_number;
    segment = i;
    ObxPass pass(tables_, ucum_, site, m, i, cov, result, diag, change, insert);
    const std::string_view type = pass.type();
    if (type == "ED" || type == "RP" || type == "FT" || type == "TX") continue;
    ++cov.obx;
    pass.run(sex, editor);
    if (options_.jccls && pass.analyte()) append_jccls(jccls_writer, obx_number, pass.jlac10(), sex);
  }
  if (options_.jccls && jccls.size() > 1) {
    jccls_writer.end_array();
    result.jccls_json = std::move(jccls);
  }
  if (editor.changed()) {
    result.hl7 = editor.text();
    result.changed = result.hl7 != m.text();
  }
  return result;
}

void Normalizer::append_jccls(json::Writer& w, std::size_t obx_number, const std::string& jlac10, char sex) const {
  const tables::Sex s = sex == 'M' ? tables::Sex::male : sex == 'F' ? tables::Sex::female : tables::Sex::both;
  const tables::ReferenceInterval* ri = tables_.jccls.find(jlac10, s);
  if (!ri) return;
  w.begin_object();
  w.number("obx", obx_number);
  w.string("low", format_number(ri->low, 0));
  w.string("high", format_number(ri->high, 0));
  w.string("unit", ri->unit);
  w.string("sex", tables::sex_name(ri->sex));
  w.string("rule", ri->rule);
  w.end_object();
}

std::string coverage_json(const std::string& site, const Coverage& c) {
  std::string out;
  json::Writer w(out);
  begin_record(w, kinds::coverage);
  w.string("site", site);
  w.numbers({{"messages", c.messages}, {"obx", c.obx}, {"codes_mapped", c.codes_mapped},
             {"units_mapped", c.units_mapped}, {"units_converted", c.units_converted},
             {"values_parsed", c.values_parsed}, {"values_kept", c.values_kept}, {"values_split", c.values_split}});
  auto counts = [&](std::string_view key, const std::map<std::string, std::uint64_t>& m) {
    w.begin_object(key);
    for (const auto& [k, n] : m) w.number(k, n);
    w.end_object();
  };
  counts("unmapped_codes", c.unmapped_codes);
  counts("unmapped_units", c.unmapped_units);
  counts("unparsed_values", c.unparsed_values_by_code);
  counts("refused_units", c.refused_units);
  counts("implausible", c.implausible);
  w.end_object();
  out.push_back('\n');
  return out;
}

void Coverage::add(const Coverage& o) {
  messages += o.messages;
  obx += o.obx;
  codes_mapped += o.codes_mapped;
  units_mapped += o.units_mapped;
  units_converted += o.units_converted;
  values_parsed += o.values_parsed;
  values_kept += o.values_kept;
  values_split += o.values_split;
  for (const auto& pair : {std::pair{&unmapped_codes, &o.unmapped_codes}, std::pair{&unmapped_units, &o.unmapped_units},
                     std::pair{&refused_units, &o.refused_units},
                     std::pair{&unparsed_values_by_code, &o.unparsed_values_by_code},
                     std::pair{&implausible, &o.implausible}})
    for (const auto& [k, n] : *pair.second) (*pair.first)[k] += n;
}

}  // namespace smx::lab
