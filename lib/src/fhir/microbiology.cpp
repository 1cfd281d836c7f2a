// Culture results in OUL^R22 (SS-MIX2 OML-11): NHO bacteria_test.md (nhoHQ/SSMIX2_support_documents
// @372c4f9d, quoting JAHIS 臨床検査データ交換規約 Ver.3.1) sends each organism as two OBX rows with the
// same OBX-4 sub-ID, the organism name (OBX-2 CWE, a JANIS code) and its quantity (OBX-2 ST,
// " 3 +"); susceptibilities follow in their own OBR whose OBR-26 (parent result, PRL) names the
// organism's OBX-3 and OBX-4. The same file allows drugs as JANIS codes paired with the MIC row by
// OBX-4.
//
// Mapping (smx-fhir(1), "Microbiology"):
// - [V2F OBX-4] "map to partOf, hasMember or derivedFrom according to the implementation guidance
//   for the v2 message at hand": here NHO's pairing. The coded row (the head: organism or drug)
//   becomes the Observation, its value the organism; the other rows of the OBX-4 become
//   component[] by the v2-to-FHIR OBX[Observation-Component] map (OBX-3 -> component.code, OBX-5
//   -> component.value[x] by OBX-2, OBX-7 -> referenceRange, OBX-8 -> interpretation).
// - OBR-26 is not mapped by the v2-to-FHIR OBR map ("will be mapped in a next edition with micro");
//   departure: the parent row's Observation gets hasMember -> every Observation of the child OBR.
#include <algorithm>

#include "fhir/internal.hpp"

namespace smx::fhir::detail {

namespace {

bool is_coded_type(std::string_view obx2) { return obx2 == "CWE" || obx2 == "CE" || obx2 == "CNE"; }

// JLAC10 analyte class 6 = 微生物 (microbiology; SS §6.4). OBR-4 may carry a 15-character
// order-level code (SS §8 item 10), OBX-3 the 17-character result code.
bool microbiology_code(const Cwe& c, bool order_level) {
  auto one = [&](const std::string& code, const std::string& system) {
    if (!is_jlac(system) || code.empty() || code.front() != '6') return false;
    return code.size() == 17 || (order_level && code.size() == 15);
  };
  return one(c.code, c.system) || one(c.alt_code, c.alt_system);
}

bool janis_value(const View& v, std::size_t obx) {
  Cwe value = read_cwe(v, obx, 5);
  return value.system == "JANIS" || value.alt_system == "JANIS";
}

bool is_microbiology(const View& v, const ObxGroup& g) {
  if (microbiology_code(read_cwe(v, g.obr, 4), true)) return true;
  return std::any_of(g.obx.begin(), g.obx.end(), [&](std::size_t obx) {
    return microbiology_code(read_cwe(v, obx, 3), false) || janis_value(v, obx);
  });
}

std::string obx3_code(const View& v, std::size_t obx) { return v.c(obx, 3, 1); }

// The head of one OBX-4 group: the one row whose value is a JANIS code, else the one coded row;
// npos when there is none or more than one. `why` says which rule failed.
std::size_t head_of(const View& v, const std::vector<std::size_t>& rows, std::string& why) {
  std::vector<std::size_t> janis, coded;
  for (std::size_t obx : rows) {
    if (janis_value(v, obx)) janis.push_back(obx);
    if (is_coded_type(v.c(obx, 2, 1))) coded.push_back(obx);
  }
  if (janis.size() == 1) return janis.front();
  if (janis.empty() && coded.size() == 1) return coded.front();
  why = janis.size() > 1 || coded.size() > 1 ? "more than one coded row" : "no coded (CWE) row";
  return hl7::Message::npos;
}

// Rows are grouped only when nothing would be lost or blurred: distinct OBX-3 codes (obs-7), one
// status and one observation time (a component has neither).
std::string group_problem(const View& v, const std::vector<std::size_t>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t k = i + 1; k < rows.size(); ++k) {
      if (obx3_code(v, rows[i]) == obx3_code(v, rows[k])) return "two rows with the same OBX-3";
      if (v.c(rows[i], 11, 1) != v.c(rows[k], 11, 1)) return "rows differ in OBX-11";
      if (v.c(rows[i], 14, 1) != v.c(rows[k], 14, 1)) return "rows differ in OBX-14";
    }
  }
  return {};
}

void group_by_sub_id(Host& host, const View& v, const ObxGroup& g, MicrobiologyPlan& plan) {
  // OBX-4 values in order of first appearance, each with its rows.
  std::vector<std::pair<std::string, std::vector<std::size_t>>> by_sub_id;
  for (std::size_t obx : g.obx) {
    std::string sub_id = v.c(obx, 4, 1);
    if (sub_id.empty()) continue;
    auto it = std::find_if(by_sub_id.begin(), by_sub_id.end(), [&](const auto& p) { return p.first == sub_id; });
    if (it == by_sub_id.end()) by_sub_id.emplace_back(sub_id, std::vector<std::size_t>{obx});
    else it->second.push_back(obx);
  }
  for (const auto& [sub_id, rows] : by_sub_id) {
    if (rows.size() < 2) continue;
    std::string why = group_problem(v, rows);
    std::size_t head = why.empty() ? head_of(v, rows, why) : hl7::Message::npos;
    if (head == hl7::Message::npos) {
      host.report("FHIR-MICRO-GROUP", "OBX-4", "OBX-4 " + sub_id + " in a culture result: " + why +
                  "; its rows are written as separate Observations", Severity::note);
      continue;
    }
    std::vector<std::size_t>& components = plan.components[head];
    for (std::size_t obx : rows) {
      if (obx == head) continue;
      components.push_back(obx);
      plan.absorbed.insert(obx);
    }
  }
}

// OBR-26 PRL: parent OBX-3 (CWE in subcomponents) ^ parent OBX-4 ^ parent OBX-5 text.
void link_parent(Host& host, const View& v, const std::vector<ObxGroup>& groups, std::size_t child,
                 const std::vector<std::string>& ids, MicrobiologyPlan& plan) {
  const ObxGroup& g = groups[child];
  std::string_view prl = v.rep(v.field(g.obr, 26), 0);
  Cwe parent_code = read_cwe_subcomponents(v, v.comp(prl, 1));
  std::string parent_sub_id = v.text(v.sub(v.comp(prl, 2), 1));
  if (parent_code.code.empty() && parent_code.alt_code.empty()) return;
  std::vector<std::size_t> found;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    if (k == child) continue;
    for (std::size_t obx : groups[k].obx) {
      Cwe code = read_cwe(v, obx, 3);
      auto names = [&](const std::string& wanted) {
        return !wanted.empty() && (code.code == wanted || code.alt_code == wanted);
      };
      bool same_code = names(parent_code.code) || names(parent_code.alt_code);
      if (same_code && v.c(obx, 4, 1) == parent_sub_id) found.push_back(obx);
    }
  }
  if (found.size() != 1) {
    host.report("FHIR-MICRO-PARENT", "OBR-26",
                found.empty() ? "OBR-26 names a parent result that is not in this message; its results are not linked"
                              : "OBR-26 matches more than one result of this message; its results are not linked",
                Severity::warning);
    return;
  }
  std::size_t parent = found.front();
  if (plan.absorbed.count(parent)) {  // the parent is a component row: link from its head
    for (const auto& [head, rows] : plan.components)
      if (std::find(rows.begin(), rows.end(), parent) != rows.end()) parent = head;
  }
  std::vector<std::string>& members = plan.members[parent];
  for (std::size_t obx : g.obx)
    if (!plan.absorbed.count(obx)) members.push_back(ids[obx]);
}

}  // namespace

const std::vector<std::size_t>& MicrobiologyPlan::components_of(std::size_t obx) const {
  static const std::vector<std::size_t> none;
  auto it = components.find(obx);
  return it == components.end() ? none : it->second;
}

MicrobiologyPlan plan_microbiology(Host& host, const View& v, const std::vector<ObxGroup>& groups,
                                   const std::vector<std::string>& ids) {
  MicrobiologyPlan plan;
  std::vector<bool> micro(groups.size());
  bool any = false;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    micro[k] = is_microbiology(v, groups[k]);
    any = any || micro[k];
  }
  if (!any) return plan;
  for (std::size_t k = 0; k < groups.size(); ++k)
    if (micro[k]) group_by_sub_id(host, v, groups[k], plan);
  // Links after grouping, so that they name the Observations that are written.
  for (std::size_t k = 0; k < groups.size(); ++k)
    if (micro[k] && groups[k].obr != hl7::Message::npos && !trim(v.field(groups[k].obr, 26)).empty())
      link_parent(host, v, groups, k, ids, plan);
  return plan;
}

void write_microbiology_members(Host& host, const View& v, JsonWriter& w, const MicrobiologyPlan& plan,
                                std::size_t obx) {
  // Element order of Observation: hasMember, then component.
  auto members = plan.members.find(obx);
  if (members != plan.members.end() && !members->second.empty()) {
    w.begin_array("hasMember");
    for (const std::string& id : members->second) reference(w, {}, "Observation", id);
    w.end_array();
  }
  const std::vector<std::size_t>& rows = plan.components_of(obx);
  if (!rows.empty()) {
    // [V2F OBX(Observation-Component)] OBX-3 code, OBX-5 value[x] by OBX-2, OBX-8, OBX-7.
    w.begin_array("component");
    for (std::size_t row : rows) {
      w.begin_object();
      Cwe code = read_cwe(v, row, 3);
      if (code.empty()) code.original_text = "unknown";
      host.write_codeable_concept(w, "code", code, true);
      ObxValue value = write_obx_value(host, v, w, row, observation_status(v.c(row, 11, 1)));
      write_obx_interpretation(host, v, w, row, value);
      write_obx_reference_range(v, w, row, value.unit);
      w.end_object();
    }
    w.end_array();
  }
}

}  // namespace smx::fhir::detail
