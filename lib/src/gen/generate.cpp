// smx gen: the entry point, and the files of a patient as a vendor writes them: SS-MIX2 names
// with the naming deviations, segment terminators, charset and the trailing FS, to the sink, with
// their truth rows. The timeline is in timeline.cpp, the messages in messages.cpp, the values and
// truth rows in truth.cpp, the sinks in tree_sink.cpp.
#include <algorithm>

#include "gen/cohort_truth.hpp"
#include "gen/messages.hpp"
#include "smx/ascii.hpp"
#include "smx/error.hpp"
#include "smx/ssmix2.hpp"

namespace smx::gen {

using namespace detail;

namespace {

// The data types gen writes (reference §4), in Summary::files_by_type order.
// OMP-02 and OMP-12 only with --qi, last so that the stats without it stay as they were.
const std::vector<std::string_view> kTypes = {"ADT-00", "ADT-12", "ADT-22", "ADT-52", "OML-01",
                                              "OML-11", "OMP-01", "PPR-01", "OMP-02", "OMP-12"};
std::size_t type_index(std::string_view type) {
  return static_cast<std::size_t>(std::find(kTypes.begin(), kTypes.end(), type) - kTypes.begin());
}

// The message as a reader decodes it: ICU writes U+FF0D/U+FF5E as JIS 0x215D/0x2141, which smx
// (like iconv) reads back as U+2212/U+301C (charset convert.cpp).
void jis_forms(std::string& text) {
  static constexpr std::string_view pairs[][2] = {{"\xEF\xBC\x8D", "\xE2\x88\x92"},   // － -> −
                                                  {"\xEF\xBD\x9E", "\xE3\x80\x9C"}};  // ～ -> 〜
  for (const auto& pair : pairs)
    for (std::size_t at = text.find(pair[0]); at != std::string::npos; at = text.find(pair[0], at + 3))
      text.replace(at, 3, pair[1]);
}

}  // namespace

namespace detail {

FileWriter::FileWriter(const Options& options, Sink& sink, Output* truth, Summary& summary)
    : options_(options), sink_(sink), truth_(truth), summary_(summary) {
  if (!options.cohort_truth.empty()) cohort_truth_ = std::make_unique<CohortTruth>(options.cohort_truth);
}
FileWriter::~FileWriter() = default;

void FileWriter::finish() {
  if (cohort_truth_) cohort_truth_->finish();
}

void FileWriter::start_facility(const FacilityProfile& profile) {
  profile_ = &profile;
  encoder_ = std::make_unique<CharsetEncoder>(profile.charset);
}

// Naming deviations of reference §3 "Observed deviations", applied to the file name only.
std::string FileWriter::file_name(const std::string& patient_id, const PendingFile& file, Rng& rng,
                                  bool& deviated) const {
  std::string order = file.order, timestamp = file.timestamp, dept = file.dept;
  int kind = -1;
  deviated = false;
  if (profile_->deviations && options_.deviation_rate > 0 && rng.chance(options_.deviation_rate)) {
    kind = static_cast<int>(rng.below(6));
    deviated = true;
  }
  std::string out = patient_id + "_" + file.date + "_" + std::string(file.type) + "_";
  if (kind == 0) order = order.substr(2);  // 13-digit order number
  if (kind == 1) timestamp.resize(15);     // 15-digit timestamp
  if (kind == 2) timestamp.resize(14);     // 14-digit timestamp (yyyyMMddHHmmss)
  out += order + "_" + (kind == 3 ? " " : "") + timestamp + "_";
  out += (kind == 5 ? std::string("-") : dept) + "_";  // 5: department missing from the name
  out += std::to_string(file.flag);
  if (kind == 4) out += ".hl7";            // a file extension
  return out;
}

void FileWriter::write_person(const Patient& p) {
  if (!truth_ || !p.identity) return;
  json::Writer w(truth_->buffer());
  w.begin_object();
  w.string("kind", "person");
  w.string("facility", profile_->id);
  w.string("patient", p.id);
  w.string("person", p.identity->person);
  w.boolean("shared", p.identity->shared);
  w.begin_array("variance");
  for (const std::string& kind : p.identity->variance) w.string_element(kind);
  w.end_array();
  w.end_object();
  truth_->buffer().push_back('\n');
}

void FileWriter::append_truth(const std::string& rows) {
  if (!truth_) return;
  truth_->buffer().append(rows);
  truth_->maybe_flush();
}

void FileWriter::write(const Patient& p, std::vector<PendingFile>& files, Rng& rng) {
  const FacilityProfile& f = *profile_;
  std::string base = p.id.substr(0, 3) + "/" + p.id.substr(3, 3) + "/" + p.id;
  std::vector<std::string> names_used;
  for (PendingFile& file : files) {
    std::string directory = base + "/" + file.date + "/" + std::string(file.type);
    bool deviated = false;
    std::string name = file_name(p.id, file, rng, deviated);
    std::string full = directory + "/" + name;
    if (std::find(names_used.begin(), names_used.end(), full) != names_used.end()) {
      // A deviation made two names equal (e.g. a dropped millisecond): keep this one standard.
      deviated = false;
      name = p.id + "_" + file.date + "_" + std::string(file.type) + "_" + file.order + "_" + file.timestamp + "_" +
             file.dept + "_" + std::to_string(file.flag);
      full = directory + "/" + name;
    }
    names_used.push_back(full);
    if (f.charset == Charset::iso2022jp) jis_forms(file.utf8);
    // Segment terminators as this vendor writes them, then the charset, then 0x1C.
    const std::string* text = &file.utf8;
    if (f.terminator != "\r") {
      converted_.clear();
      for (char c : file.utf8) {
        if (c == '\r') converted_.append(f.terminator);
        else converted_.push_back(c);
      }
      text = &converted_;
    }
    bytes_.clear();
    if (!encoder_->encode(*text, bytes_))
      throw config_error("character '" + encoder_->failed_character() + "' cannot be written in " +
                         std::string(charset_name(f.charset)));
    if (f.trailing_fs) bytes_.push_back('\x1C');
    sink_.file(Sink::File{f.id, directory, name, bytes_, file.utf8, charset_name(f.charset)});
    ++summary_.files;
    summary_.bytes += bytes_.size();
    if (file.flag == 2) ++summary_.history_files;
    if (file.flag == 0) ++summary_.deleted_files;
    if (deviated) ++summary_.deviations;
    ++summary_.files_by_type[type_index(file.type)];
    summary_.lab_results += file.truth.size();
    if (truth_ && !file.truth.empty()) {
      std::string path = options_.root;
      if (!path.empty() && path.back() != '/') path += '/';
      path += f.id + "/" + full;
      append_truth_rows(truth_->buffer(), path, f.id, file, p.sex);
    }
  }
  if (cohort_truth_) cohort_truth_->patient(*profile_, p, files);
  ++summary_.patients;
  sink_.patient_done();
  if (truth_) truth_->maybe_flush();
}

}  // namespace detail

const std::vector<std::string_view>& data_type_names() { return kTypes; }

std::string parse_date(std::string_view text) {
  std::string digits;
  for (char c : text)
    if (c != '-') digits.push_back(c);
  bool ok = digits.size() == 8 && ascii::all_digits(digits);
  if (ok && text.size() == 10) ok = text[4] == '-' && text[7] == '-';
  else if (ok) ok = text.size() == 8;
  if (ok) ok = std::stoi(digits.substr(0, 4)) >= 1900 && ssmix2::is_valid_date(digits);
  if (!ok) throw usage_error("not a date (YYYY-MM-DD or YYYYMMDD): '" + std::string(text) + "'");
  return digits;
}

Summary generate(const Options& options, const tables::Tables& tables, Sink& sink, Output* truth) {
  if (options.facilities < 1 || options.facilities > 99) throw usage_error("the number of facilities must be 1-99");
  if (options.deviation_rate < 0 || options.deviation_rate > 1) throw usage_error("the deviation rate must be 0-1");
  if (options.gap_rate < 0 || options.gap_rate > 1) throw usage_error("the gap rate must be 0-1");
  if (options.variance_rate < 0 || options.variance_rate > 1) throw usage_error("the variance rate must be 0-1");
  // The cohort truth knows the diagnoses, drugs and labs of the regular timeline only: the
  // diabetes drugs and HbA1c results --qi adds would be found by smx cohort and missed by it.
  if (options.qi && !options.cohort_truth.empty())
    throw usage_error("--cohort-truth and --qi cannot be used together: the cohort truth does not see what --qi adds");
  Summary summary;
  summary.files_by_type.assign(kTypes.size(), 0);
  FileWriter files(options, sink, truth, summary);
  generate_patients(options, tables, files);
  files.finish();
  return summary;
}

}  // namespace smx::gen
