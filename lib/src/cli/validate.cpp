// smx validate's library call (smx/job.hpp): the findings are the command's output (stdout or -o
// FILE); run problems and the count line go to stderr.
#include <cstdio>
#include <optional>

#include "smx/deid.hpp"
#include "smx/job.hpp"

namespace smx::cli {
namespace {

void write_stderr(std::string_view line) { std::fwrite(line.data(), 1, line.size(), stderr); }

// Profiles by name come from the data root (DIR/mappings/profiles); a profile file without
// `extends` loads without one, so a missing data root is only reported when it was needed.
validate::Profile load_profile(const ValidateOptions& options) {
  std::vector<std::string> search;
  std::optional<config_error> no_root;
  try {
    search = validate::profile_search_path(tables_root(options.tables));
  } catch (const config_error& e) {
    no_root = e;
  }
  try {
    return validate::load_profile(options.profile, search);
  } catch (const config_error& e) {
    if (!no_root) throw;
    throw config_error(std::string(e.what()) + " (" + no_root->what() + ")");
  }
}

// --deidentified PROFILE: what that smx deid profile changes by design, read with deid's own
// loader (the validate layer gets the plain description, never the deid profile).
validate::DeidentifiedExpectation deidentified_expectation(const ValidateOptions& options) {
  const std::filesystem::path tables = tables_root(options.tables);
  const deid::TypeTable types = deid::TypeTable::load(deid::types_path(tables));
  const deid::Profile profile = deid::load_profile(options.deidentified, deid::profiles_dir(tables), types);
  validate::DeidentifiedExpectation expectation;
  expectation.profile = profile.name;
  expectation.date_digits = profile.dates == deid::DatePolicy::shift_year    ? 4
                            : profile.dates == deid::DatePolicy::shift_month ? 6
                                                                             : 0;
  // PID-7: not named (or dropped) is always removed; a birth-date generalization removes it at
  // the top-coding age unless it caps the date instead.
  const deid::FieldRule* birth = nullptr;
  if (auto pid = profile.segments.find("PID"); pid != profile.segments.end() && !pid->second.drop)
    if (auto field = pid->second.fields.find(7); field != pid->second.fields.end()) birth = &field->second;
  if (birth == nullptr || birth->action == deid::Action::drop)
    expectation.birth_removed_at_age = -1;
  else if (birth->action == deid::Action::generalize && birth->generalization == deid::Generalization::birth_date &&
           profile.birth.top_code_age > 0 && profile.birth.over_age == deid::BirthPolicy::OverAge::drop)
    expectation.birth_removed_at_age = profile.birth.top_code_age;
  return expectation;
}

int validate_body(ValidateOptions& options) {
  apply_filter_text(options.since, options.shard, options.run.reader.walk);
  options.run.reader.max_message_bytes = options.common.max_message_bytes;
  if (!options.deprecated_format.empty()) {
    write_stderr("smx validate: warning: --format is deprecated and goes in the next release; use --diagnostics\n");
    if (!options.diagnostics_given) options.diagnostics = options.deprecated_format;
  }
  const std::string report_format = options.report.empty() ? "" : validate::report_format_for(options.report);
  if (!options.report.empty() && report_format.empty())
    throw usage_error("--report needs a file ending in .md or .html, got '" + options.report + "'");
  validate::Profile profile = load_profile(options);
  if (!options.config.empty()) validate::apply_config(profile, options.config);
  if (!options.deidentified.empty()) options.run.deidentified = deidentified_expectation(options);
  if (options.list_rules) {
    Output rules(options.output);
    rules.write(validate::list_rules(profile));
    rules.commit();
    return kOk;
  }
  // With --report - the report takes standard output, so the findings go to stderr unless -o
  // names a file: one document per stream, and nothing dropped.
  std::optional<Output> out;
  if (options.report != "-" || (!options.output.empty() && options.output != "-")) out.emplace(options.output);
  const bool json = options.diagnostics == "json";
  auto write_finding = [&](std::string_view line) {
    if (out)
      out->write(line);
    else
      write_stderr(line);
  };
  // --report and --diagnostics json keep every finding; only the text lines are limited.
  DiagnosticPrinter sink("validate", json, options.quiet, options.common.max_diagnostics, write_finding);
  sink.show_phi(options.run.show_phi);
  validate::Summary summary = validate::run(profile, options.run, sink);
  sink.finish();
  if (out) out->commit();
  if (!report_format.empty()) {
    Output report(options.report);
    report.write(validate::render_report(summary, profile, report_format));
    report.commit();
  }
  if (!options.quiet || !options.stats.empty())
    write_stderr(validate::format_stats(summary, options.stats == "json" || (options.stats.empty() && json)));
  if (summary.input_error) return kFailed;
  return summary.clean() ? kOk : kDataProblems;
}

}  // namespace

int run_validate(ValidateOptions& options) {
  return run("validate", [&] { return validate_body(options); });
}

}  // namespace smx::cli
