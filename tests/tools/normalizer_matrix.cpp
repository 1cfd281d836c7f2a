// Property (issue 11): every unit spelling the tables know x every analyte with a canonical unit
// (mappings/analytes.yaml) and every analyte/unit of the NHO code table (jlac10-units.yaml),
// through the real normalizer (lab::Normalizer on an OUL^R22 with one serum OBX). For each pair
// the result is one of:
//   converted  OBX-6.1 became the canonical unit and the value was scaled: the factor must equal
//              the factor of a unit the analyte declares (its unit or alternative_units), and the
//              pair is printed as NDJSON for the ucum-lhc cross-check (tests/ucum/crosscheck.js);
//   same       the spelling already means the canonical unit;
//   kept       not converted, with a diagnostic that says why (refused, unmapped, implausible,
//              not convertible, method change, not a single quantity).
// Anything else is a failure printed to stderr: a conversion by an undeclared factor, a value
// relabelled without being scaled, or a result left unconverted without a word. Exit 1 on any.
//
// Usage: normalizer_matrix [TABLE_DIR] > conversions.ndjson   (default: SMX_SOURCE_DIR)
#include <smx/labnorm.hpp>
#include <smx/stream.hpp>
#include <smx/tables.hpp>

#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using smx::tables::Analyte;

std::string number(double v, int digits) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, v);
  return buffer;
}

struct Spelling {
  std::string text;
  std::string scope;  // "" global, an analyte (5) or a code (17)
  std::string rule;
};

struct Matrix {
  const smx::tables::Tables& tables;
  smx::units::Ucum ucum;
  smx::lab::Normalizer normalizer;
  std::map<std::string, int> outcome;  // "converted", "same", "kept: CODE"
  std::vector<std::string> failures;
  std::size_t pairs = 0;

  explicit Matrix(const smx::tables::Tables& t) : tables(t), ucum(t.make_ucum()), normalizer(t, {}) {}

  // A serum code of the analyte with the given result id (JLAC10: analyte 5, identification
  // 0000, material 023, method 000, result id).
  static std::string code_for(const Analyte& analyte, const std::string& result_id) {
    return analyte.code + "0000" + "023" + "000" + result_id;
  }

  void run(const Spelling& spelling, const Analyte& analyte, const std::string& code) {
    const std::string canonical = smx::lab::canonical_unit(tables, ucum, code);
    if (canonical.empty()) return;
    ++pairs;
    // A value that is plausible once in the canonical unit, so the gate judges the unit, not the value.
    double canonical_value = 7.2;
    if (analyte.plausible) canonical_value = (analyte.plausible->low + analyte.plausible->high) / 2;
    const smx::lab::UnitResolution resolved =
        smx::lab::resolve_unit(tables, ucum, spelling.text, code, {}, nullptr);
    double sent_value = 7.2;
    if (resolved.status == smx::lab::UnitStatus::mapped) {
      const smx::lab::ConversionFactor f = smx::lab::conversion_factor(ucum, &analyte, resolved.ucum, canonical);
      if (f.ok && f.value > 0) sent_value = canonical_value / f.value;
    }
    const std::string sent = number(sent_value, 12);
    std::string escaped;
    std::string text = "MSH|^~\\&|LAB|H1|SMX|H1|20260101||OUL^R22^OUL_R22|1|P|2.5\rPID|1||1||X||19600101|F\r"
                       "SPM|1|||023^血清^JC10\rOBR|1\rOBX|1|NM|" + code + "^^JC10||" + sent + "|";
    smx::hl7::escape(spelling.text, smx::hl7::Delimiters{}, escaped);
    text += escaped + "|\r";
    smx::Record record;
    std::string reason;
    if (!record.message.assign(text, &reason)) {
      failures.push_back("cannot build a message for '" + spelling.text + "': " + reason);
      return;
    }
    smx::CollectingSink diagnostics;
    const smx::lab::Normalized n = normalizer.normalize(record, diagnostics);
    smx::hl7::Message out;
    if (!out.assign(n.changed ? n.hl7 : text, &reason)) {
      failures.push_back("normalized message does not parse: " + reason);
      return;
    }
    const std::size_t obx = out.find_segment("OBX");
    const std::string unit6 = smx::hl7::decoded(
        smx::hl7::nth_piece(out.field(obx, 6), out.delimiters().component, 0), out.delimiters());
    const bool labelled = smx::hl7::nth_piece(out.field(obx, 6), out.delimiters().component, 2) == "UCUM";
    const double value_out = std::strtod(std::string(out.field(obx, 5)).c_str(), nullptr);
    const std::string where = "'" + spelling.text + "' (" + (spelling.scope.empty() ? "global" : spelling.scope) +
                              ", " + spelling.rule + ") for " + code + " [" + canonical + "]";
    if (labelled && unit6 == canonical) {
      if (resolved.status != smx::lab::UnitStatus::mapped) {
        failures.push_back(where + ": labelled " + canonical + " although the spelling does not resolve");
        return;
      }
      if (resolved.ucum == canonical) {
        ++outcome["same"];
        return;
      }
      const double factor = value_out / sent_value;
      if (!declared(analyte, code, factor)) {
        failures.push_back(where + ": converted by x" + number(factor, 10) + ", a factor the analyte does not declare");
        return;
      }
      ++outcome["converted"];
      std::string line = "{\"from\":";
      smx::json::append_string(line, resolved.ucum);
      line += ",\"to\":";
      smx::json::append_string(line, canonical);
      line += ",\"value\":" + sent + ",\"ours\":" + number(value_out, 17) + ",\"analyte\":";
      smx::json::append_string(line, analyte.code);
      const smx::lab::ConversionFactor f = smx::lab::conversion_factor(ucum, &analyte, resolved.ucum, canonical);
      if (f.molar) {
        if (analyte.molar_mass) line += ",\"molecular_weight\":" + number(analyte.molar_mass->grams_per_mole, 17);
        if (analyte.charge) line += ",\"charge\":" + std::to_string(analyte.charge);
      }
      line += ",\"source\":\"normalizer\",\"rule\":";
      smx::json::append_string(line, spelling.rule);
      line += "}\n";
      std::fputs(line.c_str(), stdout);
      return;
    }
    if (labelled && resolved.status == smx::lab::UnitStatus::mapped && unit6 == resolved.ucum &&
        std::string(out.field(obx, 5)) != sent && std::fabs(value_out / sent_value - 1) > 1e-9) {
      failures.push_back(where + ": value changed under an unchanged unit");
      return;
    }
    static const std::set<std::string> reasons = {"LAB-UNIT-REFUSED",         "LAB-UNIT-UNMAPPED",
                                                  "LAB-IMPLAUSIBLE",          "LAB-UNIT-NOT-CONVERTIBLE",
                                                  "LAB-METHOD-NOT-CONVERTED", "LAB-UNIT-NOT-CONVERTED"};
    for (const smx::Diagnostic& d : diagnostics.items) {
      if (reasons.count(d.code)) {
        ++outcome["kept: " + d.code];
        return;
      }
    }
    failures.push_back(where + ": not converted (OBX-6 '" + std::string(out.field(obx, 6)) + "') and no diagnostic says why");
  }

  bool declared(const Analyte& analyte, const std::string& code, double factor) {
    const std::string canonical = smx::lab::canonical_unit(tables, ucum, code);
    std::vector<std::string> units{analyte.unit};
    units.insert(units.end(), analyte.alternative_units.begin(), analyte.alternative_units.end());
    for (const std::string& unit : units) {
      const smx::lab::ConversionFactor f = smx::lab::conversion_factor(ucum, &analyte, unit, canonical);
      if (f.ok && std::fabs(f.value - factor) <= 1e-9 * std::fabs(f.value)) return true;
    }
    return false;
  }
};

}  // namespace

int main(int argc, char** argv) try {
  const std::filesystem::path dir = argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path(SMX_SOURCE_DIR);
  const smx::tables::Tables tables = smx::tables::load_tables(dir);
  Matrix matrix(tables);

  std::vector<Spelling> spellings;
  std::set<std::string> targets;
  tables.aliases.for_each([&](std::string_view key, std::string_view spelling, const smx::tables::UnitAlias& alias) {
    spellings.push_back(Spelling{std::string(spelling), std::string(key), alias.rule});
    targets.insert(alias.ucum);
  });
  for (const Analyte& analyte : tables.analytes.items()) {
    if (!analyte.unit.empty()) targets.insert(analyte.unit);
    targets.insert(analyte.alternative_units.begin(), analyte.alternative_units.end());
    targets.insert(analyte.never_convert_units.begin(), analyte.never_convert_units.end());
  }
  for (const std::string& t : targets) spellings.push_back(Spelling{t, "", "UCUM code in the tables"});

  for (const Spelling& spelling : spellings) {
    for (const Analyte& analyte : tables.analytes.items()) {
      // A keyed alias applies to its analyte or code only.
      if (!spelling.scope.empty() && spelling.scope.compare(0, 5, analyte.code) != 0) continue;
      if (spelling.scope.size() == 17) {
        matrix.run(spelling, analyte, spelling.scope);
        continue;
      }
      if (smx::tables::is_jlac10_analyte(spelling.scope) || spelling.scope.empty()) {
        matrix.run(spelling, analyte, Matrix::code_for(analyte, "01"));
        for (const auto& [result_id, unit] : analyte.units_by_result)
          if (!unit.empty() && result_id != "01") matrix.run(spelling, analyte, Matrix::code_for(analyte, result_id));
      }
    }
  }
  // Codes whose canonical unit comes from mappings/jlac10-units.yaml (NHO): one code per analyte
  // and canonical unit, every spelling (the analyte, when the analyte table has it, is only used
  // for its molar mass and declarations).
  std::set<std::pair<std::string, std::string>> seen;
  for (const smx::tables::CodeUnit& row : tables.code_units.items()) {
    if (row.ucum.empty()) continue;
    const std::string canonical = smx::lab::canonical_unit(tables, matrix.ucum, row.code);
    if (canonical.empty() || !seen.emplace(row.code.substr(0, 5), canonical).second) continue;
    static const Analyte none{};
    const Analyte* analyte = tables.analytes.find(row.code);
    for (const Spelling& spelling : spellings) {
      if (!spelling.scope.empty() && spelling.scope != row.code && spelling.scope != row.code.substr(0, 5)) continue;
      matrix.run(spelling, analyte ? *analyte : none, row.code);
    }
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fputs("normalizer_matrix: write error\n", stderr);
    return 2;
  }
  std::fprintf(stderr, "normalizer_matrix: %zu spellings x analytes with a canonical unit = %zu pairs\n",
               spellings.size(), matrix.pairs);
  for (const auto& [what, n] : matrix.outcome) std::fprintf(stderr, "  %-36s %d\n", what.c_str(), n);
  for (const std::string& f : matrix.failures) std::fprintf(stderr, "FAIL %s\n", f.c_str());
  std::fprintf(stderr, "  %-36s %zu\n", "failures", matrix.failures.size());
  return matrix.failures.empty() ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "normalizer_matrix: %s\n", e.what());
  return 2;
}
