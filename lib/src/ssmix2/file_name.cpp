// SS-MIX2 file names (reference §3) and extended-storage content folders (§7).
#include <algorithm>
#include <chrono>

#include "name_internal.hpp"
#include "smx/ascii.hpp"

namespace smx::ssmix2 {
namespace detail {
namespace {

using ascii::all_digits;
using ascii::is_alnum;
using ascii::is_digit;

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "OML-11", "ADT-00", "OMD": the shape of a data-type folder, known to §4 or not.
bool looks_like_type(std::string_view s) {
  if (s.size() != 3 && s.size() != 6) return false;
  for (std::size_t i = 0; i < 3; ++i)
    if (s[i] < 'A' || s[i] > 'Z') return false;
  return s.size() == 3 || (s[3] == '-' && is_digit(s[4]) && is_digit(s[5]));
}

bool looks_like_date(std::string_view s) { return s == "-" || (s.size() == 8 && all_digits(s)); }

std::string join(const std::vector<std::string_view>& fields, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end; ++i) {
    if (i > begin) out += '_';
    out += fields[i];
  }
  return out;
}

// §3 field 5: YYYYMMDDHHMMSSFFF. Checks the parts present (14/15-digit variants included).
bool is_possible_timestamp(std::string_view ts) {
  if (ts.size() < 8 || !is_valid_date(ts.substr(0, 8))) return false;
  if (ts.size() >= 10 && number(ts.substr(8, 2)) > 23) return false;
  if (ts.size() >= 12 && number(ts.substr(10, 2)) > 59) return false;
  if (ts.size() >= 14 && number(ts.substr(12, 2)) > 59) return false;
  return true;
}

}  // namespace

bool is_valid_date(std::string_view s) {
  if (s.size() != 8 || !all_digits(s)) return false;
  const std::chrono::year_month_day date{std::chrono::year{number(s.substr(0, 4))},
                                         std::chrono::month{static_cast<unsigned>(number(s.substr(4, 2)))},
                                         std::chrono::day{static_cast<unsigned>(number(s.substr(6, 2)))}};
  return static_cast<int>(date.year()) >= 1 && date.ok();  // the Gregorian calendar has no year 0
}

void add_problem(std::vector<NameProblem>& problems, std::string_view code, std::string text) {
  for (const auto& p : problems)
    if (p.code == code) return;  // one finding per code and file
  Severity severity = Severity::warning;
  for (const auto& c : diagnostic_codes())
    if (c.code == code) severity = c.severity;
  problems.push_back(NameProblem{std::string(code), std::move(text), severity});
}

namespace {

// The '_'-separated fields, trimmed. §7: NHO's extended vital samples omit the department (6
// fields); it is read as "-" and `no_dept` set.
std::vector<std::string_view> split_fields(std::string_view name, bool extended, bool& no_dept,
                                           std::vector<NameProblem>& problems) {
  // §3 deviations: "_ 20140111135649314_" seen in a Java test; tolerate, report.
  if (name.find_first_of(ascii::kWhitespace) != std::string_view::npos)
    add_problem(problems, "SSMX-NAME-SPACE", "whitespace inside the name; ignored around fields");
  std::vector<std::string_view> fields;
  for (std::size_t start = 0;;) {
    std::size_t end = name.find('_', start);
    fields.push_back(ascii::trim(name.substr(start, end == std::string_view::npos ? end : end - start),
                                 ascii::kWhitespace));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  no_dept = false;
  if (extended && fields.size() == 6) {
    fields.insert(fields.end() - 1, std::string_view("-"));
    no_dept = true;
    add_problem(problems, "SSMX-NAME-NO-DEPT",
                "content folder has 6 fields; department code missing, read as '-'");
  }
  return fields;
}

// Reads seven or more fields into `out`; returns the flag field (without a file extension).
std::string_view read_fields(const std::vector<std::string_view>& fields, bool extended, FileName& out,
                             std::vector<NameProblem>& problems) {
  // Flag, department and timestamp from the right; they never hold '_' (§11).
  const std::size_t n = fields.size();
  std::string_view flag = fields[n - 1];
  if (!extended) {
    // §3 deviations: an NHO sample was committed as "..._01_1.hl7"; files have no extension.
    if (auto dot = flag.find('.'); dot != std::string_view::npos) {
      add_problem(problems, "SSMX-NAME-EXTENSION",
                  "extension '" + std::string(flag.substr(dot)) + "' after the condition flag");
      flag = flag.substr(0, dot);
    }
  }
  out.dept = std::string(fields[n - 2]);
  out.timestamp = std::string(fields[n - 3]);

  // Patient, date and type from the left. With extra fields, the date is the first field that
  // looks like a date and is followed by a data type, so a patient ID holding '_' parses; the
  // rest before the timestamp is the order number.
  std::size_t date_index = 1;
  if (n > 7) {
    for (std::size_t i = 1; i <= n - 6; ++i) {  // leaves one field for the order
      if (looks_like_date(fields[i]) && looks_like_type(fields[i + 1])) {
        date_index = i;
        break;
      }
    }
    add_problem(problems, "SSMX-NAME-EXTRA-FIELDS",
                std::to_string(n) + " '_'-separated fields, expected 7; '_' read as part of the " +
                    (date_index > 1 ? "patient ID" : "order number"));
  }
  out.patient = join(fields, 0, date_index);
  out.date = std::string(fields[date_index]);
  out.type = std::string(fields[date_index + 1]);
  out.order = join(fields, date_index + 2, n - 3);
  return flag;
}

// Fields 1-3: patient ID, care date, data type.
void check_patient_date_type(const FileName& out, bool extended, std::vector<NameProblem>& problems) {
  // Field 1: patient ID, ≤15 (§2 limits); <6 is an unconfirmed rule: warn, never re-pad (§2).
  if (out.patient.size() < 6)
    add_problem(problems, "SSMX-PATIENT-SHORT",
                "patient ID of " + std::to_string(out.patient.size()) + " characters, expected at least 6");
  else if (out.patient.size() > 15)
    add_problem(problems, "SSMX-PATIENT-LONG",
                "patient ID of " + std::to_string(out.patient.size()) + " characters, at most 15 allowed");

  // Field 2: care date YYYYMMDD or "-".
  const DataType* type = find_data_type(out.type);
  if (out.date != "-" && !is_valid_date(out.date)) {
    add_problem(problems, "SSMX-NAME-DATE", "care date '" + out.date + "' is neither YYYYMMDD nor '-'");
  } else if (type != nullptr && !extended) {
    // §2: undated types live in "-"; dated ones take their date from a message field.
    if (out.date == "-" && !type->care_date_field.empty())
      add_problem(problems, "SSMX-NAME-DATE-TYPE",
                  "care date '-' but " + out.type + " is dated (from " +
                      std::string(type->care_date_field) + ")");
    else if (out.date != "-" && type->care_date_field.empty())
      add_problem(problems, "SSMX-NAME-DATE-TYPE",
                  "care date " + out.date + " but " + out.type + " belongs in the '-' folder");
  }

  // Field 3: data type from the §4 table. Extended storage uses document codes instead (§7).
  if (!extended && type == nullptr)
    add_problem(problems, "SSMX-NAME-TYPE-UNKNOWN",
                "data type '" + out.type + "' is not in the SS-MIX2 data-type table");
}

// Fields 4-5: order number (extended: specific key) and timestamp.
void check_order_timestamp(const FileName& out, bool extended, std::vector<NameProblem>& problems) {
  // Field 4: 15-digit zero-padded order number (nine x15 when none); extended: specific key ≤22.
  if (extended) {
    if (out.order.size() > 22)
      add_problem(problems, "SSMX-NAME-KEY-WIDTH",
                  "specific key of " + std::to_string(out.order.size()) + " characters, at most 22 allowed");
  } else {
    if (out.order.size() != 15)
      add_problem(problems, "SSMX-NAME-ORDER-WIDTH",
                  "order number of " + std::to_string(out.order.size()) + " characters, expected 15");
    if (!all_digits(out.order))
      add_problem(problems, "SSMX-NAME-ORDER", "order number '" + out.order + "' is not all digits");
  }

  // Field 5: 17-digit YYYYMMDDHHMMSSFFF; 14/15-digit variants occur (§3 deviations).
  if (!all_digits(out.timestamp)) {
    add_problem(problems, "SSMX-NAME-TIMESTAMP", "timestamp '" + out.timestamp + "' is not all digits");
  } else {
    if (out.timestamp.size() != 17)
      add_problem(problems, "SSMX-NAME-TIMESTAMP-WIDTH",
                  "timestamp of " + std::to_string(out.timestamp.size()) +
                      " digits, expected 17 (YYYYMMDDHHMMSSFFF)");
    if (!is_possible_timestamp(out.timestamp))
      add_problem(problems, "SSMX-NAME-TIMESTAMP",
                  "timestamp '" + out.timestamp + "' is not a possible date and time");
  }
}

}  // namespace

std::optional<FileName> parse_name(std::string_view name, NameKind kind,
                                   std::vector<NameProblem>& problems) {
  const bool extended = kind == NameKind::extended_content;
  bool no_dept = false;
  std::vector<std::string_view> fields = split_fields(name, extended, no_dept, problems);
  if (fields.size() < 7) {
    add_problem(problems, "SSMX-NAME-FIELDS",
                std::to_string(fields.size()) + " '_'-separated fields, expected 7 "
                "(patient_date_type_order_timestamp_dept_flag)");
    return std::nullopt;
  }
  FileName out;
  std::string_view flag = read_fields(fields, extended, out, problems);
  check_patient_date_type(out, extended, problems);
  check_order_timestamp(out, extended, problems);

  // Field 6: department, user-defined table #0069: 2-3 alphanumerics seen; "-" when none.
  if (!no_dept && out.dept != "-" &&
      (out.dept.empty() || out.dept.size() > 3 || !std::all_of(out.dept.begin(), out.dept.end(), is_alnum)))
    add_problem(problems, "SSMX-NAME-DEPT",
                "department code '" + out.dept + "' is neither '-' nor 1 to 3 letters or digits");

  // Field 7: condition flag 1 current, 2 history, 0 deleted (§3.1).
  if (flag == "0" || flag == "1" || flag == "2")
    out.flag = flag[0] - '0';
  else
    add_problem(problems, "SSMX-NAME-FLAG", "condition flag '" + std::string(flag) + "' is not 0, 1 or 2");
  return out;
}

}  // namespace detail

std::optional<FileName> parse_file_name(std::string_view name, std::vector<NameProblem>& problems) {
  return detail::parse_name(name, detail::NameKind::standardized, problems);
}

std::string format_file_name(const FileName& name) {
  std::string out;
  out.reserve(name.patient.size() + name.order.size() + 48);
  for (std::string_view part : {std::string_view(name.patient), std::string_view(name.date),
                                std::string_view(name.type), std::string_view(name.order),
                                std::string_view(name.timestamp), std::string_view(name.dept)}) {
    out += part;
    out += '_';
  }
  out += std::to_string(name.flag);
  return out;
}

}  // namespace smx::ssmix2
