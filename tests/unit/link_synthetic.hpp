// Synthetic people for the smx link tests: no real persons. Family names follow the public
// frequencies of mappings/link/family-names.yaml (明治安田生命 2018, source in the file) for the
// 17 names listed there; the rest of the population gets made-up names of 2-4 random kana
// syllables. A fixed-seed generator (splitmix64) makes every run the same.
#pragma once

#include <smx/link.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace link_synthetic {

struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * static_cast<double>(n)); }
};

struct PublicName {
  std::string_view kanji, kana;
  double count;
};

// mappings/link/family-names.yaml (the same 17 rows).
inline constexpr std::array<PublicName, 17> public_names = {{
    {"佐藤", "サトウ", 100588}, {"鈴木", "スズキ", 94706},   {"高橋", "タカハシ", 74442}, {"田中", "タナカ", 69195},
    {"渡辺", "ワタナベ", 61794}, {"伊藤", "イトウ", 58889},   {"中村", "ナカムラ", 55912}, {"小林", "コバヤシ", 54350},
    {"山本", "ヤマモト", 53604}, {"加藤", "カトウ", 46464},   {"佐々木", "ササキ", 36009}, {"長谷川", "ハセガワ", 19944},
    {"五十嵐", "イガラシ", 8986}, {"久保田", "クボタ", 7978}, {"大久保", "オオクボ", 7284}, {"小野寺", "オノデラ", 5220},
    {"佐久間", "サクマ", 4929},
}};
inline constexpr double surveyed = 6550000;  // policy holders counted

inline constexpr std::array<std::string_view, 40> syllables = {
    "カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ", "テ", "ト", "ナ", "ニ", "ヌ", "ネ", "ノ",
    "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム", "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ン"};
inline constexpr std::array<std::string_view, 20> kanji_pool = {"山", "川", "田", "野", "原", "木", "本", "村", "井", "森",
                                                                "石", "松", "竹", "池", "岡", "沢", "島", "谷", "西", "東"};
inline constexpr std::array<std::string_view, 12> given_kana = {"ハナコ", "タロウ", "ユウコ", "ケンジ", "ミホ", "ヒロシ",
                                                                "アキラ", "マユミ", "ケイコ", "シンジ", "ナオミ", "ダイスケ"};
inline constexpr std::array<std::string_view, 12> given_kanji = {"花子", "太郎", "優子", "健二", "美穂", "博",
                                                                 "明", "真由美", "恵子", "慎二", "直美", "大輔"};

inline std::string made_up(Rng& rng, std::size_t min, std::size_t max) {
  std::string s;
  const std::size_t n = min + rng.below(max - min + 1);
  // The first syllable is never ン.
  for (std::size_t i = 0; i < n; ++i) s += syllables[rng.below(i == 0 ? syllables.size() - 1 : syllables.size())];
  return s;
}

struct Truth {
  std::string family_kana;  // as drawn (before any recording variance)
  bool public_name = false;
};

// `n` people with birth years 1930-2009, both sexes.
inline std::vector<smx::link::Person> population(std::size_t n, std::uint64_t seed, std::vector<Truth>* truth = nullptr) {
  Rng rng{seed};
  std::vector<smx::link::Person> people;
  people.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    smx::link::Person p;
    double x = rng.uniform() * surveyed;
    const PublicName* picked = nullptr;
    for (const PublicName& name : public_names) {
      if (x < name.count) {
        picked = &name;
        break;
      }
      x -= name.count;
    }
    if (picked) {
      p.kana_family = picked->kana;
      p.kanji_family = picked->kanji;
    } else {
      p.kana_family = made_up(rng, 2, 4);
      p.kanji_family = std::string(kanji_pool[rng.below(kanji_pool.size())]) + std::string(kanji_pool[rng.below(kanji_pool.size())]);
    }
    const std::size_t g = rng.below(given_kana.size());
    p.kana_given = given_kana[g];
    p.kanji_given = given_kanji[g];
    const int year = 1930 + static_cast<int>(rng.below(80));
    const int month = 1 + static_cast<int>(rng.below(12));
    const int day = 1 + static_cast<int>(rng.below(28));
    auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    p.birth_date = std::to_string(year) + "-" + two(month) + "-" + two(day);
    p.sex = rng.below(2) ? "M" : "F";
    p.postal_code = std::to_string(1000000 + rng.below(8999999));
    p.local_id = "P" + std::to_string(i);
    if (truth) truth->push_back({p.kana_family, picked != nullptr});
    people.push_back(std::move(p));
  }
  return people;
}

// Half-width katakana for the full-width katakana this file uses (ｱ-ﾝ and voiced marks).
inline std::string half_width(std::string_view full) {
  static const std::string_view from[] = {"カ", "キ", "ク", "ケ", "コ", "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ", "テ",
                                          "ト", "ナ", "ニ", "ヌ", "ネ", "ノ", "ハ", "ヒ", "フ", "ヘ", "ホ", "マ", "ミ", "ム",
                                          "メ", "モ", "ヤ", "ユ", "ヨ", "ラ", "リ", "ル", "レ", "ロ", "ワ", "ン", "ア", "イ",
                                          "ウ", "エ", "オ", "ガ", "ギ", "グ", "ゲ", "ゴ", "ザ", "ジ", "ズ", "ゼ", "ゾ", "ダ",
                                          "デ", "ド", "バ", "ビ", "ブ", "ベ", "ボ"};
  static const std::string_view to[] = {"ｶ", "ｷ", "ｸ", "ｹ", "ｺ", "ｻ", "ｼ", "ｽ", "ｾ", "ｿ", "ﾀ", "ﾁ", "ﾂ", "ﾃ", "ﾄ", "ﾅ",
                                        "ﾆ", "ﾇ", "ﾈ", "ﾉ", "ﾊ", "ﾋ", "ﾌ", "ﾍ", "ﾎ", "ﾏ", "ﾐ", "ﾑ", "ﾒ", "ﾓ", "ﾔ", "ﾕ",
                                        "ﾖ", "ﾗ", "ﾘ", "ﾙ", "ﾚ", "ﾛ", "ﾜ", "ﾝ", "ｱ", "ｲ", "ｳ", "ｴ", "ｵ", "ｶﾞ", "ｷﾞ", "ｸﾞ",
                                        "ｹﾞ", "ｺﾞ", "ｻﾞ", "ｼﾞ", "ｽﾞ", "ｾﾞ", "ｿﾞ", "ﾀﾞ", "ﾃﾞ", "ﾄﾞ", "ﾊﾞ", "ﾋﾞ", "ﾌﾞ",
                                        "ﾍﾞ", "ﾎﾞ"};
  std::string out;
  std::size_t i = 0;
  while (i < full.size()) {
    bool done = false;
    for (std::size_t k = 0; k < std::size(from); ++k)
      if (full.substr(i, from[k].size()) == from[k]) {
        out += to[k];
        i += from[k].size();
        done = true;
        break;
      }
    if (!done) out += full[i++];
  }
  return out;
}

// The same person as another facility's register writes them: one of the recording styles
// seen in practice (half-width kana, a space between names, a 和暦 birth date, old kanji
// forms, ISO/IEC 5218 sex codes), and with probability `typo` one kana of the given name
// replaced (which only the Bloom filters can forgive).
inline smx::link::Person recorded_elsewhere(const smx::link::Person& p, Rng& rng, double typo) {
  smx::link::Person q = p;
  q.kana_family = half_width(p.kana_family) + " ";
  q.kana_given = half_width(p.kana_given);
  for (const auto& [from, to] : std::initializer_list<std::pair<std::string_view, std::string_view>>{
           {"高", "髙"}, {"崎", "﨑"}, {"辺", "邊"}, {"沢", "澤"}, {"島", "嶋"}, {"々", "佐"}}) {
    const std::size_t at = q.kanji_family.find(from);
    if (at != std::string::npos) q.kanji_family.replace(at, from.size(), to);
  }
  // 和暦 birth date where the year allows it.
  const int year = std::stoi(p.birth_date.substr(0, 4));
  if (year >= 1927 && year <= 1988)
    q.birth_date = "S" + std::to_string(year - 1925) + "." + p.birth_date.substr(5, 2) + "." + p.birth_date.substr(8, 2);
  q.sex = p.sex == "M" ? "1" : "2";
  if (rng.uniform() < typo && !q.kana_given.empty()) {
    // Replace the last character with another syllable (a transcription error).
    std::string given(p.kana_given);
    const std::size_t last = given.size() - 3;  // every kana here is 3 bytes
    given.replace(last, 3, syllables[rng.below(syllables.size() - 1)]);
    q.kana_given = given;
  }
  return q;
}

}  // namespace link_synthetic
