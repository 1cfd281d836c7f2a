// Escape sequences, HL7 v2.5 §2.7: delimiter escapes, hex data, formatted-text commands and
// character-set switches. Decoding never guesses: what we do not know stays verbatim and is
// reported.
#include <cstring>

#include "smx/charset.hpp"
#include "smx/hl7.hpp"

namespace smx::hl7 {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool all_hex(std::string_view s) {
  for (char c : s)
    if (hex_value(c) < 0) return false;
  return !s.empty();
}

void report(std::vector<EscapeProblem>* problems, std::size_t offset, const char* code, std::string text) {
  if (problems) problems->push_back(EscapeProblem{offset, code, std::move(text)});
}

}  // namespace

// Over 100 lines on purpose: one pass with one branch per escape sequence of HL7 v2.5 §2.7
// (\F\ \S\ \T\ \R\ \E\ \P\ \H\ \N\ \Xhh\ \.br\ \Cxxyy\ \Mxxyyzz\ \Z..\), each a few lines,
// sharing the position, the pending ISO 2022 fragment and the problem list.
void unescape(std::string_view raw, const Delimiters& d, std::string& out, std::vector<EscapeProblem>* problems) {
  const char esc = d.escape;
  std::size_t i = 0;
  // Inside \Cxxyy\ or \Mxxyyzz\ (ISO 2022 switch to a non-ASCII set) text is collected and
  // decoded when the set ends.
  std::string charset_escape;
  std::size_t charset_start = 0;
  std::string fragment;
  auto literal = [&](std::string_view s) {
    if (charset_escape.empty())
      out.append(s);
    else
      fragment.append(s);
  };
  auto end_charset = [&](std::size_t at) {
    if (charset_escape.empty()) return;
    if (!iso2022_fragment_to_utf8(charset_escape, fragment, out)) {
      report(problems, charset_start, "HL7-ESCAPE-CHARSET",
             "character set switch \\" + std::string(1, charset_escape.size() == 4 ? 'C' : 'M') + charset_escape +
                 "\\ could not be decoded; kept verbatim");
      out.append(raw.substr(charset_start, at - charset_start));
    }
    charset_escape.clear();
    fragment.clear();
  };
  while (i < raw.size()) {
    const void* found = std::memchr(raw.data() + i, esc, raw.size() - i);
    if (!found) {
      literal(raw.substr(i));
      break;
    }
    std::size_t e = static_cast<std::size_t>(static_cast<const char*>(found) - raw.data());
    literal(raw.substr(i, e - i));
    const void* closing = std::memchr(raw.data() + e + 1, esc, raw.size() - e - 1);
    if (!closing) {
      report(problems, e, "HL7-ESCAPE-UNTERMINATED", "escape sequence without closing escape character; kept verbatim");
      literal(raw.substr(e));
      break;
    }
    std::size_t c = static_cast<std::size_t>(static_cast<const char*>(closing) - raw.data());
    std::string_view seq = raw.substr(e + 1, c - e - 1);
    std::string_view whole = raw.substr(e, c - e + 1);
    i = c + 1;
    if (seq.size() == 1) {
      switch (seq[0]) {
        case 'F': literal(std::string_view(&d.field, 1)); continue;
        case 'S': literal(std::string_view(&d.component, 1)); continue;
        case 'T': literal(std::string_view(&d.subcomponent, 1)); continue;
        case 'R': literal(std::string_view(&d.repetition, 1)); continue;
        case 'E': literal(std::string_view(&d.escape, 1)); continue;
        case 'P':
          if (d.truncation) {
            literal(std::string_view(&d.truncation, 1));
            continue;
          }
          break;
        case 'H':
        case 'N':
          continue;  // highlighting on/off: formatting, no text
        default:
          break;
      }
    }
    if (seq.size() >= 3 && seq[0] == 'X' && (seq.size() - 1) % 2 == 0 && all_hex(seq.substr(1))) {
      std::string bytes;
      for (std::size_t k = 1; k + 1 < seq.size(); k += 2)
        bytes.push_back(static_cast<char>(hex_value(seq[k]) * 16 + hex_value(seq[k + 1])));
      if (is_valid_utf8(bytes)) {
        literal(bytes);
      } else {
        report(problems, e, "HL7-ESCAPE-HEX", "hex escape is not valid UTF-8 text; kept verbatim");
        literal(whole);
      }
      continue;
    }
    if (seq.size() >= 1 && seq[0] == '.') {
      std::string_view cmd = seq.substr(1);
      if (cmd == "br") {
        literal("\n");
        continue;
      }
      if (cmd.substr(0, 2) == "sp") {
        std::string_view n = cmd.substr(2);
        while (!n.empty() && n[0] == ' ') n.remove_prefix(1);
        int count = n.empty() ? 1 : 0;
        for (char ch : n) count = (ch >= '0' && ch <= '9' && count < 100) ? count * 10 + (ch - '0') : count;
        for (int k = 0; k < count; ++k) literal("\n");
        continue;
      }
      // Other formatted-text commands change layout only (HL7 v2.5 §2.7.6).
      if (cmd == "fi" || cmd == "nf" || cmd == "ce" || cmd.substr(0, 2) == "in" || cmd.substr(0, 2) == "ti" ||
          cmd.substr(0, 2) == "sk")
        continue;
    }
    if ((seq.size() == 5 && seq[0] == 'C' && all_hex(seq.substr(1))) ||
        ((seq.size() == 5 || seq.size() == 7) && seq[0] == 'M' && all_hex(seq.substr(1)))) {
      end_charset(e);
      std::string_view hex = seq.substr(1);
      // ESC ( B and ESC ( J switch back to ASCII (JIS-Roman is read as ASCII, see charset.hpp).
      if (hex == "2842" || hex == "284A" || hex == "284a") continue;
      charset_escape.assign(hex);
      charset_start = e;
      continue;
    }
    if (!seq.empty() && seq[0] == 'Z') {
      report(problems, e, "HL7-ESCAPE-LOCAL", "locally defined escape sequence; kept verbatim");
      literal(whole);
      continue;
    }
    report(problems, e, "HL7-ESCAPE-UNKNOWN", "unknown escape sequence; kept verbatim");
    literal(whole);
  }
  end_charset(raw.size());
}

std::string decoded(std::string_view raw, const Delimiters& d) {
  std::string out;
  if (has_escape(raw, d))
    unescape(raw, d, out, nullptr);
  else
    out.assign(raw);
  return out;
}

std::string escaped(std::string_view text, const Delimiters& d) {
  std::string out;
  escape(text, d, out);
  return out;
}

void escape(std::string_view text, const Delimiters& d, std::string& out) {
  for (char c : text) {
    if (c == d.escape) out.append({d.escape, 'E', d.escape});
    else if (c == d.field) out.append({d.escape, 'F', d.escape});
    else if (c == d.component) out.append({d.escape, 'S', d.escape});
    else if (c == d.subcomponent) out.append({d.escape, 'T', d.escape});
    else if (c == d.repetition) out.append({d.escape, 'R', d.escape});
    else if (d.truncation && c == d.truncation) out.append({d.escape, 'P', d.escape});
    // \.br\ is the usual line break, but with '.' as the escape character "..br." would read
    // as an empty escape: use the hex form then (found by fuzz_message).
    else if (c == '\n' && d.escape != '.') out.append({d.escape, '.', 'b', 'r', d.escape});
    else if (c == '\n') out.append({d.escape, 'X', '0', 'A', d.escape});
    else if (c == '\r') out.append({d.escape, 'X', '0', 'D', d.escape});
    else out.push_back(c);
  }
}

}  // namespace smx::hl7
