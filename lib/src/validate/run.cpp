// A validation run: `jobs` workers, each with its own RecordReader over a shard of the patients of
// every tree (shards keep a patient's files, and so every condition-flag key, on one worker).
// Workers hand their findings over per file; the main thread merges them in the order one reader
// would have produced (inputs in order, paths in walk order), so the output does not depend on -j.
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <thread>

#include "smx/pool.hpp"
#include "smx/ssmix2.hpp"
#include "smx/validate.hpp"

namespace smx::validate {
namespace {

// The findings of one file (or of one directory the walk reported on).
struct Group {
  std::size_t input = 0;
  std::string path;
  std::string type;  // data type from the file name, when a message was read
  bool has_message = false;
  std::vector<Diagnostic> items;
};

// Walk order: inputs in order; within an input, paths compared component by component in byte
// order (the order ssmix2::walk visits them: sorted names, depth first).
bool walk_before(const Group& a, const Group& b) {
  if (a.input != b.input) return a.input < b.input;
  std::string_view x = a.path, y = b.path;
  while (!x.empty() && !y.empty()) {
    std::size_t i = x.find('/'), j = y.find('/');
    std::string_view cx = x.substr(0, i), cy = y.substr(0, j);
    if (cx != cy) return cx < cy;
    x = i == std::string_view::npos ? std::string_view() : x.substr(i + 1);
    y = j == std::string_view::npos ? std::string_view() : y.substr(j + 1);
    if (i == std::string_view::npos || j == std::string_view::npos) return i == std::string_view::npos && j != std::string_view::npos;
  }
  return x.empty() && !y.empty();
}

// One worker's groups on their way to the merge, in walk order.
using Channel = BoundedQueue<Group>;
constexpr std::size_t kChannelCapacity = 512;

// Collects one worker's diagnostics into per-file groups.
class GroupingSink final : public DiagnosticSink {
 public:
  GroupingSink(Channel& channel, int worker) : channel_(channel), worker_(worker) {}
  void report(Diagnostic d) override {
    // Every worker walks the whole tree; walk problems about directories and links would be
    // reported once per worker: keep worker 0's.
    if (worker_ != 0 && d.where.message == 0 && d.code.starts_with("SSMX-WALK-")) return;
    open(d.where.path);
    current_->items.push_back(std::move(d));
  }
  void begin_message(const Record& record) {
    open(record.src.path);
    current_->has_message = true;
    if (record.ssmix2) current_->type = record.ssmix2->type;
  }
  void flush() {
    if (current_) channel_.push(std::move(*current_));
    current_.reset();
  }
  std::size_t input = 0;

 private:
  void open(const std::string& path) {
    if (current_ && current_->path == path && current_->input == input) return;
    flush();
    current_.emplace();
    current_->input = input;
    current_->path = path;
  }
  Channel& channel_;
  int worker_;
  std::optional<Group> current_;
};

std::string type_of_path(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  std::vector<ssmix2::NameProblem> ignored;
  auto name = ssmix2::parse_file_name(slash == std::string::npos ? path : path.substr(slash + 1), ignored);
  return name ? name->type : std::string();
}

class Tally {
 public:
  Tally(const Profile& profile, const RunOptions& options, Summary& summary, DiagnosticSink& sink)
      : profile_(profile), options_(options), summary_(summary), sink_(sink) {}

  void deliver(Diagnostic d, const std::string& type) {
    // Character findings point at bytes: say where in the text format too (reference §5).
    if (d.code.starts_with("CHARSET-") && d.where.message > 0 && d.text.find("byte") == std::string::npos)
      d.text += " (byte " + std::to_string(d.where.offset) + " of the file)";
    if (const Rule* r = profile_.rule(d.code)) {
      if (!r->enabled) return;
      d.severity = r->severity;
    }
    switch (d.severity) {
      case Severity::error: ++summary_.errors; break;
      case Severity::warning: ++summary_.warnings; break;
      case Severity::note: ++summary_.notes; break;
    }
    RuleTally& t = summary_.by_rule[d.code];
    t.code = d.code;
    t.severity = d.severity;
    ++t.count;
    if (t.examples.size() < options_.examples_per_rule) t.examples.push_back(d);
    ++summary_.by_type[type][d.code];
    if (d.code == kDeidExpectedCode) ++summary_.expected_by_code[d.subject];
    sink_.report(std::move(d));
  }

  void deliver(Group& g) {
    std::string type = g.type;
    if (type.empty() && !g.path.empty() && !g.items.empty()) type = type_of_path(g.path);
    if (g.has_message) ++summary_.files_by_type[type];
    for (auto& d : g.items) deliver(std::move(d), type);
  }

 private:
  const Profile& profile_;
  const RunOptions& options_;
  Summary& summary_;
  DiagnosticSink& sink_;
};

// The inputs: "-" for none; a path that cannot be opened is reported (IO-OPEN) and left out.
struct Input {
  std::string path;
  bool directory = false;
};
std::vector<Input> open_inputs(const RunOptions& options, Tally& tally, Summary& summary) {
  std::vector<Input> inputs;
  std::vector<std::string> given = options.inputs.empty() ? std::vector<std::string>{"-"} : options.inputs;
  for (const auto& path : given) {
    if (path == "-") {
      inputs.push_back({path, false});
      continue;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      tally.deliver(Diagnostic{Severity::error, "IO-OPEN", Location{path}, std::string("cannot open: ") + std::strerror(errno)}, "");
      summary.input_error = true;
      continue;
    }
    inputs.push_back({path, S_ISDIR(st.st_mode)});
  }
  return inputs;
}

// k-way merge of the workers' groups (each worker's groups are already in walk order).
void merge_groups(std::vector<std::unique_ptr<Channel>>& channels, Tally& tally) {
  std::vector<std::optional<Group>> heads(channels.size());
  std::vector<char> done(channels.size(), 0);
  for (;;) {
    for (std::size_t w = 0; w < heads.size(); ++w)
      if (!heads[w] && !done[w]) {
        heads[w] = channels[w]->pop();
        if (!heads[w]) done[w] = 1;
      }
    std::size_t best = heads.size();
    for (std::size_t w = 0; w < heads.size(); ++w)
      if (heads[w] && (best == heads.size() || walk_before(*heads[w], *heads[best]))) best = w;
    if (best == heads.size()) break;
    tally.deliver(*heads[best]);
    heads[best].reset();
  }
}

}  // namespace

Summary run(const Profile& profile, const RunOptions& options, DiagnosticSink& sink) {
  Summary summary;
  summary.profile = profile.name;
  if (options.deidentified) summary.deidentified = options.deidentified->profile;
  Tally tally(profile, options, summary, sink);

  const std::vector<Input> inputs = open_inputs(options, tally, summary);
  bool any_directory = std::any_of(inputs.begin(), inputs.end(), [](const Input& i) { return i.directory; });
  int jobs = std::max(1, options.jobs);
  if (!any_directory || options.reader.walk.shard_count > 0) jobs = 1;

  std::vector<std::unique_ptr<Checker>> checkers;
  std::vector<std::unique_ptr<Channel>> channels;
  std::vector<Counts> counts(static_cast<std::size_t>(jobs));
  std::vector<char> input_errors(static_cast<std::size_t>(jobs), 0);
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(jobs));
  for (int w = 0; w < jobs; ++w) {
    checkers.push_back(std::make_unique<Checker>(profile, options.show_phi, options.deidentified));
    channels.push_back(std::make_unique<Channel>(kChannelCapacity));
  }

  auto work = [&](int w) {
    std::size_t wi = static_cast<std::size_t>(w);
    GroupingSink grouping(*channels[wi], w);
    try {
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        if (!inputs[k].directory && w != 0) continue;
        ReaderOptions reader = options.reader;
        reader.tree_findings = true;  // validate judges names and paths itself
        reader.keep_stream_line = false;
        if (inputs[k].directory && jobs > 1) {
          reader.walk.shard_index = w + 1;
          reader.walk.shard_count = jobs;
        }
        grouping.input = k;
        Counts c;
        RecordReader records({inputs[k].path}, reader, grouping, nullptr, c);
        while (const Record* record = records.next()) {
          grouping.begin_message(*record);
          checkers[wi]->check(*record, grouping);
        }
        grouping.flush();
        if (records.had_input_error()) input_errors[wi] = 1;
        counts[wi].files += c.files;
        counts[wi].read += c.read;
        counts[wi].rejected += c.rejected;
        counts[wi].filtered += c.filtered;
        counts[wi].undetermined += c.undetermined;
      }
    } catch (...) {
      failures[wi] = std::current_exception();
    }
    grouping.flush();
    channels[wi]->close();
  };

  std::vector<std::thread> threads;
  for (int w = 0; w < jobs; ++w) threads.emplace_back(work, w);

  try {
    merge_groups(channels, tally);
  } catch (...) {
    for (auto& c : channels) c->cancel();
    for (auto& t : threads) t.join();
    throw;
  }
  for (auto& t : threads) t.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);

  for (std::size_t w = 0; w < counts.size(); ++w) {
    summary.counts.files += counts[w].files;
    summary.counts.read += counts[w].read;
    summary.counts.rejected += counts[w].rejected;
    summary.counts.filtered += counts[w].filtered;
    summary.counts.undetermined += counts[w].undetermined;
    if (input_errors[w]) summary.input_error = true;
  }

  // Tree-wide findings last, in key order.
  for (std::size_t w = 1; w < checkers.size(); ++w) checkers[0]->merge(*checkers[w]);
  CollectingSink lifecycle;
  checkers[0]->finish(lifecycle);
  for (auto& d : lifecycle.items) {
    std::string type = type_of_path(d.where.path);
    tally.deliver(std::move(d), type);
  }
  return summary;
}

}  // namespace smx::validate
