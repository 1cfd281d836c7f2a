#include <fnmatch.h>

#include <cstring>

#include "smx/query.hpp"

namespace smx {

void append_tsv_cell(std::string& out, std::string_view v) {
  std::size_t run = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    char e = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
    if (!e) continue;
    out.append(v.data() + run, i - run);
    out.push_back('\\');
    out.push_back(e);
    run = i + 1;
  }
  out.append(v.data() + run, v.size() - run);
}

namespace {

void report_escape_problems(const Record& record, const std::string& where,
                            const std::vector<hl7::EscapeProblem>& problems, DiagnosticSink& diagnostics) {
  for (const auto& p : problems)
    diagnostics.report(Diagnostic{Severity::warning, p.code, record.location(where), p.text});
}

void decode_into(const Record& record, std::string_view raw, const std::string& where, std::string& out,
                 DiagnosticSink& diagnostics) {
  const auto& d = record.message.delimiters();
  if (!hl7::has_escape(raw, d)) {
    out.append(raw);
    return;
  }
  std::vector<hl7::EscapeProblem> problems;
  hl7::unescape(raw, d, out, &problems);
  if (!problems.empty()) report_escape_problems(record, where, problems, diagnostics);
}

}  // namespace

// ---- get ----

bool GetQuery::is_path(std::string_view text) {
  try {
    hl7::Path::parse(text);
    return true;
  } catch (const parse_error&) {
    return false;
  }
}

GetQuery::GetQuery(const GetOptions& options) : options_(options) {
  if (options_.paths.empty()) throw usage_error("name at least one field path, e.g. PID-3.1");
  for (const auto& text : options_.paths) {
    hl7::Path p = hl7::Path::parse(text);
    if (p.repetition == hl7::Path::kAll)
      throw usage_error("'" + text + "': get prints one value per cell; name a repetition instead of [*]");
    if (p.segment_index == hl7::Path::kAll) {
      if (!expand_segment_.empty() && expand_segment_ != p.segment)
        throw usage_error("'" + text + "': all [*] paths must name the same segment (" + expand_segment_ + ")");
      expand_segment_ = p.segment;
    }
    paths_.push_back(std::move(p));
  }
}

void GetQuery::header(std::string& out) const {
  bool first = true;
  if (options_.source) {
    out.append("path\tn");
    first = false;
  }
  for (const auto& p : paths_) {
    if (!first) out.push_back('\t');
    first = false;
    append_tsv_cell(out, p.text);
  }
  out.push_back('\n');
}

void GetQuery::append_value(const Record& record, std::size_t segment_index, const hl7::Path& path, std::string& out,
                            DiagnosticSink& diagnostics) const {
  if (segment_index == hl7::Message::npos) return;
  std::string_view raw = hl7::select(record.message, segment_index, path, path.repetition);
  if (options_.raw) {
    append_tsv_cell(out, raw);
    return;
  }
  if (!hl7::has_escape(raw, record.message.delimiters()) || (path.segment == "MSH" && path.field <= 2)) {
    append_tsv_cell(out, raw);
    return;
  }
  std::string decoded;
  decode_into(record, raw, path.text, decoded, diagnostics);
  append_tsv_cell(out, decoded);
}

void GetQuery::rows(const Record& record, std::string& out, DiagnosticSink& diagnostics) const {
  const hl7::Message& m = record.message;
  auto first_occurrence = [&](const hl7::Path& p) -> std::size_t {
    std::size_t found = hl7::Message::npos;
    hl7::for_each_segment(m, p, false, [&](std::size_t i) { found = i; });
    return found;
  };
  auto row = [&](std::size_t expanded_index) {
    bool first = true;
    if (options_.source) {
      append_tsv_cell(out, record.src.path);
      out.push_back('\t');
      out.append(std::to_string(record.src.n));
      first = false;
    }
    for (const auto& p : paths_) {
      if (!first) out.push_back('\t');
      first = false;
      std::size_t i = p.segment_index == hl7::Path::kAll ? expanded_index : first_occurrence(p);
      append_value(record, i, p, out, diagnostics);
    }
    out.push_back('\n');
  };
  if (expand_segment_.empty()) {
    row(hl7::Message::npos);
    return;
  }
  for (std::size_t i = 0; i < m.segment_count(); ++i)
    if (m.segment_id(i) == expand_segment_) row(i);
}

// ---- grep ----

bool GrepExpression::is_expression(std::string_view text) {
  std::size_t op = text.find_first_of("=~");
  if (op == std::string_view::npos || op == 0) return false;
  std::size_t path_end = (text[op - 1] == '!') ? op - 1 : op;
  return GetQuery::is_path(text.substr(0, path_end));
}

GrepExpression GrepExpression::parse(std::string_view text) {
  GrepExpression e;
  std::size_t op = text.find_first_of("=~");
  if (op == std::string_view::npos || op == 0)
    throw usage_error("'" + std::string(text) + "': expected PATH=GLOB, PATH!=GLOB, PATH~REGEX or PATH!~REGEX");
  e.regex_ = text[op] == '~';
  std::size_t path_end = op;
  if (text[op - 1] == '!') {
    e.negate_ = true;
    path_end = op - 1;
  }
  e.path_ = hl7::Path::parse(text.substr(0, path_end));
  e.pattern_ = std::string(text.substr(op + 1));
  if (e.regex_) {
    e.compiled_ = std::make_unique<regex_t>();
    int rc = regcomp(e.compiled_.get(), e.pattern_.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char buf[256];
      regerror(rc, e.compiled_.get(), buf, sizeof buf);
      e.compiled_.reset();
      throw usage_error("'" + std::string(text) + "': bad regular expression: " + buf);
    }
  }
  return e;
}

GrepExpression::GrepExpression(GrepExpression&&) noexcept = default;

GrepExpression::~GrepExpression() {
  if (compiled_) regfree(compiled_.get());
}

bool GrepExpression::value_matches(std::string_view v) const {
  std::string s(v);
  if (regex_) return regexec(compiled_.get(), s.c_str(), 0, nullptr, 0) == 0;
  return fnmatch(pattern_.c_str(), s.c_str(), 0) == 0;
}

bool GrepExpression::matches(const hl7::Message& m) const {
  bool any = false;
  const bool any_segment = !path_.segment_index_given || path_.segment_index == hl7::Path::kAll;
  hl7::for_each_segment(m, path_, any_segment, [&](std::size_t i) {
    if (any) return;
    std::vector<int> reps;
    if (path_.repetition_given && path_.repetition != hl7::Path::kAll) {
      reps.push_back(path_.repetition);
    } else {
      std::size_t n = path_.field == 0 ? 1 : std::max<std::size_t>(1, hl7::repetition_count(m, i, path_.field));
      for (std::size_t r = 1; r <= n; ++r) reps.push_back(static_cast<int>(r));
    }
    for (int r : reps) {
      std::string_view raw = hl7::select(m, i, path_, r);
      std::string decoded;
      if (hl7::has_escape(raw, m.delimiters()) && !(path_.segment == "MSH" && path_.field <= 2))
        hl7::unescape(raw, m.delimiters(), decoded, nullptr);
      else
        decoded.assign(raw);
      if (value_matches(decoded)) {
        any = true;
        return;
      }
    }
  });
  // A path that selects nothing matches an empty value (so PID-99= finds messages without it).
  if (!any) {
    bool selected = false;
    hl7::for_each_segment(m, path_, true, [&](std::size_t) { selected = true; });
    if (!selected) any = value_matches("");
  }
  return negate_ ? !any : any;
}

// ---- show ----

void show_message(const Record& r, std::string& out, DiagnosticSink& diagnostics) {
  const hl7::Message& m = r.message;
  const auto& d = m.delimiters();
  out.append("── ");
  out.append(r.src.path);
  out.append(" #");
  out.append(std::to_string(r.src.n));
  if (!r.charset.empty()) {
    out.append(" (");
    out.append(r.charset);
    out.push_back(')');
  }
  out.append(" ──\n");
  std::vector<std::size_t> occurrence(m.segment_count());
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    std::string_view id = m.segment_id(i);
    std::size_t k = 0, total = 0;
    for (std::size_t j = 0; j < m.segment_count(); ++j) {
      if (m.segment_id(j) != id) continue;
      ++total;
      if (j < i) ++k;
    }
    std::string seg(id);
    if (total > 1) seg += "[" + std::to_string(k + 1) + "]";
    std::size_t fields = m.field_count(i);
    for (std::size_t f = 1; f <= fields; ++f) {
      std::string_view field = m.field(i, f);
      if (field.empty()) continue;
      std::string base = seg + "-" + std::to_string(f);
      if (id == "MSH" && f <= 2) {
        out.append(base).append(" = ").append(field).push_back('\n');
        continue;
      }
      std::size_t reps = hl7::count_pieces(field, d.repetition);
      for (std::size_t rep = 0; rep < reps; ++rep) {
        std::string_view rv = hl7::nth_piece(field, d.repetition, rep);
        if (rv.empty()) continue;
        std::string rbase = reps > 1 ? base + "[" + std::to_string(rep + 1) + "]" : base;
        std::size_t comps = hl7::count_pieces(rv, d.component);
        for (std::size_t c = 0; c < comps; ++c) {
          std::string_view cv = hl7::nth_piece(rv, d.component, c);
          if (cv.empty()) continue;
          std::string cbase = comps > 1 ? rbase + "." + std::to_string(c + 1) : rbase;
          std::size_t subs = hl7::count_pieces(cv, d.subcomponent);
          for (std::size_t s = 0; s < subs; ++s) {
            std::string_view sv = hl7::nth_piece(cv, d.subcomponent, s);
            if (sv.empty()) continue;
            std::string sbase = subs > 1 ? cbase + "." + std::to_string(s + 1) : cbase;
            std::string value;
            decode_into(r, sv, sbase, value, diagnostics);
            out.append(sbase).append(" = ");
            // A decoded line break is shown as a continuation line.
            std::size_t start = 0;
            for (;;) {
              std::size_t nl = value.find('\n', start);
              out.append(value, start, nl == std::string::npos ? std::string::npos : nl - start);
              out.push_back('\n');
              if (nl == std::string::npos) break;
              out.append(std::string(sbase.size() + 1, ' ')).append("| ");
              start = nl + 1;
            }
          }
        }
      }
    }
  }
}

}  // namespace smx
