// link_bench: synthetic encodings for bench/link.sh (no real persons). Draws N people for
// facility A (tests/unit/link_synthetic.hpp: public family-name frequencies, made-up names),
// and for facility B the same share `overlap` of them as another register writes them (half-
// width kana, 和暦, old kanji, 5218 sex codes, typos) plus new people up to N; normalizes and
// encodes every record with the shipped schema on one thread, and prints the encode rate.
// Usage: link_bench N OVERLAP OUT.ndjson
#include "../unit/link_synthetic.hpp"

#include <smx/link_job.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: link_bench N OVERLAP OUT.ndjson\n");
    return 2;
  }
  using namespace smx::link;
  const std::size_t n = std::strtoull(argv[1], nullptr, 10);
  const double overlap = std::strtod(argv[2], nullptr);
  const std::filesystem::path source = SMX_SOURCE_DIR;
  const Normalizer normalizer(KanjiVariants::from_file(source / "mappings/link/kanji-variants.yaml"));
  const Schema schema = schema_from_file(source / "mappings/link/schema-v1.json");
  const std::vector<std::uint8_t> key(32, 42);
  const BloomEncoder encoder(schema, TokenKeys(key).bloom_secret());
  std::vector<Person> people = link_synthetic::population(n, 2026);
  std::vector<Person> others = link_synthetic::population(n, 4711);
  link_synthetic::Rng rng{99};
  std::vector<Person> records;
  records.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    people[i].facility = "A";
    people[i].local_id = "A" + std::to_string(i);
    records.push_back(people[i]);
  }
  for (std::size_t i = 0; i < n; ++i) {
    Person q = rng.uniform() < overlap ? link_synthetic::recorded_elsewhere(people[i], rng, 0.05) : others[i];
    q.facility = "B";
    q.local_id = "B" + std::to_string(i);
    records.push_back(std::move(q));
  }
  smx::Output out(argv[3]);
  smx::NullSink quiet;
  EncodeSettings settings;
  {
    std::string bytes, error;
    smx::read_file((source / "mappings/link/schema-v1.json").string(), bytes, error, 1 << 20);
    settings.schema_digest = to_hex(sha256(bytes)).substr(0, 16);  // as smx link encode writes it
  }
  const auto start = std::chrono::steady_clock::now();
  const EncodeCounts counts = write_encodings(records, normalizer, encoder, key, settings, out, quiet);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.commit();
  std::printf("encoded %zu records in %.3f s: %.0f records/s (one thread; normalize + 3 tokens + 2 blocking "
              "tokens + 6 Bloom fields + CLK + JSON)\n",
              counts.patients, seconds, static_cast<double>(counts.patients) / seconds);
  return 0;
}
