// smx validate --deidentified: what an smx deid profile writes by design (smx-deid(1), OUTPUT):
// under dates shift-year / shift-month the care-date folder and the file-name timestamp are the
// message's cut date padded with 01 (and zeros for the time), which carry no information.
#include <algorithm>

#include "smx/validate.hpp"

namespace smx::validate {

bool is_padded_date(std::string_view care_date, std::string_view message_date, std::size_t date_digits) {
  const std::string_view padding = date_digits == 4 ? "0101" : date_digits == 6 ? "01" : "";
  if (padding.empty() || care_date.size() != 8 || message_date.size() != date_digits) return false;
  if (!std::all_of(message_date.begin(), message_date.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return care_date.substr(0, date_digits) == message_date && care_date.substr(date_digits) == padding;
}

}  // namespace smx::validate
