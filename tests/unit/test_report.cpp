// smx report's library: QI CSV parsing, funnel limits, the flag rules, sampling, escaping.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "smx/report.hpp"

using namespace smx;
using namespace smx::report;

namespace {

struct Sink final : DiagnosticSink {
  std::vector<Diagnostic> items;
  void report(Diagnostic d) override { items.push_back(std::move(d)); }
};

const char* kHeader = "facility,period,indicator,numerator,denominator,value,suppressed\n";

Cell cell_of(double centre, int n, std::uint64_t qualitative = 0) {
  Cell c;
  for (int i = 0; i < n; ++i) {
    c.add_value(centre * (0.9 + 0.2 * i / n), 1000);
    ++c.quantitative;
  }
  c.qualitative = qualitative;
  return c;
}

}  // namespace

TEST_CASE("report: the funnel limits are Spiegelhalter's normal approximation") {
  // binomial: 0.2 ± 1.959964 * sqrt(0.2*0.8/100) = 0.2 ± 0.0784
  Limits l = funnel_limits(FunnelModel::binomial, 0.2, 100, kZ95);
  CHECK(l.low == doctest::Approx(0.2 - 0.0783986).epsilon(1e-6));
  CHECK(l.high == doctest::Approx(0.2 + 0.0783986).epsilon(1e-6));
  // clipped to [0, 1]
  CHECK(funnel_limits(FunnelModel::binomial, 0.05, 10, kZ998).low == 0);
  CHECK(funnel_limits(FunnelModel::binomial, 0.95, 10, kZ998).high == 1);
  // Poisson: 0.15 ± 3.090232 * sqrt(0.15/1000)
  l = funnel_limits(FunnelModel::poisson, 0.15, 1000, kZ998);
  CHECK(l.high == doctest::Approx(0.15 + 3.090232 * std::sqrt(0.15 / 1000)));
}

TEST_CASE("report: indicators sum periods, skip suppressed cells, infer scale and model") {
  const std::string csv = std::string(kHeader) +
                          "H01,2024-01,dot,100,1000,100,false\n"
                          "H01,2024-02,dot,,,,true\n"
                          "H02,2024-01,dot,300,1000,300,false\n"
                          "H02,2024-02,dot,100,1000,100,false\n"
                          "H03,2024-01,dot,0,0,,false\n"
                          "H01,2024-01,share,1,4,0.25,false\n"
                          "H02,2024-01,share,3,4,0.75,false\n";
  Sink sink;
  std::vector<Indicator> inds = build_indicators(parse_qi(csv, "qi.csv"), "", "qi.csv", sink);
  REQUIRE(inds.size() == 2);
  const Indicator& dot = inds[0];
  CHECK(dot.name == "dot");
  CHECK(dot.scale == 1000);
  CHECK(dot.model == FunnelModel::poisson);  // scale 1000: a rate
  CHECK(dot.suppressed == 1);
  CHECK(dot.zero_denominator == 1);
  REQUIRE(dot.points.size() == 2);
  CHECK(dot.points[1].numerator == 400);
  CHECK(dot.points[1].denominator == 2000);
  CHECK(dot.target == doctest::Approx(500.0 / 3000));
  CHECK(inds[1].model == FunnelModel::binomial);
  CHECK(inds[1].scale == 1);
  CHECK(sink.items.empty());
  // --period
  inds = build_indicators(parse_qi(csv, "qi.csv"), "2024-02", "qi.csv", sink);
  REQUIRE(inds.size() == 1);
  CHECK(inds[0].points.size() == 1);
}

TEST_CASE("report: a value that is not scale x numerator / denominator is reported with its line") {
  Sink sink;
  build_indicators(parse_qi(std::string(kHeader) + "H01,m,x,1,4,0.25,false\nH02,m,x,1,4,0.5,false\n", "q.csv"), "", "q.csv",
                   sink);
  REQUIRE(sink.items.size() == 1);
  CHECK(sink.items[0].code == "REPORT-QI-VALUE");
  CHECK(sink.items[0].where.message == 3);
}

TEST_CASE("report: QI errors name file, line and column") {
  auto error_of = [](const std::string& text) {
    try {
      parse_qi(text, "q.csv");
    } catch (const config_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("a,b\n").rfind("q.csv:1:1: [REPORT-QI-HEADER]", 0) == 0);
  CHECK(error_of(std::string(kHeader) + "H01,m,x,1,two,,false\n").rfind("q.csv:2:11: [REPORT-QI-NUMBER]", 0) == 0);
  CHECK(error_of(std::string(kHeader) + "H01,m,x,1,2,0.5,no\n").rfind("q.csv:2:17: [REPORT-QI-SUPPRESSED]", 0) == 0);
  CHECK(error_of(std::string(kHeader) + "H01,m,x,-1,2,,false\n").find("[REPORT-QI-NUMBER]") != std::string::npos);
  CHECK(error_of("") .rfind("q.csv:1:1: [REPORT-QI-EMPTY]", 0) == 0);
  // RFC 4180 quotes: a comma and a doubled quote inside a facility name.
  std::vector<QiRow> rows = parse_qi(std::string(kHeader) + "\"H \"\"1\"\", east\",m,x,1,2,0.5,false\r\n", "q.csv");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].facility == "H \"1\", east");
}

TEST_CASE("report: the unit flag marks only the facility off by a factor of ten") {
  Analyte a;
  a.code = "3A010000002327101";
  a.facilities["H01"] = cell_of(7.0, 50);
  a.facilities["H02"] = cell_of(7.2, 50);
  a.facilities["H03"] = cell_of(71.0, 50);
  a.facilities["H04"] = cell_of(6.9, 50);
  a.facilities["H05"] = cell_of(7.4, 5);  // under --min-count: shown, not judged, not used
  std::vector<FacilityJudgement> j = judge(a, 20);
  REQUIRE(j.size() == 5);
  CHECK_FALSE(j[0].unit_flag);
  CHECK_FALSE(j[1].unit_flag);
  CHECK(j[2].unit_flag);
  CHECK(*j[2].log10_ratio == doctest::Approx(std::log10(71.0 / 7.0)).epsilon(0.01));
  CHECK_FALSE(j[3].unit_flag);
  CHECK_FALSE(j[4].log10_ratio.has_value());
  // a factor of 5 (log10 0.7) is not flagged
  a.facilities["H03"] = cell_of(35.0, 50);
  CHECK_FALSE(judge(a, 20)[2].unit_flag);
  // two facilities cannot tell which one is wrong: no flag
  Analyte two;
  two.facilities["H01"] = cell_of(7, 50);
  two.facilities["H02"] = cell_of(70, 50);
  for (const FacilityJudgement& f : judge(two, 20)) CHECK_FALSE(f.log10_ratio.has_value());
}

TEST_CASE("report: the mix flag marks a facility that reports qualitatively where others give numbers") {
  Analyte a;
  a.facilities["H01"] = cell_of(1, 40, 2);
  a.facilities["H02"] = cell_of(1, 40, 0);
  a.facilities["H03"] = cell_of(1, 5, 60);  // mostly qualitative
  a.facilities["H04"] = cell_of(1, 40, 1);
  std::vector<FacilityJudgement> j = judge(a, 20);
  CHECK_FALSE(j[0].mix_flag);
  CHECK(j[2].mix_flag);
  CHECK_FALSE(j[3].mix_flag);
}

TEST_CASE("report: values past the cap are a deterministic reservoir sample") {
  Cell a, b;
  for (int i = 0; i < 10000; ++i) {
    a.add_value(i, 1000);
    b.add_value(i, 1000);
  }
  CHECK(a.values.size() == 1000);
  CHECK(a.seen_values == 10000);
  CHECK(a.sampled());
  CHECK(a.values == b.values);
  // a uniform sample: its median is near the true one (4999.5)
  CHECK(std::fabs(quantiles(a.values).median - 4999.5) < 600);
  Cell exact;
  for (int i = 1; i <= 5; ++i) exact.add_value(i, 1000);
  CHECK_FALSE(exact.sampled());
  Quantiles q = quantiles(exact.values);
  CHECK(q.median == 3);
  CHECK(q.q1 == 2);
  CHECK(q.q3 == 4);
}

TEST_CASE("report: coverage records and their errors") {
  const std::string ok =
      "{\"smx\":1,\"kind\":\"coverage\",\"site\":\"H01\",\"obx\":10,\"codes_mapped\":8,\"units_mapped\":9,"
      "\"values_parsed\":10,\"unmapped_codes\":{\"L1 x\":2},\"unmapped_units\":{}}\n"
      "{\"smx\":1,\"kind\":\"stats\",\"command\":\"labnorm\"}\n";
  std::vector<CoverageRow> rows = parse_coverage(ok, "c.ndjson");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].unmapped_codes == 1);
  CHECK_THROWS_WITH_AS(parse_coverage(ok + "not json\n", "c.ndjson"), doctest::Contains("c.ndjson:3:1: [REPORT-COVERAGE-JSON]"),
                       config_error);
}

TEST_CASE("report: every text from the inputs is escaped in the page") {
  CHECK(escape_html("<H&1 \"a\" 'b'>") == "&lt;H&amp;1 &quot;a&quot; &#39;b&#39;&gt;");
  Sink sink;
  Page page;
  page.indicators =
      build_indicators(parse_qi(std::string(kHeader) + "<script>,m,<b>x</b>,1,2,0.5,false\n", "q.csv"), "", "q.csv", sink);
  Options o;
  o.qi = "q.csv";
  const std::string html = render_html(page, o);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;") != std::string::npos);
  CHECK(html.find("<html lang=\"ja\">") != std::string::npos);
  CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
}
