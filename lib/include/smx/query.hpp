// lib/out: what get, grep and show do with one message: select field values into TSV rows,
// match expressions, print a person's view.
#pragma once
#include <regex.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "smx/hl7.hpp"
#include "smx/stream.hpp"

namespace smx {

// Appends a TSV cell: backslash, tab, LF and CR become \\ \t \n \r (linear TSV).
void append_tsv_cell(std::string& out, std::string_view value);

// ---- get ----
struct GetOptions {
  std::vector<std::string> paths;
  bool raw = false;      // escaped values as in the message; default decoded
  bool header = false;
  bool source = false;   // leading columns: path, message number
};

class GetQuery {
 public:
  explicit GetQuery(const GetOptions& options);  // throws parse_error / usage_error
  void header(std::string& out) const;
  // Appends the rows of one message. Escape problems go to `diagnostics` with the record's
  // location.
  void rows(const Record& record, std::string& out, DiagnosticSink& diagnostics) const;
  static bool is_path(std::string_view text);

 private:
  void append_value(const Record& record, std::size_t segment_index, const hl7::Path& path, std::string& out,
                    DiagnosticSink& diagnostics) const;
  GetOptions options_;
  std::vector<hl7::Path> paths_;
  std::string expand_segment_;  // segment named with [*], if any
};

// ---- grep ----
class GrepExpression {
 public:
  // PATH=GLOB, PATH!=GLOB, PATH~REGEX (POSIX extended, byte-wise), PATH!~REGEX
  static GrepExpression parse(std::string_view text);  // throws usage_error / parse_error
  static bool is_expression(std::string_view text);
  // True when some selected value matches (for != and !~: when none does). An unindexed segment
  // means any occurrence, an unindexed field any repetition.
  bool matches(const hl7::Message& message) const;
  GrepExpression(GrepExpression&&) noexcept;
  ~GrepExpression();

 private:
  GrepExpression() = default;
  bool value_matches(std::string_view decoded) const;
  hl7::Path path_;
  std::string pattern_;
  bool negate_ = false;
  bool regex_ = false;
  std::unique_ptr<regex_t> compiled_;
};

// ---- show ----
// A person's view of one message: a header line, then one line per non-empty value
// `SEG[i]-F[r].C.S  value` with escapes decoded.
void show_message(const Record& record, std::string& out, DiagnosticSink& diagnostics);

}  // namespace smx
