// smx link normalizer: each variant class of issue 14 (width, spaces, script, small kana, long
// vowels, ヴ, ヂ/ヅ, kanji forms, 和暦, IDs), idempotence, the versioned kanji table, and the
// keyed tokens' byte layout.
#include <smx/error.hpp>
#include <smx/link.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace smx::link;

namespace {

const std::filesystem::path source_dir = SMX_SOURCE_DIR;

const Normalizer& shipped() {
  static const Normalizer n(KanjiVariants::from_file(source_dir / "mappings/link/kanji-variants.yaml"));
  return n;
}

std::string name(std::string_view s) { return shipped().name(s); }

}  // namespace

TEST_CASE("width: full/half-width digits, letters and half-width kana fold (NFKC)") {
  CHECK(name("ｻﾄｳ ﾊﾅｺ") == name("サトウ ハナコ"));
  CHECK(name("ｶﾞｯｺｳ") == name("ガッコウ"));  // half-width voiced mark composes
  CHECK(shipped().number("１２３４５６７８") == "12345678");
  CHECK(name("ＳＡＴＯ") == "sato");  // letters: NFKC_Casefold
  CHECK(name("SATO") == name("sato"));
}

TEST_CASE("spaces and separators are removed") {
  CHECK(name("サトウ　ハナコ") == name("サトウハナコ"));  // ideographic space
  CHECK(name(" サトウ  ハナコ ") == name("サトウハナコ"));
  CHECK(name("ジョン・スミス") == name("ジョンスミス"));
  CHECK(name("佐藤　花子") == "佐藤花子");
}

TEST_CASE("hiragana and katakana fold to one script (katakana)") {
  CHECK(name("さとう") == name("サトウ"));
  CHECK(name("はなこ") == "ハナコ");
  CHECK(name("か゛っこう") == name("ガッコウ"));  // spacing voiced mark after kana
}

TEST_CASE("small kana fold to large") {
  CHECK(name("キャ") == name("キヤ"));
  CHECK(name("ハットリ") == name("ハツトリ"));
  CHECK(name("シュン") == name("シユン"));
  CHECK(name("ァィゥェォ") == name("アイウエオ"));
  CHECK(name("ヵヶ") == "カケ");
  CHECK(name("ㇰㇱㇳ") == "クシト");  // Katakana Phonetic Extensions
}

TEST_CASE("long vowels: ー and lengthening vowels fold (the decision in smx-link(1))") {
  CHECK(name("サトウ") == "サト");
  CHECK(name("サトー") == "サト");
  CHECK(name("ｻﾄｰ") == "サト");
  CHECK(name("サト-") == "サト");     // ASCII hyphen after kana
  CHECK(name("サト〜") == "サト");
  CHECK(name("オオノ") == name("オーノ"));
  CHECK(name("オオノ") == name("オノ"));
  CHECK(name("ユウコ") == name("ユーコ"));
  CHECK(name("ケイコ") == name("ケーコ"));
  CHECK(name("キョウコ") == name("キョーコ"));
  CHECK(name("ハナコ") == "ハナコ");     // nothing to fold
  CHECK(name("アイ") == "アイ");         // イ after a-row is not a long vowel
  CHECK(name("1-2") == "1-2");           // a dash after a digit is not a long vowel
}

TEST_CASE("ヴ, ヂ/ヅ and old kana fold") {
  CHECK(name("ヴァイオリン") == name("バイオリン"));
  CHECK(name("ヴィ") == "ビ");
  CHECK(name("ヴ") == "ブ");
  CHECK(name("ヴェ") == "ベ");
  CHECK(name("ヴォ") == "ボ");
  CHECK(name("ヴュ") == name("ビュ"));
  CHECK(name("ゔぁ") == "バ");            // hiragana ゔ too
  CHECK(name("チヂミ") == name("チジミ"));
  CHECK(name("ミカヅキ") == name("ミカズキ"));
  CHECK(name("ヰヱヲ") == "イエオ");
}

TEST_CASE("iteration marks expand") {
  CHECK(name("佐々木") == "佐佐木");
  CHECK(name("佐々木") == name("佐佐木"));
  CHECK(name("サヽキ") == "ササキ");
  CHECK(name("イスヾ") == name("イスズ"));
  CHECK(name("いすゞ") == name("イスズ"));
}

TEST_CASE("an iteration mark after a long vowel repeats the kana before it") {
  // fuzz_link_normalize: ー and dashes after katakana are dropped (step 5), so the mark follows
  // that kana; left unexpanded, a second pass expanded it (か-ゞ gave カヾ, then カガ).
  CHECK(name("か-ゞ") == "カガ");
  CHECK(name("か-ゞ") == name("かゞ"));
  CHECK(name("カーヽ") == "カカ");
  CHECK(name("スーーヾ") == "スズ");
  CHECK(name("ㇰーヾ") == name("ㇰヾ"));  // a small kana from the phonetic extensions too
  CHECK(name("山ーヽ") == "山ーヽ");  // ー after a kanji stays, and so does the mark
  CHECK(name("ーヽ") == "ーヽ");
  for (std::string_view s : {"か-ゞ", "カーヽ", "ンーヽ", "カアーヾ", "カーヽヽ", "ーヽ", "山ーヽ"}) {
    CAPTURE(s);
    const std::string once = name(s);
    CHECK(name(once) == once);
  }
}

TEST_CASE("old and variant kanji forms fold (mappings/link/kanji-variants.yaml)") {
  CHECK(name("髙橋") == name("高橋"));
  CHECK(name("山﨑") == name("山崎"));
  CHECK(name("山嵜") == name("山崎"));
  CHECK(name("渡邊") == name("渡辺"));
  CHECK(name("渡邉") == name("渡辺"));
  CHECK(name("齋藤") == "斎藤");
  CHECK(name("齊藤") == "斉藤");
  CHECK(name("斎藤") != name("斉藤"));  // different characters: not folded (smx-link(1))
  CHECK(name("濵田") == name("浜田"));
  CHECK(name("濱田") == name("浜田"));
  CHECK(name("嶋田") == name("島田"));
  CHECK(name("澤田") == name("沢田"));
  CHECK(name("廣瀬") == name("広瀬"));
  CHECK(name("國男") == "国男");
  CHECK(name("德永") == name("徳永"));
}

TEST_CASE("a voiced mark that composes with nothing is removed") {
  CHECK(name("ｻﾄｳ ﾞｺ") == name("ｻﾄｳｺ"));
  CHECK(name("ア゛") == "ア");
  // Any combining mark: NFKC spells ¨ (U+00A8) as space + U+0308; the space goes, the mark too.
  CHECK(name("0A\u00A8") == "0a");
  CHECK(name("\u00C4") == "\u00E4");  // a composed letter stays
  CHECK(name("ｶﾞ") == "ガ");
}

TEST_CASE("the normalizer is idempotent") {
  for (std::string_view s : {"ｻﾄｳ ﾊﾅｺ", "さとう　はなこ", "ヴァイオリン", "佐々木", "渡邉", "キョーコ", "ｶﾞｯｺｳ", "オオオノ",
                             "ＡＢＣ－１２３", "イスヾ", "か゛", "ヴー", "ß", "ﬁ",
                             // fuzz_link_normalize: a stray mark that the long-vowel fold moved next to ト
                             "zｻﾄｳ ﾞ\x8a\x85ｺ", "=\xc2" "0A\u00A8\xc2\xc2" "0A", "トウ゛", "ア゛カ"}) {
    CAPTURE(s);
    const std::string once = name(s);
    CHECK(name(once) == once);
  }
}

TEST_CASE("和暦 and Gregorian birth dates") {
  const Normalizer& n = shipped();
  auto date = [&](std::string_view s) { return n.birth_date(s).value; };
  auto problem = [&](std::string_view s) { return n.birth_date(s).problem; };
  CHECK(date("昭和45年3月12日") == "19700312");
  CHECK(date("昭和４５年３月１２日") == "19700312");  // full-width digits
  CHECK(date("S45.3.12") == "19700312");
  CHECK(date("s45/03/12") == "19700312");
  CHECK(date("S450312") == "19700312");
  CHECK(date("昭45.3.12") == "19700312");
  CHECK(date("㍼45年3月12日") == "19700312");  // squared era name, NFKC
  CHECK(date("平成元年1月8日") == "19890108");
  CHECK(date("H1.1.8") == "19890108");
  CHECK(date("令和元年5月1日") == "20190501");
  CHECK(date("R2.2.29") == "20200229");
  CHECK(date("大正元年7月30日") == "19120730");
  CHECK(date("明治45年7月30日") == "19120730");  // the day both eras name
  CHECK(date("T15.12.25") == "19261225");
  CHECK(date("S1.12.25") == "19261225");
  CHECK(date("M6.1.1") == "18730101");
  CHECK(date("1970-03-12") == "19700312");
  CHECK(date("1970/3/12") == "19700312");
  CHECK(date("19700312") == "19700312");
  CHECK(date("197003120830") == "19700312");        // HL7 TS
  CHECK(date("19700312083015.5+0900") == "19700312");
  CHECK(date("1970年3月12日") == "19700312");
  CHECK(n.birth_date("昭和45年3月12日").from_era);
  CHECK_FALSE(n.birth_date("1970-03-12").from_era);

  CHECK(problem("") == DateProblem::empty);
  CHECK(problem("昭和64年1月8日") == DateProblem::outside_era);  // 平成 from 1989-01-08
  CHECK(problem("平成31年5月1日") == DateProblem::outside_era);
  CHECK(problem("大正元年7月29日") == DateProblem::outside_era);
  CHECK(problem("令和元年4月30日") == DateProblem::outside_era);
  CHECK(problem("M5.12.2") == DateProblem::before_1873);     // lunisolar calendar
  CHECK(problem("1970-02-30") == DateProblem::invalid);
  CHECK(problem("H31.2.29") == DateProblem::invalid);
  CHECK(problem("S45") == DateProblem::unrecognized);
  CHECK(problem("197003") == DateProblem::unrecognized);
  CHECK(problem("X45.3.12") == DateProblem::unrecognized);
  CHECK(problem("19700312abc") == DateProblem::unrecognized);
  CHECK(date_problem_code(DateProblem::outside_era) == "LINK-DATE-ERA-RANGE");
}

TEST_CASE("sex, numbers, symbols and postal codes") {
  const Normalizer& n = shipped();
  CHECK(n.sex("M") == "M");
  CHECK(n.sex("ｆ") == "F");
  CHECK(n.sex("1") == "M");
  CHECK(n.sex("2") == "F");
  CHECK(n.sex("女性") == "F");
  CHECK(n.sex("U").empty());
  CHECK(n.sex("9").empty());
  CHECK(n.number("０６ - １２３４５６") == "06123456");
  CHECK(n.postal_code("〒１００－０００１") == "1000001");
  CHECK(n.symbol("あいう－１２") == n.symbol("アイウ12"));
}

TEST_CASE("the normalizer version follows the kanji table") {
  const std::string table = "format: smx-link-kanji-variants/1\nsources: {s: test}\nvariants:\n"
                            "  - {from: 髙, to: 高, source: s}\n";
  const Normalizer a(KanjiVariants::from_string(table, "a.yaml"));
  const Normalizer b(KanjiVariants::from_string("# a comment changes nothing\n" + table, "b.yaml"));
  const Normalizer c(KanjiVariants::from_string(table + "  - {from: 﨑, to: 崎, source: s}\n", "c.yaml"));
  CHECK(a.version().rfind("jpn-norm/2+", 0) == 0);
  CHECK(a.version().size() == std::string("jpn-norm/2+").size() + 16);
  CHECK(a.version() == b.version());
  CHECK(a.version() != c.version());
  CHECK(a.version() != Normalizer().version());
  CHECK(shipped().version() != a.version());
}

TEST_CASE("the kanji table resolves chains and refuses bad rows") {
  const KanjiVariants& table = shipped().variants();
  CHECK(table.map(U'邉') == U'辺');  // 邉 -> 邊 (Unihan) -> 辺 (常用漢字表)
  CHECK(table.map(U'濵') == U'浜');
  CHECK(table.map(U'山') == U'山');
  for (const KanjiVariant& row : table.rows()) {
    CHECK_FALSE(row.source.empty());
    CHECK(table.map(row.to) == row.to);  // resolved: a target is never a source
  }
  auto error_of = [](std::string_view rows) -> std::string {
    try {
      (void)KanjiVariants::from_string("format: smx-link-kanji-variants/1\nsources: {s: test}\nvariants:\n" + std::string(rows),
                                       "t.yaml");
    } catch (const smx::config_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error_of("  - {from: 髙, to: 高, source: s}\n").empty());
  CHECK(error_of("  - {from: 髙高, to: 高, source: s}\n").find("t.yaml:4:") == 0);
  CHECK(error_of("  - {from: 髙, to: 高, source: nowhere}\n").find("not among `sources`") != std::string::npos);
  CHECK(error_of("  - {from: 髙, to: 高, source: s}\n  - {from: 髙, to: 亠, source: s}\n").find("duplicate from") !=
        std::string::npos);
  CHECK(error_of("  - {from: 甲, to: 乙, source: s}\n  - {from: 乙, to: 甲, source: s}\n").find("cycle") !=
        std::string::npos);
  CHECK(error_of("  - {from: \uFA67, to: \u9038, source: s}\n").find("NFKC_Casefold") != std::string::npos);  // 逸 U+FA67
  CHECK(error_of("  - {from: 髙, to: 高}\n").find("missing key 'source'") != std::string::npos);
}

TEST_CASE("a person normalizes field by field, problems go to the sink without values") {
  Person p;
  p.kana_family = "ｻﾄｳ";
  p.kana_given = "ﾊﾅｺ";
  p.kanji_family = "髙橋";
  p.kanji_given = "花子";
  p.birth_date = "昭和64年2月1日";
  p.sex = "X";
  p.insurer_number = "１２３";
  smx::CollectingSink sink;
  const NormalizedPerson n = normalize_person(shipped(), p, {"reg.csv", 7, 0, ""}, sink);
  CHECK(n.kana_name == "サトハナコ");
  CHECK(n.kanji_name == "高橋花子");
  CHECK(n.birth_date.empty());
  CHECK(n.sex.empty());
  CHECK(sink.has("LINK-DATE-ERA-RANGE"));
  CHECK(sink.has("LINK-SEX-UNKNOWN"));
  CHECK(sink.has("LINK-INSURER-SHAPE"));
  for (const smx::Diagnostic& d : sink.items) {
    CHECK(d.where.message == 7);
    CHECK(d.text.find("64") == std::string::npos);  // no date in the text
    CHECK(d.text.find("123") == std::string::npos);
  }
}

TEST_CASE("tokens: HKDF sub-keys, U+001F-joined fields, lowercase hex HMAC-SHA256") {
  const Bytes master = bytes_of("0123456789abcdef0123456789abcdef");
  const TokenKeys keys(master);
  CHECK(keys.id2() == hkdf(master, {}, bytes_of("smx-link/1 id2"), 32));
  NormalizedPerson p;
  p.kana_name = "サトハナコ";
  p.birth_date = "19700312";
  p.sex = "F";
  p.insurer_number = "06123456";
  p.card_symbol = "アイウ";
  p.card_number = "12345";
  const auto id2 = id2_token(keys, p);
  REQUIRE(id2);
  CHECK(*id2 == to_hex(hmac_sha256(keys.id2(), "サトハナコ\x1f" "19700312\x1f" "F")));
  CHECK(id2->size() == 64);
  const auto id1 = id1_token(keys, p);
  REQUIRE(id1);
  CHECK(*id1 == to_hex(hmac_sha256(keys.id1(), "06123456\x1f" "アイウ\x1f" "12345\x1f" "19700312\x1f" "F")));
  CHECK_FALSE(id1_token(keys, p, true));  // no 枝番
  p.card_branch = "01";
  CHECK(*id1_token(keys, p, true) != *id1);
  CHECK(*block_token(keys, p) == to_hex(hmac_sha256(keys.block(), "1970\x1f" "F")));
  // The same person recorded two ways gets the same ID2 after normalization: the NDB failure.
  Person a, b;
  a.kana_family = "ｻﾄｳ";
  a.kana_given = "ﾊﾅｺ";
  a.birth_date = "S45.3.12";
  a.sex = "2";
  b.kana_family = "さとう　";
  b.kana_given = "はなこ";
  b.birth_date = "1970-03-12";
  b.sex = "F";
  smx::NullSink quiet;
  CHECK(*id2_token(keys, normalize_person(shipped(), a, {}, quiet)) == *id2_token(keys, normalize_person(shipped(), b, {}, quiet)));
  CHECK(id2_token(TokenKeys(bytes_of("another key")), p) != id2);
  NormalizedPerson missing = p;
  missing.sex.clear();
  CHECK_FALSE(id2_token(keys, missing));
  CHECK_FALSE(block_token(keys, missing));
}
