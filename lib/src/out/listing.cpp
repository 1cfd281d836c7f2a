// The file listing of `smx ls` (see smx/listing.hpp).
#include "smx/listing.hpp"

#include "smx/stream.hpp"

namespace smx {
namespace {

// TSV has no quoting: tab, line ends and the backslash itself are written as escapes.
void append_tsv_cell(std::string& out, std::string_view cell) {
  for (char c : cell) {
    switch (c) {
      case '\t': out.append("\\t"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\\': out.append("\\\\"); break;
      default: out.push_back(c);
    }
  }
}

}  // namespace

ListFormat parse_list_format(std::string_view text) {
  if (text == "tsv") return ListFormat::tsv;
  if (text == "ndjson") return ListFormat::ndjson;
  throw usage_error("unknown listing format '" + std::string(text) + "' (tsv or ndjson)");
}

void append_file_tsv(std::string& out, const ssmix2::Entry& entry) {
  append_tsv_cell(out, entry.path);
  if (entry.name) {
    const ssmix2::FileName& n = *entry.name;
    for (std::string_view field : {std::string_view(n.patient), std::string_view(n.date), std::string_view(n.type),
                                   std::string_view(n.order), std::string_view(n.timestamp), std::string_view(n.dept)}) {
      out.push_back('\t');
      append_tsv_cell(out, field);
    }
    out.push_back('\t');
    if (n.flag >= 0) out.append(std::to_string(n.flag));
  } else {
    out.append("\t\t\t\t\t\t\t");
  }
  out.push_back('\t');
  for (std::size_t i = 0; i < entry.problems.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_tsv_cell(out, entry.problems[i].code);
  }
}

void append_file_json(std::string& out, const ssmix2::Entry& entry) {
  json::Writer w(out);
  begin_record(w, kinds::file);
  w.begin_object(keys::src);
  w.string(keys::path, entry.path);
  w.end_object();
  if (entry.name) write_ssmix2(w, *entry.name);
  if (entry.extended) {
    w.boolean("extended", true);
    w.string("data_kind", entry.data_kind);
  }
  w.begin_array("problems");
  for (const auto& problem : entry.problems) w.string_element(problem.code);
  w.end_array();
  w.end_object();
}

std::uint64_t list_files(const std::vector<std::string>& roots, const ListOptions& options, Output& out,
                         DiagnosticSink& diagnostics) {
  std::uint64_t listed = 0;
  // The header goes out with the first row (or at the end), so a missing root (thrown before
  // anything is visited) leaves stdout empty.
  bool header_written = options.format != ListFormat::tsv;
  auto write_header = [&] {
    if (header_written) return;
    out.write(kFileListColumns);
    out.put('\n');
    header_written = true;
  };
  ssmix2::walk(roots, options.walk, diagnostics, [&](const ssmix2::Entry& entry) {
    write_header();
    std::string& buffer = out.buffer();
    switch (options.format) {
      case ListFormat::tsv:
        append_file_tsv(buffer, entry);
        buffer.push_back('\n');
        break;
      case ListFormat::ndjson:
        append_file_json(buffer, entry);
        buffer.push_back('\n');
        break;
      case ListFormat::nul:
        buffer.append(entry.path);
        buffer.push_back('\0');
        break;
    }
    out.maybe_flush();
    ++listed;
  });
  write_header();
  return listed;
}

}  // namespace smx
