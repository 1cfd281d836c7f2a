// SegmentBuilder: segments written field by field (smx gen's messages, tests).
#include "smx/hl7.hpp"

namespace smx::hl7 {

SegmentBuilder::SegmentBuilder(std::string& out, std::string_view id, const Delimiters& delimiters)
    : out_(out), delimiters_(delimiters) {
  out_.append(id);
  if (id == "MSH") {
    out_.push_back(delimiters_.field);
    out_.push_back(delimiters_.component);
    out_.push_back(delimiters_.repetition);
    out_.push_back(delimiters_.escape);
    out_.push_back(delimiters_.subcomponent);
    if (delimiters_.truncation != 0) out_.push_back(delimiters_.truncation);
    field_ = 2;
  }
}

SegmentBuilder& SegmentBuilder::text(int number, std::string_view text) {
  field(number, {});
  escape(text, delimiters_, out_);
  return *this;
}

}  // namespace smx::hl7
