// smx link attack self-test: the frequency attack against our own encodings of 10,000
// synthetic people (family names drawn with the published frequencies of
// mappings/link/family-names.yaml), without and with each hardening option.
#include "link_synthetic.hpp"

#include <smx/link.hpp>

#include <doctest/doctest.h>

#include <filesystem>

using namespace smx::link;

namespace {

const std::filesystem::path source_dir = SMX_SOURCE_DIR;

// One feature, the kana family name, as the shipped schema encodes it.
std::string kana_schema(bool salted, bool balance, int folds) {
  std::string json = R"({"version": 3, "clkConfig": {"l": 1024, "xorFolds": FOLDS,
    "kdf": {"type": "HKDF", "hash": "SHA256", "info": "c214", "keySize": 64}},
    "features": [
      {"identifier": "kana_family", "format": {"type": "string"},
       "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "blakeHash"}}}],
    "smx": {"format": "smx-link-schema/1", "saltWithBirthYear": SALTED, "balance": BALANCE}})";
  json.replace(json.find("FOLDS"), 5, std::to_string(folds));
  json.replace(json.find("SALTED"), 6, salted ? R"(["kana_family"])" : "[]");
  json.replace(json.find("BALANCE"), 7, balance ? "true" : "false");
  return json;
}

struct Population {
  std::vector<NormalizedPerson> people;
  std::vector<std::string> truth;   // normalized kana family name
  std::vector<std::string> blocks;  // what the data centre sees: the birth-year+sex token
  std::size_t with_public_name = 0;
};

const Population& population() {
  static const Population pop = [] {
    Population p;
    const Normalizer normalizer(KanjiVariants::from_file(source_dir / "mappings/link/kanji-variants.yaml"));
    std::vector<link_synthetic::Truth> truth;
    const TokenKeys keys(bytes_of("site key"));
    smx::NullSink quiet;
    for (const Person& person : link_synthetic::population(10000, 2026, &truth)) {
      NormalizedPerson n = normalize_person(normalizer, person, {}, quiet);
      p.truth.push_back(n.kana_family);
      p.blocks.push_back(block_token(keys, n).value_or(""));
      p.people.push_back(std::move(n));
    }
    for (const auto& t : truth) p.with_public_name += t.public_name;
    return p;
  }();
  return pop;
}

AttackResult attack(bool salted, bool balance, int folds, bool per_block) {
  const Population& pop = population();
  const BloomEncoder encoder(schema_from_string(kana_schema(salted, balance, folds), "kana.json"), bytes_of("site key"));
  std::vector<BitVector> encodings;
  encodings.reserve(pop.people.size());
  for (const NormalizedPerson& p : pop.people) encodings.push_back(encoder.encode_person(p).fields[0]);
  const Normalizer normalizer(KanjiVariants::from_file(source_dir / "mappings/link/kanji-variants.yaml"));
  const auto names = load_name_frequencies(source_dir / "mappings/link/family-names.yaml", normalizer);
  return frequency_attack(encodings, pop.truth, names, names.size(), per_block ? &pop.blocks : nullptr);
}

}  // namespace

TEST_CASE("the public name list loads normalized, in the shipped order") {
  const Normalizer normalizer(KanjiVariants::from_file(source_dir / "mappings/link/kanji-variants.yaml"));
  const auto names = load_name_frequencies(source_dir / "mappings/link/family-names.yaml", normalizer);
  REQUIRE(names.size() == 17);
  CHECK(names[0].name == "サト");  // サトウ after the long-vowel rule
  CHECK(names[0].share == 100588);
  CHECK(names[16].name == "サクマ");
}

TEST_CASE("frequency attack: a hand-made case") {
  auto v = [](std::size_t bit) {
    BitVector b(16);
    b.set(bit);
    return b;
  };
  // Pattern 1 three times (truly A), pattern 2 twice (truly B), pattern 3 once (truly C).
  const std::vector<BitVector> enc = {v(1), v(1), v(1), v(2), v(2), v(3)};
  const std::vector<std::string> truth = {"A", "A", "A", "B", "B", "C"};
  const AttackResult r = frequency_attack(enc, truth, {{"A", 0.5}, {"B", 0.3}, {"C", 0.2}}, 3);
  CHECK(r.names_recovered == 3);
  CHECK(r.records_reidentified == 6);
  // The public list ranks differently: only what lines up is recovered.
  const AttackResult swapped = frequency_attack(enc, truth, {{"B", 0.5}, {"A", 0.3}, {"C", 0.2}}, 3);
  CHECK(swapped.names_recovered == 1);
  CHECK(swapped.records_reidentified == 1);
  CHECK(swapped.recovered == std::vector<std::string>{"C"});
}

TEST_CASE("frequency attack on 10,000 encodings: salting by birth year stops it, balancing and XOR folding do not") {
  const Population& pop = population();
  MESSAGE("population " << pop.people.size() << ", with one of the 17 public names " << pop.with_public_name);
  struct Row {
    const char* label;
    bool salted, balance;
    int folds;
    bool per_block;
  };
  const Row rows[] = {{"no hardening", false, false, 0, false},
                      {"balance", false, true, 0, false},
                      {"xor fold 1", false, false, 1, false},
                      {"salt birth year", true, false, 0, false},
                      {"salt, attacker groups by block token", true, false, 0, true},
                      {"salt + balance + xor fold 1", true, true, 1, false}};
  std::vector<AttackResult> results;
  for (const Row& row : rows) {
    results.push_back(attack(row.salted, row.balance, row.folds, row.per_block));
    const AttackResult& r = results.back();
    std::string names;
    for (const std::string& n : r.recovered) names += " " + n;
    MESSAGE(row.label << ": " << r.names_recovered << " of 17 names recovered, " << r.records_reidentified << " of "
                      << r.records << " records re-identified (" << r.guesses << " guesses):" << names);
  }
  // Without hardening the ranks line up where the sample frequencies keep the public order.
  CHECK(results[0].names_recovered >= 3);
  CHECK(results[0].records_reidentified >= 200);
  // Balancing and folding are deterministic per value: the same patterns repeat, same result.
  CHECK(results[1].names_recovered == results[0].names_recovered);
  CHECK(results[2].names_recovered == results[0].names_recovered);
  // Salted, the counts scatter over 80 birth years.
  CHECK(results[3].names_recovered <= 2);
  CHECK(results[3].records_reidentified * 10 < results[0].records_reidentified);
  CHECK(results[5].names_recovered <= 2);
}
