// lib/out: the file listing of `smx ls`: one row per file of SS-MIX2 trees, with the name fields
// and the naming problems found (reference §2, §3, §7 via lib/ssmix2).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smx/error.hpp"
#include "smx/io.hpp"
#include "smx/ssmix2.hpp"

namespace smx {

enum class ListFormat { tsv, ndjson, nul };
ListFormat parse_list_format(std::string_view text);  // "tsv" | "ndjson"; throws usage_error

struct ListOptions {
  ssmix2::WalkOptions walk;
  ListFormat format = ListFormat::tsv;
};

// TSV columns; the header line of the tsv format.
inline constexpr std::string_view kFileListColumns =
    "path\tpatient\tdate\ttype\torder\ttimestamp\tdept\tflag\tproblems";

// Walks `roots` (ssmix2::walk) and writes one row per file that passes the filters to `out`:
// tsv (header line, cells escaped \t \n \r \\), ndjson ({"smx":1,"kind":"file",...}) or
// nul (paths only, each ended by NUL, for xargs -0). Findings go to `diagnostics`.
// Returns the number of files listed. Throws io_error when a root does not exist.
std::uint64_t list_files(const std::vector<std::string>& roots, const ListOptions& options, Output& out,
                         DiagnosticSink& diagnostics);

// One row without its line end.
void append_file_tsv(std::string& out, const ssmix2::Entry& entry);
// {"smx":1,"kind":"file","src":{"path":..},"ssmix2":{patient,date,type,order,ts,dept,flag},
//  ["extended":true,"data_kind":..,] "problems":[codes]} without its line end. "ssmix2" is absent
// when the name could not be parsed.
void append_file_json(std::string& out, const ssmix2::Entry& entry);

}  // namespace smx
