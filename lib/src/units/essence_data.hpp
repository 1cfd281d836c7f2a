// Internal representation of the loaded UCUM essence, shared by the loader, the parser and
// the converter. Not installed.
#pragma once

#include <smx/units.hpp>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smx::units::detail {

struct Prefix {
  std::string code;  // case-sensitive symbol (Code attribute)
  std::string name;
  double value = 1.0;
};

struct Atom {
  std::string code;
  std::string name;
  bool is_base = false;
  bool is_metric = false;
  bool is_special = false;
  bool is_arbitrary = false;
  // Definition as written in the essence (value x Unit, or the special function).
  std::string definition_unit;
  double definition_value = 1.0;
  std::string function_name;  // special units only
  std::size_t source_offset = 0;
  Canonical canonical{};  // resolved meaning of one atom (no prefix, exponent 1)
};

struct EssenceData {
  std::string origin;
  std::string version;
  std::string revision_date;
  std::vector<Prefix> prefixes;  // longest code first, so the first match is the longest (§4.4)
  std::vector<Atom> atoms;
  std::unordered_map<std::string_view, std::size_t> atom_index;  // keys view Atom::code
  std::size_t mol_atom = SIZE_MAX;
  double mol_magnitude = 0.0;  // Avogadro's number as the essence defines mol
  std::size_t mass_dimension = base_unit_count;  // which Dimension slot is the gram's

  const Atom* find_atom(std::string_view code) const {
    auto it = atom_index.find(code);
    return it == atom_index.end() ? nullptr : &atoms[it->second];
  }
};

// Resolves an atom to its canonical form while the essence is being loaded (recursively,
// with cycle detection) or after loading (already resolved). Returns nullptr and fills
// `error` when the atom's own definition can not be resolved.
class AtomResolver {
 public:
  virtual ~AtomResolver() = default;
  virtual const Canonical* resolve(std::size_t atom, std::string& error) = 0;
};

// Parses `expression` against `data`; atoms are resolved through `resolver`. When `display`
// is not null, the long form (display_name) is appended to it.
ParseResult parse_expression(const EssenceData& data, AtomResolver& resolver,
                             std::string_view expression, std::string* display);

// Magnitudes of prefixed units are decimal, but 1e-3 etc. are not exact binary doubles, so
// "mg/dL" comes out as 9.9999999999999964 g/m3. A value within 1e-13 relative of a power of
// ten is taken to be that power: no UCUM constant has the 13 significant digits needed to
// lie that close to one without being it (the most precise, [pi], is 2 digits from any).
double snap_to_power_of_ten(double value);

// Resolver over a fully loaded essence.
class LoadedResolver final : public AtomResolver {
 public:
  explicit LoadedResolver(const EssenceData& data) : data_(data) {}
  const Canonical* resolve(std::size_t atom, std::string&) override {
    return &data_.atoms[atom].canonical;
  }

 private:
  const EssenceData& data_;
};

}  // namespace smx::units::detail
