// TEMPORARY stand-in for smx::lab::resolve_unit (lib/include/smx/labnorm.hpp, being written on
// main for issue 11), with the same signature and today's logic: the tables
// (Tables::find_unit) first, then the spelling itself whenever it is valid UCUM. This file is
// deleted when main has resolve_unit; nho_unit_spellings.cpp then calls the real one.
#pragma once

#include <smx/lab.hpp>
#include <smx/tables.hpp>
#include <smx/units.hpp>

#include <string>
#include <string_view>

namespace standin {

enum class UnitStatus { empty, mapped, unmapped, refused };

struct UnitResolution {
  UnitStatus status = UnitStatus::empty;
  std::string ucum;
  std::string spelling;
  std::string rule;
  std::string why;
};

inline UnitResolution resolve_unit(const smx::tables::Tables& tables, smx::units::Ucum& ucum,
                                   std::string_view raw_unit, std::string_view jlac10,
                                   std::string_view local_code, const smx::tables::Site* site) {
  UnitResolution r;
  r.spelling = smx::lab::normalize_unit_text(raw_unit);
  if (r.spelling.empty()) return r;
  if (const smx::tables::UnitAlias* alias = tables.find_unit(r.spelling, jlac10, local_code, site)) {
    r.status = UnitStatus::mapped;
    r.ucum = alias->ucum;
    r.rule = alias->rule;
  } else if (ucum.valid(r.spelling)) {
    r.status = UnitStatus::mapped;
    r.ucum = r.spelling;
    r.rule = "UCUM";
  } else {
    r.status = UnitStatus::unmapped;
    r.why = "not in the tables and not UCUM";
  }
  return r;
}

}  // namespace standin
