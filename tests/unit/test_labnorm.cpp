// labnorm's conversion factor (lab::conversion_factor, the function the normalizer and the
// ucum-lhc cross-check share): UCUM first, molar mass / charge from the analyte table, never
// mol <-> count.
#include <smx/labnorm.hpp>
#include <smx/tables.hpp>

#include <doctest/doctest.h>

#include <filesystem>

using smx::lab::conversion_factor;

namespace {

const smx::tables::Tables& tables() {
  static const smx::tables::Tables shipped = smx::tables::load_tables(SMX_SOURCE_DIR);
  return shipped;
}

}  // namespace

TEST_CASE("labnorm: conversion factor by UCUM, by molar mass and charge") {
  smx::units::Ucum ucum = tables().make_ucum();
  const auto* glucose = tables().analytes.find("3D010");
  const auto* sodium = tables().analytes.find("3H010");
  const auto* wbc = tables().analytes.find("2A010");
  REQUIRE(glucose);
  REQUIRE(sodium);
  REQUIRE(wbc);

  auto same = conversion_factor(ucum, glucose, "mg/dL", "mg/dL");
  CHECK(same.ok);
  CHECK(same.value == 1.0);

  auto by_ucum = conversion_factor(ucum, glucose, "g/L", "mg/dL");
  CHECK(by_ucum.ok);
  CHECK_FALSE(by_ucum.molar);
  CHECK(by_ucum.value == doctest::Approx(100.0));
  CHECK(by_ucum.rule == "UCUM");

  // units-fhir.md §1.4: 100 mg/dL glucose = 5.5507 mmol/L (MW 180.156).
  auto by_molar_mass = conversion_factor(ucum, glucose, "mmol/L", "mg/dL");
  CHECK(by_molar_mass.ok);
  CHECK(by_molar_mass.molar);
  CHECK(by_molar_mass.value == doctest::Approx(18.0156));
  CHECK(by_molar_mass.rule.find("(molar mass)") != std::string::npos);

  auto by_charge = conversion_factor(ucum, sodium, "meq/L", "mmol/L");
  CHECK(by_charge.ok);
  CHECK(by_charge.molar);
  CHECK(by_charge.value == doctest::Approx(1.0));

  CHECK_FALSE(conversion_factor(ucum, nullptr, "mmol/L", "mg/dL").ok);  // no analyte, no molar mass
  CHECK_FALSE(conversion_factor(ucum, glucose, "mg/dL", "U/L").ok);
}

TEST_CASE("labnorm: mol <-> count is never a conversion (UCUM allows it by Avogadro, ucum-lhc does not)") {
  smx::units::Ucum ucum = tables().make_ucum();
  const auto* sodium = tables().analytes.find("3H010");
  const auto* wbc = tables().analytes.find("2A010");
  REQUIRE(sodium);
  REQUIRE(wbc);
  CHECK(ucum.convert(1.0, "mmol/L", "10*3/uL").ok());  // the engine follows UCUM
  auto counted = conversion_factor(ucum, wbc, "mmol/L", "10*3/uL");
  CHECK_FALSE(counted.ok);
  CHECK(counted.why.find("mol <-> count") != std::string::npos);
  CHECK_FALSE(conversion_factor(ucum, sodium, "/uL", "mmol/L").ok);
  CHECK_FALSE(conversion_factor(ucum, sodium, "mosm/L", "10*3/uL").ok);
}

// ---- Issue 11: unit spellings that are valid UCUM with another meaning ----------------------

namespace {

using smx::lab::UnitStatus;

smx::lab::UnitResolution resolve(std::string_view spelling, std::string_view jlac10 = {}) {
  static smx::units::Ucum ucum = tables().make_ucum();
  return smx::lab::resolve_unit(tables(), ucum, spelling, jlac10, {}, nullptr);
}

// One OUL^R22 with the OBX lines given, PID-8 M, run through the normalizer.
struct Normalized {
  smx::lab::Normalized result;
  smx::CollectingSink diagnostics;
  smx::hl7::Message out;
  std::string field(int obx, int field) const {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < out.segment_count(); ++i)
      if (out.segment_id(i) == "OBX" && ++seen == static_cast<std::size_t>(obx))
        return std::string(out.field(i, static_cast<std::size_t>(field)));
    return "<no OBX>";
  }
};

Normalized normalize(const std::vector<std::string>& obx_lines) {
  std::string text = "MSH|^~\\&|LAB|H1|SMX|H1|20261201120000||OUL^R22^OUL_R22|1|P|2.5\rPID|1||0000001^^^^PI||X^Y||19600101|M\r"
                     "SPM|1|||023^血清^JC10\rOBR|1|||LAB^検査|||20261201080000\r";
  for (const auto& line : obx_lines) text += line + "\r";
  smx::Record record;
  std::string reason;
  REQUIRE(record.message.assign(text, &reason));
  record.src.path = "<memory>";
  record.src.n = 1;
  smx::lab::Normalizer normalizer(tables(), {});
  Normalized n;
  n.result = normalizer.normalize(record, n.diagnostics);
  REQUIRE(n.out.assign(n.result.changed ? n.result.hl7 : text, &reason));
  return n;
}

}  // namespace

TEST_CASE("labnorm (issue 11.1): a case variant of a lab unit never gets a mega/peta/exa/atto prefix") {
  // Each of these is valid UCUM with a meaning no laboratory reports, and no table maps it.
  for (const char* trap : {"EU/mL", "Meq/mL", "G/L2", "Ms", "K", "S/m"}) {
    INFO(std::string(trap));
    const auto r = resolve(trap);
    CHECK(r.status != UnitStatus::mapped);
  }
  CHECK(resolve("EU/mL").why.find("prefix 'E'") != std::string::npos);
  CHECK(resolve("Meq/mL").why.find("prefix 'M'") != std::string::npos);
  // Spellings whose lab meaning the tables know map there, never to the UCUM reading. NHO's
  // ascii_units.md (units/aliases.yaml, issue 11 NHO block) lists these case variants.
  CHECK(resolve("u/L").ucum == "U/L");            // NHO's ASCII for U/L; UCUM: atomic mass units per litre
  CHECK(resolve("PG").ucum == "pg");              // UCUM: petagauss
  CHECK(resolve("U/ML").ucum == "U/mL");          // UCUM: units per megalitre
  CHECK(resolve("Pg/mL").ucum == "pg/mL");        // UCUM: petagrams
  CHECK(resolve("aU/ml").ucum == "[arb'U]/mL");   // UCUM: atto-units
  CHECK(resolve("Eu/dL").ucum == "[EU]/dL");      // Ehrlich units; UCUM: exa-atomic-mass-units
  CHECK(resolve("ug/ML").ucum == "ug/mL");        // UCUM: micrograms per megalitre
  CHECK(resolve("μg/ML").ucum == "ug/mL");

  // Through the normalizer: every value stays as sent. The unknown traps keep no UCUM label; the
  // known ones get their lab meaning, and a factor the analyte does not declare (U/mL for AST,
  // pg/mL for creatinine) or a unit that does not convert is reported, never applied.
  const Normalized n = normalize({"OBX|1|NM|3B035000002327201^AST^JC10||1|U/ML|",
                                  "OBX|2|NM|3C015000002327101^Cre^JC10||1|Pg/mL|",
                                  "OBX|3|NM|3B035000002327201^AST^JC10||1|EU/mL|",
                                  "OBX|4|NM|3B035000002327201^AST^JC10||1|aU/ml|",
                                  "OBX|5|NM|3H015000002326101^K^JC10||1|Meq/mL|",
                                  "OBX|6|NM|3C015000002327101^Cre^JC10||1.51|Eu/dL|",
                                  "OBX|7|NM|2B140000002206201^DD^JC10||5.0|μg/ML|"});
  for (int obx = 1; obx <= 7; ++obx) {
    INFO("OBX " << obx);
    CHECK(n.field(obx, 5) == (obx == 6 ? "1.51" : obx == 7 ? "5.0" : "1"));
    if (obx == 3 || obx == 5) CHECK(n.field(obx, 6).find("UCUM") == std::string::npos);
  }
  CHECK(n.field(4, 6) == "[arb'U]/mL^aU/ml^UCUM");
  CHECK(n.field(6, 6) == "[EU]/dL^Eu/dL^UCUM");
  CHECK(n.field(7, 6) == "ug/mL^μg/ML^UCUM");
  std::size_t refused = 0, implausible = 0, not_convertible = 0;
  for (const auto& d : n.diagnostics.items) {
    refused += d.code == "LAB-UNIT-REFUSED";
    implausible += d.code == "LAB-IMPLAUSIBLE";
    not_convertible += d.code == "LAB-UNIT-NOT-CONVERTIBLE";
  }
  CHECK(refused == 2);
  CHECK(implausible == 2);
  CHECK(not_convertible == 2);
  CHECK(n.result.unmapped);
}

TEST_CASE("labnorm (issue 11.2): exact UCUM is the unit for any code, local or unknown") {
  for (const char* exact : {"mg/dL", "U/L", "g/dL", "ng/mL", "pg", "fL", "/uL", "/min", "nmol/mL", "10*3/uL", "[IU]/L", "mm[Hg]"}) {
    INFO(std::string(exact));
    CHECK(resolve(exact).status == UnitStatus::mapped);
    CHECK(resolve(exact).ucum == exact);
    CHECK(resolve(exact, "9Z999000002399901").status == UnitStatus::mapped);  // a code no table knows
  }
  // With a known analyte, a valid lab unit that does not convert to its unit is not taken.
  CHECK(resolve("mg/d", "3C015000002327101").status == UnitStatus::refused);
  CHECK(resolve("mg/d").status == UnitStatus::mapped);  // NHO's ASCII for mg per day
  // CEA is not in mappings/analytes.yaml; its code has NHO's unit (mappings/jlac10-units.yaml).
  CHECK(resolve("ng/mL", "5D010000002305101").status == UnitStatus::mapped);
  CHECK(resolve("U/L", "5D010000002305101").status == UnitStatus::refused);
  // Truncations that are valid UCUM: ng per metre for ng/mL (NHO: varies by hospital).
  CHECK(resolve("ng/m", "5D010000002305101").status == UnitStatus::refused);
  // Numbers are not units (NHO lists 53-59 as "no unit"); a microsecond is no lab unit.
  CHECK(resolve("53").status == UnitStatus::refused);
  CHECK(resolve("/100").status == UnitStatus::refused);
  CHECK(resolve("us").status == UnitStatus::refused);
  CHECK(resolve("{COI}").status == UnitStatus::mapped);
  const Normalized n = normalize({"OBX|1|NM|5D010000002305101^CEA^JC10||5|ng/mL|0-5",
                                  "OBX|2|NM|L0042^TSH^99LOCAL||1.2|uIU/mL|",
                                  "OBX|3|NM|2A990000001930955^PLT^JC10||23.4|10*4/uL|"});
  CHECK(n.field(1, 6) == "ng/mL^ng/mL^UCUM");
  CHECK(n.field(3, 6) == "10*4/uL^10*4/uL^UCUM");
  for (const auto& d : n.diagnostics.items) CHECK(d.code != "LAB-UNIT-UNMAPPED");
}

TEST_CASE("labnorm (issue 11.3): flags are computed before rounding, ranges keep the sender's resolution") {
  // Calcium 5.15 mEq/L against 4.2-5.2 is normal; converted and rounded it read 10.3 against 8.4-10.
  const Normalized n = normalize({"OBX|1|NM|3H030000002327101^Ca^JC10||5.15|mEq/L|4.2-5.2|N",
                                  "OBX|2|NM|3H030000002327101^Ca^JC10||5.15|mEq/L|4.20-5.20|N"});
  CHECK(n.field(1, 5) == "10.3");
  CHECK(n.field(1, 7) == "8.42-10.42");
  CHECK(n.field(2, 7) == "8.416-10.420");  // x2.0039 (Ca 40.078 g/mol, charge 2)
  for (const auto& d : n.diagnostics.items) CHECK(d.code != "LAB-FLAG-DISAGREE");
  // The flag decision uses the numbers as sent.
  const Normalized high = normalize({"OBX|1|NM|3H030000002327101^Ca^JC10||5.25|mEq/L|4.2-5.2|N"});
  CHECK(high.diagnostics.has("LAB-FLAG-DISAGREE"));
}

TEST_CASE("labnorm (issue 11): the plausibility gate keeps a result as sent") {
  // Creatinine 88 labelled mg/dL is a umol/L value: never survivable as mg/dL.
  const Normalized cre = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg/dL|0.46-0.79"});
  CHECK(cre.diagnostics.has("LAB-IMPLAUSIBLE"));
  CHECK(cre.field(1, 6) == "mg/dL");  // not relabelled as UCUM: visibly not normalized
  CHECK(cre.result.implausible);
  // A unit the analyte does not declare: mg/mL for potassium converts by UCUM and molar mass, but
  // K is never reported so; kept as sent.
  const Normalized k = normalize({"OBX|1|NM|3H015000002326101^K^JC10||4.1|mg/mL|"});
  CHECK(k.field(1, 5) == "4.1");
  CHECK(k.diagnostics.has("LAB-IMPLAUSIBLE"));
  // Declared conversions still happen.
  const Normalized glu = normalize({"OBX|1|NM|3D010000002227101^Glu^JC10||5.5|mmol/L|3.9-6.0"});
  CHECK(glu.field(1, 5) == "99");
  CHECK(glu.field(1, 6) == "mg/dL^mmol/L^UCUM");
  CHECK_FALSE(glu.diagnostics.has("LAB-IMPLAUSIBLE"));
}

TEST_CASE("labnorm (issue 11): an implausible result loses only the UCUM label, and a second run changes nothing") {
  // fuzz_labnorm: the identifier used to be dropped with the label, leaving the text `mg/$L`,
  // which a second run read as an unmapped spelling and then rewrote the range of.
  const Normalized once = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg/dL^mg/$L^UCUM|0.65-|"});
  CHECK(once.diagnostics.has("LAB-IMPLAUSIBLE"));
  CHECK(once.field(1, 6) == "mg/dL^mg/$L");
  CHECK(once.field(1, 7) == "0.65-");
  const Normalized plain = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg/dL^^UCUM|"});
  CHECK(plain.field(1, 6) == "mg/dL");
  const Normalized twice = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg/dL^mg/$L|0.65-|"});
  CHECK(twice.field(1, 6) == "mg/dL^mg/$L");
  CHECK(twice.field(1, 7) == "0.65-");
}

TEST_CASE("labnorm (issue 12): an implausible result whose unit was read from OBX-6.2 reads back the same") {
  // fuzz_labnorm: `mg50/#dL^mg/dL^UCUM` lost its UCUM label; a second run, with no coding system,
  // did not read OBX-6.2, found no unit and rewrote the range `0.65-` as `>=0.65`.
  const Normalized once = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg50/#dL^mg/dL^UCUM|0.65-|"});
  CHECK(once.diagnostics.has("LAB-IMPLAUSIBLE"));
  CHECK(once.field(1, 6) == "mg50/#dL^mg/dL^L");
  CHECK(once.field(1, 7) == "0.65-");
  const Normalized twice = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg50/#dL^mg/dL^L|0.65-|"});
  CHECK(twice.diagnostics.has("LAB-IMPLAUSIBLE"));
  CHECK(twice.field(1, 6) == "mg50/#dL^mg/dL^L");
  CHECK(twice.field(1, 7) == "0.65-");
}

TEST_CASE("labnorm (issue 11): a unit is never converted under a value that is not converted") {
  // A value range in mmol/L under a converted unit would be read in mg/dL.
  const Normalized n = normalize({"OBX|1|NM|3D010000002227101^Glu^JC10||5.5~6.0|mmol/L|"});
  CHECK(n.field(1, 5) == "5.5~6.0");
  CHECK(n.field(1, 6) == "mmol/L^mmol/L^UCUM");
  CHECK(n.diagnostics.has("LAB-UNIT-NOT-CONVERTED"));
}

TEST_CASE("labnorm (issue 11): a declared unit is the same kind of unit, not only the same factor") {
  // UCUM: /[LPF] = 1/100 = % exactly. A urine-sediment spelling must not pass as HbA1c %.
  const Normalized n = normalize({"OBX|1|NM|3D046000001906202^HbA1c^JC10||6.5|/LPF|"});
  CHECK(n.field(1, 5) == "6.5");
  CHECK(n.field(1, 6).find("UCUM") == std::string::npos);
  CHECK(n.diagnostics.has("LAB-IMPLAUSIBLE"));
  // umol/mL is mmol/L spelled otherwise: declared.
  const Normalized glu = normalize({"OBX|1|NM|3D010000002227101^Glu^JC10||5.5|umol/mL|"});
  CHECK(glu.field(1, 6) == "mg/dL^umol/mL^UCUM");
}

TEST_CASE("labnorm (issue 11): an unescaped caret in OBX-6 is one spelling, never OBX-6.2 alone") {
  // `×10^3/μl` unescaped: OBX-6.2 `3/μl` alone is valid UCUM (3 per microlitre) and was read so.
  const Normalized n = normalize({"OBX|1|NM|2A010000001930101^WBC^JC10||6.5|×10^3/μl|3.3-8.6"});
  CHECK(n.field(1, 5) == "6.5");
  CHECK(n.field(1, 6) == "10*3/uL^×10\\S\\3/μl^UCUM");
  CHECK(n.diagnostics.has("LAB-UNIT-CARET"));
  // With a coding system the components are what they say.
  const Normalized coded = normalize({"OBX|1|NM|2A010000001930101^WBC^JC10||6.5|10*3/uL^x10^3/uL^UCUM|"});
  CHECK_FALSE(coded.diagnostics.has("LAB-UNIT-CARET"));
}

TEST_CASE("labnorm (issue 11.6): compound values are split per NHO split_value, each part recorded") {
  // IgE value(class): the value keeps the unit and range, the class goes to its own result code.
  const Normalized ige = normalize({"OBX|1|NM|5A100280502305201^卵白IgE^JC10||8.39(2)|UA/mL|<0.34|H|||F",
                                    "OBX|2|NM|3D010000002227101^Glu^JC10||100|mg/dL|73-109"});
  CHECK(ige.out.segment_count() == 7);  // MSH PID SPM OBR and three OBX: one more
  CHECK(ige.field(1, 3).rfind("5A100280502305201^", 0) == 0);
  CHECK(ige.field(1, 5) == "8.39");
  CHECK(ige.field(1, 7) == "<0.34");
  CHECK(ige.field(2, 3).rfind("5A100280502305202^", 0) == 0);
  CHECK(ige.field(2, 5) == "2");
  CHECK(ige.field(2, 6).empty());
  CHECK(ige.field(3, 3).rfind("3D010000002227101", 0) == 0);  // later OBX untouched
  CHECK(ige.diagnostics.has("LAB-VALUE-SPLIT"));
  // Change records number OBX as in the output; the inserted one is recorded whole.
  bool inserted = false, later = false;
  for (const auto& c : ige.result.changes) {
    inserted = inserted || (c.obx == 2 && c.field == "OBX");
    later = later || (c.obx == 3 && c.field == "OBX-6");
  }
  CHECK(inserted);
  CHECK(later);
  // (sign)number: the sign first, the number with unit and range in the inserted OBX.
  const Normalized eos = normalize({"OBX|1|ST|2A300000006331011^鼻汁好酸球^JC10||(2+)60|%|"});
  CHECK(eos.field(1, 5) == "2+");
  CHECK(eos.field(1, 6).empty());
  CHECK(eos.field(2, 5) == "60");
  CHECK(eos.field(2, 6) == "%^%^UCUM");
  // A compound value whose code has no rule is kept as sent.
  const Normalized kept = normalize({"OBX|1|ST|5E071000002399511^x^JC10||3+(300)||"});
  CHECK(kept.field(1, 5) == "3+(300)");
  CHECK(kept.diagnostics.has("LAB-VALUE-KEPT"));
}

TEST_CASE("labnorm (issue 11): a result kept as sent loses the sender's UCUM label too") {
  // Found by smx gen --variance-rate: creatinine 88 labelled mg/dL by the sender read as normalized.
  const Normalized n = normalize({"OBX|1|NM|3C015000002327101^Cre^JC10||88|mg/dL^mg/dL^UCUM|0.65-1.07||||F"});
  CHECK(n.diagnostics.has("LAB-IMPLAUSIBLE"));
  CHECK(n.field(1, 5) == "88");
  CHECK(n.field(1, 6) == "mg/dL^mg/dL");  // only the coding system goes
}

TEST_CASE("labnorm: normalizing twice equals once when a unit is mapped but does not convert (fuzz_labnorm)") {
  // U/ML maps to U/mL, which does not convert to this code's unit ({index}): kept as U/mL, labelled
  // UCUM. Read back, the labelled U/mL must give the same, not be refused (the label dropped) and
  // mapped again on the third pass.
  const Normalized once = normalize({"OBX|1|NM|3B035001211704121^AST^JC10||1|U/ML|"});
  REQUIRE(once.result.changed);
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < once.out.segment_count(); ++i)
    if (once.out.segment_id(i) == "OBX") lines.emplace_back(once.out.segment(i));
  const Normalized twice = normalize(lines);
  CHECK_FALSE(twice.result.changed);
}
