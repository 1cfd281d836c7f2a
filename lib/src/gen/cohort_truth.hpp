// smx gen --cohort-truth: the expected smx cohort result of the shipped example criteria
// (examples/cohorts/t2dm-hba1c.yaml) for every generated patient, from gen's own timeline.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "gen/messages.hpp"
#include "smx/io.hpp"

namespace smx::gen::detail {

class CohortTruth {
 public:
  explicit CohortTruth(const std::string& path);
  ~CohortTruth();
  // One row for the patient, from its files as they end (their final condition flags).
  void patient(const FacilityProfile& facility, const Patient& p, const std::vector<PendingFile>& files);
  void finish();

 private:
  Output out_;
};

}  // namespace smx::gen::detail
