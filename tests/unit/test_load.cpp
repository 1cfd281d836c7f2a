// smx load (lib/out/load.cpp) into a SQLite file, and the file key it stores rows under.
#include <doctest/doctest.h>

#include <filesystem>

#include "smx/load.hpp"
#include "smx/state.hpp"

using namespace smx;

namespace {

const char* kOul =
    "MSH|^~\\&|LAB|0131000001|GW|RCV|20240401101500||OUL^R22^OUL_R22|1|P|2.5\r"
    "PID|1||0001^^^^PI||SMX^TEST||19700101|F\r"
    "SPM|1|S001||023^serum^JC10|||||||||||||202404010800\r"
    "OBR|1|000000000000123||E001^chem^99O03|||20240401\r"
    "OBX|1|NM|3D010000001926101^GLU^JC10||126|mg/dL^mg/dL^UCUM|70-109|H|||F|||202404010800\r"
    "OBX|2|ST|G03^protein^99L01||negative||||||F\r";

Record message(int flag, std::string_view text = kOul) {
  Record r;
  REQUIRE(r.message.assign(text));
  r.src.path = "/t/000/000/0001/20240401/OML-11/0001_20240401_OML-11_000000000000123_20240401101500000_01_" +
               std::to_string(flag);
  r.src.n = 1;
  ssmix2::FileName name{"0001", "20240401", "OML-11", "000000000000123", "20240401101500000", "01", flag};
  r.ssmix2 = name;
  return r;
}

std::string temp_db(const char* name) {
  auto path = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(path);
  return path.string();
}

}  // namespace

TEST_CASE("load: the key is the file name without its condition flag") {
  Record r = message(1);
  CHECK(load_key(r) == "0001_20240401_OML-11_000000000000123_20240401101500000_01");
  CHECK(load_key(message(2)) == load_key(r));
  Record plain;
  plain.src.path = "/in/a.hl7";
  CHECK(load_key(plain) == "/in/a.hl7");
}

TEST_CASE("load: twice changes nothing, a changed message is rewritten, a delete record removes its rows") {
  const std::string db = "sqlite:" + temp_db("smx_test_load.db");
  {
    Loader first(db, 100, "run1");
    first.apply(message(1));
    first.finish();
    CHECK(first.counts().replaced == 1);
    CHECK(first.counts().rows_inserted == 2);  // two OBX
  }
  {
    Loader again(db, 100, "run2");
    again.apply(message(1));
    again.finish();
    CHECK(again.counts().unchanged == 1);
    CHECK(again.counts().rows_inserted == 0);
    CHECK(again.counts().rows_deleted == 0);
  }
  {
    std::string changed = kOul;
    changed.replace(changed.find("||126|"), 6, "||127|");
    Loader update(db, 100, "run3");
    update.apply(message(1, changed));
    update.finish();
    CHECK(update.counts().replaced == 1);
    CHECK(update.counts().rows_deleted == 2);
    CHECK(update.counts().rows_inserted == 2);
  }
  {
    Record deletion;
    deletion.deletion = Deletion{load_key(message(1)), "superseded", "/t/x", std::nullopt};
    Loader remove(db, 100, "run4");
    remove.apply(deletion);
    remove.apply(deletion);  // a second time in the same batch: nothing left to remove
    remove.finish();
    CHECK(remove.counts().deletions == 2);
    CHECK(remove.counts().rows_deleted == 2);
  }
}

TEST_CASE("load: a flag 2 message in the same batch after its flag 1 version leaves nothing") {
  const std::string db = "sqlite:" + temp_db("smx_test_load2.db");
  Loader loader(db, 100, "run");
  loader.apply(message(1));
  loader.apply(message(2));
  loader.finish();
  CHECK(loader.counts().replaced == 1);
  CHECK(loader.counts().retired == 1);
  CHECK(loader.counts().rows_inserted == 2);
  CHECK(loader.counts().rows_deleted == 2);
}

TEST_CASE("load: an unknown scheme is a usage error") {
  CHECK_THROWS_AS(Loader("mysql://h/db", 10, "r"), usage_error);
}

TEST_CASE("state: the content hash is XXH3 64-bit") {
  // XXH3_64bits("") = 0x2D06800538D394C2 (xxHash's test vector).
  CHECK(static_cast<std::uint64_t>(content_hash("")) == 0x2D06800538D394C2ULL);
}
