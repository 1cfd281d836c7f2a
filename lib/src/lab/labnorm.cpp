// smx labnorm's engine (see labnorm.hpp). Order per units-fhir.md §3.3 / §4.3: code, unit
// spelling (unescape, pre-normalization, alias table, UCUM), conversion factor to the analyte's
// canonical unit, value (parse, exponent, scale), range (parse, same factor), flag.
#include "smx/labnorm.hpp"

#include <array>
#include <cmath>

namespace smx::lab {
namespace {

std::string decoded(const hl7::Message& m, std::string_view raw) { return hl7::decoded(raw, m.delimiters()); }

std::string escaped(const hl7::Message& m, std::string_view text) {
  std::string out;
  hl7::escape(text, m.delimiters(), out);
  return out;
}

std::string component(const hl7::Message& m, std::string_view field, std::size_t n) {
  return decoded(m, hl7::nth_piece(hl7::nth_piece(field, m.delimiters().repetition, 0), m.delimiters().component, n));
}

char patient_sex(const hl7::Message& m) {
  std::size_t pid = m.find_segment("PID");
  if (pid == hl7::Message::npos) return 'U';
  std::string_view sex = m.field(pid, 8);
  return sex == "M" ? 'M' : sex == "F" ? 'F' : 'U';
}

void add_json_field(std::string& out, const char* key, std::string_view value, bool first = false) {
  if (!first) out.push_back(',');
  out.push_back('"');
  out.append(key);
  out.append("\":");
  append_json_string(out, value);
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

bool is_lab_message(const hl7::Message& m) {
  if (m.segment_count() == 0) return false;
  std::string_view type = hl7::nth_piece(m.field(0, 9), m.delimiters().component, 0);
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
    if (hl7::has_escape(part[n], d)) part[n] = unescaped[n] = decoded(m, part[n]);
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

Normalizer::Normalizer(const tables::Tables& tables, NormalizeOptions options)
    : tables_(tables), options_(std::move(options)), ucum_(tables.make_ucum()) {}

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
  std::string dir;  // the table directory with a trailing '/', at the first change
  auto diag = [&](Severity s, const char* code, std::size_t seg_obx, const std::string& field, std::string text) {
    diagnostics.report(Diagnostic{s, code, record.location("OBX[" + std::to_string(seg_obx) + "]-" + field), std::move(text)});
  };
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    if (m.segment_id(i) != "OBX") continue;
    ++obx_number;
    // OBX-0 (the id) to OBX-8 split once: Message::field scans from the segment start per call.
    std::array<std::string_view, 9> obx{};
    {
      const std::string_view segment = m.segment(i);
      for (std::size_t n = 0, start = 0; n < obx.size(); ++n) {
        const std::size_t end = segment.find(m.delimiters().field, start);
        obx[n] = segment.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (end == std::string_view::npos) break;
        start = end + 1;
      }
    }
    std::string_view type = obx[2];
    if (type == "ED" || type == "RP" || type == "FT" || type == "TX") continue;
    ++cov.obx;
    auto change = [&](const char* field, std::string from, std::string to, std::string rule) {
      // Rules name table rows relative to the table directory, so records do not depend on
      // where the tables are installed.
      if (dir.empty()) {
        dir = tables_.dir.string();
        if (!dir.empty() && dir.back() != '/') dir.push_back('/');
      }
      for (std::size_t at; !dir.empty() && (at = rule.find(dir)) != std::string::npos;) rule.erase(at, dir.size());
      result.changes.push_back(Change{obx_number, field, std::move(from), std::move(to), std::move(rule)});
    };

    // 1. Code: JLAC10 first in OBX-3, the local code kept as the alternate identifier.
    ObservationCode code = observation_code(m, i);
    std::string code_rule;
    if (code.jlac10.empty() && site && !code.local.empty()) {
      if (const tables::SiteCode* sc = site->find_code(code.local)) {
        code.jlac10 = sc->jlac10;
        code_rule = sc->rule;
      }
    }
    std::string_view obx3 = obx[3];
    if (code.jlac10.empty() || code.jlac10 == "99999999999999999") {
      result.unmapped = true;
      ++cov.unmapped_codes[code.local + (code.name.empty() ? "" : " " + code.name)];
      diag(Severity::warning, "LAB-CODE-UNMAPPED", obx_number, "3", "no JLAC10 code for this local code");
    } else {
      ++cov.codes_mapped;
      std::string_view first = hl7::nth_piece(obx3, m.delimiters().component, 0);
      if (hl7::has_escape(first, m.delimiters()) ? decoded(m, first) != code.jlac10 : first != code.jlac10) {
        // JLAC10^name^JC10^local^local name^local system
        const tables::Analyte* a = tables_.analytes.find(code.jlac10);
        std::string name = code.name.empty() && a ? a->name_ja : code.name;
        const auto& d = m.delimiters();
        std::string rebuilt = escaped(m, code.jlac10) + d.component + escaped(m, name) + d.component + "JC10" +
                              d.component + escaped(m, code.local) + d.component +
                              std::string(hl7::nth_piece(obx3, d.component, 1)) + d.component +
                              escaped(m, code.local_system);
        editor.set_field(i, 3, rebuilt);
        change("OBX-3", decoded(m, obx3), decoded(m, rebuilt), code_rule.empty() ? "JC10 alternate identifier" : code_rule);
      }
    }
    const tables::Analyte* analyte = code.jlac10.empty() ? nullptr : tables_.analytes.find(code.jlac10);

    // 2. Unit: OBX-6 spelling -> UCUM (OBX-6 = UCUM^original text^UCUM).
    std::string_view obx6 = obx[6];
    std::string unit_id = component(m, obx6, 0), unit_text = component(m, obx6, 1), unit_sys = component(m, obx6, 2);
    std::string from_ucum;
    std::string unit_rule;
    std::string raw_unit = unit_id.empty() ? unit_text : unit_id;
    if (unit_sys == "UCUM" && ucum_.valid(unit_id)) {
      from_ucum = unit_id;
      raw_unit = unit_text.empty() ? unit_id : unit_text;
    } else if (!raw_unit.empty()) {
      std::string spelling = normalize_unit_text(raw_unit);
      if (const tables::UnitAlias* alias = tables_.find_unit(spelling, code.jlac10, code.local, site)) {
        from_ucum = alias->ucum;
        unit_rule = alias->rule;
      } else if (analyte && ucum_.valid(spelling) && conversion_factor(ucum_, analyte, spelling, analyte->unit_for(code.jlac10)).ok) {
        // Valid UCUM that is not in the tables is accepted only when it converts to the
        // analyte's canonical unit: `mg/d` is valid UCUM (per day) but not what a lab means.
        from_ucum = spelling;
        unit_rule = "UCUM (commensurable with " + analyte->unit_for(code.jlac10) + ")";
      } else {
        result.unmapped = true;
        ++cov.unmapped_units[spelling];
        diag(Severity::warning, "LAB-UNIT-UNMAPPED", obx_number, "6", "unit spelling not in the tables");
      }
    }
    if (!from_ucum.empty()) ++cov.units_mapped;

    // 3. Factor to the analyte's canonical unit.
    std::string target = from_ucum;
    ConversionFactor factor;
    factor.ok = true;
    if (!from_ucum.empty() && analyte) {
      const std::string& canonical = analyte->unit_for(code.jlac10);
      if (!canonical.empty() && canonical != from_ucum) {
        if (analyte->never_converts_from(from_ucum)) {
          diag(Severity::note, "LAB-METHOD-NOT-CONVERTED", obx_number, "6",
               "unit belongs to another method or standard; not converted (" + analyte->rule + ")");
        } else {
          ConversionFactor f = conversion_factor(ucum_, analyte, from_ucum, canonical);
          if (f.ok) {
            factor = f;
            target = canonical;
            ++cov.units_converted;
          } else {
            diag(Severity::warning, "LAB-UNIT-NOT-CONVERTIBLE", obx_number, "6", f.why);
          }
        }
      }
    }
    if (from_ucum.empty() && result.unmapped && unit_sys == "UCUM") {
      // The sender labels a spelling UCUM that is not UCUM ("U / L^U / L^UCUM"): keep the text,
      // drop the false label, so that flat and fhir do not pass it on as a UCUM code.
      const auto& d = m.delimiters();
      std::string new6 = d.component + escaped(m, raw_unit);
      editor.set_field(i, 6, new6);
      change("OBX-6", decoded(m, obx6), decoded(m, new6), "not UCUM: coding system UCUM removed");
    }
    if (!from_ucum.empty()) {
      const auto& d = m.delimiters();
      std::string new6 = escaped(m, target) + d.component + escaped(m, raw_unit) + d.component + "UCUM";
      if (new6 != obx6) {
        editor.set_field(i, 6, new6);
        std::string rule = unit_rule;
        if (target != from_ucum) rule += (rule.empty() ? "" : "; ") + from_ucum + " -> " + target + " by " + factor.rule;
        change("OBX-6", decoded(m, obx6), decoded(m, new6), rule.empty() ? "UCUM" : rule);
      }
    }
    const double scale = factor.ok ? factor.value : 1.0;

    // 4. Value.
    std::string_view obx5 = obx[5];
    std::string value_text = decoded(m, obx5);
    Value value = parse_value(value_text);
    if (value.kind == ValueKind::text) {
      ++cov.unparsed_values_by_code[code.jlac10.empty() ? code.local : code.jlac10];
      diag(Severity::note, "LAB-VALUE-TEXT", obx_number, "5", "value kept as text (no known form)");
    } else if (value.kind != ValueKind::empty) {
      ++cov.values_parsed;
    }
    Value canonical_value = value;
    if (value.kind == ValueKind::numeric || value.kind == ValueKind::inequality) {
      if (value.exponent != 0) canonical_value = apply_exponent(canonical_value);
      if (scale != 1.0) canonical_value = scaled(canonical_value, scale);
      std::string written = format_value(canonical_value);
      if (written != value_text) {
        editor.set_field(i, 5, escaped(m, written));
        change("OBX-5", value_text, written, scale != 1.0 ? "x" + format_number(scale, 0) : "canonical number");
      }
    } else if (value.kind == ValueKind::qualitative) {
      std::string written = format_value(value);
      if (written != value_text) {
        editor.set_field(i, 5, escaped(m, written));
        change("OBX-5", value_text, written, "qualitative code");
      }
    }

    // 5. Reference range, with the same factor.
    std::string_view obx7 = obx[7];
    std::string range_text = decoded(m, obx7);
    Range range = parse_range(range_text);
    Range canonical_range = scale != 1.0 ? scaled(range, scale) : range;
    if (range.kind != RangeKind::empty) {
      std::string written = range.kind == RangeKind::text
                                ? (scale != 1.0 ? range_text + "【" + raw_unit + "】" : range_text)
                                : format_range(canonical_range);
      if (written != range_text) {
        editor.set_field(i, 7, escaped(m, written));
        change("OBX-7", range_text, written,
               range.kind == RangeKind::text ? "text range kept, original unit appended"
                                             : (scale != 1.0 ? "x" + format_number(scale, 0) : "canonical range"));
      }
    }

    // 6. Flag: recomputed against the converted range; the sender's OBX-8 stays.
    Flag computed = compute_flag(canonical_value, canonical_range, sex);
    std::string sender(decoded(m, obx[8]));
    if (compare_flags(sender, computed) == FlagAgreement::disagree)
      diag(Severity::warning, "LAB-FLAG-DISAGREE", obx_number, "8",
           "sender flag '" + sender + "' but the value against the range gives '" + std::string(flag_code(computed)) + "'");

    if (options_.jccls && analyte) {
      tables::Sex s = sex == 'M' ? tables::Sex::male : sex == 'F' ? tables::Sex::female : tables::Sex::both;
      if (const tables::ReferenceInterval* ri = tables_.jccls.find(code.jlac10, s)) {
        if (!jccls.empty()) jccls.push_back(',');
        jccls += "{\"obx\":" + std::to_string(obx_number);
        add_json_field(jccls, "low", format_number(ri->low, 0));
        add_json_field(jccls, "high", format_number(ri->high, 0));
        add_json_field(jccls, "unit", ri->unit);
        add_json_field(jccls, "sex", tables::sex_name(ri->sex));
        add_json_field(jccls, "rule", ri->rule);
        jccls.push_back('}');
      }
    }
  }
  if (options_.jccls && !jccls.empty()) result.jccls_json = "[" + jccls + "]";
  if (editor.changed()) {
    result.hl7 = editor.text();
    result.changed = result.hl7 != m.text();
  }
  return result;
}

std::string changes_json(const std::vector<Change>& changes) {
  std::size_t size = 2;
  for (const Change& c : changes) size += 64 + c.field.size() + c.from.size() + c.to.size() + c.rule.size();
  std::string out;
  out.reserve(size + size / 8);  // room for a few escapes
  out.push_back('[');
  for (std::size_t k = 0; k < changes.size(); ++k) {
    if (k) out.push_back(',');
    out += "{\"obx\":";
    out += std::to_string(changes[k].obx);
    add_json_field(out, "field", changes[k].field);
    add_json_field(out, "from", changes[k].from);
    add_json_field(out, "to", changes[k].to);
    add_json_field(out, "rule", changes[k].rule);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

std::string coverage_json(const std::string& site, const Coverage& c) {
  std::string out = "{\"smx\":1,\"kind\":\"coverage\"";
  add_json_field(out, "site", site);
  out += ",\"messages\":" + std::to_string(c.messages) + ",\"obx\":" + std::to_string(c.obx) +
         ",\"codes_mapped\":" + std::to_string(c.codes_mapped) + ",\"units_mapped\":" + std::to_string(c.units_mapped) +
         ",\"units_converted\":" + std::to_string(c.units_converted) +
         ",\"values_parsed\":" + std::to_string(c.values_parsed);
  auto map_json = [&](const char* key, const std::map<std::string, std::uint64_t>& m) {
    out += ",\"";
    out += key;
    out += "\":{";
    bool first = true;
    for (const auto& [k, n] : m) {
      if (!first) out.push_back(',');
      first = false;
      append_json_string(out, k);
      out += ":" + std::to_string(n);
    }
    out.push_back('}');
  };
  map_json("unmapped_codes", c.unmapped_codes);
  map_json("unmapped_units", c.unmapped_units);
  map_json("unparsed_values", c.unparsed_values_by_code);
  out += "}\n";
  return out;
}

}  // namespace smx::lab
