// UCUM engine: loads the official definitions (units/ucum-essence.xml), parses case-sensitive
// UCUM expressions, reduces them to a canonical form (magnitude x powers of the 7 base units)
// and converts values between commensurable units.
//
// Hot path: `Ucum::convert` looks both expressions up in a per-object cache, so a repeated
// conversion costs two hash look-ups and a multiplication. A `Ucum` is NOT thread-safe (the
// cache is mutable): give each worker thread its own copy; copies share the loaded Essence,
// which is immutable.
//
// Deliberate choices, each documented where it applies:
// - Arbitrary units (UCUM §24) convert only to expressions over the same arbitrary atoms
//   (`[IU]/L` -> `m[IU]/mL` is allowed, `[IU]` -> `U` is refused).
// - `eq` and `mol` are commensurable in UCUM (eq is defined as 1 mol), but the factor is the
//   ion's charge: `convert` refuses eq <-> mol; `convert_with_molar_mass` takes the charge.
// - Mass <-> substance (g <-> mol) is never done by `convert`; only by
//   `convert_with_molar_mass`, which the analyte table calls with a molar mass.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace smx::units {

// Exponents of the base units in the order the essence declares them
// (m, s, g, rad, K, C, cd in UCUM 2.2).
inline constexpr std::size_t base_unit_count = 7;
using Dimension = std::array<std::int8_t, base_unit_count>;

// Conversion functions of special units (UCUM §21-§23), named after the essence's
// <function name=...>.
enum class SpecialFunction : std::uint8_t {
  none,
  celsius,        // Cel
  fahrenheit,     // degF
  reaumur,        // degRe
  tan_times_100,  // tanTimes100 ([p'diop]) and 100tan (%[slope])
  hp_x,           // homeopathic decimal potency, -lg
  hp_c,           // centesimal, -ln / ln 100
  hp_m,           // millesimal, -ln / ln 1000
  hp_q,           // quintamillesimal, -ln / ln 50000
  ph,             // pH, -lg
  ln,             // neper
  lg,             // bel
  lg_times_2,     // bel of field quantities (B[SPL], B[V], ...)
  square_root,    // [m/s2/Hz^(1/2)]
  ld,             // bit_s, log2
  unsupported,    // a function this engine does not know: parses, never converts
};

struct ArbitraryPower {
  std::uint16_t atom = 0;  // index of the arbitrary root atom in the essence
  std::int8_t exponent = 0;
  friend bool operator==(const ArbitraryPower&, const ArbitraryPower&) = default;
};

// The meaning of a unit expression. Trivially copyable.
struct Canonical {
  // Proper units: size of one unit in base units. Special units: the scale factor alpha of
  // UCUM §22.4 (prefix and numeric factors), the function is applied on top of it.
  double magnitude = 1.0;
  Dimension dimension{};
  // UCUM makes mol dimensionless (6.02214076e23); these count mol and eq atoms so that
  // mass <-> substance and eq <-> mol conversions can be recognised and guarded.
  std::int8_t substance = 0;
  std::int8_t equivalents = 0;
  std::uint8_t arbitrary_count = 0;
  std::array<ArbitraryPower, 4> arbitrary{};  // sorted by atom; at most 4 distinct atoms
  SpecialFunction special = SpecialFunction::none;
  // A special unit used inside a term (Cel/h, Cel2, /Cel): valid UCUM syntax, but UCUM §22.1
  // gives it no algebra, so it is never converted.
  bool special_misused = false;
  // Special units: magnitude of the corresponding proper unit (function value x Unit).
  double special_unit_magnitude = 1.0;

  bool is_special() const { return special != SpecialFunction::none; }
  bool is_arbitrary() const { return arbitrary_count != 0; }
  bool is_dimensionless() const;
};

// Same dimension and same arbitrary atoms (UCUM §§18-20, §24); special units are commensurable
// with their corresponding proper unit (§21.3). Ignores substance/equivalents counts, as UCUM does.
bool commensurable(const Canonical& a, const Canonical& b);
// Product and quotient of proper units (special units give special_misused).
Canonical multiply(const Canonical& a, const Canonical& b);
Canonical divide(const Canonical& a, const Canonical& b);

enum class ParseErrc : std::uint8_t {
  empty,                 // "" is not a unit expression (callers decide what a missing unit means)
  too_long,              // longer than max_expression_length
  non_ascii,             // §3.1: 7-bit ASCII only
  whitespace,            // §3: blanks are not part of a term
  unexpected_character,  // a character that can not start or continue anything here
  unknown_unit,          // symbol is neither an atom nor prefix + metric atom (§4)
  missing_operator,      // two components side by side without '.' or '/' (§7.2)
  missing_operand,       // operator or '(' not followed by a component, or trailing operator
  unbalanced,            // '(' without ')', ')' without '(', '[' or '{' not closed
  bad_annotation,        // §6: annotation characters 33-126, no nesting
  bad_exponent,          // exponent out of range
  too_deep,              // parentheses nested deeper than max_nesting
  out_of_range,          // magnitude overflows a double, or a dimension exponent overflows
  too_many_arbitrary,    // more than 4 distinct arbitrary atoms in one expression
};
std::string_view errc_name(ParseErrc code);

struct ParseError {
  ParseErrc code = ParseErrc::empty;
  std::uint32_t position = 0;  // byte offset into the expression
  std::string message;         // human readable, names the offending symbol
};

inline constexpr std::size_t max_expression_length = 512;
inline constexpr int max_nesting = 32;

// Either a canonical form or a parse error.
class ParseResult {
 public:
  ParseResult() = default;
  explicit ParseResult(const Canonical& canonical) : ok_(true), canonical_(canonical) {}
  explicit ParseResult(ParseError error) : ok_(false), error_(std::move(error)) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Canonical& canonical() const { return canonical_; }  // meaningful when ok()
  const ParseError& error() const { return error_; }          // meaningful when !ok()

 private:
  bool ok_ = false;
  Canonical canonical_{};
  ParseError error_{};
};

enum class ConversionStatus : std::uint8_t {
  ok,
  invalid_from,        // the source expression does not parse
  invalid_to,          // the target expression does not parse
  not_commensurable,   // different dimensions (e.g. g -> L), or mass <-> substance without molar mass
  arbitrary,           // arbitrary units with different atoms, or arbitrary <-> proper (§24-§25)
  special_misused,     // a special unit inside a term (§22.1), or an unsupported special function
  needs_charge,        // eq <-> mol: the factor is the charge of the ion
  bad_molar_mass,      // molar mass not finite and > 0, or charge < 0
  out_of_domain,       // the value is outside a special function's domain (pH of a negative amount)
};
std::string_view status_name(ConversionStatus status);

struct Conversion {
  ConversionStatus status = ConversionStatus::ok;
  double value = 0.0;
  bool ok() const { return status == ConversionStatus::ok; }
  explicit operator bool() const { return ok(); }
};

namespace detail {
struct EssenceData;
}

// The loaded definitions: prefixes, base units, defined, special and arbitrary atoms, every
// definition resolved to canonical form at load time (in any order: forward references
// are followed recursively, cycles are reported). Immutable after loading.
class Essence {
 public:
  // Throws smx::io_error when the file can not be read, smx::config_error
  // ("ORIGIN:LINE: ...") when the XML or a definition is wrong.
  static std::shared_ptr<const Essence> load_file(const std::filesystem::path& path);
  static std::shared_ptr<const Essence> load_string(std::string_view xml,
                                                    std::string_view origin = "<memory>");
  ~Essence();

  std::string_view version() const;        // root/@version, e.g. "2.2"
  std::string_view revision_date() const;  // root/@revision-date
  std::size_t prefix_count() const;
  std::size_t atom_count() const;  // base units + units
  bool has_atom(std::string_view code) const;

  const detail::EssenceData& data() const { return *data_; }

 private:
  explicit Essence(std::unique_ptr<detail::EssenceData> data);
  std::unique_ptr<detail::EssenceData> data_;
};

// Parses without caching (for the essence loader, tests, fuzzers).
ParseResult parse(const Essence& essence, std::string_view expression);
// The unit symbols of an expression in written order: prefix code ("" for none), atom code and
// exponent (negative under a division) of every simple unit (annotations and numbers such as 10*3 are not listed; the
// number atom 10* is). Empty when the expression does not parse. Used to judge whether a valid
// UCUM spelling is also a plausible lab unit (smx::lab::resolve_unit).
struct Symbol {
  std::string prefix;
  std::string atom;
  int exponent = 1;
};
std::vector<Symbol> symbols(const Essence& essence, std::string_view expression);
// Long form in the style of the UCUM functional tests: "(milligram) / (deciliter)".
// An empty expression gives "(unity)". Throws smx::parse_error on a bad expression.
std::string display_name(const Essence& essence, std::string_view expression);

class Ucum {
 public:
  // Parsed expressions (valid or not) are cached up to cache_limit entries; past that, new
  // expressions are parsed on every call (memory stays bounded whatever the input).
  explicit Ucum(std::shared_ptr<const Essence> essence, std::size_t cache_limit = 65536);
  static Ucum from_file(const std::filesystem::path& path);
  static Ucum from_string(std::string_view xml);

  // Cached parse. The reference stays valid until the next call on this object.
  const ParseResult& lookup(std::string_view expression);
  bool valid(std::string_view expression) { return lookup(expression).ok(); }
  // Throws smx::parse_error (with the byte position) on a bad expression.
  Canonical canonical(std::string_view expression);
  bool commensurable(std::string_view a, std::string_view b);

  // value in `from` expressed in `to`. Proper units scale; special units (Cel, [degF],
  // [degRe], [pH], B, Np, ...) go through their functions (§21-§22); arbitrary units convert
  // only between expressions over the same arbitrary atoms.
  Conversion convert(double value, std::string_view from, std::string_view to);
  // As convert, and additionally allows mass <-> substance (g <-> mol, any prefixes and
  // per-volume etc. around them) by grams_per_mole, and eq <-> mol by charge (0 = unknown:
  // refused with needs_charge when eq and mol differ).
  Conversion convert_with_molar_mass(double value, std::string_view from, std::string_view to,
                                     double grams_per_mole, int charge = 0);

  std::string display_name(std::string_view expression) const;

  const Essence& essence() const { return *essence_; }
  std::size_t cache_size() const { return cache_.size(); }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::shared_ptr<const Essence> essence_;
  std::size_t cache_limit_;
  std::unordered_map<std::string, ParseResult, StringHash, std::equal_to<>> cache_;
  ParseResult scratch_;  // holds an uncached result when the cache is full
};

}  // namespace smx::units
