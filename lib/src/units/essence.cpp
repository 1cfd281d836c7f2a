// Loads ucum-essence.xml (UCUM 2.x) with pugixml and resolves every atom to canonical form.
// The essence defines some atoms in terms of atoms that come later in the file (v2.2: gon
// before deg, eV before [e]), so definitions are resolved recursively on demand, with a
// cycle check, not in file order.
#include "essence_data.hpp"

#include <smx/error.hpp>

#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace smx::units {

namespace detail {
namespace {

SpecialFunction function_named(std::string_view name) {
  if (name == "Cel") return SpecialFunction::celsius;
  if (name == "degF") return SpecialFunction::fahrenheit;
  if (name == "degRe") return SpecialFunction::reaumur;
  if (name == "tanTimes100" || name == "100tan") return SpecialFunction::tan_times_100;
  if (name == "hpX") return SpecialFunction::hp_x;
  if (name == "hpC") return SpecialFunction::hp_c;
  if (name == "hpM") return SpecialFunction::hp_m;
  if (name == "hpQ") return SpecialFunction::hp_q;
  if (name == "pH") return SpecialFunction::ph;
  if (name == "ln") return SpecialFunction::ln;
  if (name == "lg") return SpecialFunction::lg;
  if (name == "lgTimes2") return SpecialFunction::lg_times_2;
  if (name == "sqrt") return SpecialFunction::square_root;
  if (name == "ld") return SpecialFunction::ld;
  return SpecialFunction::unsupported;
}

bool parse_number(std::string_view text, double& value) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  const auto [stop, ec] = std::from_chars(begin, end, value);
  return ec == std::errc() && stop == end && std::isfinite(value);
}

class Loader final : public AtomResolver {
 public:
  Loader(EssenceData& data, std::string_view xml) : data_(data), xml_(xml) {}

  [[noreturn]] void fail(std::size_t offset, const std::string& message) const {
    const auto line = 1 + std::count(xml_.begin(), xml_.begin() + static_cast<std::ptrdiff_t>(
                                                           std::min(offset, xml_.size())),
                                     '\n');
    throw config_error(data_.origin + ":" + std::to_string(line) + ": " + message);
  }

  void load() {
    pugi::xml_document document;
    const pugi::xml_parse_result parsed =
        document.load_buffer(xml_.data(), xml_.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) fail(static_cast<std::size_t>(parsed.offset), std::string("XML: ") + parsed.description());
    const pugi::xml_node root = document.child("root");
    if (!root) fail(0, "no <root> element: not a UCUM essence file");
    data_.version = root.attribute("version").value();
    data_.revision_date = root.attribute("revision-date").value();

    std::size_t base_count = 0;
    for (const pugi::xml_node node : root.children()) {
      const std::string_view kind = node.name();
      const auto offset = static_cast<std::size_t>(node.offset_debug());
      if (kind == "prefix") {
        Prefix prefix;
        prefix.code = node.attribute("Code").value();
        prefix.name = node.child("name").child_value();
        if (prefix.code.empty()) fail(offset, "prefix without a Code");
        if (!parse_number(node.child("value").attribute("value").value(), prefix.value) ||
            !(prefix.value > 0))
          fail(offset, "prefix '" + prefix.code + "': bad value");
        data_.prefixes.push_back(std::move(prefix));
      } else if (kind == "base-unit" || kind == "unit") {
        Atom atom;
        atom.code = node.attribute("Code").value();
        atom.name = node.child("name").child_value();
        atom.source_offset = offset;
        if (atom.code.empty()) fail(offset, kind == "unit" ? "unit without a Code" : "base-unit without a Code");
        if (kind == "base-unit") {
          // §11.3: all base units are metric.
          if (base_count == base_unit_count)
            fail(offset, "more than " + std::to_string(base_unit_count) + " base units");
          atom.is_base = true;
          atom.is_metric = true;
          atom.canonical.dimension[base_count++] = 1;
        } else {
          atom.is_metric = std::string_view(node.attribute("isMetric").value()) == "yes";
          atom.is_special = std::string_view(node.attribute("isSpecial").value()) == "yes";
          atom.is_arbitrary = std::string_view(node.attribute("isArbitrary").value()) == "yes";
          const pugi::xml_node value = node.child("value");
          if (!value) fail(offset, "unit '" + atom.code + "' has no <value>");
          if (atom.is_special) {
            const pugi::xml_node function = value.child("function");
            if (!function) fail(offset, "special unit '" + atom.code + "' has no <function>");
            atom.function_name = function.attribute("name").value();
            atom.definition_unit = function.attribute("Unit").value();
            if (!parse_number(function.attribute("value").value(), atom.definition_value))
              fail(offset, "special unit '" + atom.code + "': bad function value");
          } else {
            atom.definition_unit = value.attribute("Unit").value();
            if (!parse_number(value.attribute("value").value(), atom.definition_value))
              fail(offset, "unit '" + atom.code + "': bad value '" +
                               value.attribute("value").value() + "'");
          }
        }
        data_.atoms.push_back(std::move(atom));
      }
    }
    if (base_count == 0) fail(0, "no base units");
    // Longest prefix first so that the first prefix that leaves a metric atom is the longest
    // one (§4.4); stable keeps file order among equals.
    std::stable_sort(data_.prefixes.begin(), data_.prefixes.end(),
                     [](const Prefix& a, const Prefix& b) { return a.code.size() > b.code.size(); });
    for (std::size_t i = 0; i < data_.atoms.size(); ++i) {
      if (!data_.atom_index.emplace(data_.atoms[i].code, i).second)
        fail(data_.atoms[i].source_offset, "unit '" + data_.atoms[i].code + "' is defined twice");
    }
    if (data_.atoms.size() > 0xFFFF) fail(0, "too many units");

    state_.assign(data_.atoms.size(), State::unresolved);
    for (std::size_t i = 0; i < data_.atoms.size(); ++i) {
      std::string why;
      if (!resolve(i, why)) fail(data_.atoms[i].source_offset, why);
    }
    if (const Atom* mol = data_.find_atom("mol")) {
      data_.mol_atom = static_cast<std::size_t>(mol - data_.atoms.data());
      data_.mol_magnitude = mol->canonical.magnitude;
    }
    if (const Atom* gram = data_.find_atom("g"); gram && gram->is_base) {
      for (std::size_t i = 0; i < base_unit_count; ++i)
        if (gram->canonical.dimension[i] == 1) data_.mass_dimension = i;
    }
  }

  const Canonical* resolve(std::size_t index, std::string& error) override {
    Atom& atom = data_.atoms[index];
    switch (state_[index]) {
      case State::resolved:
        return &atom.canonical;
      case State::resolving:
        error = "definition cycle through unit '" + atom.code + "'";
        return nullptr;
      case State::failed:
        error = "unit '" + atom.code + "' has a bad definition";
        return nullptr;
      case State::unresolved:
        break;
    }
    if (atom.is_base) {
      state_[index] = State::resolved;
      return &atom.canonical;
    }
    state_[index] = State::resolving;
    const ParseResult definition = parse_expression(data_, *this, atom.definition_unit, nullptr);
    if (!definition) {
      state_[index] = State::failed;
      error = "unit '" + atom.code + "': definition '" + atom.definition_unit +
              "': " + definition.error().message;
      return nullptr;
    }
    Canonical canonical = definition.canonical();
    if (canonical.is_special() || canonical.special_misused) {
      state_[index] = State::failed;
      error = "unit '" + atom.code + "' is defined through a special unit";
      return nullptr;
    }
    if (atom.is_special) {
      // §21.2, §23: the special unit corresponds to the proper unit value x Unit; its own
      // scale alpha starts at 1 and is multiplied by prefixes and factors where it is used.
      canonical.special = function_named(atom.function_name);
      canonical.special_unit_magnitude = atom.definition_value * canonical.magnitude;
      canonical.magnitude = 1.0;
    } else {
      canonical.magnitude *= atom.definition_value;
    }
    if (atom.is_arbitrary && canonical.arbitrary_count == 0) {
      // §24: an arbitrary unit has no relation to any other unit; it becomes its own
      // dimension. One defined through another arbitrary unit ([IU] = 1 [iU]) shares it.
      canonical.arbitrary_count = 1;
      canonical.arbitrary[0] = ArbitraryPower{static_cast<std::uint16_t>(index), 1};
    }
    // mol and eq are tracked apart from UCUM's dimensionless mol (see Canonical::substance).
    if (atom.code == "mol") canonical.substance = static_cast<std::int8_t>(canonical.substance + 1);
    if (atom.code == "eq") canonical.equivalents = static_cast<std::int8_t>(canonical.equivalents + 1);
    if (!std::isfinite(canonical.magnitude) || !std::isfinite(canonical.special_unit_magnitude)) {
      state_[index] = State::failed;
      error = "unit '" + atom.code + "': magnitude out of range";
      return nullptr;
    }
    atom.canonical = canonical;
    state_[index] = State::resolved;
    return &atom.canonical;
  }

 private:
  enum class State : std::uint8_t { unresolved, resolving, resolved, failed };
  EssenceData& data_;
  std::string_view xml_;
  std::vector<State> state_;
};

}  // namespace
}  // namespace detail

Essence::Essence(std::unique_ptr<detail::EssenceData> data) : data_(std::move(data)) {}
Essence::~Essence() = default;

std::shared_ptr<const Essence> Essence::load_string(std::string_view xml, std::string_view origin) {
  auto data = std::make_unique<detail::EssenceData>();
  data->origin = std::string(origin);
  detail::Loader(*data, xml).load();
  return std::shared_ptr<const Essence>(new Essence(std::move(data)));
}

std::shared_ptr<const Essence> Essence::load_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("cannot open " + path.string());
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw io_error("cannot read " + path.string());
  return load_string(content.str(), path.string());
}

std::string_view Essence::version() const { return data_->version; }
std::string_view Essence::revision_date() const { return data_->revision_date; }
std::size_t Essence::prefix_count() const { return data_->prefixes.size(); }
std::size_t Essence::atom_count() const { return data_->atoms.size(); }
bool Essence::has_atom(std::string_view code) const { return data_->find_atom(code) != nullptr; }

}  // namespace smx::units
