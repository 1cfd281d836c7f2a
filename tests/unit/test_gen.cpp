// smx gen and the UTF-8 -> ISO-2022-JP / CP932 encoder it uses.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../../lib/src/gen/internal.hpp"
#include "smx/charset.hpp"
#include "smx/gen.hpp"
#include "smx/labnorm.hpp"
#include "smx/stream.hpp"
#include "smx/tables.hpp"

using namespace smx;

namespace {

std::string round_trip(std::string_view utf8, Charset charset) {
  std::string encoded;
  REQUIRE(from_utf8(utf8, charset, encoded));
  std::string decoded;
  std::vector<CharsetFinding> findings;
  REQUIRE(to_utf8(encoded, charset, decoded, findings));
  CHECK(findings.empty());
  return decoded;
}

const tables::Tables& shipped_tables() {
  static const tables::Tables tables = tables::load_tables(SMX_SOURCE_DIR);
  return tables;
}

class Collect final : public gen::Sink {
 public:
  void file(const File& f) override {
    out += std::string(f.facility) + "/" + std::string(f.directory) + "/" + std::string(f.file_name) + "\n";
    out.append(f.bytes);
    out += "\n";
    ++files;
  }
  std::string out;
  int files = 0;
};

}  // namespace

TEST_CASE("from_utf8: ISO-2022-JP and CP932 round-trip JIS X 0208 text") {
  const std::string text = "PID|0001||患者^太郎~カンジャ^タロウ|ｍｇ／ｄｌ ×10^4/μl 6.6〜8.1 γ−ＧＴ ℃ 々";
  CHECK(round_trip(text, Charset::iso2022jp) == text);
  std::string encoded;
  REQUIRE(from_utf8("患者", Charset::iso2022jp, encoded));
  CHECK(encoded == "\x1B$B45\x3CT\x1B(B");  // ESC $ B ... ESC ( B only (reference §5)
  // CP932 is decoded the Microsoft way (～ U+FF5E, － U+FF0D): those round-trip.
  const std::string cp932 = "患者 ｍｇ／ｄｌ ×10^4/μl 6.6～8.1 γ－ＧＴ ℃";
  CHECK(round_trip(cp932, Charset::shift_jis) == cp932);
  // The JIS forms are written as the same code: 〜 in CP932 comes back as ～.
  encoded.clear();
  REQUIRE(from_utf8("〜", Charset::shift_jis, encoded));
  CHECK(encoded == "\x81\x60");
}

TEST_CASE("from_utf8: refuses what the charset cannot carry") {
  std::string out = "keep";
  CHECK_FALSE(from_utf8("😀", Charset::iso2022jp, out));
  CHECK_FALSE(from_utf8("ｶﾀｶﾅ", Charset::iso2022jp, out));  // half-width katakana: not JIS X 0208
  CHECK_FALSE(from_utf8("\xFF", Charset::utf8, out));
  CHECK_FALSE(from_utf8("é", Charset::ascii, out));
  CHECK_FALSE(from_utf8("a", Charset::euc_jp, out));
  CHECK(out == "keep");
  CHECK(from_utf8("ｶﾀｶﾅ", Charset::shift_jis, out));  // CP932 has them
}

TEST_CASE("gen: the generator's own random numbers are fixed") {
  gen::detail::Rng a(42), b(42), c(43);
  std::uint64_t first = a.next();
  CHECK(first == b.next());
  CHECK(first != c.next());
  // Pinned: a change here changes every generated tree (and the golden tests say so too).
  gen::detail::Rng pinned(1);
  CHECK(pinned.next() == 0xB3F2AF6D0FC710C5ULL);
  for (int i = 0; i < 1000; ++i) {
    CHECK(a.below(7) < 7);
    double u = a.unit();
    CHECK((u >= 0.0 && u < 1.0));
    double z = a.normal();
    CHECK((z > -3.5 && z < 3.5));
  }
}

TEST_CASE("gen: dates") {
  CHECK(gen::parse_date("2024-02-29") == "20240229");
  CHECK(gen::parse_date("20240101") == "20240101");
  CHECK_THROWS_AS(gen::parse_date("2023-02-29"), usage_error);
  CHECK_THROWS_AS(gen::parse_date("2024-1-01"), usage_error);
  CHECK_THROWS_AS(gen::parse_date("20241301"), usage_error);
  std::int64_t days = gen::detail::days_from_yyyymmdd("20240301");
  std::string text;
  gen::detail::append_yyyymmdd(text, days - 1);
  CHECK(text == "20240229");
}

TEST_CASE("gen: same options, same bytes; another seed, other bytes") {
  gen::Options options;
  options.patients = 6;
  options.facilities = 3;
  options.seed = 5;
  options.from = "20240101";
  options.to = "20240331";
  options.deviation_rate = 0.2;
  options.root = "r";
  Collect first, second, other;
  gen::Summary summary = gen::generate(options, shipped_tables(), first, nullptr);
  gen::generate(options, shipped_tables(), second, nullptr);
  options.seed = 6;
  gen::generate(options, shipped_tables(), other, nullptr);
  CHECK(first.files > 20);
  CHECK(summary.files == static_cast<std::uint64_t>(first.files));
  CHECK(first.out == second.out);
  CHECK(first.out != other.out);
}

TEST_CASE("gen: site tables load with the tables loader") {
  gen::Options options;
  options.facilities = 6;
  options.seed = 3;
  units::Ucum ucum = shipped_tables().make_ucum();
  for (int f = 0; f < options.facilities; ++f) {
    std::string name = "H0" + std::to_string(f + 1);
    std::string yaml = gen::site_yaml(options, shipped_tables(), f, name);
    tables::Site site = tables::site_from_string(yaml, "mappings/sites/" + name + ".yaml", ucum);
    CHECK(site.name == name);
    CHECK(site.codes.size() >= 10);
    CHECK(site.matches_sending_facility(name));
  }
}

TEST_CASE("gen: facility H01 is the conformant profile") {
  gen::Options options;
  options.facilities = 4;
  auto profiles = gen::facility_profiles(options);
  REQUIRE(profiles.size() == 4);
  CHECK(profiles[0].id == "H01");
  CHECK(profiles[0].charset == Charset::iso2022jp);
  CHECK(profiles[0].terminator == "\r");
  CHECK(profiles[0].msh18 == "~ISO IR87");
  CHECK(profiles[0].code_style == "jlac10");
  CHECK_FALSE(profiles[0].deviations);
}

namespace {
bool has(const std::vector<std::string>& v, std::string_view s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

TEST_CASE("gen --variance-rate: case variants make the UCUM prefix traps of issue 11; NHO decorations and typos") {
  using gen::detail::spelling_variants;
  CHECK(has(spelling_variants("U/mL", "U/mL").case_variants, "U/ML"));     // U per megalitre
  CHECK(has(spelling_variants("pg/mL", "pg/mL").case_variants, "Pg/mL"));  // petagram
  CHECK(has(spelling_variants("mEq/L", "meq/L").case_variants, "Meq/L"));  // mega-equivalent
  CHECK(has(spelling_variants("μg/mL", "ug/mL").case_variants, "μg/ML"));
  CHECK(has(spelling_variants("mg/dl", "mg/dL").case_variants, "MG/DL"));
  const auto u = spelling_variants("U/L", "U/L");
  CHECK(has(u.decorations, "U/L/37℃"));
  CHECK(has(u.decorations, "IU/L/37℃"));
  CHECK(has(u.typos, "lU/Ｌ"));
  CHECK(has(spelling_variants("%", "%").decorations, "%(15min."));
  CHECK(has(spelling_variants("mg/dL", "mg/dL").typos, "md/dl"));
  CHECK(has(spelling_variants("mOsm/L", "mosm/L").typos, "mOms/L"));
  CHECK(has(spelling_variants("/HPF", "/[HPF]").typos, "個/HFP"));
  CHECK(has(spelling_variants("ng/mL", "ng/mL").decorations, "ng/mL以下"));
  // Never the spelling itself.
  CHECK_FALSE(has(spelling_variants("U/L", "U/L").case_variants, "U/L"));
}

TEST_CASE("gen --variance-rate: every variant spelling's expectation is what lab::resolve_unit says") {
  gen::Options options;
  options.facilities = 10;
  options.seed = 7;
  options.variance_rate = 0.5;
  units::Ucum ucum = shipped_tables().make_ucum();
  std::size_t right = 0, reported = 0, traps = 0;
  for (int f = 0; f < options.facilities; ++f) {
    gen::detail::FacilityModel model = gen::detail::build_facility(options, shipped_tables(), ucum, f);
    if (f == 0) {  // H01 stays conformant
      CHECK_FALSE(model.variance);
      CHECK(model.items.size() == model.regular_items);
      continue;
    }
    CHECK(model.items.size() > model.regular_items);  // the variance-only items
    for (const auto& m : model.items) {
      if (m.unit_variance.empty()) continue;
      const std::string local = model.profile.code_style == "jlac10" ? std::string() : m.local_code;
      const lab::UnitResolution r = lab::resolve_unit(shipped_tables(), ucum, m.unit_spelling, m.jlac10, local, nullptr);
      // The unit meant, or a UCUM synonym of it (um3 = fL).
      const units::Conversion same = ucum.convert(1.0, r.ucum, m.reported_unit);
      const bool resolves = r.status == lab::UnitStatus::mapped &&
                            (r.ucum == m.reported_unit || (same.ok() && std::abs(same.value - 1.0) < 1e-12));
      CHECK_MESSAGE((m.unit_expect == "right") == resolves, m.unit_spelling, " for ", m.jlac10);
      CHECK((m.gap == "unit") == !resolves);
      right += resolves;
      reported += !resolves;
      traps += m.unit_variance == "unit-trap";
    }
  }
  CHECK(right > 0);
  CHECK(reported > 0);
  CHECK(traps > 0);
}

TEST_CASE("gen --variance-rate 0: the model is the one without the option") {
  gen::Options options;
  options.facilities = 3;
  units::Ucum ucum = shipped_tables().make_ucum();
  for (int f = 0; f < 3; ++f) {
    gen::detail::FacilityModel model = gen::detail::build_facility(options, shipped_tables(), ucum, f);
    CHECK_FALSE(model.variance);
    CHECK(model.items.size() == model.regular_items);
    for (const auto& m : model.items) CHECK(m.unit_variance.empty());
  }
}

TEST_CASE("gen --phi: romaji and half-width kana of the name tables' katakana") {
  using gen::detail::katakana_halfwidth;
  using gen::detail::katakana_romaji;
  CHECK(katakana_romaji("ヤマダ") == "YAMADA");
  CHECK(katakana_romaji("キョウコ") == "KYOUKO");  // small ョ after KI
  CHECK(katakana_romaji("ショウタ") == "SHOUTA");  // SHI + ョ -> SHO
  CHECK(katakana_romaji("ジュン") == "JUN");
  CHECK(katakana_romaji("ハットリ") == "HATTORI");  // ッ doubles the consonant
  CHECK(katakana_romaji("マッチ") == "MATCHI");     // ... as T before CH
  CHECK(katakana_romaji("ツヅキ") == "TSUZUKI");
  CHECK(katakana_halfwidth("ダイスケ") == "ﾀﾞｲｽｹ");  // voiced: base + U+FF9E
  CHECK(katakana_halfwidth("ポール") == "ﾎﾟｰﾙ");
  for (const auto* list : {&gen::detail::family_names, &gen::detail::male_names, &gen::detail::female_names})
    for (const gen::detail::NamePart& name : *list) {
      const std::string romaji = katakana_romaji(name.kana);
      INFO(std::string(name.kana));
      CHECK(std::all_of(romaji.begin(), romaji.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
      const std::string half = katakana_halfwidth(name.kana);
      CHECK(half.find("\xE3\x82") == std::string::npos);  // no full-width katakana left (U+30A0-U+30BF)
      CHECK(half.find("\xE3\x83") == std::string::npos);  // (U+30C0-U+30FF)
    }
}

TEST_CASE("gen --phi: file names and lab results as without it; the PHI segments only with it") {
  gen::Options options;
  options.patients = 8;
  options.facilities = 3;
  options.seed = 7;
  options.root = "r";
  Collect plain, phi;
  gen::generate(options, shipped_tables(), plain, nullptr);
  options.phi = true;
  gen::generate(options, shipped_tables(), phi, nullptr);
  auto lines = [](const std::string& out, bool keep_obx_nm) {
    std::string kept;
    std::size_t at = 0;
    while (at < out.size()) {
      std::size_t end = out.find_first_of("\r\n", at);
      if (end == std::string::npos) end = out.size();
      std::string_view line(out.data() + at, end - at);
      if (line.rfind("r/", 0) == 0 || (keep_obx_nm && line.find("|NM|") != std::string_view::npos))
        kept.append(line).push_back('\n');
      at = end + 1;
    }
    return kept;
  };
  CHECK(plain.files == phi.files);
  CHECK(lines(plain.out, true) == lines(phi.out, true));  // file names, numeric OBX rows
  CHECK(plain.out.find("NK1|") == std::string::npos);
  CHECK(plain.out.find("ZPI|") == std::string::npos);
  CHECK(phi.out.find("NK1|") != std::string::npos);
  CHECK(phi.out.find("ZPI|") != std::string::npos);
  CHECK(phi.out.find("IN1|") != std::string::npos);
  CHECK(phi.out.find("NTE|") != std::string::npos);
}
