// Names of the severities (error.hpp), in the lowest layer so that every layer that reports a
// Diagnostic can print one.
#include "smx/error.hpp"

namespace smx {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::note: return "note";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

}  // namespace smx
