// The lines of a text smx report reads (internal): smx qi's CSV and labnorm's coverage NDJSON.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace smx::report::detail {

// LF ends a line and a CR before it is dropped (files saved on Windows); a last line without LF
// counts. number() is the 1-based line number of the line next() gave last, for FILE:LINE errors.
class LineReader {
 public:
  explicit LineReader(std::string_view text, std::size_t start = 0) : text_(text), at_(start) {}
  bool next(std::string_view& line) {
    if (at_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', at_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(at_, end - at_);
    at_ = end + 1;
    ++number_;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }
  std::uint64_t number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t at_;
  std::uint64_t number_ = 0;
};

}  // namespace smx::report::detail
