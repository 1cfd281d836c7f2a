// The smx stream's records as JSON (smx-stream(5)); base64 per RFC 4648 §4.
#include "smx/stream.hpp"

namespace smx {

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

void begin_record(json::Writer& w, std::string_view kind) {
  w.begin_object();
  w.number(keys::smx, kStreamVersion);
  w.string(keys::kind, kind);
}

void begin_stats(json::Writer& w, std::string_view command) {
  begin_record(w, kinds::stats);
  w.string(keys::command, command);
}

void write_source(json::Writer& w, const Source& src, bool offset) {
  w.begin_object(keys::src);
  w.string(keys::path, src.path);
  w.number(keys::n, src.n);
  if (offset) w.number(keys::offset, src.offset);
  w.end_object();
}

void write_ssmix2(json::Writer& w, const ssmix2::FileName& n) {
  w.begin_object(keys::ssmix2);
  w.string(keys::patient, n.patient);
  w.string(keys::date, n.date);
  w.string(keys::type, n.type);
  w.string(keys::order, n.order);
  w.string(keys::ts, n.timestamp);
  w.string(keys::dept, n.dept);
  if (n.flag < 0) w.null(keys::flag);
  else w.number(keys::flag, n.flag);
  w.end_object();
}

void write_change_members(json::Writer& w, const Change& c) {
  w.number(keys::obx, c.obx);
  w.string(keys::field, c.field);
  w.string(keys::from, c.from);
  w.string(keys::to, c.to);
  w.string(keys::rule, c.rule);
}

void write_changes(json::Writer& w, const std::vector<Change>& first, const std::vector<Change>& then) {
  w.begin_array(keys::changes);
  for (const auto* list : {&first, &then})
    for (const Change& c : *list) {
      w.begin_object();
      write_change_members(w, c);
      w.end_object();
    }
  w.end_array();
}

void append_change_record(std::string& out, const Source& src, const Change& change) {
  json::Writer w(out);
  begin_record(w, kinds::change);
  write_source(w, src, false);
  write_change_members(w, change);
  w.end_object();
  out.push_back('\n');
}

void append_record_json(std::string& out, const Record& r, std::string_view hl7, const RecordAdditions& additions) {
  json::Writer w(out);
  begin_record(w, kinds::hl7);
  write_source(w, r.src);
  if (r.ssmix2) write_ssmix2(w, *r.ssmix2);
  w.string(keys::charset, r.charset);
  // Changes made on the way in (smx cat's HL7-DELIM-YEN) or by an earlier normalizer first,
  // then the writer's own (smx labnorm).
  if (additions.changes) write_changes(w, r.changes, *additions.changes);
  else if (!r.changes.empty()) write_changes(w, r.changes);
  if (!additions.key.empty()) {
    w.key(additions.key);
    w.out().append(additions.json);
  }
  w.string(keys::hl7, hl7);
  w.end_object();
}

std::string file_key(const ssmix2::FileName& n) {
  std::string name = ssmix2::format_file_name(n);
  // format_file_name ends with "_<flag>"; the key is everything before the last '_'.
  std::size_t cut = name.rfind('_');
  return cut == std::string::npos ? name : name.substr(0, cut);
}

void append_deletion_json(std::string& out, const Deletion& d) {
  json::Writer w(out);
  begin_record(w, kinds::deletion);
  w.string(keys::key, d.key);
  w.string(keys::reason, d.reason);
  w.begin_object(keys::src);
  w.string(keys::path, d.path);
  w.end_object();
  if (d.name) write_ssmix2(w, *d.name);
  w.end_object();
}

void RejectWriter::reject(const Reject& j) {
  std::string& b = out_.buffer();
  json::Writer w(b);
  begin_record(w, kinds::reject);
  write_source(w, j.src);
  w.string(keys::code, j.code);
  w.string(keys::reason, j.reason);
  if (j.part) w.number(keys::part, j.part);
  w.number(keys::bytes, j.bytes.size());
  w.key(keys::bytes_base64);
  b.push_back('"');
  append_base64(b, j.bytes);  // nothing to escape in base64
  b.push_back('"');
  w.end_object();
  b.push_back('\n');
  out_.maybe_flush();
}

OutputFormat parse_output_format(std::string_view text) {
  if (text == "smx" || text == "ndjson" || text == "stream") return OutputFormat::stream;
  if (text == "er7" || text == "hl7") return OutputFormat::er7;
  if (text == "mllp") return OutputFormat::mllp;
  throw usage_error("unknown output format '" + std::string(text) + "' (expected smx, er7 or mllp)");
}

bool RecordWriter::append(std::string& b, OutputFormat format, const Record& record) {
  if (record.deletion) {
    // Raw HL7 has no way to say "this key is gone": the caller reports what it could not write.
    if (format != OutputFormat::stream) return false;
    if (!record.stream_line.empty()) b.append(record.stream_line);
    else append_deletion_json(b, *record.deletion);
    b.push_back('\n');
    return true;
  }
  if (format == OutputFormat::stream && !record.stream_line.empty()) {
    b.append(record.stream_line);
    b.push_back('\n');
    return true;
  }
  append(b, format, record, record.message.text());
  return true;
}

void RecordWriter::append(std::string& b, OutputFormat format, const Record& record, std::string_view hl7,
                          const RecordAdditions& additions) {
  switch (format) {
    case OutputFormat::stream:
      append_record_json(b, record, hl7, additions);
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
}

bool RecordWriter::write(const Record& record) {
  const bool written = append(out_.buffer(), format_, record);
  out_.maybe_flush();
  return written;
}

void RecordWriter::write(const Record& record, std::string_view hl7, const RecordAdditions& additions) {
  append(out_.buffer(), format_, record, hl7, additions);
  out_.maybe_flush();
}

}  // namespace smx
