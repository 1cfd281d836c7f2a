// libFuzzer entry point: Message::assign, every segment and field, path selection and escape
// decoding. Input: message bytes, optionally followed by a NUL and a path expression (e.g.
// "OBX[*]-5[2].1"); without one, paths are built from the message's own structure. Checks that
// every view points into the message text, and that escape() then unescape() gives back the
// text for any valid UTF-8 (the field values after decoding, and the input itself).
#include <smx/charset.hpp>
#include <smx/error.hpp>
#include <smx/hl7.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return;
  check(part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void round_trip(std::string_view text, const smx::hl7::Delimiters& delimiters) {
  if (!smx::is_valid_utf8(text)) return;
  std::string escaped, back;
  smx::hl7::escape(text, delimiters, escaped);
  std::vector<smx::hl7::EscapeProblem> problems;
  smx::hl7::unescape(escaped, delimiters, back, &problems);
  check(back == text);
  check(problems.empty());
}

void exercise_path(const smx::hl7::Message& message, const smx::hl7::Path& path) {
  smx::hl7::for_each_segment(message, path, path.segment_index == smx::hl7::Path::kAll, [&](std::size_t i) {
    check(i < message.segment_count());
    const std::size_t repetitions =
        path.field == 0 ? 1 : smx::hl7::repetition_count(message, i, path.field);
    const std::size_t last = path.repetition == smx::hl7::Path::kAll ? repetitions
                                                                     : static_cast<std::size_t>(path.repetition);
    for (std::size_t r = 1; r <= last && r <= 64; ++r)
      check_inside(smx::hl7::select(message, i, path, static_cast<int>(r)), message.text());
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view path_text;
  bool has_path = false;
  if (const std::size_t nul = input.rfind('\0'); nul != std::string_view::npos) {
    path_text = input.substr(nul + 1);
    input = input.substr(0, nul);
    has_path = true;
  }

  smx::hl7::Message message;
  std::string reason;
  std::string prefixed;
  if (!message.assign(input, &reason)) {
    check(!reason.empty());
    // Reach the field code with bytes that do not start with a valid MSH.
    prefixed = "MSH|^~\\&|";
    prefixed.append(input);
    if (!message.assign(prefixed, &reason)) return 0;
  }
  const std::string_view text = message.text();
  check(!text.empty() && text.back() == '\r');
  check(message.segment_count() >= 1);
  check(message.segment_id(0) == "MSH");

  const smx::hl7::Delimiters& d = message.delimiters();
  std::string decoded;
  std::vector<smx::hl7::EscapeProblem> problems;
  std::size_t work = 0;  // bound the work per input: fields x repetitions
  for (std::size_t i = 0; i < message.segment_count(); ++i) {
    const std::string_view segment = message.segment(i);
    check_inside(segment, text);
    check(segment.find('\r') == std::string_view::npos);
    check_inside(message.segment_id(i), text);
    const std::size_t fields = message.field_count(i);
    for (std::size_t f = 1; f <= fields + 1 && work < 20000; ++f, ++work) {
      const std::string_view field = message.field(i, f);
      check_inside(field, segment);
      decoded.clear();
      problems.clear();
      smx::hl7::unescape(field, d, decoded, &problems);
      for (const auto& p : problems) check(p.offset < field.size());
      round_trip(decoded, d);
      work += smx::hl7::repetition_count(message, i, static_cast<int>(f));
    }
    const std::size_t found = message.find_segment(message.segment_id(i));
    check(found <= i);
  }
  check(message.field(message.segment_count(), 1).empty());

  if (has_path) {
    try {
      exercise_path(message, smx::hl7::Path::parse(path_text));
    } catch (const smx::parse_error& e) {
      check(e.position <= path_text.size());
    }
  } else {
    // Paths from the message itself: every segment id at fields 1..12, components 0..3.
    for (std::size_t i = 0; i < message.segment_count() && i < 16; ++i) {
      const std::string id(message.segment_id(i));
      for (int f = 1; f <= 12; ++f) {
        for (int c = 0; c <= 3; ++c) {
          std::string p = id + "[*]-" + std::to_string(f) + "[*]";
          if (c) p += "." + std::to_string(c) + ".1";
          try {
            exercise_path(message, smx::hl7::Path::parse(p));
          } catch (const smx::parse_error&) {
            // segment ids that are not path names (lower case, symbols)
          }
        }
      }
    }
  }

  round_trip(input, d);
  return 0;
}
