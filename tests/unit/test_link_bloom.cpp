// smx link: crypto primitives against published vectors (RFC 5869 HKDF, RFC 4231 HMAC), and
// the Bloom-filter encoder against clkhash's published test vectors and against a second,
// independent implementation of clkhash's algorithm in Python (tests/tools/clkhash_reference.py).
#include <smx/error.hpp>
#include <smx/link.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

using namespace smx::link;

namespace {

const std::filesystem::path source_dir = SMX_SOURCE_DIR;

Bytes unhex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::vector<std::size_t> ones(const BitVector& v) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v.test(i)) out.push_back(i);
  return out;
}

Feature ngram_feature(int n, bool positional, Strategy strategy, int bits, HashKind hash) {
  Feature f;
  f.identifier = "kana_family";
  f.format = "string";
  f.comparison = Comparison::ngram;
  f.n = n;
  f.positional = positional;
  f.strategy = strategy;
  f.bits = bits;
  f.hash = hash;
  return f;
}

// The example schema of clkhash docs/schema.rst (v3), with smx field names for the features
// and the date given as YYYYMMDD (clkhash hashes dates as %Y%m%d).
constexpr std::string_view docs_schema = R"({
  "version": 3,
  "clkConfig": {"l": 1024, "xorFolds": XOR,
    "kdf": {"type": "HKDF", "hash": "SHA256",
            "salt": "SCbL2zHNnmsckfzchsNkZY9XoHk96P/G5nUBrM7ybymlEFsMV6PAeDZCNp3rfNUPCtLDMOGQHG4pCQpfhiHCyA==",
            "info": "c2NoZW1hX2V4YW1wbGU=", "keySize": 64}},
  "features": [
    {"identifier": "INDEX", "ignored": true},
    {"identifier": "kanji_name", "format": {"type": "string", "encoding": "utf-8", "case": "mixed", "minLength": 3},
     "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}, "hash": {"type": "HASH"}}},
    {"identifier": "birth_date", "format": {"type": "date", "description": "YYYYMMDD", "format": "%Y%m%d"},
     "hashing": {"comparison": {"type": "ngram", "n": 1, "positional": true}, "strategy": {"bitsPerFeature": 200}, "hash": {"type": "HASH"}}},
    {"identifier": "sex", "format": {"type": "enum", "values": ["M", "F"]},
     "hashing": {"comparison": {"type": "ngram", "n": 1}, "strategy": {"bitsPerFeature": 400}, "hash": {"type": "HASH"}}}
  ]
})";

std::string docs_schema_with(std::string_view hash, int folds) {
  std::string s(docs_schema);
  for (std::size_t at; (at = s.find("HASH")) != std::string::npos;) s.replace(at, 4, hash);
  s.replace(s.find("XOR"), 3, std::to_string(folds));
  return s;
}

}  // namespace

TEST_CASE("HKDF reproduces RFC 5869 test cases 1 and 3") {
  const Bytes ikm(22, 0x0b);
  CHECK(to_hex(hkdf(ikm, unhex("000102030405060708090a0b0c"), unhex("f0f1f2f3f4f5f6f7f8f9"), 42)) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  CHECK(to_hex(hkdf(ikm, {}, {}, 42)) ==
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  CHECK_THROWS_AS(hkdf(ikm, {}, {}, 32, "MD5"), smx::config_error);
  CHECK_THROWS_AS(hkdf(ikm, {}, {}, 255 * 32 + 1), smx::config_error);
}

TEST_CASE("HMAC-SHA256 reproduces RFC 4231 test case 2") {
  CHECK(to_hex(hmac_sha256(bytes_of("Jefe"), "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("base64 round trip and refusals") {
  for (std::string_view text : {"", "a", "ab", "abc", "abcd", "abcde"}) {
    const Bytes b = bytes_of(text);
    const auto back = base64_decode(base64_encode(b));
    REQUIRE(back);
    CHECK(*back == b);
  }
  CHECK(base64_encode(bytes_of("ab")) == "YWI=");
  CHECK_FALSE(base64_decode("YW=I"));
  CHECK_FALSE(base64_decode("YWI"));
  CHECK_FALSE(base64_decode("Y!I="));
}

TEST_CASE("tokenizer: clkhash tests/test_tokenizer.py and comparators.py vectors") {
  // data61/clkhash tests/test_tokenizer.py @0867d1d: bigrams pad with one space each side,
  // positional unigrams are "POS CHAR" 1-based, duplicates are kept.
  const Feature bigram = ngram_feature(2, false, Strategy::bits_per_token, 20, HashKind::blake);
  CHECK(tokenize(bigram, "steve") == std::vector<std::string>{" s", "st", "te", "ev", "ve", "e "});
  CHECK(tokenize(bigram, "abab") == std::vector<std::string>{" a", "ab", "ba", "ab", "b "});
  const Feature positional = ngram_feature(1, true, Strategy::bits_per_token, 20, HashKind::blake);
  CHECK(tokenize(positional, "123") == std::vector<std::string>{"1 1", "2 2", "3 3"});
  CHECK(tokenize(positional, "1*2*") == std::vector<std::string>{"1 1", "2 *", "3 2", "4 *"});
  CHECK(tokenize(positional, "111") == std::vector<std::string>{"1 1", "2 1", "3 1"});
  const Feature unigram = ngram_feature(1, false, Strategy::bits_per_token, 20, HashKind::blake);
  CHECK(tokenize(unigram, "1212") == std::vector<std::string>{"1", "2", "1", "2"});
  // comparators.py docstring: positional bigrams of "clkhash" start "1  c", "2 cl".
  const Feature positional_bigram = ngram_feature(2, true, Strategy::bits_per_token, 20, HashKind::blake);
  const auto clk = tokenize(positional_bigram, "clkhash");
  REQUIRE(clk.size() == 8);
  CHECK(clk[0] == "1  c");
  CHECK(clk[7] == "8 h ");
  // n-grams count code points (Python str), not bytes; trigrams pad with two spaces.
  const Feature trigram = ngram_feature(3, false, Strategy::bits_per_token, 20, HashKind::blake);
  CHECK(tokenize(trigram, "サトウ") == std::vector<std::string>{"  サ", " サト", "サトウ", "トウ ", "ウ  "});
  CHECK(tokenize(bigram, "").empty());  // test_comparators.py test_empty_input
  Feature exact = bigram;
  exact.comparison = Comparison::exact;
  CHECK(tokenize(exact, "サトウ") == std::vector<std::string>{"サトウ"});
  CHECK(tokenize(exact, "").empty());
}

TEST_CASE("strategy: bitsPerFeature divides the bits, the first tokens take the remainder") {
  // clkhash field_formats.py ks(): k = num_bits // n, the first num_bits % n get k + 1.
  const Feature f = ngram_feature(2, false, Strategy::bits_per_feature, 100, HashKind::blake);
  const std::vector<int> ks = bits_per_token(f, 6);
  CHECK(ks == std::vector<int>{17, 17, 17, 17, 16, 16});
  int sum = 0;
  for (int k : ks) sum += k;
  CHECK(sum == 100);
  const Feature g = ngram_feature(2, false, Strategy::bits_per_token, 30, HashKind::blake);
  CHECK(bits_per_token(g, 3) == std::vector<int>{30, 30, 30});
}

TEST_CASE("doubleHash: clkhash tests/test_bloomfilter.py singularity vectors") {
  // data61/clkhash tests/test_bloomfilter.py test_double_hash_singularity (@00770da): with keys
  // (b'secret1', b'secret2'), l = 1024 and k = 20, the n-grams "635" and "1402" have
  // HMAC-MD5 ≡ 0 (mod 1024) and set ONE bit; "666" and "1401" set more; the non-singular
  // variant sets more for all four and equals the plain one on the non-singular n-grams.
  const Bytes sha1_key = bytes_of("secret1"), md5_key = bytes_of("secret2");
  for (std::string_view gram : {"635", "1402"}) {
    BitVector plain(1024), fixed(1024);
    double_hash(plain, gram, 20, sha1_key, md5_key, false);
    double_hash(fixed, gram, 20, sha1_key, md5_key, true);
    CHECK(plain.count() == 1);
    CHECK(fixed.count() > 1);
    CHECK_FALSE(plain == fixed);
  }
  for (std::string_view gram : {"666", "1401"}) {
    BitVector plain(1024), fixed(1024);
    double_hash(plain, gram, 20, sha1_key, md5_key, false);
    double_hash(fixed, gram, 20, sha1_key, md5_key, true);
    CHECK(plain.count() > 1);
    CHECK(plain == fixed);
  }
}

TEST_CASE("doubleHash and blakeHash bit positions agree with the Python reference") {
  // python3: int(hmac.new(k, m, sha1).hexdigest(), 16) % l … (tests/tools/clkhash_reference.py);
  // l = 1000 is not a power of two, so the big-endian reduction is exercised.
  BitVector dh(1000);
  for (std::string_view gram : {" サ", "サト", "ト "}) double_hash(dh, gram, 3, bytes_of("secret1"), bytes_of("secret2"), false);
  CHECK(ones(dh) == std::vector<std::size_t>{144, 328, 363, 450, 569, 601, 633, 889, 925});
  // blake2b(m, key=key, salt=str(i)), '<32H', % l; k = 40 needs two digests (salts "0", "1").
  BitVector bl(256);
  blake_hash(bl, "ab", 40, bytes_of("key"));
  CHECK(ones(bl) == std::vector<std::size_t>{3,   9,   11,  13,  16,  17,  21,  23,  28,  36,  48,  52,  54,
                                             66,  82,  92,  99,  114, 118, 121, 127, 132, 139, 146, 155, 161,
                                             166, 169, 180, 183, 186, 202, 219, 220, 228, 237, 243, 253});
}

TEST_CASE("XOR folding: clkhash tests/test_xor_folding.py properties") {
  BitVector v(1024);
  for (std::size_t i = 0; i < 1024; i += 7) v.set(i);
  for (std::size_t i = 3; i < 1024; i += 11) v.set(i);
  CHECK(fold_xor(v, 0) == v);
  const BitVector once = fold_xor(v, 1), twice = fold_xor(v, 2);
  CHECK(once.size() == 512);
  CHECK(twice.size() == 256);
  for (std::size_t i = 0; i < 512; ++i) CHECK(once.test(i) == (v.test(i) != v.test(i + 512)));
  for (std::size_t i = 0; i < 256; ++i)
    CHECK(twice.test(i) == ((v.test(i) != v.test(i + 256)) != (v.test(i + 512) != v.test(i + 768))));
  CHECK(fold_xor(BitVector(98), 1).size() == 49);
  CHECK_THROWS_AS(fold_xor(BitVector(98), 2), smx::config_error);
  CHECK_THROWS_AS(fold_xor(BitVector(25), 1), smx::config_error);
}

TEST_CASE("whole CLKs of clkhash's documentation schema equal the Python reference") {
  // python3 tests/tools/clkhash_reference.py, secret "secret", record (0, Jane Austen,
  // 17751216, F).
  const std::vector<std::string> record = {"0", "Jane Austen", "17751216", "F"};
  struct Case {
    std::string_view hash;
    int folds;
    std::string_view clk;
  };
  for (const Case& c : {Case{"doubleHash", 0,
                             "pWs8qVqvyhWp06fqFKlS584WrXKnKl6pUqUK3Ll6xQp2u1qVrtSpXoUqVKtyhSpUqUrNalSpQpd6VK9alX9////"
                             "1P1TpS5U+VLl6tSrUoU617nSla5cqU6VLnyrQ5Uq1P1C1Sr0o2v9Klyp29U6Uqlrl6twr8qfKtilarWo2vfI="},
                        Case{"blakeHash", 0,
                             "Q96rwF3aB2M/pjAHJhzTmDmIdykXwwAqc9Cv/zPorbrunJMUeABeiZIyKNeY223PKRM2sAmxZSxrzFxgO671T9iX"
                             "YIr7qVjvGPM0CxTGmvxXPbbO1egbfjUa7c/P7d57swQUeYNw076XjMFIMTMHMDHbhcQAxtyWUfd2HHycM7g="},
                        Case{"blakeHash", 1,
                             "Q96rwF3KB2A/pjAHJgzDmDmIRykWwQAqc1AtvzPopbrOnJMQeABeiZIyKNeYW23LKRMGsAmxRSxryAxAE671T1iV"
                             "YIrTqUihGLEUCxSGmvxTPLbO0egbfhUK5A/P6ZZroAQUeYFw066VjMFIETEHEDGLhcQARkgWUUd2HHycM6g="}}) {
    CAPTURE(c.hash);
    CAPTURE(c.folds);
    const Schema schema = schema_from_string(docs_schema_with(c.hash, c.folds), "docs.json");
    const BloomEncoder encoder(schema, bytes_of("secret"));
    const Encoding e = encoder.encode(record);
    CHECK(e.clk.size() == 1024);
    CHECK(e.clk.base64() == c.clk);
    // The field filters OR (before folding) to the CLK: without folding, exactly.
    if (c.folds == 0) {
      BitVector all(1024);
      for (const BitVector& f : e.fields)
        if (!f.empty()) all |= f;
      CHECK(all == e.clk);
      CHECK(e.fields[0].empty());  // the ignored INDEX
    }
  }
}

TEST_CASE("the shipped schema loads and encodes a normalized person") {
  const Schema schema = schema_from_file(source_dir / "mappings/link/schema-v1.json");
  CHECK(schema.l == 1024);
  CHECK(schema.features.size() == 6);
  CHECK(schema.features[0].identifier == "kana_family");
  CHECK(schema.features[0].salted);
  CHECK_FALSE(schema.features[3].salted);  // the birth date is not salted with itself
  const BloomEncoder encoder(schema, bytes_of("site key"));
  NormalizedPerson p;
  p.kana_family = "サト";
  p.kana_given = "ハナコ";
  p.kanji_name = "佐藤花子";
  p.birth_date = "19700312";
  p.sex = "F";
  p.postal_code = "1000001";
  const Encoding a = encoder.encode_person(p);
  CHECK(a.fields.size() == 6);
  for (const BitVector& f : a.fields) CHECK(f.count() > 0);
  // Salting: the same name born another year encodes differently, the date field aside.
  NormalizedPerson q = p;
  q.birth_date = "19710312";
  const Encoding b = encoder.encode_person(q);
  CHECK_FALSE(a.fields[0] == b.fields[0]);
  CHECK(dice(a.fields[0], b.fields[0]) < 0.5);
  CHECK(a.fields[4] == b.fields[4]);  // sex is not salted
  // Another key, another encoding.
  const BloomEncoder other(schema, bytes_of("other key"));
  CHECK(dice(other.encode_person(p).fields[0], a.fields[0]) < 0.5);
}

TEST_CASE("balancing gives every filter exactly l ones and keeps Dice informative") {
  std::string json(docs_schema_with("blakeHash", 0));
  json.insert(json.rfind('}'), R"(, "smx": {"format": "smx-link-schema/1", "balance": true})");
  const Schema schema = schema_from_string(json, "balanced.json");
  CHECK(schema.balance);
  const BloomEncoder encoder(schema, bytes_of("secret"));
  const Encoding a = encoder.encode({"0", "Jane Austen", "17751216", "F"});
  const Encoding b = encoder.encode({"1", "Jane Austin", "17751216", "F"});
  const Encoding c = encoder.encode({"2", "Tivadar Kanizsa", "19330404", "M"});
  CHECK(a.clk.size() == 2048);
  CHECK(a.clk.count() == 1024);
  CHECK(a.fields[1].count() == 1024);
  CHECK(dice(a.fields[1], b.fields[1]) > dice(a.fields[1], c.fields[1]));
}

TEST_CASE("schema errors name the place") {
  auto error_of = [](std::string_view json) -> std::string {
    try {
      (void)schema_from_string(json, "s.json");
    } catch (const smx::config_error& e) {
      return e.what();
    }
    return "";
  };
  const std::string good = docs_schema_with("blakeHash", 0);
  CHECK(error_of(good).empty());
  CHECK(error_of("{").find("s.json: (root): not JSON") == 0);
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string s = good;
    s.replace(s.find(from), from.size(), to);
    return error_of(s);
  };
  CHECK(replaced("\"version\": 3", "\"version\": 2").find("s.json: version:") == 0);
  CHECK(replaced("\"l\": 1024", "\"l\": 1000").find("blakeHash needs l") != std::string::npos);
  CHECK(replaced("\"bitsPerFeature\": 100", "\"bitsPerFeature\": 0").find("features[1].hashing.strategy.bitsPerFeature") !=
        std::string::npos);
  CHECK(replaced("\"kanji_name\"", "\"full name\"").find("features[1].identifier") != std::string::npos);
  CHECK(replaced("\"case\": \"mixed\"", "\"colour\": \"red\"").find("unknown key 'colour'") != std::string::npos);
  CHECK(replaced("\"salt\": \"SCb", "\"salt\": \"!!!").find("clkConfig.kdf.salt") != std::string::npos);
  CHECK(replaced("{\"type\": \"ngram\", \"n\": 2}", "{\"type\": \"ngram\"}").find("missing key 'n'") != std::string::npos);
}
