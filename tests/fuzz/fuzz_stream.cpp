// libFuzzer entry point: RecordReader on one input file (it reads paths, so the bytes go to a
// per-process temporary file). The bytes are sniffed like any input: '{' first is the smx
// stream, anything else raw HL7 (framing, charset detection and decoding, message parsing).
// Checks "nothing lost" (read = records + rejected), and that writing the records as stream
// lines and reading those back gives the same messages (parse -> write -> parse).
#include <smx/error.hpp>
#include <smx/stream.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct TempFile {
  std::string path = "/tmp/smx-fuzz-stream-" + std::to_string(::getpid());
  ~TempFile() { std::remove(path.c_str()); }
  void write(std::string_view bytes) const {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) __builtin_trap();
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) __builtin_trap();
    if (std::fclose(f) != 0) __builtin_trap();
  }
};

struct CountingRejects final : smx::RejectSink {
  void reject(const smx::Reject& reject) override {
    if (reject.part <= 1) ++count;
  }
  std::uint64_t count = 0;
};

struct Result {
  std::vector<std::string> messages;
  std::string stream;  // the records as smx stream lines
};

Result read_all(const std::string& path) {
  smx::ReaderOptions options;
  // Small bound: keeps memory low and reaches oversize handling; also bounds what a
  // {"kind":"file"} record naming some other file can make the reader load.
  options.max_message_bytes = std::size_t{1} << 16;
  smx::NullSink diagnostics;
  CountingRejects rejects;
  smx::Counts counts;
  Result result;
  smx::RecordReader reader({path}, options, diagnostics, &rejects, counts);
  std::uint64_t records = 0;
  while (const smx::Record* record = reader.next()) {
    ++records;
    result.messages.emplace_back(record->message.text());
    smx::append_record_json(result.stream, *record, record->message.text());
    result.stream.push_back('\n');
  }
  check(counts.read == records + counts.rejected);
  check(rejects.count == counts.rejected);
  return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const TempFile temp;
  temp.write(std::string_view(reinterpret_cast<const char*>(data), size));
  const Result first = read_all(temp.path);
  if (first.messages.empty()) return 0;
  // The text of a message never holds CR LF (a line feed at the start of a line is an empty
  // line, corpus/stream/crash-lf-after-cr-not-idempotent), so the stream reads back the same.
  for (const auto& message : first.messages) check(message.find("\r\n") == std::string::npos);
  temp.write(first.stream);
  const Result second = read_all(temp.path);
  check(second.messages == first.messages);
  check(second.stream == first.stream);
  return 0;
}
