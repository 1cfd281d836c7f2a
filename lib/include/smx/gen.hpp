// lib/gen: synthetic multi-facility SS-MIX2 standardized storage with ground truth (smx gen).
//
// Every facility gets a vendor profile drawn from the seed (codes, unit spellings, value and
// range styles, charset, segment terminators, MSH-18/20/21 spellings, flag behaviour on update),
// every patient a timeline of visits, orders, results, prescriptions and diagnoses over the date
// range, written as one HL7 v2.5 message per file under ROOT/<facility>/ (SS-MIX2 reference
// §2-§6). The lab results come with the answer a perfect normalizer gives (--truth).
//
// Deterministic: the output depends only on the options and the tables. Randomness comes from
// our own xoshiro256** seeded per patient from (seed, facility, patient); no standard
// distributions (their output differs between standard libraries), no transcendental functions
// in value drawing, no clock, no locale, no hash-map iteration order in the output.
// Bounded memory: patients are generated and written one at a time.
#pragma once
#include <memory>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "smx/charset.hpp"
#include "smx/io.hpp"
#include "smx/ssmix2.hpp"
#include "smx/tables.hpp"

namespace smx::gen {

struct Options {
  std::uint64_t patients = 10;  // in total, spread over the facilities
  int facilities = 1;
  std::uint64_t seed = 1;
  std::string from = "2024-01-01";  // care dates, inclusive: YYYY-MM-DD or YYYYMMDD
  std::string to = "2024-12-31";
  // Share of files whose name carries one of the naming deviations of reference §3 (13-digit
  // order number, 15- or 14-digit timestamp, a space, an extension, no department field).
  double deviation_rate = 0.0;
  // Share of (facility, lab item) pairs that no table covers, in facilities other than H01: the
  // local code left out of the site table written beside the tree, or a unit spelling that
  // neither the alias table nor UCUM knows. A normalizer should report these, never guess.
  double gap_rate = 0.0;
  // Real-world variance (issue 11), in facilities other than H01: about this share of the lab
  // items is sent with a variant unit spelling (letter case and the UCUM prefix traps it makes,
  // display suffixes, NHO's production typos) and about half this share in another unit the
  // analyte declares (Ca in mEq/L), about half this share of the quantitative
  // results in another value form (compound, value range, a unit mislabel the plausibility gate
  // must catch), and items that only exist for it are added (one code with qualitative and
  // quantitative results, units such as U/mL, pg/mL, /HPF). Every such truth row says its kind
  // and what a normalizer must do.
  double variance_rate = 0.0;
  // Identifying fields for de-identification tests (smx deid, issue 13): names also in romaji
  // (and half-width kana where the charset holds them), phone numbers in half- and full-width
  // digits, an insurer number (IN1), next of kin (NK1), a Z-segment, the patient's name in an NTE
  // and in an OBX TX comment with the patient ID in its text. Drawn from their own stream: the
  // other fields, and the output without it, do not change.
  bool phi = false;
  // People at several facilities (issue 14): about this share of the people are patients of 2-4
  // facilities, each with its own local ID and the recording variance of real registers (kanji
  // variants, kana typos, width, a married name, a moved address, a new insurer, a one-digit
  // birth-date error, twins). Every ADT-00 then carries IN1 (insurer, card symbol and number)
  // and the truth file a "person" row per local patient. 0 (default) changes nothing.
  double shared_persons = 0.0;
  // Quality indicators (issue 15, smx qi): antibacterial injection orders and administrations
  // (OMP-02, OMP-12) in some stays, blood cultures (OML-01/OML-11), oral diabetes drugs and HbA1c
  // results for patients with E11 (OMP-01, OML-01/OML-11), drawn from their own stream and added
  // after a patient's other files; the lab panels then leave HbA1c out. The truth file gets a
  // "qi" row per facility, month and indicator. false (default) changes nothing.
  bool qi = false;
  // Where files and stream paths live: ROOT/<facility>/<pid[0:3]>/... (the stream's src.path
  // uses it too, so `smx gen --stream` matches `smx cat ROOT` after `smx gen -o ROOT`).
  std::string root;
  // --cohort-truth FILE: what `smx cohort --criteria examples/cohorts/t2dm-hba1c.yaml` must give
  // for this tree (NDJSON, one row per patient: the steps passed, the index date), computed from
  // gen's own timeline (lib/src/gen/cohort_truth.cpp), not from the messages.
  std::string cohort_truth;
};

// A facility's vendor profile (drawn from the seed; public so tests and the man page can name
// what varies). Facility 1 is always the conformant one: ISO-2022-JP, CR, JLAC10 codes,
// standard MSH-18/20/21 spellings, flag 2 on update, no naming deviations.
struct FacilityProfile {
  std::string id;                  // "H01": folder under ROOT, MSH-4, site name
  std::string name_ja;             // 〇〇病院 (invented)
  Charset charset = Charset::iso2022jp;
  std::string terminator = "\r";   // "\r", "\r\n" or "\n"
  bool trailing_fs = false;        // 0x1C after the last segment (DTT samples)
  std::string msh18, msh20, msh21;
  int msh7_fraction_digits = 3;    // 0, 3 or 4 digits after the seconds dot
  int update_flag = 2;             // what the old file becomes on update (2; 0 for some vendors)
  std::string code_style;          // jlac10 | local | jlac10+local | local+jlac10
  std::string local_system;        // CWE.3 of local codes, e.g. 99L01
  std::string unit_style;          // ucum | iso | lower | fullwidth | japanese | mixed
  std::string unit_system;         // jccls | conventional | si (which unit each analyte uses)
  std::string range_style;         // dash | spaced | wave
  std::string sex_range_style;     // patient | mf | kanji (M:a-b F:c-d / 男:a-b 女:c-d)
  std::string flag_style;          // HL | HLN | none
  bool own_ranges = false;         // facility ranges instead of the JCCLS ones
  bool alp_jscc = false;           // ALP by the JSCC method (277) with its own range
  std::string less_style, greater_style;  // "<X" | "X未満" | "< X"; "X<" | ">X" | "X超"
  std::string negative_text;       // 陰性 | (-) | -
  int patient_id_digits = 10;      // fixed-width zero-padded IDs (reference §2 "Short patient IDs")
  bool deviations = true;          // takes part in --deviation-rate
};

struct Summary {
  std::uint64_t patients = 0;
  std::uint64_t files = 0;           // files written (all flags)
  std::uint64_t history_files = 0;   // flag 2
  std::uint64_t deleted_files = 0;   // flag 0
  std::uint64_t lab_results = 0;     // OBX rows of OML-11 files (= truth rows)
  std::uint64_t deviations = 0;      // file names with a deliberate naming deviation
  std::uint64_t bytes = 0;
  std::vector<std::uint64_t> files_by_type;  // in data_type_names() order
};
const std::vector<std::string_view>& data_type_names();  // the folders gen writes

// Parses YYYY-MM-DD or YYYYMMDD into YYYYMMDD; throws usage_error.
std::string parse_date(std::string_view text);

// The facility profiles for these options (needs the tables for unit spellings).
std::vector<FacilityProfile> facility_profiles(const Options& options);

// The site table of a facility (smx-tables(5) "SITES"): local codes -> JLAC10 with the unit
// each code is reported in, the OBX-6.3 systems and the OBX-7 conventions. `site_name` must
// be the stem of the file it is written to.
std::string site_yaml(const Options& options, const tables::Tables& tables, int facility,
                      std::string_view site_name);

// Where generated files go.
class Sink {
 public:
  virtual ~Sink() = default;
  // One file: its facility, the folder below the facility root (pid[0:3]/pid[3:6]/pid/date/
  // type), the file name, the bytes as written, the message as UTF-8 with CR terminators and
  // the stream's charset name.
  struct File {
    std::string_view facility;
    std::string_view directory;
    std::string_view file_name;
    std::string_view bytes;
    std::string_view utf8;
    std::string_view charset;
  };
  virtual void file(const File& file) = 0;
  // Called after each patient's files.
  virtual void patient_done() {}
};

// Writes the tree: plain open/write/close, folders created once, no fsync (a generator's
// output can be made again). ROOT must not exist or be empty (throws usage_error).
class TreeSink final : public Sink {
 public:
  explicit TreeSink(std::string root);
  ~TreeSink() override;
  void file(const File& file) override;
  void patient_done() override;
  // Waits until every file is written; throws io_error for the first write that failed.
  // Without it (an exception on the way), files still queued are not written.
  void finish();
  // Waits until every file handed over so far is on disk (throws io_error like finish()).
  void sync();
  // Whether FACILITY/DIRECTORY/FILE_NAME is on disk in the tree being written (after sync()).
  bool written(std::string_view facility, std::string_view directory, std::string_view file_name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // owned; freed also when the constructor throws
};

// Writes the smx stream (smx-stream(5)) as `smx cat ROOT` would read the tree.
class StreamSink final : public Sink {
 public:
  StreamSink(Output& out, std::string root) : out_(out), root_(std::move(root)) {}
  void file(const File& file) override;

 private:
  Output& out_;
  std::string root_;
};

// Generates everything: files to `sink`, truth rows (NDJSON, one per lab OBX) to `truth` when
// not null. Throws usage_error on bad options, io_error on write failures.
Summary generate(const Options& options, const tables::Tables& tables, Sink& sink, Output* truth);

// ---- smx gen's run: the tree or the stream, the truth file, the site tables (run.cpp) ---------
struct RunOptions {
  Options gen;
  std::string truth;      // the truth file ("" = none); its folder is made when missing
  std::string sites_dir;  // where the site tables go ("" = beside ROOT as <facility>.site.yaml)
  bool stream = false;    // the stream to `stream_out` instead of a tree under gen.root
  std::string drugs_master;  // --qi: the synthetic drug master (smx-qi(1) --drugs) to this file
};

// The synthetic drug master of the codes --qi invents (CSV, smx-qi(1) --drugs).
std::string drugs_master();

// Runs smx gen with loaded tables: checks the dates and ROOT, writes the tree (or the stream to
// `stream_out`, uncommitted), the truth file and, when a tree is written or `sites_dir` is given,
// one site table per facility (smx-tables(5)). Returns what was written.
Summary run(RunOptions options, const tables::Tables& tables, Output& stream_out);

// The closing line: text "smx gen: N patients, N files (...)" or, mode "json", one stats object.
std::string format_stats(const Summary& summary, std::string_view mode);

}  // namespace smx::gen
