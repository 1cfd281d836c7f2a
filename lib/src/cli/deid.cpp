// smx deid as one library call: messages -> a de-identified stream or SS-MIX2 tree, with an
// audit that never holds a value (smx-deid(1)).
#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "smx/cli.hpp"
#include "smx/deid.hpp"
#include "smx/deid_cli.hpp"
#include "smx/gen.hpp"
#include "smx/tables.hpp"

namespace smx::cli {
namespace {

constexpr std::size_t kMinPatientId = 6;  // SS-MIX2 folders pid[0:3]/pid[3:6] (ssmix2.md §2)

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::uint64_t hash64(std::string_view text) { return std::hash<std::string_view>{}(text); }

// Rewrites the location of every diagnostic: an SS-MIX2 path names the patient, so it becomes
// the de-identified output path when one is known, else "input K" (the K-th input file that
// reported something); the message number stays.
class MaskingSink final : public DiagnosticSink {
 public:
  explicit MaskingSink(DiagnosticSink& next) : next_(next) {}
  std::function<std::optional<std::string>(const std::string& path)> label_of;  // may be empty
  void remember(const std::string& path, const std::string& label) {
    if (labels_.size() > 4096) labels_.clear();  // bounded: the walk moves on, old paths are not seen again
    labels_[path] = label;
  }
  void report(Diagnostic d) override {
    if (d.severity == Severity::error) ++errors;
    if (!d.where.path.empty()) d.where.path = mask(d.where.path);
    d.text = mask_text(d.code, d.text);
    d.where.offset = 0;
    next_.report(std::move(d));
  }
  std::size_t errors = 0;

 private:
  std::string mask(const std::string& path) {
    if (auto found = labels_.find(path); found != labels_.end()) return found->second;
    std::optional<std::string> label = label_of ? label_of(path) : std::nullopt;
    if (!label) label = "input " + std::to_string(++unnamed_);
    remember(path, *label);
    return *label;
  }
  // What the tree walk reports about a name quotes its parts (care dates, patient IDs): deid
  // prints the code's fixed summary instead. Any other text loses its runs of 6 or more digits
  // (IDs, dates); counts and sizes stay.
  static std::string mask_text(const std::string& code, const std::string& text) {
    for (const ssmix2::DiagnosticCode& c : ssmix2::diagnostic_codes())
      if (c.code == code) return std::string(c.summary);
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
      std::size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (j - i >= 6) {
        out += "#";
        i = j;
      } else if (j > i) {
        out.append(text, i, j - i);
        i = j;
      } else {
        out += text[i++];
      }
    }
    return out;
  }
  DiagnosticSink& next_;
  std::unordered_map<std::string, std::string> labels_;
  std::uint64_t unnamed_ = 0;
};

// Writes the audit sidecar: one header, one line per message, one summary. Rule names and
// criteria only (never a value, never an input path).
class AuditWriter {
 public:
  AuditWriter(const std::string& path, const deid::Deidentifier& d, const std::string& profile_asked)
      : out_(path) {
    const deid::Profile& p = d.profile();
    std::string& b = out_.buffer();
    b += "{\"smx\":1,\"kind\":\"deid-run\",\"profile\":";
    append_json_string(b, p.name.empty() ? profile_asked : p.name);
    b += ",\"profile_sha256\":";
    append_json_string(b, p.sha256);
    b += ",\"chain\":[";
    for (std::size_t i = 0; i < p.chain.size(); ++i) {
      if (i) b += ',';
      append_json_string(b, p.chain[i]);
    }
    b += "],\"key_fingerprint\":";
    append_json_string(b, d.key_fingerprint());
    b += ",\"release\":";
    append_json_string(b, d.release());
    b += ",\"shift_days\":{\"min\":" + std::to_string(p.shift.min_days) +
         ",\"max\":" + std::to_string(p.shift.max_days) +
         ",\"allow_zero\":" + (p.shift.allow_zero ? "true" : "false") + "}}\n";
  }
  void message(std::uint64_t n, const std::string& label, const std::string& outcome, const deid::Audit& audit) {
    std::string& b = out_.buffer();
    b += "{\"smx\":1,\"kind\":\"deid-audit\",\"n\":" + std::to_string(n) + ",\"out\":";
    append_json_string(b, label);
    b += ",\"outcome\":";
    append_json_string(b, outcome);
    append_rules(b, audit);
    b += "}\n";
    out_.maybe_flush();
    total_.merge(audit);
  }
  void finish(const DeidCounts& c) {
    std::string& b = out_.buffer();
    b += "{\"smx\":1,\"kind\":\"deid-summary\",\"read\":" + std::to_string(c.messages.read) +
         ",\"written\":" + std::to_string(c.messages.written) + ",\"rejected\":" + std::to_string(c.messages.rejected) +
         ",\"patients\":" + std::to_string(c.patients) + ",\"collisions\":" + std::to_string(c.collisions) +
         ",\"files\":" + std::to_string(c.files);
    append_rules(b, total_);
    b += "}\n";
    out_.commit();
  }

 private:
  static void append_rules(std::string& b, const deid::Audit& audit) {
    b += ",\"rules\":[";
    bool first = true;
    for (const deid::AuditEntry& e : audit.entries()) {
      if (!first) b += ',';
      first = false;
      b += "{\"rule\":";
      append_json_string(b, e.rule);
      b += ",\"criterion\":";
      append_json_string(b, e.criterion);
      b += ",\"count\":" + std::to_string(e.count) + "}";
    }
    b += ']';
  }
  Output out_;
  deid::Audit total_;
};

// The files of the de-identified tree: messages of one input file are gathered into one output
// file; a name already written gets the next timestamp (padded dates under shift-month and
// shift-year make names of one patient meet), so nothing is overwritten.
class TreeWriter {
 public:
  explicit TreeWriter(const std::string& root) : sink_(root) {}
  // Returns the relative path the bytes go to.
  std::string add(const std::string& source, std::string facility, ssmix2::FileName name, std::string_view bytes,
                  std::uint64_t& renamed) {
    if (source == source_ && !pending_name_.empty()) {
      pending_bytes_.append(bytes);
      return pending_label_;
    }
    flush();
    std::string directory = deid::storage_directory(name);
    std::string file = ssmix2::format_file_name(name);
    std::string base = (facility.empty() ? "" : facility + "/") + directory + "/";
    while (!written_.insert(hash64(base + file)).second) {
      increment(name.timestamp);
      file = ssmix2::format_file_name(name);
      ++renamed;
    }
    if (patient_ != name.patient) {
      sink_.patient_done();
      patient_ = name.patient;
    }
    source_ = source;
    if (facility.empty()) {  // TreeSink writes ROOT/facility/directory: the first level stands in
      const std::size_t slash = directory.find('/');
      facility = directory.substr(0, slash);
      directory = directory.substr(slash + 1);
    }
    pending_facility_ = std::move(facility);
    pending_directory_ = std::move(directory);
    pending_name_ = std::move(file);
    pending_bytes_.assign(bytes);
    pending_label_ = base + pending_name_;
    return pending_label_;
  }
  void finish() {
    flush();
    sink_.finish();
  }
  std::uint64_t files() const { return files_; }

 private:
  static void increment(std::string& digits) {
    for (std::size_t i = digits.size(); i-- > 0;) {
      if (digits[i] < '0' || digits[i] > '8') {
        digits[i] = '0';
        continue;
      }
      ++digits[i];
      return;
    }
  }
  void flush() {
    if (pending_name_.empty()) return;
    sink_.file(gen::Sink::File{pending_facility_, pending_directory_, pending_name_, pending_bytes_, {}, {}});
    ++files_;
    pending_name_.clear();
  }
  gen::TreeSink sink_;
  std::unordered_set<std::uint64_t> written_;  // hashes of the relative paths written
  std::string source_, patient_;
  std::string pending_facility_, pending_directory_, pending_name_, pending_bytes_, pending_label_;
  std::uint64_t files_ = 0;
};

struct Setup {
  deid::Deidentifier deidentifier;
  std::string profile_asked;
};

deid::Deidentifier make_deidentifier(const DeidOptions& o, DiagnosticSink& diagnostics) {
  if (o.key.empty()) throw usage_error("[DEID-KEY-MISSING] no key: --key FILE is required (make one with --new-key FILE)");
  deid::KeyFileInfo info;
  deid::Key key = deid::load_key(o.key, &info);
  if (info.readable_by_others)
    diagnostics.report(Diagnostic{Severity::warning, "DEID-KEY-MODE", {},
                                  "the key file may be read by group or others; chmod 600 it", {}});
  const std::filesystem::path tables = o.tables.empty() ? tables::default_tables_dir() : std::filesystem::path(o.tables);
  deid::TypeTable types = deid::TypeTable::load(deid::types_path(tables));
  deid::Profile profile = deid::load_profile(o.profile, deid::profiles_dir(tables), types);
  if (!o.shift_days.empty()) profile.shift = deid::parse_shift_range(o.shift_days);
  if (o.purpose.empty()) throw usage_error("--purpose: the release name is empty");
  return deid::Deidentifier(std::move(profile), std::move(types), key, o.purpose);
}

// What the tree below an input root holds above pid[0:3] (a facility folder such as H01), for
// a record read from that root; "" when none or when it would hold the patient ID.
std::string facility_of(const std::vector<std::string>& roots, const std::string& path, std::string_view patient) {
  for (const std::string& root : roots) {
    if (path.size() <= root.size() + 1 || path.compare(0, root.size(), root) != 0 || path[root.size()] != '/') continue;
    std::vector<std::string_view> parts = split_path(std::string_view(path).substr(root.size() + 1));
    if (parts.size() <= 6) return {};
    std::string facility;
    for (std::size_t i = 0; i + 6 < parts.size(); ++i) {
      if (!patient.empty() && parts[i].find(patient) != std::string_view::npos) return {};
      facility += (i ? "/" : "") + std::string(parts[i]);
    }
    return facility;
  }
  return {};
}

}  // namespace

std::string deid_new_key(const std::string& path) {
  if (path.empty()) throw usage_error("--new-key needs a file name");
  deid::new_key(path);
  return deid::load_key(path).fingerprint();
}

int deid(const DeidOptions& o, Output& out, DiagnosticSink& diagnostics, DeidCounts& counts) {
  MaskingSink sink(diagnostics);
  const deid::Deidentifier d = make_deidentifier(o, sink);
  std::vector<std::string> roots;
  for (const std::string& input : o.inputs) roots.push_back(without_trailing_slash(input));

  // The output path of an input file, from its SS-MIX2 name alone (for what the reader reports
  // before the record arrives).
  sink.label_of = [&](const std::string& path) -> std::optional<std::string> {
    const std::size_t slash = path.rfind('/');
    std::vector<ssmix2::NameProblem> problems;
    std::optional<ssmix2::FileName> name =
        ssmix2::parse_file_name(slash == std::string::npos ? path : path.substr(slash + 1), problems);
    if (!name || name->patient.size() < kMinPatientId) return std::nullopt;
    std::optional<ssmix2::FileName> renamed = d.file_name(*name, d.patient(name->patient));
    if (!renamed) return std::nullopt;
    return deid::storage_directory(*renamed) + "/" + ssmix2::format_file_name(*renamed);
  };

  std::optional<Output> rejects_out;
  std::optional<RejectWriter> rejects;
  if (!o.rejects.empty()) {
    rejects_out.emplace(o.rejects);
    rejects.emplace(*rejects_out);
  }
  std::optional<AuditWriter> audit;
  if (!o.audit.empty()) audit.emplace(o.audit, d, o.profile);
  std::optional<TreeWriter> tree;
  if (!o.output_dir.empty()) tree.emplace(o.output_dir);
  RecordWriter writer(out, OutputFormat::stream);
  deid::CollisionDetector collisions;
  std::uint64_t renamed = 0, ordinal = 0;
  std::optional<std::string> context_for;  // the patient `context` belongs to
  deid::PatientContext context;

  RecordReader reader(o.inputs, o.reader, sink, rejects ? &*rejects : nullptr, counts.messages);
  auto reject = [&](const Record& r, const std::string& code, const std::string& text, const std::string& label) {
    sink.report(Diagnostic{Severity::error, code, Location{label, r.src.n, 0, {}}, text, {}});
    ++counts.messages.rejected;
    if (rejects)
      rejects->reject(Reject{r.src, code, text,
                             r.stream_line.empty() ? r.message.text() : std::string_view(r.stream_line)});
    if (audit) audit->message(ordinal, label, "rejected " + code, deid::Audit{});
  };

  while (const Record* r = reader.next()) {
    ++ordinal;
    const std::string message_label = "message " + std::to_string(ordinal);
    const std::string patient = r->ssmix2 ? r->ssmix2->patient : ssmix2::content_patient(r->message);
    if (!patient.empty() && patient.size() < kMinPatientId) {
      reject(*r, "DEID-PATIENT-SHORT",
             "patient ID shorter than 6 characters: not an SS-MIX2 patient folder (pid[0:3]/pid[3:6]); message not written",
             message_label);
      continue;
    }
    if (patient.empty() && tree) {
      reject(*r, "DEID-NO-PATIENT", "no patient ID (SS-MIX2 name or PID-3): cannot be filed in the tree", message_label);
      continue;
    }
    if (!context_for || *context_for != patient) {
      context_for.reset();
      context = patient.empty() ? deid::PatientContext{} : d.patient(patient);
      if (!patient.empty() && collisions.observe("patient", d.pseudonym("patient", patient))) {
        ++counts.collisions;
        reject(*r, "DEID-COLLISION", "two patient IDs got one pseudonym; use a longer pseudonym shape", message_label);
        continue;
      }
      context_for = patient;
    }
    std::optional<ssmix2::FileName> name;
    if (r->ssmix2 && r->ssmix2->flag >= 0) {
      name = d.file_name(*r->ssmix2, context);
    } else if (!patient.empty()) {
      if (std::optional<ssmix2::FileName> derived = deid::name_from_content(r->message, patient))
        name = d.file_name(*derived, context);
    }
    if (tree && !name) {
      reject(*r, "DEID-TREE-NAME",
             "no SS-MIX2 name could be made (unreadable name, care date or timestamp, or an unknown data type)",
             message_label);
      continue;
    }
    std::string label = name ? deid::storage_directory(*name) + "/" + ssmix2::format_file_name(*name) : message_label;
    sink.remember(r->src.path, label);
    if (patient.empty())
      sink.report(Diagnostic{Severity::warning, "DEID-NO-PATIENT", Location{label, r->src.n, 0, {}},
                             "no patient ID: no date shift is known, every date of the message is removed", {}});
    deid::DeidResult result = d.apply(r->message, context);
    if (tree) {
      std::string bytes;
      if (!deid::encode_message(result.text, r->charset, bytes))
        sink.report(Diagnostic{Severity::warning, "DEID-CHARSET", Location{label, r->src.n, 0, {}},
                               "a character cannot be written in " + r->charset +
                                   "; the file is written in UTF-8 with MSH-18 UNICODE UTF-8",
                               {}});
      label = tree->add(r->src.path, facility_of(roots, r->src.path, patient), *name, bytes, renamed);
    } else {
      Record written;
      written.src = Source{name ? label : std::string("-"), name ? r->src.n : ordinal, 0};
      written.ssmix2 = name;
      written.charset = r->charset;
      written.changes = r->changes;  // labnorm's changes: codes and units, never a patient value
      writer.write(written, result.text);
    }
    ++counts.messages.written;
    if (audit) audit->message(ordinal, label, "written", result.audit);
  }
  counts.patients = collisions.distinct();
  if (tree) {
    tree->finish();
    counts.files = tree->files();
    if (renamed)
      sink.report(Diagnostic{Severity::note, "DEID-TREE-RENAMED", {},
                             std::to_string(renamed) +
                                 " files met a name already written (dates cut by the profile); each got the next timestamp",
                             {}});
  }
  out.commit();
  if (rejects_out) rejects_out->commit();
  if (audit) audit->finish(counts);
  counts.input_failed = reader.had_input_error();
  if (counts.input_failed) return kFailed;
  return (sink.errors > 0 || counts.messages.rejected > 0) ? kDataProblems : kOk;
}

}  // namespace smx::cli
