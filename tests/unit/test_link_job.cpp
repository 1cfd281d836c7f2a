// smx link encode/match pieces: patients read from PID/IN1 (latest ADT wins, one-field names
// split), the twin guard, smx deid's pseudonym, key files, encodings written and read back.
#include <smx/keyfile.hpp>
#include <smx/link_job.hpp>

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace smx;
using namespace smx::link;

namespace {

Record record_of(std::string text) {
  Record r;
  for (char& c : text)
    if (c == '\n') c = '\r';
  REQUIRE(r.message.assign(text));
  r.src.path = "test";
  r.src.n = 1;
  return r;
}

const char* adt_old =
    "MSH|^~\\&|HIS|H01|GW|RCV|20240101090000||ADT^A08^ADT_A01|1|P|2.5\n"
    "PID|0001||123456^^^^PI||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P||19700312|M|||^^^^100-0001^JPN^H^東京都\n"
    "IN1|1||06123456|||||||1234|5678\n";
const char* adt_new =
    "MSH|^~\\&|HIS|H01|GW|RCV|20240301090000||ADT^A08^ADT_A01|2|P|2.5\n"
    "PID|0001||123456^^^^PI||山田^太郎^^^^^L^I~ヤマダ　タロウ^^^^^^L^P||19700312|M|||^^^^150-0002^JPN^H^東京都\n";
const char* lab =
    "MSH|^~\\&|HIS|H01|GW|RCV|20240401090000||OUL^R22^OUL_R22|3|P|2.5\n"
    "PID|0001||123456^^^^PI||ヤマダ^ジロウ^^^^^L^P||19990101|F\n";

}  // namespace

TEST_CASE("patients: the latest ADT sends each field; other messages only fill gaps; one-field names split") {
  CollectingSink sink;
  PatientCollector collector;
  // The order of the input does not matter: the later MSH-7 of an ADT wins.
  CHECK(collector.add(record_of(lab), sink));
  CHECK(collector.add(record_of(adt_new), sink));
  CHECK(collector.add(record_of(adt_old), sink));
  const auto persons = collector.persons();
  REQUIRE(persons.size() == 1);
  const Person& p = persons[0];
  CHECK(p.facility == "H01");
  CHECK(p.local_id == "123456");
  CHECK(p.kanji_family == "山田");
  CHECK(p.kana_family == "ヤマダ");  // "ヤマダ　タロウ" in one component, split at the space
  CHECK(p.kana_given == "タロウ");
  CHECK(p.birth_date == "19700312");  // the lab message's other date does not win over ADT
  CHECK(p.sex == "M");
  CHECK(p.postal_code == "150-0002");  // the newer ADT
  CHECK(p.insurer_number == "06123456");  // only the older ADT sent IN1: kept
  CHECK(p.card_symbol == "1234");
  CHECK(p.card_number == "5678");
  CHECK(sink.items.empty());
}

TEST_CASE("patients: a message without PID-3 is reported, not encoded") {
  CollectingSink sink;
  PatientCollector collector;
  CHECK_FALSE(collector.add(record_of("MSH|^~\\&|HIS|H01|GW|RCV|20240101||ADT^A08|1|P|2.5\nPID|0001||||山田^太郎\n"), sink));
  REQUIRE(sink.items.size() == 1);
  CHECK(sink.items[0].code == "LINK-NO-PATIENT");
  CHECK(collector.persons().empty());
}

TEST_CASE("deid pseudonym: the one smx deid gives the patient, keyed, scoped by release") {
  const std::vector<std::uint8_t> key(32, 7), other(32, 8);
  // smx deid's own profile and type table, as `smx deid --profile ppc-anon` loads them.
  const std::filesystem::path tables = SMX_SOURCE_DIR;
  const deid::TypeTable types = deid::TypeTable::load(deid::types_path(tables));
  const deid::Profile profile = deid::load_profile("ppc-anon", deid::profiles_dir(tables), types);
  const deid::PseudonymShape shape = profile.shape("patient");
  const std::string a = deid_patient_pseudonym(key, "default", shape, "123456");
  CHECK(a.size() == static_cast<std::size_t>(shape.length));
  CHECK(a.find_first_not_of("0123456789") == std::string::npos);
  CHECK(a != deid_patient_pseudonym(other, "default", shape, "123456"));
  CHECK(a != deid_patient_pseudonym(key, "2026-01", shape, "123456"));
  CHECK(a != deid_patient_pseudonym(key, "default", shape, "123457"));
  // What smx deid itself writes for this patient (the shape was 16 digits here once while deid
  // wrote 15: the encodings then joined nothing).
  const deid::Deidentifier deidentifier(profile, types,
                                        deid::Key::from_bytes(std::string(key.begin(), key.end())), "default");
  CHECK(a == deidentifier.pseudonym("patient", "123456").text);
}

TEST_CASE("key files: exactly 32 bytes, permissions reported, never overwritten") {
  const auto dir = std::filesystem::temp_directory_path() / ("smx-keyfile-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto path = dir / "k";
  write_new_key_file(path);
  KeyFile key = read_key_file(path);
  CHECK(key.bytes.size() == 32);
  CHECK_FALSE(key.readable_by_others);
  CHECK_THROWS_WITH_AS(write_new_key_file(path), doctest::Contains("[KEY-EXISTS]"), io_error);
  std::filesystem::permissions(path, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  CHECK(read_key_file(path).readable_by_others);
  std::ofstream(dir / "short") << "0123456789";
  CHECK_THROWS_WITH_AS(read_key_file(dir / "short"), doctest::Contains("[KEY-SIZE]"), config_error);
  std::ofstream(dir / "long") << std::string(33, 'x');
  CHECK_THROWS_WITH_AS(read_key_file(dir / "long"), doctest::Contains("[KEY-SIZE]"), config_error);
  CHECK_THROWS_WITH_AS(read_key_file(dir / "none"), doctest::Contains("[KEY-MISSING]"), io_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("twin guard: same family, birth date, address and card, another given name: not a match") {
  const Normalizer normalizer;
  const std::string schema_json = R"({"version": 3, "clkConfig": {"l": 1024,
    "kdf": {"type": "HKDF", "hash": "SHA256", "info": "c214", "keySize": 64}},
    "features": [
      {"identifier": "kana_family", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}},
      {"identifier": "kana_given", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}},
      {"identifier": "kanji_name", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 1}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}},
      {"identifier": "birth_date", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}},
      {"identifier": "postal_code", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 100}, "hash": {"type": "blakeHash"}}}]})";
  const Schema schema = schema_from_string(schema_json, "test");
  const std::vector<std::uint8_t> key(32, 1);
  const TokenKeys keys(key);
  const BloomEncoder encoder(schema, keys.bloom_secret());
  NullSink quiet;
  auto encoded = [&](const char* facility, const char* id, const char* kanji_given, const char* kana_given) {
    Person p;
    p.facility = facility;
    p.local_id = id;
    p.kanji_family = "中島";
    p.kanji_given = kanji_given;
    p.kana_family = "ナカジマ";
    p.kana_given = kana_given;
    p.birth_date = "19790108";
    p.sex = "M";
    p.postal_code = "460-7190";
    p.insurer_number = "06123456";
    p.card_symbol = "1234";
    p.card_number = "56";
    const NormalizedPerson n = normalize_person(normalizer, p, {}, quiet);
    EncodedRecord r;
    r.facility = facility;
    r.local_id = id;
    r.id1 = id1_token(keys, n).value_or("");
    r.id2 = id2_token(keys, n).value_or("");
    r.block = block_token(keys, n).value_or("");
    r.fields = encoder.encode_person(n).fields;
    return r;
  };
  // Two twins at two facilities (their ID1 tokens are equal: one card), and a fixed model
  // that trusts ID1 and the family name enough to call the twins a match without the guard.
  const std::vector<EncodedRecord> records = {encoded("H01", "1", "太郎", "タロウ"), encoded("H01", "2", "拓也", "タクヤ"),
                                              encoded("H02", "7", "太郎", "タロウ"), encoded("H02", "8", "拓也", "タクヤ")};
  CHECK(records[0].id1 == records[1].id1);
  MatchConfig config;
  config.comparisons = default_comparisons(schema);
  FsModel model;
  model.lambda = 0.3;
  for (const ComparisonSpec& c : config.comparisons) {
    const std::size_t levels = c.levels();
    std::vector<double> m(levels + 1, 0.0), u(levels + 1, 0.0);
    for (std::size_t l = 1; l <= levels; ++l) {
      m[l] = l == 1 ? 0.9 : 0.1 / static_cast<double>(levels - 1);
      u[l] = l == levels ? 0.9 : 0.1 / static_cast<double>(levels - 1);
    }
    if (c.name == "id1") m = {0, 0.999999, 0.000001}, u = {0, 0.000001, 0.999999};
    model.m.push_back(m);
    model.u.push_back(u);
  }
  const LinkResult guarded = link_records(records, config, &model);
  CHECK(guarded.rows[0].link_id == guarded.rows[2].link_id);  // 太郎 at H01 and H02
  CHECK(guarded.rows[1].link_id == guarded.rows[3].link_id);  // 拓也 at H01 and H02
  CHECK(guarded.rows[0].link_id != guarded.rows[1].link_id);  // the twins stay apart
  CHECK(guarded.guarded_pairs == 2);
  CHECK(guarded.review.size() == 2);
  config.guard.clear();
  const LinkResult unguarded = link_records(records, config, &model);
  CHECK(unguarded.rows[0].link_id == unguarded.rows[1].link_id);  // without it: one cluster
}

TEST_CASE("encodings: written, read back in schema order, mixed keys refused") {
  const Normalizer normalizer;
  const Schema schema = schema_from_file(std::filesystem::path(SMX_SOURCE_DIR) / "mappings/link/schema-v1.json");
  const std::vector<std::uint8_t> key(32, 3);
  const BloomEncoder encoder(schema, TokenKeys(key).bloom_secret());
  Person p;
  p.facility = "H01";
  p.local_id = "123456";
  p.kana_family = "ヤマダ";
  p.kana_given = "タロウ";
  p.birth_date = "19700312";
  p.sex = "M";
  const auto path = std::filesystem::temp_directory_path() / ("smx-link-enc-" + std::to_string(::getpid()));
  EncodeSettings settings;
  settings.schema_digest = "abc";
  {
    Output out(path.string());
    NullSink quiet;
    const EncodeCounts counts = write_encodings({p}, normalizer, encoder, key, settings, out, quiet);
    CHECK(counts.patients == 1);
    CHECK(counts.with_id2 == 1);
    CHECK(counts.with_id1 == 0);
    out.commit();
  }
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(path);
  CHECK(text.find("ヤマダ") == std::string::npos);
  CHECK(text.find("19700312") == std::string::npos);
  CollectingSink sink;
  EncodedSet set;
  read_encodings(text, "a", schema, set, sink);
  REQUIRE(set.records.size() == 1);
  CHECK(set.records[0].local_id == "123456");
  CHECK(set.records[0].fields[0].count() > 0);   // kana_family
  CHECK(set.records[0].fields[2].empty());       // kanji_name: not sent
  CHECK(set.schema == "abc");
  std::string other = text;
  other.replace(other.find(key_fingerprint(key)), 16, "0000000000000000");
  CHECK_THROWS_WITH_AS(read_encodings(other, "b", schema, set, sink), doctest::Contains("[LINK-MIXED-KEY]"),
                       config_error);
  read_encodings("{\"kind\":\"other\"}\nnot json\n", "c", schema, set, sink);
  CHECK(sink.items.size() == 2);
  CHECK(sink.items[0].code == "LINK-BAD-RECORD");
}

TEST_CASE("fine blocking: birth date + sex or family name + year; u from random pairs") {
  auto rec = [](const char* facility, const char* id, const char* date, const char* name, std::uint8_t bits) {
    EncodedRecord r;
    r.facility = facility;
    r.local_id = id;
    r.block = "year";  // one coarse block for everybody
    r.block_date = date;
    r.block_name = name;
    BitVector v(64);
    for (int i = 0; i < 8; ++i)
      if (bits & (1u << i)) v.set(static_cast<std::size_t>(i * 8));
    r.fields = {v};
    return r;
  };
  const std::vector<EncodedRecord> records = {rec("H1", "a", "d1", "n1", 0x0F), rec("H2", "b", "d1", "n2", 0x0F),
                                              rec("H1", "c", "d2", "n3", 0xF0), rec("H2", "d", "d3", "n3", 0xF0),
                                              rec("H2", "e", "d4", "n4", 0x81)};
  MatchConfig config;
  ComparisonSpec spec;
  spec.name = "f";
  spec.field = 0;
  spec.thresholds = {0.95, 0.5};
  config.comparisons = {spec};
  config.guard.clear();
  config.block_on_block_key = false;
  config.block_on_date = config.block_on_name = true;
  const auto fine = candidate_pairs(records, config);
  REQUIRE(fine.size() == 2);  // a-b by birth date, c-d by family name + year
  CHECK(records[fine[0].a].local_id == "a");
  CHECK(records[fine[0].b].local_id == "b");
  CHECK(records[fine[1].a].local_id == "c");
  CHECK(records[fine[1].b].local_id == "d");
  config.block_on_block_key = true;
  config.block_on_date = config.block_on_name = false;
  CHECK(candidate_pairs(records, config).size() == 6);  // every cross-facility pair of the year
  // Random pairs: 6 cross-facility pairs, 2 of them identical filters (level 1), the rest
  // disjoint or nearly (level 3); add-one smoothing over 3 levels.
  const auto u = u_from_random_pairs(records, config, 2000, 7);
  REQUIRE(u.size() == 1);
  CHECK(u[0][1] + u[0][2] + u[0][3] == doctest::Approx(1.0));
  CHECK(u[0][1] == doctest::Approx(2.0 / 6.0).epsilon(0.1));
  CHECK(u[0][3] > u[0][1]);
  CHECK(u == u_from_random_pairs(records, config, 2000, 7));  // deterministic for a seed
}
