// Applying a profile to one message: the allow-list walk, by HL7 v2.5 data type.
#include "smx/deid.hpp"

#include "deid/internal.hpp"

namespace smx::deid {
namespace {

using TypeId = TypeTable::TypeId;

std::string field_name(std::string_view segment, int field) {
  return std::string(segment) + "-" + std::to_string(field);
}

// A segment ID fit for the audit: three of [A-Z0-9], else "???" (never text from the data).
std::string safe_segment_id(std::string_view id) {
  if (id.size() != 3) return "???";
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return "???";
  return std::string(id);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// Joins pieces with `separator`, leaving out trailing empty pieces.
std::string join(const std::vector<std::string>& pieces, char separator) {
  std::size_t used = pieces.size();
  while (used > 0 && pieces[used - 1].empty()) --used;
  std::string out;
  for (std::size_t i = 0; i < used; ++i) {
    if (i) out += separator;
    out += pieces[i];
  }
  return out;
}

bool contains(const std::vector<int>& list, int value) {
  for (int v : list)
    if (v == value) return true;
  return false;
}

}  // namespace

// One message being rewritten.
class MessageRewriter {
 public:
  MessageRewriter(const detail::DeidState& state, const hl7::Message& message, const PatientContext& patient)
      : state_(state), types_(state.types), profile_(state.profile), message_(message), patient_(patient),
        d_(message.delimiters()) {}

  DeidResult run();

 private:
  std::string rewrite_segment(std::size_t index, const SegmentRule& rule, std::string_view id);
  std::string rewrite_field(std::size_t segment, std::string_view id, int field, std::string_view raw,
                            const FieldRule& rule);
  std::string apply_rule(std::size_t segment, std::string_view raw, const FieldRule& rule, TypeId type);
  std::string keep(std::string_view raw, TypeId type, int level, std::optional<DatePrecision> precision = {});
  std::string keep_components(std::string_view raw, TypeId type, const std::vector<int>& components);
  std::string pseudonymize(std::string_view raw, TypeId type, const FieldRule& rule);
  std::string rewrite_identifier(std::string_view raw, TypeId type, const FieldRule& rule,
                                 const std::function<std::string(std::string_view)>& rewrite);
  std::string generalize(std::string_view raw, TypeId type, const FieldRule& rule);
  std::string birth_date(std::string_view raw, TypeId type);
  std::string observation_value(std::size_t segment, std::string_view raw, const FieldRule& rule);
  std::string date_leaf(std::string_view value, std::optional<DatePrecision> precision);
  TypeId first_leaf(TypeId type) const;
  void note(std::string_view what, std::uint64_t count = 1) {
    audit_.add(current_ + " " + std::string(what), criterion_, count);
  }

  const detail::DeidState& state_;
  const TypeTable& types_;
  const Profile& profile_;
  const hl7::Message& message_;
  const PatientContext& patient_;
  const hl7::Delimiters& d_;
  Audit audit_;
  std::string current_;    // "PID-7": the field being rewritten
  std::string criterion_;  // its rule's criterion
};

DeidResult MessageRewriter::run() {
  std::string out;
  out.reserve(message_.text().size());
  for (std::size_t i = 0; i < message_.segment_count(); ++i) {
    const std::string_view id = message_.segment_id(i);
    const auto it = profile_.segments.find(id);
    if (it == profile_.segments.end()) {
      audit_.add("segment " + safe_segment_id(id) + " unlisted, removed", profile_.unlisted_criterion);
      continue;
    }
    if (it->second.drop) {
      audit_.add("segment " + std::string(id) + " drop", it->second.criterion.empty() ? profile_.unlisted_criterion
                                                                                       : it->second.criterion);
      continue;
    }
    out += rewrite_segment(i, it->second, id);
    out += '\r';
  }
  return DeidResult{std::move(out), std::move(audit_)};
}

std::string MessageRewriter::rewrite_segment(std::size_t index, const SegmentRule& rule, std::string_view id) {
  const bool msh = id == "MSH";
  std::vector<std::string> fields;  // fields[n] is field n (0: unused; MSH-1 is the separator)
  // The segment split once (Message::field scans from the segment start on every call).
  const std::vector<std::string_view> pieces = split(message_.segment(index), d_.field);
  // pieces[0] is the ID; in MSH pieces[1] is MSH-2 (MSH-1 is the separator itself).
  const std::size_t count = msh ? pieces.size() : pieces.size() - 1;
  fields.resize(count + 1);
  for (std::size_t n = msh ? 3 : 1; n <= count; ++n) {
    const std::string_view raw = pieces[msh ? n - 1 : n];
    if (raw.empty()) continue;
    const auto rule_it = rule.fields.find(static_cast<int>(n));
    if (rule_it == rule.fields.end()) {
      audit_.add(field_name(id, static_cast<int>(n)) + " unlisted, removed", profile_.unlisted_criterion);
      continue;
    }
    fields[n] = rewrite_field(index, id, static_cast<int>(n), raw, rule_it->second);
  }
  std::size_t used = fields.size();
  while (used > (msh ? 3u : 1u) && fields[used - 1].empty()) --used;
  std::string out(id);
  if (msh) {
    out += d_.field;
    out += message_.field(index, 2);
  }
  for (std::size_t n = msh ? 3 : 1; n < used; ++n) {
    out += d_.field;
    out += fields[n];
  }
  return out;
}

std::string MessageRewriter::rewrite_field(std::size_t segment, std::string_view id, int field, std::string_view raw,
                                           const FieldRule& rule) {
  current_ = field_name(id, field);
  criterion_ = rule.criterion;
  const TypeId type = types_.field_type(id, static_cast<std::size_t>(field));
  if (rule.action == Action::drop) {
    audit_.add(rule.id, rule.criterion);
    return {};
  }
  std::vector<std::string> repetitions;
  for (std::string_view repetition : split(raw, d_.repetition)) {
    if (repetition.empty()) {
      repetitions.emplace_back();
      continue;
    }
    repetitions.push_back(apply_rule(segment, repetition, rule, type));
    audit_.add(rule.id, rule.criterion);
  }
  return join(repetitions, d_.repetition);
}

std::string MessageRewriter::apply_rule(std::size_t segment, std::string_view raw, const FieldRule& rule, TypeId type) {
  switch (rule.action) {
    case Action::keep:
    case Action::shift:
      if (type == types_.varies()) return observation_value(segment, raw, rule);
      return rule.components.empty() ? keep(raw, type, 0) : keep_components(raw, type, rule.components);
    case Action::drop: return {};
    case Action::pseudonymize: return pseudonymize(raw, type, rule);
    case Action::generalize: return generalize(raw, type, rule);
    case Action::hash: {
      const Digest mac = hmac_sha256(state_.subkey("hash:" + rule.purpose), raw);
      return hex(mac.data(), mac.size()).substr(0, static_cast<std::size_t>(rule.hash_length));
    }
  }
  return {};
}

TypeId MessageRewriter::first_leaf(TypeId type) const {
  for (int guard = 0; guard < 16 && type != TypeTable::kNone && !types_.is_primitive(type); ++guard)
    type = types_.components(type).front();
  return type;
}

std::string MessageRewriter::date_leaf(std::string_view value, std::optional<DatePrecision> precision) {
  if (profile_.dates == DatePolicy::keep && !precision) return std::string(value);
  if (!patient_.shift_days) {
    note("date removed (no patient shift)");
    return {};
  }
  const int by = profile_.dates == DatePolicy::keep ? 0 : *patient_.shift_days;
  const std::optional<std::string> shifted = shift_date_time(value, by);
  if (!shifted) {
    note("date unreadable, removed");
    return {};
  }
  DatePrecision p = profile_.dates == DatePolicy::shift_year    ? DatePrecision::year
                    : profile_.dates == DatePolicy::shift_month ? DatePrecision::month
                                                                : DatePrecision::full;
  if (precision && *precision < p) p = *precision;
  note(profile_.dates == DatePolicy::keep ? "date kept" : "date shifted");
  return std::string(truncate_date_time(*shifted, p));
}

// Keeps a value of `type` at `level` (0 repetition, 1 component, 2 subcomponent) with its date
// leaves rewritten; pieces beyond the data type's components are removed.
std::string MessageRewriter::keep(std::string_view raw, TypeId type, int level, std::optional<DatePrecision> precision) {
  if (raw.empty()) return {};
  if (type == TypeTable::kNone) {
    note("piece beyond the data type, removed");
    return {};
  }
  if (types_.is_primitive(type) || level == 2) {
    // A primitive has no components: separators in it start pieces the data type does not have
    // (HL7 escapes separators in data as \S\ \T\), which go like any unnamed piece.
    std::string_view value = raw;
    const std::size_t cut = level == 0 ? raw.find_first_of(std::string{d_.component, d_.subcomponent})
                            : level == 1 ? raw.find(d_.subcomponent)
                                         : std::string_view::npos;
    if (cut != std::string_view::npos) {
      value = raw.substr(0, cut);
      note("piece beyond the data type, removed");
    }
    const TypeId leaf = first_leaf(type);
    if (types_.is_date(leaf)) return value.empty() ? std::string() : date_leaf(value, precision);
    return std::string(value);
  }
  const char separator = level == 0 ? d_.component : d_.subcomponent;
  const auto& components = types_.components(type);
  std::vector<std::string> pieces;
  const auto parts = split(raw, separator);
  for (std::size_t k = 0; k < parts.size(); ++k)
    pieces.push_back(keep(parts[k], k < components.size() ? components[k] : TypeTable::kNone, level + 1, precision));
  return join(pieces, separator);
}

std::string MessageRewriter::keep_components(std::string_view raw, TypeId type, const std::vector<int>& components) {
  const auto parts = split(raw, d_.component);
  const auto& types = types_.components(type);
  std::vector<std::string> pieces;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (!contains(components, static_cast<int>(k) + 1)) {
      if (!parts[k].empty()) note("component not kept, removed");
      pieces.emplace_back();
      continue;
    }
    pieces.push_back(keep(parts[k], k < types.size() ? types[k] : TypeTable::kNone, 1));
  }
  return join(pieces, d_.component);
}

// Rewrites the identifier of a value (a primitive as a whole; component 1 of CX, XCN, EI, CE...;
// subcomponent 1 of EIP's two EIs) with `rewrite`; the rule's listed components are kept, the
// others removed.
std::string MessageRewriter::rewrite_identifier(std::string_view raw, TypeId type, const FieldRule& rule,
                                                const std::function<std::string(std::string_view)>& rewrite) {
  if (types_.is_primitive(type)) return rewrite(hl7::decoded(raw, d_));
  const bool eip = types_.name(type) == "EIP";
  const auto parts = split(raw, d_.component);
  const auto& component_types = types_.components(type);
  std::vector<std::string> pieces;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const int number = static_cast<int>(k) + 1;
    if (eip && k < 2) {
      const auto subs = split(parts[k], d_.subcomponent);
      if (subs.size() > 1) note("component not kept, removed");
      pieces.push_back(subs[0].empty() ? std::string() : rewrite(hl7::decoded(subs[0], d_)));
    } else if (number == 1 && !eip) {
      pieces.push_back(parts[k].empty() ? std::string() : rewrite(hl7::decoded(parts[k], d_)));
    } else if (contains(rule.components, number)) {
      pieces.push_back(keep(parts[k], k < component_types.size() ? component_types[k] : TypeTable::kNone, 1));
    } else {
      if (!parts[k].empty()) note("component not kept, removed");
      pieces.emplace_back();
    }
  }
  return join(pieces, d_.component);
}

std::string MessageRewriter::pseudonymize(std::string_view raw, TypeId type, const FieldRule& rule) {
  return rewrite_identifier(raw, type, rule, [&](std::string_view value) {
    return state_.pseudonym(rule.purpose, value).text;
  });
}

std::string MessageRewriter::generalize(std::string_view raw, TypeId type, const FieldRule& rule) {
  switch (rule.generalization) {
    case Generalization::birth_date: return birth_date(raw, type);
    case Generalization::year: return keep(raw, type, 0, DatePrecision::year);
    case Generalization::year_month: return keep(raw, type, 0, DatePrecision::month);
    case Generalization::postal3: {
      const auto postal = [&](std::string_view value) {
        std::optional<std::string> prefix = postal_prefix(value);
        if (!prefix) note("postal code unreadable, removed");
        return prefix.value_or(std::string());
      };
      if (types_.is_primitive(type)) return postal(hl7::decoded(raw, d_));
      // XAD: component 5 is the postal code; the listed components are kept.
      const auto parts = split(raw, d_.component);
      const auto& component_types = types_.components(type);
      std::vector<std::string> pieces;
      for (std::size_t k = 0; k < parts.size(); ++k) {
        const int number = static_cast<int>(k) + 1;
        if (number == 5) pieces.push_back(parts[k].empty() ? std::string() : postal(hl7::decoded(parts[k], d_)));
        else if (contains(rule.components, number))
          pieces.push_back(keep(parts[k], k < component_types.size() ? component_types[k] : TypeTable::kNone, 1));
        else {
          if (!parts[k].empty()) note("component not kept, removed");
          pieces.emplace_back();
        }
      }
      return join(pieces, d_.component);
    }
    case Generalization::masked:
      // A field the message type requires (PID-5 of OML-11) stays present without content: a
      // value becomes "*", which carries nothing; absent stays absent.
      return raw.empty() ? std::string() : std::string("*");
    case Generalization::insurer_houbetsu:
      return rewrite_identifier(raw, type, rule, [&](std::string_view value) {
        std::optional<std::string> code = insurer_houbetsu(value);
        if (!code) note("insurer number without 法別番号, removed");
        return code.value_or(std::string());
      });
  }
  return {};
}

// The birth date: shifted with the patient, cut to the profile's precision, top-coded at the
// profile's age against this message's own date (MSH-7, before shifting both).
std::string MessageRewriter::birth_date(std::string_view raw, TypeId type) {
  std::string_view value = raw;
  if (!types_.is_primitive(type)) {
    value = raw.substr(0, raw.find(d_.component));
    if (value.size() < raw.size()) note("component not kept, removed");
  }
  const BirthPolicy& birth = profile_.birth;
  if (birth.top_code_age > 0) {
    const std::size_t msh = message_.find_segment("MSH");
    std::string_view reference = msh == hl7::Message::npos ? std::string_view{} : message_.field(msh, 7);
    reference = reference.substr(0, reference.find(d_.component));
    const std::optional<int> age = age_at(value, reference);
    if (!age) {
      note("birth date removed (no readable birth or message date to top-code against)");
      return {};
    }
    if (*age >= birth.top_code_age) {
      if (birth.over_age == BirthPolicy::OverAge::drop || !patient_.shift_days) {
        note("birth date at or over the top-coding age, removed");
        return {};
      }
      // Cap: the birth date that makes the patient exactly top_code_age at the (shifted) message date.
      std::optional<std::string> ref = shift_date_time(reference.substr(0, std::min<std::size_t>(8, reference.size())),
                                                       profile_.dates == DatePolicy::keep ? 0 : *patient_.shift_days);
      if (!ref || ref->size() < 4) {
        note("birth date removed (no readable message date)");
        return {};
      }
      const int year = std::stoi(ref->substr(0, 4)) - birth.top_code_age;
      std::string capped = std::to_string(year);
      while (capped.size() < 4) capped.insert(capped.begin(), '0');
      if (ref->size() >= 6 && birth.precision != DatePrecision::year) capped += ref->substr(4, 2);
      note("birth date top-coded");
      return capped;
    }
  }
  return date_leaf(value, birth.precision);
}

// OBX-5: what happens depends on the value type in OBX-2 of the same segment.
std::string MessageRewriter::observation_value(std::size_t segment, std::string_view raw, const FieldRule& rule) {
  std::string_view value_type = message_.field(segment, 2);
  value_type = value_type.substr(0, value_type.find(d_.component));
  while (!value_type.empty() && value_type.back() == ' ') value_type.remove_suffix(1);
  const TypeId type = types_.find(value_type);
  const std::string label = type == TypeTable::kNone ? "unknown" : std::string(value_type);
  for (const auto& [name, action] : rule.value_types) {
    if (name != value_type) continue;
    switch (action) {
      case ValueTypeAction::keep: return keep(raw, type, 0);
      case ValueTypeAction::drop: note("value type " + label + " drop"); return {};
      case ValueTypeAction::lab_text:
        if (is_lab_text(hl7::decoded(raw, d_), profile_.lab_text_words)) return std::string(raw);
        note("value type " + label + " not a lab result, removed");
        return {};
    }
  }
  note("value type " + label + " unlisted, removed");
  return {};
}

namespace detail {

DeidResult apply_profile(const DeidState& state, const hl7::Message& message, const PatientContext& patient) {
  return MessageRewriter(state, message, patient).run();
}

}  // namespace detail
}  // namespace smx::deid
