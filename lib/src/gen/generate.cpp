// smx gen: patients, their timelines and messages, the SS-MIX2 flag lifecycle, naming
// deviations, the truth rows, and the tree / stream sinks.
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <mutex>
#include <thread>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "gen/internal.hpp"
#include "smx/error.hpp"
#include "smx/hl7.hpp"
#include "smx/lab.hpp"
#include "smx/pool.hpp"
#include "smx/stream.hpp"

namespace smx::gen {

using namespace detail;

namespace {

constexpr std::uint64_t kPatientStream = 0x50415449454E54ULL;  // "PATIENT"
constexpr std::uint64_t kVarianceStream = 0x56415249414E4345ULL;  // "VARIANCE" (--variance-rate)
constexpr std::string_view kNoOrder = "999999999999999";       // reference §3 field 4

// The data types gen writes (reference §4), in Summary::files_by_type order.
const std::vector<std::string_view> kTypes = {"ADT-00", "ADT-12", "ADT-22", "ADT-52", "OML-01",
                                              "OML-11", "OMP-01", "PPR-01"};
std::size_t type_index(std::string_view type) {
  return static_cast<std::size_t>(std::find(kTypes.begin(), kTypes.end(), type) - kTypes.begin());
}

// ---- draws --------------------------------------------------------------------------------------
// Every random draw is its own statement: the operands of + are unsequenced in C++, and gcc and
// clang evaluate them in different orders, so two draws in one expression would make the tree
// depend on the compiler (the determinism test compares builds).

// Milliseconds since midnight: base minutes plus up to `spread` minutes, plus random ms.
std::int64_t time_of_day(Rng& rng, int base_minutes, int spread_minutes) {
  const std::int64_t minutes = base_minutes + rng.between(0, spread_minutes);
  const std::int64_t ms = rng.between(0, 59999);
  return minutes * 60000LL + ms;
}

// Town and block number of an invented address ("桜台7-8-11").
std::string random_street(Rng& rng) {
  std::string street(rng.pick(towns));
  const auto chome = rng.between(1, 9);
  const auto block = rng.between(1, 30);
  const auto house = rng.between(1, 20);
  return street + std::to_string(chome) + "-" + std::to_string(block) + "-" + std::to_string(house);
}

// ---- characters -----------------------------------------------------------------------------
// UTF-8 -> the facility charset, one code point at a time through smx::from_utf8 (ICU), with a
// cache: messages repeat the same few hundred characters, and ICU per message would dominate.
class Encoder {
 public:
  explicit Encoder(Charset charset) : charset_(charset) {}
  void encode(std::string_view utf8, std::string& out) {
    if (charset_ == Charset::utf8) {
      out.append(utf8);
      return;
    }
    bool jis = false;  // ISO-2022-JP: inside ESC $ B
    std::size_t i = 0;
    while (i < utf8.size()) {
      auto byte = static_cast<unsigned char>(utf8[i]);
      if (byte < 0x80) {
        if (jis) {
          out.append("\x1B(B");
          jis = false;
        }
        out.push_back(static_cast<char>(byte));
        ++i;
        continue;
      }
      std::size_t length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2;
      std::string_view character = utf8.substr(i, length);
      const std::string& bytes = lookup(character);
      if (charset_ == Charset::iso2022jp && !jis) {
        out.append("\x1B$B");
        jis = true;
      }
      out.append(bytes);
      i += length;
    }
    if (jis) out.append("\x1B(B");
  }

 private:
  const std::string& lookup(std::string_view character) {
    auto found = cache_.find(std::string(character));
    if (found != cache_.end()) return found->second;
    std::string bytes;
    if (!from_utf8(character, charset_, bytes))
      throw config_error("character '" + std::string(character) + "' cannot be written in " +
                         std::string(charset_name(charset_)));
    if (charset_ == Charset::iso2022jp) {
      // ESC $ B b1 b2 ESC ( B: keep the two JIS X 0208 bytes; the caller manages the shifts.
      if (bytes.size() != 8 || bytes.compare(0, 3, "\x1B$B") != 0)
        throw config_error("character '" + std::string(character) + "' is not in JIS X 0208");
      bytes = bytes.substr(3, 2);
    }
    return cache_.emplace(std::string(character), std::move(bytes)).first->second;
  }
  Charset charset_;
  std::unordered_map<std::string, std::string> cache_;  // looked up only, never iterated
};

// ---- HL7 building ---------------------------------------------------------------------------
// A segment being written: fields are placed by number, empty ones filled in.
class Segment {
 public:
  Segment(std::string& out, std::string_view id) : out_(out) {
    out_.append(id);
    if (id == "MSH") {
      out_.append("|^~\\&");
      field_ = 2;
    }
  }
  ~Segment() { out_.push_back('\r'); }
  Segment& field(int number, std::string_view value) {
    while (field_ < number) {
      out_.push_back('|');
      ++field_;
    }
    out_.append(value);
    return *this;
  }
  // Appends to the current field.
  Segment& more(std::string_view value) {
    out_.append(value);
    return *this;
  }
  Segment& text(int number, std::string_view value) {
    field(number, {});
    hl7::escape(value, hl7::Delimiters{}, out_);
    return *this;
  }

 private:
  std::string& out_;
  int field_ = 0;
};

std::string escaped(std::string_view value) {
  std::string out;
  hl7::escape(value, hl7::Delimiters{}, out);
  return out;
}

// A moment: day number + milliseconds of the day + a 4th fraction digit.
struct Moment {
  std::int64_t day = 0;
  std::int64_t ms = 0;
  int tenth_ms = 0;
  Moment plus_minutes(std::int64_t minutes) const {
    Moment m = *this;
    m.ms += minutes * 60000;
    while (m.ms >= 86400000) {
      m.ms -= 86400000;
      ++m.day;
    }
    return m;
  }
};

void append_two(std::string& out, std::int64_t value) {
  out.push_back(static_cast<char>('0' + value / 10 % 10));
  out.push_back(static_cast<char>('0' + value % 10));
}
void append_three(std::string& out, std::int64_t value) {
  out.push_back(static_cast<char>('0' + value / 100 % 10));
  append_two(out, value % 100);
}
// YYYYMMDDHHMM[SS]
void append_datetime(std::string& out, const Moment& m, bool seconds) {
  append_yyyymmdd(out, m.day);
  std::int64_t s = m.ms / 1000;
  append_two(out, s / 3600);
  append_two(out, s / 60 % 60);
  if (seconds) append_two(out, s % 60);
}
// MSH-7: YYYYMMDDHHMMSS[.S[S[S[S]]]] (reference §5; NHO-VITAL).
std::string msh7_text(const Moment& m, int fraction_digits) {
  std::string out;
  append_datetime(out, m, true);
  if (fraction_digits > 0) {
    out.push_back('.');
    std::string fraction;
    append_three(fraction, m.ms % 1000);
    fraction.push_back(static_cast<char>('0' + m.tenth_ms));
    out.append(fraction, 0, static_cast<std::size_t>(fraction_digits));
  }
  return out;
}
// File-name timestamp: MSH-7 truncated to milliseconds, 17 digits (reference §3 [INFERRED]).
std::string file_timestamp(const Moment& m, int fraction_digits) {
  std::string out;
  append_datetime(out, m, true);
  if (fraction_digits >= 3)
    append_three(out, m.ms % 1000);
  else
    out.append("000");
  return out;
}

void append_shortest(std::string& out, double value) {
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, static_cast<std::size_t>(result.ptr - buffer));
}

double parse_double(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// ---- per patient ----------------------------------------------------------------------------
struct Pending {
  std::string date;  // YYYYMMDD or "-"
  std::string_view type;
  std::string order;
  std::string timestamp;
  std::string dept;
  int flag = 1;
  std::string utf8;
  std::vector<TruthObx> truth;
};

struct Patient {
  int index = 0;
  std::string id;
  char sex = 'M';
  std::int64_t birth = 0;
  NamePart family, given;
  std::string postal;
  std::string address;
  const Department* dept = nullptr;
  int order_serial = 0;
  int message_serial = 0;
};

class Generator {
 public:
  Generator(const Options& options, const tables::Tables& tables)
      : options_(options), tables_(tables), ucum_(tables.make_ucum()) {
    from_ = days_from_yyyymmdd(parse_date(options.from));
    to_ = days_from_yyyymmdd(parse_date(options.to));
    if (to_ < from_) throw usage_error("the last care date is before the first");
    summary_.files_by_type.assign(kTypes.size(), 0);
  }

  Summary run(Sink& sink, Output* truth) {
    sink_ = &sink;
    truth_ = truth;
    std::uint64_t facilities = static_cast<std::uint64_t>(options_.facilities);
    for (int f = 0; f < options_.facilities; ++f) {
      model_ = build_facility(options_, tables_, ucum_, f);
      encoder_ = std::make_unique<Encoder>(model_.profile.charset);
      std::uint64_t count = options_.patients / facilities + (static_cast<std::uint64_t>(f) < options_.patients % facilities);
      std::uint64_t modulus = 1;
      for (int i = 0; i < model_.profile.patient_id_digits; ++i) modulus *= 10;
      if (count > modulus) throw usage_error("too many patients for " + std::to_string(model_.profile.patient_id_digits) + "-digit IDs");
      // Patient IDs: a bijection of the index modulo 10^digits (multiplier coprime to 10), so
      // IDs are unique, fixed-width and spread over the pid[0:3]/pid[3:6] folders.
      std::uint64_t offset = mix(options_.seed, 0x4944ULL + static_cast<std::uint64_t>(f)) % modulus;
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t number = (i * 1000003ULL + offset) % modulus;  // < 2^64: i < 10^10
        patient(static_cast<int>(f), i, number);
      }
    }
    return summary_;
  }

 private:
  // ---- one patient --------------------------------------------------------------------------
  void patient(int facility, std::uint64_t index, std::uint64_t number) {
    Rng rng(mix(mix(options_.seed, kPatientStream + static_cast<std::uint64_t>(facility)), index));
    Patient p;
    p.index = static_cast<int>(index);
    p.id = std::to_string(number);
    p.id.insert(0, static_cast<std::size_t>(model_.profile.patient_id_digits) - p.id.size(), '0');
    p.sex = rng.chance(0.5) ? 'M' : 'F';
    // One draw per statement: the operands of + and - are unsequenced in C++ and gcc and clang
    // evaluate them in different orders, which would make trees depend on the compiler.
    const std::int64_t age_years = rng.between(1, 95);
    const std::int64_t age_days = rng.between(0, 364);
    p.birth = from_ - 365 * age_years - age_days;
    p.family = rng.pick(family_names);
    p.given = p.sex == 'M' ? rng.pick(male_names) : rng.pick(female_names);
    const Place& place = rng.pick(places);
    p.postal = std::string(place.postal_prefix) + "-" + std::to_string(rng.between(1000, 9999)).substr(0, 4);
    p.address = std::string(place.prefecture_city) + random_street(rng);
    p.dept = &rng.pick(departments);
    pending_.clear();

    std::int64_t span = to_ - from_ + 1;
    std::int64_t registered = from_ + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(std::max<std::int64_t>(1, span / 2))));
    Moment registration{registered, time_of_day(rng, 9 * 60, 120), rng.between(0, 9)};
    add(p, adt00(p, registration, false), rng);

    // Visits: distinct dates from registration to the end of the range.
    bool chronic = rng.chance(0.3);
    int visit_count = 1 + static_cast<int>(rng.below(6));
    if (chronic) visit_count += static_cast<int>(rng.below(8));
    std::vector<std::int64_t> days;
    for (int v = 0; v < visit_count; ++v)
      days.push_back(registered + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(to_ - registered + 1))));
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    for (std::int64_t day : days) {
      const Department& dept = rng.chance(0.8) ? *p.dept : rng.pick(departments);
      Moment start{day, time_of_day(rng, 8 * 60 + 30, 360), rng.between(0, 9)};
      add(p, adt_visit(p, "ADT-12", "ADT^A04^ADT_A01", start, dept, 'O', start, nullptr), rng);
      if (rng.chance(0.75)) lab(p, rng, start.plus_minutes(10), dept, 'O');
      if (rng.chance(0.6)) prescription(p, rng, start.plus_minutes(40), dept, 'O');
    }
    if (rng.chance(0.12)) {
      std::int64_t admit_day = registered + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(to_ - registered + 1)));
      const Department& dept = *p.dept;
      Moment admit{admit_day, time_of_day(rng, 10 * 60, 240), rng.between(0, 9)};
      add(p, adt_visit(p, "ADT-22", "ADT^A01^ADT_A01", admit, dept, 'I', admit, nullptr), rng);
      if (rng.chance(0.04)) {
        // Admission cancelled (ADT^A11 shares the ADT-22 folder, reference §4): a deletion.
        remove(p, adt_visit(p, "ADT-22", "ADT^A11^ADT_A09", admit.plus_minutes(90), dept, 'I', admit, nullptr));
      } else {
        if (admit_day + 1 <= to_) lab(p, rng, Moment{admit_day + 1, 6 * 3600000LL + rng.between(0, 3599999), 0}, dept, 'I');
        std::int64_t discharge_day = admit_day + rng.between(2, 14);
        if (discharge_day <= to_) {
          Moment discharge{discharge_day, time_of_day(rng, 11 * 60, 180), rng.between(0, 9)};
          add(p, adt_visit(p, "ADT-52", "ADT^A03^ADT_A03", discharge, dept, 'I', admit, &discharge), rng);
        }
      }
    }
    if (rng.chance(0.6)) {
      std::vector<const Diagnosis*> list;
      int count = rng.between(1, 3);
      for (int k = 0; k < count; ++k) list.push_back(&rng.pick(diagnoses));
      std::sort(list.begin(), list.end());
      list.erase(std::unique(list.begin(), list.end()), list.end());
      Moment first{days.empty() ? registered : days.front(), 15 * 3600000LL + rng.between(0, 3599999), rng.between(0, 9)};
      add(p, problems(p, first, list), rng);
      if (rng.chance(0.3) && first.day < to_) {
        list.push_back(&rng.pick(diagnoses));
        std::sort(list.begin(), list.end());
        list.erase(std::unique(list.begin(), list.end()), list.end());
        Moment later{first.day + 1 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(to_ - first.day))),
                     16 * 3600000LL + rng.between(0, 3599999), rng.between(0, 9)};
        add(p, problems(p, later, list), rng);
      }
    }
    if (rng.chance(0.2) && registered < to_) {
      // Address change: ADT-00 again, same key, so the first file becomes history (§3.1).
      const Place& new_place = rng.pick(places);
      p.address = std::string(new_place.prefecture_city) + random_street(rng);
      Moment changed{registered + 1 + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(to_ - registered))),
                     time_of_day(rng, 13 * 60, 120), rng.between(0, 9)};
      add(p, adt00(p, changed, true), rng);
    }
    flush(p, rng);
  }

  // ---- the flag lifecycle (reference §3.1) --------------------------------------------------
  static bool same_key(const Pending& a, const Pending& b) {
    return a.date == b.date && a.type == b.type && a.order == b.order;
  }
  // New or updated data: files with the same key and flag 1 become history (2, or 0 for
  // vendors that rename to _0), then the new file is written with flag 1.
  void add(const Patient&, Pending file, Rng&) {
    for (Pending& old : pending_)
      if (old.flag == 1 && same_key(old, file)) old.flag = model_.profile.update_flag;
    file.flag = 1;
    pending_.push_back(std::move(file));
  }
  // Deletion: every file of the key with flag 1 or 2 becomes 0, and the delete message itself
  // is written with flag 0 (standardized storage).
  void remove(const Patient&, Pending file) {
    for (Pending& old : pending_)
      if ((old.flag == 1 || old.flag == 2) && same_key(old, file)) old.flag = 0;
    file.flag = 0;
    pending_.push_back(std::move(file));
  }

  // ---- messages -----------------------------------------------------------------------------
  Pending start(Patient& p, std::string_view type, const Moment& at, std::string date, std::string order,
                std::string dept, std::string_view msh9) {
    Pending file;
    file.type = type;
    file.date = std::move(date);
    file.order = std::move(order);
    file.dept = std::move(dept);
    file.timestamp = file_timestamp(at, model_.profile.msh7_fraction_digits);
    std::string& m = file.utf8;
    m.reserve(2048);
    const FacilityProfile& f = model_.profile;
    std::string control;
    append_datetime(control, at, true);
    ++p.message_serial;
    control += std::to_string(p.message_serial % 10);
    Segment msh(m, "MSH");
    msh.field(3, "HIS").more(f.id).field(4, f.id).field(5, "GW").field(6, "RCV").field(7, msh7_text(at, f.msh7_fraction_digits));
    msh.field(9, msh9).field(10, control).field(11, "P").field(12, "2.5").field(18, f.msh18);
    if (!f.msh20.empty()) msh.field(20, f.msh20);
    if (!f.msh21.empty()) msh.field(21, f.msh21);
    return file;
  }

  void pid(std::string& m, const Patient& p, bool full) {
    Segment s(m, "PID");
    s.field(1, "0001").field(3, p.id).more("^^^^PI");
    s.field(5, escaped(p.family.kanji)).more("^").more(escaped(p.given.kanji)).more("^^^^^L^I~");
    s.more(escaped(p.family.kana)).more("^").more(escaped(p.given.kana)).more("^^^^^L^P");
    std::string birth;
    append_yyyymmdd(birth, p.birth);
    s.field(7, birth).field(8, std::string(1, p.sex));
    if (full) s.field(11, "^^^^").more(p.postal).more("^JPN^H^").more(escaped(p.address));
  }

  std::string doctor(int serial) const {
    const std::string_view family = doctor_family[static_cast<std::size_t>(serial) % doctor_family.size()];
    const std::string_view given = doctor_given[static_cast<std::size_t>(serial / 7) % doctor_given.size()];
    return std::to_string(100 + serial) + "^" + std::string(family) + "^" + std::string(given) + "^^^^^^^L^^^^^I";
  }

  // ADT-00: ADT^A08 patient master update (reference §4, §6.5), "-" date folder, no dept.
  Pending adt00(Patient& p, const Moment& at, bool update) {
    Pending file = start(p, "ADT-00", at, "-", std::string(kNoOrder), "-", "ADT^A08^ADT_A01");
    std::string& m = file.utf8;
    std::string evn;
    append_datetime(evn, at, false);
    Segment(m, "EVN").field(2, evn);
    pid(m, p, true);
    Segment(m, "PV1").field(1, "0001").field(2, "O");
    std::string height, weight;
    Rng rng(mix(static_cast<std::uint64_t>(p.index), update ? 2 : 1));
    double h = p.sex == 'M' ? 171.0 + 6.0 * rng.normal() : 158.0 + 5.5 * rng.normal();
    double w = (h / 100.0) * (h / 100.0) * (22.0 + 3.0 * rng.normal());
    append_fixed(height, h, 1);
    append_fixed(weight, w, 1);
    Segment(m, "OBX").field(1, "1").field(2, "NM").field(3, "9N001000000000001^身長^JC10").field(5, height)
        .field(6, "cm^cm^ISO+").field(11, "F");
    Segment(m, "OBX").field(1, "2").field(2, "NM").field(3, "9N006000000000001^体重^JC10").field(5, weight)
        .field(6, "kg^kg^ISO+").field(11, "F");
    return file;
  }

  // ADT-12 (A04), ADT-22 (A01/A11), ADT-52 (A03): care date PV1-44 (admit/visit) or PV1-45
  // (discharge) (reference §2 care-date table).
  Pending adt_visit(Patient& p, std::string_view type, std::string_view msh9, const Moment& at, const Department& dept,
                    char patient_class, const Moment& admit, const Moment* discharge) {
    std::string date;
    append_yyyymmdd(date, discharge ? discharge->day : admit.day);
    Pending file = start(p, type, at, date, std::string(kNoOrder), std::string(dept.code2), msh9);
    std::string& m = file.utf8;
    std::string evn, admitted, discharged;
    append_datetime(evn, at, false);
    append_datetime(admitted, admit, false);
    {
      Segment e(m, "EVN");
      e.field(2, evn);
      if (discharge) e.field(6, evn);  // EVN-6 event occurred (guideline sample ADT^A03)
    }
    pid(m, p, false);
    Segment pv1(m, "PV1");
    pv1.field(1, "0001").field(2, std::string(1, patient_class));
    if (patient_class == 'I')
      pv1.field(3, std::to_string(30 + p.index % 10)).more("^").more(std::to_string(300 + p.index % 40)).more("^1^^^N");
    else
      pv1.field(3, dept.code2).more("^^^^^C");
    pv1.field(7, doctor(p.index % 13)).field(10, dept.code2).field(44, admitted);
    if (discharge) {
      append_datetime(discharged, *discharge, false);
      pv1.field(45, discharged);
    }
    return file;
  }

  std::string next_order(Patient& p) {
    ++p.order_serial;
    std::string order = std::to_string(static_cast<std::uint64_t>(p.index + 1) * 1000 + static_cast<std::uint64_t>(p.order_serial));
    order.insert(0, 15 - std::min<std::size_t>(15, order.size()), '0');
    return order;
  }

  void orc(std::string& m, std::string_view control, std::string_view order, std::string_view filler,
           std::string_view status, const Moment& ordered, const Department& dept, char patient_class, int doctor_serial) {
    std::string when;
    append_datetime(when, ordered, true);
    Segment s(m, "ORC");
    s.field(1, control).field(2, order);
    if (!filler.empty()) s.field(3, filler);
    if (!status.empty()) s.field(5, status);
    s.field(9, when).field(12, doctor(doctor_serial));
    s.field(13, dept.code2).more("^^^^^C").field(17, dept.code2).more("^").more(escaped(dept.name)).more("^99XY1");
    s.field(21, escaped(model_.profile.name_ja));
    s.field(29, patient_class == 'I' ? "I^入院患者オーダ^HL70482" : "O^外来患者オーダ^HL70482");
  }

  // Lab: OML-01 order (care date ORC-9) and OML-11 result (care date SPM-17), or a cancelled
  // order (deletion), or a preliminary result replaced by the final one (update).
  void lab(Patient& p, Rng& rng, const Moment& ordered, const Department& dept, char patient_class) {
    std::string order = next_order(p);
    std::string date;
    append_yyyymmdd(date, ordered.day);
    // The panel: 10-40 distinct items, in table order, grouped by specimen.
    std::vector<std::size_t> pick(model_.regular_items);
    for (std::size_t i = 0; i < pick.size(); ++i) pick[i] = i;
    std::size_t count = static_cast<std::size_t>(rng.between(10, static_cast<int>(std::min<std::size_t>(40, pick.size()))));
    for (std::size_t i = 0; i < count; ++i) std::swap(pick[i], pick[i + rng.below(pick.size() - i)]);
    pick.resize(count);
    if (model_.variance) {
      Rng variance(mix(mix(options_.seed, kVarianceStream + static_cast<std::uint64_t>(model_.index)),
                       (static_cast<std::uint64_t>(p.index) << 16) + static_cast<std::uint64_t>(p.order_serial)));
      extend_panel(model_, variance, pick);
    }
    std::sort(pick.begin(), pick.end(), [&](std::size_t a, std::size_t b) {
      auto sa = model_.items[a].item->specimen, sb = model_.items[b].item->specimen;
      return sa != sb ? sa < sb : a < b;
    });
    Moment collected = ordered.plus_minutes(20);
    add(p, lab_order(p, order, date, ordered, collected, dept, patient_class, pick, "NW"), rng);
    if (rng.chance(0.04)) {
      remove(p, lab_order(p, order, date, ordered.plus_minutes(30), collected, dept, patient_class, pick, "CA"));
      return;
    }
    std::uint64_t value_seed = rng.next();
    if (rng.chance(0.15)) add(p, lab_result(p, order, ordered, collected, collected.plus_minutes(60), dept, patient_class, pick, value_seed, false), rng);
    add(p, lab_result(p, order, ordered, collected, collected.plus_minutes(150), dept, patient_class, pick, value_seed, true), rng);
  }

  std::string obx3(const ItemModel& item) const {
    const FacilityProfile& f = model_.profile;
    std::string jlac = item.jlac10 + "^" + escaped(item.display_name) + "^JC10";
    std::string local = item.local_code + "^" + escaped(item.display_name) + "^" + f.local_system;
    if (f.code_style == "jlac10") return jlac;
    if (f.code_style == "local") return local;
    if (f.code_style == "jlac10+local") return jlac + "^" + local;
    return local + "^" + jlac;
  }
  std::string_view obx3_code(const ItemModel& item) const {
    return model_.profile.code_style.rfind("jlac10", 0) == 0 ? std::string_view(item.jlac10)
                                                             : std::string_view(item.local_code);
  }

  void spm(std::string& m, int set, Specimen specimen, std::string_view specimen_id, const Moment& collected) {
    std::string when;
    append_datetime(when, collected, false);
    Segment s(m, "SPM");
    s.field(1, std::to_string(set));
    if (!specimen_id.empty()) s.field(2, specimen_id);
    s.field(4, specimen_code(specimen)).more("^").more(specimen_name(specimen)).more("^JC10").field(17, when);
  }

  std::string_view battery(Specimen specimen) const {
    switch (specimen) {
      case Specimen::whole_blood: return "E001^血液学的検査^99O03";
      case Specimen::urine: return "E003^尿一般検査^99O03";
      default: return "E002^生化学的検査^99O03";
    }
  }

  Pending lab_order(Patient& p, const std::string& order, const std::string& date, const Moment& at,
                    const Moment& collected, const Department& dept, char patient_class,
                    const std::vector<std::size_t>& pick, std::string_view control) {
    Pending file = start(p, "OML-01", at, date, order, std::string(dept.code2), "OML^O33^OML_O33");
    std::string& m = file.utf8;
    pid(m, p, false);
    Segment(m, "PV1").field(1, "0001").field(2, std::string(1, patient_class)).field(3, dept.code2).more("^^^^^C");
    int set = 0;
    for (std::size_t i = 0; i < pick.size();) {
      Specimen specimen = model_.items[pick[i]].item->specimen;
      spm(m, ++set, specimen, {}, collected);
      orc(m, control, order, {}, {}, at, dept, patient_class, p.index % 13);
      Segment(m, "OBR").field(1, std::to_string(set)).field(2, order).field(4, battery(specimen));
      int n = 0;
      for (; i < pick.size() && model_.items[pick[i]].item->specimen == specimen; ++i)
        Segment(m, "OBX").field(1, std::to_string(++n)).field(3, obx3(model_.items[pick[i]])).field(11, "O");
    }
    return file;
  }

  Pending lab_result(Patient& p, const std::string& order, const Moment& ordered, const Moment& collected,
                     const Moment& reported, const Department& dept, char patient_class,
                     const std::vector<std::size_t>& pick, std::uint64_t value_seed, bool final_result) {
    std::string date;
    append_yyyymmdd(date, collected.day);  // SPM-17 (reference §2)
    Pending file = start(p, "OML-11", reported, date, order, std::string(dept.code2), "OUL^R22^OUL_R22");
    std::string& m = file.utf8;
    pid(m, p, false);
    Segment(m, "PV1").field(1, "0001").field(2, std::string(1, patient_class)).field(3, dept.code2).more("^^^^^C");
    Rng values(value_seed);  // same values in the preliminary and the final report
    Rng variance(mix(value_seed, kVarianceStream));  // its own stream: --variance-rate 0 draws nothing
    std::string filler = order.substr(3) + "001";
    std::string observed, report_time;
    append_datetime(observed, collected, false);
    append_datetime(report_time, reported, true);
    int set = 0, obx_number = 0;
    for (std::size_t i = 0; i < pick.size();) {
      Specimen specimen = model_.items[pick[i]].item->specimen;
      std::string specimen_id = filler + std::to_string(set + 1);
      spm(m, ++set, specimen, specimen_id, collected);
      // OUL^R22: OBR before ORC (reference §6.1).
      Segment(m, "OBR").field(1, std::to_string(set)).field(2, order).field(3, specimen_id).field(4, battery(specimen))
          .field(7, observed).field(22, report_time);
      orc(m, "SC", order, specimen_id, final_result ? "CM" : "IP", ordered, dept, patient_class, p.index % 13);
      for (; i < pick.size() && model_.items[pick[i]].item->specimen == specimen; ++i) {
        const ItemModel& item = model_.items[pick[i]];
        TruthObx truth = result_value(item, p.sex, item.variance_item ? variance : values);
        truth.obx = ++obx_number;
        truth.item = &item;
        truth.code = std::string(obx3_code(item));
        truth.unit = item.canonical_unit;
        truth.gap = item.gap;
        truth.sent_system = item.unit_system_name;
        if (model_.variance) vary_row(model_, tables_, ucum_, truth, variance);
        bool numeric = truth.comparator.empty() && truth.qualitative.empty() && truth.kept.empty();
        Segment s(m, "OBX");
        s.field(1, std::to_string(truth.obx)).field(2, numeric ? "NM" : "ST").field(3, obx3(item));
        s.text(5, truth.sent_value);
        if (!truth.sent_unit.empty()) {
          std::string unit = escaped(truth.sent_unit);
          s.field(6, unit).more("^").more(unit).more("^").more(truth.sent_system);
        }
        s.text(7, truth.sent_range).field(8, truth.sent_flag);
        // Preliminary reports mark some rows P (HL7 table 0085).
        s.field(11, final_result ? "F" : (truth.obx % 3 == 0 ? "P" : "F")).field(14, observed);
        file.truth.push_back(std::move(truth));
      }
    }
    return file;
  }

  // A result: value drawn around the JCCLS interval of the patient's sex, some abnormal; the
  // text as this facility writes it; and the canonical answer (units-fhir.md §3.5, §4.3).
  TruthObx result_value(const ItemModel& item, char sex, Rng& rng) {
    const FacilityProfile& f = model_.profile;
    TruthObx t;
    int s = sex == 'M' ? 0 : 1;
    bool parens = f.negative_text == "(-)";
    if (item.item->qualitative) {
      static const char* const bare[] = {"", "±", "1+", "2+", "3+"};
      static const char* const in_parens[] = {"(-)", "(±)", "(1+)", "(2+)", "(3+)"};
      static const char* const codes[] = {"NEG", "EQV", "1+", "2+", "3+"};
      bool infection = item.item->specimen != Specimen::urine;
      int grade = 0;
      double draw = rng.unit();
      if (infection)
        grade = draw < 0.97 ? 0 : -1;  // -1 = positive
      else
        grade = draw < 0.8 ? 0 : draw < 0.88 ? 1 : draw < 0.94 ? 2 : draw < 0.98 ? 3 : 4;
      if (grade == 0) {
        t.sent_value = f.negative_text;
        t.qualitative = "NEG";
      } else if (grade < 0) {
        t.sent_value = parens ? "(+)" : "陽性";
        t.qualitative = "POS";
      } else {
        t.sent_value = parens ? in_parens[grade] : bare[grade];
        t.qualitative = codes[grade];
      }
      t.sent_range = f.negative_text == "-" ? "陰性" : f.negative_text;
      t.flag = grade == 0 ? "N" : "A";
      t.sent_flag = f.flag_style == "none" ? "" : (grade == 0 ? (f.flag_style == "HLN" ? "N" : "") : "A");
      t.sent_unit.clear();
      return t;
    }
    double low = item.jccls_low[s], high = item.jccls_high[s];
    double width = high - low;
    double v;
    if (rng.chance(0.12)) {
      if (low > 0 && rng.chance(0.5))
        v = low - (0.02 + 0.25 * std::abs(rng.normal())) * width;
      else
        v = high + (0.02 + 0.6 * std::abs(rng.normal())) * width;
    } else {
      v = (low + high) / 2 + rng.normal() * width / 4;
    }
    double smallest = 1.0;
    for (int i = 0; i < item.canonical_decimals; ++i) smallest /= 10.0;
    if (v < smallest && item.item->detection_limit <= 0) v = std::max(smallest, low > 0 ? low / 2 : smallest);
    std::string canonical_text;
    append_fixed(canonical_text, v, item.canonical_decimals);
    int digits = std::max(2, lab::significant_digits(canonical_text));
    bool same_unit = item.reported_unit == item.canonical_unit;
    // Canonical -> reported text, keeping the precision the canonical text has.
    auto reported_text = [&](double canonical_value, const std::string& canonical_written) {
      if (same_unit) return canonical_written;
      return lab::format_number(canonical_value / item.to_canonical, digits);
    };
    double vc = parse_double(canonical_text);
    std::string sent_number;
    if (item.item->detection_limit > 0 && vc < item.item->detection_limit) {
      std::string limit;
      append_fixed(limit, item.item->detection_limit, item.canonical_decimals);
      sent_number = reported_text(item.item->detection_limit, limit);
      t.comparator = "<";
    } else if (item.item->report_limit > 0 && vc > item.item->report_limit) {
      std::string limit;
      append_fixed(limit, item.item->report_limit, 0);
      sent_number = reported_text(item.item->report_limit, limit);
      t.comparator = ">";
    } else {
      sent_number = reported_text(vc, canonical_text);
    }
    double sent = parse_double(sent_number);
    t.sent_number = sent;
    t.has_value = true;
    t.value = same_unit ? sent : sent * item.to_canonical;
    if (t.comparator == "<") {
      std::string style = f.less_style;
      t.sent_value = style == "<X" ? "<" + sent_number : style == "< X" ? "< " + sent_number : sent_number + "未満";
    } else if (t.comparator == ">") {
      std::string style = f.greater_style;
      t.sent_value = style == "X<" ? sent_number + "<" : style == ">X" ? ">" + sent_number : sent_number + "超";
    } else {
      t.sent_value = sent_number;
    }
    // The facility's range, in its unit, for this sex; and both rows for some styles.
    auto range_row = [&](int row_sex, double& low_out, double& high_out) {
      std::string low_text, high_text;
      append_fixed(low_text, item.site_low[row_sex], item.canonical_decimals);
      append_fixed(high_text, item.site_high[row_sex], item.canonical_decimals);
      low_text = reported_text(item.site_low[row_sex], low_text);
      high_text = reported_text(item.site_high[row_sex], high_text);
      low_out = parse_double(low_text);
      high_out = parse_double(high_text);
      std::string separator = f.range_style == "dash" ? "-" : f.range_style == "spaced" ? " - " : model_.wave_dash;
      return low_text + separator + high_text;
    };
    double sent_low = 0, sent_high = 0, other_low = 0, other_high = 0;
    std::string own = range_row(s, sent_low, sent_high);
    if (!item.sex_specific || f.sex_range_style == "patient") {
      t.sent_range = own;
    } else {
      std::string male = s == 0 ? own : range_row(0, other_low, other_high);
      std::string female = s == 1 ? own : range_row(1, other_low, other_high);
      t.sent_range = f.sex_range_style == "mf" ? "M:" + male + " F:" + female : "男:" + male + " 女:" + female;
    }
    t.has_range = true;
    t.sent_low = sent_low;
    t.sent_high = sent_high;
    t.low = same_unit ? sent_low : sent_low * item.to_canonical;
    t.high = same_unit ? sent_high : sent_high * item.to_canonical;
    // The correct flag, against the range sent (same unit as the value sent).
    if (t.comparator.empty())
      t.flag = sent < sent_low ? "L" : sent > sent_high ? "H" : "N";
    else if (t.comparator == "<")
      t.flag = sent <= sent_low ? "L" : (sent_low <= 0 && sent <= sent_high) ? "N" : "";
    else
      t.flag = sent >= sent_high ? "H" : "";
    if (f.flag_style == "none" || t.flag.empty())
      t.sent_flag.clear();
    else if (t.flag == "N")
      t.sent_flag = f.flag_style == "HLN" ? "N" : "";
    else
      t.sent_flag = t.flag;
    t.sent_unit = item.unit_spelling;
    return t;
  }

  // OMP-01: RDE^O11 prescription (care date ORC-9), one ORC/RXE/TQ1/RXR group per drug
  // (reference §4, §6.5; guideline sample shape). Cancelled sometimes (deletion).
  void prescription(Patient& p, Rng& rng, const Moment& at, const Department& dept, char patient_class) {
    std::string order = next_order(p);
    std::string date;
    append_yyyymmdd(date, at.day);
    int count = rng.between(1, 4);
    std::vector<const Drug*> list;
    for (int k = 0; k < count; ++k) list.push_back(&rng.pick(drugs));
    std::vector<int> doses, days_supply;
    std::vector<const Usage*> usage_list;
    for (const Drug* drug : list) {
      doses.push_back(rng.between(drug->dose_min, drug->dose_max));
      days_supply.push_back(rng.between(1, 8) * 7);
      usage_list.push_back(&rng.pick(usages));
    }
    auto build = [&](const Moment& when, std::string_view control) {
      Pending file = start(p, "OMP-01", when, date, order, std::string(dept.code2), "RDE^O11^RDE_O11");
      std::string& m = file.utf8;
      pid(m, p, false);
      Segment(m, "PV1").field(1, "0001").field(2, std::string(1, patient_class)).field(3, dept.code2).more("^^^^^C");
      std::string start_day;
      append_yyyymmdd(start_day, at.day);
      for (std::size_t k = 0; k < list.size(); ++k) {
        const Drug& drug = *list[k];
        orc(m, control, order, {}, {}, at, dept, patient_class, p.index % 13);
        std::string unit = std::string(drug.unit_code) + "^" + std::string(drug.unit_name) + "^MR9P";
        Segment(m, "RXE").field(2, drug.code).more("^").more(escaped(drug.name)).more("^HOT9")
            .field(3, std::to_string(doses[k])).field(5, unit).field(10, std::to_string(doses[k] * days_supply[k]))
            .field(11, unit).field(21, "OHP^外来処方^MR9P~OHI^院内処方^MR9P");
        Segment(m, "TQ1").field(1, "1").field(3, usage_list[k]->code).more("&").more(usage_list[k]->text).more("&JAMISDP01")
            .field(6, std::to_string(days_supply[k])).more("^d").field(7, start_day);
        Segment(m, "RXR").field(1, "PO^口^HL70162");
      }
      return file;
    };
    add(p, build(at, "NW"), rng);
    if (rng.chance(0.04)) remove(p, build(at.plus_minutes(10), "CA"));
  }

  // PPR-01: PPR^ZD1 problem list (reference §6.5), "-" date folder.
  Pending problems(Patient& p, const Moment& at, const std::vector<const Diagnosis*>& list) {
    Pending file = start(p, "PPR-01", at, "-", std::string(kNoOrder), std::string(p.dept->code2), "PPR^ZD1^PPR_ZD1");
    std::string& m = file.utf8;
    pid(m, p, false);
    std::string day;
    append_yyyymmdd(day, at.day);
    int n = 0;
    for (const Diagnosis* d : list) {
      std::string problem_id = p.id + std::to_string(++n);
      Segment(m, "PRB").field(1, "AD").field(2, day).field(3, d->icd10).more("^").more(escaped(d->name)).more("^I10")
          .field(4, problem_id).field(7, day).field(10, d->icd10).more("^^I10^O^外来時^JHSD0004")
          .field(14, "N^回復せず^HL70241").field(16, day);
    }
    return file;
  }

  // ---- output -------------------------------------------------------------------------------
  // Naming deviations of reference §3 "Observed deviations", applied to the file name only.
  std::string file_name(const Pending& file, Rng& rng, bool& deviated) {
    ssmix2::FileName name;
    std::string order = file.order, timestamp = file.timestamp, dept = file.dept;
    int kind = -1;
    deviated = false;
    if (model_.profile.deviations && options_.deviation_rate > 0 && rng.chance(options_.deviation_rate)) {
      kind = static_cast<int>(rng.below(6));
      deviated = true;
    }
    std::string out = current_patient_id_ + "_" + file.date + "_" + std::string(file.type) + "_";
    if (kind == 0) order = order.substr(2);  // 13-digit order number
    if (kind == 1) timestamp.resize(15);     // 15-digit timestamp
    if (kind == 2) timestamp.resize(14);     // 14-digit timestamp (yyyyMMddHHmmss)
    out += order + "_" + (kind == 3 ? " " : "") + timestamp + "_";
    out += (kind == 5 ? std::string("-") : dept) + "_";  // 5: department missing from the name
    out += std::to_string(file.flag);
    if (kind == 4) out += ".hl7";            // a file extension
    return out;
  }

  static void jis_forms(std::string& text) {
    static constexpr std::string_view pairs[][2] = {{"\xEF\xBC\x8D", "\xE2\x88\x92"},   // － -> −
                                                    {"\xEF\xBD\x9E", "\xE3\x80\x9C"}};  // ～ -> 〜
    for (const auto& pair : pairs)
      for (std::size_t at = text.find(pair[0]); at != std::string::npos; at = text.find(pair[0], at + 3))
        text.replace(at, 3, pair[1]);
  }

  void flush(const Patient& p, Rng& rng) {
    const FacilityProfile& f = model_.profile;
    current_patient_id_ = p.id;
    std::string base = p.id.substr(0, 3) + "/" + p.id.substr(3, 3) + "/" + p.id;
    std::string directory, name, bytes, converted;
    std::vector<std::string> names_used;
    for (Pending& file : pending_) {
      directory = base + "/" + file.date + "/" + std::string(file.type);
      bool deviated = false;
      name = file_name(file, rng, deviated);
      std::string full = directory + "/" + name;
      if (std::find(names_used.begin(), names_used.end(), full) != names_used.end()) {
        // A deviation made two names equal (e.g. a dropped millisecond): keep this one standard.
        deviated = false;
        name = p.id + "_" + file.date + "_" + std::string(file.type) + "_" + file.order + "_" + file.timestamp + "_" +
               file.dept + "_" + std::to_string(file.flag);
        full = directory + "/" + name;
      }
      names_used.push_back(full);
      // The message as a reader decodes it: ICU writes U+FF0D/U+FF5E as JIS 0x215D/0x2141,
      // which smx (like iconv) reads back as U+2212/U+301C (charset convert.cpp).
      if (f.charset == Charset::iso2022jp) jis_forms(file.utf8);
      // Segment terminators as this vendor writes them, then the charset, then 0x1C.
      const std::string* text = &file.utf8;
      if (f.terminator != "\r") {
        converted.clear();
        for (char c : file.utf8) {
          if (c == '\r')
            converted.append(f.terminator);
          else
            converted.push_back(c);
        }
        text = &converted;
      }
      bytes.clear();
      encoder_->encode(*text, bytes);
      if (f.trailing_fs) bytes.push_back('\x1C');
      sink_->file(Sink::File{f.id, directory, name, bytes, file.utf8,
                             f.charset == Charset::iso2022jp ? "ISO-2022-JP" : f.charset == Charset::utf8 ? "UTF-8" : "Shift_JIS"});
      ++summary_.files;
      summary_.bytes += bytes.size();
      if (file.flag == 2) ++summary_.history_files;
      if (file.flag == 0) ++summary_.deleted_files;
      if (deviated) ++summary_.deviations;
      ++summary_.files_by_type[type_index(file.type)];
      summary_.lab_results += file.truth.size();
      if (truth_ && !file.truth.empty()) write_truth(f, full, file, p);
    }
    ++summary_.patients;
    sink_->patient_done();
    if (truth_) truth_->maybe_flush();
  }

  void write_truth(const FacilityProfile& f, const std::string& relative, const Pending& file, const Patient& p) {
    std::string& out = truth_->buffer();
    std::string path = options_.root;
    if (!path.empty() && path.back() != '/') path += '/';
    path += f.id + "/" + relative;
    for (const TruthObx& t : file.truth) {
      json::Writer w(out);
      auto number_or_null = [&](std::string_view key, bool present, double value) {
        if (!present) return w.null(key);
        w.key(key);
        append_shortest(out, value);
      };
      w.begin_object();
      w.string("file", path);
      w.string("facility", f.id);
      w.number("ssmix2_flag", file.flag);
      w.number("obx", t.obx);
      w.string("code", t.code);
      w.string("jlac10", t.item->jlac10);
      w.string("sex", std::string_view(&p.sex, 1));
      w.string_or_null("unit", t.unit);
      number_or_null("value", t.has_value, t.value);
      w.string("comparator", t.comparator);
      w.string_or_null("qualitative", t.qualitative);
      number_or_null("low", t.has_range, t.low);
      number_or_null("high", t.has_range, t.high);
      w.string("flag", t.flag);
      w.string_or_null("gap", t.gap);
      write_variance_members(w, t);
      w.begin_object("sent");
      w.string("value", t.sent_value);
      w.string("unit", t.sent_unit);
      w.string("unit_ucum", t.item->reported_unit);
      w.string("range", t.sent_range);
      w.string("flag", t.sent_flag);
      w.end_object();
      w.end_object();
      out.push_back('\n');
    }
  }

  const Options& options_;
  const tables::Tables& tables_;
  units::Ucum ucum_;
  std::int64_t from_ = 0, to_ = 0;
  FacilityModel model_;
  std::unique_ptr<Encoder> encoder_;
  std::vector<Pending> pending_;
  std::string current_patient_id_;
  Sink* sink_ = nullptr;
  Output* truth_ = nullptr;
  Summary summary_;
};

}  // namespace

const std::vector<std::string_view>& data_type_names() { return kTypes; }

std::string parse_date(std::string_view text) {
  std::string digits;
  for (char c : text)
    if (c != '-') digits.push_back(c);
  bool ok = digits.size() == 8 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (ok && text.size() == 10) ok = text[4] == '-' && text[7] == '-';
  else if (ok) ok = text.size() == 8;
  if (ok) {
    int year = std::stoi(digits.substr(0, 4)), month = std::stoi(digits.substr(4, 2)), day = std::stoi(digits.substr(6, 2));
    int y2, m2, d2;
    civil_from_days(days_from_civil(year, month, day), y2, m2, d2);
    ok = year >= 1900 && y2 == year && m2 == month && d2 == day;
  }
  if (!ok) throw usage_error("not a date (YYYY-MM-DD or YYYYMMDD): '" + std::string(text) + "'");
  return digits;
}

Summary generate(const Options& options, const tables::Tables& tables, Sink& sink, Output* truth) {
  if (options.facilities < 1 || options.facilities > 99) throw usage_error("the number of facilities must be 1-99");
  if (options.deviation_rate < 0 || options.deviation_rate > 1) throw usage_error("the deviation rate must be 0-1");
  if (options.gap_rate < 0 || options.gap_rate > 1) throw usage_error("the gap rate must be 0-1");
  if (options.variance_rate < 0 || options.variance_rate > 1) throw usage_error("the variance rate must be 0-1");
  Generator generator(options, tables);
  return generator.run(sink, truth);
}

// ---- sinks ----------------------------------------------------------------------------------
namespace {
void make_directory(const std::string& path) {
  if (::mkdir(path.c_str(), 0777) != 0 && errno != EEXIST)
    throw io_error("cannot create folder " + path + ": " + std::strerror(errno));
}
}  // namespace

// Files are written by threads of their own: generating a patient (CPU) overlaps with the
// file-system calls of the previous ones (mkdir/open/write/close, most of the time in the kernel
// on a real disk), and two writers keep two kernel paths busy on a 2-core machine. Batches go
// through a bounded queue, one per patient; patients have disjoint folders below
// ROOT/facility/pid3/pid6 (shared prefixes are made with mkdir, EEXIST accepted), and every file
// name is fixed before it is queued, so the tree does not depend on which writer wrote what.
struct TreeSink::Impl {
  struct Item {
    std::string directory;  // ROOT/facility/pid3/pid6/pid/date/type
    std::string file_name;
    std::string bytes;
  };
  // One per writer thread.
  struct Writer {
    std::unordered_set<std::string> shared_made;  // ROOT/facility, .../pid3, .../pid6: made once
    std::vector<std::string> made;                 // the patient's own folders, this batch
    std::string path;
  };
  std::string root;        // where the files are written: the hidden folder (see TreeSink)
  std::string final_root;  // -o ROOT
  bool root_existed = false;
  bool temporary = false;  // `root` exists and is not yet moved into place
  std::vector<Item> batch;  // the current patient's files
  BoundedQueue<std::vector<Item>> queue{64};
  std::mutex error_mutex;
  std::string error;  // first write error, raised on the generating thread
  std::vector<std::thread> writers;

  // Folders from ROOT/facility down to ROOT/facility/pid3/pid6 are shared by many patients.
  bool is_shared_level(std::size_t depth) const { return depth <= 3; }

  void write_batch(Writer& w, const std::vector<Item>& items) {
    w.made.clear();
    for (const Item& item : items) {
      if (std::find(w.made.begin(), w.made.end(), item.directory) == w.made.end()) {
        std::size_t depth = 0;
        for (std::size_t slash = item.directory.find('/', root.size() + 1); slash != std::string::npos;
             slash = item.directory.find('/', slash + 1)) {
          std::string prefix = item.directory.substr(0, slash);
          if (is_shared_level(++depth)) {
            if (w.shared_made.insert(prefix).second) make_directory(prefix);
          } else if (std::find(w.made.begin(), w.made.end(), prefix) == w.made.end()) {
            make_directory(prefix);
            w.made.push_back(prefix);
          }
        }
        make_directory(item.directory);
        w.made.push_back(item.directory);
      }
      w.path.assign(item.directory).append("/").append(item.file_name);
      const std::string& path = w.path;
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) throw io_error("cannot create " + path + ": " + std::strerror(errno));
      const char* data = item.bytes.data();
      std::size_t left = item.bytes.size();
      while (left > 0) {
        ssize_t written = ::write(fd, data, left);
        if (written < 0) {
          if (errno == EINTR) continue;
          int e = errno;
          ::close(fd);
          throw io_error("cannot write " + path + ": " + std::strerror(e));
        }
        data += written;
        left -= static_cast<std::size_t>(written);
      }
      if (::close(fd) != 0) throw io_error("cannot write " + path + ": " + std::strerror(errno));
    }
  }

  void run() {
    Writer w;
    while (std::optional<std::vector<Item>> items = queue.pop()) {
      try {
        write_batch(w, *items);
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(error_mutex);
          if (error.empty()) error = e.what();
        }
        queue.cancel();  // the generating side sees the error at its next push
        return;
      }
    }
  }

  void raise_error() {
    std::lock_guard lock(error_mutex);
    if (!error.empty()) throw io_error(error);
  }

  void push() {
    if (batch.empty()) return;
    const bool queued = queue.push(std::move(batch));
    batch.clear();
    if (!queued) raise_error();
  }

  // Waits for the writers; with `drop`, what is still queued is not written.
  void stop(bool drop) {
    if (drop) queue.cancel();
    else queue.close();
    for (std::thread& t : writers)
      if (t.joinable()) t.join();
  }
};

namespace {
// The names in a folder, without . and .. (empty when it cannot be read).
std::vector<std::string> folder_entries(const std::string& path) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(path.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
    ::closedir(d);
  }
  return names;
}

// rm -r of a partial tree (no symlinks are followed: gen writes none).
void remove_tree(const std::string& path) {
  ::nftw(
      path.c_str(),
      [](const char* p, const struct stat*, int type, struct FTW*) {
        if (type == FTW_DP) ::rmdir(p);
        else ::unlink(p);
        return 0;
      },
      64, FTW_DEPTH | FTW_PHYS);
}
}  // namespace

// The tree appears whole or not at all: it is written into a hidden folder and moved into place
// by finish(). A new ROOT: .ROOT.smx-gen-PID beside it, renamed to ROOT. An existing empty ROOT
// (it may be a mount point or someone's working folder, so it is kept): ROOT/.smx-gen-PID, whose
// facility folders are then renamed into ROOT one by one. On failure the hidden folder is
// removed, so a crashed or failed run leaves nothing a nightly job could pick up.
TreeSink::TreeSink(std::string root) : impl_(std::make_unique<Impl>()) {
  if (root.empty()) throw usage_error("no output root");
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  impl_->final_root = root;
  const std::string pid = std::to_string(::getpid());
  struct stat info {};
  if (::stat(root.c_str(), &info) == 0) {
    if (!S_ISDIR(info.st_mode)) throw usage_error("output root is not a folder: " + root);
    if (!folder_entries(root).empty()) throw usage_error("output root is not empty: " + root);
    impl_->root_existed = true;
    impl_->root = root + "/.smx-gen-" + pid;
  } else {
    // mkdir -p of the parent
    for (std::size_t slash = root.find('/', 1); slash != std::string::npos; slash = root.find('/', slash + 1))
      make_directory(root.substr(0, slash));
    const std::size_t slash = root.rfind('/');
    const std::string parent = slash == std::string::npos ? std::string() : root.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? root : root.substr(slash + 1);
    if (name == "." || name == "..") throw usage_error("output root does not exist: " + root);
    impl_->root = parent + "." + name + ".smx-gen-" + pid;
  }
  if (::mkdir(impl_->root.c_str(), 0777) != 0)
    throw io_error("cannot create folder " + impl_->root + ": " + std::strerror(errno));
  impl_->temporary = true;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // Two writers measured 1.4-1.6x one on this 2-core machine's ext4 (34,180 files in 1.15 s vs
  // 1.6-1.8 s); three or four were no faster.
  for (unsigned i = 0; i < std::min(cores, 2u); ++i)
    impl_->writers.emplace_back([impl = impl_.get()] { impl->run(); });
}

TreeSink::~TreeSink() {
  // An exception on the generating side: drop what is queued, stop, remove the partial tree.
  impl_->stop(true);
  if (impl_->temporary) remove_tree(impl_->root);
}

void TreeSink::finish() {
  impl_->push();
  impl_->stop(false);
  impl_->raise_error();
  Impl& s = *impl_;
  auto move = [](const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0)
      throw io_error("cannot move " + from + " to " + to + ": " + std::strerror(errno));
  };
  if (!s.root_existed) {
    move(s.root, s.final_root);
  } else {
    std::vector<std::string> names = folder_entries(s.root);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) move(s.root + "/" + name, s.final_root + "/" + name);
    if (::rmdir(s.root.c_str()) != 0) throw io_error("cannot remove " + s.root + ": " + std::strerror(errno));
  }
  s.temporary = false;
}

void TreeSink::patient_done() { impl_->push(); }

void TreeSink::file(const File& file) {
  Impl& s = *impl_;
  std::string directory;
  directory.reserve(s.root.size() + file.facility.size() + file.directory.size() + 2);
  directory.append(s.root).append("/").append(file.facility).append("/").append(file.directory);
  s.batch.push_back(Impl::Item{std::move(directory), std::string(file.file_name), std::string(file.bytes)});
}

void StreamSink::file(const File& file) {
  Record record;
  record.src.path = root_;
  if (!record.src.path.empty() && record.src.path.back() != '/') record.src.path += '/';
  record.src.path.append(file.facility).append("/").append(file.directory).append("/").append(file.file_name);
  record.src.n = 1;
  std::vector<ssmix2::NameProblem> problems;
  record.ssmix2 = ssmix2::parse_file_name(file.file_name, problems);
  record.charset = std::string(file.charset);
  std::string& b = out_.buffer();
  append_record_json(b, record, file.utf8);
  b.push_back('\n');
  out_.maybe_flush();
}

}  // namespace smx::gen
