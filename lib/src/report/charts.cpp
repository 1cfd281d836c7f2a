// SVG charts of smx report. Coordinates are written with one decimal; colours are named once
// here and in the page's stylesheet (classes), so the print stylesheet can change them.
#include "charts.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <cstdio>

namespace smx::report::detail {
namespace {

std::string fixed(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

// About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart).
std::vector<double> nice_ticks(double lo, double hi, int count) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = power;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * power) {
      step = m * power;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

struct Frame {
  double width, height, left, right, top, bottom;
  double plot_width() const { return width - left - right; }
  double plot_height() const { return height - top - bottom; }
};

std::string open_svg(const Frame& f, const std::string& label, const std::string& kind) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart " + kind + "\" viewBox=\"0 0 " + fixed(f.width) +
         " " + fixed(f.height) + "\" width=\"" + fixed(f.width) + "\" height=\"" + fixed(f.height) +
         "\" role=\"img\" aria-label=\"" + escape_html(label) + "\">\n<title>" + escape_html(label) + "</title>\n";
}

std::string text(double x, double y, const std::string& content, const std::string& attributes = {}) {
  return "<text x=\"" + fixed(x) + "\" y=\"" + fixed(y) + "\"" + (attributes.empty() ? "" : " " + attributes) + ">" +
         escape_html(content) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& cls) {
  return "<line class=\"" + cls + "\" x1=\"" + fixed(x1) + "\" y1=\"" + fixed(y1) + "\" x2=\"" + fixed(x2) +
         "\" y2=\"" + fixed(y2) + "\"/>\n";
}

// A row of legend swatches below a chart: x offset from the plot's left edge, class, label.
struct Swatch {
  double offset;
  const char* cls;
  const char* label;
};
std::string legend(const Frame& f, double baseline, std::initializer_list<Swatch> swatches) {
  std::string s;
  for (const Swatch& w : swatches)
    s += "<rect class=\"" + std::string(w.cls) + "\" x=\"" + fixed(f.left + w.offset) + "\" y=\"" + fixed(baseline - 10) +
         "\" width=\"12\" height=\"12\"/>" + text(f.left + w.offset + 16, baseline, w.label, "class=\"tick\"");
  return s;
}

}  // namespace

std::string funnel_svg(const Indicator& ind, const std::string& highlight) {
  const Frame f{680, 380, 70, 24, 20, 48};
  double max_n = 0, max_rate = 0, min_n = 0;
  for (const FunnelPoint& p : ind.points) {
    max_n = std::max(max_n, p.denominator);
    min_n = min_n == 0 ? p.denominator : std::min(min_n, p.denominator);
    max_rate = std::max(max_rate, p.rate);
  }
  const double x_max = max_n * 1.08;
  double y_top = std::max({max_rate * 1.15, ind.target * 1.6, 1e-12});
  y_top = std::max(y_top, std::min(funnel_limits(ind.model, ind.target, min_n, kZ998).high * 1.05, y_top * 2));
  if (ind.model == FunnelModel::binomial) y_top = std::min(y_top, 1.0);
  auto px = [&](double n) { return f.left + n / x_max * f.plot_width(); };
  auto py = [&](double rate) { return f.top + (1 - rate / y_top) * f.plot_height(); };
  std::string s = open_svg(f, ind.name + " funnel plot", "funnel");
  s += "<defs><clipPath id=\"clip-" + std::to_string(std::hash<std::string>{}(ind.name) % 1000000) +
       "\"><rect x=\"" + fixed(f.left) + "\" y=\"" + fixed(f.top) + "\" width=\"" + fixed(f.plot_width()) +
       "\" height=\"" + fixed(f.plot_height()) + "\"/></clipPath></defs>\n";
  const std::string clip = "clip-" + std::to_string(std::hash<std::string>{}(ind.name) % 1000000);
  for (double t : nice_ticks(0, y_top, 5)) {
    s += line(f.left, py(t), f.left + f.plot_width(), py(t), "grid");
    s += text(f.left - 6, py(t) + 4, format_number(t * ind.scale), "class=\"tick\" text-anchor=\"end\"");
  }
  for (double t : nice_ticks(0, x_max, 6)) s += text(px(t), f.height - f.bottom + 16, format_number(t), "class=\"tick\" text-anchor=\"middle\"");
  s += line(f.left, f.top, f.left, f.top + f.plot_height(), "axis");
  s += line(f.left, f.top + f.plot_height(), f.left + f.plot_width(), f.top + f.plot_height(), "axis");
  s += text(f.left + f.plot_width() / 2, f.height - 8, "分母 (denominator)", "class=\"label\" text-anchor=\"middle\"");
  // The limits as polylines over n, sampled densely where they bend (small n).
  s += "<g clip-path=\"url(#" + clip + ")\">\n";
  for (const auto& [z, cls] : {std::pair{kZ95, "limit95"}, std::pair{kZ998, "limit998"}}) {
    std::string upper, lower;
    for (int i = 0; i <= 80; ++i) {
      const double n = std::max(x_max * std::pow(i / 80.0, 2), x_max / 4000);
      const Limits l = funnel_limits(ind.model, ind.target, n, z);
      upper += fixed(px(n)) + "," + fixed(py(std::min(l.high, y_top * 2))) + " ";
      lower += fixed(px(n)) + "," + fixed(py(l.low)) + " ";
    }
    s += "<polyline class=\"" + std::string(cls) + "\" points=\"" + upper + "\"/>\n";
    s += "<polyline class=\"" + std::string(cls) + "\" points=\"" + lower + "\"/>\n";
  }
  s += line(f.left, py(ind.target), f.left + f.plot_width(), py(ind.target), "target");
  s += "</g>\n";
  // Highlighted facility last so that it is drawn on top.
  std::vector<const FunnelPoint*> order;
  for (const FunnelPoint& p : ind.points) order.push_back(&p);
  std::stable_partition(order.begin(), order.end(), [&](const FunnelPoint* p) { return p->facility != highlight; });
  for (const FunnelPoint* p : order) {
    const bool mine = p->facility == highlight;
    const std::string cls = std::string("mark") + (mine ? " highlight" : "") + (std::abs(p->outside) == 2 ? " out998" : std::abs(p->outside) == 1 ? " out95" : "");
    const double x = px(p->denominator), y = py(std::min(p->rate, y_top));
    s += "<circle class=\"" + cls + "\" data-facility=\"" + escape_html(p->facility) + "\" cx=\"" + fixed(x) + "\" cy=\"" +
         fixed(y) + "\" r=\"" + (mine ? "7" : "4.5") + "\"><title>" + escape_html(p->facility) + ": " +
         format_number(p->rate * ind.scale) + " (" + format_number(p->numerator) + "/" + format_number(p->denominator) +
         ")</title></circle>\n";
    s += text(x + 8, y - 6, p->facility, std::string("class=\"name") + (mine ? " highlight" : "") + "\"");
  }
  return s + "</svg>\n";
}

std::string box_svg(const Analyte& analyte, const std::vector<FacilityJudgement>& judged, const std::string& highlight) {
  std::vector<const FacilityJudgement*> rows;
  double lo = 0, hi = 0;
  bool first = true;
  for (const FacilityJudgement& j : judged) {
    if (!j.quantiles) continue;
    rows.push_back(&j);
    lo = first ? j.quantiles->min : std::min(lo, j.quantiles->min);
    hi = first ? j.quantiles->max : std::max(hi, j.quantiles->max);
    first = false;
  }
  const Frame f{680, 52.0 + 26.0 * static_cast<double>(rows.size()), 90, 24, 12, 40};
  const bool log_axis = lo > 0;
  auto axis_value = [&](double v) { return log_axis ? std::log10(v) : v; };
  double a_lo = axis_value(lo), a_hi = axis_value(hi);
  if (a_hi - a_lo < 1e-9) {
    a_lo -= 0.5;
    a_hi += 0.5;
  }
  const double pad = (a_hi - a_lo) * 0.04;
  a_lo -= pad;
  a_hi += pad;
  auto px = [&](double v) { return f.left + (axis_value(v) - a_lo) / (a_hi - a_lo) * f.plot_width(); };
  std::string s = open_svg(f, analyte.code + " " + analyte.name + " box plot", "box");
  const double bottom = f.top + f.plot_height();
  std::vector<double> ticks;
  if (log_axis) {
    for (double e = std::ceil(a_lo); e <= a_hi; ++e) ticks.push_back(std::pow(10.0, e));
    if (ticks.size() < 2)
      for (double t : nice_ticks(lo, hi, 4)) ticks.push_back(t);
  } else {
    ticks = nice_ticks(lo, hi, 6);
  }
  for (double t : ticks) {
    if (log_axis && t <= 0) continue;
    s += line(px(t), f.top, px(t), bottom, "grid");
    s += text(px(t), bottom + 16, format_number(t), "class=\"tick\" text-anchor=\"middle\"");
  }
  s += line(f.left, bottom, f.left + f.plot_width(), bottom, "axis");
  s += text(f.left + f.plot_width() / 2, f.height - 6, log_axis ? "値 (対数目盛 log scale)" : "値 (value)",
            "class=\"label\" text-anchor=\"middle\"");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const FacilityJudgement& j = *rows[i];
    const Quantiles& q = *j.quantiles;
    const double y = f.top + 13 + 26.0 * static_cast<double>(i);
    std::string cls = "mark";
    if (j.facility == highlight) cls += " highlight";
    if (j.unit_flag) cls += " flagged";
    s += "<g class=\"" + cls + "\" data-facility=\"" + escape_html(j.facility) + "\">\n";
    s += text(f.left - 8, y + 4, (j.unit_flag ? "⚠ " : "") + j.facility, "class=\"name\" text-anchor=\"end\"");
    s += line(px(q.min), y, px(q.q1), y, "whisker") + line(px(q.q3), y, px(q.max), y, "whisker");
    s += line(px(q.min), y - 5, px(q.min), y + 5, "whisker") + line(px(q.max), y - 5, px(q.max), y + 5, "whisker");
    s += "<rect class=\"iqr\" x=\"" + fixed(px(q.q1)) + "\" y=\"" + fixed(y - 8) + "\" width=\"" +
         fixed(std::max(1.0, px(q.q3) - px(q.q1))) + "\" height=\"16\"><title>" + escape_html(j.facility) +
         ": Q1 " + format_number(q.q1) + ", 中央値 " + format_number(q.median) + ", Q3 " + format_number(q.q3) +
         "</title></rect>\n";
    s += line(px(q.median), y - 8, px(q.median), y + 8, "median");
    s += "</g>\n";
  }
  return s + "</svg>\n";
}

std::string mix_svg(const Analyte& analyte, const std::vector<FacilityJudgement>& judged, const std::string& highlight) {
  const Frame f{680, 40.0 + 22.0 * static_cast<double>(judged.size()), 90, 24, 8, 32};
  std::string s = open_svg(f, analyte.code + " " + analyte.name + " result types", "mix");
  for (std::size_t i = 0; i < judged.size(); ++i) {
    const FacilityJudgement& j = judged[i];
    const Cell& c = analyte.facilities.at(j.facility);
    const double total = static_cast<double>(c.quantitative + c.qualitative + c.other);
    const double y = f.top + 22.0 * static_cast<double>(i);
    std::string cls = "mark";
    if (j.facility == highlight) cls += " highlight";
    if (j.mix_flag) cls += " flagged";
    s += "<g class=\"" + cls + "\" data-facility=\"" + escape_html(j.facility) + "\">\n";
    s += text(f.left - 8, y + 13, (j.mix_flag ? "⚠ " : "") + j.facility, "class=\"name\" text-anchor=\"end\"");
    double x = f.left;
    for (const auto& [count, part] : {std::pair{c.quantitative, "quant"}, std::pair{c.qualitative, "qual"}, std::pair{c.other, "other"}}) {
      if (count == 0 || total == 0) continue;
      const double w = static_cast<double>(count) / total * f.plot_width();
      s += "<rect class=\"" + std::string(part) + "\" x=\"" + fixed(x) + "\" y=\"" + fixed(y + 2) + "\" width=\"" +
           fixed(w) + "\" height=\"16\"><title>" + escape_html(j.facility) + " " + part + ": " +
           std::to_string(count) + "</title></rect>\n";
      x += w;
    }
    s += "</g>\n";
  }
  s += legend(f, f.height - 10, {{0, "quant", "定量 quantitative"}, {170, "qual", "定性 qualitative"}, {340, "other", "その他 text"}});
  return s + "</svg>\n";
}

std::string coverage_svg(const std::vector<CoverageRow>& rows, const std::string& highlight) {
  const Frame f{680, 60.0 + 54.0 * static_cast<double>(rows.size()), 90, 60, 8, 40};
  std::string s = open_svg(f, "mapping coverage", "coverage");
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double x = f.left + t * f.plot_width();
    s += line(x, f.top, x, f.top + f.plot_height(), "grid");
    s += text(x, f.top + f.plot_height() + 16, format_number(t * 100) + "%", "class=\"tick\" text-anchor=\"middle\"");
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const CoverageRow& r = rows[i];
    const double y = f.top + 54.0 * static_cast<double>(i);
    const std::string name = r.site.empty() ? "(サイト無し)" : r.site;
    s += "<g class=\"mark" + std::string(r.site == highlight ? " highlight" : "") + "\" data-facility=\"" +
         escape_html(r.site) + "\">\n" + text(f.left - 8, y + 28, name, "class=\"name\" text-anchor=\"end\"");
    int k = 0;
    for (const auto& [count, part] : {std::pair{r.codes_mapped, "codes"}, std::pair{r.units_mapped, "units"},
                                      std::pair{r.values_parsed, "values"}}) {
      const double share = r.obx ? static_cast<double>(count) / static_cast<double>(r.obx) : 0;
      const double yy = y + 4 + 16.0 * k++;
      s += "<rect class=\"" + std::string(part) + "\" x=\"" + fixed(f.left) + "\" y=\"" + fixed(yy) + "\" width=\"" +
           fixed(std::max(0.5, share * f.plot_width())) + "\" height=\"13\"><title>" + escape_html(name) + " " + part +
           ": " + std::to_string(count) + "/" + std::to_string(r.obx) + "</title></rect>\n";
      s += text(f.left + share * f.plot_width() + 4, yy + 11, format_number(share * 100) + "%", "class=\"tick\"");
    }
    s += "</g>\n";
  }
  s += legend(f, f.height - 8, {{0, "codes", "コード codes (JLAC10)"}, {190, "units", "単位 units (UCUM)"}, {370, "values", "値 values parsed"}});
  return s + "</svg>\n";
}

}  // namespace smx::report::detail
