// Cached parsing and value conversion between UCUM units (UCUM §§18-25).
#include "essence_data.hpp"

#include <smx/error.hpp>

#include <cmath>

namespace smx::units {

namespace {

// Special units (§21.2): m = fs^-1(alpha * r) x u. `unit` is the magnitude of the corresponding
// proper unit u (function value x Unit); results are canonical (base-unit) values.
double special_to_canonical(SpecialFunction function, double reading, double unit) {
  switch (function) {
    case SpecialFunction::celsius: return (reading + 273.15) * unit;
    case SpecialFunction::fahrenheit: return (reading + 459.67) * unit;  // u = 5/9 K
    case SpecialFunction::reaumur: return (reading + 218.52) * unit;     // u = 5/4 K
    // [p'diop] (u = rad) and %[slope] (u = deg) are both 100 tan(angle); rad is the base unit,
    // so the canonical value is the angle in radians whatever u is.
    case SpecialFunction::tan_times_100: return std::atan(reading / 100.0);
    case SpecialFunction::hp_x: return std::pow(10.0, -reading) * unit;
    case SpecialFunction::hp_c: return std::pow(100.0, -reading) * unit;
    case SpecialFunction::hp_m: return std::pow(1000.0, -reading) * unit;
    case SpecialFunction::hp_q: return std::pow(50000.0, -reading) * unit;
    case SpecialFunction::ph: return std::pow(10.0, -reading) * unit;
    case SpecialFunction::ln: return std::exp(reading) * unit;
    case SpecialFunction::lg: return std::pow(10.0, reading) * unit;
    case SpecialFunction::lg_times_2: return std::pow(10.0, reading / 2.0) * unit;
    case SpecialFunction::square_root: return reading * reading * unit;
    case SpecialFunction::ld: return std::exp2(reading) * unit;
    case SpecialFunction::none:
    case SpecialFunction::unsupported: break;
  }
  return std::nan("");
}

double canonical_to_special(SpecialFunction function, double canonical, double unit) {
  const double m = canonical / unit;
  switch (function) {
    case SpecialFunction::celsius: return m - 273.15;
    case SpecialFunction::fahrenheit: return m - 459.67;
    case SpecialFunction::reaumur: return m - 218.52;
    case SpecialFunction::tan_times_100: return 100.0 * std::tan(canonical);
    case SpecialFunction::hp_x: return -std::log10(m);
    case SpecialFunction::hp_c: return -std::log(m) / std::log(100.0);
    case SpecialFunction::hp_m: return -std::log(m) / std::log(1000.0);
    case SpecialFunction::hp_q: return -std::log(m) / std::log(50000.0);
    case SpecialFunction::ph: return -std::log10(m);
    case SpecialFunction::ln: return std::log(m);
    case SpecialFunction::lg: return std::log10(m);
    case SpecialFunction::lg_times_2: return 2.0 * std::log10(m);
    case SpecialFunction::square_root: return std::sqrt(m);
    case SpecialFunction::ld: return std::log2(m);
    case SpecialFunction::none:
    case SpecialFunction::unsupported: break;
  }
  return std::nan("");
}

bool same_arbitrary(const Canonical& a, const Canonical& b) {
  if (a.arbitrary_count != b.arbitrary_count) return false;
  for (std::uint8_t i = 0; i < a.arbitrary_count; ++i)
    if (!(a.arbitrary[i] == b.arbitrary[i])) return false;
  return true;
}

struct MolarMass {
  double grams_per_mole = 0.0;  // 0: mass <-> substance not allowed
  int charge = 0;               // 0: eq <-> mol not allowed
};

Conversion convert_canonical(const detail::EssenceData& data, double value, const Canonical& from,
                             const Canonical& to, const MolarMass& molar) {
  if (from.special_misused || to.special_misused ||
      from.special == SpecialFunction::unsupported || to.special == SpecialFunction::unsupported)
    return {ConversionStatus::special_misused, 0.0};
  // §24-§25: arbitrary units compare only with expressions over the same arbitrary atoms.
  if (!same_arbitrary(from, to)) return {ConversionStatus::arbitrary, 0.0};

  // Dimensions must agree, except that with a molar mass a difference of g^k on the mass axis
  // is bridged by mol^k on the substance count (mg/dL -> mmol/L: k = 1).
  int mass_steps = 0;
  const std::size_t mass = molar.grams_per_mole > 0.0 ? data.mass_dimension : base_unit_count;
  for (std::size_t i = 0; i < base_unit_count; ++i) {
    const int difference = from.dimension[i] - to.dimension[i];
    if (difference == 0) continue;
    if (i != mass) return {ConversionStatus::not_commensurable, 0.0};
    mass_steps = difference;
  }
  if (mass_steps != 0 && (to.substance - from.substance != mass_steps || !(data.mol_magnitude > 0.0)))
    return {ConversionStatus::not_commensurable, 0.0};

  double factor = 1.0;
  if (mass_steps != 0) {
    // grams / (g/mol) = mol, and one mol is mol_magnitude in UCUM's canonical counts.
    factor *= std::pow(data.mol_magnitude / molar.grams_per_mole, mass_steps);
  }
  const int equivalent_steps = to.equivalents - from.equivalents;
  if (equivalent_steps != 0) {
    // UCUM defines eq = mol; chemically 1 mol of an ion of charge z is z eq.
    if (molar.charge <= 0) return {ConversionStatus::needs_charge, 0.0};
    factor *= std::pow(static_cast<double>(molar.charge), equivalent_steps);
  }

  if (from.is_special() || to.is_special()) {
    if (mass_steps != 0 || equivalent_steps != 0) return {ConversionStatus::not_commensurable, 0.0};
    if (from.special == to.special && from.special_unit_magnitude == to.special_unit_magnitude) {
      // Same special unit, different scale (Cel -> mCel, B -> dB): fs^-1 and fs cancel
      // (§22.4), leaving alpha_from / alpha_to, and no precision is lost in the round trip.
      return {ConversionStatus::ok, value * (from.magnitude / to.magnitude)};
    }
    const double canonical =
        from.is_special()
            ? special_to_canonical(from.special, from.magnitude * value, from.special_unit_magnitude)
            : value * from.magnitude;
    const double result =
        to.is_special()
            ? canonical_to_special(to.special, canonical, to.special_unit_magnitude) / to.magnitude
            : canonical / to.magnitude;
    if (!std::isfinite(result)) return {ConversionStatus::out_of_domain, 0.0};
    return {ConversionStatus::ok, result};
  }
  return {ConversionStatus::ok,
          value * (detail::snap_to_power_of_ten(from.magnitude / to.magnitude) * factor)};
}

Conversion convert_units(Ucum& ucum, double value, std::string_view from, std::string_view to,
                         const MolarMass& molar) {
  const ParseResult& source = ucum.lookup(from);
  if (!source) return {ConversionStatus::invalid_from, 0.0};
  const Canonical left = source.canonical();  // copy: the next lookup may reuse the scratch slot
  const ParseResult& target = ucum.lookup(to);
  if (!target) return {ConversionStatus::invalid_to, 0.0};
  return convert_canonical(ucum.essence().data(), value, left, target.canonical(), molar);
}

}  // namespace

std::string_view status_name(ConversionStatus status) {
  switch (status) {
    case ConversionStatus::ok: return "ok";
    case ConversionStatus::invalid_from: return "invalid-from";
    case ConversionStatus::invalid_to: return "invalid-to";
    case ConversionStatus::not_commensurable: return "not-commensurable";
    case ConversionStatus::arbitrary: return "arbitrary";
    case ConversionStatus::special_misused: return "special-misused";
    case ConversionStatus::needs_charge: return "needs-charge";
    case ConversionStatus::bad_molar_mass: return "bad-molar-mass";
    case ConversionStatus::out_of_domain: return "out-of-domain";
  }
  return "unknown";
}

Ucum::Ucum(std::shared_ptr<const Essence> essence, std::size_t cache_limit)
    : essence_(std::move(essence)), cache_limit_(cache_limit) {
  if (!essence_) throw config_error("UCUM: no essence loaded");
}

Ucum Ucum::from_file(const std::filesystem::path& path) { return Ucum(Essence::load_file(path)); }
Ucum Ucum::from_string(std::string_view xml) { return Ucum(Essence::load_string(xml)); }

const ParseResult& Ucum::lookup(std::string_view expression) {
  if (auto it = cache_.find(expression); it != cache_.end()) return it->second;
  ParseResult result = parse(*essence_, expression);
  if (cache_.size() < cache_limit_)
    return cache_.emplace(std::string(expression), std::move(result)).first->second;
  scratch_ = std::move(result);
  return scratch_;
}

Canonical Ucum::canonical(std::string_view expression) {
  const ParseResult& result = lookup(expression);
  if (!result) throw parse_error(result.error().message, result.error().position);
  return result.canonical();
}

bool Ucum::commensurable(std::string_view a, std::string_view b) {
  const ParseResult& first = lookup(a);
  if (!first) return false;
  const Canonical left = first.canonical();
  const ParseResult& second = lookup(b);
  return second && units::commensurable(left, second.canonical());
}

Conversion Ucum::convert(double value, std::string_view from, std::string_view to) {
  return convert_units(*this, value, from, to, MolarMass{});
}

Conversion Ucum::convert_with_molar_mass(double value, std::string_view from, std::string_view to,
                                         double grams_per_mole, int charge) {
  if (!(grams_per_mole > 0.0) || !std::isfinite(grams_per_mole) || charge < 0)
    return {ConversionStatus::bad_molar_mass, 0.0};
  return convert_units(*this, value, from, to, MolarMass{grams_per_mole, charge});
}

std::string Ucum::display_name(std::string_view expression) const {
  return units::display_name(*essence_, expression);
}

}  // namespace smx::units
