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
