// OUL^R22 lab results (SS-MIX2 OML-11): the SPM / OBR / ORC / OBX groups of the message, the ids
// of their resources, then Specimen (specimen.cpp), Observation (observation.cpp, culture results
// through microbiology.cpp) and DiagnosticReport (diagnostic_report.cpp).
#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

// The groups in message order: one per OBR (with its ORC and OBX), one per SPM for OBX directly
// under it (specimen observations), one for OBX before any SPM or OBR.
std::vector<ObservationGroup> groups_of(Host& host, const View& v) {
  std::vector<ObservationGroup> groups;
  LabSpecimen current;
  std::size_t spm_count = 0;
  ObservationGroup* group = nullptr;
  std::size_t pending_orc = hl7::Message::npos;
  for (std::size_t i = 0; i < v.m.segment_count(); ++i) {
    std::string_view sid = v.m.segment_id(i);
    if (sid == "SPM") {
      ++spm_count;
      current = LabSpecimen{};
      current.spm = i;
      std::string spm_id = v.c(i, 2, 1);
      current.specimen_key = !spm_id.empty() ? "SPM-2:" + spm_id
                                             : "order:" + host.order_number() + "#SPM" + std::to_string(spm_count);
      current.specimen_id = host.resource_id("Specimen", {current.specimen_key});
      write_specimen(host, v, current);
      groups.push_back(ObservationGroup{});
      groups.back().specimen = current;
      group = &groups.back();
    } else if (sid == "OBR") {
      groups.push_back(ObservationGroup{});
      group = &groups.back();
      group->obr = i;
      group->orc = pending_orc;
      group->specimen = current;
      pending_orc = hl7::Message::npos;
    } else if (sid == "ORC") {
      // OUL_R22 puts ORC after OBR (SS §6.1); some senders put it before.
      if (group && group->obr != hl7::Message::npos && group->orc == hl7::Message::npos && group->obx.empty())
        group->orc = i;
      else
        pending_orc = i;
    } else if (sid == "OBX") {
      if (!group) {
        groups.push_back(ObservationGroup{});
        group = &groups.back();
      }
      group->obx.push_back(i);
    }
  }
  return groups;
}

}  // namespace

void write_lab_results(Host& host, const View& v) {
  // Specimens are written while the groups are found.
  std::vector<ObservationGroup> groups = groups_of(host, v);
  // Ids first, in message order (report ids; observation ids depend on the report code), so that
  // microbiology links can point forward; then observations, then reports.
  std::unordered_map<std::string, int> seen_reports, seen_observations;
  std::vector<std::string> observation_ids(v.m.segment_count());
  std::vector<ObxGroup> obx_groups;
  for (ObservationGroup& g : groups) {
    g.report_code = v.c(g.obr, 4, 1);
    g.order = v.c(g.orc, 2, 1);
    if (g.order.empty()) g.order = v.c(g.obr, 2, 1);
    if (g.order.empty()) g.order = host.order_number();
    if (g.obr != hl7::Message::npos) {
      std::string key = g.order + "|" + g.report_code + "|" + v.c(g.obr, 4, 4) + "|" + g.specimen.specimen_key;
      key += "#" + std::to_string(seen_reports[key]++);
      g.report_id = host.resource_id("DiagnosticReport", {key});
    }
    for (std::size_t obx : g.obx) observation_ids[obx] = lab_observation_id(host, v, g, obx, seen_observations);
    obx_groups.push_back(ObxGroup{g.obr, g.obx});
  }
  // Culture results: organism and quantity rows of one OBX-4 become one Observation, OBR-26
  // susceptibilities its hasMember (microbiology.cpp).
  MicrobiologyPlan plan = plan_microbiology(host, v, obx_groups, observation_ids);
  for (ObservationGroup& g : groups) {
    for (std::size_t obx : g.obx) {
      if (plan.absorbed.count(obx)) continue;
      write_lab_observation(host, v, g, obx, observation_ids[obx], plan);
      g.observation_ids.push_back(observation_ids[obx]);
    }
    if (g.obr != hl7::Message::npos) write_diagnostic_report(host, v, g);
  }
}

}  // namespace smx::fhir::detail
