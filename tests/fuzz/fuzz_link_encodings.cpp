// libFuzzer entry point: the bytes are an encodings file as smx link match reads it from the
// sites (NDJSON of link-encoding records, shipped schema). Reading must either take each line
// or report it (LINK-BAD-RECORD), or throw config_error for encodings of another key or schema
// (LINK-MIXED-KEY / LINK-MIXED-SCHEMA). Up to 200 records are then matched: one row per record,
// every link ID "L" + 32 hex digits, every review pair's pattern in range.
#include <smx/error.hpp>
#include <smx/link.hpp>
#include <smx/link_job.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

const smx::link::Schema& schema() {
  static const smx::link::Schema s =
      smx::link::schema_from_file(std::filesystem::path(SMX_SOURCE_DIR) / "mappings/link/schema-v1.json");
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace smx::link;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  EncodedSet set;
  smx::NullSink quiet;
  try {
    read_encodings(text, "fuzz.ndjson", schema(), set, quiet);
  } catch (const smx::config_error& e) {
    const std::string_view what = e.what();
    if (what.find("[LINK-MIXED-KEY]") == std::string_view::npos &&
        what.find("[LINK-MIXED-SCHEMA]") == std::string_view::npos)
      std::abort();
    return 0;
  }
  if (set.records.size() > 200) return 0;
  MatchConfig config;
  config.comparisons = default_comparisons(schema());
  config.block_on_date = config.block_on_name = true;
  config.u_random_pairs = 500;
  config.link_key = Bytes{'k', 'e', 'y'};
  const LinkResult result = link_records(set.records, config);
  if (result.rows.size() != set.records.size()) std::abort();
  for (const LinkRow& row : result.rows)
    if (row.link_id.size() != 33 || row.link_id[0] != 'L') std::abort();
  for (const ReviewPair& pair : result.review)
    if (pair.pattern >= result.patterns.size() || pair.a >= set.records.size() || pair.b >= set.records.size())
      std::abort();
  return 0;
}
