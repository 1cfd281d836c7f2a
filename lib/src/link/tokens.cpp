// Keyed deterministic tokens (ID1-style, ID2-style, blocking) and the normalization of a whole
// person. The byte layout is the contract another implementation must reproduce:
//   sub-key  = HKDF-SHA256(IKM = master key, salt = none, info = "smx-link/1 " + purpose, L = 32)
//   token    = lowercase hex of HMAC-SHA256(sub-key, f1 0x1F f2 0x1F … fn)
// with every field f the UTF-8 of its normalized value (smx-link(1) TOKENS).
#include "link/internal.hpp"

#include <smx/link.hpp>

namespace smx::link {

namespace {

Bytes sub_key(std::span<const std::uint8_t> master, std::string_view purpose) {
  const std::string info = "smx-link/1 " + std::string(purpose);
  return hkdf(master, {}, bytes_of(info), 32, "SHA256");
}

std::string token(const Bytes& key, std::initializer_list<std::string_view> fields) {
  std::string message;
  bool first = true;
  for (std::string_view field : fields) {
    if (!first) message.push_back(detail::unit_separator);
    message.append(field);
    first = false;
  }
  return to_hex(hmac_sha256(key, message));
}

void warn(DiagnosticSink& sink, const Location& where, std::string code, std::string text,
          std::string hl7_path) {
  Diagnostic d;
  d.severity = Severity::warning;
  d.code = std::move(code);
  d.where = where;
  d.where.hl7_path = std::move(hl7_path);
  d.text = std::move(text);
  sink.report(std::move(d));
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

}  // namespace

TokenKeys::TokenKeys(std::span<const std::uint8_t> master_key)
    : id1_(sub_key(master_key, "id1")),
      id2_(sub_key(master_key, "id2")),
      block_(sub_key(master_key, "block")),
      bloom_(sub_key(master_key, "bloom")) {}

std::optional<std::string> id2_token(const TokenKeys& keys, const NormalizedPerson& p) {
  if (p.kana_name.empty() || p.birth_date.empty() || p.sex.empty()) return std::nullopt;
  return token(keys.id2(), {p.kana_name, p.birth_date, p.sex});
}

std::optional<std::string> id1_token(const TokenKeys& keys, const NormalizedPerson& p, bool with_branch) {
  if (p.insurer_number.empty() || p.card_number.empty() || p.birth_date.empty() || p.sex.empty())
    return std::nullopt;
  if (with_branch) {
    if (p.card_branch.empty()) return std::nullopt;
    return token(keys.id1(), {p.insurer_number, p.card_symbol, p.card_number, p.card_branch,
                              p.birth_date, p.sex});
  }
  return token(keys.id1(), {p.insurer_number, p.card_symbol, p.card_number, p.birth_date, p.sex});
}

std::optional<std::string> date_block_token(const TokenKeys& keys, const NormalizedPerson& p) {
  if (p.birth_date.size() != 8 || p.sex.empty()) return std::nullopt;
  return token(keys.block(), {"date", p.birth_date, p.sex});
}

std::optional<std::string> name_block_token(const TokenKeys& keys, const NormalizedPerson& p) {
  if (p.birth_date.size() != 8 || p.kana_family.empty()) return std::nullopt;
  return token(keys.block(), {"name", p.kana_family, std::string_view(p.birth_date).substr(0, 4)});
}

std::optional<std::string> block_token(const TokenKeys& keys, const NormalizedPerson& p) {
  if (p.birth_date.size() != 8 || p.sex.empty()) return std::nullopt;
  return token(keys.block(), {std::string_view(p.birth_date).substr(0, 4), p.sex});
}

NormalizedPerson normalize_person(const Normalizer& n, const Person& person, const Location& where,
                                  DiagnosticSink& sink) {
  NormalizedPerson out;
  out.kana_family = n.name(person.kana_family);
  out.kana_given = n.name(person.kana_given);
  out.kanji_family = n.name(person.kanji_family);
  out.kanji_given = n.name(person.kanji_given);
  // The split between family and given names differs between registers; the whole name is
  // compared, so only their concatenation goes into the ID2 token.
  out.kana_name = out.kana_family + out.kana_given;
  out.kanji_name = out.kanji_family + out.kanji_given;

  const DateResult date = n.birth_date(person.birth_date);
  if (date.problem == DateProblem::none) {
    out.birth_date = date.value;
  } else if (date.problem != DateProblem::empty) {
    warn(sink, where, std::string(date_problem_code(date.problem)),
         "birth date not understood as a Gregorian or 和暦 date; left out of tokens and filters",
         "PID-7");
  }

  out.sex = n.sex(person.sex);
  if (out.sex.empty() && !n.name(person.sex).empty())
    warn(sink, where, "LINK-SEX-UNKNOWN", "administrative sex is not M, F or O (HL7 0001) nor 1/2 (ISO/IEC 5218); left out",
         "PID-8");

  out.postal_code = n.postal_code(person.postal_code);
  out.insurer_number = n.number(person.insurer_number);
  // 保険者番号: 6 digits (国民健康保険) or 8 digits (法別番号 + 都道府県 + 保険者 + 検証番号).
  if (!out.insurer_number.empty() &&
      (!all_digits(out.insurer_number) || (out.insurer_number.size() != 6 && out.insurer_number.size() != 8)))
    warn(sink, where, "LINK-INSURER-SHAPE", "insurer number is not 6 or 8 digits after normalization; used as it is",
         "");
  out.card_symbol = n.symbol(person.card_symbol);
  out.card_number = n.symbol(person.card_number);
  out.card_branch = n.number(person.card_branch);
  return out;
}

}  // namespace smx::link
