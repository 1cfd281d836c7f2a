// Lists, as NDJSON, every unit conversion the shipped tables allow smx labnorm to make, with
// the value labnorm computes for it, for the ucum-lhc cross-check (tests/ucum/crosscheck.js,
// run by tests/props/ucum_lhc.sh).
//
// Usage: list_conversions [TABLE_DIR]   (default: the source tree, SMX_SOURCE_DIR)
//
// A conversion is a pair (from, to) of UCUM codes plus the analyte's molar mass / charge when
// the conversion needs them. Candidates, each paired with the canonical units of the analyte
// (its `unit` and the units of `units_by_result`; for a full JLAC10 code, the one unit_for it):
//   - every analyte's alternative_units and units_by_result units;
//   - every alias target in units/aliases.yaml and in each site's `units`: analyte- and
//     JLAC10-code-keyed aliases with that analyte, global and local-code-keyed ones with
//     every analyte (labnorm converts a global alias target whenever it converts);
//   - each site code's unit, with the analyte of its JLAC10 code;
//   - each JCCLS interval's unit, with its analyte.
// A candidate is listed when labnorm would convert it: from != to, the analyte does not mark
// `from` never-convert, and lab::conversion_factor (the function labnorm calls: UCUM, then
// molar mass / charge) gives a factor. Our value is value x factor, as labnorm computes it.
// Alternative units that convert to none of their analyte's canonical units are listed with
// "ours":null, so the cross-check reports them as table errors instead of dropping them.
// A summary of what was considered and why candidates were not listed goes to stderr.
#include <smx/labnorm.hpp>
#include <smx/stream.hpp>
#include <smx/tables.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using smx::tables::Analyte;

struct Lister {
  smx::units::Ucum ucum;
  std::set<std::tuple<std::string, std::string, std::string>> seen;  // from, to, analyte (molar only)
  std::map<std::string, int> skipped;                                // reason -> candidates
  std::size_t considered = 0, listed = 0, lines = 0;
  std::string table_dir;  // rules are printed relative to it, as labnorm's change records are

  std::string relative(std::string_view rule) const {
    std::string out(rule);
    for (std::size_t at; !table_dir.empty() && (at = out.find(table_dir)) != std::string::npos;)
      out.erase(at, table_dir.size());
    return out;
  }

  static std::string number(double v) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
  }

  // Canonical units a result of `analyte` may be converted into; `code` narrows them to the
  // unit of one full JLAC10 code.
  static std::vector<std::string> targets(const Analyte& analyte, std::string_view code) {
    std::vector<std::string> out;
    if (smx::tables::is_jlac10_code(code)) {
      if (!analyte.unit_for(code).empty()) out.push_back(analyte.unit_for(code));
      return out;
    }
    if (!analyte.unit.empty()) out.push_back(analyte.unit);
    for (const auto& [result_id, unit] : analyte.units_by_result)
      if (!unit.empty() && std::find(out.begin(), out.end(), unit) == out.end()) out.push_back(unit);
    return out;
  }

  // One candidate; returns true when it was listed (or already listed).
  bool consider(const Analyte& analyte, const std::string& from, const std::string& to, std::string_view source,
                std::string_view rule) {
    ++considered;
    if (from == to) return ++skipped["same unit"], false;
    if (analyte.never_converts_from(from)) return ++skipped["never_convert_units of the analyte"], false;
    smx::lab::ConversionFactor factor = smx::lab::conversion_factor(ucum, &analyte, from, to);
    if (!factor.ok) {
      std::string why = factor.why;  // without the units, so that reasons add up
      std::string units = " from " + from + " to " + to;
      if (std::size_t at = why.find(units); at != std::string::npos) why.erase(at, units.size());
      return ++skipped["not convertible: " + why], false;
    }
    auto key = std::make_tuple(from, to, factor.molar ? analyte.code : std::string());
    if (!seen.insert(key).second) return ++skipped["duplicate of a listed conversion"], true;
    ++listed;
    for (double value : {1.0, 7.2, 123.4}) {
      std::string line = "{\"from\":";
      smx::json::append_string(line, from);
      line += ",\"to\":";
      smx::json::append_string(line, to);
      line += ",\"value\":" + number(value) + ",\"ours\":" + number(value * factor.value);
      line += ",\"analyte\":";
      smx::json::append_string(line, analyte.code);
      if (factor.molar) {
        if (analyte.molar_mass) line += ",\"molecular_weight\":" + number(analyte.molar_mass->grams_per_mole);
        if (analyte.charge) line += ",\"charge\":" + std::to_string(analyte.charge);
      }
      line += ",\"source\":";
      smx::json::append_string(line, source);
      line += ",\"rule\":";
      smx::json::append_string(line, relative(rule));
      line += ",\"path\":";
      smx::json::append_string(line, relative(factor.rule));
      line += "}\n";
      std::fputs(line.c_str(), stdout);
      ++lines;
    }
    return true;
  }

  void unconvertible(const Analyte& analyte, const std::string& from, std::string_view rule) {
    std::string line = "{\"from\":";
    smx::json::append_string(line, from);
    line += ",\"to\":";
    smx::json::append_string(line, analyte.unit);
    line += ",\"value\":1,\"ours\":null,\"analyte\":";
    smx::json::append_string(line, analyte.code);
    line += ",\"source\":\"alternative_units\",\"rule\":";
    smx::json::append_string(line, relative(rule));
    line += ",\"why\":\"listed as an alternative unit, but labnorm converts it to no canonical unit\"}\n";
    std::fputs(line.c_str(), stdout);
    ++lines;
  }

  // An alias target keyed by `key` (analyte, code or "" for global).
  void alias(const smx::tables::Tables& tables, const smx::tables::Site* site, std::string_view key,
             const smx::tables::UnitAlias& alias) {
    std::string_view code = key;
    if (site && alias.scope == smx::tables::AliasScope::code) {
      if (const smx::tables::SiteCode* site_code = site->find_code(key)) code = site_code->jlac10;
    }
    const char* source = site ? "site alias" : "alias";
    bool keyed = alias.scope != smx::tables::AliasScope::global &&
                 (alias.scope == smx::tables::AliasScope::analyte || smx::tables::is_jlac10_code(code));
    if (keyed) {
      const Analyte* analyte = tables.analytes.find(code);
      if (!analyte) {
        ++skipped["alias keyed by an analyte the analyte table does not have"];
        return;
      }
      for (const std::string& to : targets(*analyte, code)) consider(*analyte, alias.ucum, to, source, alias.rule);
      return;
    }
    for (const Analyte& analyte : tables.analytes.items())
      for (const std::string& to : targets(analyte, {})) consider(analyte, alias.ucum, to, source, alias.rule);
  }
};

}  // namespace

int main(int argc, char** argv) try {
  std::filesystem::path dir = argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::path(SMX_SOURCE_DIR);
  smx::tables::Tables tables = smx::tables::load_tables(dir, "auto");
  Lister lister{tables.make_ucum(), {}, {}};
  lister.table_dir = tables.dir.string();
  if (!lister.table_dir.empty() && lister.table_dir.back() != '/') lister.table_dir.push_back('/');

  for (const Analyte& analyte : tables.analytes.items()) {
    for (const std::string& from : analyte.alternative_units) {
      bool any = false;
      for (const std::string& to : Lister::targets(analyte, {}))
        any = lister.consider(analyte, from, to, "alternative_units", analyte.rule) || any;
      if (!any && !analyte.never_converts_from(from)) lister.unconvertible(analyte, from, analyte.rule);
    }
    for (const auto& [result_id, from] : analyte.units_by_result)
      if (!from.empty())
        for (const std::string& to : Lister::targets(analyte, {}))
          lister.consider(analyte, from, to, "units_by_result", analyte.rule);
  }
  tables.aliases.for_each([&](std::string_view key, std::string_view, const smx::tables::UnitAlias& alias) {
    lister.alias(tables, nullptr, key, alias);
  });
  for (const smx::tables::Site& site : tables.sites) {
    site.units.for_each([&](std::string_view key, std::string_view, const smx::tables::UnitAlias& alias) {
      lister.alias(tables, &site, key, alias);
    });
    for (const auto& [local, site_code] : site.codes) {
      if (site_code.unit.empty()) continue;
      if (const Analyte* analyte = tables.analytes.find(site_code.jlac10))
        for (const std::string& to : Lister::targets(*analyte, site_code.jlac10))
          lister.consider(*analyte, site_code.unit, to, "site code unit", site_code.rule);
    }
  }
  for (const smx::tables::ReferenceInterval& interval : tables.jccls.items()) {
    if (const Analyte* analyte = tables.analytes.find(interval.analyte))
      if (!analyte->unit.empty()) lister.consider(*analyte, interval.unit, analyte->unit, "jccls", interval.rule);
  }

  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fputs("list_conversions: write error\n", stderr);
    return 2;
  }
  std::fprintf(stderr, "list_conversions: %zu candidates, %zu conversions listed (%zu lines)\n", lister.considered,
               lister.listed, lister.lines);
  for (const auto& [reason, n] : lister.skipped) std::fprintf(stderr, "  not listed: %d %s\n", n, reason.c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "list_conversions: %s\n", e.what());
  return 2;
}
