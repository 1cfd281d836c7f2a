// libFuzzer entry point: hl7::Framer over raw bytes, streaming (small chunks taken from the
// first input byte) and in view mode. Checks what "nothing lost" needs of framing: frames lie
// inside the input in increasing order, hold exactly the input's bytes at their offset, never
// exceed max_message_bytes, and everything between frames is a separator (CR, LF, VT, FS, space,
// tab) or the leading BOM. Both modes must cut the input identically.
#include <smx/hl7.hpp>
#include <smx/io.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Cut {
  smx::hl7::Frame::Kind kind;
  std::uint64_t offset;
  std::string bytes;
  bool mllp;
};

bool is_separator(char c) { return c == '\r' || c == '\n' || c == 0x0b || c == 0x1c || c == ' ' || c == '\t'; }

void check(bool ok) {
  if (!ok) __builtin_trap();
}

std::vector<Cut> frame_all(smx::hl7::Framer& framer, std::string_view input, std::size_t max_bytes) {
  std::vector<Cut> cuts;
  std::uint64_t covered = 0;  // first byte not yet accounted for
  while (auto frame = framer.next()) {
    check(!frame->bytes.empty());
    check(frame->bytes.size() <= input.size());
    // Memory bound: no frame is larger than max_message_bytes (runs of line breaks included).
    check(frame->bytes.size() <= max_bytes);
    check(frame->offset >= covered);
    check(frame->offset + frame->bytes.size() <= input.size());
    check(input.substr(frame->offset, frame->bytes.size()) == frame->bytes);
    for (std::uint64_t i = covered; i < frame->offset; ++i)
      check(is_separator(input[i]) || (framer.saw_bom() && i < 3));
    covered = frame->offset + frame->bytes.size();
    cuts.push_back(Cut{frame->kind, frame->offset, std::string(frame->bytes), frame->mllp});
    check(cuts.size() <= input.size());  // each frame holds at least one byte
  }
  for (std::uint64_t i = covered; i < input.size(); ++i) check(is_separator(input[i]) || (framer.saw_bom() && i < 3));
  return cuts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Byte 0: chunk size 1..64 for the streaming framer. Byte 1: max_message_bytes, from the
  // minimum (16) up to 1 MiB, so oversize splitting is reached with small inputs.
  const std::size_t chunk = 1 + data[0] % 64;
  const std::size_t max_bytes = data[1] < 128 ? 16 + data[1] : std::size_t{1} << 20;
  const std::string_view input(reinterpret_cast<const char*>(data) + 2, size - 2);
  smx::hl7::FramerOptions options{max_bytes, chunk};

  auto source = smx::memory_source(std::string(input), "fuzz");
  smx::hl7::Framer streaming(*source, options);
  const std::vector<Cut> streamed = frame_all(streaming, input, max_bytes);

  smx::hl7::Framer view(input, options);
  const std::vector<Cut> viewed = frame_all(view, input, max_bytes);

  check(streaming.saw_bom() == view.saw_bom());
  check(streamed.size() == viewed.size());
  for (std::size_t i = 0; i < streamed.size(); ++i) {
    check(streamed[i].kind == viewed[i].kind);
    check(streamed[i].offset == viewed[i].offset);
    check(streamed[i].bytes == viewed[i].bytes);
    check(streamed[i].mllp == viewed[i].mllp);
  }
  return 0;
}
