// JSON output helpers for the smx stream (RFC 8259 strings; base64 per RFC 4648 §4).
#include <array>

#include "smx/stream.hpp"

namespace smx {
namespace {

// 0 = copy as is; otherwise the character after the backslash ('u' = \u00XX).
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['"'] = '"';
  t['\\'] = '\\';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  return t;
}
constexpr auto kEscape = make_escape_table();

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char e = kEscape[static_cast<unsigned char>(s[i])];
    if (e == 0) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    out.push_back(e);
    if (e == 'u') {
      static const char* hex = "0123456789abcdef";
      unsigned char c = static_cast<unsigned char>(s[i]);
      out.append("00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_base64(std::string& out, std::string_view bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = (b(i) << 16) | (b(i + 1) << 8) | b(i + 2);
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    out.push_back(table[(v >> 6) & 63]);
    out.push_back(table[v & 63]);
  }
  if (bytes.size() - i == 1) {
    unsigned v = b(i) << 16;
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    out.append("==");
  } else if (bytes.size() - i == 2) {
    unsigned v = (b(i) << 16) | (b(i + 1) << 8);
    out.push_back(table[(v >> 18) & 63]);
    out.push_back(table[(v >> 12) & 63]);
    out.push_back(table[(v >> 6) & 63]);
    out.push_back('=');
  }
}

void append_ssmix2_json(std::string& out, const ssmix2::FileName& n) {
  out.append(",\"ssmix2\":{\"patient\":");
  append_json_string(out, n.patient);
  out.append(",\"date\":");
  append_json_string(out, n.date);
  out.append(",\"type\":");
  append_json_string(out, n.type);
  out.append(",\"order\":");
  append_json_string(out, n.order);
  out.append(",\"ts\":");
  append_json_string(out, n.timestamp);
  out.append(",\"dept\":");
  append_json_string(out, n.dept);
  out.append(",\"flag\":");
  out.append(n.flag < 0 ? std::string("null") : std::to_string(n.flag));
  out.push_back('}');
}

static void append_source(std::string& out, const Source& src) {
  out.append("\"src\":{\"path\":");
  append_json_string(out, src.path);
  out.append(",\"n\":");
  out.append(std::to_string(src.n));
  out.append(",\"offset\":");
  out.append(std::to_string(src.offset));
  out.push_back('}');
}

void append_record_json(std::string& out, const Record& r, std::string_view hl7, std::string_view extra_json) {
  out.append("{\"smx\":1,\"kind\":\"hl7\",");
  append_source(out, r.src);
  if (r.ssmix2) append_ssmix2_json(out, *r.ssmix2);
  out.append(",\"charset\":");
  append_json_string(out, r.charset);
  if (!extra_json.empty()) {
    out.push_back(',');
    out.append(extra_json);
  } else if (!r.changes.empty()) {
    // Changes made on the way in (smx cat's HL7-DELIM-YEN) or by an earlier normalizer; a caller
    // that passes extra_json writes "changes" itself, earlier ones first (smx labnorm).
    out.append(",\"changes\":");
    out.append(r.changes);
  }
  out.append(",\"hl7\":");
  append_json_string(out, hl7);
  out.push_back('}');
}

void RejectWriter::reject(const Reject& j) {
  std::string& b = out_.buffer();
  b.append("{\"smx\":1,\"kind\":\"reject\",");
  append_source(b, j.src);
  b.append(",\"code\":");
  append_json_string(b, j.code);
  b.append(",\"reason\":");
  append_json_string(b, j.reason);
  if (j.part) {
    b.append(",\"part\":");
    b.append(std::to_string(j.part));
  }
  b.append(",\"bytes\":");
  b.append(std::to_string(j.bytes.size()));
  b.append(",\"bytes_base64\":\"");
  append_base64(b, j.bytes);
  b.append("\"}\n");
  out_.maybe_flush();
}

OutputFormat parse_output_format(std::string_view text) {
  if (text == "smx" || text == "ndjson" || text == "stream") return OutputFormat::stream;
  if (text == "er7" || text == "hl7") return OutputFormat::er7;
  if (text == "mllp") return OutputFormat::mllp;
  throw usage_error("unknown output format '" + std::string(text) + "' (expected smx, er7 or mllp)");
}

void RecordWriter::write(const Record& record) {
  if (format_ == OutputFormat::stream && !record.stream_line.empty()) {
    std::string& b = out_.buffer();
    b.append(record.stream_line);
    b.push_back('\n');
    out_.maybe_flush();
    return;
  }
  write(record, record.message.text());
}

void RecordWriter::write(const Record& record, std::string_view hl7, std::string_view extra_json) {
  std::string& b = out_.buffer();
  switch (format_) {
    case OutputFormat::stream:
      append_record_json(b, record, hl7, extra_json);
      b.push_back('\n');
      break;
    case OutputFormat::er7:
      b.append(hl7);
      b.push_back('\n');
      break;
    case OutputFormat::mllp:
      b.push_back('\x0b');
      b.append(hl7);
      b.append("\x1c\r");
      break;
  }
  out_.maybe_flush();
}

}  // namespace smx
