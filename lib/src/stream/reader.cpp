// RecordReader: sniffs each input (directory = SS-MIX2 tree, '{' = smx stream, else raw HL7),
// frames, decodes and hands out records one at a time. Nothing is dropped silently: what cannot
// be read as a message goes to the reject sink with its raw bytes and a diagnostic.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <deque>
#include <thread>
#include <variant>

#include <simdjson.h>

#include "smx/charset.hpp"
#include "smx/pool.hpp"
#include "smx/stream.hpp"
#include "stream/internal.hpp"

namespace smx {
namespace {

std::string basename_of(const std::string& path) {
  std::size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// A walk runs on its own thread and hands entries (and its diagnostics, in order) through a
// bounded queue, so directory reading overlaps with parsing and memory stays bounded.
class TreeFeed {
 public:
  using Item = std::variant<ssmix2::Entry, Diagnostic>;

  TreeFeed(std::string root, ssmix2::WalkOptions options) {
    thread_ = std::thread([this, root = std::move(root), options = std::move(options)] {
      QueueSink sink(queue_);
      try {
        ssmix2::walk({root}, options, sink, [this](const ssmix2::Entry& e) { queue_.push(Item(e)); });
      } catch (const std::exception& e) {
        failure_ = e.what();
      }
      queue_.close();
    });
  }
  ~TreeFeed() {
    queue_.cancel();
    thread_.join();
  }
  // Blocks for the next item; nullopt at end.
  std::optional<Item> pop() { return queue_.pop(); }
  const std::string& failure() const { return failure_; }  // valid after pop() returned nullopt

 private:
  struct QueueSink final : DiagnosticSink {
    explicit QueueSink(BoundedQueue<Item>& q) : queue(q) {}
    void report(Diagnostic d) override { queue.push(Item(std::move(d))); }
    BoundedQueue<Item>& queue;
  };
  BoundedQueue<Item> queue_{4096};
  std::string failure_;  // written before close(), read after pop() saw the end
  std::thread thread_;
};

// Reads the first bytes of a source for sniffing, then serves them again.
class PeekSource final : public ByteSource {
 public:
  explicit PeekSource(std::unique_ptr<ByteSource> inner) : inner_(std::move(inner)) {
    head_.resize(4096);
    std::size_t n = 0;
    while (n < head_.size()) {
      std::size_t k = inner_->read(head_.data() + n, head_.size() - n);
      if (k == 0) break;
      n += k;
    }
    head_.resize(n);
  }
  std::string_view head() const { return head_; }
  std::size_t read(char* buffer, std::size_t size) override {
    if (position_ < head_.size()) {
      std::size_t n = std::min(size, head_.size() - position_);
      std::memcpy(buffer, head_.data() + position_, n);
      position_ += n;
      return n;
    }
    return inner_->read(buffer, size);
  }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
  std::string head_;
  std::size_t position_ = 0;
};

bool looks_like_stream(std::string_view head) {
  std::size_t i = 0;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < head.size() && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) ++i;
  return i < head.size() && head[i] == '{';
}

// The members of a stream record that the reader uses (smx-stream(5)); others are ignored.
struct StreamFields {
  std::string kind, path, charset, hl7;
  std::string key, reason;  // a delete record's
  std::uint64_t n = 0, offset = 0;
  std::optional<ssmix2::FileName> name;
  std::vector<Change> changes;
  bool has_hl7 = false;
  std::string_view at;  // the member being read, for the diagnostic
};

std::string string_of(auto&& value) { return std::string(std::string_view(value.get_string())); }

// "changes": every element an object with the five members of a change, so that a command that
// rewrites the record writes them back as they came (other members of a change are not kept).
void read_changes(auto&& value, StreamFields& f) {
  std::size_t index = 0;
  for (auto element : value.get_array()) {
    Change c;
    unsigned seen = 0;
    for (auto member : element.get_object()) {
      std::string_view k = member.unescaped_key();
      if (k == keys::obx) c.obx = member.value().get_uint64(), seen |= 1;
      else if (k == keys::field) c.field = string_of(member.value()), seen |= 2;
      else if (k == keys::from) c.from = string_of(member.value()), seen |= 4;
      else if (k == keys::to) c.to = string_of(member.value()), seen |= 8;
      else if (k == keys::rule) c.rule = string_of(member.value()), seen |= 16;
    }
    if (seen != 31)
      throw std::runtime_error("\"changes\"[" + std::to_string(index) +
                               "]: a change needs \"obx\", \"field\", \"from\", \"to\" and \"rule\"");
    f.changes.push_back(std::move(c));
    ++index;
  }
}

void read_name(auto&& value, StreamFields& f) {
  ssmix2::FileName name;
  for (auto s : value.get_object()) {
    std::string_view k = s.unescaped_key();
    auto v = s.value();
    f.at = "a member of \"ssmix2\"";
    if (k == keys::flag) {
      if (v.is_null()) name.flag = -1;
      else name.flag = static_cast<int>(v.get_int64());
    } else {
      std::string str = string_of(v);
      if (k == keys::patient) name.patient = std::move(str);
      else if (k == keys::date) name.date = std::move(str);
      else if (k == keys::type) name.type = std::move(str);
      else if (k == keys::order) name.order = std::move(str);
      else if (k == keys::ts) name.timestamp = std::move(str);
      else if (k == keys::dept) name.dept = std::move(str);
    }
  }
  f.name = std::move(name);
}

// Reads one record's members into `f`; throws (simdjson_error, runtime_error) when it is not a
// valid record.
void read_stream_fields(simdjson::ondemand::object object, StreamFields& f) {
  for (auto member : object) {
    std::string_view key = member.unescaped_key();
    auto value = member.value();
    if (key == keys::kind) {
      f.at = "\"kind\"";
      f.kind = string_of(value);
    } else if (key == keys::hl7) {
      f.at = "\"hl7\"";
      f.hl7 = string_of(value);
      f.has_hl7 = true;
    } else if (key == keys::key) {
      f.at = "\"key\"";
      f.key = string_of(value);
    } else if (key == keys::reason) {
      f.at = "\"reason\"";
      f.reason = string_of(value);
    } else if (key == keys::charset) {
      f.at = "\"charset\"";
      f.charset = string_of(value);
    } else if (key == keys::changes) {
      f.at = "\"changes\"";
      read_changes(value, f);
    } else if (key == keys::src) {
      f.at = "\"src\"";
      for (auto s : value.get_object()) {
        std::string_view k = s.unescaped_key();
        if (k == keys::path) {
          f.at = "\"src\".\"path\"";
          f.path = string_of(s.value());
        } else if (k == keys::n) {
          f.at = "\"src\".\"n\"";
          f.n = s.value().get_uint64();
        } else if (k == keys::offset) {
          f.at = "\"src\".\"offset\"";
          f.offset = s.value().get_uint64();
        }
      }
    } else if (key == keys::ssmix2) {
      f.at = "\"ssmix2\"";
      read_name(value, f);
    }
    f.at = {};
  }
  if (f.kind.empty()) throw std::runtime_error("record has no \"kind\"");
  if (f.kind == kinds::hl7 && !f.has_hl7) throw std::runtime_error("hl7 record has no \"hl7\" member");
  if (f.kind == kinds::deletion && f.key.empty()) throw std::runtime_error("delete record has no \"key\"");
}

}  // namespace

struct RecordReader::Impl {
  std::vector<std::string> inputs;
  ReaderOptions options;
  DiagnosticSink& diagnostics;
  RejectSink* rejects;
  Counts& counts;
  bool input_error = false;

  std::size_t next_input = 0;
  Record record;
  std::optional<detail::MessageDecoder> decoder;  // set in the constructor (needs the options)

  // Current raw-HL7 input (one file, stdin, or one file of a tree).
  std::unique_ptr<ByteSource> source;
  std::unique_ptr<hl7::Framer> framer;
  std::string file_bytes;  // whole file read from a tree walk
  std::string current_path;
  std::optional<ssmix2::FileName> current_name;
  bool current_walk_selected = false;  // the walk chose the current file by its name
  std::uint64_t message_number = 0;
  std::uint64_t oversize_part = 0;

  // Current stream input.
  std::unique_ptr<ByteSource> stream_source;
  std::string stream_buffer;
  std::size_t stream_begin = 0;
  bool stream_eof = false;
  std::uint64_t stream_line_number = 0;
  std::string stream_path;
  simdjson::ondemand::parser json_parser;
  std::string padded;

  std::unique_ptr<TreeFeed> tree;
  // --state: the root whose deletions and changed files come from options.incremental.
  std::optional<std::string> planned_root;
  bool planned_deletions_done = false;
  bool current_planned = false;  // the current tree file came from the plan

  Impl(std::vector<std::string> in, ReaderOptions o, DiagnosticSink& d, RejectSink* r, Counts& c)
      : inputs(std::move(in)), options(std::move(o)), diagnostics(d), rejects(r), counts(c) {
    decoder.emplace(options.assume_charset);
  }

  // `subject`: what the finding is about, for the end-of-run summary (never patient data).
  void diag(Severity s, std::string code, Location where, std::string text, std::string subject = {}) {
    Diagnostic d{s, std::move(code), std::move(where), std::move(text)};
    d.subject = std::move(subject);
    diagnostics.report(std::move(d));
  }

  void reject(const Source& src, std::string code, std::string reason, std::string_view bytes, std::uint64_t part = 0) {
    ++counts.read;
    ++counts.rejected;
    if (rejects) rejects->reject(Reject{src, std::move(code), std::move(reason), bytes, part});
  }

  // Opens the next input; returns false when there are none left.
  bool open_next_input() {
    while (next_input < inputs.size()) {
      const std::string& input = inputs[next_input++];
      try {
        if (input == "-") {
          start_source(open_stdin(), "-");
          return true;
        }
        struct stat st {};
        if (::stat(input.c_str(), &st) != 0) {
          diag(Severity::error, "IO-OPEN", Location{input}, std::string("cannot open: ") + std::strerror(errno));
          input_error = true;
          continue;
        }
        if (S_ISDIR(st.st_mode)) {
          // Unnamed files come through so the record filters can judge their content.
          if (options.incremental != nullptr) {
            planned_root = input;
            planned_deletions_done = false;
            return true;
          }
          ssmix2::WalkOptions walk = options.walk;
          walk.keep_unnamed = true;
          walk.lenient_names = !options.tree_findings;
          tree = std::make_unique<TreeFeed>(input, std::move(walk));
          return true;
        }
        start_source(open_file(input), input);
        return true;
      } catch (const io_error& e) {
        diag(Severity::error, "IO-READ", Location{input}, e.what());
        input_error = true;
      }
    }
    return false;
  }

  void start_source(std::unique_ptr<ByteSource> raw, const std::string& path) {
    auto peek = std::make_unique<PeekSource>(std::move(raw));
    ++counts.files;
    if (looks_like_stream(peek->head())) {
      stream_source = std::move(peek);
      stream_buffer.clear();
      stream_begin = 0;
      stream_eof = false;
      stream_line_number = 0;
      stream_path = path;
      return;
    }
    current_path = path;
    current_name.reset();
    current_walk_selected = false;
    if (path != "-") {
      std::vector<ssmix2::NameProblem> ignored;
      auto name = ssmix2::parse_file_name(basename_of(path), ignored);
      if (name) current_name = std::move(name);
    }
    source = std::move(peek);
    framer = std::make_unique<hl7::Framer>(*source, hl7::FramerOptions{options.max_message_bytes, std::size_t{1} << 20});
    message_number = 0;
    if (source->name().empty()) return;
  }

  // `walk_selected`: the walk has applied the filters to the entry's name already.
  void start_tree_file(const ssmix2::Entry& entry, bool walk_selected) {
    std::string error;
    ++counts.files;
    current_walk_selected = walk_selected && entry.name.has_value();
    if (const int code = read_file(entry.path, file_bytes, error, options.max_message_bytes * 4); code != 0) {
      // A live storage tree changes under the walk: an update renames the old file to flag 2,
      // a deletion removes it. Say so, rather than a bare "No such file or directory".
      if (code == ENOENT)
        diag(Severity::error, "IO-VANISHED", Location{entry.path},
             "listed by the walk but gone when opened (deleted or renamed meanwhile); not read");
      else
        diag(Severity::error, "IO-READ", Location{entry.path}, "cannot read: " + error);
      return;
    }
    if (current_planned && !options.incremental->file_read(entry, file_bytes)) return;
    current_path = entry.path;
    current_name = entry.name;
    if (file_bytes.empty()) {
      diag(Severity::warning, "HL7-EMPTY-FILE", Location{entry.path}, "empty file: no message");
      return;
    }
    framer = std::make_unique<hl7::Framer>(std::string_view(file_bytes),
                                           hl7::FramerOptions{options.max_message_bytes, std::size_t{1} << 20});
    message_number = 0;
  }

  bool reject_message(const Source& src, const Location& where, const std::string& code, const std::string& why,
                      std::string_view bytes, std::string subject) {
    diag(Severity::error, code, where, why + "; message rejected", std::move(subject));
    reject(src, code, why, bytes);
    return false;
  }

  // Decodes a message frame into `record`. Returns false when it was rejected.
  bool decode(const hl7::Frame& frame) {
    Source src{current_path, message_number, frame.offset};
    Location where{current_path, message_number, frame.offset, {}};
    std::string reason;
    hl7::DelimiterReading reading;
    // An ISO-2022-JP message may start with ESC ( J or ESC ( B before MSH (hl7::Framer). A
    // non-ASCII character in MSH-1 or MSH-2 is judged (and named) again after conversion, where
    // it is a character rather than a byte of some charset.
    const std::string_view head = frame.bytes.substr(hl7::designation_prefix(frame.bytes));
    if (!hl7::read_delimiters(head, &reason, &reading) && !reading.non_ascii)
      return reject_message(src, where, "HL7-MSH-ENCODING", reason, frame.bytes, reading.character);
    const char field_separator = static_cast<unsigned char>(head[3]) < 0x80 ? head[3] : 0;
    detail::MessageDecoder::Conversion c;
    std::string junk_reason;
    const std::size_t cut = decoder->find_junk_after_message(frame.bytes, frame.odd_line, field_separator, c, junk_reason);
    if (!c.ok) {
      if (c.has_bad_offset) where.offset = frame.offset + c.bad_offset;
      return reject_message(src, where, "CHARSET-INVALID", c.why, frame.bytes, std::string(charset_name(c.charset)));
    }
    for (const auto& f : decoder->findings()) {
      Location at = where;
      at.offset = frame.offset + f.offset;
      Diagnostic d{f.code == "CHARSET-JIS-ROMAN" ? Severity::note : Severity::warning, f.code, at, f.text};
      d.subject = std::string(charset_name(c.charset));
      diagnostics.report(std::move(d));
    }
    if (!record.message.assign(c.text, &reason)) {
      hl7::DelimiterReading again;  // for the character the reason names
      hl7::read_delimiters(c.text, nullptr, &again);
      return reject_message(src, where, "HL7-MSH-ENCODING", reason, frame.bytes, again.character);
    }
    if (record.message.lf_in_data)
      diag(Severity::warning, "HL7-LF-IN-FIELD", where,
           std::to_string(record.message.lf_in_data) + " line feed(s) inside fields kept as data (segments end with CR)");
    if (record.message.mixed_terminators)
      diag(Severity::note, "HL7-MIXED-TERMINATORS", where, "segments end with a mix of CR, LF and CRLF");
    record.changes.clear();
    report_jis_roman(where);
    if (cut != 0) {
      std::string_view junk = frame.bytes.substr(cut);
      Location at{current_path, message_number, frame.offset + cut, {}};
      diag(Severity::error, "HL7-NO-MSH", at,
           junk_reason + "; " + std::to_string(junk.size()) + " bytes rejected, the message before them kept");
      reject(Source{current_path, message_number, frame.offset + cut}, "HL7-NO-MSH", junk_reason, junk);
    }
    record.deletion.reset();
    record.src = std::move(src);
    record.ssmix2 = current_name;
    record.charset = std::string(charset_name(c.charset));
    record.stream_line.clear();
    ++counts.read;
    return true;
  }

  // Reports a message whose MSH-2 showed ¥ or ‾ and records the rewrite in its "changes".
  void report_jis_roman(const Location& at_message) {
    for (auto& d : detail::jis_roman_diagnostics(record.message, at_message)) diagnostics.report(std::move(d));
    detail::append_jis_roman_change(record.message, record.changes);
  }

  // Next record from the current framer; nullptr when it is exhausted.
  const Record* next_from_framer() {
    while (auto frame = framer->next()) {
      switch (frame->kind) {
        case hl7::Frame::Kind::message:
          ++message_number;
          oversize_part = 0;
          if (decode(*frame)) return &record;
          break;
        case hl7::Frame::Kind::oversize: {
          if (oversize_part == 0) {
            ++message_number;
            diag(Severity::error, "HL7-TOO-LARGE", Location{current_path, message_number, frame->offset},
                 "message larger than the limit of " + std::to_string(options.max_message_bytes) +
                     " bytes; rejected in pieces");
            ++counts.read;
            ++counts.rejected;
          }
          ++oversize_part;
          if (rejects)
            rejects->reject(Reject{Source{current_path, message_number, frame->offset}, "HL7-TOO-LARGE",
                                   "message larger than the size limit", frame->bytes, oversize_part});
          break;
        }
        case hl7::Frame::Kind::batch_segment: {
          std::string id(frame->bytes.substr(hl7::designation_prefix(frame->bytes), 3));
          diag(Severity::note, "HL7-BATCH-SEGMENT", Location{current_path, message_number, frame->offset},
               "batch envelope segment " + id + " (not a message)", id);
          break;
        }
        case hl7::Frame::Kind::junk: {
          Source src{current_path, message_number, frame->offset};
          bool binary = false;
          for (unsigned char c : frame->bytes.substr(0, 512))
            if (c < 0x09 || (c > 0x0d && c < 0x20)) binary = true;
          std::string what = binary ? "binary data outside any message" : "text outside any message (no MSH segment)";
          diag(Severity::error, "HL7-NO-MSH", Location{current_path, message_number, frame->offset},
               what + " (" + std::to_string(frame->bytes.size()) + " bytes); rejected");
          reject(src, "HL7-NO-MSH", what, frame->bytes);
          break;
        }
      }
    }
    if (message_number == 0 && framer) {
      diag(Severity::warning, "HL7-NO-MESSAGE", Location{current_path}, "no message in input");
    }
    framer.reset();
    source.reset();
    return nullptr;
  }

  // ---- smx stream ----
  bool next_line(std::string_view& line) {
    for (;;) {
      std::size_t nl = stream_buffer.find('\n', stream_begin);
      if (nl != std::string::npos) {
        line = std::string_view(stream_buffer).substr(stream_begin, nl - stream_begin);
        stream_begin = nl + 1;
        return true;
      }
      if (stream_eof) {
        if (stream_begin < stream_buffer.size()) {
          line = std::string_view(stream_buffer).substr(stream_begin);
          stream_begin = stream_buffer.size();
          return true;
        }
        return false;
      }
      if (stream_begin > 0) {
        stream_buffer.erase(0, stream_begin);
        stream_begin = 0;
      }
      std::size_t old = stream_buffer.size();
      std::size_t chunk = std::size_t{1} << 20;
      stream_buffer.resize(old + chunk);
      std::size_t n = stream_source->read(stream_buffer.data() + old, chunk);
      stream_buffer.resize(old + n);
      if (n == 0) stream_eof = true;
    }
  }

  const Record* next_from_stream() {
    std::string_view line;
    while (next_line(line)) {
      ++stream_line_number;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      Location where{stream_path, stream_line_number, 0, {}};
      Source src{stream_path, stream_line_number, 0};
      padded.assign(line);
      padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
      std::string error;
      StreamFields fields;
      try {
        if (line[line.find_first_not_of(" \t")] != '{') throw std::runtime_error("the line is not a JSON object");
        simdjson::ondemand::document doc = json_parser.iterate(padded.data(), line.size(), padded.size());
        read_stream_fields(doc.get_object(), fields);
      } catch (const simdjson::simdjson_error& e) {
        error = std::string("not a valid smx stream record: ") + (fields.at.empty() ? std::string() : std::string(fields.at) + ": ") +
                simdjson::error_message(e.error());
      } catch (const std::exception& e) {
        error = std::string("not a valid smx stream record: ") + e.what();
      }
      if (!error.empty()) {
        diag(Severity::error, "STREAM-RECORD", where, error + "; line rejected");
        reject(src, "STREAM-RECORD", error, line);
        continue;
      }
      if (fields.kind == kinds::file) {
        // A file record from `smx ls -t ndjson`: read the file it names.
        if (fields.path.empty()) {
          diag(Severity::error, "STREAM-RECORD", where, "file record without src.path; line rejected");
          reject(src, "STREAM-RECORD", "file record without src.path", line);
          continue;
        }
        pending_files.push_back(fields.path);
        return nullptr;
      }
      if (fields.kind == kinds::deletion) {
        const bool has_path = !fields.path.empty();
        record.deletion = Deletion{std::move(fields.key), std::move(fields.reason), fields.path, fields.name};
        record.message = hl7::Message();
        record.src = Source{has_path ? std::move(fields.path) : stream_path, has_path ? fields.n : stream_line_number,
                            fields.offset};
        record.ssmix2 = std::move(fields.name);
        record.changes.clear();
        record.stream_line.assign(line);
        ++counts.deletions;
        return &record;
      }
      if (fields.kind != kinds::hl7) {
        diag(Severity::note, "STREAM-KIND", where, "record of kind \"" + fields.kind + "\" is not a message; skipped",
             fields.kind);
        continue;
      }
      std::string reason;
      if (!record.message.assign(fields.hl7, &reason)) {
        hl7::DelimiterReading again;  // for the character the reason names
        hl7::read_delimiters(fields.hl7, nullptr, &again);
        diag(Severity::error, "HL7-MSH-ENCODING", where, reason + "; line rejected", again.character);
        reject(src, "HL7-MSH-ENCODING", reason, line);
        continue;
      }
      record.deletion.reset();
      const bool has_path = !fields.path.empty();
      record.src = Source{has_path ? std::move(fields.path) : stream_path, has_path ? fields.n : stream_line_number,
                          fields.offset};
      record.ssmix2 = std::move(fields.name);
      record.charset = std::move(fields.charset);
      record.changes = std::move(fields.changes);
      report_jis_roman(where);
      // A rewritten message (report_jis_roman) is written from the record, not as the line came.
      if (options.keep_stream_line && !record.message.jis_roman_undone())
        record.stream_line.assign(line);
      else
        record.stream_line.clear();
      ++counts.read;
      return &record;
    }
    stream_source.reset();
    return nullptr;
  }
  std::deque<std::string> pending_files;

  // The next record that passes the record filters; the others are counted as filtered.
  const Record* next() {
    const bool filtering = has_record_filters(options.walk);
    for (;;) {
      const Record* r = next_unfiltered();
      if (r == nullptr || !filtering || r->deletion) return r;
      // Files the walk selected by name passed the same filters there (with the extended-storage
      // data-type folder, which records do not carry); everything else is judged here.
      if (framer && current_walk_selected) return r;
      FilterVerdict verdict = filter_record(*r, options.walk);
      if (verdict == FilterVerdict::keep) return r;
      ++counts.filtered;
      if (verdict == FilterVerdict::undetermined) ++counts.undetermined;
    }
  }

  const Record* next_unfiltered() {
    for (;;) {
      if (framer) {
        if (auto r = next_from_framer()) return r;
        continue;
      }
      if (stream_source) {
        if (auto r = next_from_stream()) return r;
        if (!pending_files.empty()) {
          // Files named by file records are read before the stream goes on.
          std::string path = pending_files.front();
          pending_files.pop_front();
          read_named_file(path);
        }
        continue;
      }
      if (planned_root) {
        if (const Record* r = next_planned()) return r;
        continue;
      }
      if (tree) {
        auto item = tree->pop();
        if (!item) {
          if (!tree->failure().empty()) {
            diag(Severity::error, "IO-READ", Location{}, tree->failure());
            input_error = true;
          }
          tree.reset();
          continue;
        }
        if (auto* d = std::get_if<Diagnostic>(&*item)) {
          diagnostics.report(std::move(*d));  // naming findings as the walk judged them (lenient_names)
          continue;
        }
        current_planned = false;
        start_tree_file(std::get<ssmix2::Entry>(*item), true);
        continue;
      }
      if (!open_next_input()) return nullptr;
    }
  }

  // A planned file's naming findings, judged as the walk judges them for readers (lenient_names).
  void report_name_problem(const ssmix2::NameProblem& problem, const std::string& path) {
    Severity severity = problem.severity;
    if (!options.tree_findings) {
      if (problem.code == "SSMX-NAME-FIELDS" || problem.code == "SSMX-PATH-DEPTH") return;
      severity = std::min(severity, Severity::warning);
    }
    diagnostics.report(Diagnostic{severity, problem.code, Location{path}, problem.text});
  }

  // --state: first the root's delete records, then its new and changed files (whose naming
  // findings are reported here, as the walk reports them for the files it hands over).
  const Record* next_planned() {
    if (!planned_deletions_done) {
      Deletion deletion;
      if (options.incremental->next_deletion(*planned_root, deletion)) {
        record.deletion = std::move(deletion);
        record.message = hl7::Message();
        record.src = Source{record.deletion->path, 0, 0};
        record.ssmix2 = record.deletion->name;
        record.stream_line.clear();
        record.changes.clear();
        ++counts.deletions;
        return &record;
      }
      planned_deletions_done = true;
    }
    record.deletion.reset();
    ssmix2::Entry entry;
    if (!options.incremental->next_entry(*planned_root, entry)) {
      planned_root.reset();
      return nullptr;
    }
    for (const ssmix2::NameProblem& problem : entry.problems) report_name_problem(problem, entry.path);
    current_planned = true;
    start_tree_file(entry, true);
    return nullptr;
  }

  void read_named_file(const std::string& path) {
    ssmix2::Entry e;
    e.path = path;
    current_planned = false;
    std::vector<ssmix2::NameProblem> ignored;
    auto name = ssmix2::parse_file_name(basename_of(path), ignored);
    if (name) e.name = std::move(name);
    start_tree_file(e, false);
  }
};

RecordReader::RecordReader(std::vector<std::string> inputs, ReaderOptions options, DiagnosticSink& diagnostics,
                           RejectSink* rejects, Counts& counts)
    : impl_(std::make_unique<Impl>(std::move(inputs), std::move(options), diagnostics, rejects, counts)) {
  if (impl_->inputs.empty()) impl_->inputs.push_back("-");
}

RecordReader::~RecordReader() = default;

const Record* RecordReader::next() { return impl_->next(); }

void RecordReader::take(Record& into) { std::swap(into, impl_->record); }

bool RecordReader::had_input_error() const { return impl_->input_error; }

}  // namespace smx
