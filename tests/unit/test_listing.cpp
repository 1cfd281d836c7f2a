// lib/out listing: the rows of `smx ls`.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "smx/listing.hpp"

using namespace smx;

namespace {

std::string list_to_string(const std::vector<std::string>& roots, const ListOptions& options, CollectingSink& sink) {
  std::string pattern = (std::filesystem::temp_directory_path() / "smx-listing-XXXXXX").string();
  int fd = ::mkstemp(pattern.data());
  REQUIRE(fd >= 0);
  ::close(fd);
  {
    Output out(pattern);
    list_files(roots, options, out, sink);
    out.commit();
  }
  std::ifstream in(pattern, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(pattern);
  return text.str();
}

const std::string kDtt = std::string(SMX_CORPUS) + "/ssmix2-dtt";

}  // namespace

TEST_CASE("listing: tsv cells escape tab, line ends and backslash") {
  ssmix2::Entry entry = ssmix2::describe("/r", "a\tb/c\\d\ne");
  std::string row;
  append_file_tsv(row, entry);
  CHECK(row.substr(0, 15) == "/r/a\\tb/c\\\\d\\ne");
  CHECK(std::count(row.begin(), row.end(), '\t') == 8);
  CHECK(row.find('\n') == std::string::npos);
}

TEST_CASE("listing: ndjson record of a parsed and an unparsed name") {
  ssmix2::Entry entry = ssmix2::describe(
      "/r", "999/901/9999013/20111220/OMG-11/9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1");
  std::string json;
  append_file_json(json, entry);
  CHECK(json ==
        "{\"smx\":1,\"kind\":\"file\",\"src\":{\"path\":\"/r/999/901/9999013/20111220/OMG-11/"
        "9999013_20111220_OMG-11_2011122000300_20111220224447339_24_1\"},\"ssmix2\":{\"patient\":\"9999013\","
        "\"date\":\"20111220\",\"type\":\"OMG-11\",\"order\":\"2011122000300\",\"ts\":\"20111220224447339\","
        "\"dept\":\"24\",\"flag\":1},\"problems\":[\"SSMX-NAME-ORDER-WIDTH\"]}");
  json.clear();
  append_file_json(json, ssmix2::describe("/r", "README"));
  CHECK(json == "{\"smx\":1,\"kind\":\"file\",\"src\":{\"path\":\"/r/README\"},"
                "\"problems\":[\"SSMX-NAME-FIELDS\",\"SSMX-PATH-DEPTH\"]}");
}

TEST_CASE("listing: formats over the DTT tree") {
  CollectingSink sink;
  ListOptions options;
  std::string tsv = list_to_string({kDtt}, options, sink);
  CHECK(tsv.substr(0, kFileListColumns.size() + 1) == std::string(kFileListColumns) + "\n");
  CHECK(std::count(tsv.begin(), tsv.end(), '\n') == 23);

  options.format = ListFormat::nul;
  options.walk.patients = {"0000001"};
  std::string nul = list_to_string({kDtt}, options, sink);
  CHECK(nul == kDtt + "/000/000/0000001/20000401/OMP-11/0000001_20000401_OMP-11_123456789012345_20110701113813225_01_1" +
                   std::string(1, '\0') + kDtt +
                   "/000/000/0000001/20000401/OMP-11/0000001_20000401_OMP-11_123456789012346_20110701113813226_01_0" +
                   std::string(1, '\0'));

  options.format = ListFormat::tsv;
  options.walk.patients = {"nobody"};
  CHECK(list_to_string({kDtt}, options, sink) == std::string(kFileListColumns) + "\n");  // header even when empty

  CHECK(parse_list_format("ndjson") == ListFormat::ndjson);
  CHECK_THROWS_AS(parse_list_format("csv"), usage_error);
}
