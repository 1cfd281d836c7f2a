// The clkhash linkage schema (version 3: data61/clkhash docs/schema.rst @c544035, JSON Schema
// clkhash/schemas/v3.json) with smx's optional "smx" member. Everything is checked while
// reading; a problem throws config_error "NAME: path: message", path a JSON pointer-ish
// "features[2].hashing.strategy". Keys clkhash does not define are refused, except
// "description" where clkhash allows it.
#include "link/internal.hpp"

#include <smx/error.hpp>
#include <smx/link.hpp>

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <set>

namespace smx::link {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::size_t max_schema_bytes = 1 << 20;

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& message) const {
    throw config_error(name_ + ": " + (path.empty() ? "(root)" : path) + ": " + message);
  }

  simdjson::dom::object object(element e, const std::string& path) const {
    simdjson::dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) fail(path, "must be an object");
    return o;
  }
  simdjson::dom::array array(element e, const std::string& path) const {
    simdjson::dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) fail(path, "must be an array");
    return a;
  }
  std::string string(element e, const std::string& path) const {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) fail(path, "must be a string");
    return std::string(s);
  }
  bool boolean(element e, const std::string& path) const {
    bool b = false;
    if (e.get_bool().get(b) != simdjson::SUCCESS) fail(path, "must be true or false");
    return b;
  }
  long long integer(element e, const std::string& path, long long min, long long max) const {
    std::int64_t v = 0;
    if (e.get_int64().get(v) != simdjson::SUCCESS) {
      // JSON numbers like 20.0 are integers to a JSON Schema "integer"; accept exact ones.
      double d = 0;
      if (e.get_double().get(d) != simdjson::SUCCESS || d != static_cast<double>(static_cast<long long>(d)) ||
          d < -9e15 || d > 9e15)
        fail(path, "must be an integer");
      v = static_cast<std::int64_t>(d);
    }
    if (v < min || v > max)
      fail(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " + std::to_string(v));
    return v;
  }
  Bytes base64(element e, const std::string& path) const {
    const auto bytes = base64_decode(string(e, path));
    if (!bytes) fail(path, "must be base64 (RFC 4648, padded)");
    return *bytes;
  }
  // The keys of `o` are all in `allowed` and `required` are there; each key once.
  void keys(simdjson::dom::object o, const std::string& path, std::initializer_list<std::string_view> allowed,
            std::initializer_list<std::string_view> required = {}) const {
    std::set<std::string_view> seen;
    for (auto field : o) {
      if (std::find(allowed.begin(), allowed.end(), field.key) == allowed.end())
        fail(path, "unknown key '" + std::string(field.key) + "'");
      if (!seen.insert(field.key).second) fail(path, "duplicate key '" + std::string(field.key) + "'");
    }
    for (std::string_view key : required)
      if (!seen.count(key)) fail(path, "missing key '" + std::string(key) + "'");
  }
  std::optional<element> find(simdjson::dom::object o, std::string_view key) const {
    element e;
    if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
    return e;
  }

 private:
  std::string name_;
};

void read_kdf(const Reader& r, element e, Schema& schema) {
  const std::string path = "clkConfig.kdf";
  const auto o = r.object(e, path);
  r.keys(o, path, {"type", "hash", "salt", "info", "keySize"}, {"type"});
  if (r.string(*r.find(o, "type"), path + ".type") != "HKDF") r.fail(path + ".type", "must be \"HKDF\"");
  if (auto hash = r.find(o, "hash")) {
    schema.kdf_hash = r.string(*hash, path + ".hash");
    if (schema.kdf_hash != "SHA256" && schema.kdf_hash != "SHA512") r.fail(path + ".hash", "must be \"SHA256\" or \"SHA512\"");
  }
  if (auto salt = r.find(o, "salt")) schema.kdf_salt = r.base64(*salt, path + ".salt");
  if (auto info = r.find(o, "info")) schema.kdf_info = r.base64(*info, path + ".info");
  if (auto size = r.find(o, "keySize")) schema.key_size = static_cast<std::size_t>(r.integer(*size, path + ".keySize", 1, 1024));
}

void read_format(const Reader& r, element e, const std::string& path, Feature& f) {
  const auto o = r.object(e, path);
  const auto type = r.find(o, "type");
  if (!type) r.fail(path, "missing key 'type'");
  f.format = r.string(*type, path + ".type");
  if (f.format == "string") {
    r.keys(o, path, {"type", "encoding", "case", "minLength", "maxLength", "pattern", "description"});
    if (auto encoding = r.find(o, "encoding")) {
      const std::string name = r.string(*encoding, path + ".encoding");
      // Normalized values are UTF-8; "ascii" gives the same bytes for ASCII values.
      if (name != "utf-8" && name != "ascii") r.fail(path + ".encoding", "smx encodes UTF-8 only (\"utf-8\" or \"ascii\")");
    }
  } else if (f.format == "date") {
    r.keys(o, path, {"type", "format", "description"}, {"type", "format"});
    r.string(*r.find(o, "format"), path + ".format");
  } else if (f.format == "enum") {
    r.keys(o, path, {"type", "values", "description"}, {"type", "values"});
    for (element v : r.array(*r.find(o, "values"), path + ".values")) r.string(v, path + ".values[]");
  } else if (f.format == "integer") {
    r.keys(o, path, {"type", "minimum", "maximum", "description"});
  } else {
    r.fail(path + ".type", "must be \"string\", \"date\", \"enum\" or \"integer\"");
  }
}

void read_hashing(const Reader& r, element e, const std::string& path, Feature& f) {
  const auto o = r.object(e, path);
  r.keys(o, path, {"comparison", "strategy", "hash", "missingValue"}, {"comparison", "strategy"});

  const std::string cpath = path + ".comparison";
  const auto comparison = r.object(*r.find(o, "comparison"), cpath);
  const auto ctype = r.find(comparison, "type");
  if (!ctype) r.fail(cpath, "missing key 'type'");
  const std::string kind = r.string(*ctype, cpath + ".type");
  if (kind == "ngram") {
    r.keys(comparison, cpath, {"type", "n", "positional"}, {"type", "n"});
    f.comparison = Comparison::ngram;
    f.n = static_cast<int>(r.integer(*r.find(comparison, "n"), cpath + ".n", 1, 16));
    if (auto positional = r.find(comparison, "positional")) f.positional = r.boolean(*positional, cpath + ".positional");
  } else if (kind == "exact") {
    r.keys(comparison, cpath, {"type"});
    f.comparison = Comparison::exact;
  } else {
    r.fail(cpath + ".type", "smx supports \"ngram\" and \"exact\" comparisons");
  }

  const std::string spath = path + ".strategy";
  const auto strategy = r.object(*r.find(o, "strategy"), spath);
  if (auto per_token = r.find(strategy, "bitsPerToken")) {
    r.keys(strategy, spath, {"bitsPerToken"});
    f.strategy = Strategy::bits_per_token;
    f.bits = static_cast<int>(r.integer(*per_token, spath + ".bitsPerToken", 1, 1024));
  } else if (auto per_feature = r.find(strategy, "bitsPerFeature")) {
    r.keys(strategy, spath, {"bitsPerFeature"});
    f.strategy = Strategy::bits_per_feature;
    f.bits = static_cast<int>(r.integer(*per_feature, spath + ".bitsPerFeature", 1, 65536));
  } else {
    r.fail(spath, "needs bitsPerToken or bitsPerFeature");
  }

  f.hash = HashKind::blake;  // clkhash v3: "defaults to blake hash"
  if (auto hash = r.find(o, "hash")) {
    const std::string hpath = path + ".hash";
    const auto h = r.object(*hash, hpath);
    const auto htype = r.find(h, "type");
    if (!htype) r.fail(hpath, "missing key 'type'");
    const std::string name = r.string(*htype, hpath + ".type");
    if (name == "doubleHash") {
      r.keys(h, hpath, {"type", "prevent_singularity"});
      f.hash = HashKind::double_hash;
      if (auto ps = r.find(h, "prevent_singularity")) f.prevent_singularity = r.boolean(*ps, hpath + ".prevent_singularity");
    } else if (name == "blakeHash") {
      r.keys(h, hpath, {"type"});
    } else {
      r.fail(hpath + ".type", "must be \"doubleHash\" or \"blakeHash\"");
    }
  }
  if (auto missing = r.find(o, "missingValue")) {
    const std::string mpath = path + ".missingValue";
    const auto m = r.object(*missing, mpath);
    r.keys(m, mpath, {"sentinel", "replaceWith"}, {"sentinel"});
    f.missing_sentinel = r.string(*r.find(m, "sentinel"), mpath + ".sentinel");
    if (auto with = r.find(m, "replaceWith")) f.missing_replacement = r.string(*with, mpath + ".replaceWith");
  }
}

void read_smx(const Reader& r, element e, Schema& schema) {
  const auto o = r.object(e, "smx");
  r.keys(o, "smx", {"format", "saltWithBirthYear", "balance", "description"}, {"format"});
  if (r.string(*r.find(o, "format"), "smx.format") != "smx-link-schema/1") r.fail("smx.format", "must be \"smx-link-schema/1\"");
  if (auto salted = r.find(o, "saltWithBirthYear")) {
    for (element item : r.array(*salted, "smx.saltWithBirthYear")) {
      const std::string id = r.string(item, "smx.saltWithBirthYear[]");
      auto it = std::find_if(schema.features.begin(), schema.features.end(),
                             [&](const Feature& f) { return f.identifier == id && !f.ignored; });
      if (it == schema.features.end()) r.fail("smx.saltWithBirthYear", "no feature '" + id + "'");
      if (it->identifier == "birth_date") r.fail("smx.saltWithBirthYear", "the birth date cannot salt itself");
      it->salted = true;
    }
  }
  if (auto balance = r.find(o, "balance")) schema.balance = r.boolean(*balance, "smx.balance");
}

void check_limits(const Reader& r, const Schema& schema) {
  if (schema.features.empty()) r.fail("features", "needs at least one feature");
  const std::size_t hash_l = schema.l << schema.xor_folds;
  if (hash_l > (std::size_t{1} << 22)) r.fail("clkConfig", "l · 2^xorFolds must not exceed 4194304 bits");
  const std::size_t digest = schema.kdf_hash == "SHA512" ? 64 : 32;
  if (2 * schema.features.size() * schema.key_size > 255 * digest)
    r.fail("clkConfig.kdf.keySize", "HKDF gives at most " + std::to_string(255 * digest) +
                                        " bytes: 2 keys x features x keySize is more");
  for (std::size_t i = 0; i < schema.features.size(); ++i) {
    const Feature& f = schema.features[i];
    if (f.ignored || f.hash != HashKind::blake) continue;
    if ((hash_l & (hash_l - 1)) != 0)
      r.fail("features[" + std::to_string(i) + "].hashing.hash", "blakeHash needs l · 2^xorFolds to be a power of two");
    if (schema.key_size > 64)
      r.fail("clkConfig.kdf.keySize", "blakeHash keys are at most 64 bytes (BLAKE2b)");
  }
  if (schema.balance && hash_l > (std::size_t{1} << 21)) r.fail("smx.balance", "balancing doubles l; l · 2^xorFolds too large");
}

}  // namespace

Schema schema_from_string(std::string_view json, std::string name) {
  const Reader r(name);
  if (json.size() > max_schema_bytes) r.fail("", "larger than " + std::to_string(max_schema_bytes) + " bytes");
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  element root;
  if (const auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS)
    r.fail("", std::string("not JSON: ") + simdjson::error_message(error));

  Schema schema;
  schema.name = name;
  const auto top = r.object(root, "");
  r.keys(top, "", {"version", "clkConfig", "features", "smx", "$schema"}, {"version", "clkConfig", "features"});
  schema.version = static_cast<int>(r.integer(*r.find(top, "version"), "version", 1, 1000));
  if (schema.version != 3) r.fail("version", "smx reads linkage schema version 3 (clkhash converts older ones)");

  const auto clk = r.object(*r.find(top, "clkConfig"), "clkConfig");
  r.keys(clk, "clkConfig", {"l", "kdf", "xorFolds"}, {"l", "kdf"});
  schema.l = static_cast<std::size_t>(r.integer(*r.find(clk, "l"), "clkConfig.l", 1, 1 << 20));
  if (auto folds = r.find(clk, "xorFolds")) schema.xor_folds = static_cast<int>(r.integer(*folds, "clkConfig.xorFolds", 0, 10));
  read_kdf(r, *r.find(clk, "kdf"), schema);

  std::set<std::string> identifiers;
  std::size_t index = 0;
  for (element item : r.array(*r.find(top, "features"), "features")) {
    const std::string path = "features[" + std::to_string(index++) + "]";
    if (index > 64) r.fail(path, "at most 64 features");
    const auto o = r.object(item, path);
    Feature f;
    const auto identifier = r.find(o, "identifier");
    if (!identifier) r.fail(path, "missing key 'identifier'");
    f.identifier = r.string(*identifier, path + ".identifier");
    if (!identifiers.insert(f.identifier).second) r.fail(path + ".identifier", "duplicate identifier '" + f.identifier + "'");
    if (auto ignored = r.find(o, "ignored")) {
      r.keys(o, path, {"identifier", "ignored", "description"}, {"identifier", "ignored"});
      if (!r.boolean(*ignored, path + ".ignored")) r.fail(path + ".ignored", "must be true when present");
      f.ignored = true;
    } else {
      r.keys(o, path, {"identifier", "description", "format", "hashing"}, {"identifier", "format", "hashing"});
      if (std::find(schema_fields.begin(), schema_fields.end(), f.identifier) == schema_fields.end())
        r.fail(path + ".identifier", "'" + f.identifier + "' is not a field smx encodes (smx-link(1) SCHEMA)");
      read_format(r, *r.find(o, "format"), path + ".format", f);
      read_hashing(r, *r.find(o, "hashing"), path + ".hashing", f);
    }
    schema.features.push_back(std::move(f));
  }
  if (auto smx = r.find(top, "smx")) read_smx(r, *smx, schema);
  check_limits(r, schema);
  return schema;
}

Schema schema_from_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path.string() + ": cannot open");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw io_error(path.string() + ": read error");
  return schema_from_string(text, path.string());
}

}  // namespace smx::link
