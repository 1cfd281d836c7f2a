// The hand-over report: verdict, what was checked, counts per rule and per data type, first
// examples. Markdown or HTML; no timestamps or host names, so the same tree gives the same report.
#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include "smx/validate.hpp"

namespace smx::validate {
namespace {

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string md_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '\\' || c == '*' || c == '_' || c == '`' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

std::string where(const Diagnostic& d) {
  std::string s = d.where.path;
  if (d.where.message) s += ":" + std::to_string(d.where.message);
  if (!d.where.hl7_path.empty()) s += ":" + d.where.hl7_path;
  return s;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

class Writer {
 public:
  explicit Writer(bool html) : html_(html) {}
  void heading(int level, std::string_view text) {
    if (html_) out_ += "<h" + std::to_string(level) + ">" + html_escape(text) + "</h" + std::to_string(level) + ">\n";
    else out_ += std::string(static_cast<std::size_t>(level), '#') + " " + md_escape(text) + "\n\n";
  }
  void paragraph(std::string_view text) {
    if (html_) out_ += "<p>" + html_escape(text) + "</p>\n";
    else out_ += md_escape(text) + "\n\n";
  }
  void table(const Table& t) {
    if (html_) {
      out_ += "<table>\n<tr>";
      for (const auto& h : t.header) out_ += "<th>" + html_escape(h) + "</th>";
      out_ += "</tr>\n";
      for (const auto& r : t.rows) {
        out_ += "<tr>";
        for (const auto& c : r) out_ += "<td>" + html_escape(c) + "</td>";
        out_ += "</tr>\n";
      }
      out_ += "</table>\n";
    } else {
      out_ += "|";
      for (const auto& h : t.header) out_ += " " + md_escape(h) + " |";
      out_ += "\n|";
      for (std::size_t i = 0; i < t.header.size(); ++i) out_ += " --- |";
      out_ += "\n";
      for (const auto& r : t.rows) {
        out_ += "|";
        for (const auto& c : r) out_ += " " + md_escape(c) + " |";
        out_ += "\n";
      }
      out_ += "\n";
    }
  }
  void list(const std::vector<std::string>& items) {
    if (html_) {
      out_ += "<ul>\n";
      for (const auto& i : items) out_ += "<li><code>" + html_escape(i) + "</code></li>\n";
      out_ += "</ul>\n";
    } else {
      for (const auto& i : items) out_ += "- `" + i + "`\n";
      out_ += "\n";
    }
  }
  std::string& out() { return out_; }

 private:
  bool html_;
  std::string out_;
};

}  // namespace

std::string render_report(const Summary& s, const Profile& profile, std::string_view format) {
  bool html = format == "html";
  Writer w(html);
  if (html)
    w.out() += "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SS-MIX2 validation report</title>\n"
               "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}"
               "td,th{border:1px solid #999;padding:.2em .5em;text-align:left}code{font-size:90%}</style></head><body>\n";
  w.heading(1, "SS-MIX2 validation report");
  bool pass = s.clean() && !s.input_error;
  std::string verdict = pass ? "PASS: no errors" : "FAIL: " + std::to_string(s.errors) + " error(s)";
  if (s.counts.rejected) verdict += ", " + std::to_string(s.counts.rejected) + " message(s) unreadable";
  if (s.input_error) verdict += ", some input could not be read";
  w.paragraph("Verdict: " + verdict + ". Warnings: " + std::to_string(s.warnings) + ", notes: " + std::to_string(s.notes) + ".");
  w.paragraph("Profile: " + profile.name + (profile.title.empty() ? std::string() : " (" + profile.title + ")") +
              ". Files checked: " + std::to_string(s.counts.files) + "; messages read: " + std::to_string(s.counts.read) +
              "; messages rejected: " + std::to_string(s.counts.rejected) + ".");

  if (!s.deidentified.empty()) {
    std::string expected = "De-identified tree (smx deid profile " + s.deidentified + "): ";
    if (s.expected_by_code.empty()) expected += "no finding of the shape the profile writes by design.";
    else expected += "findings of the shape the profile writes by design are notes " + std::string(kDeidExpectedCode) + ":";
    w.paragraph(expected);
    if (!s.expected_by_code.empty()) {
      Table t{{"finding", "count"}, {}};
      for (const auto& [code, n] : s.expected_by_code) t.rows.push_back({code, std::to_string(n)});
      w.table(t);
    }
  }

  w.heading(2, "Findings per rule");
  std::vector<const RuleTally*> tallies;
  for (const auto& [code, t] : s.by_rule) tallies.push_back(&t);
  std::stable_sort(tallies.begin(), tallies.end(), [](const RuleTally* a, const RuleTally* b) {
    if (a->severity != b->severity) return a->severity > b->severity;
    return a->count > b->count;
  });
  Table rules{{"code", "severity", "count", "description", "clause"}, {}};
  for (const auto* t : tallies) {
    const Rule* r = profile.rule(t->code);
    std::string description = r ? r->description : std::string("(reader finding)");
    std::string clause = r ? r->clause : std::string();
    if (!r && t->code == kDeidExpectedCode) {
      description = "a finding the smx deid profile writes by design (--deidentified)";
      clause = "smx-deid(1), Validating the output";
    }
    rules.rows.push_back({t->code, std::string(severity_name(t->severity)), std::to_string(t->count), description, clause});
  }
  if (rules.rows.empty()) w.paragraph("No findings.");
  else w.table(rules);

  w.heading(2, "Per data type");
  Table types{{"data type", "files with messages", "errors", "warnings", "notes"}, {}};
  std::map<std::string, std::array<std::uint64_t, 3>> per_type;
  for (const auto& [type, n] : s.files_by_type) per_type[type];
  for (const auto& [type, codes] : s.by_type)
    for (const auto& [code, n] : codes) {
      auto it = s.by_rule.find(code);
      Severity sev = it == s.by_rule.end() ? Severity::error : it->second.severity;
      per_type[type][sev == Severity::error ? 0 : sev == Severity::warning ? 1 : 2] += n;
    }
  for (const auto& [type, n] : per_type) {
    auto files = s.files_by_type.find(type);
    types.rows.push_back({type.empty() ? "(no SS-MIX2 name)" : type,
                          std::to_string(files == s.files_by_type.end() ? 0 : files->second), std::to_string(n[0]),
                          std::to_string(n[1]), std::to_string(n[2])});
  }
  w.table(types);

  if (!tallies.empty()) {
    w.heading(2, "First examples");
    for (const auto* t : tallies) {
      w.heading(3, t->code + " (" + std::string(severity_name(t->severity)) + ", " + std::to_string(t->count) + ")");
      std::vector<std::string> items;
      for (const auto& d : t->examples) items.push_back(where(d) + ": " + d.text);
      w.list(items);
    }
  }
  if (html) w.out() += "</body></html>\n";
  return w.out();
}

std::string report_format_for(std::string_view path) {
  if (path == "-") return "md";
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".md" || extension == ".markdown") return "md";
  if (extension == ".html" || extension == ".htm") return "html";
  return "";
}

std::string format_stats(const Summary& summary, bool json) {
  const Counts& c = summary.counts;
  std::string line;
  if (json) {
    json::Writer w(line);
    begin_stats(w, "validate");
    w.string("profile", summary.profile);
    w.numbers({{"files", c.files}, {"read", c.read}, {"checked", c.read - c.rejected - c.filtered},
               {"rejected", c.rejected}, {"filtered", c.filtered}, {"undetermined", c.undetermined},
               {"errors", summary.errors}, {"warnings", summary.warnings}, {"notes", summary.notes}});
    if (!summary.deidentified.empty()) {
      w.string("deidentified", summary.deidentified);
      w.begin_object("deid_expected");
      for (const auto& [code, n] : summary.expected_by_code) w.number(code, n);
      w.end_object();
    }
    w.end_object();
  } else {
    line = "smx validate: " + summary.profile + ": files " + std::to_string(c.files) + ", messages " +
           std::to_string(c.read) + ", rejected " + std::to_string(c.rejected);
    // ", filtered N (M undetermined)" when the record filters left messages out, as in smx(1) --stats.
    if (c.filtered) {
      line += ", filtered " + std::to_string(c.filtered);
      if (c.undetermined) line += " (" + std::to_string(c.undetermined) + " undetermined)";
    }
    line += "; " + std::to_string(summary.errors) + " error(s), " + std::to_string(summary.warnings) + " warning(s), " +
            std::to_string(summary.notes) + " note(s)";
    if (!summary.deidentified.empty()) {
      line += "; expected by de-identification (" + summary.deidentified + "):";
      if (summary.expected_by_code.empty()) line += " none";
      std::string separator = " ";
      for (const auto& [code, n] : summary.expected_by_code) {
        line += separator + code + " " + std::to_string(n);
        separator = ", ";
      }
    }
  }
  line += "\n";
  return line;
}

}  // namespace smx::validate
