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
#include "smx/json.hpp"
#include "smx/risk.hpp"
#include "smx/tables.hpp"

namespace smx::cli {
namespace {

constexpr std::size_t kMinPatientId = 6;

struct DeidCounts {
  Counts messages;                  // read, written, rejected
  std::uint64_t patients = 0;       // distinct patient pseudonyms
  std::uint64_t collisions = 0;
  std::uint64_t files = 0;          // files written to the tree
};  // SS-MIX2 folders pid[0:3]/pid[3:6] (ssmix2.md §2)

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
    json::Writer w(out_.buffer());
    w.begin_object();
    w.number("smx", 1);
    w.string("kind", "deid-run");
    w.string("profile", p.name.empty() ? profile_asked : p.name);
    w.string("profile_sha256", p.sha256);
    w.begin_array("chain");
    for (const std::string& name : p.chain) w.string_element(name);
    w.end_array();
    w.string("key_fingerprint", d.key_fingerprint());
    w.string("release", d.release());
    w.begin_object("shift_days");
    w.number("min", p.shift.min_days);
    w.number("max", p.shift.max_days);
    w.boolean("allow_zero", p.shift.allow_zero);
    w.end_object();
    w.end_object();
    out_.buffer() += '\n';
  }
  void message(std::uint64_t n, const std::string& label, const std::string& outcome, const deid::Audit& audit) {
    json::Writer w(out_.buffer());
    w.begin_object();
    w.number("smx", 1);
    w.string("kind", "deid-audit");
    w.number("n", n);
    w.string("out", label);
    w.string("outcome", outcome);
    rules(w, audit);
    w.end_object();
    out_.buffer() += '\n';
    out_.maybe_flush();
    total_.merge(audit);
  }
  void finish(const DeidCounts& c) {
    json::Writer w(out_.buffer());
    w.begin_object();
    w.number("smx", 1);
    w.string("kind", "deid-summary");
    w.number("read", c.messages.read);
    w.number("written", c.messages.written);
    w.number("rejected", c.messages.rejected);
    w.number("suppressed", c.messages.filtered);
    w.number("patients", c.patients);
    w.number("collisions", c.collisions);
    w.number("files", c.files);
    rules(w, total_);
    w.end_object();
    out_.buffer() += '\n';
    out_.commit();
  }

 private:
  static void rules(json::Writer& w, const deid::Audit& audit) {
    w.begin_array("rules");
    for (const deid::AuditEntry& e : audit.entries()) {
      w.begin_object();
      w.string("rule", e.rule);
      w.string("criterion", e.criterion);
      w.number("count", e.count);
      w.end_object();
    }
    w.end_array();
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
    const std::string base = (facility.empty() ? "" : facility + "/") + directory + "/";
    if (facility.empty()) {  // TreeSink writes ROOT/facility/directory: the first level stands in
      const std::size_t slash = directory.find('/');
      facility = directory.substr(0, slash);
      directory = directory.substr(slash + 1);
    }
    if (patient_ != name.patient || facility_ != facility) {
      sink_.patient_done();
      patient_ = name.patient;
      facility_ = facility;
      start_patient();
    }
    while (!written_.insert(hash64(directory + "/" + file)).second || (revisit_ && sink_.written(facility, directory, file))) {
      increment(name.timestamp);
      file = ssmix2::format_file_name(name);
      ++renamed;
    }
    source_ = source;
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
  // Names can only collide within one patient's folders (the path holds the patient), so the
  // names written are kept for the current patient only: memory stays flat however many files.
  // A patient met again after others (input not grouped by patient) is checked against the disk,
  // once the writers have caught up.
  void start_patient() {
    written_.clear();
    revisit_ = !seen_.insert(hash64(facility_ + "/" + patient_)).second;
    if (revisit_) sink_.sync();
  }
  void flush() {
    if (pending_name_.empty()) return;
    sink_.file(gen::Sink::File{pending_facility_, pending_directory_, pending_name_, pending_bytes_, {}, {}});
    ++files_;
    pending_name_.clear();
  }
  gen::TreeSink sink_;
  std::unordered_set<std::uint64_t> written_;  // hashes of the current patient's file names (directory and file)
  std::unordered_set<std::uint64_t> seen_;     // hashes of facility/patient met so far
  bool revisit_ = false;
  std::string source_, patient_, facility_;
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
  const std::filesystem::path tables = tables_root(o.tables);
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

namespace {

// A message's share of the work, from a worker to the ordered delivery.
struct DeidPiece : Piece {
  std::string patient_mac_text;   // the patient's pseudonym ("" when no patient)
  deid::Digest patient_mac{};     // its full MAC, for the collision detector
  std::optional<ssmix2::FileName> name;  // the de-identified SS-MIX2 name
  std::string facility;
  std::string text;               // the de-identified message (tree: the file's bytes)
  deid::Audit audit;
  std::string error_code, error_text;  // set: the message is not written
  bool suppressed = false;             // --min-k: the patient is left out of the release
  void clear() {
    Piece::clear();
    suppressed = false;
    patient_mac_text.clear();
    name.reset();
    facility.clear();
    text.clear();
    audit = deid::Audit{};
    error_code.clear();
    error_text.clear();
  }
};

class NullSink final : public DiagnosticSink {
 public:
  void report(Diagnostic) override {}
};

// --min-k: a first pass de-identifies every message (writing nothing, reporting nothing: the
// second pass reports), builds one record per patient from the de-identified messages (the
// quasi-identifiers as released) and returns the pseudonyms of the patients in equivalence
// classes smaller than K. Leaving those patients out makes every remaining class hold K or more
// (classes are disjoint), which is what smx risk then measures; generalizing further is the
// profile's job.
struct Suppression {
  std::unordered_set<std::string> patients;
  std::uint64_t patients_total = 0, k_min_before = 0, classes_before = 0;
};

Suppression min_k_suppression(const MessageOptions& options, const DeidOptions& o, const deid::Deidentifier& d) {
  for (const std::string& input : options.inputs)
    if (input == "-") throw usage_error("--min-k reads the inputs twice: give files or trees, not stdin");
  if (options.inputs.empty()) throw usage_error("--min-k reads the inputs twice: give files or trees, not stdin");
  MessageOptions first = options;
  first.common.rejects.clear();
  first.common.stats.clear();
  NullSink quiet;
  Output nowhere("/dev/null");
  risk::PatientTable table(risk::parse_qi_list(o.qi), 5);
  MessageJob job("deid", first, nowhere, quiet);
  job.for_each_record<DeidPiece>(
      [&](std::size_t, const Record& r, DeidPiece& p) {
        const std::string patient = r.ssmix2 ? r.ssmix2->patient : ssmix2::content_patient(r.message);
        if (patient.size() < kMinPatientId) return;  // not released anyway
        const deid::PatientContext context = d.patient(patient);
        p.patient_mac_text = context.pseudonym;
        p.text = d.apply(r.message, context).text;
      },
      [&](const Record&, DeidPiece& p) {
        if (p.patient_mac_text.empty()) return;
        hl7::Message released;
        if (released.assign(p.text)) table.add(released, p.patient_mac_text);
      });
  const std::vector<std::pair<std::string, risk::Record>> records = table.records_by_patient();
  risk::EquivalenceClasses classes;
  for (const auto& [id, record] : records) classes.add(record);
  Suppression out;
  out.patients_total = records.size();
  out.classes_before = classes.classes();
  out.k_min_before = risk::summarize(classes.histogram()).k_min;
  for (const auto& [id, record] : records)
    if (classes.size_of(record) < o.min_k) out.patients.insert(id);
  return out;
}

}  // namespace

JobResult deid(const MessageOptions& options, const DeidOptions& o, Output& out, DiagnosticSink& diagnostics) {
  // Delete records of an incremental run would have to remove files of the de-identified tree
  // and pseudonymize their keys: not done yet, so refused rather than silently dropped.
  if (!options.state.empty())
    throw usage_error("--state: smx deid does not handle delete records yet; de-identify the night's file "
                      "(smx cat --state ... -o FILE) or the whole tree");
  MaskingSink sink(diagnostics);
  const deid::Deidentifier d = make_deidentifier(o, sink);
  std::vector<std::string> roots;
  for (const std::string& input : options.inputs) roots.push_back(without_trailing_slash(input));
  const bool to_tree = !o.output_dir.empty();

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

  std::optional<AuditWriter> audit;
  if (!o.audit.empty()) audit.emplace(o.audit, d, o.profile);
  std::optional<TreeWriter> tree;
  if (to_tree) tree.emplace(o.output_dir);
  std::optional<Suppression> suppression;
  if (o.min_k > 0) suppression = min_k_suppression(options, o, d);
  MessageJob job("deid", options, out, sink);
  std::uint64_t suppressed_messages = 0;
  deid::CollisionDetector collisions;
  DeidCounts counts;
  std::uint64_t renamed = 0, ordinal = 0;

  job.for_each_record<DeidPiece>(
      [&](std::size_t, const Record& r, DeidPiece& p) {
        const std::string patient = r.ssmix2 ? r.ssmix2->patient : ssmix2::content_patient(r.message);
        if (!patient.empty() && patient.size() < kMinPatientId) {
          p.error_code = "DEID-PATIENT-SHORT";
          p.error_text = "patient ID shorter than 6 characters: not an SS-MIX2 patient folder (pid[0:3]/pid[3:6]); "
                         "message not written";
          return;
        }
        if (patient.empty() && to_tree) {
          p.error_code = "DEID-NO-PATIENT";
          p.error_text = "no patient ID (SS-MIX2 name or PID-3): cannot be filed in the tree; message not written";
          return;
        }
        deid::PatientContext context;
        if (!patient.empty()) {
          context = d.patient(patient);
          const deid::Pseudonym pseudonym = d.pseudonym("patient", patient);
          p.patient_mac_text = pseudonym.text;
          p.patient_mac = pseudonym.mac;
          if (suppression && suppression->patients.count(pseudonym.text)) {
            p.suppressed = true;
            return;
          }
        }
        if (r.ssmix2 && r.ssmix2->flag >= 0) {
          p.name = d.file_name(*r.ssmix2, context);
        } else if (!patient.empty()) {
          if (std::optional<ssmix2::FileName> derived = deid::name_from_content(r.message, patient))
            p.name = d.file_name(*derived, context);
        }
        if (to_tree && !p.name) {
          p.error_code = "DEID-TREE-NAME";
          p.error_text = "no SS-MIX2 name could be made (unreadable name, care date or timestamp, or a data type "
                         "not in the SS-MIX2 table); message not written";
          return;
        }
        // Diagnostics of this message point at its output path, or at the input (masked).
        const std::string label =
            p.name ? deid::storage_directory(*p.name) + "/" + ssmix2::format_file_name(*p.name) : r.src.path;
        if (patient.empty())
          p.diagnostics.report(Diagnostic{Severity::warning, "DEID-NO-PATIENT", Location{label, r.src.n, 0, {}},
                                          "no patient ID: no date shift is known, every date of the message is removed",
                                          {}});
        deid::DeidResult result = d.apply(r.message, context);
        p.audit = std::move(result.audit);
        if (to_tree) {
          p.facility = facility_of(roots, r.src.path, patient);
          if (!deid::encode_message(result.text, r.charset, p.text))
            p.diagnostics.report(Diagnostic{Severity::warning, "DEID-CHARSET", Location{label, r.src.n, 0, {}},
                                            "a character cannot be written in " + r.charset +
                                                "; the file is written in UTF-8 with MSH-18 UNICODE UTF-8",
                                            {}});
        } else {
          p.text = std::move(result.text);
        }
      },
      [&](const Record& r, DeidPiece& p) {
        ++ordinal;
        std::string label = p.name ? deid::storage_directory(*p.name) + "/" + ssmix2::format_file_name(*p.name)
                                   : "message " + std::to_string(ordinal);
        if (p.error_code.empty() && !p.patient_mac_text.empty() &&
            collisions.observe("patient", deid::Pseudonym{p.patient_mac_text, p.patient_mac})) {
          ++counts.collisions;
          p.error_code = "DEID-COLLISION";
          p.error_text = "two patient IDs got one pseudonym; use a longer pseudonym shape; message not written";
        }
        if (p.suppressed) {
          ++suppressed_messages;
          ++job.counts().filtered;
          if (audit) audit->message(ordinal, "message " + std::to_string(ordinal), "suppressed (min-k)", deid::Audit{});
          return;
        }
        if (!p.error_code.empty()) {
          sink.report(Diagnostic{Severity::error, p.error_code, Location{r.src.path, r.src.n, 0, {}}, p.error_text, {}});
          job.reject(r, p.error_code, p.error_text);
          if (audit) audit->message(ordinal, label, "rejected " + p.error_code, deid::Audit{});
          return;
        }
        sink.remember(r.src.path, label);
        if (tree) {
          label = tree->add(r.src.path, p.facility, *p.name, p.text, renamed);
        } else {
          Record written;
          written.src = Source{p.name ? label : std::string("-"), p.name ? r.src.n : ordinal, 0};
          written.ssmix2 = p.name;
          written.charset = r.charset;
          written.changes = r.changes;  // labnorm's changes: codes and units, never a patient value
          std::string line;
          RecordWriter::append(line, OutputFormat::stream, written, p.text);
          out.write(line);
        }
        ++job.counts().written;
        if (audit) audit->message(ordinal, label, "written", p.audit);
      });

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
  if (suppression)
    sink.report(Diagnostic{
        Severity::note, "DEID-MIN-K", {},
        std::to_string(suppression->patients.size()) + " of " + std::to_string(suppression->patients_total) +
            " patients (" + std::to_string(suppressed_messages) + " messages) were in classes smaller than k=" +
            std::to_string(o.min_k) + " (k-min " + std::to_string(suppression->k_min_before) + ", " +
            std::to_string(suppression->classes_before) + " classes) and were suppressed",
        {}});
  JobResult result = job.finish();
  counts.messages = result.counts;
  if (audit) audit->finish(counts);
  if (result.status == kOk && sink.errors > 0) result.status = kDataProblems;
  return result;
}

}  // namespace smx::cli
