// Built-in lists of smx gen: name parts, places, departments, drugs, diagnoses, lab items.
//
// Names are combinations of common family and given names drawn independently: they describe
// no real person. Hospital names, doctors and drug codes are invented. Every string is made of
// JIS X 0208 characters so it can be written in ISO-2022-JP (SS-MIX2 reference §5); ASCII
// hyphens only (no U+2212/U+FF0D, whose mapping differs between ISO-2022-JP and CP932).
#include <charconv>
#include <chrono>
#include <cmath>

#include "gen/internal.hpp"
#include "smx/hl7.hpp"

namespace smx::gen::detail {

const std::vector<NamePart> family_names = {
    {"佐藤", "サトウ"},     {"鈴木", "スズキ"},   {"高橋", "タカハシ"}, {"田中", "タナカ"},
    {"伊藤", "イトウ"},     {"渡辺", "ワタナベ"}, {"山本", "ヤマモト"}, {"中村", "ナカムラ"},
    {"小林", "コバヤシ"},   {"加藤", "カトウ"},   {"吉田", "ヨシダ"},   {"山田", "ヤマダ"},
    {"佐々木", "ササキ"},   {"山口", "ヤマグチ"}, {"松本", "マツモト"}, {"井上", "イノウエ"},
    {"木村", "キムラ"},     {"林", "ハヤシ"},     {"斎藤", "サイトウ"}, {"清水", "シミズ"},
    {"山崎", "ヤマザキ"},   {"森", "モリ"},       {"池田", "イケダ"},   {"橋本", "ハシモト"},
    {"阿部", "アベ"},       {"石川", "イシカワ"}, {"山下", "ヤマシタ"}, {"中島", "ナカジマ"},
    {"石井", "イシイ"},     {"小川", "オガワ"},   {"前田", "マエダ"},   {"岡田", "オカダ"},
    {"長谷川", "ハセガワ"}, {"藤田", "フジタ"},   {"後藤", "ゴトウ"},   {"近藤", "コンドウ"},
    {"村上", "ムラカミ"},   {"遠藤", "エンドウ"}, {"青木", "アオキ"},   {"坂本", "サカモト"},
};

const std::vector<NamePart> male_names = {
    {"太郎", "タロウ"},   {"一郎", "イチロウ"}, {"健太", "ケンタ"},   {"大輔", "ダイスケ"},
    {"翔太", "ショウタ"}, {"拓也", "タクヤ"},   {"浩", "ヒロシ"},     {"誠", "マコト"},
    {"隆", "タカシ"},     {"修", "オサム"},     {"和夫", "カズオ"},   {"正男", "マサオ"},
    {"健一", "ケンイチ"}, {"直樹", "ナオキ"},   {"悠斗", "ユウト"},   {"蓮", "レン"},
    {"大翔", "ヒロト"},   {"陽太", "ヨウタ"},   {"勇気", "ユウキ"},   {"剛", "ツヨシ"},
    {"茂", "シゲル"},     {"清", "キヨシ"},     {"進", "ススム"},     {"明", "アキラ"},
};

const std::vector<NamePart> female_names = {
    {"花子", "ハナコ"}, {"陽子", "ヨウコ"},   {"恵子", "ケイコ"},   {"洋子", "ヨウコ"},
    {"幸子", "サチコ"}, {"美咲", "ミサキ"},   {"愛", "アイ"},       {"優子", "ユウコ"},
    {"真由美", "マユミ"}, {"由美子", "ユミコ"}, {"明美", "アケミ"}, {"直美", "ナオミ"},
    {"さくら", "サクラ"}, {"結衣", "ユイ"},   {"陽菜", "ヒナ"},     {"葵", "アオイ"},
    {"美穂", "ミホ"},   {"久美子", "クミコ"}, {"智子", "トモコ"},   {"京子", "キョウコ"},
    {"節子", "セツコ"}, {"和子", "カズコ"},   {"順子", "ジュンコ"}, {"文子", "フミコ"},
};

const std::vector<Place> places = {
    {"東京都千代田区", "100"}, {"東京都世田谷区", "154"}, {"神奈川県横浜市港北区", "222"},
    {"埼玉県さいたま市浦和区", "330"}, {"千葉県千葉市中央区", "260"}, {"大阪府大阪市北区", "530"},
    {"京都府京都市左京区", "606"}, {"兵庫県神戸市中央区", "650"}, {"愛知県名古屋市中区", "460"},
    {"静岡県静岡市葵区", "420"}, {"宮城県仙台市青葉区", "980"}, {"北海道札幌市中央区", "060"},
    {"広島県広島市中区", "730"}, {"福岡県福岡市博多区", "812"}, {"新潟県新潟市中央区", "951"},
    {"長野県松本市", "390"}, {"熊本県熊本市中央区", "860"}, {"岡山県岡山市北区", "700"},
};

const std::vector<std::string_view> towns = {
    "本町", "中央", "緑町", "桜台", "栄町", "旭町", "幸町", "若葉", "東町", "西町",
    "南町", "北町", "青葉台", "泉町", "松原", "富士見", "日の出町", "春日", "駅前", "山手",
};

std::string random_street(Rng& rng) {
  std::string street(rng.pick(towns));
  const auto chome = rng.between(1, 9);
  const auto block = rng.between(1, 30);
  const auto house = rng.between(1, 20);
  return street + std::to_string(chome) + "-" + std::to_string(block) + "-" + std::to_string(house);
}

// User-defined table #0069 (reference §3 field 6); codes as the guideline samples use them.
const std::vector<Department> departments = {
    {"01", "内科"},     {"02", "外科"},       {"03", "小児科"},     {"04", "整形外科"},
    {"05", "産婦人科"}, {"06", "眼科"},       {"07", "耳鼻咽喉科"}, {"08", "皮膚科"},
    {"09", "泌尿器科"}, {"10", "精神科"},     {"11", "循環器内科"}, {"12", "消化器内科"},
    {"13", "呼吸器内科"}, {"14", "神経内科"}, {"15", "呼吸器外科"}, {"16", "腎臓内科"},
};

// Codes are invented 9-digit numbers of HOT9 shape (reference §6.5), not real HOT codes.
const std::vector<Drug> drugs = {
    {"900000101", "アムロジピン錠５ｍｇ", "TAB", "錠", 1, 2},
    {"900000202", "ロキソプロフェンナトリウム錠６０ｍｇ", "TAB", "錠", 1, 3},
    {"900000303", "メトホルミン塩酸塩錠２５０ｍｇ", "TAB", "錠", 2, 6},
    {"900000404", "ランソプラゾールＯＤ錠１５ｍｇ", "TAB", "錠", 1, 1},
    {"900000505", "アトルバスタチン錠１０ｍｇ", "TAB", "錠", 1, 1},
    {"900000606", "カルボシステイン錠２５０ｍｇ", "TAB", "錠", 3, 6},
    {"900000707", "酸化マグネシウム錠３３０ｍｇ", "TAB", "錠", 2, 6},
    {"900000808", "レバミピド錠１００ｍｇ", "TAB", "錠", 3, 3},
    {"900000909", "アセトアミノフェン錠２００ｍｇ", "TAB", "錠", 2, 4},
    {"900001010", "ビソプロロールフマル酸塩錠２．５ｍｇ", "TAB", "錠", 1, 1},
    {"900001111", "アムホテリシンＢシロップ", "ML", "ミリリットル", 2, 6},
    {"900001212", "葛根湯エキス顆粒", "G", "グラム", 5, 8},
};

// JAMI standard usage codes (JAMISDP01) as in the guideline sample RDE^O11.
const std::vector<Usage> usages = {
    {"1013044400000000", "内服・経口・１日３回朝昼夕食後"},
    {"1012040400000000", "内服・経口・１日２回朝夕食後"},
    {"1011000400000000", "内服・経口・１日１回朝食後"},
    {"1011000000100000", "内服・経口・１日１回就寝前"},
};

const std::vector<Diagnosis> diagnoses = {
    {"I10", "本態性高血圧症"}, {"E119", "２型糖尿病"},     {"E785", "脂質異常症"},
    {"K297", "胃炎"},          {"J069", "急性上気道炎"},   {"M545", "腰痛症"},
    {"N189", "慢性腎臓病"},    {"I489", "心房細動"},       {"J45", "気管支喘息"},
    {"K210", "逆流性食道炎"},  {"E039", "甲状腺機能低下症"}, {"M179", "変形性膝関節症"},
};

const std::vector<std::string_view> hospital_words = {
    "みなと", "さくら", "青葉", "中央", "東山", "西が丘", "北野", "南浜", "若草", "緑ヶ丘",
    "朝日", "白鳥", "ひばり", "つばき", "松風", "杉の木",
};
const std::vector<std::string_view> doctor_family = {"医師", "診療", "検査", "処方", "外来", "病棟"};
const std::vector<std::string_view> doctor_given = {"一郎", "二郎", "三郎", "花子", "春子", "秋子"};

// JLAC10 = analyte(5) + identification(4) + material(3) + method(3) + result id(2) (reference
// §6.4). Materials: 023 serum, 022 plasma, 019 whole blood, 001 urine. Method codes 275 (ALP
// IFCC) and 279 (LD IFCC) select the JCCLS intervals restricted by method (jccls.yaml); the
// other method codes are of the right shape, taken from the sources cited in analytes.yaml
// where they give one (3A010000002327101, 2A040000001930102, 3D045000001906202).
const std::vector<LabItem> lab_items = {
    // analyte, rest, specimen, qualitative, detection, report limit, conventional, si
    {"2A010", "000001930101", Specimen::whole_blood, false, 0, 0, "/uL", ""},
    {"2A020", "000001930101", Specimen::whole_blood, false, 0, 0, "10*4/uL", ""},
    {"2A030", "000001930101", Specimen::whole_blood, false, 0, 0, "", "g/L"},
    {"2A040", "000001930102", Specimen::whole_blood, false, 0, 0, "", ""},
    {"2A050", "000001930101", Specimen::whole_blood, false, 0, 0, "10*4/uL", ""},
    {"2A060", "000001930101", Specimen::whole_blood, false, 0, 0, "", ""},
    {"2A070", "000001930101", Specimen::whole_blood, false, 0, 0, "", ""},
    {"2A080", "000001930101", Specimen::whole_blood, false, 0, 0, "", ""},
    {"3D046", "000001906202", Specimen::whole_blood, false, 0, 0, "", ""},
    {"3D010", "000002227101", Specimen::plasma, false, 0, 0, "", "mmol/L"},
    {"3A010", "000002327101", Specimen::serum, false, 0, 0, "", "g/L"},
    {"3A015", "000002327101", Specimen::serum, false, 0, 0, "", "g/L"},
    {"3B035", "000002327101", Specimen::serum, false, 0, 0, "", ""},
    {"3B045", "000002327101", Specimen::serum, false, 0, 0, "", ""},
    {"3B050", "000002327901", Specimen::serum, false, 0, 0, "", ""},
    {"3B070", "000002327501", Specimen::serum, false, 0, 0, "", ""},
    {"3B090", "000002327101", Specimen::serum, false, 0, 0, "", ""},
    {"3B110", "000002327101", Specimen::serum, false, 0, 0, "", ""},
    {"3B160", "000002327101", Specimen::serum, false, 0, 0, "", ""},
    {"3B010", "000002327101", Specimen::serum, false, 0, 0, "", ""},
    {"3C025", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3C015", "000002327101", Specimen::serum, false, 0, 0, "", "umol/L"},
    {"3C020", "000002327101", Specimen::serum, false, 0, 0, "", "umol/L"},
    {"3H010", "000002327101", Specimen::serum, false, 0, 0, "meq/L", ""},
    {"3H015", "000002327101", Specimen::serum, false, 0, 0, "meq/L", ""},
    {"3H020", "000002327101", Specimen::serum, false, 0, 0, "meq/L", ""},
    {"3H030", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3H040", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3I010", "000002327101", Specimen::serum, false, 0, 0, "", "umol/L"},
    {"3F050", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3F015", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3F070", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3F077", "000002327101", Specimen::serum, false, 0, 0, "", "mmol/L"},
    {"3J010", "000002327101", Specimen::serum, false, 0, 0, "", "umol/L"},
    {"5C070", "000002306201", Specimen::serum, false, 0.02, 30, "", "mg/L"},
    {"5A010", "000002306201", Specimen::serum, false, 0, 0, "", "g/L"},
    {"5A015", "000002306201", Specimen::serum, false, 0, 0, "", "g/L"},
    {"5A020", "000002306201", Specimen::serum, false, 0, 0, "", "g/L"},
    {"5B023", "000002306201", Specimen::serum, false, 0, 0, "", "g/L"},
    {"5B024", "000002306201", Specimen::serum, false, 0, 0, "", "g/L"},
    {"1A010", "000000190111", Specimen::urine, true, 0, 0, "", ""},
    {"1A020", "000000190111", Specimen::urine, true, 0, 0, "", ""},
    {"1A100", "000000190111", Specimen::urine, true, 0, 0, "", ""},
    {"5F016", "141002305311", Specimen::serum, true, 0, 0, "", ""},
};

std::string_view specimen_code(Specimen specimen) {
  switch (specimen) {
    case Specimen::serum: return "023";
    case Specimen::plasma: return "022";
    case Specimen::whole_blood: return "019";
    case Specimen::urine: return "001";
  }
  return "023";
}
std::string_view specimen_name(Specimen specimen) {
  switch (specimen) {
    case Specimen::serum: return "血清";
    case Specimen::plasma: return "血漿";
    case Specimen::whole_blood: return "全血";
    case Specimen::urine: return "尿";
  }
  return "血清";
}

// ---- dates ----------------------------------------------------------------------------------
// Days since 1970-01-01 in the proleptic Gregorian calendar, through <chrono> (sys_days).

std::int64_t days_from_yyyymmdd(std::string_view s) {
  auto number = [&](std::size_t at, std::size_t length) {
    unsigned value = 0;
    for (std::size_t i = at; i < at + length; ++i) value = value * 10 + static_cast<unsigned>(s[i] - '0');
    return value;
  };
  const std::chrono::year_month_day date{std::chrono::year{static_cast<int>(number(0, 4))},
                                         std::chrono::month{number(4, 2)}, std::chrono::day{number(6, 2)}};
  return std::chrono::sys_days{date}.time_since_epoch().count();
}

void append_yyyymmdd(std::string& out, std::int64_t days) {
  // gen's days lie within four-digit years (the window is given as YYYYMMDD, births a century
  // at most before it), so the date always has its eight digits.
  hl7::append_dt(out, std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}});
}

// ---- text -----------------------------------------------------------------------------------
std::string fullwidth(std::string_view ascii) {
  std::string out;
  for (unsigned char c : ascii) {
    if (c < 0x21 || c > 0x7E) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    // U+FF01..U+FF5E: 3-byte UTF-8 EF BC xx / EF BD xx.
    unsigned code = 0xFF01u + (c - 0x21u);
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
  return out;
}

void append_fixed(std::string& out, double value, int decimals) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
  std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  if (text.find_first_not_of("-0.") == std::string_view::npos && !text.empty() && text[0] == '-')
    text.remove_prefix(1);  // -0.0 -> 0.0
  out.append(text);
}

int shortest_decimals(double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  std::size_t dot = text.find('.');
  return dot == std::string_view::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

}  // namespace smx::gen::detail
