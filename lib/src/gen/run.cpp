// smx gen's run around generate(): options checked, folders made, the site tables laid out beside
// the tree, and the closing stats line.
#include <filesystem>

#include "smx/gen.hpp"
#include "smx/json.hpp"
#include "smx/stream.hpp"

namespace smx::gen {

Summary run(RunOptions options, const tables::Tables& tables, Output& stream_out) {
  Options& o = options.gen;
  o.from = parse_date(o.from);
  o.to = parse_date(o.to);
  if (!options.stream && o.root.empty()) throw usage_error("no output root: give -o ROOT (or --stream)");
  if (options.stream && o.root.empty()) o.root = "smx-gen";

  std::optional<Output> truth;
  if (!options.truth.empty()) {
    // Like ROOT and the site tables' folder, the truth file's folder is made when missing.
    std::filesystem::path truth_dir = std::filesystem::path(options.truth).parent_path();
    if (!truth_dir.empty()) std::filesystem::create_directories(truth_dir);
    truth.emplace(options.truth);
  }
  Summary summary;
  if (options.stream) {
    StreamSink sink(stream_out, o.root);
    summary = generate(o, tables, sink, truth ? &*truth : nullptr);
  } else {
    TreeSink sink(o.root);
    summary = generate(o, tables, sink, truth ? &*truth : nullptr);
    sink.finish();
  }
  if (truth) truth->commit();
  if (!options.drugs_master.empty()) {
    std::filesystem::path dir = std::filesystem::path(options.drugs_master).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    Output master(options.drugs_master);
    master.write(drugs_master());
    master.commit();
  }

  // Site tables (smx-tables(5)): written when a tree is written, or when asked for.
  if (!options.stream || !options.sites_dir.empty()) {
    std::filesystem::path root = std::filesystem::path(o.root).lexically_normal();
    if (!root.has_filename()) root = root.parent_path();
    std::filesystem::path dir = options.sites_dir.empty() ? root.parent_path() : std::filesystem::path(options.sites_dir);
    if (dir.empty()) dir = ".";
    std::filesystem::create_directories(dir);
    for (const FacilityProfile& profile : facility_profiles(o)) {
      std::string stem = options.sites_dir.empty() ? profile.id + ".site" : profile.id;
      Output site((dir / (stem + ".yaml")).string());
      site.write(site_yaml(o, tables, std::stoi(profile.id.substr(1)) - 1, stem));
      site.commit();
    }
  }
  return summary;
}

std::string format_stats(const Summary& summary, std::string_view mode) {
  std::string text;
  if (mode == "json") {
    json::Writer w(text);
    begin_stats(w, "gen");
    w.numbers({{"patients", summary.patients}, {"files", summary.files}, {"history_files", summary.history_files},
               {"deleted_files", summary.deleted_files}, {"lab_results", summary.lab_results},
               {"deviations", summary.deviations}, {"bytes", summary.bytes}});
    w.begin_object("by_type");
    for (std::size_t i = 0; i < data_type_names().size(); ++i)
      if (i < 8 || summary.files_by_type[i] > 0)  // OMP-02/OMP-12 (--qi) only when written
        w.number(data_type_names()[i], summary.files_by_type[i]);
    w.end_object();
    w.end_object();
  } else {
    text = "smx gen: " + std::to_string(summary.patients) + " patients, " + std::to_string(summary.files) + " files (" +
           std::to_string(summary.history_files) + " flag 2, " + std::to_string(summary.deleted_files) + " flag 0), " +
           std::to_string(summary.lab_results) + " lab results, " + std::to_string(summary.deviations) +
           " naming deviations, " + std::to_string(summary.bytes) + " bytes";
  }
  text += "\n";
  return text;
}

}  // namespace smx::gen
