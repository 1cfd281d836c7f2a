// The HTML page of smx report: one file, inline stylesheet (screen and print), inline SVG, no
// script and no outside resource, so it opens offline and prints as it looks.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "charts.hpp"
#include "smx/report.hpp"

namespace smx::report {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "–";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

namespace {

constexpr const char* kStyle = R"(
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic","Meiryo","IPAPGothic","IPAGothic",sans-serif;margin:1.5em auto;max-width:60em;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;border-bottom:2px solid #333}h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #999}h3{font-size:1.1em}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.highlight td{background:#fde8ec;font-weight:bold}tr.flagged td{background:#fff1de}
.flag{color:#b00020;font-weight:bold}.note{color:#555;font-size:.9em}
figure{margin:1em 0}figcaption{font-size:.85em;color:#444}
svg.chart{max-width:100%;height:auto;background:#fff}
svg .grid{stroke:#e4e4e4}svg .axis{stroke:#555}svg .tick{font-size:11px;fill:#444}svg .label{font-size:12px;fill:#222}
svg .name{font-size:12px;fill:#222}svg .name.highlight{fill:#b00020;font-weight:bold}
svg .limit95{fill:none;stroke:#6c8ebf;stroke-dasharray:6 4}svg .limit998{fill:none;stroke:#23466e;stroke-dasharray:2 3}
svg .target{stroke:#222;stroke-width:1.2}
svg circle.mark{fill:#4a6fa5;stroke:#fff}svg circle.mark.out95{fill:#e0a100}svg circle.mark.out998{fill:#d45500}svg circle.mark.highlight{fill:#b00020;stroke:#000}
svg .whisker{stroke:#333}svg .iqr{fill:#bcd0ea;stroke:#333}svg .median{stroke:#000;stroke-width:2}
svg g.flagged .iqr{fill:#ffb347}svg g.flagged .name{fill:#b00020;font-weight:bold}svg g.highlight .name{font-weight:bold;text-decoration:underline}
svg .quant{fill:#4a6fa5}svg .qual{fill:#e0a100}svg .other{fill:#aaa}
svg .codes{fill:#4a6fa5}svg .units{fill:#59a14f}svg .values{fill:#9c755f}
nav ul{columns:2;font-size:.9em}
@media print{body{max-width:none;margin:0;font-size:10pt}nav{display:none}figure,table,section.analyte{break-inside:avoid}
h2{break-before:page}h2:first-of-type{break-before:auto}a{color:inherit;text-decoration:none}
tr.highlight td,tr.flagged td{-webkit-print-color-adjust:exact;print-color-adjust:exact}svg{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
)";

std::string anchor(std::string_view prefix, std::string_view name) {
  std::string out(prefix);
  for (unsigned char c : name) out += std::isalnum(c) ? static_cast<char>(c) : '_';
  return out;
}

std::string position_text(int outside) {
  switch (outside) {
    case 2: return "99.8%管理限界より上 (above 99.8%)";
    case 1: return "95%管理限界より上 (above 95%)";
    case -1: return "95%管理限界より下 (below 95%)";
    case -2: return "99.8%管理限界より下 (below 99.8%)";
    default: return "管理限界内 (within 95%)";
  }
}

std::string indicator_section(const Indicator& ind, const Options& o) {
  std::string h = "<section class=\"indicator\" id=\"" + anchor("qi-", ind.name) + "\">\n<h3>" + escape_html(ind.name) + "</h3>\n";
  std::string periods;
  for (const std::string& p : ind.periods) periods += (periods.empty() ? "" : ", ") + p;
  h += "<p>期間 (periods): " + escape_html(o.period.empty() ? periods + (ind.periods.size() > 1 ? " (合算 summed)" : "") : o.period) +
       "。全体 (overall) " + format_number(ind.target * ind.scale) + "（" +
       (ind.model == FunnelModel::binomial ? "二項 binomial" : "ポアソン Poisson") +
       (ind.scale != 1 ? ", ×" + format_number(ind.scale) : "") + "）。";
  if (ind.suppressed) h += " 秘匿セル (suppressed cells, not shown): " + std::to_string(ind.suppressed) + "。";
  if (ind.zero_denominator) h += " 分母0のセル (denominator 0): " + std::to_string(ind.zero_denominator) + "。";
  h += "</p>\n";
  if (ind.points.empty()) return h + "<p class=\"note\">表示できる施設がありません (no facility to show).</p>\n</section>\n";
  std::vector<const FunnelPoint*> ranked;
  for (const FunnelPoint& p : ind.points) ranked.push_back(&p);
  std::stable_sort(ranked.begin(), ranked.end(), [](const FunnelPoint* a, const FunnelPoint* b) { return a->rate > b->rate; });
  if (!o.facility.empty() && std::none_of(ranked.begin(), ranked.end(), [&](const FunnelPoint* p) { return p->facility == o.facility; }))
    h += "<p class=\"standing\"><strong>" + escape_html(o.facility) +
         "</strong>: この指標の値がありません (no value: not in the file, suppressed, or denominator 0)。</p>\n";
  for (std::size_t i = 0; i < ranked.size(); ++i)
    if (ranked[i]->facility == o.facility)
      h += "<p class=\"standing\"><strong>" + escape_html(o.facility) + "</strong>: " +
           format_number(ranked[i]->rate * ind.scale) + "、高い順 " + std::to_string(i + 1) + " / " +
           std::to_string(ranked.size()) + " 施設、" + position_text(ranked[i]->outside) + "。</p>\n";
  h += "<figure>" + detail::funnel_svg(ind, o.facility) +
       "<figcaption>ファネルプロット: 各施設の値と分母。実線 = 全体値、破線 = 95%、点線 = 99.8% 管理限界 "
       "(Spiegelhalter 2005)。</figcaption></figure>\n";
  h += "<table><thead><tr><th>施設 facility</th><th>分子 numerator</th><th>分母 denominator</th><th>値 value</th>"
       "<th>位置 position</th></tr></thead><tbody>\n";
  for (const FunnelPoint* p : ranked) {
    h += std::string("<tr") + (p->facility == o.facility ? " class=\"highlight\"" : "") + "><td>" + escape_html(p->facility) +
         "</td><td class=\"n\">" + format_number(p->numerator) + "</td><td class=\"n\">" + format_number(p->denominator) +
         "</td><td class=\"n\">" + format_number(p->rate * ind.scale) + "</td><td>" + position_text(p->outside) + "</td></tr>\n";
  }
  return h + "</tbody></table>\n</section>\n";
}

std::string units_text(const Cell& c) {
  std::string out;
  for (const auto& [unit, count] : c.units)
    out += (out.empty() ? "" : ", ") + (unit.empty() ? std::string("(なし none)") : unit) + " " + std::to_string(count);
  return out;
}

struct Flag {
  std::string code, name, facility, reason;
};

std::string analyte_section(const Analyte& a, const std::vector<FacilityJudgement>& judged, const Options& o, bool sampled) {
  std::string h = "<section class=\"analyte\" id=\"" + anchor("lab-", a.code) + "\">\n<h3>" + escape_html(a.code) + " " +
                  escape_html(a.name) + "</h3>\n";
  bool any_values = false, any_mix = false;
  for (const FacilityJudgement& j : judged) {
    any_values = any_values || j.quantiles.has_value();
    const Cell& c = a.facilities.at(j.facility);
    any_mix = any_mix || c.qualitative > 0 || c.other > 0;
  }
  if (any_values)
    h += "<figure>" + detail::box_svg(a, judged, o.facility) +
         "<figcaption>箱ひげ図: 箱 = 四分位範囲、太線 = 中央値、ひげ = 最小〜最大" +
         std::string(sampled ? "（上限を超えたセルは無作為標本から ≈）" : "") + "。⚠ = 中央値が他施設と約10倍以上異なる。</figcaption></figure>\n";
  if (any_mix || !any_values)
    h += "<figure>" + detail::mix_svg(a, judged, o.facility) + "<figcaption>結果の種類の割合 (share of result types)。</figcaption></figure>\n";
  else
    h += "<p class=\"note\">全施設とも定量結果のみ (all results quantitative).</p>\n";
  h += "<table><thead><tr><th>施設</th><th>定量 quant.</th><th>定性 qual.</th><th>その他 text</th><th>中央値 median</th>"
       "<th>Q1–Q3</th><th>対他施設 log10比</th><th>単位 units</th><th>判定 flag</th></tr></thead><tbody>\n";
  for (const FacilityJudgement& j : judged) {
    const Cell& c = a.facilities.at(j.facility);
    std::string flag;
    if (j.unit_flag) flag += "⚠ 単位疑い (×" + format_number(std::pow(10.0, *j.log10_ratio)) + ")";
    if (j.mix_flag) flag += std::string(flag.empty() ? "" : "; ") + "⚠ 定性/定量の構成が異なる";
    std::string cls = j.facility == o.facility ? "highlight" : (j.unit_flag || j.mix_flag) ? "flagged" : "";
    h += "<tr" + (cls.empty() ? std::string() : " class=\"" + cls + "\"") + "><td>" + escape_html(j.facility) +
         "</td><td class=\"n\">" + std::to_string(c.quantitative) + (c.censored ? " (不等号 " + std::to_string(c.censored) + ")" : "") +
         "</td><td class=\"n\">" + std::to_string(c.qualitative) + "</td><td class=\"n\">" + std::to_string(c.other) +
         "</td><td class=\"n\">" + (j.quantiles ? std::string(c.sampled() ? "≈" : "") + format_number(j.quantiles->median) : "–") +
         "</td><td class=\"n\">" + (j.quantiles ? format_number(j.quantiles->q1) + "–" + format_number(j.quantiles->q3) : "–") +
         "</td><td class=\"n\">" + (j.log10_ratio ? format_number(*j.log10_ratio) : "–") + "</td><td>" +
         escape_html(units_text(c)) + "</td><td class=\"flag\">" + escape_html(flag) + "</td></tr>\n";
  }
  return h + "</tbody></table>\n</section>\n";
}

std::string lab_part(const LabSummary& lab, const Options& o) {
  std::vector<Flag> flags;
  std::string sections;
  for (const auto& [code, a] : lab.analytes) {
    const std::vector<FacilityJudgement> judged = judge(a, o.min_count);
    for (const FacilityJudgement& j : judged) {
      if (j.unit_flag)
        flags.push_back({code, a.name, j.facility,
                         "中央値が他施設の約" + format_number(std::pow(10.0, *j.log10_ratio)) + "倍 (median ×" +
                             format_number(std::pow(10.0, *j.log10_ratio)) + " of the others')"});
      if (j.mix_flag)
        flags.push_back({code, a.name, j.facility,
                         "定性結果の割合 " + format_number(j.qualitative_share * 100) + "% (他施設との差 " +
                             format_number(*j.mix_difference * 100) + " ポイント)"});
    }
    sections += analyte_section(a, judged, o, lab.sampled);
  }
  std::string h = "<section id=\"lab\">\n<h2>検査値の施設間比較 (lab values across facilities)</h2>\n";
  h += "<p>メッセージ " + std::to_string(lab.records) + "、OBX " + std::to_string(lab.observations) + "、JLAC10コード " +
       std::to_string(lab.analytes.size()) + "。";
  std::uint64_t no_code = 0;
  for (const auto& [facility, count] : lab.no_jlac10) no_code += count;
  if (no_code) h += " JLAC10コードの無いOBX (no JLAC10 code, not compared): " + std::to_string(no_code) + "。";
  if (lab.sampled)
    h += " <span class=\"note\">一部のセルは --max-values " + std::to_string(o.max_values) +
         " を超えたため、中央値・四分位は無作為標本による近似 (≈) です。</span>";
  h += "</p>\n<h3 id=\"flags\">要確認 (flagged)</h3>\n";
  if (flags.empty()) {
    h += "<p>フラグはありません (no facility flagged).</p>\n";
  } else {
    h += "<table class=\"flags\"><thead><tr><th>JLAC10</th><th>項目 name</th><th>施設 facility</th><th>理由 reason</th></tr></thead><tbody>\n";
    for (const Flag& f : flags)
      h += "<tr class=\"flagged\"><td><a href=\"#" + anchor("lab-", f.code) + "\">" + escape_html(f.code) + "</a></td><td>" +
           escape_html(f.name) + "</td><td class=\"flag\">" + escape_html(f.facility) + "</td><td>" + escape_html(f.reason) +
           "</td></tr>\n";
    h += "</tbody></table>\n";
  }
  return h + sections + "</section>\n";
}

std::string coverage_part(const std::vector<CoverageRow>& rows, const Options& o) {
  std::string h = "<section id=\"coverage\">\n<h2>マッピング率 (mapping coverage, smx labnorm --coverage)</h2>\n";
  if (rows.empty()) return h + "<p class=\"note\">coverage レコードがありません (no coverage records).</p>\n</section>\n";
  h += "<figure>" + detail::coverage_svg(rows, o.facility) + "<figcaption>サイトごとのOBXに占める割合。</figcaption></figure>\n";
  h += "<table><thead><tr><th>サイト site</th><th>OBX</th><th>コード codes</th><th>単位 units</th><th>値 values</th>"
       "<th>未対応コード種類 unmapped codes</th><th>未対応単位種類 unmapped units</th></tr></thead><tbody>\n";
  auto share = [](std::uint64_t part, std::uint64_t whole) {
    return whole ? format_number(100.0 * static_cast<double>(part) / static_cast<double>(whole)) + "%" : std::string("–");
  };
  for (const CoverageRow& r : rows)
    h += std::string("<tr") + (r.site == o.facility ? " class=\"highlight\"" : "") + "><td>" + escape_html(r.site) +
         "</td><td class=\"n\">" + std::to_string(r.obx) + "</td><td class=\"n\">" + share(r.codes_mapped, r.obx) +
         "</td><td class=\"n\">" + share(r.units_mapped, r.obx) + "</td><td class=\"n\">" + share(r.values_parsed, r.obx) +
         "</td><td class=\"n\">" + std::to_string(r.unmapped_codes) + "</td><td class=\"n\">" + std::to_string(r.unmapped_units) +
         "</td></tr>\n";
  return h + "</tbody></table>\n</section>\n";
}

constexpr const char* kMethod = R"(<section id="method">
<h2>方法 (method)</h2>
<p>ファネルプロット (funnel plot): Spiegelhalter DJ. Funnel plots for comparing institutional performance.
Statistics in Medicine 2005;24:1185–1202, doi:10.1002/sim.1970. 目標値 θ<sub>0</sub> = 全施設の分子合計 / 分母合計。
管理限界は正規近似: 割合 (二項) θ<sub>0</sub> ± z·√(θ<sub>0</sub>(1−θ<sub>0</sub>)/n)、率 (ポアソン) θ<sub>0</sub> ± z·√(θ<sub>0</sub>/n)、
n = 施設の分母、z = 1.960 (95%)、3.090 (99.8%)。過分散の補正はしていません (no over-dispersion adjustment).</p>
<p>検査値のフラグ: 数値結果が --min-count 件以上ある施設について、その中央値 m と、同じ条件を満たす他の施設 (2施設以上) の中央値の
中央値 r を比べ、|log<sub>10</sub>(m/r)| ≥ 0.9 (約8倍以上) なら単位の誤りを疑う。定性結果の割合が他施設の割合の中央値と
0.5 (50ポイント) 以上異なる施設は、報告形式の違いとしてフラグを立てる。フラグは確認の依頼であり、誤りの証明ではありません。</p>
</section>
)";

}  // namespace

std::string render_html(const Page& page, const Options& o) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                  escape_html(o.title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<h1>" +
                  escape_html(o.title) + "</h1>\n";
  h += "<p class=\"note\">smx report: 指標 " + escape_html(o.qi);
  if (!o.lab.empty()) h += "、検査値 " + escape_html(o.lab);
  if (!o.coverage.empty()) h += "、カバレッジ " + escape_html(o.coverage);
  if (!o.facility.empty()) h += "。強調施設 (highlighted): <strong>" + escape_html(o.facility) + "</strong>";
  h += "</p>\n<nav><ul>\n";
  for (const Indicator& ind : page.indicators)
    h += "<li><a href=\"#" + anchor("qi-", ind.name) + "\">" + escape_html(ind.name) + "</a></li>\n";
  if (page.lab) h += "<li><a href=\"#flags\">要確認 (flagged)</a></li>\n";
  if (page.coverage) h += "<li><a href=\"#coverage\">マッピング率</a></li>\n";
  h += "</ul></nav>\n<section id=\"qi\">\n<h2>指標の施設間比較 (indicators across facilities)</h2>\n";
  if (page.indicators.empty()) h += "<p class=\"note\">指標の行がありません (no indicator rows).</p>\n";
  for (const Indicator& ind : page.indicators) h += indicator_section(ind, o);
  h += "</section>\n";
  if (page.lab) h += lab_part(*page.lab, o);
  if (page.coverage) h += coverage_part(*page.coverage, o);
  return h + kMethod + "</body>\n</html>\n";
}

namespace {

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("[REPORT-READ] cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int write_report(const Options& o, Output& out, DiagnosticSink& diagnostics) {
  Page page;
  const std::vector<QiRow> rows = parse_qi(read_whole(o.qi), o.qi);
  page.indicators = build_indicators(rows, o.period, o.qi, diagnostics);
  if (!o.period.empty() && page.indicators.empty())
    throw usage_error("[REPORT-PERIOD] no row of " + o.qi + " has the period " + o.period);
  if (!o.coverage.empty()) page.coverage = parse_coverage(read_whole(o.coverage), o.coverage);
  int status = 0;
  if (!o.lab.empty()) {
    // A counting sink: an error the reader reports (a bad line) makes the exit status 1.
    struct Counting final : DiagnosticSink {
      explicit Counting(DiagnosticSink& to) : next(to) {}
      void report(Diagnostic d) override {
        if (d.severity == Severity::error) ++errors;
        next.report(std::move(d));
      }
      DiagnosticSink& next;
      std::size_t errors = 0;
    } counting(diagnostics);
    bool failed = false;
    page.lab = read_lab(o.lab, o.max_values, counting, failed);
    if (failed) throw io_error("[REPORT-READ] cannot read " + o.lab);
    if (counting.errors) status = 1;
  }
  if (!o.facility.empty()) {
    bool found = std::any_of(rows.begin(), rows.end(), [&](const QiRow& r) { return r.facility == o.facility; });
    if (page.lab)
      for (const auto& [code, analyte] : page.lab->analytes) found = found || analyte.facilities.count(o.facility) > 0;
    if (page.coverage)
      for (const CoverageRow& r : *page.coverage) found = found || r.site == o.facility;
    if (!found)
      diagnostics.report(Diagnostic{Severity::warning, "REPORT-FACILITY", Location{o.qi, 0, 0, {}},
                                    "the facility to highlight appears in no input", o.facility});
  }
  out.write(render_html(page, o));
  return status;
}

}  // namespace smx::report
