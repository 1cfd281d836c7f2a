// SVG charts of smx report (internal): drawn as text, every label escaped, no script.
#pragma once
#include <string>
#include <vector>

#include "smx/report.hpp"

namespace smx::report::detail {

// Funnel plot: each facility's rate (× scale) against its denominator, the target line and the
// 95 % / 99.8 % limits; `highlight` drawn larger in another colour.
std::string funnel_svg(const Indicator& indicator, const std::string& highlight);
// Box plot per facility (min, Q1, median, Q3, max of its values); log10 axis when every value
// is above 0. Flagged facilities drawn in the warning colour.
std::string box_svg(const Analyte& analyte, const std::vector<FacilityJudgement>& judged, const std::string& highlight);
// Stacked bars per facility: quantitative, qualitative, other results.
std::string mix_svg(const Analyte& analyte, const std::vector<FacilityJudgement>& judged, const std::string& highlight);
// Grouped bars per site: share of codes mapped, units mapped, values parsed.
std::string coverage_svg(const std::vector<CoverageRow>& rows, const std::string& highlight);

}  // namespace smx::report::detail
